"""Prescribing: a draft built with buttons, confirmed into prescription rows and schedules.

The draft lives in `pending_input` (kind "prescribe"), so a restart or a second instance loses
nothing. Each button names the client the draft is for; a button from an older draft (another
client) is refused rather than applied to the wrong person. Confirming ends the rows that
changed (`active_to = now`, history kept) and starts new ones, then re-syncs the client's
reminder schedules at once (`schedules.sync_client_schedules`).

DESIGN.md: 2–4 exercises per prescription is the workable range; above 6 the therapist is warned.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.content import Dosage, Exercise, ExerciseLibrary
from bot.db import outbox
from bot.db import pending as pending_inputs
from bot.db.clients import owned_client
from bot.db.engine import Database
from bot.db.models import Client, Prescription
from bot.db.prescriptions import active_prescriptions
from bot.domain.recipients import Audience
from bot.services import audit
from bot.services.kinds import PLAIN_TEXT
from bot.services.pending import PendingKind
from bot.services.schedules import ALL_DAYS, reminder_times, sync_client_schedules

DRAFT_KIND = PendingKind.PRESCRIPTION_DRAFT
DRAFT_TTL = timedelta(days=1)
WORKABLE_RANGE = (2, 4)
WARN_ABOVE = 6
MAX_TIMES_PER_DAY = 3
WEEKDAYS_MASK = 0b001_1111  # Monday-Friday (bit 0 = Monday)


class Days(enum.StrEnum):
    EVERY_DAY = "every"
    WEEKDAYS = "weekdays"

    @property
    def mask(self) -> int:
        return ALL_DAYS if self is Days.EVERY_DAY else WEEKDAYS_MASK

    @classmethod
    def from_mask(cls, mask: int) -> Days:
        return cls.WEEKDAYS if mask == WEEKDAYS_MASK else cls.EVERY_DAY


class Variant(enum.StrEnum):
    DEFAULT = "default"
    EASIER = "easier"
    HARDER = "harder"


def dosage_variant(exercise: Exercise, variant: Variant) -> Dosage:
    """The sheet's default dosage, or its ladder's step easier / harder."""
    if variant is Variant.EASIER:
        return exercise.ladder.easier
    if variant is Variant.HARDER:
        return exercise.ladder.harder
    return exercise.dosage


def prescribed_dosage(exercise: Exercise, variant: Variant) -> str:
    """What the prescription says for this step: the amount, after the variant's name if any.

    e.g. "3 × 10 reps", or "Single-leg bridge, 3 × 8 reps each side" for a named harder step.
    """
    amount = dosage_text(dosage_variant(exercise, variant))
    name = exercise.ladder.harder_name
    if variant is Variant.HARDER and name is not None:
        return f"{name}, {amount}"
    return amount


def dosage_text(dosage: Dosage) -> str:
    """The amount only ("3 × 10 reps"): how often a day is the prescription's times_per_day."""
    return dosage.describe().rsplit(", ", 1)[0]


@dataclass(frozen=True)
class Draft:
    client_id: int
    client_name: str
    selected: tuple[str, ...]
    variants: dict[str, Variant]
    times_per_day: int
    days: Days

    @property
    def too_many(self) -> bool:
        return len(self.selected) > WARN_ABOVE

    @property
    def outside_workable(self) -> bool:
        low, high = WORKABLE_RANGE
        return bool(self.selected) and not low <= len(self.selected) <= high

    def payload(self) -> dict[str, Any]:
        return {
            "client_id": self.client_id,
            "client_name": self.client_name,
            "selected": list(self.selected),
            "variants": {slug: v.value for slug, v in self.variants.items()},
            "times_per_day": self.times_per_day,
            "days": self.days.value,
        }

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> Draft:
        return cls(
            client_id=int(payload["client_id"]),
            client_name=str(payload["client_name"]),
            selected=tuple(str(s) for s in payload["selected"]),
            variants={str(k): Variant(v) for k, v in dict(payload["variants"]).items()},
            times_per_day=int(payload["times_per_day"]),
            days=Days(payload["days"]),
        )


@dataclass(frozen=True)
class PrescribedLine:
    exercise_slug: str
    dosage: str


@dataclass(frozen=True)
class PrescriptionChange:
    client_id: int
    client_name: str
    client_telegram_id: int
    added: tuple[PrescribedLine, ...]
    changed: tuple[PrescribedLine, ...]
    removed: tuple[str, ...]
    current: tuple[PrescribedLine, ...]
    times_per_day: int
    days: Days
    # The client's reminder times of day that carry these exercises (the first
    # `times_per_day` of their reminder times), so the notice can say when.
    reminder_times: tuple[time, ...] = ()

    @property
    def anything_changed(self) -> bool:
        return bool(self.added or self.changed or self.removed)


async def _load_draft(session: AsyncSession, telegram_id: int, now: datetime) -> Draft | None:
    pending = await pending_inputs.pending_row(session, telegram_id)
    if pending is None or pending.kind != DRAFT_KIND or pending.expires_at <= now:
        return None
    try:
        return Draft.from_payload(pending.payload)
    except (KeyError, ValueError, TypeError):
        return None


async def _save_draft(session: AsyncSession, telegram_id: int, draft: Draft, now: datetime) -> None:
    await pending_inputs.put_pending(
        session,
        telegram_id=telegram_id,
        kind=DRAFT_KIND,
        payload=draft.payload(),
        expires_at=now + DRAFT_TTL,
    )


def _variant_of(prescription: Prescription, library: ExerciseLibrary) -> Variant:
    exercise = library.get(prescription.exercise_slug)
    if exercise is None:
        return Variant.DEFAULT
    for variant in Variant:
        if prescribed_dosage(exercise, variant) == prescription.dosage:
            return variant
    return Variant.DEFAULT


async def start_draft(
    db: Database,
    *,
    therapist_telegram_id: int,
    client_id: int,
    library: ExerciseLibrary,
    now: datetime,
) -> Draft | None:
    """A draft for the client, starting from what they have now (so editing is the same flow)."""
    async with db.sessions.begin() as session:
        client = await owned_client(
            session, therapist_telegram_id=therapist_telegram_id, client_id=client_id
        )
        if client is None:
            return None
        current = [
            p
            for p in await active_prescriptions(session, client_id=client.id, now=now)
            if p.exercise_slug in library
        ]
        times = max((p.times_per_day for p in current), default=1)
        draft = Draft(
            client_id=client.id,
            client_name=client.display_name,
            selected=tuple(p.exercise_slug for p in current),
            variants={p.exercise_slug: _variant_of(p, library) for p in current},
            times_per_day=min(MAX_TIMES_PER_DAY, times),
            days=Days.from_mask(current[0].days_mask) if current else Days.EVERY_DAY,
        )
        await _save_draft(session, therapist_telegram_id, draft, now)
        return draft


async def edit_draft(
    db: Database,
    *,
    therapist_telegram_id: int,
    client_id: int,
    library: ExerciseLibrary,
    now: datetime,
    toggle: str | None = None,
    variant: tuple[str, Variant] | None = None,
    times_per_day: int | None = None,
    days: Days | None = None,
) -> Draft | None:
    """Apply one button's change; None when there is no live draft for this client."""
    async with db.sessions.begin() as session:
        draft = await _load_draft(session, therapist_telegram_id, now)
        if draft is None or draft.client_id != client_id:
            return None
        if toggle is not None and toggle in library:
            if toggle in draft.selected:
                variants = {k: v for k, v in draft.variants.items() if k != toggle}
                draft = replace(
                    draft,
                    selected=tuple(s for s in draft.selected if s != toggle),
                    variants=variants,
                )
            else:
                draft = replace(
                    draft,
                    selected=(*draft.selected, toggle),
                    variants={**draft.variants, toggle: Variant.DEFAULT},
                )
        if variant is not None and variant[0] in draft.selected:
            draft = replace(draft, variants={**draft.variants, variant[0]: variant[1]})
        if times_per_day is not None and 1 <= times_per_day <= MAX_TIMES_PER_DAY:
            draft = replace(draft, times_per_day=times_per_day)
        if days is not None:
            draft = replace(draft, days=days)
        await _save_draft(session, therapist_telegram_id, draft, now)
        return draft


async def current_draft(
    db: Database, *, therapist_telegram_id: int, client_id: int, now: datetime
) -> Draft | None:
    async with db.sessions() as session:
        draft = await _load_draft(session, therapist_telegram_id, now)
    return draft if draft is not None and draft.client_id == client_id else None


async def cancel_draft(db: Database, *, therapist_telegram_id: int, now: datetime) -> None:
    async with db.sessions.begin() as session:
        await pending_inputs.clear_pending(session, therapist_telegram_id, {DRAFT_KIND})


async def _apply(
    session: AsyncSession,
    *,
    therapist_telegram_id: int,
    client: Client,
    wanted: dict[str, str],
    times_per_day: int,
    days: Days,
    now: datetime,
) -> PrescriptionChange:
    current = {
        p.exercise_slug: p
        for p in await active_prescriptions(session, client_id=client.id, now=now)
    }
    added: list[PrescribedLine] = []
    changed: list[PrescribedLine] = []
    removed: list[str] = []
    for slug, prescription in current.items():
        same = (
            slug in wanted
            and prescription.dosage == wanted[slug]
            and prescription.times_per_day == times_per_day
            and prescription.days_mask == days.mask
        )
        if not same:
            prescription.active_to = now
            if slug not in wanted:
                removed.append(slug)
    for slug, dosage in wanted.items():
        existing = current.get(slug)
        if existing is not None and existing.active_to is None:
            continue
        session.add(
            Prescription(
                client_id=client.id,
                exercise_slug=slug,
                dosage=dosage,
                times_per_day=times_per_day,
                days_mask=days.mask,
                active_from=now,
                active_to=None,
                created_at=now,
            )
        )
        (changed if existing is not None else added).append(PrescribedLine(slug, dosage))
    await session.flush()
    await sync_client_schedules(session, client_id=client.id, now=now)
    slots = await reminder_times(session, client_id=client.id)
    await audit.record_access(
        session,
        actor_telegram_id=therapist_telegram_id,
        action=audit.PRESCRIBE,
        client_ids=[client.id],
        now=now,
        detail=f"{len(wanted)} exercises",
    )
    return PrescriptionChange(
        client_id=client.id,
        client_name=client.display_name,
        client_telegram_id=client.telegram_id,
        added=tuple(added),
        changed=tuple(changed),
        removed=tuple(removed),
        current=tuple(PrescribedLine(slug, dosage) for slug, dosage in wanted.items()),
        times_per_day=times_per_day,
        days=days,
        reminder_times=slots[:times_per_day] if wanted else (),
    )


# Renders "your prescription changed" for the client (the handler's texts; services say none).
ChangeNotice = Callable[[PrescriptionChange], str]


async def _queue_notice(
    session: AsyncSession, change: PrescriptionChange, notice: ChangeNotice | None, now: datetime
) -> None:
    if notice is not None:
        await outbox.enqueue(
            session,
            kind=PLAIN_TEXT,
            chat_id=change.client_telegram_id,
            audience=Audience.CLIENT,
            client_id=change.client_id,
            payload={"text": notice(change)},
            now=now,
        )


async def confirm_draft(
    db: Database,
    *,
    therapist_telegram_id: int,
    client_id: int,
    library: ExerciseLibrary,
    now: datetime,
    notice: ChangeNotice | None = None,
) -> PrescriptionChange | None:
    """Write the draft as the client's prescription and queue `notice` of it for the client,
    in one transaction; None when the draft is gone or not theirs."""
    async with db.sessions.begin() as session:
        draft = await _load_draft(session, therapist_telegram_id, now)
        if draft is None or draft.client_id != client_id:
            return None
        client = await owned_client(
            session, therapist_telegram_id=therapist_telegram_id, client_id=draft.client_id
        )
        if client is None:
            return None
        wanted = {
            slug: prescribed_dosage(library[slug], draft.variants.get(slug, Variant.DEFAULT))
            for slug in draft.selected
            if slug in library
        }
        change = await _apply(
            session,
            therapist_telegram_id=therapist_telegram_id,
            client=client,
            wanted=wanted,
            times_per_day=draft.times_per_day,
            days=draft.days,
            now=now,
        )
        await pending_inputs.clear_pending(session, therapist_telegram_id)
        await _queue_notice(session, change, notice, now)
        return change


async def stop_prescription(
    db: Database,
    *,
    therapist_telegram_id: int,
    client_id: int,
    now: datetime,
    notice: ChangeNotice | None = None,
) -> PrescriptionChange | None:
    """End every exercise of the client's prescription; their reminders stop at once. The
    client's `notice` is queued with it when anything was stopped."""
    async with db.sessions.begin() as session:
        client = await owned_client(
            session, therapist_telegram_id=therapist_telegram_id, client_id=client_id
        )
        if client is None:
            return None
        change = await _apply(
            session,
            therapist_telegram_id=therapist_telegram_id,
            client=client,
            wanted={},
            times_per_day=1,
            days=Days.EVERY_DAY,
            now=now,
        )
        if change.removed:
            await _queue_notice(session, change, notice, now)
        return change


async def change_one_exercise(
    db: Database,
    *,
    therapist_telegram_id: int,
    client_id: int,
    exercise_slug: str,
    variant: Variant | None,
    library: ExerciseLibrary,
    now: datetime,
    notice: ChangeNotice | None = None,
) -> PrescriptionChange | None:
    """Move one exercise to another rung of its ladder (None: stop it), the rest as they are.

    The same change as confirming an edited prescription: the line is ended and a new one
    starts, reminders re-sync, and the client's `notice` is queued with it. None when the
    client is not the therapist's or the exercise is not prescribed.
    """
    async with db.sessions.begin() as session:
        client = await owned_client(
            session, therapist_telegram_id=therapist_telegram_id, client_id=client_id
        )
        if client is None:
            return None
        current = await active_prescriptions(session, client_id=client.id, now=now)
        wanted = {p.exercise_slug: p.dosage for p in current}
        if exercise_slug not in wanted or exercise_slug not in library:
            return None
        if variant is None:
            del wanted[exercise_slug]
        else:
            wanted[exercise_slug] = prescribed_dosage(library[exercise_slug], variant)
        change = await _apply(
            session,
            therapist_telegram_id=therapist_telegram_id,
            client=client,
            wanted=wanted,
            times_per_day=max(p.times_per_day for p in current),
            days=Days.from_mask(current[0].days_mask),
            now=now,
        )
        await _queue_notice(session, change, notice, now)
        return change
