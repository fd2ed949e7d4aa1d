"""The therapist's buttons: the client card's actions, the prescription steps, alerts, the
summary's charts and cancelling a message to a client. Every one names a client (or an alert
about one); the press guard checks it is the presser's own."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Annotated, ClassVar

from bot.buttons import Area, Button, Digits
from bot.buttons.fields import AlertId, ClientId, Slug
from bot.services.prescriptions import MAX_TIMES_PER_DAY, Days, Variant


@dataclass(frozen=True)
class OpenClient(Button):
    tag: ClassVar[str] = "client:open"
    client_id: ClientId


@dataclass(frozen=True)
class PauseClient(Button):
    tag: ClassVar[str] = "client:pause"
    client_id: ClientId


@dataclass(frozen=True)
class PrescribeClient(Button):
    tag: ClassVar[str] = "client:rx"
    client_id: ClientId


@dataclass(frozen=True)
class MessageClient(Button):
    tag: ClassVar[str] = "client:msg"
    client_id: ClientId


@dataclass(frozen=True)
class ExportClient(Button):
    tag: ClassVar[str] = "client:export"
    client_id: ClientId


@dataclass(frozen=True)
class NotesPage(Button):
    """A page of a client's check-in notes (the card's "All notes", Previous / Next, and the
    client buttons /notes offers when a name matches several)."""

    tag: ClassVar[str] = "notes:page"
    client_id: ClientId
    page: Annotated[int, Digits(0, 9999)] = 0


NOTES: Area[NotesPage] = Area("notes", NotesPage)


ClientButton = OpenClient | PauseClient | PrescribeClient | MessageClient | ExportClient | NotesPage
OPEN_CLIENT: Area[OpenClient] = Area("client:open", OpenClient)
PAUSE_CLIENT: Area[PauseClient] = Area("client:pause", PauseClient)
PRESCRIBE_CLIENT: Area[PrescribeClient] = Area("client:rx", PrescribeClient)
MESSAGE_CLIENT: Area[MessageClient] = Area("client:msg", MessageClient)
EXPORT_CLIENT: Area[ExportClient] = Area("client:export", ExportClient)


class DraftStep(enum.StrEnum):
    PICK = "pick"
    DOSE = "dose"
    WHEN = "when"
    REVIEW = "review"


@dataclass(frozen=True)
class ShowStep(Button):
    """Move to a step of the prescription draft."""

    tag: ClassVar[str] = "rx"
    step: DraftStep
    client_id: ClientId


@dataclass(frozen=True)
class ToggleExercise(Button):
    tag: ClassVar[str] = "rx:t"
    client_id: ClientId
    slug: Slug


@dataclass(frozen=True)
class ChooseVariant(Button):
    tag: ClassVar[str] = "rx:d"
    client_id: ClientId
    slug: Slug
    variant: Variant


@dataclass(frozen=True)
class ChooseTimesPerDay(Button):
    tag: ClassVar[str] = "rx:n"
    client_id: ClientId
    times: Annotated[int, Digits(1, MAX_TIMES_PER_DAY)]


@dataclass(frozen=True)
class ChooseDays(Button):
    tag: ClassVar[str] = "rx:w"
    client_id: ClientId
    days: Days


@dataclass(frozen=True)
class ConfirmDraft(Button):
    tag: ClassVar[str] = "rx:ok"
    client_id: ClientId


@dataclass(frozen=True)
class CancelDraft(Button):
    tag: ClassVar[str] = "rx:x"
    client_id: ClientId


@dataclass(frozen=True)
class StopPrescription(Button):
    """Ask whether to stop the client's prescription."""

    tag: ClassVar[str] = "rx:stop"
    client_id: ClientId


@dataclass(frozen=True)
class StopConfirmed(Button):
    tag: ClassVar[str] = "rx:stopok"
    client_id: ClientId


PrescriptionButton = (
    ShowStep
    | ToggleExercise
    | ChooseVariant
    | ChooseTimesPerDay
    | ChooseDays
    | ConfirmDraft
    | CancelDraft
    | StopPrescription
    | StopConfirmed
)
PRESCRIPTION: Area[PrescriptionButton] = Area(
    "rx",
    ShowStep,
    ToggleExercise,
    ChooseVariant,
    ChooseTimesPerDay,
    ChooseDays,
    ConfirmDraft,
    CancelDraft,
    StopPrescription,
    StopConfirmed,
)


@dataclass(frozen=True)
class AcknowledgeAlert(Button):
    tag: ClassVar[str] = "alert:ack"
    alert_id: AlertId


ALERTS: Area[AcknowledgeAlert] = Area("alert", AcknowledgeAlert)


@dataclass(frozen=True)
class ClientChart(Button):
    tag: ClassVar[str] = "summary:chart"
    client_id: ClientId


SUMMARY: Area[ClientChart] = Area("summary", ClientChart)


@dataclass(frozen=True)
class CancelRelay(Button):
    tag: ClassVar[str] = "relay:cancel"


RELAY: Area[CancelRelay] = Area("relay", CancelRelay)


@dataclass(frozen=True)
class ClientsPage(Button):
    """Previous / Next under /clients."""

    tag: ClassVar[str] = "clients:page"
    page: Annotated[int, Digits(0, 999)]


CLIENTS: Area[ClientsPage] = Area("clients", ClientsPage)


# Bit i ticks the i-th reminder time offered (bot.services.clients.ClientTimes); at most 16.
TimesMask = Annotated[int, Digits(0, 2**16 - 1)]
CheckinChoice = Annotated[int, Digits(0, 15)]


@dataclass(frozen=True)
class OpenTimes(Button):
    """The card's ⏰ Times: show the client's reminder and check-in times to change."""

    tag: ClassVar[str] = "ct:open"
    client_id: ClientId


@dataclass(frozen=True)
class EditTimes(Button):
    """A tick on a reminder time or a check-in time: the draft travels in the data."""

    tag: ClassVar[str] = "ct:t"
    client_id: ClientId
    mask: TimesMask
    checkin: CheckinChoice


@dataclass(frozen=True)
class SaveTimes(Button):
    tag: ClassVar[str] = "ct:ok"
    client_id: ClientId
    mask: TimesMask
    checkin: CheckinChoice


@dataclass(frozen=True)
class CancelTimes(Button):
    tag: ClassVar[str] = "ct:x"
    client_id: ClientId


TimesButton = OpenTimes | EditTimes | SaveTimes | CancelTimes
TIMES: Area[TimesButton] = Area("ct", OpenTimes, EditTimes, SaveTimes, CancelTimes)
