"""`python -m bot whatsapp sync-content`: create (once) or find the generic Content API
templates the WhatsApp channel sends menus with (channels/whatsapp_content.py) and print their
ids. Safe to run again: existing templates (found by friendly name) are left alone."""
from __future__ import annotations

import asyncio
from typing import Dict, Optional

from channels.config import whatsapp_config
from channels.whatsapp_sender import WhatsAppSender


async def sync_content() -> Dict[str, str]:
    config = whatsapp_config()
    if config is None:
        raise SystemExit("Set TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_WHATSAPP_FROM first (environment or .env).")
    sender = WhatsAppSender(config, store=None)  # type: ignore[arg-type]  # nothing is sent or stored
    try:
        return await sender.catalog.sync()
    finally:
        await sender.close()


def main(argv: Optional[list[str]] = None) -> int:
    command = (argv or ["sync-content"])[0]
    if command != "sync-content":
        print("usage: python -m bot whatsapp sync-content")
        return 2
    try:
        found = asyncio.run(sync_content())
    except RuntimeError as exc:  # Twilio's explanation; it never contains the auth token
        print(exc)
        return 1
    for name, sid in sorted(found.items()):
        print(f"{sid}  {name}")
    return 0
