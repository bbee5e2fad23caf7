"""The follow-up fixture campaign beside the Changzhou seed it follows, in a folder of their own."""

from __future__ import annotations

import shutil
from pathlib import Path

SURVEY_DEFS = Path(__file__).resolve().parents[3] / "survey_defs"
FOLLOWUP = Path(__file__).resolve().parent / "campaigns" / "changzhou-2012-followup.yaml"
CZ = "changzhou-2011-safety"
FU = "changzhou-2012-followup"


def campaigns_with_followup(folder: Path, text: str | None = None) -> Path:
    """`folder` holding the Changzhou 2011 file and the follow-up (or `text` in its place)."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(SURVEY_DEFS / f"{CZ}.yaml", folder)
    (folder / FOLLOWUP.name).write_text(text or FOLLOWUP.read_text("utf-8"), "utf-8")
    return folder


def edited(old: str, new: str) -> str:
    """The follow-up file with one piece of text replaced (it must be there)."""
    text = FOLLOWUP.read_text("utf-8")
    assert old in text, old
    return text.replace(old, new, 1)


def line_of(text: str, fragment: str) -> int:
    """1-based line of the first line containing `fragment`."""
    return next(n for n, line in enumerate(text.splitlines(), 1) if fragment in line)
