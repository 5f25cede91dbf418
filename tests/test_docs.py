"""The repository explains itself: README.md and docs/ point only inside the repository."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def test_docs_never_point_outside_the_repository() -> None:
    for doc in DOCS:
        text = doc.read_text()
        assert "../" not in text and "DEVELOPERS.md" not in text, doc
        for target in re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", text):
            if not target.startswith(("http://", "https://")):
                assert (doc.parent / target).exists(), (doc, target)
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
