"""`python -m bot <command>`: the assistant's command line."""
from __future__ import annotations

import argparse
import sys

import bot  # noqa: F401  (environment defaults: telemetry off, offline hub, threads)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description="Migrant information assistant")
    commands = parser.add_subparsers(dest="command", required=True)

    ask = commands.add_parser("ask", help="answer one message, or one per line of standard input")
    ask.add_argument("--json", action="store_true", help="one JSON object per message")
    ask.add_argument("--sender", help="treat all lines as one conversation with this id")
    ask.add_argument("--jsonl", action="store_true",
                     help='read {"sender": ..., "text": ...} per line (conversations interleave); implies --json')
    ask.add_argument("text", nargs="?", help="the message (omit to read standard input)")

    knowledge = commands.add_parser("knowledge", help="knowledge base tools")
    knowledge_commands = knowledge.add_subparsers(dest="knowledge_command", required=True)
    knowledge_commands.add_parser("check", help="validate knowledge/ (languages, sources, limits, contacts, generated rules)")
    knowledge_commands.add_parser("rules", help="write data/rules/knowledge.yml from knowledge/topics.yml and follow_ups.yml")
    report = knowledge_commands.add_parser("report", help="translation review status per language and answer, stale reviews")
    report.add_argument("--max-age-days", type=int, default=180, help="an answer reviewed longer ago is listed (default 180)")

    commands.add_parser("train", help="train the model (reuses unchanged parts)")
    commands.add_parser("run", help="start everything of the embedded set-up (what `make run` does)")
    caseworker = commands.add_parser("caseworker", help="caseworker console accounts")
    caseworker.add_argument("action", help="add | passwd | list | deactivate | activate (ACTION --help for more)")
    caseworker.add_argument("args", nargs=argparse.REMAINDER)  # parsed by bot/cli_cases.py

    from privacy.retention import CLI_AGE_HELP, cli_age

    purge = commands.add_parser("purge", help="remove conversations and records older than the retention limit")
    purge.add_argument("--older-than", type=cli_age, help=f"{CLI_AGE_HELP} (default: RETENTION_DAYS days)")
    stats = commands.add_parser("stats", help="aggregate figures (no personal data): languages, topics, channels, handoffs")
    stats.add_argument("--since", type=cli_age, default="30d", help=f"{CLI_AGE_HELP} (default 30d)")
    stats.add_argument("--chart", help="also draw the figures into this PNG file")

    telegram = commands.add_parser("telegram", help="Telegram webhook registration and local polling")
    telegram_commands = telegram.add_subparsers(dest="telegram_command", required=True)
    set_webhook = telegram_commands.add_parser("set-webhook", help="register URL with the webhook secret")
    set_webhook.add_argument("url")
    set_webhook.add_argument("--drop-pending-updates", action="store_true", help="discard updates Telegram still holds")
    telegram_commands.add_parser("delete-webhook", help="remove the webhook (polling needs this)")
    poll = telegram_commands.add_parser("poll", help="local development: answer via getUpdates, no webhook")
    poll.add_argument("--timeout", type=int, default=25, help="long-polling timeout in seconds (default 25)")
    whatsapp = commands.add_parser("whatsapp", help="WhatsApp (Twilio) set-up")
    whatsapp_commands = whatsapp.add_subparsers(dest="whatsapp_command", required=True)
    whatsapp_commands.add_parser("sync-content", help="create or find the menu templates (Content API), print their ids")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from core.settings import exit_if_misconfigured

    exit_if_misconfigured(f"python -m bot {args.command}")
    if args.command == "ask":
        from bot.ask import main as ask_main

        return ask_main(args.text, args.sender, args.json, jsonl=args.jsonl)
    if args.command == "knowledge" and args.knowledge_command == "report":
        from content.knowledge import load_knowledge
        from content.sources import report as knowledge_report

        print(knowledge_report(load_knowledge(), max_age_days=args.max_age_days), end="")
        return 0
    if args.command == "knowledge" and args.knowledge_command == "rules":
        from content.rules import main as rules_main

        return rules_main()
    if args.command == "knowledge":
        from content.check import main as check_main

        return check_main()
    if args.command == "run":
        from bot.run import main as run_main

        return run_main()
    if args.command == "caseworker":
        from bot.cli_cases import main as caseworker_main

        return caseworker_main([args.action, *args.args])
    if args.command == "telegram":
        from bot.cli_telegram import main as telegram_main

        return telegram_main(_telegram_argv(args))
    if args.command == "whatsapp":
        from bot.cli_whatsapp import main as whatsapp_main

        return whatsapp_main([args.whatsapp_command])
    if args.command == "purge":
        from privacy.retention import main as purge_main

        return purge_main(args.older_than)
    if args.command == "stats":
        from bot.stats import main as stats_main

        return stats_main(args.since, args.chart)
    if args.command == "train":
        from bot.model import train

        print(train())
        return 0
    return 2


def _telegram_argv(args: argparse.Namespace) -> list[str]:
    """The arguments for bot.cli_telegram, which parses them again."""
    if args.telegram_command == "set-webhook":
        return ["set-webhook", args.url] + (["--drop-pending-updates"] if args.drop_pending_updates else [])
    if args.telegram_command == "poll":
        return ["poll", "--timeout", str(args.timeout)]
    return [args.telegram_command]


if __name__ == "__main__":
    from bot.quiet import quiet_warnings

    quiet_warnings()  # the command line only: tests importing main() see every warning
    sys.exit(main())
