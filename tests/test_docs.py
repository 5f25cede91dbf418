"""The repository explains itself: README.md and docs/ point only inside the repository."""

from __future__ import annotations

import re
from pathlib import Path

from bot.config import Settings
from editbot.__main__ import parser

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def test_docs_never_point_outside_the_repository() -> None:
    for doc in DOCS:
        text = doc.read_text()
        assert "../" not in text and "DEVELOPERS.md" not in text, doc
        for target in re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", text):
            assert not target.startswith(("http://", "https://")), (doc, target)
            assert (doc.parent / target).exists(), (doc, target)
        assert not re.search(r"<https?://", text), doc  # no autolink out either
        for path in re.findall(r"`((?:docs|bench|tests|bot|adapters|editbot)/[\w./-]+)`", text):
            assert (ROOT / path.rstrip("/")).exists() or "{" in path, (doc, path)


def test_the_architecture_covers_what_a_newcomer_needs() -> None:
    text = (ROOT / "docs" / "ARCHITECTURE.md").read_text()
    for heading in ("## Layers", "## The life of an edit", "## The quota model",
                    "## Moderation", "## The adapters", "## The fakes",
                    "## How to add a platform"):
        assert f"\n{heading}\n" in text, heading
    assert "validate -> reserve -> queue -> generate -> deliver ->" in text


def test_no_merge_conflict_is_left_in_any_file() -> None:
    sources = [*DOCS, *ROOT.glob("*.yaml"), *ROOT.glob("*.toml"), *ROOT.glob(".env.example")]
    for folder in ("bot", "adapters", "editbot", "tests", "bench", "deploy"):
        sources += [p for p in (ROOT / folder).rglob("*") if p.suffix in (".py", ".md", "")
                    and p.is_file() and "__pycache__" not in p.parts]
    for path in sources:
        lines = path.read_text(errors="replace").splitlines()
        assert not any(line.startswith(("<<<<<<< ", ">>>>>>> ")) for line in lines), path


def test_the_readme_is_short_and_names_every_command() -> None:
    readme = (ROOT / "README.md").read_text()
    assert len(readme.splitlines()) <= 150
    assert "make run" in readme and "make test" in readme
    commands = parser()._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    assert set(commands) == {"run", "edit", "imagine", "stats", "copy-ledger", "refund"}
    for command in commands:
        assert f"python -m bot {command}" in readme, command
    for doc in ("CONFIGURATION", "PERFORMANCE", "DEPLOYMENT", "OPERATIONS", "USING"):
        assert f"](docs/{doc}.md)" in readme, doc


def test_every_setting_is_in_the_configuration_doc_and_env_example() -> None:
    table = (ROOT / "docs" / "CONFIGURATION.md").read_text()
    example = (ROOT / ".env.example").read_text()
    for name in (field.upper() for field in Settings.model_fields):
        assert re.search(rf"^\| [^|]*`{name}`[^|]* \|", table, re.M), (
            f"{name} not in docs/CONFIGURATION.md's table")
        assert re.search(rf"^(# )?{name}=", example, re.M), f"{name} not in .env.example"


def test_no_stale_claim_is_back() -> None:
    """Lines that once went stale: each names what the code does now."""
    architecture = (ROOT / "docs" / "ARCHITECTURE.md").read_text()
    for stale in ("removed when the result arrives", "PostgreSQL backend will need",
                  "for Vietnamese clients", "both locales", "figures in the README"):
        assert stale not in architecture, stale
    assert "**Variations**" in architecture and "`copy-ledger`" in architecture
    assert "Two files start\n  with 0006" in architecture  # why two migrations share a number
    versions = ROOT / "bot" / "ledger" / "migrations" / "versions"
    revisions = [re.search(r'^revision = "([^"]+)"', path.read_text(), re.M)
                 for path in versions.glob("0*.py")]
    ids = [found[1] for found in revisions if found]
    assert len(ids) == len(set(ids)) == len(revisions)  # the numbers repeat, the ids never
    help_text = parser().format_help()
    assert "come first" not in help_text and "at\nthe end of the prompt" in help_text
