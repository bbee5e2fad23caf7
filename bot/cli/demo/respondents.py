"""Respondents: panel members who join with a code, and the public; each rates units
through /survey and the questionnaire's buttons."""

from __future__ import annotations

from bot.cli.demo.actors import Actor, buttons
from bot.cli.demo.plans import Person, Rating
from bot.cli.demo.stage import Stage
from bot.i18n import normalize_locale
from bot.localapi import ChatMessage
from bot.telegram.common.callbacks import (
    AnswerItem,
    Navigate,
    PickCampaign,
    PickUnit,
    StartSurvey,
    UnitsPage,
)

MAX_PAGES = 12  # a picker never has more pages than this in the shipped campaigns


class Respondent(Actor):
    """One simulated respondent following their `Person` plan."""

    def __init__(self, stage: Stage, person: Person) -> None:
        """Act as `person` on `stage`."""
        name = f"代表{person.user_id % 1000}" if person.category else f"市民{person.user_id % 1000}"
        super().__init__(stage.api, person.user_id, name, person.language)
        self.stage, self.person = stage, person
        self.locale = normalize_locale(person.language)
        self.thanks: ChatMessage | None = None  # the last "thank you", with "rate another"

    async def join(self, code: str | None) -> None:
        """/start, and /code with the invitation code of a panel member."""
        await self.say("/start")
        if code is not None:
            await self.say(f"/code {code}")

    async def rate(self, ratings: list[Rating]) -> int:
        """Rate each unit in turn; how many were submitted and thanked for."""
        done = 0
        for rating in ratings:
            done += await self._rate_one(rating)
        return done

    async def _rate_one(self, rating: Rating) -> bool:
        """Open the picker, choose the unit, answer, maybe suggest, submit."""
        unit_id = self.stage.unit_id(rating.unit.id)
        question = await self._choose_unit(await self._picker(rating), rating, unit_id)
        for index, level in enumerate(rating.levels):
            data = AnswerItem(unit=unit_id, comp=rating.component.id, item=index, level=level)
            question = await self.press(question, data.pack())
        skip = _nav(unit_id, rating, "skip")
        if skip in buttons(question):
            question = await self._suggest(question, rating, skip)
        self.thanks = await self.press(question, _nav(unit_id, rating, "submit"))
        return rating.unit.name.get(self.locale) in self.thanks.plain_text

    async def _picker(self, rating: Rating) -> ChatMessage:
        """The unit picker: "rate another unit" after a thank-you, else /survey (and the
        component, when several are open to this person)."""
        campaign, comp = self.stage.campaign.id, rating.component.id
        another = StartSurvey(campaign=campaign, comp=comp).pack()
        if self.thanks is not None and another in buttons(self.thanks):
            return await self.press(self.thanks, another)
        shown = await self.say("/survey")
        choice = PickCampaign(campaign=campaign, comp=comp).pack()
        return await self.press(shown, choice) if choice in buttons(shown) else shown

    async def _choose_unit(self, picker: ChatMessage, rating: Rating, unit_id: int) -> ChatMessage:
        """Type part of the unit's name or page to it, then pick it: its first question."""
        wanted = PickUnit(unit=unit_id, comp=rating.component.id).pack()
        if rating.search and wanted not in buttons(picker):
            picker = await self.say(rating.unit.name.get(self.locale)[:4])
        for _ in range(MAX_PAGES):
            if wanted in buttons(picker):
                break
            pages = [d for d in buttons(picker) if d.startswith(UnitsPage.__prefix__ + ":")]
            picker = await self.press(picker, pages[-1])  # the last page button is "next"
        return await self.press(picker, wanted)

    async def _suggest(self, prompt: ChatMessage, rating: Rating, skip: str) -> ChatMessage:
        """Type the suggestion, or skip it."""
        if rating.suggestion is None:
            return await self.press(prompt, skip)
        return await self.say(rating.suggestion)


def _nav(unit_id: int, rating: Rating, action: str) -> str:
    """The callback data of a questionnaire's navigation button."""
    return Navigate(unit=unit_id, comp=rating.component.id, action=action).pack()
