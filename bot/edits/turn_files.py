"""A turn's images as files beside a SQLite database (``<database>.turns/``), its row keeping
only their names: the row is written once, small, with no image in base64 inside JSON; the
result is the job's kept result under a second name (a hard link: its bytes written once for
both). A follow-up reads them back. On PostgreSQL (replicas on several machines) and an
in-memory database the images stay in the row."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pybase64

from ..domain import GeneratedImage, ImageInput
from ..ledger import drop_older, read_at, share, write_at


def _inline(part: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
    for key in ("inlineData", "inline_data"):
        inline = part.get(key)
        if isinstance(inline, dict):
            return key, inline
    return None


class TurnFiles:
    def __init__(self, folder: Path, kept: Path | None) -> None:
        self.folder = folder
        self.kept = kept  # the kept results' folder

    def user_parts(self, job_id: int, prompt: str, images: Sequence[ImageInput],
                   now: float) -> list[dict[str, Any]]:
        self.folder.mkdir(parents=True, exist_ok=True)
        parts: list[dict[str, Any]] = []
        for n, image in enumerate(images):
            name = f"{job_id}-u{n}"
            write_at(self.folder / name, {"mime_type": image.mime_type}, image.data, now)
            parts.append({"inlineData": {"mimeType": image.mime_type, "file": name}})
        return [*parts, {"text": prompt}]

    def model_parts(self, job_id: int, image: GeneratedImage,
                    now: float) -> list[dict[str, Any]]:
        """The model's parts as received, its result image (the last inline image that is not
        a thought, as the answer was read) named instead of inlined."""
        parts = list(image.parts)
        for n in range(len(parts) - 1, -1, -1):
            part, found = parts[n], _inline(parts[n])
            if part.get("thought") or found is None or not found[1].get("data"):
                continue
            key, inline = found
            if len(inline["data"]) != 4 * ((len(image.data) + 2) // 3):
                break  # not the bytes of the result (then the parts stay as they are)
            name = f"{job_id}-m"
            target = self.folder / name
            if self.kept is None or not share(self.kept, job_id, target, now):
                write_at(target, {"mime_type": image.mime_type}, image.data, now)
            named = {k: v for k, v in inline.items() if k != "data"}
            parts[n] = {**part, key: {**named, "file": name}}
            break
        return parts

    def fill(self, parts: list[dict[str, Any]]) -> list[dict[str, Any]] | None:
        """The parts with their named images read back in base64; None if one is gone."""
        filled = []
        for part in parts:
            found = _inline(part) if isinstance(part, dict) else None
            if found is not None and "file" in found[1]:
                key, inline = found
                read = read_at(self.folder / str(inline["file"]))
                if read is None:
                    return None
                data = pybase64.b64encode(read[1]).decode()
                named = {k: v for k, v in inline.items() if k != "file"}
                part = {**part, key: {**named, "data": data}}
            filled.append(part)
        return filled

    def prune(self, before: float) -> None:
        """Drop the images of turns kept before ``before``."""
        drop_older(self.folder, before)
