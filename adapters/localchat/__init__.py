"""The local chat: a web page on 127.0.0.1 where a person talks to the bot as in Telegram, by
way of a Bot API stand-in that the real Telegram adapter polls (and, without GEMINI_API_KEY, a
demo model on Gemini's REST shape). Imports no platform adapter: editbot/ wires it."""

from .chat import LocalChat

__all__ = ["LocalChat"]
