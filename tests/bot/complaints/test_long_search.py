"""A very long unit search in /complain is echoed cut, as in the questionnaire's picker
(found by the fuzz test: the complaint picker echoed all of it, the reply passed
Telegram's 4096 characters, and the citizen got the generic error)."""

from __future__ import annotations

from bot.i18n import ELLIPSIS
from bot.telegram.common.render import SEARCH_ECHO
from tests.bot.telegram.helpers import Citizen, plain

from .conftest import ComplaintApp

EN = "en"


async def test_a_5000_character_search_is_echoed_cut(app: ComplaintApp) -> None:
    person = Citizen(app, 58_301, EN)
    await person.send("/complain")
    [picker] = await person.send("<b>" * 1700)  # matches no unit; 5100 characters
    shown = ("<b>" * SEARCH_ECHO)[: SEARCH_ECHO - 1] + ELLIPSIS
    assert plain(EN, "survey.no_match", query=shown) in picker.plain_text
    assert picker.buttons, "the picker, with every unit to choose from"
    # The api fixture checks afterwards that no call was refused ("message is too long").
