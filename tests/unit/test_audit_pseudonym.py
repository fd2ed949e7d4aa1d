"""The key of erased clients' audit pseudonyms: from PSEUDONYM_KEY, else from the token."""

from __future__ import annotations

import pytest

from bot.config import ConfigError, load_settings
from bot.services.privacy import audit_pseudonym

TOKEN = "123456:AAH-token-one"
OTHER_TOKEN = "123456:AAH-token-two"


def _key(**settings: object) -> bytes:
    return load_settings(_env_file=None, **settings).audit_pseudonym_key()


def test_pseudonym_key_setting_survives_a_new_bot_token() -> None:
    one = _key(telegram_bot_token=TOKEN, pseudonym_key="kept-outside-the-database")
    two = _key(telegram_bot_token=OTHER_TOKEN, pseudonym_key="kept-outside-the-database")
    assert one == two
    assert audit_pseudonym(42, one) == audit_pseudonym(42, two)


def test_without_the_setting_the_key_comes_from_the_token_but_is_not_the_token() -> None:
    key = _key(telegram_bot_token=TOKEN)
    assert key != _key(telegram_bot_token=OTHER_TOKEN)
    assert TOKEN.encode() not in key
    assert audit_pseudonym(42, key) != audit_pseudonym(43, key)


def test_no_token_and_no_key_is_a_configuration_error() -> None:
    with pytest.raises(ConfigError, match="TELEGRAM_BOT_TOKEN"):
        _key()
