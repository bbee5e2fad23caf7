"""Unit picking: filter by any locale's name, paginate."""

from __future__ import annotations

from bot.campaign.schema import LocaleText, Unit, UnitKind
from bot.survey.units import PAGE_SIZE, page_of


def _unit(i: int, zh: str, en: str) -> Unit:
    return Unit(id=f"u{i}", name=LocaleText(**{"zh-Hans": zh, "en": en}), kind=UnitKind.WINDOW)


UNITS = [_unit(i, f"第{i}窗口", f"Window {i}") for i in range(20)] + [
    _unit(99, "武进区安监局", "Wujin District Bureau")
]


def test_pages_cover_every_unit_once() -> None:
    first = page_of(UNITS, 0)
    assert first.pages == 3 and len(first.units) == PAGE_SIZE
    seen = [u.id for p in range(3) for u in page_of(UNITS, p).units]
    assert seen == [u.id for u in UNITS]


def test_page_is_clamped() -> None:
    assert page_of(UNITS, 99).page == 2
    assert page_of(UNITS, -5).page == 0


def test_filter_matches_chinese_and_english_case_insensitively() -> None:
    assert [u.id for u in page_of(UNITS, 0, "武进").units] == ["u99"]
    assert [u.id for u in page_of(UNITS, 0, "wujin").units] == ["u99"]
    assert page_of(UNITS, 0, "不存在").units == []
