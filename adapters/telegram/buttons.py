"""The buttons under a Telegram result: Again, 4K and Variations start the same edit anew
(a ticket per take, each admitted like a new request); the core decides whether the presser
may (only the requester) and rebuilds the request."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from adapters.render import VARIATIONS
from adapters.telegram.edits import TelegramEdits
from adapters.telegram.updates import ImageRef, actor_of
from bot.bootstrap import Core
from bot.edits import Ticket
from bot.errors import EditbotError
from bot.i18n import error_text, text


class TelegramButtons:
    def __init__(self, core: Core, edits: TelegramEdits) -> None:
        self.core = core
        self.edits = edits

    async def on_press(self, update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        if query is None or query.data is None:
            return
        action, job_id = query.data.split(":", 1)
        actor = actor_of(query.from_user)
        try:
            request = await self.core.service.repeat(
                job_id, actor, "4k" if action == "4k" else "again", needs="file_ids")
        except EditbotError as error:
            await query.answer(error_text(error, actor.language), show_alert=True)
            return
        origin = request.origin
        tickets: list[Ticket] = []
        try:
            for take in range(VARIATIONS if action == "vary" else 1):  # one per take
                tickets.append(await self.core.service.admit(actor, request.scope,
                                                             request.command, more=take > 0))
        except EditbotError as error:
            for ticket in tickets:
                ticket.release()
            await query.answer(error_text(error, actor.language), show_alert=True)
            return
        await query.answer(text("button_started", actor.language))
        refs = ([ImageRef(f, None) for f in origin["file_ids"]]
                if request.command.kind == "edit" else [])
        for take, ticket in enumerate(tickets):
            self.edits.start(key=f"telegram:button:{query.id}" + (f":{take}" if take else ""),
                             chat_id=origin["chat_id"], reply_to=origin["message_id"],
                             actor=actor, scope=request.scope, command=request.command,
                             refs=refs, ticket=ticket, parent=request.parent)
