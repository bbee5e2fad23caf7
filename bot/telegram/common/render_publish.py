"""Publication screens: the /publish preview and the pages of /results, with their buttons."""

from __future__ import annotations

from bot.campaign.schema import Unit
from bot.i18n import format_date, t
from bot.publish.service import Preview, Published
from bot.publish.site import local_time
from bot.publish.snapshot import LookedBack, PublishedUnit
from bot.telegram.common.callbacks import PublishConfirm, ResultsPage
from bot.telegram.common.keyboards_reach import back_to_results, unit_rows
from bot.telegram.common.markup import Button, Keyboard
from bot.telegram.common.render_reach import outreach, published_last

PAGE_SIZE = 8  # units per /results page: eight lines with their problems fit easily


def preview(view: Preview, campaign: str, locale: str) -> tuple[str, Keyboard]:
    """What a /publish will do, with Publish / Cancel."""
    lines = [
        t(
            locale,
            "publish.preview",
            campaign=campaign,
            number=view.number,
            ranked=view.ranked,
            units=view.units,
        )
    ]
    if view.reason:
        lines.append(t(locale, "publish.preview.reason", reason=view.reason))
    buttons = [
        Button(
            text=t(locale, f"publish.button.{label}"),
            callback_data=PublishConfirm(request=view.request_id, go=go).pack(),
        )
        for label, go in (("confirm", True), ("cancel", False))
    ]
    return "\n\n".join(lines), Keyboard(inline_keyboard=[buttons])


def ordered(units: list[PublishedUnit], touched: set[int]) -> list[PublishedUnit]:
    """The person's own units first (each group in ranking order)."""
    return [u for u in units if u.unit_id in touched] + [
        u for u in units if u.unit_id not in touched
    ]


def _line(
    unit: PublishedUnit,
    touched: set[int],
    locale: str,
    looked: LookedBack | None = None,
    extra: str | None = None,
) -> str:
    """One unit: rank, composite, satisfaction with interval and people, flags, last round
    (回头看, when the campaign follows another), problems, and `extra` (its rectification)."""
    mark = "★ " if unit.unit_id in touched else ""
    satisfaction = f"{unit.satisfaction}%" if unit.satisfaction else "—"
    if unit.rank is None:
        line = t(
            locale,
            "publish.results.unranked",
            mark=mark,
            unit=unit.label(locale),
            status=t(locale, f"scoring.status.{unit.status}"),
            satisfaction=satisfaction,
            people=unit.people,
        )
    else:
        interval = f"{unit.low}–{unit.high}%" if unit.low else "—"
        flags = "".join(" · " + t(locale, f"scoring.flag.{f}") for f in unit.flags)
        line = t(
            locale,
            "publish.results.line",
            mark=mark,
            rank=unit.rank,
            unit=unit.label(locale),
            composite=unit.composite,
            satisfaction=satisfaction,
            interval=interval,
            people=unit.people,
            flags=flags,
        )
    line += published_last(looked, unit.last, locale)
    if unit.complaints or unit.suggestions:
        complaints = ", ".join(f"{p.name[locale]} {p.count}" for p in unit.complaints) or "0"
        line += "\n" + t(
            locale, "publish.results.problems", complaints=complaints, suggestions=unit.suggestions
        )
    return line if extra is None else line + "\n" + extra


def results(
    pub: Published,
    others: list[Published],
    touched: set[int],
    kind_index: int,
    page: int,
    locale: str,
    extra: dict[int, str] | None = None,
) -> tuple[str, Keyboard]:
    """One page of a publication's ranking of one kind, and the buttons around it;
    `extra` adds a line under a unit (its rectification, which is not in the snapshot)."""
    snap = pub.snapshot
    kind_index = min(max(kind_index, 0), len(snap.kinds) - 1)
    kind = snap.kinds[kind_index]
    units = ordered(snap.ranking(kind), touched)
    pages = max(1, -(-len(units) // PAGE_SIZE))
    page = min(max(page, 0), pages - 1)
    date = format_date(locale, local_time(snap, pub.published_at).date())
    lines = [
        t(
            locale,
            "publish.results.title",
            campaign=snap.title(locale),
            kind=t(locale, f"scoring.kind.{kind}"),
        ),
        t(locale, "publish.results.meta", number=pub.number, date=date),
    ]
    if pub.corrects is not None:
        previous = pub.number - 1
        lines.append(
            t(locale, "publish.results.correction", previous=previous, reason=pub.reason or "")
        )
    shown = units[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
    more = extra or {}
    looked = snap.looks_back
    lines += [_line(u, touched, locale, looked, more.get(u.unit_id)) for u in shown] or [
        t(locale, "publish.results.empty")
    ]
    if touched & {u.unit_id for u in units}:
        lines.append(t(locale, "publish.results.yours"))
    if pages > 1:
        lines.append(t(locale, "publish.results.page", page=page + 1, pages=pages))
    markup = _results_keyboard(pub, others, kind_index, page, pages, locale)
    rows = unit_rows(pub.id, shown, kind_index, page, locale) + markup.inline_keyboard
    return "\n\n".join(lines), Keyboard(inline_keyboard=rows)


def unit_view(
    pub: Published, unit: PublishedUnit, info: Unit | None, kind: int, page: int, locale: str
) -> tuple[str, Keyboard]:
    """One published unit: its line as in the ranking, last round, time limits, channel."""
    snap = pub.snapshot
    title = t(
        locale,
        "reach.results.unit_title",
        unit=unit.label(locale),
        campaign=snap.title(locale),
        number=pub.number,
    )
    lines = [title, _line(unit, set(), locale, snap.looks_back)]
    if snap.looks_back is not None and unit.last is not None:
        back = snap.looks_back
        key = f"reach.last.source.{back.source}"
        lines.append(t(locale, key, campaign=back.name[locale], number=back.number or ""))
    if info is not None:
        lines.append("\n".join(outreach(info, locale)))
    text = "\n\n".join(line for line in lines if line)
    return text, back_to_results(pub.id, kind, page, locale)


def _results_keyboard(
    pub: Published, others: list[Published], kind_index: int, page: int, pages: int, locale: str
) -> Keyboard:
    """Kinds, previous / next, and the other published campaigns."""
    snap = pub.snapshot

    def button(text: str, target: Published, kind: int, to: int) -> Button:
        """A button showing page `to` of kind `kind` of publication `target`."""
        data = ResultsPage(pub=target.id, kind=kind, page=to).pack()
        return Button(text=text, callback_data=data)

    rows: list[list[Button]] = []
    if len(snap.kinds) > 1:
        rows.append(
            [
                button(
                    ("• " if n == kind_index else "") + t(locale, f"scoring.kind.{k}"), pub, n, 0
                )
                for n, k in enumerate(snap.kinds)
            ]
        )
    turn = []
    if page > 0:
        turn.append(button(t(locale, "publish.button.prev"), pub, kind_index, page - 1))
    if page + 1 < pages:
        turn.append(button(t(locale, "publish.button.next"), pub, kind_index, page + 1))
    if turn:
        rows.append(turn)
    rows += [[button(other.snapshot.title(locale), other, 0, 0)] for other in others]
    return Keyboard(inline_keyboard=rows)
