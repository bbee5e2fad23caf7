"""The public site: `pingyi publish --out DIR`, opened in a real headless Chromium.

Chromium (Debian's `chromium`, installed by .ci/run) loads the written pages from
disk: the test reads the DOM it built (`--dump-dom`), the console messages it
logged (`--enable-logging=stderr`: the pages have no script, so any console
line — a failed resource, an error — fails the test), and keeps screenshots of
the index and of a unit page in artifacts/screenshots/ (CI keeps that folder).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from bot.cli.main import main
from tests.bot.scoring.helpers import F, V, add_questionnaires, scoring_services
from tests.storage.conftest import sqlite_url

ROOT = Path(__file__).resolve().parents[3]
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
CZ = "changzhou-2011-safety"
DAY = dt.date(2011, 8, 20)
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None,
    reason="chromium is not installed (apt-get install -y chromium; .ci/run installs it)",
)
CONSOLE = re.compile(r":CONSOLE[(:]")


async def _dataset(url: str) -> None:
    async with scoring_services(url, DAY) as services:
        for code, level in (("wujin", V), ("liyang", F), ("jintan", V)):
            await add_questionnaires(services, CZ, code, "onsite", [level] * 5, 30, "mass-rep")
            await add_questionnaires(
                services, CZ, code, "questionnaire", [level] * 5, 30, suggestion="窗口人手不足"
            )


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A published Changzhou campaign, written as a site by the command line."""
    url = sqlite_url(tmp_path / "site.db")
    asyncio.run(_dataset(url))
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("CAMPAIGNS_DIR", str(ROOT / "survey_defs"))
    monkeypatch.setenv("PINGYI_TODAY", DAY.isoformat())
    out = tmp_path / "site"
    assert main(["publish", "--out", str(out)]) == 2  # nothing published yet
    assert main(["publish", "--campaign", CZ]) == 0
    assert main(["publish", "--campaign", CZ]) == 2  # a correction needs --reason
    assert main(["publish", "--campaign", CZ, "--out", str(out)]) == 0
    return out


def _chromium(profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run headless Chromium once (own profile: other test runs may use Chromium too)."""
    assert CHROMIUM is not None
    return subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",  # CI runs as root
            "--disable-gpu",
            "--no-first-run",
            f"--user-data-dir={profile}",
            "--enable-logging=stderr",
            "--v=0",
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


class _Cells(HTMLParser):
    """The text of each row of the ranking tables."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self._in_ranking = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table" and ("class", "ranking") in attrs:
            self._in_ranking = True
        elif tag == "tr" and self._in_ranking:
            self.rows.append([])
        elif tag in ("td", "th") and self._in_ranking and self.rows:
            self.rows[-1].append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self._in_ranking = False

    def handle_data(self, data: str) -> None:
        if self._in_ranking and self.rows and self.rows[-1]:
            self.rows[-1][-1] += data.strip()


def _open(profile: Path, page: Path, shot: Path, size: str) -> str:
    """The page's DOM after loading, with a screenshot; fails on any console message."""
    dom = _chromium(profile, "--dump-dom", page.as_uri())
    assert dom.returncode == 0, dom.stderr[-2000:]
    shot.parent.mkdir(parents=True, exist_ok=True)
    taken = _chromium(profile, f"--window-size={size}", f"--screenshot={shot}", page.as_uri())
    assert taken.returncode == 0 and shot.stat().st_size > 10_000, taken.stderr[-2000:]
    console = [
        line for line in dom.stderr.splitlines() + taken.stderr.splitlines() if CONSOLE.search(line)
    ]
    assert console == [], f"console messages on {page.name}: {console}"
    return dom.stdout


def test_the_console_check_sees_errors(tmp_path: Path) -> None:
    """The check below can fail: a page with a script error is caught."""
    if CHROMIUM is None:
        pytest.skip("chromium is not installed (apt-get install -y chromium)")
    bad = tmp_path / "bad.html"
    bad.write_text("<!DOCTYPE html><title>x</title><script>missing()</script>", "utf-8")
    run = _chromium(tmp_path / "profile", "--dump-dom", bad.as_uri())
    assert any(CONSOLE.search(line) for line in run.stderr.splitlines())


def test_the_site_is_self_contained(site: Path) -> None:
    pages = sorted(site.rglob("*.html"))
    assert site / "index.html" in pages and site / CZ / "zh-Hant" / "wujin.html" in pages
    for page in pages:
        html = page.read_text("utf-8")
        assert not re.search(r"""(src|href)=["']?(https?:)?//""", html), page
        assert "<script" not in html and 'name="viewport"' in html, page


@needs_chromium
def test_the_site_shows_the_ranking_in_chromium(site: Path, tmp_path: Path) -> None:
    profile = tmp_path / "chromium-profile"
    index = site / CZ / "zh-Hans" / "index.html"
    dom = _open(profile, index, SCREENSHOTS / "index.png", "1200,1400")
    cells = _Cells()
    cells.feed(dom)
    ranked = [row for row in cells.rows if row and row[0].isdigit()]
    # wujin and jintan tie at 100.00 (rank 1, shared); liyang second after them.
    assert [(row[0], row[2]) for row in ranked[:3]] == [
        ("1", "100.00"),
        ("1", "100.00"),
        ("3", "84.00"),
    ]
    assert ranked[2][1] == "溧阳市安全生产监督管理局"
    assert "<svg" in dom and "综合得分" in dom

    unit = site / CZ / "en" / "liyang.html"
    dom = _open(profile, unit, SCREENSHOTS / "unit.png", "1200,1400")
    assert "3 of 3" in dom and "Suggestions received: 30" in dom and "窗口人手不足" not in dom
    _open(profile, unit, SCREENSHOTS / "unit-phone.png", "390,844")
