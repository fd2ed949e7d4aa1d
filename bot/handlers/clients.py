"""/clients (paged), /client <name>, /notes <name>, and the client card's buttons (open,
pause/resume, times, all notes)."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from zoneinfo import ZoneInfo

from telegram import Bot, InputFile, Message, Update
from telegram.ext import CommandHandler

from bot.buttons.therapist import (
    CLIENTS,
    NOTES,
    OPEN_CLIENT,
    PAUSE_CLIENT,
    TIMES,
    CancelTimes,
    ClientChart,
    ClientsPage,
    EditTimes,
    NotesPage,
    OpenClient,
    OpenTimes,
    PauseClient,
    TimesButton,
)
from bot.charts import PainChartData, pain_chart_png
from bot.content import ExerciseLibrary
from bot.handlers.buttons import Audience, ButtonHandler, Press
from bot.handlers.common import (
    PRIVATE_MESSAGE,
    BotApplication,
    BotContext,
    edit_query_markup,
    edit_query_message,
    services_of,
)
from bot.handlers.exercise_suggestions import send_card_suggestions
from bot.handlers.therapist_access import client_named_by, therapist_command
from bot.services.clients import (
    MAX_REMINDER_TIMES,
    ClientCard,
    PauseChange,
    change_client_times,
    client_card,
    client_notes,
    client_times,
    list_clients,
    toggle_pause,
)
from bot.telegram_markup import from_markup, to_markup
from bot.texts import therapist as t
from bot.texts import triage as tt


def title_lookup(library: ExerciseLibrary) -> t.TitleOf:
    def title_of(slug: str) -> str:
        exercise = library.get(slug)
        return exercise.title if exercise is not None else slug

    return title_of


def pain_chart_data(card: ClientCard) -> PainChartData:
    """What the card's pain chart shows: 4 weeks of check-ins, usual leg pain, alerts, and
    adherence by week (labelled; this week "so far")."""
    zone = ZoneInfo(card.timezone)
    last = max([card.today, *(p.day for p in card.pain[-1:])])
    first = last - timedelta(days=27)
    return PainChartData(
        title=t.PAIN_CHART_TITLE.format(name=card.name),
        first_day=first,
        last_day=last,
        entries=[(p.day, p.leg, p.back) for p in card.pain],
        leg_baseline=card.leg_baseline,
        alerts=[
            (a.created_at.astimezone(zone).date(), tt.alert_name(a.kind))
            for a in card.alerts
            if a.created_at.astimezone(zone).date() >= first
        ],
        weeks=[(w.week_start, w.pct, " so far" if w.so_far else "") for w in card.weekly_adherence],
    )


async def send_pain_chart(bot: Bot, chat_id: int, card: ClientCard) -> None:
    """The client's leg and back pain over time, drawn in a thread (matplotlib blocks)."""
    png = await asyncio.to_thread(pain_chart_png, pain_chart_data(card))
    await bot.send_photo(chat_id, InputFile(png, filename="pain.png"))


async def send_client_card(
    bot: Bot, chat_id: int, card: ClientCard, library: ExerciseLibrary, therapist_zone: str
) -> None:
    *first, last = t.client_card_messages(card, title_lookup(library), therapist_zone)
    for part in first:
        await bot.send_message(chat_id, part)
    await bot.send_message(chat_id, last, reply_markup=to_markup(t.client_card_keyboard(card)))
    await send_pain_chart(bot, chat_id, card)


async def clients_command(update: Update, context: BotContext) -> None:
    command = await therapist_command(update, context)
    if command is None:
        return
    message, therapist = command
    services = services_of(context)
    clients = await list_clients(
        services.db,
        therapist_telegram_id=therapist,
        now=services.now(),
        sensitivity=services.settings.alert_sensitivity,
    )
    page = t.clients_page(clients)
    await message.reply_text(page.text, reply_markup=to_markup(page.keyboard))


async def clients_page_button(press: Press[ClientsPage], context: BotContext) -> None:
    """Previous / Next under /clients: the same message shows the other page, freshly ranked."""
    services = services_of(context)
    clients = await list_clients(
        services.db,
        therapist_telegram_id=press.user_id,
        now=services.now(),
        sensitivity=services.settings.alert_sensitivity,
    )
    await press.query.answer()
    page = t.clients_page(clients, press.button.page)
    await edit_query_message(press.query, page.text, page.keyboard)


async def client_command(update: Update, context: BotContext) -> None:
    command = await therapist_command(update, context)
    if command is None:
        return
    client_id = await client_named_by(command, context, usage=t.CLIENT_USAGE, button=OpenClient)
    if client_id is None:
        return
    message, therapist = command
    services = services_of(context)
    card = await client_card(
        services.db,
        therapist_telegram_id=therapist,
        client_id=client_id,
        now=services.now(),
        sensitivity=services.settings.alert_sensitivity,
    )
    if card is None:
        await message.reply_text(t.CLIENT_GONE)
        return
    await send_client_card(
        context.bot, message.chat_id, card, services.library, services.settings.therapist_zone
    )
    await send_card_suggestions(context, message.chat_id, therapist, card.client_id, card.name)


async def pressed_client_card(
    press: Press[OpenClient] | Press[ClientChart], context: BotContext
) -> ClientCard | None:
    """The card of the client the therapist's button names, the press answered; None once it
    was answered otherwise (the client has left since)."""
    services = services_of(context)
    card = await client_card(
        services.db,
        therapist_telegram_id=press.user_id,
        client_id=press.button.client_id,
        now=services.now(),
        sensitivity=services.settings.alert_sensitivity,
    )
    if card is None:
        await press.query.answer(t.CLIENT_GONE, show_alert=True)
        return None
    await press.query.answer()
    return card


async def open_client_button(press: Press[OpenClient], context: BotContext) -> None:
    card = await pressed_client_card(press, context)
    if card is not None:
        services = services_of(context)
        await send_client_card(
            context.bot, press.user_id, card, services.library, services.settings.therapist_zone
        )
        await send_card_suggestions(
            context, press.user_id, press.user_id, card.client_id, card.name
        )


async def pause_client_button(press: Press[PauseClient], context: BotContext) -> None:
    query, therapist, client_id = press.query, press.user_id, press.button.client_id
    services = services_of(context)
    result = await toggle_pause(
        services.db, therapist_telegram_id=therapist, client_id=client_id, now=services.now()
    )
    if result is None:
        await query.answer(t.CLIENT_GONE, show_alert=True)
        return
    if result.change is PauseChange.UNCHANGED:
        await query.answer(t.PAUSE_UNCHANGED.format(name=result.client_name, status="not active"))
        return
    paused = result.change is PauseChange.PAUSED
    await query.answer()
    card = query.message
    keyboard = from_markup(card.reply_markup) if isinstance(card, Message) else None
    if keyboard is not None:
        # The card's toggle must offer what pressing it does now ("Press Resume on the card").
        await edit_query_markup(query, t.card_keyboard_after_pause(keyboard, paused=paused))
    await context.bot.send_message(
        therapist, (t.PAUSED_DONE if paused else t.RESUMED_DONE).format(name=result.client_name)
    )
    # The client's own notice was queued with the change (the outbox sends it).


async def notes_command(update: Update, context: BotContext) -> None:
    command = await therapist_command(update, context)
    if command is None:
        return
    client_id = await client_named_by(command, context, usage=t.NOTES_USAGE, button=NotesPage)
    if client_id is None:
        return
    message, therapist = command
    services = services_of(context)
    notes = await client_notes(
        services.db,
        therapist_telegram_id=therapist,
        client_id=client_id,
        page=0,
        now=services.now(),
    )
    if notes is None:
        await message.reply_text(t.CLIENT_GONE)
        return
    page = t.notes_page(notes)
    await message.reply_text(page.text, reply_markup=to_markup(page.keyboard))


async def notes_button(press: Press[NotesPage], context: BotContext) -> None:
    """A page of the client's notes: Previous / Next turn the page in place; the card's "All
    notes" (or a client chosen after /notes) sends it as a new message."""
    services = services_of(context)
    notes = await client_notes(
        services.db,
        therapist_telegram_id=press.user_id,
        client_id=press.button.client_id,
        page=press.button.page,
        now=services.now(),
    )
    if notes is None:
        await press.query.answer(t.CLIENT_GONE, show_alert=True)
        return
    await press.query.answer()
    page = t.notes_page(notes)
    shown = getattr(press.query.message, "text", None) or ""
    if shown.startswith(t.NOTES_MARK):
        await edit_query_message(press.query, page.text, page.keyboard)
    else:
        await context.bot.send_message(
            press.user_id, page.text, reply_markup=to_markup(page.keyboard)
        )


async def times_button(press: Press[TimesButton], context: BotContext) -> None:
    """The card's ⏰ Times: tick reminder times and pick the check-in time, then Save."""
    query, button = press.query, press.button
    services = services_of(context)
    times = await client_times(
        services.db, therapist_telegram_id=press.user_id, client_id=button.client_id
    )
    if times is None:
        await query.answer(t.CLIENT_GONE, show_alert=True)
        return
    if isinstance(button, CancelTimes):
        await query.answer()
        await edit_query_message(query, t.TIMES_UNCHANGED)
        return
    if isinstance(button, OpenTimes):
        await query.answer()
        mask, checkin = times.current()
        await context.bot.send_message(
            press.user_id,
            t.times_message(times, mask, checkin),
            reply_markup=to_markup(t.times_keyboard(times, mask, checkin)),
        )
        return
    reminders, at = times.chosen(button.mask, button.checkin)
    if isinstance(button, EditTimes):
        if len(reminders) > MAX_REMINDER_TIMES:
            await query.answer(t.TIMES_TOO_MANY.format(count=MAX_REMINDER_TIMES))
            return
        await query.answer()
        await edit_query_message(
            query,
            t.times_message(times, button.mask, button.checkin),
            t.times_keyboard(times, button.mask, button.checkin),
        )
        return
    if not reminders:
        await query.answer(t.TIMES_NEED_ONE, show_alert=True)
        return
    changed = await change_client_times(
        services.db,
        therapist_telegram_id=press.user_id,
        client_id=button.client_id,
        reminders=reminders,
        checkin=at,
        now=services.now(),
        notice=t.client_times_notice,
    )
    if changed is None:
        await query.answer(t.CLIENT_GONE, show_alert=True)
        return
    await query.answer()
    await edit_query_message(query, t.times_saved(changed.times))


def register(app: BotApplication) -> None:
    private = PRIVATE_MESSAGE
    app.add_handler(CommandHandler("clients", clients_command, filters=private))
    app.add_handler(CommandHandler("client", client_command, filters=private))
    app.add_handler(CommandHandler("notes", notes_command, filters=private))
    app.add_handler(ButtonHandler(OPEN_CLIENT, Audience.THERAPIST, open_client_button))
    app.add_handler(ButtonHandler(PAUSE_CLIENT, Audience.THERAPIST, pause_client_button))
    app.add_handler(ButtonHandler(CLIENTS, Audience.THERAPIST, clients_page_button))
    app.add_handler(ButtonHandler(NOTES, Audience.THERAPIST, notes_button))
    app.add_handler(ButtonHandler(TIMES, Audience.THERAPIST, times_button))
