"""The citizen questionnaire end to end: picker, items, suggestion, review, submit."""

from __future__ import annotations

import asyncio

from bot.i18n import t
from bot.survey.units import PAGE_SIZE
from bot.telegram.common.callbacks import StartSurvey
from storage.models import Answer, Submission

from .conftest import BotApp
from .helpers import (
    CAMPAIGN,
    COMP,
    ITEMS,
    Citizen,
    answer_data,
    answer_items,
    count_rows,
    labels,
    level_name,
    levels_of,
    nav_data,
    open_questionnaire,
    page_data,
    pick_data,
    plain,
    stored,
    unit_buttons,
    unit_id,
    unit_name,
)

ZH = "zh-Hans"


def item_header(app: BotApp, locale: str, code: str, index: int) -> str:
    """The text asking item `index` about unit `code` (without a current choice)."""
    campaign = app.services.registry.campaigns[CAMPAIGN]
    item = campaign.questionnaire.items[index]
    return plain(
        locale,
        "survey.item",
        unit=unit_name(app.services, code, locale),
        index=index + 1,
        total=len(ITEMS),
        item=item.text.get(locale),
        hint=item.hint.get(locale) if item.hint else "",
    )


async def test_full_questionnaire(app: BotApp) -> None:
    services = app.services
    citizen = Citizen(app, 3001, "zh-hans")
    campaign = services.registry.campaigns[CAMPAIGN]
    wujin = unit_id(services, "wujin")

    # The picker: 11 units, 8 per page.
    [picker] = await citizen.send("/survey")
    expected = plain(ZH, "survey.choose_unit", campaign=campaign.name.get(ZH), component="问卷调查")
    assert picker.plain_text.startswith(expected)
    assert plain(ZH, "common.page", page=1, pages=2) in picker.plain_text
    names = [u.name.get(ZH) for u in campaign.units]
    assert len(names) == 11
    assert unit_buttons(picker) == names[:PAGE_SIZE]
    assert labels(picker)[-1] == t(ZH, "btn.next")

    [page2] = await citizen.press(picker, page_data(1))
    assert page2.message_id == picker.message_id  # turned in place
    assert unit_buttons(page2) == names[PAGE_SIZE:]
    assert labels(page2)[-1] == t(ZH, "btn.prev")
    assert plain(ZH, "common.page", page=2, pages=2) in page2.plain_text

    # Typing part of a name filters, in a new message.
    [found] = await citizen.send("武进")
    assert found.message_id != picker.message_id
    assert unit_buttons(found) == ["武进区安全生产监督管理局", "武进区行政服务中心安监窗口"]
    assert plain(ZH, "survey.filtered", query="武进") in found.plain_text

    # Item 1 replaces the picker; each answer moves on in the same message.
    [question] = await citizen.press(found, pick_data(wujin))
    assert question.message_id == found.message_id
    assert question.plain_text.startswith(item_header(app, ZH, "wujin", 0))
    assert labels(question) == [level_name(ZH, n) for n in range(5)]  # no "back" on item 1
    question = await answer_items(citizen, question, wujin, [0, 1])
    assert question.plain_text.startswith(item_header(app, ZH, "wujin", 2))
    assert t(ZH, "btn.back") in labels(question)
    so_far = await stored(services, citizen.id, wujin)
    assert so_far is not None and so_far.status == "draft" and so_far.position == 2
    assert so_far.answers == {
        "lawful-duty": "very_satisfied",
        "fair-enforcement": "fairly_satisfied",
    }

    # Back shows item 2 with its answer marked; a new answer replaces it and moves on.
    [question] = await citizen.press(question, nav_data(wujin, "back"))
    assert question.plain_text.startswith(item_header(app, ZH, "wujin", 1))
    assert plain(ZH, "survey.item_chosen", level=level_name(ZH, 1)) in question.plain_text
    assert "● " + level_name(ZH, 1) in labels(question)
    question = await answer_items(citizen, question, wujin, [2, 3, 4, 0], first=1)

    # The suggestion: skip it, then come back from the review and write one.
    assert question.plain_text.startswith("武进区安全生产监督管理局\n您对该单位的政风行风")
    assert labels(question) == [t(ZH, "btn.back"), t(ZH, "btn.skip")]
    [review] = await citizen.press(question, nav_data(wujin, "skip"))
    assert plain(ZH, "survey.review_no_suggestion") in review.plain_text
    [prompt] = await citizen.press(review, nav_data(wujin, "edit", len(ITEMS)))
    assert prompt.message_id == review.message_id
    [review] = await citizen.send("希望办事窗口延长午间服务时间。")
    assert review.message_id != prompt.message_id  # typed text gets a new message

    # The review lists every answer and the suggestion.
    chosen = [0, 2, 3, 4, 0]
    for n, (item, level) in enumerate(zip(campaign.questionnaire.items, chosen, strict=True)):
        line = plain(
            ZH,
            "survey.review_line",
            index=n + 1,
            item=item.text.get(ZH),
            level=level_name(ZH, level),
        )
        assert line in review.plain_text.splitlines()
    assert plain(ZH, "survey.review_suggestion", text="希望办事窗口延长午间服务时间。") in (
        review.plain_text
    )
    assert labels(review)[-1] == t(ZH, "btn.submit")

    # "Change item 3" → item 3 → a new answer → straight back to the review.
    [item3] = await citizen.press(review, nav_data(wujin, "edit", 2))
    assert item3.plain_text.startswith(item_header(app, ZH, "wujin", 2))
    [review] = await citizen.press(item3, answer_data(wujin, 2, 1))
    assert review.plain_text.startswith(
        plain(ZH, "survey.review", unit="武进区安全生产监督管理局", component="问卷调查")
    )
    assert "3. 政务公开：比较满意" in review.plain_text.splitlines()

    # Submit: thanks and "rate another unit".
    [thanks] = await citizen.press(review, nav_data(wujin, "submit"))
    assert thanks.plain_text == plain(ZH, "survey.thanks", unit="武进区安全生产监督管理局")
    assert labels(thanks) == [t(ZH, "btn.rate_another"), t(ZH, "rectify.btn.follow")]

    saved = await stored(services, citizen.id, wujin)
    assert saved is not None
    assert saved.status == "submitted"
    assert saved.answers == levels_of(0, 2, 1, 4, 0)
    assert saved.suggestion == "希望办事窗口延长午间服务时间。"
    assert await count_rows(services, Submission, respondent_id=citizen.id) == 1
    assert await count_rows(services, Answer, respondent_id=citizen.id) == len(ITEMS)

    # "Rate another unit" opens a fresh picker with the rated unit ticked.
    [again] = await citizen.press(thanks, StartSurvey(campaign=CAMPAIGN, comp=COMP).pack())
    assert again.message_id != thanks.message_id
    assert f"{t(ZH, 'survey.rated_mark')} 武进区安全生产监督管理局" in unit_buttons(again)


async def finish(citizen: Citizen, code: str, levels: list[int], suggestion: str | None) -> str:
    """A whole questionnaire by one citizen; returns the thanks text."""
    services = citizen.app.services
    unit = unit_id(services, code)
    question = await open_questionnaire(citizen, code)
    prompt = await answer_items(citizen, question, unit, levels)
    if suggestion is None:
        [review] = await citizen.press(prompt, nav_data(unit, "skip"))
    else:
        [review] = await citizen.send(suggestion)
    [thanks] = await citizen.press(review, nav_data(unit, "submit"))
    return thanks.plain_text


async def test_many_citizens_at_once(app: BotApp) -> None:
    services = app.services
    campaign = services.registry.campaigns[CAMPAIGN]
    codes = [u.id for u in campaign.units]
    people = [
        (
            Citizen(app, 4000 + n, ("zh-hans", "en", "zh-tw")[n % 3]),
            codes[n % len(codes)],
            [(n + k) % 5 for k in range(len(ITEMS))],
            f"第{n}号市民的建议" if n % 2 else None,
        )
        for n in range(20)
    ]
    thanks = await asyncio.wait_for(
        asyncio.gather(*(finish(c, code, lv, s) for c, code, lv, s in people)), 120
    )

    for (citizen, code, levels, suggestion), text in zip(people, thanks, strict=True):
        locale = ("zh-Hans", "en", "zh-Hant")[(citizen.id - 4000) % 3]
        assert text == plain(locale, "survey.thanks", unit=unit_name(services, code, locale))
        saved = await stored(services, citizen.id, unit_id(services, code))
        assert saved is not None and saved.status == "submitted"
        assert saved.answers == levels_of(*levels)
        assert saved.suggestion == suggestion
        # The picker, then edits only, but for the review after a typed suggestion:
        # no message was sent twice.
        assert app.api.delivered_count(citizen.id) == (1 if suggestion is None else 2)
        assert citizen.toasts == []
    assert await count_rows(services, Submission, component=COMP, status="submitted") == 20
    assert await count_rows(services, Answer, component=COMP) == 20 * len(ITEMS)


async def test_suggestion_markup_is_shown_escaped(app: BotApp) -> None:
    citizen = Citizen(app, 3101)
    wujin = unit_id(app.services, "wujin")
    question = await open_questionnaire(citizen, "wujin")
    await answer_items(citizen, question, wujin, [0, 0, 0, 0, 0])
    text = "<b>x</b> & <script>alert(1)</script>"
    [review] = await citizen.send(text)
    assert plain(ZH, "survey.review_suggestion", text=text) in review.plain_text
    assert "<b>x</b> &amp; &lt;script&gt;" not in review.plain_text
    assert review.entities == [e for e in review.entities if e["type"] == "bold"]
    assert all(call.status < 400 for call in app.api.calls)
    saved = await stored(app.services, citizen.id, wujin)
    assert saved is not None and saved.suggestion == text


async def test_same_unit_twice(app: BotApp) -> None:
    services = app.services
    citizen = Citizen(app, 3201)
    wujin = unit_id(services, "wujin")
    assert "感谢" in await finish(citizen, "wujin", [1, 1, 1, 1, 1], None)
    already = plain(ZH, "survey.already_rated", unit="武进区安全生产监督管理局")

    # Through "rate another unit": the unit is ticked, and choosing it says it was rated.
    thanks = citizen.user.last_message
    assert thanks is not None
    [picker] = await citizen.press(thanks, StartSurvey(campaign=CAMPAIGN, comp=COMP).pack())
    assert await citizen.press(picker, pick_data(wujin)) == []
    assert citizen.toasts == [already]

    # Through a search: the same.
    [found] = await citizen.send("武进")
    assert await citizen.press(found, pick_data(wujin)) == []
    assert citizen.toasts == [already, already]

    assert await count_rows(services, Submission, respondent_id=citizen.id) == 1
    saved = await stored(services, citizen.id, wujin)
    assert saved is not None and saved.status == "submitted"
    assert saved.answers == levels_of(1, 1, 1, 1, 1)
