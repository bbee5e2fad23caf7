"""Settings, read from the environment or `.env` and validated at start-up.

A bad setting stops start-up with one line that names the field, e.g.
``config error: DATABASE_URL: must start with sqlite+aiosqlite:// or postgresql+asyncpg://``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.i18n import LOCALES

PUBLIC_BOT_API = "https://api.telegram.org"
SUPPORTED_DB_SCHEMES = ("sqlite+aiosqlite://", "postgresql+asyncpg://")


MISSING_TOKEN = "config error: BOT_TOKEN: missing (set it in the environment or .env)"


class ConfigError(Exception):
    """A setting is missing or malformed; the message names it."""


class Settings(BaseSettings):
    """Everything the bot reads from its environment."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    bot_token: SecretStr | None = Field(default=None, alias="BOT_TOKEN")
    database_url: str = Field(default="sqlite+aiosqlite:///pingyi.db", alias="DATABASE_URL")
    telegram_api_base: str = Field(default=PUBLIC_BOT_API, alias="TELEGRAM_API_BASE")
    campaigns_dir: Path = Field(default=Path("survey_defs"), alias="CAMPAIGNS_DIR")
    default_locale: str = Field(default="zh-Hans", alias="DEFAULT_LOCALE")
    # Comma-separated ("1,2,3"), so NoDecode stops pydantic-settings expecting JSON.
    admin_ids: Annotated[list[int], NoDecode] = Field(default_factory=list, alias="ADMIN_IDS")
    # The complaint centre (效能投诉中心): users who triage complaints, and/or a group chat.
    complaint_centre_ids: Annotated[list[int], NoDecode] = Field(
        default_factory=list, alias="COMPLAINT_CENTRE_IDS"
    )
    complaint_centre_chat_id: int | None = Field(default=None, alias="COMPLAINT_CENTRE_CHAT_ID")
    # The outbox (bot/outbox/): messages a second overall (Telegram allows ~30),
    # and when reminders go to people who started a questionnaire and did not submit it.
    broadcast_rate: float = Field(default=25.0, gt=0, le=1000, alias="BROADCAST_RATE")
    reminder_delay_hours: float = Field(default=24.0, gt=0, alias="REMINDER_DELAY_HOURS")
    reminder_before_close_hours: float = Field(
        default=24.0, gt=0, alias="REMINDER_BEFORE_CLOSE_HOURS"
    )
    # A fixed "today" for rehearsals and tests (YYYY-MM-DD); empty means the real clock.
    clock_date: str | None = Field(default=None, alias="PINGYI_TODAY")

    @field_validator("bot_token")
    @classmethod
    def _token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None:
            raw = value.get_secret_value()
            head, _, tail = raw.partition(":")
            if not head.isdigit() or not tail:
                raise ValueError("must look like 123456:ABC… (the token @BotFather gave you)")
        return value

    @field_validator("database_url")
    @classmethod
    def _db_scheme(cls, value: str) -> str:
        if not value.startswith(SUPPORTED_DB_SCHEMES):
            raise ValueError("must start with " + " or ".join(SUPPORTED_DB_SCHEMES))
        return value

    @field_validator("telegram_api_base")
    @classmethod
    def _http_base(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be an http:// or https:// base URL")
        return value.rstrip("/")

    @field_validator("default_locale")
    @classmethod
    def _known_locale(cls, value: str) -> str:
        if value not in LOCALES:
            raise ValueError("must be one of " + ", ".join(LOCALES))
        return value

    @field_validator("complaint_centre_chat_id", mode="before")
    @classmethod
    def _chat_id(cls, value: object) -> object:
        if isinstance(value, str):
            text = value.strip()
            if not text:
                return None
            if not text.removeprefix("-").isdigit():
                raise ValueError("must be a Telegram chat id, e.g. -1001234567890")
            return int(text)
        return value

    @field_validator("admin_ids", "complaint_centre_ids", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [part for part in value.replace(" ", "").split(",") if part]
            if not all(part.isdigit() for part in parts):
                raise ValueError("must be Telegram user ids separated by commas, e.g. 1234,5678")
            return [int(part) for part in parts]
        if isinstance(value, int):
            return [value]
        return value

    def require_token(self) -> SecretStr:
        """The bot token, or a ConfigError naming BOT_TOKEN."""
        if self.bot_token is None:
            raise ConfigError(MISSING_TOKEN)
        return self.bot_token


def load_settings(**overrides: object) -> Settings:
    """Read and validate settings; raise ConfigError with one line naming the field."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        first = exc.errors()[0]
        field = str(first["loc"][0]) if first["loc"] else "settings"
        message = str(first["msg"]).removeprefix("Value error, ")
        raise ConfigError(f"config error: {field.upper()}: {message}") from None
