"""The one place that wires the bot: settings, database, content, services, handlers, jobs."""

from __future__ import annotations

import logging
from datetime import UTC
from typing import Any

from telegram import BotCommand, BotCommandScopeChat, BotCommandScopeDefault
from telegram.error import BadRequest, Forbidden
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder, Defaults

from bot import handlers, texts
from bot.config import Settings
from bot.content import ExerciseLibrary, load_library
from bot.db.engine import Database
from bot.handlers.common import SERVICES_KEY
from bot.services.container import Clock, ServiceContainer, system_clock

log = logging.getLogger(__name__)

BotApplication = Application[Any, Any, Any, Any, Any, Any]


def _commands(pairs: tuple[tuple[str, str], ...]) -> list[BotCommand]:
    return [BotCommand(name, description) for name, description in pairs]


async def set_command_menus(app: BotApplication, therapist_ids: frozenset[int]) -> None:
    await app.bot.set_my_commands(_commands(texts.DEFAULT_COMMANDS), scope=BotCommandScopeDefault())
    for therapist_id in sorted(therapist_ids):
        try:
            await app.bot.set_my_commands(
                _commands(texts.THERAPIST_COMMANDS), scope=BotCommandScopeChat(therapist_id)
            )
        except (BadRequest, Forbidden) as exc:
            # The therapist has not opened a chat with the bot yet; /start sets it then.
            log.info("therapist menu deferred", extra={"error_type": type(exc).__name__})


def build_application(
    settings: Settings,
    *,
    db: Database | None = None,
    library: ExerciseLibrary | None = None,
    clock: Clock = system_clock,
) -> BotApplication:
    """Build the PTB Application. `db`/`library` may be given by tests; otherwise made here."""
    database = db or Database.connect(settings.database_url)
    container = ServiceContainer(
        settings=settings,
        db=database,
        library=library if library is not None else load_library(settings.content_dir),
        clock=clock,
    )

    async def post_init(app: BotApplication) -> None:
        await set_command_menus(app, settings.therapist_ids)

    async def post_shutdown(_app: BotApplication) -> None:
        if db is None:
            await database.dispose()

    app: BotApplication = (
        ApplicationBuilder()
        .token(settings.token())
        .base_url(settings.telegram_api_base_url)
        .base_file_url(settings.telegram_file_base_url)
        .defaults(Defaults(tzinfo=UTC))
        .rate_limiter(
            AIORateLimiter(
                overall_max_rate=settings.send_rate_per_second,
                overall_time_period=1,
                max_retries=3,
            )
        )
        .post_init(post_init)
        .post_shutdown(post_shutdown)
        .build()
    )
    app.bot_data[SERVICES_KEY] = container
    handlers.register(app)
    return app
