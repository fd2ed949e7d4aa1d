"""Command line: `python -m bot run | db upgrade | content check | ...`.

Problems a user can fix (a missing token, a bad setting, broken content) are printed as one
line each on stderr and exit with status 2 — never a traceback.
"""

from __future__ import annotations

import argparse
import logging
import sqlite3
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from http import HTTPStatus
from pathlib import Path
from typing import Any

from telegram.error import InvalidToken, TelegramError

from bot.config import ConfigError, Settings, load_settings
from bot.domain.alerts import DEFAULT_SENSITIVITY, Sensitivity

EXIT_USAGE = 2
ALLOWED_UPDATES = ["message", "edited_message", "callback_query"]
log = logging.getLogger("bot")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bot",
        description="Sciatica exercise-reminder bot for a therapist and their clients.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = commands.add_parser("run", help="start the bot (polling, or webhook if WEBHOOK_URL)")
    run.add_argument(
        "--upgrade-db", action="store_true", help="apply database migrations before starting"
    )

    db = commands.add_parser("db", help="database maintenance")
    db_commands = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    db_commands.add_parser("upgrade", help="apply all migrations (creates the SQLite file)")
    backup = db_commands.add_parser(
        "backup", help="copy the SQLite database to FILE while the bot runs (PostgreSQL: how)"
    )
    backup.add_argument("file", type=Path)
    restore = db_commands.add_parser(
        "restore", help="copy a SQLite backup FILE over the database (stop the bot first)"
    )
    restore.add_argument("file", type=Path)
    commands.add_parser(
        "health", help="exit 0 when the database answers, is migrated, and the bot ticks"
    )

    content = commands.add_parser("content", help="exercise library tools")
    content_commands = content.add_subparsers(dest="content_command", required=True)
    check = content_commands.add_parser("check", help="validate content/exercises/*.md")
    check.add_argument("--dir", type=Path, default=None, help="library folder (CONTENT_DIR)")

    clients = commands.add_parser("clients", help="client administration")
    client_commands = clients.add_subparsers(dest="clients_command", required=True)
    reassign = client_commands.add_parser(
        "reassign", help="move a departed therapist's clients to another therapist"
    )
    reassign.add_argument("--from", dest="from_id", type=int, required=True, help="Telegram id")
    reassign.add_argument("--to", dest="to_id", type=int, required=True, help="Telegram id")

    tick = commands.add_parser("tick", help="run exactly one scheduler pass and wait for sends")
    tick.add_argument(
        "--at", required=True, type=_aware_datetime, help="ISO instant, e.g. 2026-03-29T08:00Z"
    )

    summary = commands.add_parser(
        "summary", help="print (and send, with a token) the therapists' weekly summary"
    )
    summary.add_argument(
        "--at", required=True, type=_aware_datetime, help="ISO instant, e.g. 2026-06-01T08:00+01:00"
    )
    summary.add_argument("--therapist", type=int, default=None, help="one therapist's Telegram id")

    alerts = commands.add_parser("alerts", help="trend-alert tools")
    alerts_commands = alerts.add_subparsers(dest="alerts_command", required=True, metavar="ACTION")
    replay = alerts_commands.add_parser(
        "replay",
        help="what the bot would have told the therapist about DIARY.csv "
        "(client,timezone,at,leg,back); needs no token or database",
    )
    replay.add_argument("diary", type=Path, metavar="DIARY.csv")
    replay.add_argument("--json", action="store_true", help="one JSON object per alert per line")
    replay.add_argument(
        "--until",
        type=_aware_datetime,
        default=None,
        help="run the day-end passes up to this ISO instant (default: last row + 1 day)",
    )
    replay.add_argument(
        "--sensitivity",
        choices=[s.value for s in Sensitivity],
        default=DEFAULT_SENSITIVITY.value,
        help="ALERT_SENSITIVITY to replay with (default: %(default)s)",
    )

    bench = commands.add_parser(
        "bench", help="measure the scheduler beside the naive peer (needs a source checkout)"
    )
    bench.add_argument("--quick", action="store_true", help="N = 500, under a minute")
    bench.add_argument("--full", action="store_true", help="also N = 100,000 (long)")
    bench.add_argument("--json", action="store_true", help="print one JSON object")
    return parser


def _aware_datetime(value: str) -> datetime:
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not an ISO date-time") from None
    if when.tzinfo is None:
        raise argparse.ArgumentTypeError(f"{value!r} needs a UTC offset, e.g. ...T08:00+00:00")
    return when.astimezone(UTC)


def _tick(settings: Settings, at: datetime) -> int:
    """One pass at `at`; one line per delivery (kind, schedule, slot, status), then totals.

    Ids and statuses only: no names, no health data.
    """
    import asyncio

    from bot.scheduler_cli import run_one_pass

    lines = asyncio.run(run_one_pass(settings, at))
    for line in lines:
        print(line)
    return 0


def _reassign(settings: Settings, from_id: int, to_id: int) -> int:
    """Ids and counts only: no names."""
    import asyncio

    from bot.db.engine import Database
    from bot.services.reassign import Reassigned, reassign_clients

    if to_id not in settings.therapist_ids:
        return _fail(
            f"{to_id} is not in THERAPIST_IDS: add them first, or they would receive nothing"
        )

    async def run() -> Reassigned | None:
        db = Database.connect(settings.database_url)
        try:
            return await reassign_clients(
                db,
                from_telegram_id=from_id,
                to_telegram_id=to_id,
                timezone=settings.default_timezone,
                practice=settings.practice_name,
                now=datetime.now(tz=UTC),
            )
        finally:
            await db.dispose()

    result = asyncio.run(run())
    if result is None:
        return _fail(f"therapist {from_id} has no clients to move")
    print(
        f"moved {result.moved} client(s) from {from_id} to {to_id}; "
        f"{result.told} will be told who now sees their data; "
        f"{result.requeued} queued message(s) re-addressed"
    )
    return 0


def _summary(settings: Settings, at: datetime, therapist: int | None) -> int:
    import asyncio

    from bot.summary_cli import run_summary

    for text in asyncio.run(run_summary(settings, at, therapist)):
        print(text)
        print()
    return 0


def _alerts_replay(args: argparse.Namespace) -> int:
    """Replay a diary (bot.services.alert_replay); a bad row is `file:line: problem`, exit 2."""
    import asyncio

    from bot.replay_cli import json_lines, table
    from bot.services.alert_replay import DiaryError, read_diary, replay

    try:
        rows = read_diary(args.diary)
    except DiaryError as exc:
        return _fail(str(exc))
    alerts = asyncio.run(replay(rows, until=args.until, sensitivity=Sensitivity(args.sensitivity)))
    for line in json_lines(alerts) if args.json else [table(alerts)]:
        print(line)
    return 0


def _bench(args: argparse.Namespace) -> int:
    """Delegate to `python -m benchmarks.run`: benchmarks/ ships with the source, not the wheel."""
    import subprocess

    root = Path(__file__).resolve().parents[1]
    if not (root / "benchmarks" / "run.py").is_file():
        return _fail("benchmarks/ is not here: run `python -m bot bench` from a source checkout")
    flags = [f"--{name}" for name in ("quick", "full", "json") if getattr(args, name)]
    command = [sys.executable, "-m", "benchmarks.run", *flags]
    return subprocess.run(command, cwd=root, check=False).returncode  # noqa: S603


def _fail(message: str) -> int:
    print(message, file=sys.stderr)
    return EXIT_USAGE


def _configure_logging(settings: Settings) -> None:
    from bot.logs import configure_logging

    secrets = (
        [settings.telegram_bot_token.get_secret_value()] if settings.telegram_bot_token else []
    )
    configure_logging(settings.log_level, settings.log_format, secrets=secrets)


def _content_check(settings: Settings, directory: Path | None) -> int:
    from bot.content import check_library

    folder = directory or settings.content_dir
    problems = check_library(folder)
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(f"{len(problems)} problem(s) in {folder}", file=sys.stderr)
        return 1
    print(f"content OK: {folder}")
    return 0


def _db_upgrade(settings: Settings) -> int:
    from bot.db.migrate import upgrade

    upgrade(settings.database_url)
    print("database is up to date")
    return 0


def _db_backup(settings: Settings, target: Path) -> int:
    from bot.db.backup import backup_sqlite, pg_dump_command, sqlite_file

    if sqlite_file(settings.database_url) is None:
        print("PostgreSQL: back up with pg_dump (password from PGPASSWORD or ~/.pgpass):")
        print(pg_dump_command(settings.database_url, target))
        return 0
    try:
        backup_sqlite(settings.database_url, target)
    except (OSError, sqlite3.Error) as exc:
        return _fail(f"backup failed: {exc}")
    print(f"backup written to {target}")
    return 0


def _db_restore(settings: Settings, source: Path) -> int:
    from bot.db.backup import restore_sqlite

    if not source.is_file():
        return _fail(f"{source} does not exist")
    try:
        restore_sqlite(settings.database_url, source)
    except (OSError, ValueError, sqlite3.Error) as exc:
        return _fail(f"restore failed: {exc}")
    print(f"database restored from {source}; run python -m bot db upgrade if it is older")
    return 0


def _health(settings: Settings) -> int:
    import asyncio

    from bot.health_cli import check_health

    problems = asyncio.run(check_health(settings))
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        return 1
    print("healthy")
    return 0


def _run(settings: Settings, *, upgrade_db: bool) -> int:
    from bot.content import ContentError, load_library

    settings.token()  # a missing token stops us here with a clear line
    secret = settings.webhook_secret_token() if settings.webhook_url else None
    try:
        library = load_library(settings.content_dir)
    except ContentError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return _fail(f"the exercise library in {settings.content_dir} is invalid; fix it first")
    refusal = _bot_api_refusal(settings)
    if refusal is not None:
        return _fail(refusal)
    _configure_logging(settings)
    if upgrade_db:
        from bot.db.migrate import upgrade

        upgrade(settings.database_url)
    from bot.app import build_application

    app = build_application(settings, library=library)
    log.info("bot starting", extra={"mode": "webhook" if settings.webhook_url else "polling"})
    try:
        if settings.webhook_url:
            # PTB's webhook server answers 403 to a request without this secret in
            # X-Telegram-Bot-Api-Secret-Token, before any handler sees it.
            app.run_webhook(
                listen=settings.webhook_listen,
                port=settings.webhook_port,
                webhook_url=settings.webhook_url,
                secret_token=secret,
                allowed_updates=ALLOWED_UPDATES,
            )
        else:
            app.run_polling(allowed_updates=ALLOWED_UPDATES)
    except InvalidToken as exc:
        # Revoked between the check above and now: still one line, never the token.
        return _fail(_rejected(exc, None))
    return 0


def _bot_api_refusal(settings: Settings) -> str | None:
    """Ask the Bot API who we are before starting; a refusal becomes one line without the token
    (PTB's own start-up error quotes it, and its retry loop logs a traceback)."""
    import asyncio

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


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "bench":
        return _bench(args)  # needs no settings: it runs its own bot against a double
    if args.command == "alerts":
        return _alerts_replay(args)  # needs no settings: a temporary database of its own
    try:
        settings = load_settings()
        if args.command == "run":
            return _run(settings, upgrade_db=args.upgrade_db)
        if args.command == "db":
            if args.db_command == "backup":
                return _db_backup(settings, args.file)
            if args.db_command == "restore":
                return _db_restore(settings, args.file)
            return _db_upgrade(settings)
        if args.command == "health":
            return _health(settings)
        if args.command == "content":
            return _content_check(settings, args.dir)
        if args.command == "clients":
            return _reassign(settings, args.from_id, args.to_id)
        if args.command == "tick":
            return _tick(settings, args.at)
        if args.command == "summary":
            return _summary(settings, args.at, args.therapist)
    except ConfigError as exc:
        return _fail(str(exc))
    return _fail(f"unknown command {args.command!r}")


if __name__ == "__main__":
    sys.exit(main())
