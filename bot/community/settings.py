"""A community's settings, set by its moderators: the sizes allowed, /imagine on or off, the
safety level, blocked words, results as spoilers, slow mode and the log channel.

Who may change them is ``Moderation``'s rule for limits (groups only; moderators and operators),
and every change is audited. The rules themselves (``Rules``) are platform-free and pure: the
edit flow's admission asks them before anything is spent (bot/edits/admission.py), so a refusal
costs nothing on every platform alike.

Settings are read at most once per request: each process keeps them for ``FRESH_S`` and reads
them again after that (one row by its key), so a change made on one replica holds on every
other within a second; a change made here is seen here at once.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from ..domain import Actor, EditCommand, Scope
from ..errors import CommandError
from ..ledger import CommunityRows, QuotaLedger
from ..models import ModelSpec
from .moderation import Moderation

SAFETY_LEVELS = ("strict", "standard", "relaxed")
# Gemini's thresholds per level; "standard" sends none: the model's own defaults, as before
THRESHOLDS = {"strict": "BLOCK_LOW_AND_ABOVE", "relaxed": "BLOCK_ONLY_HIGH"}
HARM_CATEGORIES = ("HARM_CATEGORY_HARASSMENT", "HARM_CATEGORY_HATE_SPEECH",
                   "HARM_CATEGORY_SEXUALLY_EXPLICIT", "HARM_CATEGORY_DANGEROUS_CONTENT")
SLOW_STEPS = (0, 10, 30, 60, 300)  # what the panel's button cycles through
MAX_SLOW_S = 3600
MAX_WORDS = 100
MAX_WORD_CHARS = 40
FRESH_S = 0.5  # how long a process trusts what it read: a change elsewhere holds within 1 s


@dataclass(frozen=True, slots=True)
class Rules:
    """One community's settings; the defaults are the bot's behaviour where none were set."""

    sizes_off: frozenset[str] = frozenset()
    imagine: bool = True
    safety: str = "standard"
    words: tuple[str, ...] = ()
    spoiler: bool = False
    slow_s: int = 0
    log: str = ""  # the platform's id of the chat or channel the log goes to
    log_language: str = "en"

    @classmethod
    def of(cls, data: dict[str, Any]) -> Rules:
        return cls(sizes_off=frozenset(data.get("sizes_off", ())),
                   imagine=bool(data.get("imagine", True)),
                   safety=str(data.get("safety", "standard")),
                   words=tuple(data.get("words", ())), spoiler=bool(data.get("spoiler")),
                   slow_s=int(data.get("slow_s", 0)), log=str(data.get("log", "")),
                   log_language=str(data.get("log_language", "en")))

    def data(self) -> dict[str, Any]:
        return {"sizes_off": sorted(self.sizes_off), "imagine": self.imagine,
                "safety": self.safety, "words": list(self.words), "spoiler": self.spoiler,
                "slow_s": self.slow_s, "log": self.log, "log_language": self.log_language}

    def allowed_sizes(self, spec: ModelSpec) -> tuple[str, ...]:
        return tuple(size for size in spec.image_sizes if size not in self.sizes_off)

    def check(self, command: EditCommand, spec: ModelSpec) -> None:
        """Whether the community lets this command through; CommandError, free, when not.
        A blocked word's refusal does not name the word (the group would read it)."""
        if command.kind == "imagine" and not self.imagine:
            raise CommandError("imagine_off")
        if spec.takes_size:
            size = command.image_size or default_size(spec)
            if size in self.sizes_off:
                raise CommandError("size_off", value=size,
                                   valid=self.allowed_sizes(spec))
        if self.words and blocked(command.prompt, self.words):
            raise CommandError("word_blocked")

    def safety_settings(self) -> list[dict[str, str]] | None:
        """Gemini's ``safetySettings`` for this level; None: send none (the model's defaults)."""
        threshold = THRESHOLDS.get(self.safety)
        if threshold is None:
            return None
        return [{"category": category, "threshold": threshold} for category in HARM_CATEGORIES]


def default_size(spec: ModelSpec) -> str:
    """The size made when none is asked for: 1K where the model knows it."""
    return "1K" if "1K" in spec.image_sizes else spec.image_sizes[0]


def _norm(word: str) -> str:
    return " ".join(word.casefold().split())


def blocked(prompt: str, words: tuple[str, ...]) -> bool:
    """Whether ``prompt`` holds one of ``words`` as a whole word or phrase, any case."""
    folded = " ".join(prompt.casefold().split())
    return any(re.search(rf"(?<!\w){re.escape(word)}(?!\w)", folded) for word in words)


def split_words(raw: str) -> list[str]:
    """``cat, big dog`` -> ["cat", "big dog"]: commas or new lines part words and phrases."""
    return [w for w in (_norm(part) for part in re.split(r"[,\n;]", raw)) if w]


Edit = Callable[[Rules], tuple[Rules, str]]
"""A change: the rules before -> after, and what the audit notes."""


def toggle_size(size: str, spec: ModelSpec) -> Edit:
    def edit(rules: Rules) -> tuple[Rules, str]:
        if size not in spec.image_sizes:
            raise CommandError("unknown_size", value=size, valid=spec.image_sizes)
        off = rules.sizes_off ^ {size}
        if not any(s not in off for s in spec.image_sizes):
            raise CommandError("size_last")
        return replace(rules, sizes_off=frozenset(off)), f"{size} {'off' if size in off else 'on'}"
    return edit


def allow_sizes(sizes: list[str], spec: ModelSpec) -> Edit:
    """Exactly these sizes allowed (a menu's picks)."""
    def edit(rules: Rules) -> tuple[Rules, str]:
        allowed = [s for s in spec.image_sizes if s in sizes]
        if not allowed:
            raise CommandError("size_last")
        off = frozenset(spec.image_sizes) - set(allowed)
        return replace(rules, sizes_off=off), "sizes " + " ".join(allowed)
    return edit


def safety(level: str) -> Edit:
    def edit(rules: Rules) -> tuple[Rules, str]:
        if level not in SAFETY_LEVELS:
            raise CommandError("unknown_safety", valid=SAFETY_LEVELS)
        return replace(rules, safety=level), f"safety {level}"
    return edit


def toggle(name: str) -> Edit:
    """Turn ``imagine`` or ``spoiler`` the other way."""
    def edit(rules: Rules) -> tuple[Rules, str]:
        value = not getattr(rules, name)
        changed = (replace(rules, imagine=value) if name == "imagine"
                   else replace(rules, spoiler=value))
        return changed, f"{name} {'on' if value else 'off'}"
    return edit


def next_safety(rules: Rules) -> tuple[Rules, str]:
    level = SAFETY_LEVELS[(SAFETY_LEVELS.index(rules.safety) + 1) % len(SAFETY_LEVELS)
                          if rules.safety in SAFETY_LEVELS else 1]
    return replace(rules, safety=level), f"safety {level}"


def slow(seconds: int | None) -> Edit:
    """Set slow mode to ``seconds``; None: the next of the panel's steps."""
    def edit(rules: Rules) -> tuple[Rules, str]:
        value = seconds
        if value is None:
            later = [s for s in SLOW_STEPS if s > rules.slow_s]
            value = later[0] if later else 0
        if not 0 <= value <= MAX_SLOW_S:
            raise CommandError("slow_bad", limit=MAX_SLOW_S)
        return replace(rules, slow_s=value), f"slow {value}s"
    return edit


def block(words: list[str]) -> Edit:
    def edit(rules: Rules) -> tuple[Rules, str]:
        if not words or any(len(w) > MAX_WORD_CHARS for w in words):
            raise CommandError("words_bad", limit=MAX_WORD_CHARS)
        merged = tuple(dict.fromkeys((*rules.words, *words)))
        if len(merged) > MAX_WORDS:
            raise CommandError("words_too_many", limit=MAX_WORDS)
        return replace(rules, words=merged), f"blocked {len(words)} word(s)"
    return edit


def unblock(words: list[str]) -> Edit:
    def edit(rules: Rules) -> tuple[Rules, str]:
        kept = tuple(w for w in rules.words if w not in words)
        return replace(rules, words=kept), f"unblocked {len(rules.words) - len(kept)} word(s)"
    return edit


def log_to(channel: str, language: str) -> Edit:
    """The log goes to ``channel`` (the platform's id; "" stops it), in ``language``."""
    def edit(rules: Rules) -> tuple[Rules, str]:
        return (replace(rules, log=channel, log_language=language),
                f"log {channel}" if channel else "log off")
    return edit


@dataclass(slots=True)
class _Read:
    rules: Rules
    until: float
    version: int


@dataclass(slots=True)
class _Recent:
    """When each member of each community last made a request seen by this process (slow
    mode's first, free check; the ledger's jobs are the shared one)."""

    at: dict[tuple[str, str], float] = field(default_factory=dict)


class CommunitySettings:
    def __init__(self, *, ledger: QuotaLedger, moderation: Moderation, spec: ModelSpec,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.rows = CommunityRows(ledger)
        self.moderation = moderation
        self.spec = spec
        self._clock = clock
        self._read: dict[str, _Read] = {}
        self._reading: dict[str, asyncio.Future[Rules]] = {}
        self._recent = _Recent()

    async def rules(self, scope: Scope) -> Rules:
        """The community's rules, read at most once per ``FRESH_S``; a private chat's are the
        defaults (there is no one to set them)."""
        if scope.private:
            return Rules()
        known = self._read.get(scope.key)
        if known is not None and known.until > self._clock():
            return known.rules
        reading = self._reading.get(scope.key)
        if reading is None:  # one read however many requests arrive together
            reading = asyncio.ensure_future(self._fetch(scope.key))
            self._reading[scope.key] = reading
            reading.add_done_callback(lambda _: self._reading.pop(scope.key, None))
        return await asyncio.shield(reading)

    async def _fetch(self, key: str) -> Rules:
        started = self._clock()
        data, version = await self.rows.read(key)
        known = self._read.get(key)
        if known is not None and known.version > version:  # changed here meanwhile
            return known.rules
        rules = Rules.of(data)
        self._read[key] = _Read(rules, started + FRESH_S, version)
        return rules

    def last(self, scope: Scope) -> Rules:
        """What was last read for ``scope`` however old (the defaults when nothing was)."""
        known = self._read.get(scope.key)
        return known.rules if known is not None else Rules()

    async def check(self, actor: Actor, scope: Scope, command: EditCommand, rules: Rules, *,
                    slowed: bool = True) -> None:
        """The community's rules for one request, free when they refuse (CommandError);
        ``slowed``: whether slow mode applies (not to operators, nor to a request's further
        takes). A request let through starts the member's slow mode."""
        rules.check(command, self.spec)
        if rules.slow_s and slowed:
            await self._slow(actor, scope, rules.slow_s)

    async def _slow(self, actor: Actor, scope: Scope, slow_s: int) -> None:
        """Slow mode: first this process's memory (requests racing here, and a member told
        to wait asking again, cost no read); then the jobs every replica records, so that
        neither another replica nor a restart lets a member through early."""
        key, now = (scope.key, actor.key), self._clock()
        before = self._recent.at.get(key)
        if before is not None and now - before < slow_s:
            raise CommandError("slow_mode", seconds=max(1, round(slow_s - (now - before))))
        if len(self._recent.at) > 100_000:
            self._recent.at.clear()
        self._recent.at[key] = now  # taken before the read: a racing request here waits
        try:
            ago = await self.rows.last_request(scope.key, actor.key, slow_s)
        except BaseException:
            self._recent.at.pop(key, None)  # this request was not let through
            raise
        if ago is not None and ago < slow_s:
            self._recent.at[key] = now - ago  # the request recorded elsewhere, remembered
            raise CommandError("slow_mode", seconds=max(1, round(slow_s - ago)))

    def check_allowed(self, actor: Actor, scope: Scope, *, moderator: bool) -> None:
        """Whether ``actor`` may see and change the settings: /setlimit's rule (groups only,
        moderators and operators); raises CommandError("groups_only") or NotAllowed."""
        self.moderation.check_limits(actor, scope, moderator=moderator)

    async def change(self, actor: Actor, scope: Scope, name: str, edit: Edit, *,
                     moderator: bool, by: str | None = None) -> Rules:
        """Change one setting and audit it (``by`` names the author when it is not the actor,
        as for limits); raises as ``check_allowed`` and CommandError for a bad value."""
        self.check_allowed(actor, scope, moderator=moderator)

        def apply(old: dict[str, Any]) -> tuple[dict[str, Any], str]:
            rules, detail = edit(Rules.of(old))
            return rules.data(), detail

        data, version = await self.rows.change(scope.key, name, by or actor.key, apply)
        rules = Rules.of(data)
        self._read[scope.key] = _Read(rules, self._clock() + FRESH_S, version)
        return rules
