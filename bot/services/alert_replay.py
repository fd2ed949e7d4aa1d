"""`python -m bot alerts replay`: what the bot would have told the therapist about some diaries.

A diary is a CSV file with the header `client,timezone,at,leg,back`, one check-in per row:
`client` an opaque id, `timezone` an IANA name, `at` the ISO-8601 instant (with its offset) the
check-in was made, `leg` 0-10, `back` 0-10 or empty. `read_diary` turns it into `DiaryRow`s (or
`DiaryError`s naming file and line); `replay` runs them through the bot's own production path
in a fresh temporary SQLite database, so nothing is needed but the file:

* each client is enrolled at local midnight of the day of their first row;
* each check-in goes through `bot.services.checkin.record_pain_entry` — what the /pain buttons
  call — with the clock at its instant (a later row on the same local day is the client
  correcting that day's check-in, as after "Replace it?");
* the day-end pass (`bot.services.alerts.judge_finished_days`) runs at the instants production
  runs it, every quarter hour, up to the last row + 1 day or `until`. Only the passes at which
  some client's local day ends are run here: at the others production finds nothing to judge.

It returns every alert raised, in order, with its stored evidence. The cohort evaluation
(tests/support/alert_evaluation.py) calls `replay` itself, so the figures in docs/alerts.md are
the production path's. The bot can only store a check-in with both scores: an empty `back`
repeats that client's previous back score (0 before the first one), so it never makes a trend.
"""

from __future__ import annotations

import asyncio
import csv
import multiprocessing
import os
import tempfile
from collections import defaultdict
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.db.engine import Database
from bot.db.migrate import upgrade_async
from bot.db.models import Client, ClientStatus, Therapist
from bot.domain.alerts import DEFAULT_SENSITIVITY, AlertKind, Sensitivity
from bot.domain.pain import PAIN_MAX, PAIN_MIN
from bot.domain.schedule_times import DAY_END_PASS_INTERVAL, end_of_local_day, resolve_wall_time
from bot.services.alerts import AlertNotice, judge_finished_days
from bot.services.checkin import CheckinStatus, record_pain_entry

DIARY_HEADER = ("client", "timezone", "at", "leg", "back")
# The replay runs the day-end pass this long after the diary's last check-in (unless `until`).
REPLAY_TAIL = timedelta(days=1)
# A diary this long or longer is replayed on more than one core (when there are more).
ROWS_PER_WORKER = 5_000
# Stand-in Telegram ids: the replay's clients and therapist never talk to Telegram.
_THERAPIST_TELEGRAM_ID = 1
_FIRST_CLIENT_TELEGRAM_ID = 1_000


class DiaryError(ValueError):
    """A row of the diary that cannot be replayed: `file:line: problem`."""

    def __init__(self, source: str, line: int, problem: str) -> None:
        super().__init__(f"{source}:{line}: {problem}")
        self.line = line


@dataclass(frozen=True, slots=True)
class DiaryRow:
    """One check-in of a diary."""

    client: str
    timezone: str
    at: datetime
    leg: int
    back: int | None
    line: int = 0


@dataclass(frozen=True, slots=True)
class ReplayedAlert:
    """An alert the bot raised while replaying (what the therapist would have been sent)."""

    client: str
    kind: AlertKind
    raised_at: datetime
    evidence: dict[str, Any]

    def as_json(self) -> dict[str, Any]:
        return {
            "client": self.client,
            "kind": self.kind.value,
            "raised_at": self.raised_at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
            "evidence": self.evidence,
        }


def _score(text: str, what: str) -> int:
    value = text.strip()
    if not value.isdecimal() or not PAIN_MIN <= int(value) <= PAIN_MAX:
        raise ValueError(f"{what} must be a whole number from {PAIN_MIN} to {PAIN_MAX}: {text!r}")
    return int(value)


def _instant(text: str) -> datetime:
    try:
        at = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"at must be an ISO-8601 instant, not {text!r}") from None
    if at.tzinfo is None:
        raise ValueError(f"at needs its UTC offset, e.g. {text.strip()}+01:00")
    return at.astimezone(UTC)


def _zone(text: str) -> str:
    name = text.strip()
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"timezone must be an IANA name like Europe/London: {text!r}") from None
    return name


def parse_diary(lines: Iterable[str], *, source: str = "diary") -> list[DiaryRow]:
    """The diary's rows, or `DiaryError` for the first one that cannot be replayed."""
    reader = csv.reader(lines)
    header = next(reader, None)
    if header is None or tuple(h.strip().lower() for h in header) != DIARY_HEADER:
        raise DiaryError(source, 1, f"the header must be {','.join(DIARY_HEADER)}")
    rows: list[DiaryRow] = []
    zones: dict[str, str] = {}
    for fields in reader:
        line = reader.line_num
        if not fields or all(not f.strip() for f in fields):
            continue
        if len(fields) != len(DIARY_HEADER):
            problem = f"expected {len(DIARY_HEADER)} fields, found {len(fields)}"
            raise DiaryError(source, line, problem)
        client, zone_text, at_text, leg_text, back_text = fields
        try:
            if not client.strip():
                raise ValueError("client must not be empty")
            zone = _zone(zone_text)
            if zones.setdefault(client.strip(), zone) != zone:
                raise ValueError(
                    f"client {client.strip()!r} changes time zone ({zones[client.strip()]} before)"
                )
            row = DiaryRow(
                client=client.strip(),
                timezone=zone,
                at=_instant(at_text),
                leg=_score(leg_text, "leg"),
                back=_score(back_text, "back") if back_text.strip() else None,
                line=line,
            )
        except ValueError as exc:
            raise DiaryError(source, line, str(exc)) from None
        rows.append(row)
    return rows


def read_diary(path: Path) -> list[DiaryRow]:
    """`parse_diary` of a file; a file that cannot be read is a `DiaryError` at line 1."""
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            return parse_diary(handle, source=str(path))
    except (OSError, UnicodeDecodeError) as exc:
        raise DiaryError(str(path), 1, f"cannot read the file ({type(exc).__name__})") from None


def _enrolment(zone: str, first_checkin: datetime) -> datetime:
    """Local midnight of the day of the client's first check-in (a DST gap moves it on)."""
    tz = ZoneInfo(zone)
    day = first_checkin.astimezone(tz).date()
    return resolve_wall_time(datetime.combine(day, time(0, 0)), tz).astimezone(UTC)


async def _enrol(db: Database, rows: Sequence[DiaryRow]) -> dict[str, int]:
    """Each client as onboarding leaves them (consented, active); their stand-in Telegram ids."""
    first: dict[str, DiaryRow] = {}
    for row in rows:
        if row.client not in first or row.at < first[row.client].at:
            first[row.client] = row
    telegram_ids: dict[str, int] = {}
    async with db.sessions.begin() as session:
        therapist = Therapist(
            telegram_id=_THERAPIST_TELEGRAM_ID,
            display_name="Therapist",
            practice_name="",
            timezone="UTC",
            created_at=min(r.at for r in first.values()),
        )
        session.add(therapist)
        await session.flush()
        for index, (name, row) in enumerate(sorted(first.items())):
            enrolled = _enrolment(row.timezone, row.at)
            telegram_ids[name] = _FIRST_CLIENT_TELEGRAM_ID + index
            session.add(
                Client(
                    therapist_id=therapist.id,
                    telegram_id=telegram_ids[name],
                    display_name=name,
                    timezone=row.timezone,
                    status=ClientStatus.ACTIVE,
                    consent_version="replay",
                    consent_at=enrolled,
                    created_at=enrolled,
                )
            )
    return telegram_ids


def _day_end_passes(rows: Sequence[DiaryRow], until: datetime) -> list[datetime]:
    """The quarter-hour passes, up to `until`, at which some client's local day ends."""
    first: dict[str, datetime] = {}
    zones: dict[str, str] = {}
    for row in rows:
        first[row.client] = min(first.get(row.client, row.at), row.at)
        zones[row.client] = row.timezone
    step = DAY_END_PASS_INTERVAL
    passes: set[datetime] = set()
    for zone in set(zones.values()):
        start = min(first[c] for c, z in zones.items() if z == zone)
        day: date = start.astimezone(ZoneInfo(zone)).date()
        while (end := end_of_local_day(day, zone)) <= until:
            # The first pass at or after the local midnight.
            epoch = datetime(2000, 1, 1, tzinfo=UTC)
            steps = -((epoch - end) // step)
            passes.add(epoch + steps * step)
            day += timedelta(days=1)
    return sorted(p for p in passes if p <= until)


def _notices_to_alerts(notices: Iterable[AlertNotice]) -> list[ReplayedAlert]:
    return [
        ReplayedAlert(
            client=n.client_name, kind=n.kind, raised_at=n.created_at, evidence=dict(n.evidence)
        )
        for n in notices
    ]


async def replay(
    rows: Sequence[DiaryRow],
    *,
    until: datetime | None = None,
    sensitivity: Sensitivity = DEFAULT_SENSITIVITY,
    workdir: Path | None = None,
    workers: int | None = None,
) -> list[ReplayedAlert]:
    """Replay `rows` through the production path in fresh SQLite databases (see the module).

    Alerts come back ordered by when they were raised (then client, then kind). Check-ins
    after `until` are not replayed; `workdir` holds the temporary databases.

    Clients never share anything an alert depends on, so a large diary is split by client
    over `workers` processes (default: one per core, a shard per ~`ROWS_PER_WORKER` rows),
    each with a database of its own; the alerts are the same as from one process.
    """
    if not rows:
        return []
    end = _replay_end(rows, until)
    shards = split_by_client(rows, workers)
    if len(shards) == 1:
        parts = [await _replay_in_fresh_database(shards[0], end, sensitivity, workdir)]
    else:
        loop = asyncio.get_running_loop()
        # "spawn": a clean interpreter per shard, never a fork of a running event loop.
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=len(shards), mp_context=context) as pool:
            parts = await asyncio.gather(
                *(
                    loop.run_in_executor(pool, _replay_shard, shard, end, sensitivity, workdir)
                    for shard in shards
                )
            )
    return sorted(
        (alert for part in parts for alert in part),
        key=lambda a: (a.raised_at, a.client, a.kind.value),
    )


def split_by_client(rows: Sequence[DiaryRow], workers: int | None) -> list[list[DiaryRow]]:
    """Whole clients per shard, about the same number of rows in each."""
    by_client: dict[str, list[DiaryRow]] = defaultdict(list)
    for row in rows:
        by_client[row.client].append(row)
    count = workers or min(os.cpu_count() or 1, 1 + len(rows) // ROWS_PER_WORKER)
    count = max(1, min(count, len(by_client)))
    shards: list[list[DiaryRow]] = [[] for _ in range(count)]
    for client_rows in sorted(by_client.values(), key=len, reverse=True):
        min(shards, key=len).extend(client_rows)
    return shards


def _replay_shard(
    rows: list[DiaryRow], until: datetime, sensitivity: Sensitivity, workdir: Path | None
) -> list[ReplayedAlert]:
    """One shard in a worker process."""
    return asyncio.run(_replay_in_fresh_database(rows, until, sensitivity, workdir))


async def _replay_in_fresh_database(
    rows: Sequence[DiaryRow], until: datetime, sensitivity: Sensitivity, workdir: Path | None
) -> list[ReplayedAlert]:
    with tempfile.TemporaryDirectory(prefix="alerts-replay-", dir=workdir) as folder:
        url = f"sqlite+aiosqlite:///{Path(folder) / 'replay.db'}"
        await upgrade_async(url)
        db = Database.connect_in_process(url)
        try:
            return await _replay(db, rows, until, sensitivity)
        finally:
            await db.dispose()


async def replay_into(
    db: Database,
    rows: Sequence[DiaryRow],
    *,
    until: datetime | None = None,
    sensitivity: Sensitivity = DEFAULT_SENSITIVITY,
) -> list[ReplayedAlert]:
    """`replay` in one process, into `db` (migrated, with no clients yet) instead of a fresh
    SQLite file: the same story told through another engine."""
    if not rows:
        return []
    return await _replay(db, rows, _replay_end(rows, until), sensitivity)


def _replay_end(rows: Sequence[DiaryRow], until: datetime | None) -> datetime:
    """`until`, or the last row + `REPLAY_TAIL` (so the last day's end is judged too)."""
    return until if until is not None else max(r.at for r in rows) + REPLAY_TAIL


async def _replay(
    db: Database, rows: Sequence[DiaryRow], until: datetime, sensitivity: Sensitivity
) -> list[ReplayedAlert]:
    telegram_ids = await _enrol(db, rows)
    checkins = sorted((r for r in rows if r.at <= until), key=lambda r: (r.at, r.line))
    passes = _day_end_passes(rows, until)
    last_back: dict[str, int] = {}
    raised: list[ReplayedAlert] = []
    next_pass = 0
    for row in checkins:
        while next_pass < len(passes) and passes[next_pass] <= row.at:
            raised += _notices_to_alerts(await judge_finished_days(db, now=passes[next_pass]))
            next_pass += 1
        back = row.back if row.back is not None else last_back.get(row.client, 0)
        last_back[row.client] = back
        result = await record_pain_entry(
            db,
            telegram_id=telegram_ids[row.client],
            leg=row.leg,
            back=back,
            for_day=None,
            # A second row on the same local day: the client confirms replacing the first.
            confirm_update=True,
            now=row.at,
            sensitivity=sensitivity,
        )
        if result.status is CheckinStatus.NOT_A_CLIENT:
            raise RuntimeError("a replayed client was not enrolled")
        raised += _notices_to_alerts(result.alerts)
    for instant in passes[next_pass:]:
        raised += _notices_to_alerts(await judge_finished_days(db, now=instant))
    return raised
