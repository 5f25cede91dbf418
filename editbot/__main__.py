"""``python -m bot [run|edit|imagine]``: parse the command line, build the core, run adapters.

This entry point sits above both the core (``bot/``) and the adapters: it is the one place that
names the platforms, so the core never does.

Exit codes: 0 done, 2 bad input or configuration, 3 refused by the model, 4 upstream failure.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import logging
import signal
import sys
from collections.abc import Sequence
from typing import Any, Protocol

from bot.bootstrap import Core, build
from bot.config import Settings, load_settings
from bot.errors import ConfigError
from bot.logs import configure_logging

log = logging.getLogger("editbot")

EXIT_OK, EXIT_INPUT, EXIT_REFUSED, EXIT_UPSTREAM = 0, 2, 3, 4

# adapter name -> (settings attribute that enables it, module, its environment variable)
ADAPTERS = {
    "telegram": ("telegram_bot_token", "adapters.telegram", "TELEGRAM_BOT_TOKEN"),
    "discord": ("discord_bot_token", "adapters.discord", "DISCORD_BOT_TOKEN"),
}


class Adapter(Protocol):
    name: str

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(prog="python -m bot", description=__doc__.splitlines()[0])
    commands = main.add_subparsers(dest="command")
    commands.add_parser("run", help="run every adapter whose token is set (the default)")
    edit = commands.add_parser("edit", help="edit image files: [RATIO] [SIZE] PROMPT")
    edit.add_argument("--image", action="append", required=True, metavar="IN",
                      help="an input image; repeat for more references")
    edit.add_argument("--output", required=True, metavar="OUT")
    edit.add_argument("text", nargs="+", help="[RATIO] [SIZE] PROMPT")
    imagine = commands.add_parser("imagine", help="generate: [RATIO] [SIZE] PROMPT")
    imagine.add_argument("--output", required=True, metavar="OUT")
    imagine.add_argument("text", nargs="+", help="[RATIO] [SIZE] PROMPT")
    return main


def enabled_adapters(settings: Settings) -> list[str]:
    return [name for name, (attr, _, _) in ADAPTERS.items() if getattr(settings, attr)]


async def run_adapters(core: Core, names: Sequence[str]) -> int:
    """Start the adapters in this event loop; on SIGTERM/SIGINT stop them and exit 0."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await core.start()
    adapters: list[Any] = []
    for name in names:
        module = importlib.import_module(ADAPTERS[name][1])
        adapters.append(module.create(core))
    try:
        for adapter in adapters:
            await adapter.start()
            log.info("%s adapter started", adapter.name)
        await stop.wait()
        log.info("stopping")
    finally:
        for adapter in reversed(adapters):
            try:
                await adapter.stop()
            except Exception:
                log.exception("%s adapter did not stop cleanly", adapter.name)
        await core.aclose()
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    command = args.command or "run"
    try:
        settings = load_settings()
    except ConfigError as error:
        print("editbot: configuration problem:", file=sys.stderr)
        for problem in error.params["problems"]:
            print(f"  - {problem}", file=sys.stderr)
        print("See .env.example for every setting.", file=sys.stderr)
        return EXIT_INPUT
    configure_logging(level=settings.log_level, fmt=settings.log_format,
                      secrets=settings.secrets())
    if command in ("edit", "imagine"):
        cli = importlib.import_module("adapters.cli")
        return int(asyncio.run(cli.run_cli(build(settings), command, args)))
    names = enabled_adapters(settings)
    if not names:
        print("editbot: no adapter to run: set TELEGRAM_BOT_TOKEN and/or DISCORD_BOT_TOKEN "
              "(see README.md).", file=sys.stderr)
        return EXIT_INPUT
    log.info("starting adapters: %s (model %s)", ", ".join(names), settings.gemini_model)
    return asyncio.run(run_adapters(build(settings), names))


if __name__ == "__main__":
    sys.exit(main())
