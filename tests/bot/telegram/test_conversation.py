"""/start, menus, /help, /language, /cancel and the questionnaire's phases."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.core.clock import FixedClock
from bot.i18n import format_date, t
from bot.telegram.common.callbacks import StartSurvey
from bot.telegram.common.commands import COMMANDS

from .conftest import BotApp
from .helpers import (
    CAMPAIGN,
    Citizen,
    answer_data,
    answer_items,
    labels,
    levels_of,
    open_questionnaire,
    plain,
    stored,
    unit_id,
)


def menu(locale: str) -> list[dict[str, str]]:
    """The command menu as the server stores it."""
    return [{"command": c, "description": t(locale, f"cmd.{c}")} for c in COMMANDS]


@pytest.mark.parametrize(
    ("language_code", "locale"),
    [
        ("zh-hans", "zh-Hans"),
        ("en", "en"),
        ("en-GB", "en"),
        ("zh-hant", "zh-Hant"),
        ("zh-tw", "zh-Hant"),
        ("zh-hk", "zh-Hant"),
        ("fr", "zh-Hans"),
        (None, "zh-Hans"),
    ],
)
async def test_start_greets_in_the_users_language(
    app: BotApp, language_code: str | None, locale: str
) -> None:
    citizen = Citizen(app, 5001, language_code, first_name="阿明")
    [greeting] = await citizen.send("/start")
    campaign = app.services.registry.campaigns[CAMPAIGN]
    end = format_date(locale, dt.date(2011, 8, 31))
    expected = [
        plain(locale, "start.greeting", name="阿明"),
        "",
        plain(locale, "start.privacy", days=180),
        "",
        plain(locale, "start.open_header"),
        *(
            plain(
                locale,
                "start.open_line",
                campaign=campaign.name.get(locale),
                component=campaign.component(comp).name.get(locale),
                end=end,
            )
            for comp in ("onsite", "questionnaire")
        ),
    ]
    assert greeting.plain_text == "\n".join(expected)
    assert labels(greeting) == [t(locale, "btn.start_survey")]

    # "Start rating" opens the picker in the same language.
    [picker] = await citizen.press(greeting, StartSurvey().pack())
    assert campaign.name.get(locale) in picker.plain_text

    # Menus: zh-Hans by default and for "zh", English for "en"; zh-Hant per chat.
    api = app.api
    assert api.my_commands() == menu("zh-Hans")
    assert api.my_commands(language_code="zh") == menu("zh-Hans")
    assert api.my_commands(language_code="en") == menu("en")
    chat_menu = api.my_commands({"type": "chat", "chat_id": citizen.id})
    assert chat_menu == (menu("zh-Hant") if locale == "zh-Hant" else [])


async def test_help(app: BotApp) -> None:
    languages = [("zh-hans", "zh-Hans"), ("en", "en"), ("zh-tw", "zh-Hant")]
    for n, (code, locale) in enumerate(languages):
        citizen = Citizen(app, 5101 + n, code)
        [reply] = await citizen.send("/help")
        assert reply.plain_text == plain(locale, "help.text")
        assert "/survey" in reply.plain_text and "/language" in reply.plain_text


async def test_language_switch_survives_a_restart(app: BotApp) -> None:
    citizen = Citizen(app, 5201, "zh-hans")
    [choose] = await citizen.send("/language")
    assert choose.plain_text == plain("zh-Hans", "language.choose")
    assert labels(choose) == ["简体中文", "English", "繁體中文"]

    [done] = await citizen.press(choose, "lg:en")
    assert done.message_id == choose.message_id
    assert done.plain_text == plain("en", "language.set")
    chat_scope = {"type": "chat", "chat_id": citizen.id}
    assert app.api.my_commands(chat_scope) == menu("en")

    [help_] = await citizen.send("/help")
    assert help_.plain_text == plain("en", "help.text")
    [picker] = await citizen.send("/survey")
    assert "Choose the unit to rate" in picker.plain_text

    # Telegram still says zh-hans, but the choice is stored: it survives a restart.
    await app.restart()
    [help_] = await citizen.send("/help")
    assert help_.plain_text == plain("en", "help.text")

    [choose] = await citizen.send("/language")
    assert choose.plain_text == plain("en", "language.choose")
    [done] = await citizen.press(choose, "lg:zh-Hant")
    assert done.plain_text == plain("zh-Hant", "language.set")
    assert app.api.my_commands(chat_scope) == menu("zh-Hant")
    [help_] = await citizen.send("/help")
    assert help_.plain_text == plain("zh-Hant", "help.text")


async def test_cancel_keeps_the_draft_and_survey_resumes_it(app: BotApp) -> None:
    citizen = Citizen(app, 5301)
    wujin = unit_id(app.services, "wujin")
    [cancelled] = await citizen.send("/cancel")  # nothing to leave
    assert cancelled.plain_text == plain("zh-Hans", "common.cancelled")

    question = await open_questionnaire(citizen, "wujin")
    question = await answer_items(citizen, question, wujin, [0, 1])
    [left] = await citizen.send("/cancel")
    assert left.plain_text == plain("zh-Hans", "survey.cancelled_kept")

    # Out of the questionnaire, typed text is no longer taken as anything.
    [unknown] = await citizen.send("你好")
    assert unknown.plain_text == plain("zh-Hans", "common.unknown")

    [resumed] = await citizen.send("/survey")
    assert resumed.plain_text.startswith(plain("zh-Hans", "survey.resumed"))
    assert "（3/5）" in resumed.plain_text
    await answer_items(citizen, resumed, wujin, [2, 3, 4], first=2)
    saved = await stored(app.services, citizen.id, wujin)
    assert saved is not None and saved.status == "draft"
    assert saved.answers == levels_of(0, 1, 2, 3, 4)


@pytest.mark.parametrize(("language_code", "locale"), [("zh-hans", "zh-Hans"), ("en", "en")])
async def test_survey_before_the_phase_says_when_it_opens(
    app: BotApp, clock: FixedClock, language_code: str, locale: str
) -> None:
    clock.set(dt.datetime(2011, 7, 1, 10))
    citizen = Citizen(app, 5401, language_code)
    [reply] = await citizen.send("/survey")
    campaign = app.services.registry.campaigns[CAMPAIGN]
    opens = format_date(locale, dt.date(2011, 7, 25))
    assert opens in ("2011年7月25日", "25 July 2011")
    assert reply.plain_text == plain(
        locale, "survey.opens_on", campaign=campaign.name.get(locale), date=opens
    )
    assert reply.buttons == []


@pytest.mark.parametrize(("language_code", "locale"), [("zh-hans", "zh-Hans"), ("en", "en")])
async def test_survey_after_the_phase_says_it_closed(
    app: BotApp, clock: FixedClock, language_code: str, locale: str
) -> None:
    citizen = Citizen(app, 5501, language_code)
    wujin = unit_id(app.services, "wujin")
    question = await open_questionnaire(citizen, "wujin")
    question = await answer_items(citizen, question, wujin, [0, 1])

    clock.set(dt.datetime(2011, 9, 15, 10))
    campaign = app.services.registry.campaigns[CAMPAIGN]
    closed = plain(
        locale,
        "survey.closed_on",
        campaign=campaign.name.get(locale),
        date=format_date(locale, dt.date(2011, 8, 31)),
    )
    # A new questionnaire cannot be started, and the unfinished one is not offered.
    [reply] = await citizen.send("/survey")
    assert reply.plain_text == closed
    assert reply.buttons == []

    # A button of the unfinished questionnaire says the same and stores nothing.
    await citizen.press(question, answer_data(wujin, 2, 0))
    assert citizen.toasts[-1] == closed[:200]
    saved = await stored(app.services, citizen.id, wujin)
    assert saved is not None and saved.status == "draft"
    assert saved.answers == {
        "lawful-duty": "very_satisfied",
        "fair-enforcement": "fairly_satisfied",
    }

    # Someone who never started is told the same, and when the next questionnaire
    # open to the public begins (Nantong's social survey; its panel-only rating
    # opens a month earlier, which would be no use to them).
    newcomer = Citizen(app, 5502, language_code)
    [closed_msg, opens_msg] = await newcomer.send("/survey", count=2)
    assert closed_msg.plain_text == closed
    nantong = app.services.registry.campaigns["nantong-2012-efficiency"]
    assert opens_msg.plain_text == plain(
        locale,
        "survey.opens_on",
        campaign=nantong.name.get(locale),
        date=format_date(locale, dt.date(2012, 8, 1)),
    )
