"""What happened to an outbound message: the answer every sender gives its caller."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import List, Optional

# `reason` values (None when everything went out as a normal message)
UNKNOWN_CONVERSATION = "unknown_conversation"    # no address stored for this conversation id
NOT_CONFIGURED = "channel_not_configured"        # the channel's credentials are not set here
BLOCKED = "blocked"                              # Telegram: the user blocked the bot (403)
OPTED_OUT = "opted_out"                          # WhatsApp: the user sent STOP (21610)
INVALID_ADDRESS = "invalid_address"              # WhatsApp: not a valid WhatsApp number (21211)
OUTSIDE_WINDOW = "outside_window"                # WhatsApp: 24 h window closed; template sent instead
OUTSIDE_WINDOW_NO_TEMPLATE = "outside_window_no_template"  # ... and no TWILIO_TEMPLATE_SID: nothing sent
EMPTY = "empty"                                  # nothing to send
FAILED = "failed"                                # any other error, after retries for transient ones


@dataclass
class DeliveryResult:
    conversation_id: str
    channel: Optional[str]
    sent: bool                    # the platform accepted at least one message (text or template)
    parts: int = 0                # messages accepted (a long text is split into several)
    message_ids: List[str] = field(default_factory=list)
    used_template: bool = False   # the approved template went out instead of the text
    reason: Optional[str] = None  # see the constants above
    detail: str = ""              # for a person (caseworker console); never holds an address
    permanent: bool = False       # retrying later will not help (blocked, opted out, invalid)

    @property
    def complete(self) -> bool:
        """The whole text was delivered as written."""
        return self.sent and not self.used_template and self.reason is None
