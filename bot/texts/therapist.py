"""The therapist's screens: client list, client card, prescribing, messages, export."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, time
from typing import NamedTuple

from bot.buttons.therapist import (
    PAUSE_CLIENT,
    CancelDraft,
    CancelTimes,
    ChooseDays,
    ChooseTimesPerDay,
    ChooseVariant,
    ClientButton,
    ConfirmDraft,
    DraftStep,
    EditTimes,
    ExportClient,
    MessageClient,
    OpenClient,
    OpenTimes,
    PauseClient,
    PrescribeClient,
    SaveTimes,
    ShowStep,
    StopConfirmed,
    StopPrescription,
    ToggleExercise,
)
from bot.buttons.therapist import (
    ClientsPage as ClientsPageButton,
)
from bot.buttons.therapist import NotesPage as NotesPageButton
from bot.keyboards import Button, Keyboard, rows
from bot.services.clients import ClientCard, ClientLine, ClientList, ClientTimes, NotesPage
from bot.services.prescriptions import (
    MAX_TIMES_PER_DAY,
    WARN_ABOVE,
    Days,
    Draft,
    PrescriptionChange,
    Variant,
)
from bot.texts import triage as tt
from bot.texts.alerts import title_for
from bot.texts.dates import day_label, moment_label
from bot.texts.limits import button_label, split_message, trim

TitleOf = Callable[[str], str]

# --- access ----------------------------------------------------------------------------------
THERAPIST_ONLY_BUTTON = "That button is for the therapist only."

# --- client list and card --------------------------------------------------------------------
NO_CLIENTS = "You have no clients yet. Invite one with /invite <name>."
CLIENTS_HEADER = "Your clients: {count}"
CLIENTS_ATTENTION = "⚠️ {count} need{s} attention"
CLIENTS_AWAITING = "💊 {count} awaiting a prescription"
CLIENTS_NOT_TODAY = "{count} not checked in today"
SECTION_ATTENTION = "⚠️ Needs attention — most urgent first"
SECTION_AWAITING = "💊 Awaiting a prescription — tap 💊 to prescribe"
SECTION_REST = "Everyone else"
CONTINUED = " (continued)"
PAGE_FOOTER = "Page {page} of {pages}"
PREVIOUS_PAGE = "◀️ Previous"
NEXT_PAGE = "Next ▶️"
CHECKED_IN_TODAY = "✓ today"
NOT_CHECKED_IN_TODAY = "not checked in today"
CLIENT_USAGE = "Which client? Send /client <name>, e.g. /client Sam."
_CLIENT_NOT_FOUND = "No client of yours matches “{query}”. /clients lists them all."
_CLIENT_WHICH = "Several clients match “{query}” — which one?"
CLIENT_GONE = "That client is not one of yours (or has left)."
STATUS_LABELS = {"active": "active", "paused": "paused", "blocked": "blocked the bot"}
PAIN_CHART_TITLE = "{name}: daily pain, last 4 weeks"
PRESCRIBE_BUTTON = "💊 Prescribe"
PAUSE_BUTTON = "⏸ Pause"
RESUME_BUTTON = "▶️ Resume"
MESSAGE_BUTTON = "✉️ Message"
EXPORT_BUTTON = "📄 Export CSV"
TIMES_BUTTON = "⏰ Times"
NOTES_BUTTON = "📝 All notes"
STOP_BUTTON = "⏹ Stop prescription"
PAUSED_DONE = "{name}'s reminders are paused. Press Resume on the card to restart them."
RESUMED_DONE = "{name}'s reminders are back on."
PAUSE_UNCHANGED = "{name} cannot be paused or resumed now (status: {status})."
CLIENT_PAUSED_NOTICE = "Your therapist has paused your reminders for now."
CLIENT_RESUMED_NOTICE = "Your therapist has switched your reminders back on."

DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
# A page of /clients: at most this many clients, and well inside Telegram's 4,096 characters,
# so a page fits a phone screen or two and its buttons stay a short keyboard.
CLIENTS_PER_PAGE = 15
PAGE_TEXT_BUDGET = 3500
NAME_BUTTON_CHARS = 24


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value:.0f} %"


def _day(value: date | None) -> str:
    return day_label(value)


def _today_mark(line: ClientLine) -> str:
    if line.status != "active":
        return STATUS_LABELS.get(line.status, line.status)
    return CHECKED_IN_TODAY if line.checked_in_today else NOT_CHECKED_IN_TODAY


def _leg(line: ClientLine) -> str:
    if line.latest_leg is None:
        return "leg –"
    return f"leg {line.latest_leg}/10 {line.leg_arrow or ''}".rstrip()


# What the therapist typed after /client is echoed back only this far (it can be 4,000 chars).
QUERY_ECHO_CHARS = 60


def no_single_client(query: str, *, several: bool) -> str:
    """The answer when /client or /prescribe <query> names no client, or several."""
    template = _CLIENT_WHICH if several else _CLIENT_NOT_FOUND
    return template.format(query=trim(query, QUERY_ECHO_CHARS))


def client_line(line: ClientLine) -> str:
    """A client needing attention, in full: why, then their figures (two or three lines)."""
    head = f"{tt.mark(line.triage)} {line.name}".strip()
    reasons = tt.reasons_text(line.triage)
    alerts = f" · 🔔 {line.open_alerts} open" if line.open_alerts else ""
    return (
        f"{head} — {reasons}\n"
        f"   last check-in {_day(line.last_checkin)} ({_today_mark(line)}) · adherence last wk "
        f"{_pct(line.adherence_last_week)}, this wk {_pct(line.adherence_this_week)} so far"
        f" · {_leg(line)}{alerts}"
    )


def compact_line(line: ClientLine) -> str:
    """Anyone else, on one line: name, last week's adherence, leg pain and today."""
    if line.awaiting_prescription:
        return f"{tt.PRESCRIBE_MARK} {line.name} · joined {_day(line.joined)} · {_today_mark(line)}"
    return (
        f"{line.name} · {_pct(line.adherence_last_week)} last wk · {_leg(line)} · "
        f"{_today_mark(line)}"
    )


def _heading(clients: ClientList) -> str:
    parts = [CLIENTS_HEADER.format(count=len(clients.lines))]
    if clients.needing_attention:
        n = clients.needing_attention
        parts.append(CLIENTS_ATTENTION.format(count=n, s="s" if n == 1 else ""))
    if clients.awaiting_prescription:
        parts.append(CLIENTS_AWAITING.format(count=clients.awaiting_prescription))
    parts.append(CLIENTS_NOT_TODAY.format(count=clients.not_checked_in_today))
    return " · ".join(parts)


class ClientsPage(NamedTuple):
    """One message of a paged list: its text and keyboard (buttons and Previous / Next)."""

    text: str
    keyboard: Keyboard | None


def _section(line: ClientLine) -> str:
    if line.needs_attention:
        return SECTION_ATTENTION
    if line.awaiting_prescription:
        return SECTION_AWAITING
    return SECTION_REST


def _entry(line: ClientLine) -> str:
    return client_line(line) if line.needs_attention else compact_line(line)


def _paged(lines: Sequence[ClientLine]) -> list[list[ClientLine]]:
    """Clients split into pages of at most `CLIENTS_PER_PAGE` and `PAGE_TEXT_BUDGET` chars."""
    pages: list[list[ClientLine]] = [[]]
    used = 0
    for line in lines:
        size = len(_entry(line)) + 60  # a section heading may come with it
        if pages[-1] and (len(pages[-1]) >= CLIENTS_PER_PAGE or used + size > PAGE_TEXT_BUDGET):
            pages.append([])
            used = 0
        pages[-1].append(line)
        used += size
    return pages


def _button(line: ClientLine) -> tuple[str, str]:
    if line.awaiting_prescription and not line.needs_attention:
        label = button_label(f"{tt.PRESCRIBE_MARK} {line.name}", NAME_BUTTON_CHARS)
        return label, PrescribeClient(line.client_id).pack()
    mark = tt.mark(line.triage)
    label = button_label(f"{mark} {line.name}".strip(), NAME_BUTTON_CHARS)
    return label, OpenClient(line.client_id).pack()


def clients_page(clients: ClientList, page: int = 0) -> ClientsPage:
    """One page of /clients: the heading, those needing attention in full (most urgent first),
    then those awaiting a prescription and everyone else one line each; a button per client
    on the page (💊 opens the prescription) and Previous / Next when there is more."""
    if not clients.lines:
        return ClientsPage(NO_CLIENTS, None)
    pages = _paged(clients.lines)
    page = min(max(page, 0), len(pages) - 1)
    parts = [_heading(clients)]
    section = None
    for line in pages[page]:
        if _section(line) != section:
            section = _section(line)
            again = page > 0 and line is pages[page][0] and _section(pages[page - 1][-1]) == section
            parts.append("\n" + section + (CONTINUED if again else ""))
        parts.append(_entry(line))
    if len(pages) > 1:
        parts.append("\n" + PAGE_FOOTER.format(page=page + 1, pages=len(pages)))
    grid = rows([_button(line) for line in pages[page]], per_row=2).inline_keyboard
    nav = []
    if page > 0:
        nav.append(Button(PREVIOUS_PAGE, callback_data=ClientsPageButton(page - 1).pack()))
    if page + 1 < len(pages):
        nav.append(Button(NEXT_PAGE, callback_data=ClientsPageButton(page + 1).pack()))
    keyboard = Keyboard([*grid, nav] if nav else grid)
    return ClientsPage(trim("\n".join(parts)), keyboard)


def days_label(mask: int) -> str:
    if mask == 0b111_1111:
        return "every day"
    if mask == 0b001_1111:
        return "weekdays"
    return ", ".join(name for bit, name in enumerate(DAY_NAMES) if mask & (1 << bit))


def times_label(times: int) -> str:
    return "once a day" if times == 1 else f"{times}× a day"


def _clock(times: Sequence[time]) -> str:
    return ", ".join(f"{t:%H:%M}" for t in times) or "none"


def client_card_message(card: ClientCard, title_of: TitleOf, therapist_zone: str) -> str:
    lines = [
        f"👤 {card.name} — {STATUS_LABELS.get(card.status, card.status)}, {card.timezone}",
        f"Last check-in: {_day(card.last_checkin)}",
    ]
    reasons = tt.reasons_text(card.triage)
    if card.triage.needs_attention:
        lines.append(f"{tt.mark(card.triage)} Needs attention: {reasons}")
    lines += ["", "Prescription:"]
    if card.prescriptions:
        lines += [
            f"• {title_of(p.exercise_slug)} — {p.dosage}, {times_label(p.times_per_day)}, "
            f"{days_label(p.days_mask)}"
            for p in card.prescriptions
        ]
        lines.append(f"Reminders at {_clock(card.reminder_times)} (their time)")
    else:
        lines.append("• none yet — press 💊 Prescribe: until then they get no exercise reminders")
    if card.checkin_time is not None:
        lines.append(f"Daily check-in at {card.checkin_time:%H:%M} (their time)")
    lines += ["", "Adherence by week:"]
    lines += [
        f"• w/c {_day(week.week_start)}: "
        + (
            ("nothing due yet" if week.pct is None else f"{_pct(week.pct)} so far")
            if week.so_far
            else (_pct(week.pct) if week.pct is not None else "nothing prescribed")
        )
        for week in card.weekly_adherence
    ]
    if card.skip_reasons:
        lines.append(f"Skipped: {tt.skip_reasons_text(card.skip_reasons)}")
    if card.pain:
        latest = card.pain[-1]
        lines += [
            "",
            f"Latest pain ({_day(latest.day)}): leg {latest.leg}/10, back {latest.back}/10",
        ]
    if card.notes:
        more = f" — {card.notes_total} in all: /notes" if card.notes_total > len(card.notes) else ""
        lines += ["", f"Last notes{more}:"]
        lines += [f"• {_day(day)}: {note}" for day, note in card.notes]
    if card.alerts:
        lines += ["", f"Alerts ({card.open_alerts} open):"]
        for alert in card.alerts:
            state = (
                "open"
                if alert.acknowledged_at is None
                else f"seen {moment_label(alert.acknowledged_at, therapist_zone)}"
            )
            title = title_for(alert.kind, alert.evidence, card.name)
            lines.append(f"• {moment_label(alert.created_at, therapist_zone)}: {title} ({state})")
    return "\n".join(lines)


def client_card_messages(
    card: ClientCard, title_of: TitleOf, therapist_zone: str
) -> tuple[str, ...]:
    """The card as one message, or several when long notes push it past Telegram's 4,096
    characters (the keyboard goes under the last): every note is shown whole."""
    return split_message(client_card_message(card, title_of, therapist_zone))


def client_card_keyboard(card: ClientCard) -> Keyboard:
    pause = RESUME_BUTTON if card.status == "paused" else PAUSE_BUTTON
    return rows(
        [
            (PRESCRIBE_BUTTON, PrescribeClient(card.client_id).pack()),
            (pause, PauseClient(card.client_id).pack()),
            (MESSAGE_BUTTON, MessageClient(card.client_id).pack()),
            (EXPORT_BUTTON, ExportClient(card.client_id).pack()),
            (TIMES_BUTTON, OpenTimes(card.client_id).pack()),
            (NOTES_BUTTON, NotesPageButton(card.client_id, 0).pack()),
        ],
        per_row=2,
    )


def card_keyboard_after_pause(markup: Keyboard, *, paused: bool) -> Keyboard:
    """The card's keyboard once Pause/Resume was pressed: the toggle now offers the other."""
    label = RESUME_BUTTON if paused else PAUSE_BUTTON
    return Keyboard(
        [
            [
                Button(label, callback_data=button.callback_data)
                if PAUSE_CLIENT.parse(button.callback_data) is not None
                else button
                for button in row
            ]
            for row in markup.inline_keyboard
        ]
    )


# --- a client's times, from the card ---------------------------------------------------------
TIMES_HEADER = (
    "⏰ {name}'s times ({zone}, their local time)\n"
    "Exercise reminders: {reminders}\nDaily check-in: {checkin}\n\n"
    "Tap times to tick or untick them, then Save. {name} is told what changed."
)
TIMES_SAVE = "💾 Save"
TIMES_CANCEL = "✖️ Cancel"
TIMES_CHECKIN_PREFIX = "Check-in "
TIMES_NEED_ONE = "Tick at least one reminder time."
TIMES_TOO_MANY = "At most {count} reminder times a day."
TIMES_SAVED = "✅ Saved: {name}'s reminders at {reminders}, check-in at {checkin} (their time)."
TIMES_UNCHANGED = "Times not changed."
CLIENT_TIMES_NOTICE = (
    "Your therapist has changed your times: exercise reminders at {reminders}, daily check-in "
    "at {checkin} (your time). You can change them yourself with /settings."
)


def times_message(times: ClientTimes, mask: int, checkin: int) -> str:
    reminders, at = times.chosen(mask, checkin)
    return TIMES_HEADER.format(
        name=times.name, zone=times.timezone, reminders=_clock(reminders), checkin=f"{at:%H:%M}"
    )


def times_keyboard(times: ClientTimes, mask: int, checkin: int) -> Keyboard:
    """Reminder times to tick (each button carries the mask it would make), check-in times to
    choose, Save and Cancel: the draft lives in the buttons, nothing is stored until Save."""
    cid = times.client_id
    reminder_buttons = [
        (
            f"{'✅ ' if mask & (1 << i) else ''}{t:%H:%M}",
            EditTimes(cid, mask ^ (1 << i), checkin).pack(),
        )
        for i, t in enumerate(times.reminder_choices)
    ]
    checkin_buttons = [
        (
            f"{'● ' if j == checkin else ''}{TIMES_CHECKIN_PREFIX}{t:%H:%M}",
            EditTimes(cid, mask, j).pack(),
        )
        for j, t in enumerate(times.checkin_choices)
    ]
    grid = [
        *rows(reminder_buttons, per_row=4).inline_keyboard,
        *rows(checkin_buttons, per_row=3).inline_keyboard,
        [
            Button(TIMES_CANCEL, callback_data=CancelTimes(cid).pack()),
            Button(TIMES_SAVE, callback_data=SaveTimes(cid, mask, checkin).pack()),
        ],
    ]
    return Keyboard(grid)


def times_saved(times: ClientTimes) -> str:
    return TIMES_SAVED.format(
        name=times.name,
        reminders=_clock(times.reminder_times),
        checkin=f"{times.checkin_time:%H:%M}",
    )


def client_times_notice(times: ClientTimes) -> str:
    return CLIENT_TIMES_NOTICE.format(
        reminders=_clock(times.reminder_times), checkin=f"{times.checkin_time:%H:%M}"
    )


# --- notes -----------------------------------------------------------------------------------
NOTES_USAGE = "Whose notes? Send /notes <client name>, e.g. /notes Sam."
NOTES_NONE = "{name} has not written any notes at check-in yet."
NOTES_MARK = "📝"
NOTES_HEADER = NOTES_MARK + " {name}'s notes from check-ins ({total}), newest first"


def notes_page(page: NotesPage) -> ClientsPage:
    """One page of a client's notes, whole, with Previous / Next."""
    if not page.total:
        return ClientsPage(NOTES_NONE.format(name=page.name), None)
    lines = [NOTES_HEADER.format(name=page.name, total=page.total)]
    lines += [f"\n{_day(day)}\n{note}" for day, note in page.notes]
    if page.pages > 1:
        lines.append("\n" + PAGE_FOOTER.format(page=page.page + 1, pages=page.pages))
    nav = []
    if page.page > 0:
        data = NotesPageButton(page.client_id, page.page - 1).pack()
        nav.append(Button(PREVIOUS_PAGE, callback_data=data))
    if page.page + 1 < page.pages:
        data = NotesPageButton(page.client_id, page.page + 1).pack()
        nav.append(Button(NEXT_PAGE, callback_data=data))
    return ClientsPage(trim("\n".join(lines)), Keyboard([nav]) if nav else None)


# --- prescribing -----------------------------------------------------------------------------
PRESCRIBE_USAGE = "Whose prescription? Send /prescribe <client name>."
DRAFT_GONE = (
    "This prescription draft has expired or belongs to another client. Start again with /prescribe."
)
PICK_HEADER = (
    "Prescription for {name} — tap exercises to add or remove them "
    "(2–4 is the workable range). Selected: {count}."
)
TOO_MANY_WARNING = (
    "⚠️ {count} exercises selected: more than {limit} is rarely done. 2–4 is the workable range."
)
OUTSIDE_WORKABLE = "Note: 2–4 exercises is the workable range."
DOSAGE_HEADER = "Dosage for {name} — default from the exercise sheet, or a step easier/harder:"
SCHEDULE_HEADER = "How often, {name}?\nTimes a day: {times} · Days: {days}"
CONFIRM_HEADER = "Confirm the prescription for {name}:"
NEXT_BUTTON = "Next ➡️"
BACK_BUTTON = "⬅️ Back"
CONFIRM_BUTTON = "✅ Confirm and tell {name}"
CANCEL_BUTTON = "✖️ Cancel"
CANCELLED = "Prescription not changed."
NOTHING_SELECTED = "Select at least one exercise (or use Stop prescription)."
SAVED_FOR_THERAPIST = "Saved. {name}'s reminders are updated and they have been told what changed."
SAVED_NOTHING_CHANGED = "Saved — nothing changed for {name}."
STOP_CONFIRM = "Stop all of {name}'s exercises? Their exercise reminders end now."
STOP_YES = "⏹ Yes, stop"
STOPPED_FOR_THERAPIST = "{name}'s prescription is stopped; they have been told."
NOTHING_TO_STOP = "{name} has no active prescription."
CLIENT_NOTICE_HEADER = "Your therapist has updated your exercises:"
CLIENT_NOTICE_STOPPED = (
    "Your therapist has stopped your exercise programme for now, so there will be no more "
    "exercise reminders. Your daily check-in continues."
)
CLIENT_NOTICE_FOOTER = "Reminders: {times}, {days}."
CLIENT_NOTICE_SETTINGS = "You can change these times in /settings."
CLIENT_NOTICE_FOOTER_AT = "Reminders: {times} ({at}, your time), {days}."
VARIANT_LABELS = {Variant.DEFAULT: "default", Variant.EASIER: "easier", Variant.HARDER: "harder"}
DAYS_LABELS = {Days.EVERY_DAY: "Every day", Days.WEEKDAYS: "Weekdays"}


def _targets(targets: Sequence[str]) -> str:
    return ", ".join(target.replace("_", " ") for target in targets)


def _tick(selected: bool) -> str:
    return "✅" if selected else "▫️"


def pick_message(draft: Draft, exercises: Sequence[tuple[str, str, Sequence[str]]]) -> str:
    lines = [PICK_HEADER.format(name=draft.client_name, count=len(draft.selected)), ""]
    lines += [
        f"{_tick(slug in draft.selected)} {title} — {_targets(targets)}"
        for slug, title, targets in exercises
    ]
    if draft.too_many:
        lines += ["", TOO_MANY_WARNING.format(count=len(draft.selected), limit=WARN_ABOVE)]
    return "\n".join(lines)


def pick_keyboard(draft: Draft, exercises: Sequence[tuple[str, str, Sequence[str]]]) -> Keyboard:
    buttons = [
        (f"{_tick(slug in draft.selected)} {title}", ToggleExercise(draft.client_id, slug).pack())
        for slug, title, _ in exercises
    ]
    markup = rows(buttons, per_row=2)
    extra = [
        Button(CANCEL_BUTTON, callback_data=CancelDraft(draft.client_id).pack()),
        Button(NEXT_BUTTON, callback_data=ShowStep(DraftStep.DOSE, draft.client_id).pack()),
    ]
    stop = [Button(STOP_BUTTON, callback_data=StopPrescription(draft.client_id).pack())]
    return Keyboard([*markup.inline_keyboard, extra, stop])


def choose_client_keyboard(
    items: Sequence[tuple[int, str]], button: Callable[[int], ClientButton]
) -> Keyboard | None:
    if not items:
        return None
    return rows([(button_label(name), button(cid).pack()) for cid, name in items], per_row=2)


def dosage_message(
    draft: Draft, options: Sequence[tuple[str, str, Sequence[tuple[Variant, str]]]]
) -> str:
    lines = [DOSAGE_HEADER.format(name=draft.client_name), ""]
    for number, (slug, title, variants) in enumerate(options, start=1):
        chosen = draft.variants.get(slug, Variant.DEFAULT)
        text = next((d for v, d in variants if v is chosen), "")
        lines.append(f"{number}. {title}: {text} ({VARIANT_LABELS[chosen]})")
    if draft.too_many:
        lines += ["", TOO_MANY_WARNING.format(count=len(draft.selected), limit=WARN_ABOVE)]
    return "\n".join(lines)


def dosage_keyboard(
    draft: Draft, options: Sequence[tuple[str, str, Sequence[tuple[Variant, str]]]]
) -> Keyboard:
    grid: list[list[Button]] = []
    # Three buttons share a phone's width (~12 characters each): the button names the
    # exercise by its number in the message above, never by a cut-off title.
    for number, (slug, _title, variants) in enumerate(options, start=1):
        chosen = draft.variants.get(slug, Variant.DEFAULT)
        grid.append(
            [
                Button(
                    f"{'● ' if v is chosen else ''}{number}. {VARIANT_LABELS[v]}",
                    callback_data=ChooseVariant(draft.client_id, slug, v).pack(),
                )
                for v, _ in variants
            ]
        )
    grid.append(
        [
            Button(BACK_BUTTON, callback_data=ShowStep(DraftStep.PICK, draft.client_id).pack()),
            Button(NEXT_BUTTON, callback_data=ShowStep(DraftStep.WHEN, draft.client_id).pack()),
        ]
    )
    return Keyboard(grid)


def schedule_message(draft: Draft) -> str:
    return SCHEDULE_HEADER.format(
        name=draft.client_name, times=times_label(draft.times_per_day), days=DAYS_LABELS[draft.days]
    )


def schedule_keyboard(draft: Draft) -> Keyboard:
    times = [
        Button(
            f"{'● ' if n == draft.times_per_day else ''}{n}× a day",
            callback_data=ChooseTimesPerDay(draft.client_id, n).pack(),
        )
        for n in range(1, MAX_TIMES_PER_DAY + 1)
    ]
    days = [
        Button(
            f"{'● ' if d is draft.days else ''}{DAYS_LABELS[d]}",
            callback_data=ChooseDays(draft.client_id, d).pack(),
        )
        for d in Days
    ]
    nav = [
        Button(BACK_BUTTON, callback_data=ShowStep(DraftStep.DOSE, draft.client_id).pack()),
        Button(NEXT_BUTTON, callback_data=ShowStep(DraftStep.REVIEW, draft.client_id).pack()),
    ]
    return Keyboard([times, days, nav])


def confirm_message(draft: Draft, lines: Sequence[tuple[str, str]]) -> str:
    body = "\n".join(f"• {title} — {dosage}" for title, dosage in lines)
    text = (
        f"{CONFIRM_HEADER.format(name=draft.client_name)}\n{body}\n"
        f"{times_label(draft.times_per_day)}, {DAYS_LABELS[draft.days].lower()}"
    )
    if draft.too_many:
        text += "\n\n" + TOO_MANY_WARNING.format(count=len(draft.selected), limit=WARN_ABOVE)
    elif draft.outside_workable:
        text += "\n\n" + OUTSIDE_WORKABLE
    return text


def confirm_keyboard(draft: Draft) -> Keyboard:
    return rows(
        [
            (
                button_label(CONFIRM_BUTTON.format(name=draft.client_name)),
                ConfirmDraft(draft.client_id).pack(),
            ),
            (BACK_BUTTON, ShowStep(DraftStep.WHEN, draft.client_id).pack()),
            (CANCEL_BUTTON, CancelDraft(draft.client_id).pack()),
        ],
        per_row=1,
    )


def stop_keyboard(client_id: int) -> Keyboard:
    return rows(
        [
            (STOP_YES, StopConfirmed(client_id).pack()),
            (CANCEL_BUTTON, CancelDraft(client_id).pack()),
        ],
        per_row=2,
    )


def client_change_notice(change: PrescriptionChange, title_of: TitleOf) -> str:
    if not change.current:
        return CLIENT_NOTICE_STOPPED
    lines = [CLIENT_NOTICE_HEADER]
    lines += [f"➕ New: {title_of(line.exercise_slug)} — {line.dosage}" for line in change.added]
    lines += [
        f"✏️ Changed: {title_of(line.exercise_slug)} — {line.dosage}" for line in change.changed
    ]
    lines += [f"➖ Stopped: {title_of(slug)}" for slug in change.removed]
    lines += ["", "Your exercises now:"]
    lines += [f"• {title_of(line.exercise_slug)} — {line.dosage}" for line in change.current]
    lines += [
        "",
        CLIENT_NOTICE_FOOTER_AT.format(
            times=times_label(change.times_per_day),
            at=" and ".join(f"{t.hour:02d}:{t.minute:02d}" for t in change.reminder_times),
            days=DAYS_LABELS[change.days].lower(),
        )
        if change.reminder_times
        else CLIENT_NOTICE_FOOTER.format(
            times=times_label(change.times_per_day), days=DAYS_LABELS[change.days].lower()
        ),
        CLIENT_NOTICE_SETTINGS,
    ]
    return "\n".join(lines)


# --- messages --------------------------------------------------------------------------------
RELAY_PROMPT = "Type your message to {name} (one message). Send /cancel to stop."
RELAY_SENT = "Sent to {name}. Their reply will come here."
RELAY_SENT_AFTER_QUIET_HOURS = (
    "Queued for {name}: it is their quiet hours, so it reaches them at {at} their time. "
    "Their reply will come here."
)
RELAY_FAILED = "Could not deliver to {name}: they may have blocked the bot."
RELAY_BLOCKED = "Could not deliver to {name}: they have blocked the bot."
RELAY_NOT_DELIVERED = "Could not deliver to {name} just now — please send it again in a moment."
RELAY_CANCELLED = "Message cancelled."
RELAY_NOT_POSSIBLE = "You can't message this client (not yours, or they blocked the bot)."
_RELAY_TO_CLIENT = "✉️ From your therapist:\n\n{text}\n\n(Reply to this message to answer.)"
_RELAY_TO_THERAPIST = "✉️ {name} replied:\n\n{text}\n\n(Reply to this message to answer {name}.)"
RELAY_REPLY_SENT = "Sent to your therapist."
RELAY_TEXT_ONLY = "Only text messages can be relayed — please type it."


def relay_to_client(text: str) -> tuple[str, ...]:
    """The therapist's message as the client gets it: several messages when it is long (a
    reply to any of them reaches the therapist)."""
    return split_message(_RELAY_TO_CLIENT.format(text=text))


def relay_to_therapist(client_name: str, text: str) -> tuple[str, ...]:
    """The client's reply as the therapist gets it, split like `relay_to_client`."""
    return split_message(_RELAY_TO_THERAPIST.format(name=client_name, text=text))


# --- export ----------------------------------------------------------------------------------
EXPORT_CAPTION = (
    "Export of {clients} client(s): a zip of spreadsheets — check-ins, adherence by week, "
    "exercise answers and responses, weekly questionnaires, alerts. Dates are each client's "
    "own; alert times are yours."
)
EXPORT_CLIENT_CAPTION = "CSV export for {name}: adherence by week, pain entries, SBI and alerts."

# --- summary extras --------------------------------------------------------------------------
SUMMARY_CHART_FOR = "Pain chart"
