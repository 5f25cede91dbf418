"""The texts of community settings (/settings, the rules' refusals, the community log), in the
six languages, merged into each language's catalog by bot/i18n.py."""

from collections.abc import Mapping

from .en import EN
from .es import ES
from .id import ID
from .pt import PT
from .ru import RU
from .vi import VI

SETTINGS: Mapping[str, Mapping[str, str]] = {"en": EN, "vi": VI, "es": ES, "pt": PT, "ru": RU,
                                             "id": ID}
