"""Flood control: a token bucket per person; one cool-down notice, then silence."""

from __future__ import annotations

import asyncio

from bot.telegram.common.flood import FloodControl, Verdict

from .conftest import BotApp
from .helpers import Citizen, plain

ZH = "zh-Hans"


class Clock:
    """Seconds, moved by hand."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_burst_then_one_warning_then_silence_until_calm() -> None:
    clock = Clock()
    flood = FloodControl(burst=5, rate=2.0, clock=clock)
    verdicts = [flood.admit(1) for _ in range(8)]
    assert verdicts == [Verdict.ADMIT] * 5 + [Verdict.WARN] + [Verdict.DROP] * 2
    assert flood.admit(2) is Verdict.ADMIT  # another person is not held back

    # Flooding on at 4 a second keeps them silent: the bucket never fills up.
    for _ in range(40):
        clock.now += 0.25
        assert flood.admit(1) is Verdict.DROP
    # Quiet long enough to fill the bucket (at most 10 tokens short, 2 a second): calm.
    clock.now += 5.0
    assert [flood.admit(1) for _ in range(6)] == [Verdict.ADMIT] * 5 + [Verdict.WARN]


def test_a_human_pace_is_never_held_back() -> None:
    clock = Clock()
    flood = FloodControl(burst=5, rate=2.0, clock=clock)
    for _ in range(200):
        clock.now += 0.5  # two a second, for ever
        assert flood.admit(1) is Verdict.ADMIT


async def test_200_fast_messages_get_one_notice_and_others_are_answered(app: BotApp) -> None:
    # The real limit (the harness relaxes it), on a clock that stands still: 200 messages
    # sent at once are "fast" however slowly a loaded machine handles them.
    app.gate.flood = FloodControl(clock=lambda: 0.0)
    flooder = Citizen(app, 8301)
    others = [Citizen(app, 8302 + n) for n in range(3)]
    sent = [await flooder.user.send_text("/help") for _ in range(200)]
    replies = await asyncio.gather(*(o.send("/help") for o in others))
    for update_id in sent:
        await app.handled(update_id)

    for [reply] in replies:
        assert reply.plain_text == plain(ZH, "help.text")
    texts = [m.plain_text for m in flooder.user.messages]
    assert texts.count(plain(ZH, "chat.flood")) == 1
    assert texts.count(plain(ZH, "help.text")) == 5  # the burst: admitted, all answered
    assert len(texts) == 6
    assert app.gate.flood.dropped == 195
