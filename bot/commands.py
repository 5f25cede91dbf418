"""The command grammar, identical on every platform:

    /edit [RATIO] [SIZE] PROMPT        RATIO and SIZE in either order, both optional
    /imagine [RATIO] [SIZE] PROMPT

A leading word shaped like a ratio (``7:5``) or a size (``8K``) that the model does not accept is
an error listing the valid values; the prompt is required.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from .domain import CommandKind, EditCommand
from .errors import CommandError
from .models import ModelSpec

MAX_PROMPT_CHARS = 4000
MAX_LIMIT = 9_999_999  # credits a day a moderator may set
COMMANDS: tuple[CommandKind, ...] = ("edit", "imagine")

_RATIO_SHAPE = re.compile(r"^\d{1,3}:\d{1,3}$")
_SIZE_SHAPE = re.compile(r"^\d{1,4}[kK]$")
_COMMAND = re.compile(r"^/(?P<name>[A-Za-z0-9_]+)(?:@(?P<bot>[A-Za-z0-9_]+))?(?=\s|$)")


# Characters that show nothing yet are not whitespace: Hangul fillers, the braille blank, and
# the combining grapheme joiner and variation selectors (besides every format character, Cf:
# zero-width spaces and joiners, the BOM, bidi marks, soft hyphen, ...).
_INVISIBLE = frozenset("\u115f\u1160\u3164\uffa0\u2800\u034f\u17b4\u17b5"
                       + "".join(chr(c) for c in range(0xFE00, 0xFE10)))


def visible(text: str) -> str:
    """``text`` without its invisible characters (for deciding whether anything was said)."""
    return "".join(c for c in text if c not in _INVISIBLE and unicodedata.category(c) != "Cf")


def is_blank(text: str) -> bool:
    """Nothing but whitespace and invisible characters: a prompt that says nothing."""
    return not visible(text).strip()


@dataclass(frozen=True, slots=True)
class CommandText:
    name: str
    bot: str | None
    args: str


def split_command(text: str) -> CommandText | None:
    """``/edit@SomeBot 9:16 x`` -> (edit, SomeBot, "9:16 x"); None when text is no command."""
    match = _COMMAND.match(text.strip())
    if not match:
        return None
    rest = text.strip()[match.end():].strip()
    return CommandText(match["name"].lower(), match["bot"], rest)


def _size_token(word: str, spec: ModelSpec) -> str | None:
    """The canonical size when ``word`` is one the model takes, else None."""
    upper = word.upper()
    return upper if upper in spec.image_sizes else None


def parse_arguments(kind: CommandKind, args: str, spec: ModelSpec) -> EditCommand:
    """Parse what follows the command word. Raises CommandError saying what is wrong."""
    words = args.split()
    ratio: str | None = None
    size: str | None = None
    consumed = 0
    for word in words[:2]:
        if _RATIO_SHAPE.match(word):
            if ratio is not None:
                raise CommandError("two_ratios", valid=spec.aspect_ratios)
            ratio = check_ratio(word, spec)
        elif _size_token(word, spec) or _SIZE_SHAPE.match(word):
            if size is not None:
                raise CommandError("two_sizes", valid=spec.image_sizes)
            size = check_size(word, spec)
        else:
            break
        consumed += 1
    prompt = " ".join(words[consumed:])
    return build_command(kind, prompt, ratio, size, spec)


def check_ratio(value: str, spec: ModelSpec) -> str:
    if value not in spec.aspect_ratios:
        raise CommandError("unknown_ratio", value=value, valid=spec.aspect_ratios)
    return value


def check_size(value: str, spec: ModelSpec) -> str:
    if not spec.takes_size:
        raise CommandError("size_not_supported", value=value)
    canonical = _size_token(value, spec)
    if canonical is None:
        raise CommandError("unknown_size", value=value, valid=spec.image_sizes)
    return canonical


def build_command(
    kind: CommandKind, prompt: str, ratio: str | None, size: str | None, spec: ModelSpec
) -> EditCommand:
    """Validate options given separately (Discord's slash options) exactly like typed ones."""
    if ratio is not None:
        ratio = check_ratio(ratio, spec)
    if size is not None:
        size = check_size(size, spec)
    prompt = " ".join(prompt.split())
    if is_blank(prompt):
        raise CommandError("no_prompt", kind=kind)
    if len(prompt) > MAX_PROMPT_CHARS:
        raise CommandError("prompt_too_long", limit=MAX_PROMPT_CHARS)
    return EditCommand(kind=kind, prompt=prompt, aspect_ratio=ratio, image_size=size)


def parse_limit(word: str) -> int | None:
    """A moderator's daily limit: ASCII digits for a number of credits (0 blocks), or a word
    for a reset (None). Anything else raises CommandError("bad_limit")."""
    word = word.strip().lower()
    if word in ("reset", "off", "none"):
        return None
    if word.isascii() and word.isdigit() and int(word) <= MAX_LIMIT:
        return int(word)
    raise CommandError("bad_limit", limit=MAX_LIMIT)
