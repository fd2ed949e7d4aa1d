"""Settings: defaults from DESIGN.md, and one actionable line for each bad value."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError, load_settings


def test_defaults_follow_the_configuration_contract() -> None:
    settings = load_settings(_env_file=None)
    assert settings.database_url == "sqlite+aiosqlite:///data/bot.db"
    assert settings.default_timezone == "Europe/London"
    assert settings.telegram_api_base_url == "https://api.telegram.org/bot"
    assert settings.content_dir == Path("content/exercises")
    assert "999" in settings.emergency_advice and "111" in settings.emergency_advice
    assert settings.log_format == "text"
    assert settings.therapist_ids == frozenset()
    assert settings.bot_api_connections == 4


def test_therapist_ids_are_read_from_a_comma_separated_list(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("THERAPIST_IDS", "111, 222,333")
    assert load_settings(_env_file=None).therapist_ids == frozenset({111, 222, 333})


def test_settings_are_read_from_a_dotenv_file(tmp_path: Path) -> None:
    env = tmp_path / ".env"
    env.write_text("TELEGRAM_BOT_TOKEN=123456:ABCdef\nDEFAULT_TIMEZONE=Australia/Sydney\n")
    settings = load_settings(_env_file=str(env))
    assert settings.token() == "123456:ABCdef"
    assert settings.default_timezone == "Australia/Sydney"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("THERAPIST_IDS", "alice,bob"),
        ("THERAPIST_IDS", "-5"),
        ("DEFAULT_TIMEZONE", "Mars/Olympus"),
        ("DATABASE_URL", "mysql://root@localhost/bot"),
        ("DATABASE_URL", "not a url at all"),
        ("TELEGRAM_BOT_TOKEN", "definitely-not-a-token"),
        ("LOG_FORMAT", "xml"),
        ("BOT_API_CONNECTIONS", "0"),
    ],
)
def test_an_invalid_setting_is_named_in_one_line(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as raised:
        load_settings(_env_file=None)
    message = str(raised.value)
    assert message.startswith(name)
    assert "\n" not in message
    assert ".env" in message


def test_missing_token_says_how_to_get_one() -> None:
    settings = load_settings(_env_file=None)
    with pytest.raises(ConfigError, match="@BotFather") as raised:
        settings.token()
    assert "TELEGRAM_BOT_TOKEN" in str(raised.value)


def test_the_therapists_zone_defaults_to_the_default_zone_and_is_validated(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DEFAULT_TIMEZONE", "Europe/Dublin")
    assert load_settings(_env_file=None).therapist_zone == "Europe/Dublin"
    monkeypatch.setenv("THERAPIST_TIMEZONE", "America/New_York")
    assert load_settings(_env_file=None).therapist_zone == "America/New_York"
    monkeypatch.setenv("THERAPIST_TIMEZONE", "Mars/Olympus")
    with pytest.raises(ConfigError, match="THERAPIST_TIMEZONE is invalid"):
        load_settings(_env_file=None)


def test_alert_sensitivity_is_balanced_unless_set(monkeypatch: pytest.MonkeyPatch) -> None:
    assert load_settings(_env_file=None).alert_sensitivity == "balanced"
    monkeypatch.setenv("ALERT_SENSITIVITY", "strict")
    assert load_settings(_env_file=None).alert_sensitivity == "strict"


def test_a_bad_alert_sensitivity_names_the_three_settings_in_one_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ALERT_SENSITIVITY", "loud")
    with pytest.raises(ConfigError) as raised:
        load_settings(_env_file=None)
    message = str(raised.value)
    assert message.startswith("ALERT_SENSITIVITY is invalid")
    assert all(name in message for name in ("'strict'", "'balanced'", "'sensitive'"))
    assert "\n" not in message
