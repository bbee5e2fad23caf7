"""The error a Bot API method answers with, shaped exactly like Telegram's."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

JsonDict = dict[str, Any]


class ApiError(Exception):
    """A non-ok Bot API answer: HTTP status, Telegram's description, optional parameters."""

    def __init__(self, status: int, description: str, *, retry_after: int | None = None) -> None:
        """`description` is the full text, e.g. "Bad Request: message is too long"."""
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after

    def to_json(self) -> JsonDict:
        """The response body Telegram sends for this error."""
        body: JsonDict = {"ok": False, "error_code": self.status, "description": self.description}
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


def bad_request(detail: str) -> ApiError:
    """400 "Bad Request: <detail>", the answer to every malformed call."""
    return ApiError(400, f"Bad Request: {detail}")


def forbidden(detail: str) -> ApiError:
    """403 "Forbidden: <detail>", e.g. when the user blocked the bot."""
    return ApiError(403, f"Forbidden: {detail}")


def too_many_requests(retry_after: int) -> ApiError:
    """429 with `parameters.retry_after`, which aiogram turns into TelegramRetryAfter."""
    return ApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after=retry_after)


def not_found() -> ApiError:
    """404 "Not Found": Telegram's answer to an unknown method or a wrong token."""
    return ApiError(404, "Not Found")


def http_error(status: int) -> ApiError:
    """An injected failure described by the bare HTTP reason phrase, as Telegram's 5xx are."""
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "Error"
    return ApiError(status, phrase)
