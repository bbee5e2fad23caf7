"""The public web site of published results: static pages rendered with Jinja2.

`render_site` turns publications into ``{relative path: HTML}``; `write_site`
writes them to a folder any web server can host, and bot/publish/web.py serves
the same mapping itself.  Pages use nothing outside themselves: CSS is inline,
charts are inline SVG drawn here, links are relative.

Layout (every page at the same depth inside its campaign, so links are simple)::

    index.html                              the published campaigns, in every locale
    <campaign>/<locale>/index.html          the latest publication: ranking per kind
    <campaign>/<locale>/<unit>.html         one unit of the latest publication
    <campaign>/<n>/<locale>/…               publication No. n, kept as it was published
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from bot.campaign.schema import Campaign, Unit
from bot.i18n import LOCALES, format_date, t
from bot.publish.service import PublicationService, Published
from bot.publish.snapshot import PublishedUnit, Snapshot
from bot.rectification.public import Rectified, rectified
from bot.rectification.service import RectificationService
from storage.uow import UnitOfWork

BAR_WIDTH = 360  # SVG user units of a 100-point bar
ROW_HEIGHT = 28
LABEL_WIDTH = 200
LOCALE_NAMES = {"zh-Hans": "简体中文", "en": "English", "zh-Hant": "繁體中文"}


@dataclass(frozen=True)
class Bar:
    """One row of the ranking chart."""

    y: int
    label: str
    width: float
    value: str
    flagged: bool


def _environment() -> Environment:
    """Templates from the package, HTML autoescaped, a missing variable an error."""
    env = Environment(
        loader=PackageLoader("bot.publish", "templates"),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["LOCALES"] = LOCALES
    env.globals["LOCALE_NAMES"] = LOCALE_NAMES
    return env


_ENV = _environment()


def _text(locale: str) -> Any:
    """The template's `_`: a translation (placeholder values escaped by bot/i18n)."""

    def translate(key: str, **values: object) -> Markup:
        """The text of `key`, safe to insert (bot/i18n escaped the values)."""
        return Markup(t(locale, key, **values))

    return translate


def local_time(snapshot: Snapshot, moment: dt.datetime) -> dt.datetime:
    """`moment` in the campaign's time zone."""
    return moment.astimezone(ZoneInfo(snapshot.timezone))


def bars(units: list[PublishedUnit], locale: str) -> list[Bar]:
    """The ranking chart's rows: ranked units only, a bar per composite."""
    rows = [u for u in units if u.composite is not None and u.rank is not None]
    top = max([100.0, *(float(u.composite or 0) for u in rows)])
    return [
        Bar(
            y=n * ROW_HEIGHT,
            label=f"{u.rank}. {u.label(locale)}",
            width=round(float(u.composite or 0) / top * BAR_WIDTH, 1),
            value=u.composite or "",
            flagged="talk" in u.flags or "no_excellence" in u.flags,
        )
        for n, u in enumerate(rows)
    ]


def _common(pub: Published, locale: str, history: list[Published], up: str) -> dict[str, Any]:
    """What every page of a publication shows: names, dates, the history, the switch."""
    snap = pub.snapshot
    published = local_time(snap, pub.published_at)
    corrected = next((p for p in history if p.id == pub.corrects), None)
    return {
        "locale": locale,
        "_": _text(locale),
        "pub": pub,
        "snap": snap,
        "history": history,
        "corrected": corrected,
        "published_date": format_date(locale, published.date()),
        "computed": local_time(snap, snap.computed_at).strftime("%Y-%m-%d %H:%M"),
        "date_of": lambda p: format_date(locale, local_time(snap, p.published_at).date()),
        "up": up,  # from a page to its campaign's folder
        "root": up + "../",
        "BAR_WIDTH": BAR_WIDTH,
        "ROW_HEIGHT": ROW_HEIGHT,
        "LABEL_WIDTH": LABEL_WIDTH,
    }


def _publication_pages(
    pub: Published,
    history: list[Published],
    prefix: str,
    up: str,
    campaign: Campaign | None,
    rectification: dict[int, Rectified] | None = None,
) -> dict[str, str]:
    """The index and unit pages of one publication, in every locale, under `prefix`; a
    unit's page shows its time limits and complaint channel as `campaign`'s file has them,
    and `rectification` (each unit's plan and its satisfaction, live) on the latest only."""
    pages: dict[str, str] = {}
    snap = pub.snapshot
    for locale in LOCALES:
        common = _common(pub, locale, history, up)
        rankings = [(kind, snap.ranking(kind)) for kind in snap.kinds]
        charts = {kind: bars(units, locale) for kind, units in rankings}
        pages[f"{prefix}/{locale}/index.html"] = _ENV.get_template("index.html").render(
            common, rankings=rankings, charts=charts, page="index.html"
        )
        for unit in snap.units:
            found = (rectification or {}).get(unit.unit_id)
            pages[f"{prefix}/{locale}/{unit.code}.html"] = _ENV.get_template("unit.html").render(
                common,
                unit=unit,
                page=f"{unit.code}.html",
                info=_outreach(campaign, unit.code),
                live=rectification is not None,
                rectify=None if found is None else found.view(locale),
            )
    return pages


def _outreach(campaign: Campaign | None, code: str) -> Unit | None:
    """The unit as the loaded campaign file has it (its time limits, complaint channel)."""
    return next((u for u in campaign.units if u.id == code), None) if campaign else None


def render_site(
    campaigns: list[list[Published]],
    loaded: Mapping[str, Campaign] | None = None,
    rectification: dict[str, dict[int, Rectified]] | None = None,
) -> dict[str, str]:
    """Every page of the site: `campaigns` holds each campaign's publications, oldest first;
    `loaded` the campaign files, whose units' time limits and complaint channels are shown
    as they are now (they are what a unit publishes, not a figure of the round);
    `rectification` each campaign's units' rectification (on its latest pages)."""
    pages: dict[str, str] = {}
    latest = [history[-1] for history in campaigns if history]
    for history in campaigns:
        if not history:
            continue
        cid = history[-1].snapshot.campaign_id
        campaign = (loaded or {}).get(cid)
        live = None if rectification is None else rectification.get(cid, {})
        pages.update(_publication_pages(history[-1], history, cid, "../", campaign, live))
        for pub in history:
            prefix = f"{cid}/{pub.number}"
            pages.update(_publication_pages(pub, history, prefix, "../../", campaign))
    pages["index.html"] = _ENV.get_template("root.html").render(
        latest=latest,
        date_of=lambda p, loc: format_date(loc, local_time(p.snapshot, p.published_at).date()),
        _=_text,
    )
    return pages


def write_site(pages: dict[str, str], out: Path) -> list[Path]:
    """Write the pages under `out` (folders created); returns the files written."""
    written = []
    for relative, html in sorted(pages.items()):
        path = out / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(html, encoding="utf-8")
        written.append(path)
    return written


async def published_pages(
    service: PublicationService,
    uow: UnitOfWork,
    campaign_ids: list[str] | None = None,
    rectification: RectificationService | None = None,
) -> dict[str, str]:
    """The site of what is published (every published campaign, or those named), with
    each unit's rectification when `rectification` is given."""
    published = await service.published_campaigns(uow)
    wanted = published if campaign_ids is None else [c for c in published if c in campaign_ids]
    live = None
    if rectification is not None:
        live = {cid: await rectified(rectification, uow, cid) for cid in wanted}
    histories = [await service.history(uow, cid) for cid in wanted]
    return render_site(histories, service.registry.campaigns, live)
