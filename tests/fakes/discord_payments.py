"""Discord's monetization in the fake: SKUs, entitlements, the consume endpoint and
``ENTITLEMENT_CREATE`` on the gateway, as Discord's developer docs describe them
(Monetization: SKUs, Entitlements; message components: premium buttons).

- ``GET /applications/{app}/skus`` lists the app's SKUs (``add_sku``; type 3 is consumable).
- ``buy(user, sku_id)`` is a member's purchase: a new entitlement (type 1, PURCHASE,
  ``consumed`` false), dispatched as ``ENTITLEMENT_CREATE``; until consumed it also rides on
  each of that member's interactions (``entitlements``).
- ``GET /applications/{app}/entitlements`` lists them (``user_id``, ``sku_ids``,
  ``exclude_ended``, ``exclude_deleted``); ``POST .../entitlements/{id}/consume`` marks a
  consumable one consumed (204; 404 ``10070`` for an unknown one, 400 for a SKU that is not
  consumable).
- A premium button (type 2, style 6) carries a ``sku_id`` of the app and nothing of custom_id,
  label, emoji or url; anything else is 400 ``50035 Invalid Form Body``.
"""

from __future__ import annotations

import itertools
from typing import Any

from aiohttp import web

CONSUMABLE, DURABLE = 3, 2
PURCHASE = 1
PREMIUM = 6


def _error(status: int, code: int, message: str) -> web.Response:
    return web.json_response({"message": message, "code": code}, status=status)


class DiscordPayments:
    """Mixed into FakeDiscord: its ``app_id``, ``dispatch``, ``_notify``."""

    def _payments_init(self) -> None:
        self.skus: dict[str, dict[str, Any]] = {}
        self.entitlements: dict[str, dict[str, Any]] = {}
        self._entitlement_ids = itertools.count(990_000_000_000_000_000)

    def add_sku(self, sku_id: str, name: str = "10 credits", kind: int = CONSUMABLE) -> None:
        self.skus[sku_id] = {"id": sku_id, "type": kind, "application_id": self.app_id,
                             "name": name, "slug": name.lower().replace(" ", "-"),
                             "flags": 1 << 2}

    async def buy(self, user: dict[str, Any], sku_id: str, *,
                  dispatch: bool = True) -> dict[str, Any]:
        """A member buys a SKU in Discord's store (or the bot's premium button)."""
        assert sku_id in self.skus, "no such SKU"
        entitlement = {"id": str(next(self._entitlement_ids)), "sku_id": sku_id,
                       "application_id": self.app_id, "user_id": user["id"],
                       "type": PURCHASE, "deleted": False, "consumed": False}
        self.entitlements[entitlement["id"]] = entitlement
        if dispatch:
            await self.dispatch("ENTITLEMENT_CREATE", entitlement)
        return entitlement

    def unconsumed(self, user_id: str) -> list[dict[str, Any]]:
        return [dict(e) for e in self.entitlements.values()
                if e["user_id"] == user_id and not e["consumed"] and not e["deleted"]]

    def payments_route(self, method: str, parts: list[str], query: dict[str, str]) -> Any:
        """The monetization endpoints under /applications/{app}; None when not one of them."""
        if len(parts) < 3 or parts[0] != "applications" or parts[2] not in ("skus",
                                                                           "entitlements"):
            return None
        if parts[1] != self.app_id:
            return _error(403, 50001, "Missing Access")
        if parts[2] == "skus" and method == "GET":
            return list(self.skus.values())
        if len(parts) == 3 and method == "GET":
            found = list(self.entitlements.values())
            if query.get("user_id"):
                found = [e for e in found if e["user_id"] == query["user_id"]]
            if query.get("sku_ids"):
                wanted = set(query["sku_ids"].split(","))
                found = [e for e in found if e["sku_id"] in wanted]
            if query.get("exclude_deleted", "true") == "true":
                found = [e for e in found if not e["deleted"]]
            return [dict(e) for e in found]
        if len(parts) == 5 and parts[4] == "consume" and method == "POST":
            entitlement = self.entitlements.get(parts[3])
            if entitlement is None:
                return _error(404, 10070, "Unknown Entitlement")
            if self.skus[entitlement["sku_id"]]["type"] != CONSUMABLE:
                return _error(400, 50035, "Invalid Form Body")
            entitlement["consumed"] = True
            return web.Response(status=204)
        return _error(404, 0, "404: Not Found")

    def components_refusal(self, body: Any) -> web.Response | None:
        """Buttons as Discord takes them: a custom_id of at most 100 characters; a premium
        one with a known sku_id and nothing else to show."""
        if isinstance(body, dict) and isinstance(body.get("data"), dict):
            body = body["data"]  # an interaction callback's message
        if not isinstance(body, dict):
            return None
        for row in body.get("components") or []:
            for item in row.get("components") or []:
                custom_id = item.get("custom_id")
                if custom_id is not None and not 1 <= len(str(custom_id)) <= 100:
                    return _error(400, 50035, "Invalid Form Body")  # custom_id: 1-100 chars
                if item.get("type") != 2 or item.get("style") != PREMIUM:
                    continue
                extra = {"custom_id", "label", "emoji", "url"} & {
                    k for k, v in item.items() if v not in (None, "")}
                if extra or str(item.get("sku_id")) not in self.skus:
                    return _error(400, 50035, "Invalid Form Body")
        return None
