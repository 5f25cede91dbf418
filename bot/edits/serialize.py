"""A request as the JSON kept with its job (``jobs.request``), and back: what an adapter needs to
finish or repeat it after a restart."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..domain import Actor, EditCommand, EditRequest, ImageInput, Scope


def request_to_json(request: EditRequest) -> dict[str, Any]:
    command = request.command
    return {
        "command": {"kind": command.kind, "prompt": command.prompt,
                    "aspect_ratio": command.aspect_ratio, "image_size": command.image_size},
        "actor": {"platform": request.actor.platform, "user_id": request.actor.user_id,
                  "name": request.actor.name, "language": request.actor.language},
        "scope": {"platform": request.scope.platform, "scope_id": request.scope.scope_id,
                  "private": request.scope.private},
        "origin": request.origin,
        "parent": request.parent,
    }


def request_from_json(data: dict[str, Any], images: Sequence[ImageInput] = ()) -> EditRequest:
    return EditRequest(
        actor=Actor(**data["actor"]), scope=Scope(**data["scope"]),
        command=EditCommand(**data["command"]), images=tuple(images),
        origin=dict(data.get("origin") or {}), parent=data.get("parent"),
    )
