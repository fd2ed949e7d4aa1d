"""Settings from the environment or `.env`, validated once at start-up.

Every name here is documented in `.env.example`. A problem becomes one `ConfigError` line that
names the setting and says how to fix it; the CLI prints it and exits with status 2.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from bot.domain.alerts import DEFAULT_SENSITIVITY, Sensitivity
from bot.domain.schedule_times import DEFAULT_CLAIM_LOOKAHEAD_SECONDS

DEFAULT_BOT_API_CONNECTIONS = 4
DEFAULT_EMERGENCY_ADVICE = (
    "Please get urgent medical help now: go to A&E or call 999. "
    "If you are unsure, call NHS 111. Do not wait for your next appointment."
)
TELEGRAM_API_BASE_URL = "https://api.telegram.org/bot"
TELEGRAM_FILE_BASE_URL = "https://api.telegram.org/file/bot"

# setWebhook's secret_token: 1-256 characters, A-Z, a-z, 0-9, _ and - only.
WEBHOOK_SECRET_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,256}")
_SUPPORTED_DRIVERS = {"sqlite+aiosqlite", "postgresql+asyncpg"}


class ConfigError(Exception):
    """A setting is missing or invalid; the message is one line a user can act on."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", case_sensitive=False
    )

    telegram_bot_token: SecretStr | None = None
    telegram_api_base_url: str = TELEGRAM_API_BASE_URL
    telegram_file_base_url: str = TELEGRAM_FILE_BASE_URL
    therapist_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    # Extra Telegram ids told of red flags only (e.g. a clinic's duty therapist); when set,
    # the consent and /privacy texts name this disclosure. Empty: only the own therapist.
    red_flag_also_notify: Annotated[frozenset[int], NoDecode] = frozenset()
    practice_name: str = "your therapist"
    database_url: str = "sqlite+aiosqlite:///data/bot.db"
    default_timezone: str = "Europe/London"
    # The therapist's own zone for every time they read (alerts, the card, the Monday 08:00
    # summary); unset, DEFAULT_TIMEZONE.
    therapist_timezone: str | None = None
    emergency_advice: str = DEFAULT_EMERGENCY_ADVICE
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = Field(default=8443, ge=1, le=65535)
    content_dir: Path = Path("content/exercises")
    # Trend alerts' trade-off between catching real rises and ignoring ordinary bad days
    # (docs/alerts.md has each setting's measured table).
    alert_sensitivity: Sensitivity = DEFAULT_SENSITIVITY
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_format: Literal["text", "json"] = "text"

    # Updates from different users handled at once (one user's updates stay in order).
    concurrent_updates: int = Field(default=16, ge=1, le=256)
    # Connections to the Bot API kept open; each carries one call at a time, and calls beyond
    # them wait their turn (up to 10 s). At Telegram's usual 30-100 ms a call, 4 carry 40-130
    # calls a second, above the 30 messages a second Telegram lets a bot send. Every pooled
    # connection costs each call a check (httpcore walks the pool on every request), so a
    # pool larger than the calls in flight makes every press dearer (docs/benchmarks.md).
    bot_api_connections: int = Field(default=DEFAULT_BOT_API_CONNECTIONS, ge=1, le=256)

    # Scheduler tuning (DESIGN.md, "The scheduling engine").
    tick_seconds: float = Field(default=1.0, gt=0, le=60)
    claim_batch_size: int = Field(default=500, ge=1, le=500)
    # The periodic tick claims slots due up to this many seconds ahead; the dispatcher holds
    # each until its slot, so a burst is claimed by its minute instead of ~1.5 s after it.
    # 0 disables (claim only what is due). `tick --at` never looks ahead.
    claim_lookahead_seconds: float = Field(default=DEFAULT_CLAIM_LOOKAHEAD_SECONDS, ge=0, le=60)
    send_rate_per_second: float = Field(default=30.0, gt=0, le=30)
    per_chat_rate_per_second: float = Field(default=1.0, gt=0, le=1)
    catch_up_window_minutes: int = Field(default=120, ge=0)
    follow_up_after_minutes: int = Field(default=180, ge=1)
    invite_ttl_days: int = Field(default=7, ge=1, le=90)
    # The key of the keyed hash that replaces an erased client's Telegram id in the audit
    # trail (docs/privacy.md). Unset: derived from TELEGRAM_BOT_TOKEN.
    pseudonym_key: SecretStr | None = None

    @field_validator("therapist_ids", "red_flag_also_notify", mode="before")
    @classmethod
    def _parse_ids(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [p.strip() for p in value.split(",") if p.strip()]
            try:
                ids = frozenset(int(p) for p in parts)
            except ValueError:
                raise ValueError("must be comma-separated numeric Telegram user ids") from None
            if any(i <= 0 for i in ids):
                raise ValueError("Telegram user ids are positive numbers")
            return ids
        if isinstance(value, int):
            return frozenset({value})
        return value

    @field_validator("default_timezone")
    @classmethod
    def _check_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{value!r} is not an IANA time zone such as Europe/London") from None
        return value

    @field_validator("therapist_timezone")
    @classmethod
    def _check_therapist_zone(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        return cls._check_zone(value.strip())

    @field_validator("database_url")
    @classmethod
    def _check_database_url(cls, value: str) -> str:
        try:
            url = make_url(value)
        except ArgumentError:
            raise ValueError("is not a database URL") from None
        if url.drivername not in _SUPPORTED_DRIVERS:
            raise ValueError(
                "must start with sqlite+aiosqlite:/// or postgresql+asyncpg://"
                f" (got {url.drivername!r})"
            )
        return value

    @field_validator("telegram_bot_token")
    @classmethod
    def _check_token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value().strip():
            return None
        token = value.get_secret_value().strip()
        if ":" not in token or not token.split(":", 1)[0].isdigit():
            raise ValueError("does not look like a token from @BotFather (digits:letters)")
        return SecretStr(token)

    @property
    def therapist_zone(self) -> str:
        """THERAPIST_TIMEZONE, else DEFAULT_TIMEZONE."""
        return self.therapist_timezone or self.default_timezone

    @field_validator("webhook_secret")
    @classmethod
    def _check_webhook_secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value().strip():
            return None
        if not WEBHOOK_SECRET_PATTERN.fullmatch(value.get_secret_value()):
            raise ValueError("must be 1-256 characters: letters, digits, _ or - (Telegram's rule)")
        return value

    def webhook_secret_token(self) -> str:
        """The webhook's secret, or a ConfigError: without one anyone who can reach the port
        could post updates as any user."""
        if self.webhook_secret is None:
            raise ConfigError(
                "WEBHOOK_SECRET is not set: webhook mode (WEBHOOK_URL) needs one so only Telegram "
                "can post updates; put WEBHOOK_SECRET=<random letters and digits> in .env."
            )
        return self.webhook_secret.get_secret_value()

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def token(self) -> str:
        """The bot token, or a ConfigError telling the user how to get one."""
        if self.telegram_bot_token is None:
            raise ConfigError(
                "TELEGRAM_BOT_TOKEN is not set: create a bot with @BotFather in Telegram, "
                "then put TELEGRAM_BOT_TOKEN=<token> in .env (see .env.example)."
            )
        return self.telegram_bot_token.get_secret_value()

    def audit_pseudonym_key(self) -> bytes:
        """The secret for erased clients' audit pseudonyms: kept outside the database, so a
        copy of the database alone cannot turn a pseudonym back into a Telegram id."""
        if self.pseudonym_key is not None:
            secret = self.pseudonym_key.get_secret_value()
        else:
            secret = self.token()
        # A key of its own, never the token itself (domain separation).
        return hmac.new(secret.encode(), b"audit-pseudonym-key-v1", hashlib.sha256).digest()


def load_settings(**overrides: object) -> Settings:
    """Read settings; turn pydantic's report into one actionable line."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        first = exc.errors()[0]
        name = str(first["loc"][0]).upper() if first["loc"] else "settings"
        message = str(first["msg"]).removeprefix("Value error, ")
        raise ConfigError(
            f"{name} is invalid: {message}. Fix it in .env (see .env.example)."
        ) from None
