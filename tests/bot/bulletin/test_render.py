"""A bulletin's text and chart, without a database: sorting, the cut list, empty sections."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from zoneinfo import ZoneInfo

from PIL import Image

from bot.bulletin.chart import bulletin_png
from bot.bulletin.figures import Bulletin, Period, table
from bot.bulletin.render import TEXT_ROWS, ChartData, ChartPanel, chart_data, text
from bot.campaign.loader import load_campaigns
from bot.i18n import LOCALES, t

CAMPAIGNS = Path(__file__).resolve().parents[3] / "survey_defs"
CN = ZoneInfo("Asia/Shanghai")


class Names:
    """Stands for the registry: unit ids 1… are the campaign's units in file order."""

    def __init__(self, campaign: object) -> None:
        """Number the campaign's units."""
        self.units = {n: (campaign, u) for n, u in enumerate(campaign.units, start=1)}  # type: ignore[attr-defined]

    def unit(self, unit_id: int) -> object:
        """The campaign and unit of an id."""
        return self.units.get(unit_id)


def bulletin() -> tuple[Bulletin, Names]:
    """A bulletin over more units than the text lists, and an empty section."""
    campaign = load_campaigns(CAMPAIGNS)["changzhou-2011-safety"]
    names = Names(campaign)
    counts = {n: (n % 3, n, 0, 1) for n in range(1, TEXT_ROWS + 5)} | {None: (0, 2, 0, 0)}
    complaints = table("complaints", ("overdue", "received", "closed", "open"), counts)
    sample = table("sample", ("period", "total"), {1: (0, 0)})
    period = Period(dt.datetime(2011, 7, 25, tzinfo=CN), dt.datetime(2011, 8, 1, 0, 0, tzinfo=CN))
    return Bulletin(campaign, period, (complaints, sample), 7), names


def test_rows_sorted_most_overdue_then_most_received_and_zero_rows_left_out() -> None:
    found, _ = bulletin()
    rows = found.sections[0].rows
    assert [r.values for r in rows] == sorted((r.values for r in rows), reverse=True)
    assert found.sections[1].rows == () and found.sections[1].totals == (0, 0)
    assert found.sections[0].totals[1] == sum(range(1, TEXT_ROWS + 5)) + 2


def test_text_in_each_locale_cuts_the_list_and_says_how_many_more() -> None:
    found, names = bulletin()
    for locale in LOCALES:
        body = text(found, names, locale)  # type: ignore[arg-type]
        assert t(locale, "bulletin.section.sample") in body
        assert t(locale, "bulletin.nothing") in body  # the empty section says so
        assert t(locale, "bulletin.more_units", count=len(found.sections[0].rows) - TEXT_ROWS) in (
            body
        )
        # The period ends before midnight of 1 August: its last day is 31 July.
        assert "31" in body.splitlines()[1]
        assert len(body) < 4096


def test_chart_is_a_png_even_with_an_empty_panel() -> None:
    found, names = bulletin()
    for locale in LOCALES:
        png = bulletin_png(chart_data(found, names, locale))  # type: ignore[arg-type]
        image = Image.open(io.BytesIO(png))
        assert image.format == "PNG" and image.size[0] > 600
    empty = ChartData("x", (ChartPanel("nothing", ("a",), (), ()),), "en")
    assert Image.open(io.BytesIO(bulletin_png(empty))).format == "PNG"
