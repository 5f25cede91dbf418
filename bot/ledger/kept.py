"""Kept results as files beside a SQLite database (``<database>.results/<job id>``): a line of
JSON (type, size, text), then the image's bytes. A file is written under a temporary name and
renamed, so a process killed while writing leaves no half result to deliver. Its modification
time is the ledger's clock when it was kept: the heartbeat drops it after ``RESULT_TTL``.

A conversation's turn keeps its images the same way (``<database>.turns/``): its result is the
kept result under a second name (``share``), written once.

Like the database (WAL, synchronous=NORMAL), a file outlives the process that wrote it, not the
machine's sudden loss of power."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from ..domain import GeneratedImage


def path(folder: Path, job_id: int) -> Path:
    return folder / str(job_id)


def write(folder: Path, job_id: int, image: GeneratedImage, now: float) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    write_at(path(folder, job_id), {"mime_type": image.mime_type, "width": image.width,
                                    "height": image.height, "text": image.text},
             image.data, now)


def read(folder: Path, job_id: int) -> GeneratedImage | None:
    found = read_at(path(folder, job_id))
    if found is None:
        return None
    meta, data = found
    return GeneratedImage(data=data, mime_type=meta["mime_type"], width=meta["width"],
                          height=meta["height"], text=meta["text"])


def write_at(final: Path, head: dict[str, Any], data: bytes, now: float) -> None:
    """A file of ``head`` (a line of JSON) and ``data``, whole or not at all, dated ``now``."""
    part = final.with_name(final.name + ".part")
    with part.open("wb") as out:
        out.write(json.dumps(head).encode() + b"\n")
        out.write(data)
    os.utime(part, (now, now))
    os.replace(part, final)


def read_at(file: Path) -> tuple[dict[str, Any], bytes] | None:
    try:
        raw = file.read_bytes()
    except FileNotFoundError:
        return None
    head, _, data = raw.partition(b"\n")
    return json.loads(head), data


def share(folder: Path, job_id: int, other: Path, now: float) -> bool:
    """Give a job's kept result a second name (a hard link: nothing copied), dated ``now``;
    False if it is not kept or cannot be linked."""
    try:
        other.unlink(missing_ok=True)
        os.link(path(folder, job_id), other)
        os.utime(other, (now, now))
    except OSError:
        return False
    return True


def drop(folder: Path, job_id: int) -> None:
    try:
        path(folder, job_id).unlink(missing_ok=True)
    except OSError:
        pass  # the heartbeat drops it after RESULT_TTL


def drop_older(folder: Path, before: float) -> int:
    """Drop the kept results (and the halves of a process killed while writing) kept before
    ``before``; returns how many."""
    dropped = 0
    try:
        entries = list(os.scandir(folder))
    except FileNotFoundError:
        return 0
    for entry in entries:
        try:
            if entry.stat().st_mtime < before:
                os.unlink(entry.path)
                dropped += 1
        except OSError:
            continue
    return dropped


def all_kept(folder: Path) -> list[tuple[int, GeneratedImage, float]]:
    """Every kept result: its job, the image, when it was kept (for copying a ledger)."""
    found = []
    for entry in sorted(folder.glob("[0-9]*")) if folder.exists() else ():
        if not entry.name.isdigit():
            continue
        image = read(folder, int(entry.name))
        if image is not None:
            found.append((int(entry.name), image, entry.stat().st_mtime))
    return found
