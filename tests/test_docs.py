"""The project's documents point at files that exist, and at nothing outside the repository.

Every path the docs name in backticks (`bot/…`, `storage/…`, `tests/…`, …) and every
relative link must exist, unless the document marks it as planned — named on a line that
says "added this round" (work being merged); no document may send a reader outside the
repository.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCUMENTS = sorted([ROOT / "README.md", *(ROOT / "docs").glob("*.md")])
PLANNED = "added this round"
# A backticked repository path: starts at a top-level folder of the project.
PATH = re.compile(r"`((?:bot|storage|tests|bench|survey_defs|docs)/[^`\s]*)`")
LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")
OUTSIDE = re.compile(r"\.\./shared|/work/|DOMAIN\.md")


def _exists(path: str) -> bool:
    """Whether `path` (maybe with a <placeholder>, YYYY or *) names something in the repo."""
    pattern = re.sub(r"<[^>]+>|YYYY", "*", path.rstrip("/"))
    if "*" in pattern:
        return any(ROOT.glob(pattern))
    return (ROOT / pattern).exists()


def _lines(document: Path) -> list[tuple[int, str]]:
    """The document's lines, numbered from 1."""
    return list(enumerate(document.read_text("utf-8").splitlines(), start=1))


def _planned(document: Path, pattern: re.Pattern[str]) -> set[str]:
    """What the document marks as planned: named on a line that says "added this round"."""
    return {
        m.rstrip("/")
        for _, line in _lines(document)
        if PLANNED in line
        for m in pattern.findall(line)
    }


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: p.name)
def test_named_paths_exist(document: Path) -> None:
    planned = _planned(document, PATH)
    missing = [
        f"{document.name}:{n}: {path}"
        for n, line in _lines(document)
        for path in PATH.findall(line)
        if path.rstrip("/") not in planned and not _exists(path)
    ]
    assert missing == []


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: p.name)
def test_relative_links_resolve(document: Path) -> None:
    planned = _planned(document, LINK)
    broken = [
        f"{document.name}:{n}: {target}"
        for n, line in _lines(document)
        for target in LINK.findall(line)
        if "://" not in target and target not in planned and not (document.parent / target).exists()
    ]
    assert broken == []


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: p.name)
def test_nothing_points_outside_the_repository(document: Path) -> None:
    outside = [f"{document.name}:{n}" for n, line in _lines(document) if OUTSIDE.search(line)]
    assert outside == []


def test_every_document_is_reachable_from_the_readme() -> None:
    reached: set[Path] = set()
    todo = [ROOT / "README.md"]
    while todo:
        document = todo.pop()
        if document in reached or not document.exists():
            continue
        reached.add(document)
        text = document.read_text("utf-8")
        todo += [(document.parent / t).resolve() for t in LINK.findall(text) if t.endswith(".md")]
    assert sorted((ROOT / "docs").glob("*.md")) == sorted(
        p for p in reached if p.parent.name == "docs"
    )
