"""Delivering a Discord result: the image, fitted to what the target takes, with its caption
and buttons, where the request came from; a reply to that message continues the edit. A
delivery that sent nothing raises, and the core refunds the job."""

from __future__ import annotations

import asyncio
import io
import logging

import discord

from adapters.discord.targets import Target
from adapters.render import caption, result_buttons
from bot.bootstrap import Core
from bot.domain import Delivery
from bot.images import ImageBudget, fit_output

log = logging.getLogger(__name__)
CONTENT_LIMIT = 2000


class DiscordDelivery:
    def __init__(self, core: Core) -> None:
        self.core = core

    def buttons(self, delivery: Delivery, lang: str) -> discord.ui.View:
        view = discord.ui.View(timeout=None)
        for action, label in result_buttons(self.core, delivery, lang):
            view.add_item(discord.ui.Button(label=label, custom_id=f"{action}:{delivery.job_id}"))
        return view

    async def deliver(self, delivery: Delivery, target: Target) -> None:
        lang = delivery.request.actor.language
        budget = ImageBudget(max_bytes=int(target.file_limit * 0.98))
        fitted = await asyncio.to_thread(fit_output, delivery.image.data, budget)
        file = discord.File(io.BytesIO(fitted.data),  # spoiler: a SPOILER_ file name
                            filename=f"editbot-{delivery.job_id}.{fitted.extension}",
                            spoiler=delivery.spoiler)
        words = caption(delivery, lang, limit=CONTENT_LIMIT - 100, demo=self.core.spec.demo)
        shown = await target.result(words, file, self.buttons(delivery, lang))
        await delivery.arrived()
        try:  # a reply to that message continues the edit
            await self.core.turns.link(delivery.job_id, f"discord:{shown}")
        except Exception:
            log.warning("job %d: its result message could not be noted", delivery.job_id,
                        exc_info=True)
