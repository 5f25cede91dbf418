"""A Discord REST API and gateway on 127.0.0.1 (aiohttp) for the real discord.py.

REST lives under ``{root}/api/v10`` (point ``discord.http.Route.BASE`` there), the gateway at
``{root}/gateway`` (``DiscordWebSocket.DEFAULT_GATEWAY``): HELLO -> IDENTIFY -> READY and
GUILD_CREATE, heartbeats ACKed, events sent as plain JSON text frames. JSON answers carry
Content-Type exactly ``application/json``; 429s carry a ``Via`` header as Discord's do.
Interaction tokens expire (``token_ttl_s``) like Discord's 15 minutes.

As strict as Discord where a bot can go wrong:
- attachment links are signed like the CDN's (``?ex=<expiry>&is=<issued>&hm=<signature>``, hex
  Unix times) and answer 404 once expired (``cdn_ttl_s``, a day) or tampered with;
- the first response to an interaction must come within 3 seconds (``response_deadline_s``),
  else 404 ``10062 Unknown interaction``; a second one is 400 ``40060`` (already acknowledged);
- the original response exists only after a reply or a deferral (types 4, 5): editing it before
  is 404 ``10008 Unknown Message`` (as after a modal), and a follow-up before is ``10015``;
- uploads above the interaction's ``attachment_size_limit`` (``attachment_limit``) or, in a
  channel, the server's limit (``channel_file_limit``) are 413 ``40005``;
- a message's content is at most 2000 characters: 400 ``50035 Invalid Form Body``;
- synced commands' ``integration_types`` (0 server install, 1 user install) and ``contexts``
  (0 server, 1 the bot's DM, 2 other DMs and group DMs) take only those values (``50035``), and
  a member is offered a command only where both allow it (``slash`` raises ``LookupError``);
- a user install (``install="user"``) reaches where the bot is no member: a server without it
  (``guild_id`` of another server) or a DM between people (``private="dm"``/``"group"``); the
  bot posting there is 403 ``50001 Missing Access``, an interaction only a person installed
  the app for takes 5 follow-ups (the sixth is 400 ``40094``), and where the member lacks
  ``USE_EXTERNAL_APPS`` (``external_apps=False``) Discord shows its answers ephemeral.
``travel(seconds)`` moves the fake's clock forward (links and tokens age without sleeping).

Tests act as members (``slash``, ``context_menu``, ``press``, ``submit_modal``, ``say``) and read
what the bot did (``calls``, ``wait_for``).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import itertools
import json
import os
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiohttp import WSMsgType, web

from .discord_components import components_problem
from .discord_payments import DiscordPayments
from .watch import Watched

MB = 1024 * 1024
CONTENT_LIMIT = 2000
MANAGE_GUILD = 1 << 5
USE_EXTERNAL_APPS = 1 << 50  # on by default in every server
EPHEMERAL = 1 << 6
USER_INSTALL_FOLLOWUPS = 5
# all but Manage Server and Administrator
EVERYONE = ((1 << 40) - 1 | USE_EXTERNAL_APPS) & ~MANAGE_GUILD & ~(1 << 3)


def _json(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    return web.Response(body=json.dumps(data).encode(), status=status, headers={
        "Content-Type": "application/json", **(headers or {})})


def _error(status: int, code: int, message: str, **extra: Any) -> web.Response:
    return _json({"message": message, "code": code, **extra}, status)


def _too_long(field: str) -> web.Response:
    errors: dict[str, Any] = {"_errors": [{"code": "BASE_TYPE_MAX_LENGTH", "message":
                                           f"Must be {CONTENT_LIMIT} or fewer in length."}]}
    for name in reversed(field.split(".")):
        errors = {name: errors}
    return _error(400, 50035, "Invalid Form Body", errors=errors)


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _bad_commands(commands: Any) -> web.Response | None:
    """Discord's check of the install types and contexts a command declares."""
    for index, command in enumerate(commands if isinstance(commands, list) else []):
        for name, allowed in (("integration_types", {0, 1}), ("contexts", {0, 1, 2})):
            values = command.get(name)
            if values is None:
                continue
            if not isinstance(values, list) or any(
                    not isinstance(v, int) or v not in allowed for v in values):
                return _error(400, 50035, "Invalid Form Body", errors={str(index): {name: {
                    "_errors": [{"code": "BASE_TYPE_CHOICES",
                                 "message": f"Value must be one of {sorted(allowed)}."}]}}})
    return None


@dataclass
class Call:
    method: str
    path: str
    body: dict[str, Any]
    files: dict[str, bytes] = field(default_factory=dict)
    at: float = field(default_factory=time.monotonic)
    result: Any = None

    @property
    def content(self) -> str:
        return str(self.body.get("content") or "")


class FakeDiscord(DiscordPayments, Watched):
    def __init__(self, token: str = "MTAfake.discord-token.for-tests") -> None:
        super().__init__()
        self.token = token
        self.app_id = "4242"
        self.me = {"id": self.app_id, "username": "editbot", "discriminator": "0",
                   "global_name": None, "avatar": None, "bot": True}
        self.guild_id = "7000"
        self.channel = {"id": "7100", "type": 0, "guild_id": self.guild_id, "name": "general",
                        "position": 0, "permission_overwrites": [], "nsfw": False}
        self.calls: list[Call] = []
        self.commands: dict[str, list[dict[str, Any]]] = {}
        self.messages: dict[str, dict[str, Any]] = {}
        self.attachments: dict[str, bytes] = {}
        self.tokens: dict[str, float] = {}
        self.token_ttl_s = 15 * 60.0
        self.response_deadline_s = 3.0
        self.acknowledged: dict[str, int] = {}  # interaction token -> callback type
        self.upload_limits: dict[str, int] = {}  # interaction token -> attachment_size_limit
        self.attachment_limit = 10 * MB
        self.channel_file_limit = 10 * MB
        self.cdn_ttl_s = 24 * 3600.0
        self.skew_s = 0.0
        self.cdn_delay_s = 0.0  # a slow CDN: each attachment download waits this long
        self._signing_key = os.urandom(16)
        self.faults: dict[str, deque[tuple[int, float]]] = defaultdict(deque)
        self.identified = 0
        self.shards = 1  # what GET /gateway/bot recommends
        self.identifies: list[list[int] | None] = []  # each IDENTIFY's ``shard`` ([id, count])
        self.channels = {self.guild_id: self.channel}  # each server's one text channel
        self._shard_of: dict[web.WebSocketResponse, list[int] | None] = {}
        self._ids = itertools.count(100_000)
        self._seq = itertools.count(1)
        self._sockets: list[web.WebSocketResponse] = []
        self.foreign_channels: set[str] = set()  # where the bot is no member
        self.followups: dict[str, int] = {}  # interaction token -> follow-ups it may still make
        self.hidden: set[str] = set()  # interaction tokens whose answers Discord makes ephemeral
        self.answers_in: dict[str, str] = {}  # interaction token -> its channel
        self.pressed_on: dict[str, str] = {}  # a component's interaction token -> its message
        self._payments_init()

    # -- server -------------------------------------------------------------------------------
    async def start(self) -> str:
        app = web.Application(client_max_size=80 * 1024 * 1024)
        app.router.add_get("/gateway", self._gateway)
        app.router.add_get("/attachments/{channel}/{id}/{name}", self._attachment)
        app.router.add_route("*", "/api/v10/{path:.+}", self._rest)
        return await self._serve(app)

    @property
    def api(self) -> str:
        return f"{self.root}/api/v10"

    @property
    def gateway(self) -> str:
        return f"ws://127.0.0.1:{self.root.rsplit(':', 1)[1]}/gateway"

    async def stop(self) -> None:
        for ws in list(self._sockets):
            await ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    def _seen(self) -> str:
        return ", ".join(f"{c.method} {c.path}" for c in self.calls)

    def travel(self, seconds: float) -> None:
        """Move the fake's clock forward: links and interaction tokens age."""
        self.skew_s += seconds

    def _now(self) -> float:
        return time.monotonic() + self.skew_s

    def _signature(self, path: str, expires: int, issued: int) -> str:
        return hmac.new(self._signing_key, f"{path}:{expires:x}:{issued:x}".encode(),
                        hashlib.sha256).hexdigest()

    def _signed(self, path: str) -> str:
        issued = int(time.time() + self.skew_s)
        expires = int(issued + self.cdn_ttl_s)
        return (f"{self.root}{path}?ex={expires:x}&is={issued:x}"
                f"&hm={self._signature(path, expires, issued)}")

    def fail(self, path_part: str, *, status: int = 429, retry_after: float = 0.5) -> None:
        self.faults[path_part].append((status, retry_after))

    def sent(self, method: str, path_part: str = "") -> list[Call]:
        return [c for c in self.calls if c.method == method and path_part in c.path]

    # -- gateway -------------------------------------------------------------------------------
    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        await ws.send_str(json.dumps({"op": 10, "d": {"heartbeat_interval": 41250}, "s": None,
                                      "t": None}))
        async for message in ws:
            if message.type != WSMsgType.TEXT:
                continue
            payload = json.loads(message.data)
            if payload["op"] == 1:
                await ws.send_str(json.dumps({"op": 11}))
            elif payload["op"] == 2:
                self.identified += 1
                shard = payload["d"].get("shard")
                self.identifies.append(shard)
                self._shard_of[ws] = shard
                self._sockets.append(ws)
                mine = [g for g in self.channels if self._reaches(ws, g)]
                await self._send(ws, "READY", {
                    "v": 10, "user": self.me, "guilds": [{"id": g, "unavailable": True}
                                                         for g in mine],
                    "session_id": f"session{self.identified}", "resume_gateway_url": self.gateway,
                    "application": {"id": self.app_id, "flags": 0}, "private_channels": [],
                    "relationships": [], "presences": [], **({"shard": shard} if shard else {})})
                for guild_id in mine:
                    await self._send(ws, "GUILD_CREATE", self.guild_payload(guild_id))
                await self._notify()
        if ws in self._sockets:
            self._sockets.remove(ws)
        return ws

    def add_guild(self, guild_id: str) -> dict[str, Any]:
        """Another server with the bot in it (before the bot connects); its text channel."""
        channel = {**self.channel, "id": str(next(self._ids)), "guild_id": guild_id}
        self.channels[guild_id] = channel
        return channel

    def _reaches(self, ws: web.WebSocketResponse, guild_id: str | None) -> bool:
        """Like Discord: a server's events go to shard (server_id >> 22) % count, the rest
        (direct messages) to shard 0; an unsharded connection gets everything."""
        shard = self._shard_of.get(ws)
        if not shard:
            return True
        shard_id, count = shard
        return shard_id == ((int(guild_id) >> 22) % count if guild_id else 0)

    async def _send(self, ws: web.WebSocketResponse, event: str, data: dict[str, Any]) -> None:
        await ws.send_str(json.dumps({"op": 0, "s": next(self._seq), "t": event, "d": data}))

    async def dispatch(self, event: str, data: dict[str, Any]) -> None:
        for ws in list(self._sockets):
            if self._reaches(ws, data.get("guild_id")):
                await self._send(ws, event, data)

    def guild_payload(self, guild_id: str | None = None) -> dict[str, Any]:
        guild_id = guild_id or self.guild_id
        return {
            "id": guild_id, "name": "Llama Club", "icon": None, "owner_id": "1",
            "roles": [{"id": guild_id, "name": "@everyone", "permissions": str(EVERYONE),
                       "position": 0, "color": 0, "hoist": False, "managed": False,
                       "mentionable": False, "flags": 0}],
            "channels": [self.channels[guild_id]], "members": [], "member_count": 3, "features": [],
            "emojis": [], "stickers": [], "premium_tier": 0, "unavailable": False,
            "large": False, "threads": [], "stage_instances": [], "guild_scheduled_events": [],
            "voice_states": [], "presences": [], "mfa_level": 0, "verification_level": 0,
            "explicit_content_filter": 0, "default_message_notifications": 0, "nsfw_level": 0,
            "preferred_locale": "en-US", "system_channel_flags": 0, "afk_timeout": 300,
            "joined_at": "2026-01-01T00:00:00+00:00"}

    # -- what members do -----------------------------------------------------------------------
    @staticmethod
    def user(user_id: int, name: str = "ann") -> dict[str, Any]:
        return {"id": str(user_id), "username": name, "discriminator": "0", "global_name": name
                .title(), "avatar": None}

    def member(self, user: dict[str, Any], *, manage_guild: bool = False,
               external_apps: bool = True) -> dict[str, Any]:
        permissions = EVERYONE | (MANAGE_GUILD if manage_guild else 0)
        if not external_apps:  # the server turned "Use External Apps" off
            permissions &= ~USE_EXTERNAL_APPS
        return {"user": user, "roles": [], "joined_at": "2026-01-01T00:00:00+00:00",
                "deaf": False, "mute": False, "flags": 0, "pending": False, "nick": None,
                "avatar": None, "permissions": str(permissions)}

    def attachment(self, data: bytes, name: str = "photo.png",
                   content_type: str | None = "image/png", size: int | None = None
                   ) -> dict[str, Any]:
        attachment_id = str(next(self._ids))
        self.attachments[attachment_id] = data
        url = self._signed(f"/attachments/{self.channel['id']}/{attachment_id}/{name}")
        found: dict[str, Any] = {"id": attachment_id, "filename": name, "size": size or len(data),
                                 "url": url, "proxy_url": url}
        if content_type:
            found["content_type"] = content_type
        return found

    def message(self, author: dict[str, Any], content: str = "", *,
                attachments: list[dict[str, Any]] | None = None,
                reply_to: dict[str, Any] | None = None, mentions_bot: bool = False,
                guild: bool = True) -> dict[str, Any]:
        message: dict[str, Any] = {
            "id": str(next(self._ids)), "channel_id": self.channel["id"] if guild
            else f"9{author['id']}", "type": 19 if reply_to else 0, "content": content,
            "embeds": [], "attachments": attachments or [], "author": author,
            "timestamp": datetime.now(UTC).isoformat(), "edited_timestamp": None,
            "mentions": [self.me] if mentions_bot else [], "mention_roles": [],
            "mention_everyone": False, "pinned": False, "tts": False, "flags": 0,
            "components": []}
        if guild:
            message["guild_id"] = self.guild_id
            message["member"] = {k: v for k, v in self.member(author).items() if k != "user"}
        if reply_to is not None:
            message["message_reference"] = {"message_id": reply_to["id"],
                                            "channel_id": reply_to["channel_id"],
                                            "guild_id": self.guild_id}
            message["referenced_message"] = reply_to
        self.messages[message["id"]] = message
        return message

    async def say(self, author: dict[str, Any], content: str, **kw: Any) -> dict[str, Any]:
        message = self.message(author, content, **kw)
        await self.dispatch("MESSAGE_CREATE", message)
        return message

    def _interaction(self, kind: int, user: dict[str, Any], data: dict[str, Any], *,
                     manage_guild: bool = False, locale: str = "en-US", guild: bool = True,
                     message: dict[str, Any] | None = None, guild_id: str | None = None,
                     install: str = "guild", private: str | None = None,
                     external_apps: bool = True) -> dict[str, Any]:
        """An interaction as Discord sends it. ``install``: who installed the app for it
        ("guild", "user" or "both"); ``guild_id`` may name a server the bot is not in (then
        only a user install reaches it); ``private`` ("dm", "group"): a conversation between
        people, not the bot's DM."""
        interaction_id = str(next(self._ids))
        token = f"itoken-{interaction_id}"
        self.tokens[token] = self._now()
        self.upload_limits[token] = self.attachment_limit
        owners: dict[str, str] = {}
        payload: dict[str, Any] = {
            "id": interaction_id, "application_id": self.app_id, "type": kind, "token": token,
            "version": 1, "data": data, "locale": locale,
            "entitlements": self.unconsumed(user["id"]),
            "authorizing_integration_owners": owners,
            "attachment_size_limit": self.attachment_limit, "app_permissions": str(EVERYONE)}
        if private is not None:  # only a person's own install reaches a DM between people
            assert install == "user", "a server's install is never offered in other DMs"
            channel = {"id": str(next(self._ids)), "type": 1 if private == "dm" else 3,
                       "recipients": [user, self.user(int(user["id"]) + 1, "bob")]}
            self.foreign_channels.add(channel["id"])
            payload.update(channel_id=channel["id"], channel=channel, user=user, context=2)
        elif guild:
            guild_id = guild_id or self.guild_id
            channel = self.channels.get(guild_id) or self._stranger_channel(guild_id)
            member = self.member(user, manage_guild=manage_guild, external_apps=external_apps)
            payload.update(guild_id=guild_id, channel_id=channel["id"],
                           channel=channel, guild_locale="en-US", context=0, member=member)
            if guild_id in self.channels:
                if install != "user":
                    owners["0"] = guild_id
            else:
                assert install == "user", "a server without the bot has no server install"
                payload["guild"] = {"id": guild_id, "locale": "en-US", "features": []}
            if install == "user":  # the app's permissions there are the member's
                payload["app_permissions"] = member["permissions"]
        else:
            channel = {"id": f"9{user['id']}", "type": 1, "recipients": [user]}
            payload.update(channel_id=channel["id"], channel=channel, user=user, context=1)
            if install != "user":
                owners["0"] = "0"  # Discord's value for the bot's DM
        if install != "guild":
            owners["1"] = str(user["id"])
        if "0" not in owners:
            self.followups[token] = USER_INSTALL_FOLLOWUPS
        if install == "user" and not int(payload["app_permissions"]) & USE_EXTERNAL_APPS:
            self.hidden.add(token)
        self.answers_in[token] = channel["id"]
        if message is not None:
            payload["message"] = message
            self.pressed_on[token] = str(message["id"])
        if kind == 2:
            self._offered(data["name"], owners, payload["context"])
        return payload

    def _stranger_channel(self, guild_id: str) -> dict[str, Any]:
        """A text channel of a server the bot is not in, as an interaction carries it."""
        channel = {**self.channel, "id": f"{guild_id}1", "guild_id": guild_id,
                   "permissions": str(EVERYONE)}
        self.foreign_channels.add(channel["id"])
        return channel

    def _offered(self, name: str, owners: dict[str, str], context: int) -> None:
        """Discord offers a command only where its install types and contexts allow."""
        for scope, commands in self.commands.items():
            for command in commands:
                if command["name"] != name:
                    continue
                installs = command.get("integration_types") or [0]
                contexts = command.get("contexts") or ([0] if command.get(
                    "dm_permission") is False else [0, 1, 2])
                if scope == "global" and context not in contexts:
                    raise LookupError(f"Discord offers no {name} in context {context}")
                if not any(int(key) in installs for key in owners):
                    raise LookupError(f"Discord offers no {name} to installs {list(owners)}")
                return

    async def slash(self, user: dict[str, Any], name: str, options: dict[str, Any], *,
                    sub: str | None = None, **kw: Any) -> dict[str, Any]:
        """A member runs /name with options; attachment options take attachment() dicts."""
        resolved: dict[str, Any] = {}
        listed = []
        for key, value in options.items():
            if isinstance(value, dict) and "filename" in value:
                resolved.setdefault("attachments", {})[value["id"]] = value
                listed.append({"name": key, "type": 11, "value": value["id"]})
            elif isinstance(value, dict) and "username" in value:
                resolved.setdefault("users", {})[value["id"]] = value
                resolved.setdefault("members", {})[value["id"]] = {
                    k: v for k, v in self.member(value).items() if k != "user"}
                listed.append({"name": key, "type": 6, "value": value["id"]})
            elif isinstance(value, int):
                listed.append({"name": key, "type": 4, "value": value})
            else:
                listed.append({"name": key, "type": 3, "value": value})
        if sub is not None:
            listed = [{"name": sub, "type": 1, "options": listed}]
        data = {"id": self._command_id(name), "name": name, "type": 1, "options": listed,
                "resolved": resolved}
        payload = self._interaction(2, user, data, **kw)
        await self.dispatch("INTERACTION_CREATE", payload)
        return payload

    async def context_menu(self, user: dict[str, Any], name: str, target: dict[str, Any],
                           **kw: Any) -> dict[str, Any]:
        data = {"id": self._command_id(name), "name": name, "type": 3,
                "target_id": target["id"], "resolved": {"messages": {target["id"]: target}}}
        payload = self._interaction(2, user, data, **kw)
        await self.dispatch("INTERACTION_CREATE", payload)
        return payload

    async def press(self, user: dict[str, Any], message: dict[str, Any], custom_id: str,
                    **kw: Any) -> dict[str, Any]:
        payload = self._interaction(3, user, {"custom_id": custom_id, "component_type": 2},
                                    message=message, **kw)
        await self.dispatch("INTERACTION_CREATE", payload)
        return payload

    async def choose(self, user: dict[str, Any], message: dict[str, Any], custom_id: str,
                     values: list[str], *, component_type: int = 3, **kw: Any
                     ) -> dict[str, Any]:
        """A pick in a select menu (a channel select, ``component_type`` 8, resolves the
        channels picked)."""
        data: dict[str, Any] = {"custom_id": custom_id, "component_type": component_type,
                                "values": values}
        if component_type == 8:
            data["resolved"] = {"channels": {v: {
                "id": v, "type": 0, "name": f"channel-{v}", "permissions": str(EVERYONE)}
                for v in values}}
        payload = self._interaction(3, user, data, message=message, **kw)
        await self.dispatch("INTERACTION_CREATE", payload)
        return payload

    async def submit_modal(self, user: dict[str, Any], modal: dict[str, Any],
                           values: dict[str, str], **kw: Any) -> dict[str, Any]:
        """Answer a modal the bot opened (``modal`` is that callback's data)."""
        inputs = []
        for row in modal["components"]:
            for item in ([row["component"]] if row["type"] == 18 else row["components"]):
                inputs.append({"type": 1, "components": [{
                    "type": 4, "custom_id": item["custom_id"],
                    "value": values.get(item["custom_id"], "")}]})
        payload = self._interaction(5, user, {"custom_id": modal["custom_id"],
                                              "components": inputs}, **kw)
        await self.dispatch("INTERACTION_CREATE", payload)
        return payload

    def _command_id(self, name: str) -> str:
        for commands in self.commands.values():
            for command in commands:
                if command["name"] == name:
                    return str(command["id"])
        return "1"

    # -- REST ----------------------------------------------------------------------------------
    async def _attachment(self, request: web.Request) -> web.Response:
        """The CDN: a link is good until its signed expiry; then 404, as Discord's."""
        await asyncio.sleep(self.cdn_delay_s)
        data = self.attachments.get(request.match_info["id"])
        query = request.query
        try:
            expires, issued = int(query["ex"], 16), int(query["is"], 16)
            valid = hmac.compare_digest(query["hm"], self._signature(
                request.path, expires, issued)) and time.time() + self.skew_s < expires
        except (KeyError, ValueError):
            valid = False
        if data is None or not valid:
            return web.Response(status=404, text="This content is no longer available.")
        return web.Response(body=data, content_type="application/octet-stream")

    async def _body(self, request: web.Request) -> tuple[dict[str, Any], dict[str, bytes]]:
        if request.content_type.startswith("multipart/"):
            body: dict[str, Any] = {}
            files: dict[str, bytes] = {}
            reader = await request.multipart()
            while (part := await reader.next()) is not None:
                if part.name == "payload_json":  # type: ignore[union-attr]
                    body = json.loads(await part.text())  # type: ignore[union-attr]
                else:
                    files[part.name or ""] = bytes(await part.read())  # type: ignore[union-attr]
            return body, files
        if request.can_read_body:
            return await request.json(), {}
        return {}, {}

    def _new_message(self, body: dict[str, Any], files: dict[str, bytes], channel_id: str,
                     *, interaction: bool = False) -> dict[str, Any]:
        attachments = []
        for index, meta in enumerate(body.get("attachments") or []):
            blob = files.get(f"files[{index}]", b"")
            attachments.append(self.attachment(blob, meta.get("filename", "file.png")))
        message = {
            "id": str(next(self._ids)), "channel_id": channel_id, "type": 20 if interaction
            else 0, "content": body.get("content") or "", "embeds": [],
            "attachments": attachments, "author": self.me,
            "timestamp": datetime.now(UTC).isoformat(), "edited_timestamp": None,
            "mentions": [], "mention_roles": [], "mention_everyone": False, "pinned": False,
            "tts": False, "flags": body.get("flags", 0), "components": body.get("components", [])}
        if channel_id == self.channel["id"]:
            message["guild_id"] = self.guild_id
        self.messages[message["id"]] = message
        return message

    async def _rest(self, request: web.Request) -> web.Response:
        path = "/" + request.match_info["path"]
        body, files = await self._body(request)
        call = Call(request.method, path, body, files)
        self.calls.append(call)
        try:
            for part, queue in self.faults.items():
                if part in path and queue:
                    status, retry_after = queue.popleft()
                    return _json({"message": "You are being rate limited.",
                                  "retry_after": retry_after, "global": False}, status,
                                 {"Via": "1.1 google", "Retry-After": str(retry_after)})
            if "/webhooks/" in path or "/interactions/" in path:
                token = path.split("/")[3]
                if self._now() - self.tokens.get(token, float("-inf")) > self.token_ttl_s:
                    return _json({"message": "Invalid Webhook Token", "code": 50027}, 401)
                refused = self._interaction_refusal(request.method, path, token, body, files)
            elif request.headers.get("Authorization") != f"Bot {self.token}":
                return _json({"message": "401: Unauthorized", "code": 0}, 401)
            else:
                refused = self._channel_refusal(request.method, path, body, files)
            refused = refused or self.components_refusal(body)
            if refused is None and (problem := components_problem(body)) is not None:
                refused = _error(400, 50035, f"Invalid Form Body: {problem}")
            if refused is not None:
                call.result = refused
                return refused
            result = self.payments_route(request.method, path.strip("/").split("/"),
                                         dict(request.query))
            if result is None:
                result = self._route(request.method, path, body, files)
            call.result = result
            if isinstance(result, web.Response):
                return result
            if result is None:
                return web.Response(status=204)
            return _json(result)
        finally:
            await self._notify()

    def _interaction_refusal(self, method: str, path: str, token: str, body: dict[str, Any],
                             files: dict[str, bytes]) -> web.Response | None:
        """What Discord refuses on an interaction's callback and webhook."""
        if path.endswith("/callback"):
            if token in self.acknowledged:
                return _error(400, 40060, "Interaction has already been acknowledged.")
            if self._now() - self.tokens[token] > self.response_deadline_s:
                return _error(404, 10062, "Unknown interaction")
        elif self.acknowledged.get(token) not in (4, 5):
            if path.endswith("/@original"):
                return _error(404, 10008, "Unknown Message")
            return _error(404, 10015, "Unknown Webhook")
        if any(len(blob) > self.upload_limits[token] for blob in files.values()):
            return _error(413, 40005, "Request entity too large")
        if method == "POST" and path.count("/") == 3 and token in self.followups:
            if self.followups[token] <= 0:  # only a person installed the app: 5 follow-ups
                return _error(400, 40094, "This interaction has hit the maximum number of "
                              "follow up messages")
            self.followups[token] -= 1
        data = body.get("data") if path.endswith("/callback") else body
        if len(str((data or {}).get("content") or "")) > CONTENT_LIMIT:
            return _too_long("data.content" if path.endswith("/callback") else "content")
        if path.endswith("/callback"):
            self.acknowledged[token] = int(body.get("type") or 0)
        return None

    def _channel_refusal(self, method: str, path: str, body: dict[str, Any],
                         files: dict[str, bytes]) -> web.Response | None:
        parts = path.strip("/").split("/")
        if parts[0] == "channels" and parts[1] in self.foreign_channels:
            return _error(403, 50001, "Missing Access")  # the bot is no member there
        if parts[0] == "applications" and parts[-1] == "commands" and method == "PUT":
            return _bad_commands(body)
        if any(len(blob) > self.channel_file_limit for blob in files.values()):
            return _error(413, 40005, "Request entity too large")
        if method in ("POST", "PATCH") and len(str(body.get("content") or "")) > CONTENT_LIMIT:
            return _too_long("content")
        return None

    def _answers_in(self, token: str) -> str:
        return self.answers_in.get(token, self.channel["id"])

    def _followup_message(self, method: str, message_id: str, body: dict[str, Any],
                          files: dict[str, bytes]) -> Any:
        message = self.messages.get(message_id)
        if message is None:
            return _error(404, 10008, "Unknown Message")
        if method == "DELETE":
            del self.messages[message_id]
            return None
        if method == "PATCH":
            message.update({k: v for k, v in body.items() if k in ("content", "components")})
            if body.get("attachments") is not None or files:
                message["attachments"] = self._new_message(body, files, "x")["attachments"]
        return message

    def _resign(self, url: str) -> str:
        return self._signed(url.removeprefix(self.root).split("?", 1)[0])

    def _route(self, method: str, path: str, body: dict[str, Any],
               files: dict[str, bytes]) -> Any:
        parts = path.strip("/").split("/")
        if path == "/users/@me":
            return self.me
        if path == "/oauth2/applications/@me":
            return {"id": self.app_id, "name": "editbot", "description": "", "icon": None,
                    "bot_public": True, "bot_require_code_grant": False, "verify_key": "00",
                    "owner": self.user(1, "owner"), "flags": 0, "team": None,
                    "summary": "", "rpc_origins": []}
        if path == "/gateway" or path == "/gateway/bot":
            return {"url": self.gateway, "shards": self.shards, "session_start_limit": {
                "total": 1000, "remaining": 1000, "reset_after": 0, "max_concurrency": 1}}
        if parts[0] == "applications" and parts[-1] == "commands" and method == "PUT":
            scope = parts[3] if "guilds" in parts else "global"
            self.commands[scope] = [{"description": "", **c, "id": str(next(self._ids)),
                                     "application_id": self.app_id, "version": "1",
                                     "default_member_permissions": _text(c.get(
                                         "default_member_permissions"))} for c in body]
            return self.commands[scope]
        if parts[0] == "interactions" and parts[-1] == "callback":
            kind = body.get("type")
            data = body.get("data") or {}
            resource: dict[str, Any] = {"type": kind}
            if kind == 7 and parts[2] in self.pressed_on:  # UPDATE_MESSAGE: the pressed one
                for message in self.messages.values():  # by id: an original answer too
                    if str(message.get("id")) == str(self.pressed_on[parts[2]]):
                        message.update({k: v for k, v in data.items()
                                        if k in ("content", "components")})
                        resource["message"] = message
            if kind in (4, 5):
                if parts[2] in self.hidden:  # the server forbids external apps
                    data = {**data, "flags": int(data.get("flags", 0)) | EPHEMERAL}
                message = self._new_message(data, files, self._answers_in(parts[2]),
                                            interaction=True)
                self.messages[f"@original:{parts[2]}"] = message
                resource["message"] = message
            return {"interaction": {"id": parts[1], "type": 2,
                                    "response_message_loading": kind == 5,
                                    "response_message_ephemeral": bool(
                                        data.get("flags", 0) & 64)},
                    "resource": resource}
        if parts[0] == "webhooks":
            token = parts[2]
            if parts[-1] == "@original":
                key = f"@original:{token}"
                if method == "DELETE":
                    self.messages.pop(key, None)
                    return None
                message = self.messages.get(key)
                if message is None:  # deleted
                    return _error(404, 10008, "Unknown Message")
                if "content" in body:
                    message["content"] = body["content"] or ""
                if body.get("attachments") is not None or files:
                    message["attachments"] = self._new_message(body, files, "x")["attachments"]
                if "components" in body:
                    message["components"] = body["components"]
                self.messages[key] = message
                return message
            if len(parts) == 5 and parts[3] == "messages":  # a follow-up of its own
                return self._followup_message(method, parts[4], body, files)
            if token in self.hidden:
                body = {**body, "flags": int(body.get("flags", 0)) | EPHEMERAL}
            return self._new_message(body, files, self._answers_in(token), interaction=True)
        if parts[0] == "channels" and parts[-1] == "messages" and method == "POST":
            return self._new_message(body, files, parts[1])
        if parts[0] == "channels" and "messages" in parts and method == "PATCH":
            message = self.messages[parts[3]]
            message.update({k: v for k, v in body.items() if k in ("content", "components")})
            return message
        if parts[0] == "channels" and "messages" in parts and method == "DELETE":
            self.messages.pop(parts[3], None)
            return None
        if parts[0] == "channels" and "messages" in parts and method == "GET":
            found = self.messages.get(parts[3])
            if found is None:
                return _error(404, 10008, "Unknown Message")
            return {**found, "attachments": [  # each fetch signs the links anew, as Discord's
                {**a, "url": self._resign(a["url"]), "proxy_url": self._resign(a["url"])}
                for a in found["attachments"]]}
        if parts[0] == "users" and parts[-1] == "channels":  # open a DM
            return {"id": f"9{body.get('recipient_id')}", "type": 1, "recipients": []}
        return _json({"message": "404: Not Found", "code": 0}, 404)
