"""What each Gemini image model accepts: aspect ratios, image sizes, reference images."""

from __future__ import annotations

import re
from dataclasses import dataclass

_COMMON_RATIOS = ("1:1", "2:3", "3:2", "3:4", "4:3", "4:5", "5:4", "9:16", "16:9", "21:9")


@dataclass(frozen=True, slots=True)
class ModelSpec:
    family: str
    aspect_ratios: tuple[str, ...]
    image_sizes: tuple[str, ...]  # empty: the model takes no imageSize
    max_reference_images: int
    # the local chat's stand-in model (adapters/localchat/model.py): the key of the note every
    # result carries (bot/locales); empty for a real model
    demo: str = ""

    @property
    def takes_size(self) -> bool:
        return bool(self.image_sizes)


PRO = ModelSpec("gemini-3-pro-image", _COMMON_RATIOS, ("1K", "2K", "4K"), 14)
FLASH_31 = ModelSpec(
    "gemini-3.1-flash-image",
    (*_COMMON_RATIOS, "1:4", "4:1", "1:8", "8:1"),
    ("512", "1K", "2K", "4K"),
    14,
)
FLASH_25 = ModelSpec("gemini-2.5-flash-image", _COMMON_RATIOS, (), 3)

# what the local chat runs without GEMINI_API_KEY, and always beside a running bot (where its
# note cannot tell the operator to set a key they have set): Pro's ratios and sizes, by Pillow
DEMO_MODEL = "editbot-demo"
DEMO = ModelSpec(DEMO_MODEL, _COMMON_RATIOS, ("1K", "2K", "4K"), 14, demo="demo_model_note")
BESIDE_DEMO_MODEL = "editbot-demo-beside"
DEMO_BESIDE = ModelSpec(BESIDE_DEMO_MODEL, _COMMON_RATIOS, ("1K", "2K", "4K"), 14,
                        demo="demo_beside_note")

KNOWN: tuple[ModelSpec, ...] = (PRO, FLASH_31, FLASH_25, DEMO, DEMO_BESIDE)

# Google and gateways append -preview, a date or a version to the family name.
_SUFFIX = re.compile(r"(-preview|-exp|-latest|-\d{2}-\d{4}|-\d{3}|-\d{8})+$")


def spec_for(model: str) -> ModelSpec:
    """The capabilities of ``model``; an unknown name is treated as the Pro family."""
    base = model.rsplit("/", 1)[-1].lower()
    base = _SUFFIX.sub("", base)
    for spec in KNOWN:
        if base == spec.family:
            return spec
    return PRO
