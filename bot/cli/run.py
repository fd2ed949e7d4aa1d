"""`python -m bot run [--upgrade-db]`: start the bot (polling, or webhook when WEBHOOK_URL is set).

Before anything starts: the token is there, the exercise library is valid and the Bot API
accepts the token — each refusal is one line on stderr without the token, exit status 2.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

from telegram.error import InvalidToken, TelegramError

from bot.cli.usage import fail
from bot.config import Settings, load_settings

if TYPE_CHECKING:
    from bot.cli.usage import Subcommands

__all__ = ["ALLOWED_UPDATES", "add_to"]

ALLOWED_UPDATES = ["message", "edited_message", "callback_query"]
log = logging.getLogger("bot")


def add_to(commands: Subcommands) -> None:
    run = commands.add_parser("run", help="start the bot (polling, or webhook if WEBHOOK_URL)")
    run.add_argument(
        "--upgrade-db", action="store_true", help="apply database migrations before starting"
    )
    run.set_defaults(command_main=main)


# python-telegram-bot's own webhook server, which it imports whenever tornado is installed
# (`bot.webhook` serves webhooks itself). Polling, the bot never needs it: 2.6 MB less.
PTB_WEBHOOK_SERVER = "telegram.ext._utils.webhookhandler"


def main(args: argparse.Namespace) -> int:
    from bot.content import ContentError, load_library

    settings = load_settings()
    settings.token()  # a missing token stops us here with a clear line
    secret = settings.webhook_secret_token() if settings.webhook_url else None
    if not settings.webhook_url and "telegram.ext" not in sys.modules:
        # A None entry makes its import fail: PTB then marks its webhooks unavailable.
        sys.modules.setdefault(PTB_WEBHOOK_SERVER, None)  # type: ignore[arg-type]
    try:
        library = load_library(settings.content_dir)
    except ContentError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return fail(f"the exercise library in {settings.content_dir} is invalid; fix it first")
    refusal = _bot_api_refusal(settings)
    if refusal is not None:
        return fail(refusal)
    _configure_logging(settings)
    if args.upgrade_db:
        from bot.db.migrate import upgrade

        upgrade(settings.database_url)
    from bot.app import build_application, new_event_loop

    app = build_application(settings, library=library)
    log.info("bot starting", extra={"mode": "webhook" if settings.webhook_url else "polling"})
    try:
        if settings.webhook_url and secret is not None:
            # One server for Telegram's updates (403 without the secret in
            # X-Telegram-Bot-Api-Secret-Token, before any handler sees it) and GET /healthz.
            from bot.cli.health import check_health
            from bot.webhook import serve_webhook

            with asyncio.Runner(loop_factory=new_event_loop) as runner:
                runner.run(
                    serve_webhook(
                        app,
                        settings,
                        secret=secret,
                        allowed_updates=ALLOWED_UPDATES,
                        health=lambda: check_health(settings),
                    )
                )
        else:
            # run_polling runs on the current event loop (and closes it when it stops).
            asyncio.set_event_loop(new_event_loop())
            app.run_polling(allowed_updates=ALLOWED_UPDATES)
    except InvalidToken as exc:
        # Revoked between the check above and now: still one line, never the token.
        return fail(_rejected(exc, None))
    return 0


def _configure_logging(settings: Settings) -> None:
    from bot.logs import configure_logging

    secrets = (
        [settings.telegram_bot_token.get_secret_value()] if settings.telegram_bot_token else []
    )
    configure_logging(settings.log_level, settings.log_format, secrets=secrets)


def _bot_api_refusal(settings: Settings) -> str | None:
    """Ask the Bot API who we are before starting; a refusal becomes one line without the token
    (PTB's own start-up error quotes it, and its retry loop logs a traceback)."""

    from telegram import Bot
    from telegram.request import HTTPXRequest

    statuses: list[int] = []

    class StatusRecordingRequest(HTTPXRequest):
        async def do_request(self, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
            status, payload = await super().do_request(*args, **kwargs)
            statuses.append(status)
            return status, payload

    async def ask() -> str | None:
        bot = Bot(
            settings.token(),
            base_url=settings.telegram_api_base_url,
            base_file_url=settings.telegram_file_base_url,
            request=StatusRecordingRequest(),
        )
        try:
            async with bot:  # initialize() calls getMe
                return None
        except InvalidToken as exc:
            return _rejected(exc, statuses[-1] if statuses else None)
        except TelegramError as exc:
            return (
                f"could not reach the Bot API at TELEGRAM_API_BASE_URL ({type(exc).__name__}); "
                "check the address and the network"
            )

    return asyncio.run(ask())


def _rejected(exc: InvalidToken, status: int | None) -> str:
    """Telegram answers 401 Unauthorized to a well-formed token it does not know, and 404 to a
    request that does not reach a bot (a malformed token, or a base URL that is not a Bot API)."""
    cause = exc.__cause__ if isinstance(exc.__cause__, InvalidToken) else exc
    if status == HTTPStatus.UNAUTHORIZED or (
        status is None and "unauthorized" in str(cause).lower()
    ):
        return "Telegram rejected TELEGRAM_BOT_TOKEN: create a new one with @BotFather"
    return "TELEGRAM_API_BASE_URL does not look like a Bot API server"
