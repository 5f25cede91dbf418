from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.commands import build_command, parse_arguments, split_command
from bot.errors import CommandError
from bot.models import FLASH_25, FLASH_31, PRO, spec_for


@pytest.mark.parametrize(("args", "ratio", "size", "prompt"), [
    ("9:16 add a llama", "9:16", None, "add a llama"),
    ("2k 9:16 add a llama", "9:16", "2K", "add a llama"),
    ("9:16 4K add   a llama", "9:16", "4K", "add a llama"),
    ("add a llama at 4K", None, None, "add a llama at 4K"),
    ("4k", None, "4K", None),
])
def test_ratio_and_size_in_either_order(args: str, ratio: str | None, size: str | None,
                                        prompt: str | None) -> None:
    if prompt is None:
        with pytest.raises(CommandError) as info:
            parse_arguments("edit", args, PRO)
        assert info.value.code == "no_prompt"
        return
    command = parse_arguments("edit", args, PRO)
    assert (command.aspect_ratio, command.image_size, command.prompt) == (ratio, size, prompt)


@pytest.mark.parametrize(("args", "code", "listed"), [
    ("7:5 a cat", "unknown_ratio", "21:9"),
    ("8K a cat", "unknown_size", "4K"),
    ("1:4 a tall cat", "unknown_ratio", "9:16"),
    ("", "no_prompt", None),
    ("16:9 2K", "no_prompt", None),
    ("1:1 16:9 a cat", "two_ratios", "1:1"),
])
def test_errors_say_what_is_valid(args: str, code: str, listed: str | None) -> None:
    with pytest.raises(CommandError) as info:
        parse_arguments("edit", args, PRO)
    assert info.value.code == code
    if listed:
        assert listed in info.value.params["valid"]


def test_capabilities_follow_the_model() -> None:
    assert parse_arguments("edit", "1:8 512 a banner", FLASH_31).aspect_ratio == "1:8"
    assert parse_arguments("edit", "512 llamas", PRO).prompt == "512 llamas"
    with pytest.raises(CommandError) as info:
        parse_arguments("edit", "2K a cat", FLASH_25)
    assert info.value.code == "size_not_supported"
    assert spec_for("gemini-3-pro-image-preview") is PRO
    assert spec_for("models/gemini-2.5-flash-image-preview") is FLASH_25
    assert spec_for("gemini-3.1-flash-image-preview") is FLASH_31


def test_split_command_knows_mentions() -> None:
    split = split_command("/edit@EditBot 9:16 llama")
    assert split is not None and (split.name, split.bot, split.args) == ("edit", "EditBot",
                                                                         "9:16 llama")
    assert split_command("hello /edit") is None
    assert split_command("/editing now") is not None and split_command(
        "/editing now").name == "editing"  # type: ignore[union-attr]


def test_options_are_checked_like_typed_words() -> None:
    with pytest.raises(CommandError):
        build_command("edit", "a cat", "3:1", None, PRO)
    assert build_command("imagine", " a  cat ", "16:9", "2k", PRO).image_size == "2K"


@given(st.text(max_size=200))
def test_any_text_parses_or_raises_the_grammar_error(args: str) -> None:
    for spec in (PRO, FLASH_31, FLASH_25):
        try:
            command = parse_arguments("edit", args, spec)
        except CommandError:
            continue
        assert command.prompt and command.prompt == command.prompt.strip()
        assert command.aspect_ratio in (None, *spec.aspect_ratios)
        assert command.image_size in (None, *spec.image_sizes)


@given(st.sampled_from(PRO.aspect_ratios), st.sampled_from(["1k", "2K", "4k"]),
       st.text(st.characters(categories=["L"]), min_size=1, max_size=30))
def test_valid_words_round_trip(ratio: str, size: str, prompt: str) -> None:
    command = parse_arguments("edit", f"{size} {ratio} {prompt}", PRO)
    assert command.aspect_ratio == ratio and command.image_size == size.upper()
    assert command.prompt == prompt


@pytest.mark.parametrize("blank", [
    "\u200b", "\ufeff\ufeff", "\u3164", "\u115f\u1160", "\uffa0", "\u2060\u200c\u200d",
    "\u00ad", "\u200e\u200f\u202a", "\u2800", "\u034f\ufe0f", "\u200b \u3000 \u3164",
])
def test_a_prompt_of_invisible_characters_is_no_prompt(blank: str) -> None:
    with pytest.raises(CommandError) as info:
        parse_arguments("edit", f"9:16 {blank}", PRO)
    assert info.value.code == "no_prompt"
    with pytest.raises(CommandError):
        build_command("imagine", blank, None, None, PRO)


def test_invisible_characters_inside_a_real_prompt_are_kept() -> None:
    family = "add \U0001F468\u200d\U0001F469\u200d\U0001F467 here"  # a joined emoji
    assert parse_arguments("edit", family, PRO).prompt == family
