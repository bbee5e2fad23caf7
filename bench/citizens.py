"""Simulated citizens for the benchmarks: each answers one questionnaire through the
real bot, as a person would (start, find the unit by paging or typing, five levels,
maybe a suggestion, submit).  `pingyi demo` rehearses whole campaigns with its own,
richer cast (bot/cli/demo/); the benchmarks need only this one flow, timed."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from pathlib import Path

from bot.app.services import Services
from bot.campaign.schema import Campaign, Component, Unit
from bot.i18n import normalize_locale
from bot.localapi import ChatMessage, SimUser
from bot.survey.flow import LEVELS
from bot.telegram.common.callbacks import AnswerItem, Navigate, PickUnit, UnitsPage

DEFAULT_CAMPAIGN = Path("survey_defs/changzhou-2011-safety.yaml")
WAIT = 30.0  # seconds a simulated citizen waits for a reply before giving up

# language_code as Telegram sends it, and how often
LANGUAGES = (("zh-hans", 0.7), ("zh-tw", 0.1), ("zh-hk", 0.05), ("en", 0.15))
SUGGESTIONS = (
    "希望办事窗口延长午间服务时间。",
    "执法检查前能否提前告知需要准备的材料？",
    "网上公开的办事指南有些已经过时，请及时更新。",
    "工作人员态度很好，点赞！",
    "建议公开投诉处理结果 <及时反馈> & 接受监督。",  # markup-like text must arrive escaped
    "Please publish the inspection schedule online.",
)


@dataclass(frozen=True)
class Plan:
    """What one simulated citizen will do."""

    user_id: int
    language: str
    unit: Unit
    levels: list[int]  # an index into LEVELS per item
    suggestion: str | None
    search: bool  # type part of the unit's name instead of paging


def rehearsal_target(campaign: Campaign) -> tuple[Component, dt.date]:
    """The first survey component open to the public, and a day inside its phase."""
    public = campaign.public_category().id
    for component in campaign.survey_components():
        if component.categories is None or public in component.categories:
            assert component.phase is not None
            phase = campaign.phase(component.phase)
            return component, phase.start + (phase.end - phase.start) / 2
    raise ValueError(f"{campaign.id}: no survey component is open to the public category")


def make_plans(
    campaign: Campaign, component: Component, count: int, rng: random.Random
) -> list[Plan]:
    """Varied citizens: each unit gets its own quality, so the units come out different."""
    units = campaign.units_for(component)
    quality = {u.id: rng.uniform(0.35, 0.95) for u in units}
    plans = []
    for n in range(count):
        unit = rng.choice(units)
        language = rng.choices([code for code, _ in LANGUAGES], [w for _, w in LANGUAGES])[0]
        asked = campaign.questionnaire_for(component).items
        levels = [_level(quality[unit.id], rng) for _ in asked]
        wants = campaign.questionnaire.suggestion is not None and rng.random() < 0.3
        plans.append(
            Plan(
                900_000 + n,
                language,
                unit,
                levels,
                rng.choice(SUGGESTIONS) if wants else None,
                rng.random() < 0.5,
            )
        )
    return plans


def _level(quality: float, rng: random.Random) -> int:
    """A level index: 不了解 sometimes, otherwise better levels for better units."""
    if rng.random() < 0.08:
        return LEVELS.index(LEVELS[-1])  # 不了解
    weights = [quality**2, quality * (1 - quality) * 2, (1 - quality) * 0.8, (1 - quality) ** 2]
    return rng.choices(range(4), weights)[0]


class Citizen:
    """A simulated citizen who answers one questionnaire like a person would."""

    def __init__(
        self,
        user: SimUser,
        plan: Plan,
        services: Services,
        campaign: Campaign,
        component: Component,
    ) -> None:
        """Act as `user`, following `plan`."""
        self.user, self.plan, self.campaign, self.component = user, plan, campaign, component
        self.unit_id = services.registry.unit_id(campaign, plan.unit)

    async def run(self) -> bool:
        """Start, choose the unit, answer, maybe suggest, submit; True when thanked."""
        user = self.user
        await user.send_text("/start")
        await user.wait_for(timeout=WAIT)
        await user.send_text("/survey")
        picker = await user.wait_for(timeout=WAIT)
        question = await self._choose_unit(picker)
        for index, level in enumerate(self.plan.levels):
            data = AnswerItem(unit=self.unit_id, comp=self.component.id, item=index, level=level)
            await user.press(question, data.pack())
            question = await user.wait_for(timeout=WAIT)
        if self.campaign.questionnaire.suggestion is not None:
            question = await self._suggest(question)
        await user.press(question, self._nav("submit"))
        thanks = await user.wait_for(timeout=WAIT)
        return self.plan.unit.name.get(_locale(self.plan.language)) in thanks.plain_text

    async def _choose_unit(self, picker: ChatMessage) -> ChatMessage:
        wanted = PickUnit(unit=self.unit_id, comp=self.component.id).pack()
        if self.plan.search and wanted not in _data(picker):
            name = self.plan.unit.name.get(_locale(self.plan.language))
            await self.user.send_text(name[:4])
            picker = await self.user.wait_for(timeout=WAIT)
        while wanted not in _data(picker):
            nxt = [d for d in _data(picker) if d.startswith(UnitsPage.__prefix__ + ":")][-1]
            await self.user.press(picker, nxt)
            picker = await self.user.wait_for(timeout=WAIT)
        await self.user.press(picker, wanted)
        return await self.user.wait_for(timeout=WAIT)

    async def _suggest(self, prompt: ChatMessage) -> ChatMessage:
        if self.plan.suggestion is None:
            await self.user.press(prompt, self._nav("skip"))
        else:
            await self.user.send_text(self.plan.suggestion)
        return await self.user.wait_for(timeout=WAIT)

    def _nav(self, action: str) -> str:
        return Navigate(unit=self.unit_id, comp=self.component.id, action=action).pack()


def _data(message: ChatMessage) -> list[str]:
    return [data for row in message.buttons for _, data in row if data]


def _locale(language_code: str) -> str:
    return normalize_locale(language_code)
