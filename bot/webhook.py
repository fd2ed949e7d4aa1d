"""Webhook mode: one HTTP server for Telegram's updates and for `GET /healthz`.

PTB's own `run_webhook` serves only the update route. This is python-telegram-bot's
documented custom-webhook approach (its "customwebhookbot" examples): the Application runs
without polling, and our server puts each update on `Application.update_queue`. The server is
tornado, which PTB's webhooks extra already brings.

* `POST /` takes an update only with the right `X-Telegram-Bot-Api-Secret-Token` (compared in
  constant time); without it, 403 and nothing is read.
* `GET /healthz` answers as `python -m bot health` does: 200 "healthy" when the database
  answers, its migrations are at head and the last scheduler tick is under 60 s old; 503 with
  one short line per problem otherwise (never a secret).

The lifecycle is `run_webhook`'s: initialize, post_init, listen, setWebhook, start; on SIGTERM
or SIGINT stop listening, stop, post_stop (the dispatcher drains while the bot's HTTP client
is still open), shutdown, post_shutdown.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
import signal
from collections.abc import Awaitable, Callable
from http import HTTPStatus
from typing import Any

import tornado.web
from telegram import Update
from tornado.httpserver import HTTPServer

from bot.config import Settings

__all__ = ["HEALTH_PATH", "SECRET_HEADER", "serve_webhook", "webhook_app"]

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 (a header name)
HEALTH_PATH = "/healthz"

HealthCheck = Callable[[], Awaitable[list[str]]]
AnyApplication = Any  # PTB's Application, generic over six types: its methods are what we use


class _Updates(tornado.web.RequestHandler):
    SUPPORTED_METHODS = ("POST",)

    def initialize(self, bot_app: AnyApplication, secret: str) -> None:
        self._bot_app = bot_app
        self._secret = secret.encode()

    async def post(self) -> None:
        given = self.request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, self._secret):
            raise tornado.web.HTTPError(HTTPStatus.FORBIDDEN)
        try:
            update = Update.de_json(json.loads(self.request.body), self._bot_app.bot)
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            # Never the body in the log: it is somebody's message.
            log.warning("webhook update not understood", extra={"error_type": type(exc).__name__})
            raise tornado.web.HTTPError(HTTPStatus.BAD_REQUEST) from exc
        await self._bot_app.update_queue.put(update)

    def log_exception(self, *args: Any) -> None:
        """tornado logs a refused request with its headers; ours are secrets."""


class _Health(tornado.web.RequestHandler):
    SUPPORTED_METHODS = ("GET",)

    def initialize(self, check: HealthCheck) -> None:
        self._check = check

    def compute_etag(self) -> None:
        """Every probe is answered afresh (no ETag, so never a 304)."""

    async def get(self) -> None:
        problems = await self._check()
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        if problems:
            self.set_status(HTTPStatus.SERVICE_UNAVAILABLE)
            self.finish("".join(f"{problem}\n" for problem in problems))
        else:
            self.finish("healthy\n")


class _Quiet(tornado.web.Application):
    def log_request(self, handler: tornado.web.RequestHandler) -> None:
        """No access log: the bot's own logging says what matters, without addresses."""


def webhook_app(
    application: AnyApplication, *, secret: str, health: HealthCheck
) -> tornado.web.Application:
    """The routes: Telegram's updates at `/`, the health check at `/healthz`."""
    return _Quiet(
        [
            (r"/?", _Updates, {"bot_app": application, "secret": secret}),
            (HEALTH_PATH, _Health, {"check": health}),
        ]
    )


async def serve_webhook(
    application: AnyApplication,
    settings: Settings,
    *,
    secret: str,
    allowed_updates: list[str],
    health: HealthCheck,
) -> None:
    """Run the bot in webhook mode until SIGTERM or SIGINT (`Application.run_webhook`'s order)."""
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stopping.set)
    server = HTTPServer(webhook_app(application, secret=secret, health=health))
    await application.initialize()
    try:
        if application.post_init is not None:
            await application.post_init(application)
        server.listen(settings.webhook_port, address=settings.webhook_listen)
        await application.bot.set_webhook(
            url=settings.webhook_url, secret_token=secret, allowed_updates=allowed_updates
        )
        await application.start()
        log.info("webhook server listening", extra={"port": settings.webhook_port})
        await stopping.wait()
    finally:
        server.stop()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(server.close_all_connections(), 2.0)
        if application.running:
            await application.stop()
        if application.post_stop is not None:
            await application.post_stop(application)
        await application.shutdown()
        if application.post_shutdown is not None:
            await application.post_shutdown(application)
