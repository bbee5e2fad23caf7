"""The one place that builds keyboards (the admin's screens: keyboards_admin.py).

Keyboards are built directly as markup (aiogram's builder deep-copies on every
export) and the questionnaire's are cached by their inputs: the same item in
the same state for the same locale always shows the same buttons.
"""

from __future__ import annotations

from functools import lru_cache

from bot.campaign.schema import Campaign, Component
from bot.complaints.flow import EDITABLE
from bot.complaints.screens import RATINGS, VERDICTS, Card, Choice, ComplaintView, DraftScreen
from bot.i18n import LOCALES, t
from bot.survey.flow import LEVELS
from bot.survey.screens import Question, UnitChoice
from bot.telegram.common.callbacks import (
    AnswerItem,
    ChooseLanguage,
    ComplaintAction,
    ComplaintDraftAction,
    FollowUnit,
    Navigate,
    PickCampaign,
    PickUnit,
    StartSurvey,
    UnitsPage,
)
from bot.telegram.common.codec import CallbackData
from bot.telegram.common.markup import Button, Keyboard

Rows = list[list[Button]]


def _button(text: str, data: CallbackData) -> Button:
    return Button(text=text, callback_data=data.pack())


def _chunks(buttons: list[Button], size: int) -> Rows:
    return [buttons[i : i + size] for i in range(0, len(buttons), size)]


def levels(question: Question, locale: str) -> Keyboard:
    """The five levels (the chosen one marked), then "back" unless on the first item."""
    index = question.draft.position
    item = question.campaign.questionnaire_for(question.component).items[index]
    chosen = question.draft.answers.get(item.id)
    return _levels(question.unit_id, question.component.id, index, chosen, locale)


@lru_cache(maxsize=4096)
def _levels(unit: int, comp: str, index: int, chosen: str | None, locale: str) -> Keyboard:
    buttons = [
        _button(
            ("● " if chosen == level.value else "") + t(locale, f"level.{level.value}"),
            AnswerItem(unit=unit, comp=comp, item=index, level=n),
        )
        for n, level in enumerate(LEVELS)
    ]
    rows = [buttons[:3], buttons[3:]]
    if index > 0:
        rows.append([_nav(unit, comp, "back", locale, "btn.back")])
    return Keyboard(inline_keyboard=rows)


def suggestion(question: Question, locale: str) -> Keyboard:
    """ "Back" and "skip" under the suggestion prompt."""
    return _suggestion(question.unit_id, question.component.id, locale)


@lru_cache(maxsize=1024)
def _suggestion(unit: int, comp: str, locale: str) -> Keyboard:
    row = [
        _nav(unit, comp, "back", locale, "btn.back"),
        _nav(unit, comp, "skip", locale, "btn.skip"),
    ]
    return Keyboard(inline_keyboard=[row])


def review(question: Question, locale: str) -> Keyboard:
    """One "change" button per item (and the suggestion), then "submit"."""
    q = question.campaign.questionnaire_for(question.component)
    return _review(
        question.unit_id, question.component.id, len(q.items), q.suggestion is not None, locale
    )


@lru_cache(maxsize=1024)
def _review(unit: int, comp: str, items: int, has_suggestion: bool, locale: str) -> Keyboard:
    edits = [
        _nav(unit, comp, "edit", locale, "btn.edit_item", index=n, label_index=n + 1)
        for n in range(items)
    ]
    rows = _chunks(edits, 3)
    if has_suggestion:
        rows.append([_nav(unit, comp, "edit", locale, "btn.edit_suggestion", index=items)])
    rows.append([_nav(unit, comp, "submit", locale, "btn.submit")])
    return Keyboard(inline_keyboard=rows)


def _nav(
    unit: int,
    comp: str,
    action: str,
    locale: str,
    key: str,
    index: int = 0,
    label_index: int | None = None,
) -> Button:
    label = t(locale, key, index=label_index) if label_index is not None else t(locale, key)
    return _button(label, Navigate(unit=unit, comp=comp, action=action, index=index))


def units(choice: UnitChoice, locale: str) -> Keyboard:
    """The units of one page (rated ones ticked), then page buttons."""
    entries = tuple(
        (choice.unit_ids[u.id], u.name.get(locale), choice.unit_ids[u.id] in choice.rated)
        for u in choice.page.units
    )
    return _units(
        choice.campaign.id,
        choice.component.id,
        entries,
        choice.page.page,
        choice.page.pages,
        locale,
    )


@lru_cache(maxsize=4096)
def _units(
    campaign: str,
    comp: str,
    entries: tuple[tuple[int, str, bool], ...],
    page: int,
    pages: int,
    locale: str,
) -> Keyboard:
    tick = t(locale, "survey.rated_mark") + " "
    rows: Rows = [
        [_button((tick if rated else "") + name, PickUnit(unit=unit_id, comp=comp))]
        for unit_id, name, rated in entries
    ]
    turn = []
    if page > 0:
        turn.append(_page_button(campaign, comp, page - 1, locale, "btn.prev"))
    if page < pages - 1:
        turn.append(_page_button(campaign, comp, page + 1, locale, "btn.next"))
    if turn:
        rows.append(turn)
    return Keyboard(inline_keyboard=rows)


def _page_button(campaign: str, comp: str, page: int, locale: str, key: str) -> Button:
    return _button(t(locale, key), UnitsPage(campaign=campaign, comp=comp, page=page))


def campaigns(options: list[tuple[Campaign, Component]], locale: str) -> Keyboard:
    """One button per open questionnaire (campaign × component)."""
    rows = [
        [
            _button(
                f"{campaign.name.get(locale)} · {component.name.get(locale)}",
                PickCampaign(campaign=campaign.id, comp=component.id),
            )
        ]
        for campaign, component in options
    ]
    return Keyboard(inline_keyboard=rows)


def rate_another(
    campaign: Campaign, component: Component, locale: str, unit_id: int = 0
) -> Keyboard:
    """The buttons after a submission: rate another unit, follow this one (整改反馈)."""
    data = StartSurvey(campaign=campaign.id, comp=component.id)
    rows = [[_button(t(locale, "btn.rate_another"), data)]]
    if unit_id:
        rows.append([_button(t(locale, "rectify.btn.follow"), FollowUnit(unit=unit_id))])
    return Keyboard(inline_keyboard=rows)


def start(locale: str) -> Keyboard:
    """The "start rating" button under the greeting."""
    return Keyboard(inline_keyboard=[[_button(t(locale, "btn.start_survey"), StartSurvey())]])


def languages() -> Keyboard:
    """The three locales, each named in itself."""
    row = [
        _button(t(locale, f"lang.{locale}"), ChooseLanguage(locale=locale)) for locale in LOCALES
    ]
    return Keyboard(inline_keyboard=[row])


# -- complaints ------------------------------------------------------------------------------


def _cd(label: str, action: str, arg: int = 0, campaign: str = "") -> Button:
    return _button(label, ComplaintDraftAction(action=action, arg=arg, campaign=campaign))


def _ca(label: str, ref: str, action: str, arg: int = 0) -> Button:
    return _button(label, ComplaintAction(ref=ref, action=action, arg=arg))


def complaint_draft(screen: DraftScreen, locale: str) -> Keyboard | None:
    """The buttons of the draft's current step (none while the citizen types)."""
    draft, rows = screen.draft, []
    if draft.step == "campaign":
        rows = [[_cd(c.name.get(locale), "campaign", campaign=c.id)] for c in screen.campaigns]
    elif draft.step == "unit" and screen.page is not None:
        page = screen.page
        rows = [[_cd(u.name.get(locale), "unit", screen.unit_ids[u.id])] for u in page.units]
        turn = []
        if page.page > 0:
            turn.append(_cd(t(locale, "btn.prev"), "page", page.page - 1))
        if page.page < page.pages - 1:
            turn.append(_cd(t(locale, "btn.next"), "page", page.page + 1))
        rows += [turn] if turn else []
        rows.append([_cd(t(locale, "complaint.btn.not_sure"), "unit", 0)])
    elif draft.step == "kind" and screen.campaign is not None and screen.campaign.complaints:
        kinds = screen.campaign.complaints.conduct_kinds
        rows = _chunks([_cd(k.name.get(locale), "kind", n) for n, k in enumerate(kinds)], 2)
    elif draft.step == "evidence":
        rows = [
            [
                _cd(
                    t(
                        locale,
                        "complaint.btn.done" if draft.attachments else "complaint.btn.no_files",
                    ),
                    "done",
                )
            ]
        ]
        if draft.attachments:
            rows.append([_cd(t(locale, "complaint.btn.clear_files"), "clear")])
    elif draft.step == "contact":
        rows = [[_cd(t(locale, "complaint.btn.anonymous"), "anon")]]
    elif draft.step == "review":
        edits = [
            _cd(t(locale, f"complaint.btn.edit_{what}"), "edit", n)
            for n, what in enumerate(EDITABLE)
        ]
        rows = [
            *_chunks(edits, 3),
            [_cd(t(locale, "complaint.btn.submit"), "submit")],
            [_cd(t(locale, "complaint.btn.discard"), "discard")],
        ]
    return Keyboard(inline_keyboard=rows) if rows else None


def complaint_card(card: Card, locale: str) -> Keyboard | None:
    """A card's actions for its audience, given the complaint's state."""
    view, cid = card.view, card.view.tracking
    names: list[str] = []
    if card.audience == "handler" and view.status in ("open", "accepted"):
        names = (["accept"] if view.status == "open" else []) + [
            "ask",
            "progress",
            "cohandle",
            "extend",
            "transfer",
            "close",
        ]
    elif card.audience == "cohandler" and view.status in ("open", "accepted"):
        names = ["part"]
    elif card.audience == "centre":
        if view.status == "triage":
            names += ["route"]
        if view.open:
            names += ["class"]
        if view.status in ("open", "accepted"):
            names += ["cohandle"]
        if view.extension_reason is not None and view.open:
            names += ["approve", "refuse"]
        if view.review == "requested":
            names += ["reopen", "uphold"]
    buttons = [_ca(t(locale, f"complaint.btn.{name}"), cid, name) for name in names]
    return Keyboard(inline_keyboard=_chunks(buttons, 2)) if buttons else None


def complaint_choice(choice: Choice, locale: str) -> Keyboard:
    """Units (paged), case classes or verdicts for one complaint, with "back"."""
    cid, rows = choice.view.tracking, []
    if choice.what in ("units", "counits") and choice.page is not None:
        # Routing (route → unit) or adding a co-handling unit (cohandle → counit).
        pick, turn_to = ("unit", "route") if choice.what == "units" else ("counit", "cohandle")
        page = choice.page
        rows = [[_ca(u.name.get(locale), cid, pick, choice.unit_ids[u.id])] for u in page.units]
        turn = []
        if page.page > 0:
            turn.append(_ca(t(locale, "btn.prev"), cid, turn_to, page.page - 1))
        if page.page < page.pages - 1:
            turn.append(_ca(t(locale, "btn.next"), cid, turn_to, page.page + 1))
        rows += [turn] if turn else []
    elif choice.what == "classes":
        rules = choice.view.campaign.complaints
        classes = rules.case_classes if rules else []
        rows = [
            [
                _ca(
                    t(
                        locale,
                        "complaint.class_button",
                        name=c.name.get(locale),
                        days=c.working_days,
                    ),
                    cid,
                    "setclass",
                    n,
                )
            ]
            for n, c in enumerate(classes)
        ]
    else:
        rows = [
            [_ca(t(locale, f"complaint.verdict.{v}"), cid, "verdict", n)]
            for n, v in enumerate(VERDICTS)
        ]
    back = {"verdicts": "back", "counits": "coback"}.get(choice.what, "cback")
    rows.append([_ca(t(locale, "btn.back"), cid, back)])
    return Keyboard(inline_keyboard=rows)


def complaint_result(view: ComplaintView, locale: str) -> Keyboard | None:
    """Rate the handling; after 不满意, ask once for a review."""
    if view.rating is None:
        buttons = [
            _ca(t(locale, f"complaint.rating.{r}"), view.tracking, "rate", n)
            for n, r in enumerate(RATINGS)
        ]
        return Keyboard(inline_keyboard=[buttons])
    if view.rating == "dissatisfied" and view.review is None:
        button = _ca(t(locale, "complaint.btn.review"), view.tracking, "review")
        return Keyboard(inline_keyboard=[[button]])
    return None


def complaint_reply(view: ComplaintView, locale: str) -> Keyboard:
    """ "Answer" under a handler's question relayed to the citizen."""
    return Keyboard(
        inline_keyboard=[[_ca(t(locale, "complaint.btn.reply"), view.tracking, "reply")]]
    )


def my_complaints(views: list[ComplaintView], locale: str) -> Keyboard | None:
    """ "Add information" for each open complaint of the citizen."""
    rows = [
        [_ca(t(locale, "complaint.btn.info", tracking=v.tracking), v.tracking, "info")]
        for v in views
        if v.open
    ]
    return Keyboard(inline_keyboard=rows) if rows else None
