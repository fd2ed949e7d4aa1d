"""The one place that wires the bot: settings, database, content, services, handlers, jobs."""

from __future__ import annotations

import asyncio
import gc
import logging
from dataclasses import replace
from datetime import UTC, time, timedelta
from typing import Any

from telegram import Bot, BotCommand, BotCommandScopeChat, BotCommandScopeDefault
from telegram.error import BadRequest, Forbidden
from telegram.ext import AIORateLimiter, ApplicationBuilder, Defaults, JobQueue

from bot import handlers, texts
from bot.config import Settings
from bot.content import ExerciseLibrary, load_library
from bot.db.engine import Database
from bot.domain.schedule_times import DAY_END_PASS_INTERVAL, day_end_pass_slot
from bot.handlers.alerts import day_end_alerts_job
from bot.handlers.common import CONTEXT_TYPES, BotApplication, BotContext
from bot.handlers.privacy import purge_job
from bot.services.container import Clock, ServiceContainer, system_clock
from bot.services.identity import ClientLookups
from bot.services.updates import UpdateClaims
from bot.telegram_sender import TelegramSender
from bot.update_processing import PerUserUpdateProcessor
from scheduler.claiming import ClaimPolicy
from scheduler.dispatch import Dispatcher
from scheduler.outbox import Outbox, UnrecordedRedFlags
from scheduler.tick import Scheduler

log = logging.getLogger(__name__)

__all__ = [
    "BotApplication",
    "build_application",
    "build_scheduler",
    "new_event_loop",
    "set_command_menus",
]


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


ALERT_JOB_NAME = "day-end-alerts"
# 03:30 UTC: away from the morning reminders and the alert pass; any hour would do.
PURGE_TIME = time(3, 30, tzinfo=UTC)
PURGE_JOB_NAME = "purge-expired"


def build_scheduler(
    settings: Settings,
    *,
    db: Database,
    library: ExerciseLibrary,
    bot: Bot,
    clock: Clock = system_clock,
    keep_outcomes: bool = False,
) -> Scheduler:
    """The scheduling engine: claims due rows; its dispatcher sends at Telegram's pace."""
    sender = TelegramSender(bot)
    dispatcher = Dispatcher(
        sender=sender,
        db=db,
        clock=clock,
        send_rate=settings.send_rate_per_second,
        per_chat_rate=settings.per_chat_rate_per_second,
        keep_outcomes=keep_outcomes,
    )
    outbox = Outbox(
        db=db,
        dispatcher=dispatcher,
        clock=clock,
        therapist_ids=settings.therapist_ids,
        also_notify=settings.red_flag_also_notify,
    )
    unrecorded = UnrecordedRedFlags(
        db=db,
        sender=sender,
        clock=clock,
        therapist_ids=settings.therapist_ids,
        also_notify=settings.red_flag_also_notify,
    )
    return Scheduler(
        db=db,
        library=library,
        dispatcher=dispatcher,
        policy=ClaimPolicy.from_settings(settings),
        tick_lookahead=timedelta(seconds=settings.claim_lookahead_seconds),
        outbox=outbox,
        unrecorded_red_flags=unrecorded,
        therapist_ids=settings.therapist_ids,
        sensitivity=settings.alert_sensitivity,
    )


# A call waits this long for a free connection (PTB's 1 s default would fail calls outright
# while Telegram is slow and every connection is busy).
POOL_TIMEOUT_S = 10.0


def application_builder(
    settings: Settings, processor: PerUserUpdateProcessor
) -> ApplicationBuilder[Any, Any, Any, Any, Any, Any]:
    """The Application's Telegram-facing settings (the interaction benchmark's floor bot is
    built from these too, so the two always compare like for like)."""
    return (
        ApplicationBuilder()
        .token(settings.token())
        .base_url(settings.telegram_api_base_url)
        .base_file_url(settings.telegram_file_base_url)
        .defaults(Defaults(tzinfo=UTC))
        # Flood control: RetryAfter (429) is waited out and retried here for every call.
        # Broadcast pacing (SEND_RATE_PER_SECOND overall, PER_CHAT_RATE_PER_SECOND per chat)
        # is the scheduler dispatcher's job; replies to a user's own tap or message are paced
        # by that user, so they are not queued behind a global 30/s bucket.
        .rate_limiter(AIORateLimiter(overall_max_rate=0, max_retries=3))
        .concurrent_updates(processor)
        # BOT_API_CONNECTIONS (bot.config): sized to the calls in flight, not to the updates
        # handled at once. httpcore walks every pooled connection on each request, so each
        # one kept beyond need costs every call (measured in docs/benchmarks.md).
        .connection_pool_size(settings.bot_api_connections)
        .pool_timeout(POOL_TIMEOUT_S)
    )


def new_event_loop() -> asyncio.AbstractEventLoop:
    """The event loop the bot runs on: uvloop where it is installed (not on Windows), else
    asyncio's own. Measured (docs/benchmarks.md): 6-8 % less CPU per button press (most of a
    press is python-telegram-bot and httpx on the loop) and a quarter less per idle tick's
    query, for ~2 MB more memory. The interaction benchmark's floor runs on the same loop."""
    try:
        import uvloop
    except ImportError:
        return asyncio.new_event_loop()
    return uvloop.new_event_loop()


def build_application(
    settings: Settings,
    *,
    db: Database | None = None,
    library: ExerciseLibrary | None = None,
    clock: Clock = system_clock,
    scheduler_tick_job: bool = True,
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
        await app.bot_data.scheduler.start()
        if scheduler_tick_job:
            app.bot_data.scheduler.tick_every(
                settings.tick_seconds,
                clock=container.now,
                on_error=lambda exc: app.process_error(None, exc),
            )
        # Everything built so far (the libraries' modules, the app) lives as long as the
        # process: out of the garbage collector's sight, a full collection no longer walks
        # those few hundred thousand objects, which held the event loop ~35 ms mid-burst.
        gc.freeze()

    async def post_stop(app: BotApplication) -> None:
        # PTB has stopped fetching updates and the job queue (no more claiming passes), but
        # the bot's HTTP client is still open until `shutdown`: drain the dispatcher now, so
        # queued messages are sent rather than failing on a closed client, and release the
        # rest for the next start at once.
        await app.bot_data.scheduler.stop()

    async def post_shutdown(app: BotApplication) -> None:
        if db is None:
            await database.dispose()

    processor = PerUserUpdateProcessor(settings.concurrent_updates)

    app: BotApplication = (
        application_builder(settings, processor)
        .context_types(CONTEXT_TYPES)
        .job_queue(JobQueue[BotContext]())  # PTB's default, typed for our context
        .post_init(post_init)
        .post_stop(post_stop)
        .post_shutdown(post_shutdown)
        .build()
    )
    scheduler = build_scheduler(
        settings, db=database, library=container.library, bot=app.bot, clock=clock
    )
    app.bot_data.scheduler = scheduler
    unrecorded = scheduler.unrecorded_red_flags
    app.bot_data.services = replace(
        container,
        red_flag_fallback=unrecorded.alert if unrecorded is not None else None,
        flush_outbox=scheduler.outbox.after_update,
        update_claims=UpdateClaims(database),
        client_lookups=ClientLookups(database),
    )
    # A handled update may have written outbox rows (an alert, a relayed message): they are
    # handed to the dispatcher at once instead of at the next tick.
    processor.after_update = scheduler.outbox.after_update
    if app.job_queue is not None:
        # Silence and a week's adherence need no check-in to trigger them: each client's
        # finished day is judged by the pass just after their local midnight (one pass per
        # quarter hour, on the quarter hour; set-based over the clients it concerns). The job
        # queue runs on the wall clock, so the first quarter hour is the wall clock's; each
        # pass judges the slot of `services.now()`.
        first = day_end_pass_slot(system_clock()) + DAY_END_PASS_INTERVAL
        app.job_queue.run_repeating(
            day_end_alerts_job, interval=DAY_END_PASS_INTERVAL, first=first, name=ALERT_JOB_NAME
        )
        # Expired invites and pending inputs name people and serve no one: gone daily.
        app.job_queue.run_daily(purge_job, time=PURGE_TIME, name=PURGE_JOB_NAME, data=PURGE_TIME)
    handlers.register(app)
    return app
