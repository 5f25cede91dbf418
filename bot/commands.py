"""The command grammar, identical on every platform:

    /edit [RATIO] [SIZE] PROMPT [RATIO]    RATIO and SIZE in either order, all optional
    /imagine [RATIO] [SIZE] PROMPT [RATIO]

Typed options are read generously, at no cost to the user:

- a leading ratio may be written ``9:16``, ``9/16``, ``9x16``, ``9 : 16`` or in pixels
  (``1080x1920``); a ratio may also end the prompt (``add a llama 9:16``);
- a leading size may be ``4k``, ``2048`` (``2048px``), ``1080p``, ``uhd``...

What is clear is understood. What only looks like an option (``hd``, a trailing ``9/16``, a
ratio close to a valid one) raises ``did_you_mean`` with the suggestion: the adapter asks, and
parses again with ``guess="accept"`` or ``guess="literal"`` (the words stay in the prompt).
A ``W:H`` ratio or ``8K`` size the model does not take is an error listing the valid values.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from math import gcd
from typing import Literal

from .domain import CommandKind, EditCommand
from .errors import CommandError
from .models import ModelSpec

MAX_PROMPT_CHARS = 4000
MAX_LIMIT = 9_999_999  # credits a day a moderator may set
COMMANDS: tuple[CommandKind, ...] = ("edit", "imagine")
Guess = Literal["ask", "accept", "literal"]

_SIZE_SHAPE = re.compile(r"^\d{1,4}[kK]$")
_COMMAND = re.compile(r"^/(?P<name>[A-Za-z0-9_]+)(?:@(?P<bot>[A-Za-z0-9_]+))?(?=\s|$)")
_LEAD_RATIO = re.compile(r"^(\d{1,4})(?:(:|/)|\s+(:|/)\s*|\s*([xX×]))(\d{1,4})(?=\s|$)")
_TRAIL_RATIO = re.compile(r"\s(\d{1,4})\s*([:/xX×])\s*(\d{1,4})[.!]?$")
_PIXELS = re.compile(r"^(\d{3,4})(px)?$", re.IGNORECASE)
# names people give sizes: understood, or (None) only suggested
_SIZE_WORDS: dict[str, tuple[str, bool]] = {
    "uhd": ("4K", True), "2160p": ("4K", True), "qhd": ("2K", True), "1440p": ("2K", True),
    "fhd": ("2K", True), "1080p": ("2K", True), "hd": ("2K", False), "720p": ("1K", False),
}
_NEAR = 0.04  # a ratio this close (relatively) to a valid one is suggested


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


def split_fresh(args: str) -> tuple[bool, str]:
    """``new add a hat`` -> (True, "add a hat"): in a reply to a result, start afresh."""
    first, _, rest = args.strip().partition(" ")
    if first.lower() in ("new", "/new") and rest.strip():
        return True, rest.strip()
    return False, args


def _size_token(word: str, spec: ModelSpec) -> str | None:
    """The canonical size when ``word`` is one the model takes, else None."""
    upper = word.upper()
    return upper if upper in spec.image_sizes else None


def _closest(value: float, spec: ModelSpec) -> tuple[str, float]:
    def distance(ratio: str) -> float:
        w, h = (int(x) for x in ratio.split(":"))
        return abs(w / h - value) / value

    best = min(spec.aspect_ratios, key=distance)
    return best, distance(best)


def read_ratio(w: int, sep: str, h: int, spec: ModelSpec, *, lead: bool) -> tuple[str, bool]:
    """(ratio, clear) for a ratio-shaped token; CommandError when it is none the model takes."""
    token = f"{w}{sep}{h}"
    if w <= 0 or h <= 0:
        raise CommandError("unknown_ratio", value=token, valid=spec.aspect_ratios)
    if max(w, h) > 64:  # pixels, e.g. 1080x1920
        g = gcd(w, h)
        w, h = w // g, h // g
    ratio = f"{w}:{h}"
    if ratio in spec.aspect_ratios:
        return ratio, sep == ":" or lead
    best, distance = _closest(w / h, spec)
    if distance <= _NEAR and (sep != ":" or not lead):
        return best, False
    raise CommandError("unknown_ratio", value=token, valid=spec.aspect_ratios)


def read_size(word: str, spec: ModelSpec) -> tuple[str, bool] | None:
    """(size, clear) when ``word`` names a size; None when it is an ordinary word."""
    lower = word.lower()
    if _SIZE_SHAPE.match(word):
        return check_size(word, spec), True
    if not spec.takes_size:
        return None
    if lower in _SIZE_WORDS:
        size, clear = _SIZE_WORDS[lower]
        return (size, clear) if size in spec.image_sizes else None
    pixels = _PIXELS.match(word)
    if pixels:
        n = int(pixels.group(1))
        exact = {512: "512", 1024: "1K", 2048: "2K", 4096: "4K"}.get(n)
        if exact in spec.image_sizes:
            return exact, True
        if pixels.group(2):  # "3000px": clearly a size, not clearly which
            sides = {"512": 512, "1K": 1024, "2K": 2048, "4K": 4096}
            best = min(spec.image_sizes, key=lambda s: abs(sides[s] - n))
            return best, False
    return None


def parse_arguments(kind: CommandKind, args: str, spec: ModelSpec, *,
                    guess: Guess = "ask") -> EditCommand:
    """Parse what follows the command word. Raises CommandError saying what is wrong, or
    ``did_you_mean`` (with ``guess="ask"``) when an option is only likely."""
    rest = args.strip()
    ratio: str | None = None
    size: str | None = None
    unclear: tuple[str, str] | None = None  # (suggestion, token)

    def take(value: str, clear: bool, token: str) -> bool:
        nonlocal unclear
        if clear or guess == "accept":
            return True
        if guess == "ask" and unclear is None:
            unclear = (value, token)
        return False

    for _ in range(2):
        match = _LEAD_RATIO.match(rest)
        first = rest.split(maxsplit=1)[0] if rest else ""
        found = read_size(first, spec) if first and not match else None
        if match:
            w, h = int(match.group(1)), int(match.group(5))
            sep = match.group(2) or match.group(3) or match.group(4)
            value, clear = read_ratio(w, sep, h, spec, lead=True)
            if not take(value, clear, match.group(0)):
                break
            if ratio is not None:
                raise CommandError("two_ratios", valid=spec.aspect_ratios)
            ratio, rest = value, rest[match.end():].strip()
        elif found is not None:
            if not take(*found, first):
                break
            if size is not None:
                raise CommandError("two_sizes", valid=spec.image_sizes)
            size, rest = found[0], rest[len(first):].strip()
        else:
            break
    trail = _TRAIL_RATIO.search(rest)
    if trail and ratio is None and unclear is None:
        w, h = int(trail.group(1)), int(trail.group(3))
        try:
            value, clear = read_ratio(w, trail.group(2), h, spec, lead=False)
        except CommandError:
            value, clear = "", False  # an ordinary number pair: part of the prompt
        if value and take(value, clear, trail.group(0).strip()):
            ratio, rest = value, rest[:trail.start()].strip()
    if unclear is not None:
        raise CommandError("did_you_mean", value=unclear[0], token=unclear[1])
    return build_command(kind, rest, ratio, size, spec)


def check_ratio(value: str, spec: ModelSpec) -> str:
    if value in spec.aspect_ratios:
        return value
    match = _LEAD_RATIO.match(value.strip())
    if match and match.end() == len(value.strip()):  # a form field: "9/16" means 9:16
        sep = match.group(2) or match.group(3) or match.group(4)
        found, clear = read_ratio(int(match.group(1)), sep, int(match.group(5)), spec,
                                  lead=True)
        if clear:
            return found
    raise CommandError("unknown_ratio", value=value, valid=spec.aspect_ratios)


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
        found = read_size(size.strip(), spec) if spec.takes_size else None
        size = found[0] if found is not None and found[1] else check_size(size, spec)
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
