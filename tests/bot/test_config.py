"""Settings: defaults, and one clear line naming a bad setting."""

from __future__ import annotations

import pytest

from bot.app.config import ConfigError, load_settings, redact

TOKEN = "555000111:BBk1zTestOnly-Secret_Value9876543210x"
SECRET = TOKEN.partition(":")[2]


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: object) -> None:
    for name in (
        "BOT_TOKEN",
        "DATABASE_URL",
        "TELEGRAM_API_BASE",
        "CAMPAIGNS_DIR",
        "DEFAULT_LOCALE",
        "ADMIN_IDS",
        "PINGYI_TODAY",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # type: ignore[arg-type]


def test_defaults_need_no_server() -> None:
    settings = load_settings()
    assert settings.database_url == "sqlite+aiosqlite:///pingyi.db"
    assert settings.telegram_api_base == "https://api.telegram.org"
    assert settings.default_locale == "zh-Hans"
    assert str(settings.campaigns_dir) == "survey_defs"


def test_token_is_secret_and_base_url_configurable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOT_TOKEN", TOKEN)
    monkeypatch.setenv("TELEGRAM_API_BASE", "http://127.0.0.1:8081/")
    monkeypatch.setenv("ADMIN_IDS", "1, 2,3")
    settings = load_settings()
    assert SECRET not in repr(settings)
    assert settings.require_token().get_secret_value() == TOKEN
    assert settings.telegram_api_base == "http://127.0.0.1:8081"
    assert settings.admin_ids == [1, 2, 3]


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("DATABASE_URL", "mysql://x", "config error: DATABASE_URL: must start with"),
        ("BOT_TOKEN", "not-a-token", "config error: BOT_TOKEN: must look like"),
        ("TELEGRAM_API_BASE", "ftp://x", "config error: TELEGRAM_API_BASE: must be an http"),
        ("DEFAULT_LOCALE", "fr", "config error: DEFAULT_LOCALE: must be one of"),
        ("ADMIN_IDS", "1,x", "config error: ADMIN_IDS:"),
    ],
)
def test_bad_setting_names_the_field(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, message: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as info:
        load_settings()
    assert str(info.value).startswith(message)
    assert "\n" not in str(info.value)


def test_missing_token_is_named_only_when_needed() -> None:
    settings = load_settings()
    with pytest.raises(ConfigError, match="BOT_TOKEN: missing"):
        settings.require_token()


def test_env_file_is_read(tmp_path: object) -> None:
    from pathlib import Path

    Path(".env").write_text("DEFAULT_LOCALE=en\n", encoding="utf-8")
    assert load_settings().default_locale == "en"


@pytest.mark.parametrize(
    ("token", "problem"),
    [
        (TOKEN[:20] + " " + TOKEN[20:], "contains a space"),
        (" " + TOKEN, "contains a space"),
        (TOKEN + "\n", "contains a space or line break"),
        (TOKEN[:-12], "must look like"),  # cut short when pasted
        ("bot" + TOKEN, "must look like"),
        (TOKEN.replace(":", ";"), "must look like"),
        (TOKEN[:25] + "/" + TOKEN[26:], "must look like"),
    ],
)
def test_a_malformed_token_is_refused_without_quoting_it(
    monkeypatch: pytest.MonkeyPatch, token: str, problem: str
) -> None:
    monkeypatch.setenv("BOT_TOKEN", token)
    with pytest.raises(ConfigError) as info:
        load_settings()
    message = str(info.value)
    assert message.startswith("config error: BOT_TOKEN: ") and problem in message
    assert "\n" not in message
    # no piece of the token is quoted (the example in the message is not one)
    assert not any(token[i : i + 8] in message for i in range(len(token) - 8))


def test_a_token_as_botfather_gives_it_is_accepted(monkeypatch: pytest.MonkeyPatch) -> None:
    real_shape = "7123456789:AAE" + "x" * 32
    monkeypatch.setenv("BOT_TOKEN", real_shape)
    assert load_settings().require_token().get_secret_value() == real_shape


def test_retention_and_export_key(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = load_settings()
    assert settings.retention_days == 180
    with pytest.raises(ConfigError, match="EXPORT_HASH_KEY: missing"):
        settings.require_export_key()
    monkeypatch.setenv("RETENTION_DAYS", "30")
    monkeypatch.setenv("EXPORT_HASH_KEY", "k" * 32)
    settings = load_settings()
    assert settings.retention_days == 30
    assert settings.require_export_key() == b"k" * 32
    assert "kkkk" not in repr(settings)


@pytest.mark.parametrize(
    ("name", "value"),
    [("RETENTION_DAYS", "0"), ("RETENTION_DAYS", "x"), ("EXPORT_HASH_KEY", "short")],
)
def test_bad_retention_or_key_is_named(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match=f"config error: {name}: "):
        load_settings()


def test_redact_hides_the_token_and_its_secret_half() -> None:
    text = f"GET /bot{TOKEN}/getMe failed; secret={SECRET}"
    redacted = redact(text, TOKEN)
    assert SECRET not in redacted and redacted.count("<BOT_TOKEN>") == 2
    assert redact(text, None) == text
