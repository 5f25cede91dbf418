"""The operator's door: edit image files from the shell with the same grammar and service."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import json
import logging
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from adapters.stats import stats_text
from bot.bootstrap import Core
from bot.commands import parse_arguments
from bot.domain import (
    Actor,
    CommandKind,
    Delivery,
    EditOutcome,
    EditRequest,
    Progress,
    Scope,
    Stage,
)
from bot.edits import Blob, Order
from bot.errors import EditbotError
from bot.i18n import error_text, text
from bot.images import convert

EXIT_OK, EXIT_INPUT, EXIT_REFUSED, EXIT_UPSTREAM = 0, 2, 3, 4
_STATUS_EXIT = {"invalid": EXIT_INPUT, "rejected": EXIT_INPUT, "refused": EXIT_REFUSED,
                "failed": EXIT_UPSTREAM}
_OUTPUT_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg"}


# upstream errors that mean the operator's settings are wrong: exit 2, naming the setting
_SETTING_ERRORS = {
    "upstream_auth": "GEMINI_API_KEY was refused by the Gemini API: check the key, and "
                     "GEMINI_AUTH / GEMINI_BASE_URL when using a gateway",
    "upstream_model": "GEMINI_MODEL is not a model this Gemini API serves: check its name",
}


def _fail(message: str, code: int = EXIT_INPUT) -> int:
    print(f"editbot: {message}", file=sys.stderr)
    return code


def _unwritable(output: Path) -> str | None:
    """Why the result could not be written to ``output`` (checked before anything is spent),
    or None."""
    if output.is_dir():
        return f"--output {output} is a folder"
    if not output.parent.is_dir():  # made silently, a typo would hide the result somewhere new
        return f"--output {output}: the folder {output.parent} does not exist"
    try:
        with tempfile.NamedTemporaryFile(dir=output.parent):
            pass
        if output.exists():
            with output.open("ab"):
                pass
    except OSError as exc:
        return f"--output {output} cannot be written ({exc.strerror or type(exc).__name__})"
    return None


async def _ticker(started: float, stage: list[str]) -> None:
    while True:
        await asyncio.sleep(5)
        print(f"  … {stage[0]} ({time.monotonic() - started:.0f} s)", file=sys.stderr)


class FilePort:
    """The shell's side of an edit: files in, the result written to ``output``, the stages on
    stderr."""

    early = False

    def __init__(self, output: Path, blobs: list[Blob]) -> None:
        self.output, self.blobs = output, blobs
        self.stage = ["waiting"]
        self.error: EditbotError | None = None

    async def images(self) -> list[Blob]:
        return self.blobs

    async def show(self, progress: Progress) -> None:
        words = text(progress.stage.value, position=progress.position).rstrip("…")
        if words != self.stage[0] and progress.stage is not Stage.DELIVERING:
            print(f"  {words}", file=sys.stderr)  # once per change: the first status is
        self.stage[0] = words  # shown as the edit is accepted, then again as it starts

    def origin(self) -> dict[str, Any]:
        return {"output": str(self.output.resolve())}

    async def ready(self) -> None:
        return None

    async def deliver(self, delivery: Delivery) -> None:
        wanted = _OUTPUT_TYPES[self.output.suffix.lower()]
        data = await asyncio.to_thread(convert, delivery.image.data, wanted)
        self.output.write_bytes(data)

    async def refused(self, error: EditbotError) -> None:
        self.error = error

    async def ended(self, outcome: EditOutcome | None, request: EditRequest | None) -> None:
        return None  # the exit code and stderr say it


class _RetriesAsProgress(logging.Filter):
    """The model's failed attempts, said as progress lines in the shell's words instead of
    log records in the middle of them."""

    def filter(self, record: logging.LogRecord) -> bool:
        attempt = getattr(record, "attempt", None)
        if attempt is None:
            return True
        status = getattr(record, "status", None)
        error = getattr(record, "error", "")
        said = f"{error}, HTTP {status}" if status else str(error)
        print(f"  attempt {attempt} failed ({said}); trying again", file=sys.stderr)
        return False


async def run_cli(core: Core, command: str, args: argparse.Namespace) -> int:
    upstream = logging.getLogger("bot.upstream.gemini")
    retries = _RetriesAsProgress()
    upstream.addFilter(retries)
    try:
        return await _run(core, command, args)
    finally:
        upstream.removeFilter(retries)
        await core.aclose()


async def _run(core: Core, command: str, args: argparse.Namespace) -> int:
    output = Path(args.output)
    if output.suffix.lower() not in _OUTPUT_TYPES:
        return _fail("--output must end in .png, .jpg or .jpeg")
    problem = _unwritable(output)
    if problem is not None:
        return _fail(problem)
    kind: CommandKind = "edit" if command == "edit" else "imagine"
    try:
        parsed = parse_arguments(kind, " ".join(args.text), core.spec)
    except EditbotError as error:
        if error.code == "no_prompt":  # the chat's example (/edit 9:16 ...) is not for a shell
            return _fail(f'say what to do after the options, for example: python -m bot '
                         f'{command} ... "9:16 add a llama"')
        return _fail(error_text(error))
    blobs = []
    for name in getattr(args, "image", None) or []:
        path = Path(name)
        if not path.is_file():
            return _fail(f"{name}: no such file")
        blobs.append(Blob(path.read_bytes()))
    user = getpass.getuser()
    port = FilePort(output, blobs)
    await core.start()  # the ledger's migrations and figures: not part of the edit's time
    started = time.monotonic()
    ticker = asyncio.create_task(_ticker(started, port.stage))
    try:
        outcome = await core.service.edit(Order(
            Actor("cli", user, user), Scope("cli", user, private=True), parsed, started), port)
    finally:
        ticker.cancel()
    if outcome is None:  # the images were unusable
        assert port.error is not None
        return _fail(error_text(port.error))
    if not outcome.ok or outcome.delivery is None:
        assert outcome.error is not None
        if outcome.error.code in _SETTING_ERRORS:
            return _fail(_SETTING_ERRORS[outcome.error.code])
        return _fail(error_text(outcome.error), _STATUS_EXIT[outcome.status])
    image = outcome.delivery.image
    print(f"wrote {output} ({image.width}x{image.height}, "
          f"{time.monotonic() - started:.1f} s)", file=sys.stderr)
    if image.text:
        print(image.text)
    if outcome.delivery.ratio_mismatch is not None:
        print(text("ratio_note"), file=sys.stderr)
    return EXIT_OK



async def run_stats(core: Core, *, as_json: bool) -> int:
    """``python -m bot stats [--json]``: the operators' /stats, from the shell."""
    try:
        await core.start()
        report = await core.stats.report(None)
    finally:
        await core.aclose()
    print(json.dumps(report.to_json(), indent=2) if as_json else stats_text(report))
    return EXIT_OK
