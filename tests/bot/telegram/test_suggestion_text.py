"""The questionnaire's suggestion goes through the same text normaliser as complaints:
nothing visible is refused with a message, a real suggestion is stored NFC and trimmed."""

from __future__ import annotations

from .conftest import BotApp
from .helpers import Citizen, answer_items, open_questionnaire, plain, stored, unit_id

BLANK = "\u200b\u200c\ufeff\u3164"  # zero-width space and non-joiner, BOM, Hangul filler


async def test_an_invisible_suggestion_is_refused_then_a_real_one_taken(app: BotApp) -> None:
    services = app.services
    citizen = Citizen(app, 6702, "en")
    wujin = unit_id(services, "wujin")
    question = await open_questionnaire(citizen, "wujin")
    prompt = await answer_items(citizen, question, wujin, [0, 1, 2, 3, 4])

    [refusal, again] = await citizen.send(BLANK, count=2)
    assert refusal.plain_text == plain("en", "survey.invisible")
    assert again.plain_text == prompt.plain_text  # the suggestion prompt again
    saved = await stored(services, citizen.id, wujin)
    assert saved is not None and saved.suggestion is None and saved.position == 5

    [review] = await citizen.send("\u200b 窗口应延长午间办公 \ufeff")
    assert "窗口应延长午间办公" in review.plain_text
    saved = await stored(services, citizen.id, wujin)
    assert saved is not None and saved.suggestion == "窗口应延长午间办公"
    assert saved.position == 6  # on the review
