"""Settings, read from the environment or `.env` and validated at start-up.

A bad setting stops start-up with one line that names the field, e.g.
``config error: DATABASE_URL: must start with sqlite+aiosqlite:// or postgresql+asyncpg://``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.bulletin.schedule import DEFAULT_SCHEDULE, Schedule, ScheduleError
from bot.i18n import LOCALES

PUBLIC_BOT_API = "https://api.telegram.org"
SUPPORTED_DB_SCHEMES = ("sqlite+aiosqlite://", "postgresql+asyncpg://")


MISSING_TOKEN = "config error: BOT_TOKEN: missing (set it in the environment or .env)"
# What @BotFather hands out: the bot's numeric id, a colon, then a secret of URL-safe
# characters (35 today).  30+ leaves room for change while catching a truncated paste.
TOKEN_SHAPE = re.compile(r"[0-9]{1,20}:[A-Za-z0-9_-]{30,100}")


class ConfigError(Exception):
    """A setting is missing or malformed; the message names it."""


SECRET_SHAPE = re.compile(r"[A-Za-z0-9_-]{1,256}")


class Settings(BaseSettings):
    """Everything the bot reads from its environment."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    bot_token: SecretStr | None = Field(default=None, alias="BOT_TOKEN")
    database_url: str = Field(default="sqlite+aiosqlite:///pingyi.db", alias="DATABASE_URL")
    telegram_api_base: str = Field(default=PUBLIC_BOT_API, alias="TELEGRAM_API_BASE")
    # Which adapter runs the bot: aiogram 3 or python-telegram-bot 22 (same engine, texts,
    # keyboards and guarantees; see README "Choosing the framework").
    telegram_framework: Literal["aiogram", "ptb"] = Field(
        default="aiogram", alias="TELEGRAM_FRAMEWORK"
    )
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
    # Seconds between the background checks for what is due: questionnaire reminders,
    # phase notices, complaint reminders and escalations.
    background_tick_seconds: float = Field(
        default=60.0, gt=0, le=3600, alias="BACKGROUND_TICK_SECONDS"
    )
    # The public site of published results (bot/publish/web.py), served by `pingyi run`
    # on this port; empty = not served (write it with `pingyi publish --out DIR` instead).
    public_site_port: int | None = Field(default=None, ge=1, le=65535, alias="PUBLIC_SITE_PORT")
    public_site_host: str = Field(default="127.0.0.1", alias="PUBLIC_SITE_HOST")
    # Closed complaints lose their complainant's identity, contacts and evidence after this.
    retention_days: int = Field(default=180, ge=1, le=3650, alias="RETENTION_DAYS")
    # The key of the keyed hash standing for respondents in `pingyi export --raw`.
    export_hash_key: SecretStr | None = Field(default=None, alias="EXPORT_HASH_KEY")
    # A fixed "today" for rehearsals and tests (YYYY-MM-DD); empty means the real clock.
    clock_date: str | None = Field(default=None, alias="PINGYI_TODAY")
    # The durable inbox (storage/inbox.py): updates a worker handles at once, how long a
    # claimed update is its worker's before another may take it (a dead worker's updates
    # wait this long; a handler must finish within it), failures before an update is parked.
    worker_concurrency: int = Field(default=64, ge=1, le=1000, alias="WORKER_CONCURRENCY")
    inbox_lease_seconds: float = Field(default=30.0, gt=0, le=3600, alias="INBOX_LEASE_SECONDS")
    inbox_max_attempts: int = Field(default=5, ge=1, le=100, alias="INBOX_MAX_ATTEMPTS")
    # `pingyi run --webhook`: Telegram POSTs updates to WEBHOOK_URL (the public HTTPS
    # address the reverse proxy forwards to WEBHOOK_HOST:WEBHOOK_PORT + WEBHOOK_PATH).
    # The same server answers /healthz, /readyz and /metrics.
    webhook_url: str | None = Field(default=None, alias="WEBHOOK_URL")
    webhook_host: str = Field(default="127.0.0.1", alias="WEBHOOK_HOST")
    webhook_port: int = Field(default=8080, ge=1, le=65535, alias="WEBHOOK_PORT")
    webhook_path: str = Field(default="/telegram", alias="WEBHOOK_PATH")
    webhook_secret: SecretStr | None = Field(default=None, alias="WEBHOOK_SECRET")
    webhook_max_connections: int = Field(default=40, ge=1, le=100, alias="WEBHOOK_MAX_CONNECTIONS")
    # /readyz fails when the oldest waiting update is older than this.
    ready_max_lag_seconds: float = Field(default=60.0, gt=0, alias="READY_MAX_LAG_SECONDS")
    # When bulletins (定期通报) go to evaluators and the complaint centre, in each
    # campaign's local time (bot/bulletin/schedule.py): off, daily HH:MM, mon…sun HH:MM,
    # monthly D HH:MM.
    bulletin_schedule: str = Field(default=DEFAULT_SCHEDULE, alias="BULLETIN_SCHEDULE")

    @field_validator("bot_token")
    @classmethod
    def _token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        # The messages never quote the value: a token must not reach a log, even partly.
        if value is not None:
            raw = value.get_secret_value()
            if any(char.isspace() for char in raw):
                raise ValueError("contains a space or line break; copy it again from @BotFather")
            if not TOKEN_SHAPE.fullmatch(raw):
                raise ValueError(
                    "must look like 123456789:AAH… (digits, a colon, then 30 or more letters,"
                    " digits, _ or -), as @BotFather gives it"
                )
        return value

    @field_validator("webhook_secret")
    @classmethod
    def _secret_shape(cls, value: SecretStr | None) -> SecretStr | None:
        # Telegram's rule for secret_token; the message never quotes the value.
        if value is not None and not SECRET_SHAPE.fullmatch(value.get_secret_value()):
            raise ValueError("must be 1-256 characters: letters, digits, _ or -")
        return value

    @field_validator("bulletin_schedule")
    @classmethod
    def _schedule_shape(cls, value: str) -> str:
        try:
            Schedule.parse(value)
        except ScheduleError as exc:
            raise ValueError(str(exc)) from None
        return value

    @field_validator("webhook_path")
    @classmethod
    def _path_shape(cls, value: str) -> str:
        if not value.startswith("/"):
            raise ValueError("must start with /")
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

    @field_validator("public_site_port", mode="before")
    @classmethod
    def _empty_is_off(cls, value: object) -> object:
        if isinstance(value, str) and not value.strip():
            return None
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

    @field_validator("export_hash_key")
    @classmethod
    def _long_key(cls, value: SecretStr | None) -> SecretStr | None:
        # A short key could be guessed, and with it every pseudonym reversed.
        if value is not None and len(value.get_secret_value().strip()) < 16:
            raise ValueError("must be at least 16 characters (e.g. `openssl rand -hex 32`)")
        return value

    def require_export_key(self) -> bytes:
        """The raw-export hash key, or a ConfigError naming EXPORT_HASH_KEY."""
        if self.export_hash_key is None:
            raise ConfigError(
                "config error: EXPORT_HASH_KEY: missing (--raw needs it: the respondent ids"
                " are hashed with it)"
            )
        return self.export_hash_key.get_secret_value().encode("utf-8")

    def require_token(self) -> SecretStr:
        """The bot token, or a ConfigError naming BOT_TOKEN."""
        if self.bot_token is None:
            raise ConfigError(MISSING_TOKEN)
        return self.bot_token


def redact(text: str, secret: str | None) -> str:
    """`text` with every occurrence of `secret` (and of its secret half) replaced."""
    if not secret:
        return text
    for part in (secret, secret.partition(":")[2]):
        if part:
            text = text.replace(part, "<BOT_TOKEN>")
    return text


def load_settings(**overrides: object) -> Settings:
    """Read and validate settings; raise ConfigError with one line naming the field."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        first = exc.errors()[0]
        field = str(first["loc"][0]) if first["loc"] else "settings"
        message = str(first["msg"]).removeprefix("Value error, ")
        raise ConfigError(f"config error: {field.upper()}: {message}") from None
