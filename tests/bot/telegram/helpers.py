"""Driving the bot as a citizen would, and reading back what it stored."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from bot.app.services import Services
from bot.i18n import t
from bot.localapi import ChatMessage, SimUser, parse_html
from bot.survey.flow import LEVELS
from bot.telegram.common.callbacks import AnswerItem, Navigate, PickUnit, UnitsPage
from storage.models import Answer, Submission

from .conftest import WAIT, BotApp

CAMPAIGN = "changzhou-2011-safety"
COMP = "questionnaire"
ITEMS = ("lawful-duty", "fair-enforcement", "open-government", "service", "integrity")


def plain(locale: str, key: str, **values: Any) -> str:
    """A translation as the person reads it (markup removed, entities decoded)."""
    return parse_html(t(locale, key, **values)).text


def level_name(locale: str, index: int) -> str:
    """The label of a level (0 = very satisfied … 4 = don't know)."""
    return t(locale, f"level.{LEVELS[index].value}")


def unit_id(services: Services, code: str) -> int:
    """The database id of a Changzhou unit."""
    campaign = services.registry.campaigns[CAMPAIGN]
    unit = next(u for u in campaign.units if u.id == code)
    return services.registry.unit_id(campaign, unit)


def unit_name(services: Services, code: str, locale: str) -> str:
    """A Changzhou unit's name in `locale`."""
    campaign = services.registry.campaigns[CAMPAIGN]
    return next(u for u in campaign.units if u.id == code).name.get(locale)


def answer_data(unit: int, item: int, level: int) -> str:
    """The callback data of a level button."""
    return AnswerItem(unit=unit, comp=COMP, item=item, level=level).pack()


def nav_data(unit: int, action: str, index: int = 0) -> str:
    """The callback data of back / skip / edit / submit."""
    return Navigate(unit=unit, comp=COMP, action=action, index=index).pack()


def pick_data(unit: int) -> str:
    """The callback data of a unit in the picker."""
    return PickUnit(unit=unit, comp=COMP).pack()


def page_data(page: int) -> str:
    """The callback data of a page button of the picker."""
    return UnitsPage(campaign=CAMPAIGN, comp=COMP, page=page).pack()


def labels(message: ChatMessage) -> list[str]:
    """Every button label on a message, in reading order."""
    return [label for row in message.buttons for label, _ in row]


def unit_buttons(message: ChatMessage) -> list[str]:
    """Labels of the unit buttons of a picker."""
    prefix = PickUnit.__prefix__ + ":"
    return [
        label for row in message.buttons for label, data in row if data and data.startswith(prefix)
    ]


async def wait_until(check: Callable[[], bool], what: str, timeout: float = WAIT) -> None:
    """Poll `check` until true; fail with `what` after `timeout` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not check():
        if loop.time() > deadline:
            raise TimeoutError(f"not within {timeout}s: {what}")
        await asyncio.sleep(0.005)


class Citizen:
    """A simulated citizen; each action returns the bot's messages it sent or edited.

    Every action waits until the bot has finished handling it (see `BotApp.handled`)
    and until what it expects is there, so what it returns is complete: nothing of
    this action can still arrive, and nothing of an earlier one arrives late.
    """

    def __init__(
        self,
        app: BotApp,
        user_id: int,
        language_code: str | None = "zh-hans",
        *,
        first_name: str = "小明",
    ) -> None:
        """The simulated user `user_id` (created on first use)."""
        self.app = app
        self.user: SimUser = app.api.user(
            user_id, first_name=first_name, language_code=language_code
        )
        self.last_update_id = 0

    @property
    def id(self) -> int:
        """The Telegram user id (and chat id)."""
        return self.user.id

    async def send(self, text: str, count: int = 1) -> list[ChatMessage]:
        """Type `text`; wait for `count` messages sent or edited in reply."""
        return await self._replies(self.user.send_text(text), count)

    async def edit(self, message_id: int, text: str, count: int = 1) -> list[ChatMessage]:
        """Edit one of their own messages to `text`; wait for `count` messages in reply."""
        return await self._replies(self.user.edit_text(message_id, text), count)

    @property
    def typed(self) -> list[int]:
        """Ids of the messages this citizen typed or sent, oldest first."""
        return [m.message_id for m in self.user.history if not m.from_bot]

    async def send_photo(self, count: int = 1) -> list[ChatMessage]:
        """Send a picture; wait for `count` messages in reply."""
        return await self._replies(self.user.send_photo(), count)

    async def press(self, message: ChatMessage | int, data: str) -> list[ChatMessage]:
        """Press a button; wait until the bot handled the press and closed its spinner."""
        mark = self.user.chat.version
        self.last_update_id = update_id = await self.user.press(message, data)
        query_id = self.app.api.updates.history()[update_id]["callback_query"]["id"]
        await self._handled(update_id)
        await wait_until(
            lambda: self.app.api.queries[query_id].answered, f"{self.user!r}: press answered"
        )
        return self._since(mark)

    async def _replies(self, action: Awaitable[int], count: int) -> list[ChatMessage]:
        mark = self.user.chat.version
        self.last_update_id = await action
        await self._handled(self.last_update_id)
        await wait_until(
            lambda: len(self._since(mark)) >= count,
            f"{self.user!r}: {count} message(s) in reply; chat:\n{self.user.transcript()}",
        )
        return self._since(mark)

    async def _handled(self, update_id: int) -> None:
        """Wait until the bot handled `update_id` and sent what it queued for others.

        Messages to others (complaint cards, relayed texts …) go out through the outbox
        after the reply, so they are waited for too: nothing of this action arrives later.
        """
        await self.app.handled(update_id)
        await self.app.services.outbox.settled(timeout=WAIT)

    def _since(self, mark: int) -> list[ChatMessage]:
        changed = [m for m in self.user.messages if m.version > mark]
        return sorted(changed, key=lambda m: m.version)

    @property
    def toasts(self) -> list[str]:
        """Texts of every toast the bot showed this citizen."""
        return self.user.toasts


@dataclass(frozen=True)
class Stored:
    """One questionnaire as the database holds it."""

    status: str
    position: int
    suggestion: str | None
    answers: dict[str, str]


async def stored(services: Services, rid: int, unit: int) -> Stored | None:
    """The respondent's questionnaire about `unit`, read straight from the tables."""
    async with services.db.unit_of_work() as uow:
        s = (
            await uow.session.execute(
                select(Submission.status, Submission.position, Submission.suggestion).where(
                    Submission.respondent_id == rid,
                    Submission.unit_id == unit,
                    Submission.component == COMP,
                )
            )
        ).one_or_none()
        rows = (
            await uow.session.execute(
                select(Answer.item, Answer.level).where(
                    Answer.respondent_id == rid, Answer.unit_id == unit, Answer.component == COMP
                )
            )
        ).all()
    if s is None:
        assert rows == [], "answers without a questionnaire row"
        return None
    answers = {row.item: row.level for row in rows}
    assert len(answers) == len(rows)
    return Stored(s.status, s.position, s.suggestion, answers)


async def count_rows(services: Services, model: Any, **where: Any) -> int:
    """How many rows of `model` match the column values in `where`."""
    stmt = select(func.count()).select_from(model)
    for column, value in where.items():
        stmt = stmt.where(getattr(model, column) == value)
    async with services.db.unit_of_work() as uow:
        return int((await uow.session.execute(stmt)).scalar_one())


def levels_of(*indices: int) -> dict[str, str]:
    """The stored answers for level indices given item by item."""
    return {item: LEVELS[n].value for item, n in zip(ITEMS, indices, strict=True)}


async def open_questionnaire(citizen: Citizen, code: str) -> ChatMessage:
    """/survey, page through the picker to the unit `code`, pick it: its first screen."""
    unit = unit_id(citizen.app.services, code)
    [picker] = await citizen.send("/survey")
    for page in range(1, 5):
        if pick_data(unit) in picker.callback_data():
            break
        [picker] = await citizen.press(picker, page_data(page))
    [question] = await citizen.press(picker, pick_data(unit))
    return question


async def answer_items(
    citizen: Citizen, question: ChatMessage, unit: int, levels: list[int], first: int = 0
) -> ChatMessage:
    """Answer items `first`, `first + 1`, … with `levels`; the screen after the last one."""
    for item, level in enumerate(levels, start=first):
        [question] = await citizen.press(question, answer_data(unit, item, level))
    return question
