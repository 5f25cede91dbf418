"""What an edit costs the operator, in US dollars: a per-model price table, estimates before
the call (for the daily budget) and the cost of an answer from its ``usageMetadata``.

Google bills an image model per output image (its image tokens, at a fixed count per size),
plus the prompt (text and input images) at the model's input rate and any thinking at its text
output rate. Gateways that charge otherwise set ``PRICE_PER_IMAGE_USD_1K/2K/4K`` (the price of
one output image at that size) and ``PRICE_PER_IMAGE_USD_INPUT`` (a flat price per input image,
instead of the input tokens). Every figure here is an estimate: the bill is Google's.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from .domain import EditCommand, TokenUsage

MTOK = 1_000_000
DEFAULT_SIZE = "1K"  # what a model answers when no imageSize is asked


@dataclass(frozen=True, slots=True)
class ModelPrice:
    image_usd: Mapping[str, float]  # image size -> one output image
    input_usd_per_mtok: float  # the prompt: text and input images
    text_usd_per_mtok: float  # output text and thinking
    input_image_tokens: int  # what one input image counts as, for estimates


# Google's list prices (paid tier), per model family. A model not listed here (a newer
# family) is priced as Pro: set PRICE_PER_IMAGE_USD_* for it.
PRICES: Mapping[str, ModelPrice] = {
    "gemini-3-pro-image": ModelPrice(
        {"1K": 0.134, "2K": 0.134, "4K": 0.24}, input_usd_per_mtok=2.00,
        text_usd_per_mtok=12.00, input_image_tokens=560),
    "gemini-2.5-flash-image": ModelPrice(
        {"1K": 0.039}, input_usd_per_mtok=0.30, text_usd_per_mtok=2.50,
        input_image_tokens=258),
    # the local chat's stand-in model costs nothing
    "editbot-demo": ModelPrice(
        {"1K": 0.0, "2K": 0.0, "4K": 0.0}, input_usd_per_mtok=0.0, text_usd_per_mtok=0.0,
        input_image_tokens=0),
    "editbot-demo-beside": ModelPrice(
        {"1K": 0.0, "2K": 0.0, "4K": 0.0}, input_usd_per_mtok=0.0, text_usd_per_mtok=0.0,
        input_image_tokens=0),
}
_SUFFIX = re.compile(r"(-preview|-exp|-latest|-\d{2}-\d{4}|-\d{3}|-\d{8})+$")


def family_of(model: str) -> str:
    """``models/gemini-3-pro-image-preview`` -> ``gemini-3-pro-image``; an unknown model is
    priced as the dearest known one, so a budget errs on the safe side."""
    base = _SUFFIX.sub("", model.rsplit("/", 1)[-1].lower())
    return base if base in PRICES else "gemini-3-pro-image"


@dataclass(frozen=True, slots=True)
class Spend:
    """What one upstream answer cost: its tokens and the estimated dollars."""

    model: str
    size: str
    usage: TokenUsage
    cost_usd: float


class PriceTable:
    def __init__(self, model: str, overrides: Mapping[str, float] | None = None) -> None:
        self.model = model
        self.family = family_of(model)
        self._price = PRICES[self.family]
        self._overrides = dict(overrides or {})

    def size_of(self, command: EditCommand) -> str:
        return command.image_size or DEFAULT_SIZE

    def image_usd(self, size: str) -> float:
        if size in self._overrides:
            return self._overrides[size]
        table = self._price.image_usd
        return table.get(size) or max(table.values())

    def _input_usd(self, images: int, prompt_tokens: int) -> float:
        if "input" in self._overrides:
            return images * self._overrides["input"]
        return prompt_tokens * self._price.input_usd_per_mtok / MTOK

    def estimate(self, command: EditCommand, images: int) -> float:
        """The cost of ``command`` before it is sent (never more than its answer will cost):
        one image at its size, and the input images and prompt at the input rate."""
        tokens = images * self._price.input_image_tokens + len(command.prompt) // 4
        return self.image_usd(self.size_of(command)) + self._input_usd(images, tokens)

    def spend(self, size: str, usage: TokenUsage, images: int, *, produced: bool = True
              ) -> Spend:
        """The cost of an answer: the image if one was made, the prompt and the thinking."""
        cost = (self.image_usd(size) if produced else 0.0) + self._input_usd(
            images, usage.prompt) + usage.thoughts * self._price.text_usd_per_mtok / MTOK
        return Spend(self.model, size, usage, round(cost, 6))
