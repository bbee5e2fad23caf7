"""Complaints and inspections in chat: citizens file, the units' handlers accept and close
(some substantiated: a finding), citizens rate the handling; an inspector records
findings, the evaluator confirms or rejects them, the unit says what it corrected."""

from __future__ import annotations

import asyncio
import random
import re
from dataclasses import dataclass, field

from bot.access.service import Role
from bot.cli.demo.actors import Actor, buttons
from bot.cli.demo.office import role_code
from bot.cli.demo.stage import EVALUATOR_ID, Stage
from bot.complaints.screens import VERDICTS
from bot.localapi import ChatMessage
from bot.scoring.records import deduction_component
from bot.telegram.common.callbacks import ComplaintAction, ComplaintDraftAction

TRACKING = re.compile(r"TS\d{2}-[0-9A-Z]{4}-[0-9A-Z]{4}")
NUMBER = re.compile(r"#(\d+)")
COMPLAINANT_IDS = 950_000
HANDLER_IDS = 810_000
INSPECTOR_ID = 820_001
STORIES = (
    "窗口工作人员推诿，让我来回跑了三趟。",
    "检查时执法人员没有出示证件，态度生硬。",
    "办理许可要求额外提供不必要的材料。",
    "电话咨询一直无人接听，事情拖了一个月。",
    "现场检查后要求我们购买指定的安全设备。",
)
RESULTS = {
    "substantiated": "经查属实，已对当事人批评教育并通报整改。",
    "partly": "经查部分属实，已要求窗口一次性告知所需材料。",
    "unsubstantiated": "经查与事实不符，已向投诉人说明有关规定。",
}


@dataclass(frozen=True)
class Case:
    """One complaint the rehearsal files: about which unit, what kind, how it ends."""

    number: int
    unit: str
    kind: int  # index of the conduct kind in the campaign
    verdict: str


@dataclass
class CaseLog:
    """What the casework did, for the report."""

    filed: int = 0
    closed: int = 0
    rated: int = 0
    verdicts: dict[str, int] = field(default_factory=dict)
    inspections: int = 0
    confirmed: int = 0
    rejected: int = 0
    corrected: int = 0


def cases(stage: Stage, count: int, rng: random.Random) -> list[Case]:
    """`count` complaints about units drawn at random; verdicts cycle so that each kind of
    ending is rehearsed (a substantiated one first)."""
    complaints = stage.campaign.complaints
    assert complaints is not None
    units = [u.id for u in stage.campaign.units]
    kinds = len(complaints.conduct_kinds)
    return [
        Case(n, rng.choice(units), rng.randrange(kinds), VERDICTS[n % len(VERDICTS)])
        for n in range(count)
    ]


class Handler(Actor):
    """A unit's complaint handler, registered with a handler code."""

    def __init__(self, stage: Stage, number: int, unit: str) -> None:
        """Handler number `number` of `unit`."""
        super().__init__(stage.api, HANDLER_IDS + number, f"联络员{number}", "zh-hans")
        self.stage, self.unit = stage, unit
        self.lock = asyncio.Lock()  # one case at a time: a typed result belongs to one case

    async def register(self) -> None:
        """/start, then /code with a handler code for the unit."""
        await self.say("/start")
        await self.say(f"/code {await role_code(self.stage, Role.HANDLER, self.unit)}")

    async def handle(self, tracking: str, verdict: str) -> None:
        """Accept the card, close it with the verdict and a result."""
        async with self.lock:
            await self.press_shown(ComplaintAction(ref=tracking, action="accept").pack())
            await self.press_shown(ComplaintAction(ref=tracking, action="close").pack())
            arg = VERDICTS.index(verdict)
            await self.press_shown(ComplaintAction(ref=tracking, action="verdict", arg=arg).pack())
            await self.say(RESULTS[verdict])

    async def correct(self, finding: int) -> None:
        """/corrected once the finding was handed to the unit."""
        await self.seeing(lambda m: f"/corrected {finding}" in m.plain_text, f"finding #{finding}")
        async with self.lock:
            await self.say(f"/corrected {finding} 已安排专人值守窗口，并公开监督电话。")


class Complainant(Actor):
    """A citizen who files one complaint through /complain and rates its handling."""

    def __init__(self, stage: Stage, case: Case) -> None:
        """The complainant of `case`."""
        number = case.number
        super().__init__(stage.api, COMPLAINANT_IDS + number, f"投诉人{number}", "zh-hans")
        self.stage, self.case = stage, case

    async def file(self) -> str:
        """Unit, kind, what happened, no files, anonymous, submit; the tracking number."""
        await self.say("/start")
        picker = await self._unit_step(await self.say("/complain"))
        kind = await self.press(picker, _draft("unit", self.stage.unit_id(self.case.unit)))
        await self.press(kind, _draft("kind", self.case.kind))
        evidence = await self.say(STORIES[self.case.number % len(STORIES)])
        contact = await self.press(evidence, _draft("done"))
        review = await self.press(contact, _draft("anon"))
        filed = await self.press(review, _draft("submit"))
        found = TRACKING.search(filed.plain_text)
        if found is None:
            raise RuntimeError(f"no tracking number:\n{self.user.transcript()}")
        return found.group()

    async def _unit_step(self, screen: ChatMessage) -> ChatMessage:
        """Type part of the unit's name, then page until its button shows."""
        wanted = _draft("unit", self.stage.unit_id(self.case.unit))
        name = self.stage.campaign.unit(self.case.unit).name.get("zh-Hans")
        if wanted not in buttons(screen):
            screen = await self.say(name[:4])
        page = 1
        while wanted not in buttons(screen):
            screen = await self.press(screen, _draft("page", page))
            page += 1
        return screen

    async def rate(self, tracking: str) -> None:
        """Rate the handling once the result arrives (satisfied unless unsubstantiated)."""
        arg = 2 if self.case.verdict == "unsubstantiated" else 0
        await self.press_shown(ComplaintAction(ref=tracking, action="rate", arg=arg).pack())


class Inspector(Actor):
    """An inspector (明查暗访), invited with an inspector code."""

    def __init__(self, stage: Stage) -> None:
        """The campaign's one inspector."""
        super().__init__(stage.api, INSPECTOR_ID, "监察员", "zh-hans")
        self.stage = stage

    async def register(self) -> None:
        """/start, then /code with an inspector code."""
        await self.say("/start")
        await self.say(f"/code {await role_code(self.stage, Role.INSPECTOR)}")

    async def inspect(self, unit: str, kind: str, seen: str) -> int:
        """/inspect: a deduction of 2 points where the campaign has a deduction
        component, else a note for daily assessment; the finding's number."""
        points = "2" if deduction_component(self.stage.campaign) else "note"
        reply = await self.say(f"/inspect {unit} {kind} {points} {seen}")
        found = NUMBER.search(reply.plain_text)
        if found is None:
            raise RuntimeError(f"inspection not recorded:\n{self.user.transcript()}")
        return int(found.group(1))


class Evaluator(Actor):
    """The 纠风办's evaluator (granted from the command line)."""

    def __init__(self, stage: Stage) -> None:
        """The one evaluator."""
        super().__init__(stage.api, EVALUATOR_ID, "评议办", "zh-hans")

    async def command(self, text: str) -> str:
        """Send an evaluator's command; the bot's answer as read."""
        return (await self.say(text)).plain_text


def _draft(action: str, arg: int = 0) -> str:
    """The callback data of a complaint draft's button."""
    return ComplaintDraftAction(action=action, arg=arg).pack()
