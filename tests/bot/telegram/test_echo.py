"""A person's typed text shown back is cut and escaped: any length typed, a proper screen."""

from __future__ import annotations

from bot.i18n import ELLIPSIS, echo
from bot.localapi import parse_html
from bot.telegram.common.render import REVIEW_SUGGESTION_PREVIEW, SEARCH_ECHO

from .conftest import BotApp
from .helpers import Citizen, answer_items, open_questionnaire, plain, unit_buttons, unit_id

ZH = "zh-Hans"
TELEGRAM_LIMIT = 4096


def test_echo_cuts_with_an_ellipsis_then_escapes() -> None:
    assert echo("武进") == "武进"
    assert echo("a<b>&", 10) == "a&lt;b&gt;&amp;"
    cut = echo("<" * 5000, 100)
    assert parse_html(cut).text == "<" * 99 + ELLIPSIS  # 100 characters as read
    assert cut.endswith("&lt;" + ELLIPSIS)  # never half an entity
    assert echo("x" * 100, 100) == "x" * 100  # exactly at the limit: whole


async def test_a_5000_character_search_is_echoed_cut(app: BotApp) -> None:
    citizen = Citizen(app, 7001)
    [picker] = await citizen.send("/survey")
    typed = "查" * 5000  # matches no unit
    [screen] = await citizen.send(typed)
    shown = "查" * (SEARCH_ECHO - 1) + ELLIPSIS
    assert plain(ZH, "survey.no_match", query=shown) in screen.plain_text
    assert len(screen.plain_text) < TELEGRAM_LIMIT
    assert len(unit_buttons(screen)) == len(unit_buttons(picker))  # all units offered

    # Markup typed into a search is shown as typed, cut, never taken as markup.
    typed = "武进" + "<b>" * 2000
    [screen] = await citizen.send(typed)
    shown = typed[: SEARCH_ECHO - 1] + ELLIPSIS
    assert plain(ZH, "survey.no_match", query=shown) in screen.plain_text
    assert len(screen.plain_text) < TELEGRAM_LIMIT


async def test_a_5000_character_suggestion_gets_a_proper_screen(app: BotApp) -> None:
    citizen = Citizen(app, 7002)
    wujin = unit_id(app.services, "wujin")
    question = await open_questionnaire(citizen, "wujin")
    prompt = await answer_items(citizen, question, wujin, [0, 1, 2, 3, 4])
    [refusal, again] = await citizen.send("意" * 5000, count=2)
    assert refusal.plain_text == plain(ZH, "survey.too_long", limit=500, length=5000)
    assert again.plain_text == prompt.plain_text

    # The longest accepted one, all markup, is reviewed cut and escaped.
    [review] = await citizen.send("<i>" * 166 + "&&")
    preview = ("<i>" * 166 + "&&")[: REVIEW_SUGGESTION_PREVIEW - 1] + ELLIPSIS
    assert plain(ZH, "survey.review_suggestion", text=preview) in review.plain_text
    assert all(e["type"] == "bold" for e in review.entities)
