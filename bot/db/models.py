"""SQLAlchemy 2 models for every entity in DESIGN.md's Data section.

All timestamps are aware UTC (`UTCDateTime`); local dates (`pain_entry.day`) are the client's
own calendar day. Deleting a client removes every health row with it (ON DELETE CASCADE);
the audit table keeps only ids and actions, never health data, so it survives erasure.
"""

from __future__ import annotations

import enum
from datetime import date, datetime, time
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    Time,
    UniqueConstraint,
    text,
)
from sqlalchemy import Enum as SAEnum
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from bot.db.types import UTCDateTime

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        dict[str, Any]: JSON(),
    }


def _enum(cls: type[enum.Enum], name: str) -> SAEnum:
    return SAEnum(
        cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=32,
        values_callable=lambda e: [m.value for m in e],
    )


class ClientStatus(enum.StrEnum):
    ACTIVE = "active"
    PAUSED = "paused"
    BLOCKED = "blocked"
    DELETED = "deleted"


class ScheduleKind(enum.StrEnum):
    EXERCISE_REMINDER = "exercise_reminder"
    CHECKIN = "checkin"
    WEEKLY_SBI = "weekly_sbi"
    FOLLOW_UP = "follow_up"
    THERAPIST_SUMMARY = "therapist_summary"


class DeliveryStatus(enum.StrEnum):
    CLAIMED = "claimed"
    SENT = "sent"
    FAILED = "failed"
    MISSED = "missed"


class ExerciseOutcome(enum.StrEnum):
    DONE = "done"
    PARTLY = "partly"
    SKIPPED = "skipped"


class LegResponse(enum.StrEnum):
    """The answer to "How was your leg afterwards?" (bot.domain.exercise_response)."""

    EASED = "eased"
    SAME = "same"
    WORSE = "worse"
    SPREAD = "spread"


class Therapist(Base):
    __tablename__ = "therapist"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    telegram_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    display_name: Mapped[str] = mapped_column(String(128), default="")
    practice_name: Mapped[str] = mapped_column(String(128), default="")
    timezone: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]


class Client(Base):
    __tablename__ = "client"
    __table_args__ = (UniqueConstraint("telegram_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    therapist_id: Mapped[int] = mapped_column(
        ForeignKey("therapist.id", ondelete="RESTRICT"), index=True
    )
    telegram_id: Mapped[int] = mapped_column(BigInteger)
    display_name: Mapped[str] = mapped_column(String(128))
    timezone: Mapped[str] = mapped_column(String(64))
    status: Mapped[ClientStatus] = mapped_column(
        _enum(ClientStatus, "client_status"), default=ClientStatus.ACTIVE
    )
    consent_version: Mapped[str] = mapped_column(String(16))
    consent_at: Mapped[datetime]
    # Indexed: the scheduler's routine pass looks for paused clients due to resume every few
    # seconds, which would otherwise read the whole client table.
    paused_until: Mapped[date | None] = mapped_column(Date, index=True)
    quiet_start: Mapped[time | None] = mapped_column(Time)
    quiet_end: Mapped[time | None] = mapped_column(Time)
    onboarding_step: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime]

    prescriptions: Mapped[list[Prescription]] = relationship(
        back_populates="client", cascade="all, delete-orphan", passive_deletes=True
    )


class Invite(Base):
    __tablename__ = "invite"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    therapist_id: Mapped[int] = mapped_column(
        ForeignKey("therapist.id", ondelete="CASCADE"), index=True
    )
    # SHA-256 hex of the token; the token itself is never stored.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    client_name: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    client_id: Mapped[int | None] = mapped_column(ForeignKey("client.id", ondelete="SET NULL"))


class Prescription(Base):
    __tablename__ = "prescription"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id", ondelete="CASCADE"), index=True)
    exercise_slug: Mapped[str] = mapped_column(String(64))
    dosage: Mapped[str] = mapped_column(String(200))
    times_per_day: Mapped[int] = mapped_column(Integer, default=1)
    # Bit 0 = Monday ... bit 6 = Sunday; 127 = every day.
    days_mask: Mapped[int] = mapped_column(Integer, default=127)
    active_from: Mapped[datetime]
    active_to: Mapped[datetime | None]
    created_at: Mapped[datetime]

    client: Mapped[Client] = relationship(back_populates="prescriptions")


class Schedule(Base):
    __tablename__ = "schedule"
    __table_args__ = (
        CheckConstraint("(client_id IS NULL) <> (therapist_id IS NULL)", name="one_owner"),
        CheckConstraint("days_mask BETWEEN 0 AND 127", name="days_mask_range"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[int | None] = mapped_column(
        ForeignKey("client.id", ondelete="CASCADE"), index=True
    )
    therapist_id: Mapped[int | None] = mapped_column(
        ForeignKey("therapist.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[ScheduleKind] = mapped_column(_enum(ScheduleKind, "schedule_kind"))
    # Comma-separated local wall-clock times "HH:MM", read in `timezone`.
    local_times: Mapped[str] = mapped_column(String(200))
    days_mask: Mapped[int] = mapped_column(Integer, default=127)
    timezone: Mapped[str] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # NULL while paused or stopped: a NULL is never due.
    next_fire_at: Mapped[datetime | None] = mapped_column(index=True)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class Delivery(Base):
    __tablename__ = "delivery"
    __table_args__ = (
        UniqueConstraint("schedule_id", "slot"),
        Index("ix_delivery_status_claimed_at", "status", "claimed_at"),
        # Follow-ups scan recent slots: without this the tick would read the whole ledger.
        Index("ix_delivery_slot", "slot"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    schedule_id: Mapped[int] = mapped_column(ForeignKey("schedule.id", ondelete="CASCADE"))
    slot: Mapped[datetime]
    status: Mapped[DeliveryStatus] = mapped_column(
        _enum(DeliveryStatus, "delivery_status"), default=DeliveryStatus.CLAIMED
    )
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    chat_id: Mapped[int | None] = mapped_column(BigInteger)
    telegram_message_id: Mapped[int | None] = mapped_column(BigInteger)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    follow_up_sent_at: Mapped[datetime | None]
    # Set by "Snooze 30 min": the tick re-sends this delivery's reminder once at that time.
    snoozed_until: Mapped[datetime | None] = mapped_column(index=True)
    # An error class or Telegram error code, never message text.
    last_error: Mapped[str | None] = mapped_column(String(64))


class ExerciseLog(Base):
    __tablename__ = "exercise_log"
    __table_args__ = (UniqueConstraint("client_id", "delivery_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id", ondelete="CASCADE"), index=True)
    delivery_id: Mapped[int | None] = mapped_column(ForeignKey("delivery.id", ondelete="SET NULL"))
    prescription_id: Mapped[int | None] = mapped_column(
        ForeignKey("prescription.id", ondelete="SET NULL")
    )
    slot: Mapped[datetime]
    outcome: Mapped[ExerciseOutcome] = mapped_column(_enum(ExerciseOutcome, "exercise_outcome"))
    skip_reason: Mapped[str | None] = mapped_column(String(32))
    logged_at: Mapped[datetime]


class ExerciseResponse(Base):
    """How one exercise went in one session: the client's answer about that exercise.

    One row per client, exercise and slot (a multi-exercise reminder is one row per exercise):
    the outcome and skip reason they tapped on the reminder and, when asked and answered, how
    their leg was afterwards. The rules in bot.domain.exercise_response read these rows.
    """

    __tablename__ = "exercise_response"
    __table_args__ = (UniqueConstraint("client_id", "exercise_slug", "slot"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id", ondelete="CASCADE"))
    exercise_slug: Mapped[str] = mapped_column(String(64))
    delivery_id: Mapped[int | None] = mapped_column(ForeignKey("delivery.id", ondelete="SET NULL"))
    slot: Mapped[datetime]
    outcome: Mapped[ExerciseOutcome | None] = mapped_column(
        _enum(ExerciseOutcome, "exercise_outcome")
    )
    skip_reason: Mapped[str | None] = mapped_column(String(32))
    leg_response: Mapped[LegResponse | None] = mapped_column(_enum(LegResponse, "leg_response"))
    recorded_at: Mapped[datetime]


class PainEntry(Base):
    __tablename__ = "pain_entry"
    __table_args__ = (
        UniqueConstraint("client_id", "day"),
        # Numeric rating scale 0-10, leg and back separately (DESIGN.md, clinical rules).
        CheckConstraint("leg BETWEEN 0 AND 10", name="leg_range"),
        CheckConstraint("back BETWEEN 0 AND 10", name="back_range"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)
    leg: Mapped[int] = mapped_column(Integer)
    back: Mapped[int] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class OutcomeMeasure(Base):
    __tablename__ = "outcome_measure"
    __table_args__ = (
        UniqueConstraint("client_id", "instrument", "period_start"),
        # Sciatica Bothersomeness Index: 4 items 0-6, total 0-24.
        CheckConstraint("total BETWEEN 0 AND 24", name="total_range"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id", ondelete="CASCADE"))
    instrument: Mapped[str] = mapped_column(String(16))
    period_start: Mapped[date] = mapped_column(Date)
    items: Mapped[dict[str, Any]]
    total: Mapped[int] = mapped_column(Integer)
    recorded_at: Mapped[datetime]


class RedFlagEvent(Base):
    __tablename__ = "red_flag_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id", ondelete="CASCADE"), index=True)
    # onboarding / weekly / symptoms / free_text
    source: Mapped[str] = mapped_column(String(16))
    flags: Mapped[dict[str, Any]]
    created_at: Mapped[datetime]


class Alert(Base):
    __tablename__ = "alert"
    __table_args__ = (
        Index("ix_alert_client_kind_created", "client_id", "kind", "created_at"),
        # An open episode is stored once per client and kind: a second instance (or a second
        # pass) that raises it again refreshes the open row instead of adding one. Red flags
        # are exempt: every report is its own urgent alert.
        Index(
            "uq_alert_open_episode",
            "client_id",
            "kind",
            "episode_key",
            unique=True,
            sqlite_where=text("acknowledged_at IS NULL AND kind <> 'red_flag'"),
            postgresql_where=text("acknowledged_at IS NULL AND kind <> 'red_flag'"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    severity: Mapped[int] = mapped_column(Integer, default=1)
    episode_key: Mapped[str] = mapped_column(String(64))
    evidence: Mapped[dict[str, Any]]
    created_at: Mapped[datetime]
    acknowledged_by: Mapped[int | None] = mapped_column(BigInteger)
    acknowledged_at: Mapped[datetime | None]


class Audit(Base):
    """Who saw, exported or deleted what. Ids and actions only: no health data, no names.

    When a client is erased, their Telegram id (as actor) and client id (as subject) are
    replaced by one keyed-hash pseudonym (docs/privacy.md): the trail still shows what
    happened to that one person, but no longer who they were.
    """

    __tablename__ = "audit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    actor_telegram_id: Mapped[int | None] = mapped_column(BigInteger)
    actor_pseudonym: Mapped[str | None] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(32))
    # Not a foreign key: the line must outlive the client's erasure.
    subject_client_id: Mapped[int | None] = mapped_column(Integer)
    subject_pseudonym: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[str] = mapped_column(String(200), default="")
    at: Mapped[datetime]


class PendingInput(Base):
    """What a user's next typed message means (a note, a custom time, a message to relay).

    Kept in the database rather than memory so a restart or a second instance loses nothing.
    """

    __tablename__ = "pending_input"

    telegram_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    payload: Mapped[dict[str, Any]]
    expires_at: Mapped[datetime]


class MessageRelay(Base):
    """Links a relayed message to its client, so a reply to it reaches the right person."""

    __tablename__ = "message_relay"
    __table_args__ = (UniqueConstraint("chat_id", "message_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id", ondelete="CASCADE"), index=True)
    # to_client: the therapist wrote, the bot delivered; to_therapist: the client's reply.
    direction: Mapped[str] = mapped_column(String(16))
    chat_id: Mapped[int] = mapped_column(BigInteger)
    message_id: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime]


class ForwardedQuestion(Base):
    """The last exercise question of a client that the bot passed on to their therapist.

    Only a hash of the normalised text is kept (never the text): it is enough to not forward
    the same question twice in a row. Erased with the client.
    """

    __tablename__ = "forwarded_question"

    client_id: Mapped[int] = mapped_column(
        ForeignKey("client.id", ondelete="CASCADE"), primary_key=True
    )
    text_hash: Mapped[str] = mapped_column(String(64))
    forwarded_at: Mapped[datetime]


class ProcessedUpdate(Base):
    """Telegram updates already taken, by `update_id`: a redelivery after a crash (Telegram
    resends every update the bot did not confirm) is skipped instead of acted on twice.

    Rows older than Telegram's 24-hour retention are purged as new updates arrive.
    """

    __tablename__ = "processed_update"

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    received_at: Mapped[datetime] = mapped_column(index=True)


class OutboxStatus(enum.StrEnum):
    QUEUED = "queued"  # written with its event, waiting for the dispatcher
    CLAIMED = "claimed"  # taken by a dispatcher (lease from `claimed_at`)
    SENT = "sent"
    FAILED = "failed"
    # Not sent: at send time nobody may receive it (the therapist left THERAPIST_IDS, the
    # client was reassigned or erased). Never retried.
    WITHHELD = "withheld"
    DONE = "done"  # a periodic job's slot that was run


class OutboxMessage(Base):
    """The ledger of everything the bot sends on its own initiative other than reminders.

    A row is written in the same transaction as the event that causes it (a red flag, a
    trend alert, a relayed message...) and sent by the dispatcher, which checks at send
    time who may receive it. `payload` holds what the message is rendered from; it is
    emptied once the message is sent, so delivered content does not linger here. Rows with
    `kind` "job:..." and no chat are periodic-job slots: `dedupe_key` makes each slot one
    claim across every instance.
    """

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_status_urgent_id", "status", "urgent", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    chat_id: Mapped[int | None] = mapped_column(BigInteger)
    # Whose data the message carries (None: nobody's). Erasing the client erases the row.
    client_id: Mapped[int | None] = mapped_column(
        ForeignKey("client.id", ondelete="CASCADE"), index=True
    )
    # Who may receive it, checked at send time: "client" (the client themselves),
    # "therapist" (their own therapist), "red_flag" (+ RED_FLAG_ALSO_NOTIFY), "any".
    audience: Mapped[str] = mapped_column(String(16))
    payload: Mapped[dict[str, Any]]
    dedupe_key: Mapped[str | None] = mapped_column(String(96), unique=True)
    status: Mapped[OutboxStatus] = mapped_column(
        _enum(OutboxStatus, "outbox_status"), default=OutboxStatus.QUEUED
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime]
    claimed_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    telegram_message_id: Mapped[int | None] = mapped_column(BigInteger)
    # An error class, "released" (handed back at shutdown) or a withholding reason.
    last_error: Mapped[str | None] = mapped_column(String(64))
    # Held until then (a message to a client inside their quiet hours): not claimed before.
    not_before: Mapped[datetime | None]
