"""Text with nothing visible in it (zero-width, format characters, blank fillers) is
refused with a message — as a description, as added information and as a reply —
and what the person entered before is kept."""

from __future__ import annotations

from bot.i18n import t
from tests.bot.telegram.helpers import plain, unit_id, wait_until

from .conftest import ComplaintApp
from .test_lifecycle import (
    act_data,
    citizen,
    complaint_row,
    draft_data,
    newest_with,
    register_handler,
)

ZH = "zh-Hans"
BLANK = "\u200b\u3164 \u2060\u200d"  # zero-width space, Hangul filler, word joiner, ZWJ


async def test_invisible_text_is_refused_everywhere_a_citizen_types(app: ComplaintApp) -> None:
    handler = await register_handler(app, 71_001, "wujin")
    person = citizen(app)
    refusal = plain(ZH, "complaint.bad.invisible")

    # The description: refused, the draft stays on its step; a real one is taken.
    [picker] = await person.send("/complain")
    [kind] = await person.press(picker, draft_data("unit", unit_id(app.services, "wujin")))
    [describe] = await person.press(kind, draft_data("kind", 0))
    problem, again = await person.send(BLANK, count=2)
    assert problem.plain_text == refusal
    assert again.plain_text == describe.plain_text
    [evidence] = await person.send("\u200b窗口推诿\u200b")
    [contact] = await person.press(evidence, draft_data("done"))
    [review] = await person.press(contact, draft_data("anon"))
    assert "窗口推诿" in review.plain_text and "\u200b" not in review.plain_text
    [filed] = await person.press(review, draft_data("submit"))
    tracking = "TS11-" + filed.plain_text.split("TS11-")[1][:9]
    assert (await complaint_row(app, tracking)).text == "窗口推诿"

    # Added information: refused, still asked for; then relayed.
    [mine] = await person.send("/mycomplaints")
    await person.press(mine, act_data(tracking, "info"))
    [problem] = await person.send(BLANK)
    assert problem.plain_text == refusal
    await person.send("另:他们让我明天再来。")
    await wait_until(
        lambda: any("明天再来" in m.plain_text for m in handler.user.messages), "info relayed"
    )

    # A reply to the handler's question: refused, then relayed.
    card = newest_with(handler, act_data(tracking, "ask"))
    await handler.press(card, act_data(tracking, "ask"))
    [problem] = await handler.send(BLANK)  # the handler's texts are held to the same rule
    assert problem.plain_text == refusal
    await handler.send("请问是哪个窗口?")
    await wait_until(lambda: "哪个窗口" in (person.user.last_message or card).plain_text, "q")
    question = person.user.last_message
    assert question is not None
    await person.press(question, act_data(tracking, "reply"))
    [problem] = await person.send(BLANK)
    assert problem.plain_text == refusal
    await person.send("3号窗口。")
    await wait_until(
        lambda: any("3号窗口" in m.plain_text for m in handler.user.messages), "answer relayed"
    )
    relayed = "".join(m.plain_text for m in handler.user.messages)
    assert "\u3164" not in relayed and t(ZH, "common.stale") not in person.user.transcript()
