"""``python -m bot [run|edit|imagine|stats]``: parse the command line, then run the bot or
one command.

This entry point sits above both the core (``bot/``) and the adapters: it is the one place that
names the platforms, so the core never does. A configuration the bot cannot start with is one
log line naming the settings to fix (never their values), and exit code 2.

Exit codes: 0 done, 2 bad input or configuration, 3 refused by the model, 4 upstream failure.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import logging
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from bot.config import Settings, early_logging, load_settings
from bot.errors import ConfigError
from bot.ops import configure_logging
from editbot.local import local_chat_port, open_local_chat

if TYPE_CHECKING:
    from adapters.localchat import LocalChat

log = logging.getLogger("editbot")

EXIT_OK, EXIT_INPUT, EXIT_REFUSED, EXIT_UPSTREAM = 0, 2, 3, 4

# adapter name -> (settings attribute that enables it, module, its environment variable)
ADAPTERS = {
    "telegram": ("telegram_bot_token", "adapters.telegram", "TELEGRAM_BOT_TOKEN"),
    "discord": ("discord_bot_token", "adapters.discord", "DISCORD_BOT_TOKEN"),
}

ABOUT = """\
editbot: people edit photos with Google's Gemini image models from Telegram and Discord,
within a daily quota; the operator can also edit image files from this shell.

Settings come from the environment or from a .env file in the working directory
(.env.example explains every one; docs/CONFIGURATION.md says how to get the tokens)."""

EXAMPLES = """\
examples:
  python -m bot                  start every platform whose token is set (same as "run");
                                 with no token, the local chat on http://127.0.0.1:8090;
                                 SIGTERM or Ctrl-C stops it, unfinished edits resume next start;
                                 /healthz, /readyz and /metrics are served on LISTEN_PORT
  python -m bot edit --image photo.jpg --output llama.png "9:16 2K add a llama"
  python -m bot edit --image a.jpg --image b.png --output both.jpg "put them together"
  python -m bot imagine --output moon.png "16:9 a llama on the moon"
  python -m bot stats --json     today and the last 7 days: edits, spend, failures
  python -m bot refund CHARGE_ID refund a Telegram Stars payment, take back unused credits

RATIO and SIZE are optional, in either order, before the prompt (a ratio such as 9:16 at
the end of the prompt is understood too): 1:1 2:3 3:2 3:4 4:3 4:5 5:4 9:16 16:9 21:9 and
1K 2K 4K with the default model. Edits from the shell are recorded in the ledger as
cli:<your user name> and are not held to the daily quota.

exit codes: 0 done, 2 bad input or configuration (the message names the setting),
3 refused by the model, 4 the model failed or could not be reached"""


def parser() -> argparse.ArgumentParser:
    raw = argparse.RawDescriptionHelpFormatter
    main = argparse.ArgumentParser(prog="python -m bot", description=ABOUT, epilog=EXAMPLES,
                                   formatter_class=raw)
    commands = main.add_subparsers(dest="command", title="commands", metavar="COMMAND")
    commands.add_parser("run", help="run the bot on every platform whose token is set "
                        "(the default)", description="Run the bot on every platform whose "
                        "token is set: TELEGRAM_BOT_TOKEN, DISCORD_BOT_TOKEN. With neither, "
                        "serve the local chat (LOCAL_CHAT_PORT, default 8090 on 127.0.0.1), "
                        "on a demo model when GEMINI_API_KEY is unset.")
    edit = commands.add_parser(
        "edit", help="edit image files: [RATIO] [SIZE] PROMPT", formatter_class=raw,
        description="Edit one or more images with a prompt and write the result.",
        epilog='example:\n  python -m bot edit --image photo.jpg --output llama.png '
               '"9:16 2K add a llama"')
    edit.add_argument("--image", action="append", required=True, metavar="IN",
                      help="an input image (JPEG, PNG, WebP...); repeat for more references")
    edit.add_argument("--output", required=True, metavar="OUT",
                      help="where to write the result: a .png, .jpg or .jpeg path")
    edit.add_argument("text", nargs="+", metavar="[RATIO] [SIZE] PROMPT")
    imagine = commands.add_parser(
        "imagine", help="make an image from a prompt: [RATIO] [SIZE] PROMPT",
        formatter_class=raw, description="Make a new image from a prompt and write it.",
        epilog='example:\n  python -m bot imagine --output moon.png "16:9 a llama on the moon"')
    imagine.add_argument("--output", required=True, metavar="OUT",
                         help="where to write the result: a .png, .jpg or .jpeg path")
    imagine.add_argument("text", nargs="+", metavar="[RATIO] [SIZE] PROMPT")
    copy = commands.add_parser(
        "copy-ledger", help="copy the ledger (DATABASE_URL) into a new, empty database",
        formatter_class=raw,
        description="Copy the ledger (limits, jobs, audit, kept results) from DATABASE_URL, "
                    "or --from,\ninto a new, empty database, keeping every id: the move from "
                    "SQLite to PostgreSQL.\nStop the bot first; a target that already holds "
                    "a ledger is refused (exit 2).\nNeeds no token and no Gemini key.",
        epilog="example:\n  python -m bot copy-ledger --to "
               "postgresql://editbot:secret@db.example/editbot")
    copy.add_argument("--to", required=True, metavar="URL", help="postgresql://user:pw@host/db")
    copy.add_argument("--from", dest="source", metavar="URL",
                      help="the ledger to copy (default: DATABASE_URL)")
    stats = commands.add_parser(
        "stats", help="the operators' /stats: edits, spend and failures, today and 7 days",
        formatter_class=raw,
        description="Today and the last 7 days from the ledger: edits by outcome, estimated "
                    "spend (and DAILY_BUDGET_USD), top groups by spend, failure rate, p50/p95 "
                    "time to result.",
        epilog="examples:\n  python -m bot stats\n  python -m bot stats --json")
    stats.add_argument("--json", action="store_true",
                       help="one JSON object instead of text (for scripts)")
    refund = commands.add_parser(
        "refund", help="refund a Telegram Stars payment and take back its unused credits",
        description="Refund a payment in Telegram Stars (refundStarPayment) and take back "
                    "the credits of it not yet used. CHARGE_ID is the payment's "
                    "telegram_payment_charge_id (shown to the buyer in the receipt, and in the "
                    "ledger's purchases table).")
    refund.add_argument("charge_id", metavar="CHARGE_ID")
    return main


def enabled_adapters(settings: Settings) -> list[str]:
    return [name for name, (attr, _, _) in ADAPTERS.items() if getattr(settings, attr)]


def report(error: ConfigError, hint: str = "") -> int:
    """One line per problem (one JSON object each with LOG_FORMAT=json), each naming what to
    fix, all of them at once; exit code 2."""
    problems = error.problems or (error.code,)
    # a problem per setting (the settings' own checks) names its own; otherwise each names all
    named = (error.settings if len(error.settings) == len(problems)
             else (",".join(error.settings),) * len(problems))
    for problem, settings in zip(problems, named, strict=True):
        log.error("cannot start: %s", problem, extra={"settings": settings})
    if hint:
        log.info("%s", hint)
    return EXIT_INPUT


def copy_ledger(args: argparse.Namespace) -> int:
    """``copy-ledger``: needs only the two databases (no tokens, no Gemini key)."""
    from bot.bootstrap import copy_ledger
    from bot.config import DatabaseSettings, url_secrets

    fmt, secrets = early_logging()
    configure_logging(level="INFO", fmt=fmt,
                      secrets=(*secrets, *url_secrets(args.to, args.source or "")))
    try:
        source = args.source or DatabaseSettings().url
    except ValueError as exc:  # a DATABASE_URL that is neither SQLite nor PostgreSQL
        return report(ConfigError.about(f"DATABASE_URL {exc}", "DATABASE_URL"))
    try:
        copied = asyncio.run(copy_ledger(source, args.to))
    except ConfigError as error:
        if error.code == "ledger_not_empty":
            print(f"editbot: the target already has a ledger ({error.params['table']} has "
                  "rows); copy-ledger only fills a new, empty database.", file=sys.stderr)
        else:
            return report(error)
        return EXIT_INPUT
    print("copied: " + ", ".join(f"{name} {count}" for name, count in copied.items()))
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    command = args.command or "run"
    if command == "copy-ledger":
        return copy_ledger(args)
    try:
        settings = load_settings(command=command)
    except ConfigError as error:
        fmt, secrets = early_logging()
        configure_logging(level="INFO", fmt=fmt, secrets=secrets)
        return report(error, "every setting is explained in .env.example")
    # the shell's commands say what they did themselves: their logs only when something is
    # wrong (or at DEBUG), not the bot's INFO lines (an edit's line, the ledger's start)
    shell = command != "run" and settings.log_level != "DEBUG"
    configure_logging(level="WARNING" if shell else settings.log_level,
                      fmt=settings.log_format, secrets=settings.secrets())
    for warning in settings.database_warnings():
        log.warning("%s", warning)
    # the core only once the settings hold: a configuration the bot cannot start with is
    # told without importing it (about a third of a second of CPU)
    from bot.bootstrap import build

    try:
        if command in ("edit", "imagine"):
            cli = importlib.import_module("adapters.cli")
            return int(asyncio.run(cli.run_cli(build(settings), command, args)))
        if command == "stats":
            cli = importlib.import_module("adapters.cli")
            return int(asyncio.run(cli.run_stats(build(settings), as_json=args.json)))
        if command == "refund":
            pay = importlib.import_module("adapters.telegram.payments")
            done = asyncio.run(pay.refund_from_shell(build(settings), args.charge_id))
            return EXIT_OK if done else EXIT_INPUT
        # the HTTP side (adapters/server.py, aiohttp's web server) only for ``run``: the
        # shell's commands serve nothing
        from editbot.serve import Unit, serve

        names = enabled_adapters(settings)
        services: list[LocalChat] = []
        beside: list[Unit] = []
        port = local_chat_port(settings, names)
        if port is not None:  # the Telegram adapter, behind the local chat's Bot API stand-in
            local, chat = open_local_chat(settings, port, beside=bool(names))
            configure_logging(level=settings.log_level, fmt=settings.log_format,
                              secrets=(*settings.secrets(), *local.secrets()))
            if names:  # a core of its own, beside the platforms' (editbot/local.py)
                beside = [Unit(local, [ADAPTERS["telegram"][1]], [chat], "localchat")]
            else:
                settings, names, services = local, ["telegram"], [chat]
        log.debug("starting %s (model %s, database %s)", ", ".join(names),
                  settings.gemini_model, settings.database_url)
        return asyncio.run(serve(settings, [ADAPTERS[name][1] for name in names],
                                 services=services, beside=beside))
    except ConfigError as error:
        return report(error)


if __name__ == "__main__":
    sys.exit(main())
