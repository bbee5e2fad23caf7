"""The wire protocol seen from a bare HTTP client: encodings, errors, long polling."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from bot.localapi import LocalBotAPI


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    """A plain aiohttp client with a bounded timeout."""
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as session:
        yield session


async def call(
    http: aiohttp.ClientSession, api: LocalBotAPI, method: str, **body: Any
) -> tuple[int, dict[str, Any]]:
    """POST a JSON body to a method; return status and decoded answer."""
    url = f"{api.base_url}/bot{api.token}/{method}"
    async with http.post(url, json=body) as response:
        return response.status, await response.json()


async def test_wrong_token_and_unknown_method_are_not_found(
    api: LocalBotAPI, http: aiohttp.ClientSession
) -> None:
    not_found = {"ok": False, "error_code": 404, "description": "Not Found"}
    async with http.post(f"{api.base_url}/bot999:wrong/getMe") as response:
        assert (response.status, await response.json()) == (404, not_found)
    assert await call(http, api, "sendTelepathy") == (404, not_found)
    async with http.get(f"{api.base_url}/file/bot{api.token}/documents/nope") as response:
        assert response.status == 404


async def test_every_body_encoding_is_accepted(
    api: LocalBotAPI, http: aiohttp.ClientSession
) -> None:
    api.user(5)
    markup = {"inline_keyboard": [[{"text": "ok", "callback_data": "ok"}]]}
    status, body = await call(http, api, "sendMessage", chat_id=5, text="json", reply_markup=markup)
    assert status == 200 and body["result"]["reply_markup"] == markup
    url = f"{api.base_url}/bot{api.token}/sendMessage"
    form = {"chat_id": "5", "text": "form", "reply_markup": json.dumps(markup)}
    async with http.post(url, data=form) as response:
        assert (await response.json())["result"]["text"] == "form"
    async with http.get(f"{api.base_url}/bot{api.token}/getme") as response:
        assert (await response.json())["result"]["username"] == "pingyi_bot"
    recorded = api.calls_of("sendMessage")[-1]
    assert recorded.params["chat_id"] == 5 and recorded.params["reply_markup"] == markup
    assert recorded.result["message_id"] == 2 and recorded.timestamp <= time.time()


async def test_long_poll_returns_as_soon_as_an_update_arrives(
    api: LocalBotAPI, http: aiohttp.ClientSession
) -> None:
    user = api.user(6)
    started = time.monotonic()
    poll = asyncio.create_task(call(http, api, "getUpdates", timeout=10))
    await api.wait_polling(timeout=30)  # the poll is waiting at the server
    update_id = await user.send_text("/start now")
    status, body = await poll
    assert status == 200 and time.monotonic() - started < 2
    [update] = body["result"]
    assert update["update_id"] == update_id
    message = update["message"]
    assert message["entities"] == [{"type": "bot_command", "offset": 0, "length": 6}]
    assert message["chat"] == {"id": 6, "type": "private", "first_name": "User 6"}
    assert isinstance(message["date"], int) and message["message_id"] == 1


async def test_second_poller_conflicts_with_the_first(
    api: LocalBotAPI, http: aiohttp.ClientSession
) -> None:
    first = asyncio.create_task(call(http, api, "getUpdates", timeout=5))
    await api.wait_polling(timeout=30)  # the poll is waiting at the server
    second = asyncio.create_task(call(http, api, "getUpdates", timeout=0))
    status, body = await asyncio.wait_for(first, 3)
    assert status == 409 and body["description"].startswith("Conflict: terminated by other")
    assert (await second)[0] == 200


async def test_stop_releases_a_waiting_poll(http: aiohttp.ClientSession) -> None:
    api = LocalBotAPI()
    await api.start()
    poll = asyncio.create_task(call(http, api, "getUpdates", timeout=30))
    await api.wait_polling(timeout=30)  # the poll is waiting at the server
    started = time.monotonic()
    await api.stop()
    status, body = await asyncio.wait_for(poll, 3)
    assert (status, body["result"]) == (200, []) and time.monotonic() - started < 2


async def test_allowed_updates_persist_and_filter(
    api: LocalBotAPI, http: aiohttp.ClientSession
) -> None:
    await call(http, api, "getUpdates", timeout=0, allowed_updates=["callback_query"])
    await api.user(7).send_text("ignored")
    api.inject_raw_update({"callback_query": {"id": "1", "data": "x"}})
    _, body = await call(http, api, "getUpdates", timeout=0)
    assert [list(u) for u in body["result"]] == [["callback_query", "update_id"]]
    assert len(api.updates.filtered) == 1


async def test_drop_pending_updates(api: LocalBotAPI, http: aiohttp.ClientSession) -> None:
    await api.user(8).send_text("old")
    assert api.pending_updates == 1
    await call(http, api, "deleteWebhook", drop_pending_updates=True)
    assert api.pending_updates == 0


async def test_callback_answers(api: LocalBotAPI, http: aiohttp.ClientSession) -> None:
    user = api.user(9)
    markup = {"inline_keyboard": [[{"text": "go", "callback_data": "go"}]]}
    await call(http, api, "sendMessage", chat_id=9, text="x", reply_markup=markup)
    await user.press(1, "go")
    query_id = api.unanswered_queries()[0].query_id
    status, body = await call(http, api, "answerCallbackQuery", callback_query_id=query_id,
                              text="长" * 201)  # fmt: skip
    assert (status, body["description"]) == (400, "Bad Request: MESSAGE_TOO_LONG")
    status, _ = await call(http, api, "answerCallbackQuery", callback_query_id=query_id)
    assert status == 200 and user.toasts == [] and len(user.answers) == 1
    status, body = await call(http, api, "answerCallbackQuery", callback_query_id="nope")
    assert body["description"] == (
        "Bad Request: query is too old and response timeout expired or query ID is invalid"
    )


async def test_ids_are_per_chat_and_payloads_are_kept_per_chat(
    api: LocalBotAPI, http: aiohttp.ClientSession
) -> None:
    alice, bob = api.user(10, first_name="Alice"), api.user(11, first_name="Bob")
    await alice.send_text("hello")
    _, first = await call(http, api, "sendMessage", chat_id=10, text="hi Alice")
    _, other = await call(http, api, "sendMessage", chat_id=11, text="hi Bob")
    assert first["result"]["message_id"] == 2  # the user's own message took id 1
    assert other["result"]["message_id"] == 1
    assert first["result"]["from"]["id"] == 123456 and first["result"]["from"]["is_bot"]
    assert "Bob" not in api.outgoing_text(10) and "Alice" in api.outgoing_text(10)
    assert [p["text"] for p in api.payloads_to(11)] == ["hi Bob"]
    assert [m.plain_text for m in bob.messages] == ["hi Bob"]
    assert [m.plain_text for m in alice.history] == ["hello", "hi Alice"]


async def test_per_chat_rate_limit(api: LocalBotAPI, http: aiohttp.ClientSession) -> None:
    api.user(12)
    api.user(13)
    api.faults.per_chat_rate_limit(1.0, retry_after=2)
    assert (await call(http, api, "sendMessage", chat_id=12, text="a"))[0] == 200
    status, body = await call(http, api, "sendMessage", chat_id=12, text="b")
    assert status == 429 and body["parameters"] == {"retry_after": 2}
    assert (await call(http, api, "sendMessage", chat_id=13, text="c"))[0] == 200
    assert api.delivered_counts() == {12: 1, 13: 1} and api.faults.rate_limited == 1


async def test_fail_next_can_target_methods(api: LocalBotAPI, http: aiohttp.ClientSession) -> None:
    api.user(14)
    api.faults.fail_next(1, status=500, methods=["sendMessage"])
    assert (await call(http, api, "getMe"))[0] == 200
    status, body = await call(http, api, "sendMessage", chat_id=14, text="x")
    assert (status, body["description"]) == (500, "Internal Server Error")
    assert (await call(http, api, "sendMessage", chat_id=14, text="x"))[0] == 200


async def test_block_bot_sends_my_chat_member(
    api: LocalBotAPI, http: aiohttp.ClientSession
) -> None:
    user = api.user(15)
    await user.block_bot()
    _, body = await call(http, api, "getUpdates", timeout=0)
    member = body["result"][0]["my_chat_member"]
    assert member["new_chat_member"]["status"] == "kicked"
    status, _ = await call(http, api, "sendMessage", chat_id=15, text="x")
    assert status == 403
    assert (await call(http, api, "getChat", chat_id=15))[0] == 200
