"""/clients, /client <name>, and the client card's buttons (open, pause/resume)."""

from __future__ import annotations

import asyncio

from telegram import Bot, InputFile, Message, Update
from telegram.ext import Application, CommandHandler, filters

from bot.buttons.therapist import OPEN_CLIENT, PAUSE_CLIENT, ClientChart, OpenClient, PauseClient
from bot.charts import pain_chart_png
from bot.content import ExerciseLibrary
from bot.handlers.buttons import Audience, ButtonHandler, Press
from bot.handlers.common import BotContext, edit_query_markup, services_of
from bot.handlers.therapist_access import client_named_by, therapist_command
from bot.services.clients import (
    ClientCard,
    PauseChange,
    client_card,
    list_clients,
    toggle_pause,
)
from bot.texts import therapist as t


def title_lookup(library: ExerciseLibrary) -> t.TitleOf:
    def title_of(slug: str) -> str:
        exercise = library.get(slug)
        return exercise.title if exercise is not None else slug

    return title_of


async def send_pain_chart(bot: Bot, chat_id: int, card: ClientCard) -> None:
    """The client's leg and back pain over time, drawn in a thread (matplotlib blocks)."""
    png = await asyncio.to_thread(
        pain_chart_png,
        [p.day for p in card.pain],
        [p.leg for p in card.pain],
        [p.back for p in card.pain],
        title=t.PAIN_CHART_TITLE.format(name=card.name),
    )
    await bot.send_photo(chat_id, InputFile(png, filename="pain.png"))


async def send_client_card(
    bot: Bot, chat_id: int, card: ClientCard, library: ExerciseLibrary
) -> None:
    *first, last = t.client_card_messages(card, title_lookup(library))
    for part in first:
        await bot.send_message(chat_id, part)
    await bot.send_message(chat_id, last, reply_markup=t.client_card_keyboard(card))
    await send_pain_chart(bot, chat_id, card)


async def clients_command(update: Update, context: BotContext) -> None:
    command = await therapist_command(update, context)
    if command is None:
        return
    message, therapist = command
    services = services_of(context)
    lines = await list_clients(services.db, therapist_telegram_id=therapist, now=services.now())
    await message.reply_text(
        t.clients_message(lines),
        reply_markup=t.clients_keyboard([(line.client_id, line.name) for line in lines]),
    )


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
        services.db, therapist_telegram_id=therapist, client_id=client_id, now=services.now()
    )
    if card is None:
        await message.reply_text(t.CLIENT_GONE)
        return
    await send_client_card(context.bot, message.chat_id, card, services.library)


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
    )
    if card is None:
        await press.query.answer(t.CLIENT_GONE, show_alert=True)
        return None
    await press.query.answer()
    return card


async def open_client(press: Press[OpenClient], context: BotContext) -> None:
    card = await pressed_client_card(press, context)
    if card is not None:
        await send_client_card(context.bot, press.user_id, card, services_of(context).library)


async def pause_client(press: Press[PauseClient], context: BotContext) -> None:
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
    if isinstance(card, Message) and card.reply_markup is not None:
        # The card's toggle must offer what pressing it does now ("Press Resume on the card").
        toggled = t.card_keyboard_after_pause(card.reply_markup, paused=paused)
        await edit_query_markup(query, toggled)
    await context.bot.send_message(
        therapist, (t.PAUSED_DONE if paused else t.RESUMED_DONE).format(name=result.client_name)
    )
    await context.bot.send_message(
        result.client_telegram_id, t.CLIENT_PAUSED_NOTICE if paused else t.CLIENT_RESUMED_NOTICE
    )


def register(app: Application) -> None:  # type: ignore[type-arg]
    private = filters.ChatType.PRIVATE
    app.add_handler(CommandHandler("clients", clients_command, filters=private))
    app.add_handler(CommandHandler("client", client_command, filters=private))
    app.add_handler(ButtonHandler(OPEN_CLIENT, Audience.THERAPIST, open_client))
    app.add_handler(ButtonHandler(PAUSE_CLIENT, Audience.THERAPIST, pause_client))
