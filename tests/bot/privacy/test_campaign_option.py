"""`complaints.on_forget` in a campaign file: anonymise (default) or close, nothing else."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.campaign.loader import load_campaigns, validate_file

SHIPPED = Path(__file__).resolve().parents[3] / "survey_defs" / "changzhou-2011-safety.yaml"


def _with_option(tmp_path: Path, value: str) -> Path:
    text = SHIPPED.read_text(encoding="utf-8")
    path = tmp_path / "c.yaml"
    path.write_text(text.replace("complaints:\n", f"complaints:\n  on_forget: {value}\n", 1))
    return path


def test_the_default_is_anonymise() -> None:
    campaign = next(iter(load_campaigns(SHIPPED.parent).values()))
    assert campaign.complaints is not None and campaign.complaints.on_forget == "anonymise"


@pytest.mark.parametrize("value", ["close", "anonymise"])
def test_close_or_anonymise_is_accepted(tmp_path: Path, value: str) -> None:
    assert validate_file(_with_option(tmp_path, value)) == []


def test_anything_else_is_refused_naming_the_field(tmp_path: Path) -> None:
    [error] = validate_file(_with_option(tmp_path, "delete"))
    assert "on_forget" in str(error)
