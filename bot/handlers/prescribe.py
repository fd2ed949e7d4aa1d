"""/prescribe <client> and the prescription buttons (rx:<step>:<client_id>[:arg]).

Steps: pick exercises → dosage → times a day and days → confirm. The draft is in the database
(bot.services.prescriptions), so every button works after a restart; the client id in each
button is re-checked against the draft and the therapist's own clients. Confirming (or
stopping) updates the client's reminder schedules at once and tells the client what changed.
"""

from __future__ import annotations

import logging

from telegram import Bot, InlineKeyboardMarkup, Update
from telegram.error import TelegramError
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, filters

from bot.content import ExerciseLibrary
from bot.handlers.clients import title_lookup
from bot.handlers.common import BotContext, edit_query_message, services_of
from bot.handlers.therapist_access import client_named_by, therapist_command, therapist_press
from bot.services.prescriptions import (
    Days,
    Draft,
    PrescriptionChange,
    Variant,
    cancel_draft,
    confirm_draft,
    current_draft,
    edit_draft,
    prescribed_dosage,
    start_draft,
    stop_prescription,
)
from bot.texts import therapist as t

log = logging.getLogger(__name__)

_VARIANTS = {v.value[0]: v for v in Variant}
_STEPS = ("pick", "dose", "when", "review")


def _dosage_options(
    draft: Draft, library: ExerciseLibrary
) -> list[tuple[str, str, list[tuple[Variant, str]]]]:
    return [
        (
            slug,
            library[slug].title,
            [(v, prescribed_dosage(library[slug], v)) for v in Variant],
        )
        for slug in draft.selected
        if slug in library
    ]


def _screen(step: str, draft: Draft, library: ExerciseLibrary) -> tuple[str, InlineKeyboardMarkup]:
    if step == "dose":
        options = _dosage_options(draft, library)
        return t.dosage_message(draft, options), t.dosage_keyboard(draft, options)
    if step == "when":
        return t.schedule_message(draft), t.schedule_keyboard(draft)
    if step == "review":
        lines = [
            (title, dict(variants)[draft.variants.get(slug, Variant.DEFAULT)])
            for slug, title, variants in _dosage_options(draft, library)
        ]
        return t.confirm_message(draft, lines), t.confirm_keyboard(draft)
    exercises = [(e.slug, e.title, e.targets) for e in library.all()]
    return t.pick_message(draft, exercises), t.pick_keyboard(draft, exercises)


async def _tell_client(bot: Bot, change: PrescriptionChange, library: ExerciseLibrary) -> bool:
    try:
        await bot.send_message(
            change.client_telegram_id, t.client_change_notice(change, title_lookup(library))
        )
    except TelegramError as exc:
        log.warning("prescription notice not delivered", extra={"error_type": type(exc).__name__})
        return False
    return True


async def _first_screen(
    context: BotContext, therapist: int, client_id: int
) -> tuple[str, InlineKeyboardMarkup] | None:
    """Start (or restart) the client's draft and show its first step; None if not theirs."""
    services = services_of(context)
    draft = await start_draft(
        services.db,
        therapist_telegram_id=therapist,
        client_id=client_id,
        library=services.library,
        now=services.now(),
    )
    if draft is None:
        return None
    return _screen("pick", draft, services.library)


async def prescribe_command(update: Update, context: BotContext) -> None:
    command = await therapist_command(update, context)
    if command is None:
        return
    client_id = await client_named_by(command, context, usage=t.PRESCRIBE_USAGE, action="rx")
    if client_id is None:
        return
    message, therapist = command
    screen = await _first_screen(context, therapist, client_id)
    if screen is None:
        await message.reply_text(t.CLIENT_GONE)
        return
    text, markup = screen
    await message.reply_text(text, reply_markup=markup)


async def prescribe_from_card(update: Update, context: BotContext) -> None:
    press = await therapist_press(update, context, gone=t.CLIENT_GONE)
    if press is None:
        return
    query, therapist, client_id = press
    screen = await _first_screen(context, therapist, client_id)
    if screen is None:
        await query.answer(t.CLIENT_GONE, show_alert=True)
        return
    await query.answer()
    text, markup = screen
    await context.bot.send_message(therapist, text, reply_markup=markup)


async def prescription_button(update: Update, context: BotContext) -> None:
    """Every rx:… button: change the draft, move between steps, confirm, stop or cancel."""
    press = await therapist_press(update, context, gone=t.DRAFT_GONE)
    if press is None:
        return
    query, therapist, client_id = press
    services = services_of(context)
    parts = (query.data or "").split(":")
    action, arg = parts[1], parts[3] if len(parts) > 3 else ""
    common = {
        "db": services.db,
        "therapist_telegram_id": therapist,
        "client_id": client_id,
        "now": services.now(),
    }
    if action == "x":
        await cancel_draft(services.db, therapist_telegram_id=therapist, now=services.now())
        await query.answer()
        await edit_query_message(query, t.CANCELLED)
        return
    if action in ("stop", "stopok"):
        await _stop(update, context, therapist, client_id, confirmed=action == "stopok")
        return
    if action == "ok":
        change = await confirm_draft(library=services.library, **common)  # type: ignore[arg-type]
        if change is None:
            await query.answer(t.DRAFT_GONE, show_alert=True)
            return
        await query.answer()
        told = await _tell_client(context.bot, change, services.library)
        template = t.SAVED_FOR_THERAPIST if change.anything_changed else t.SAVED_NOTHING_CHANGED
        text = template.format(name=change.client_name)
        if not told:
            text += "\n" + t.RELAY_FAILED.format(name=change.client_name)
        await edit_query_message(query, text)
        return
    draft: Draft | None
    step = "pick"
    if action == "t":
        draft = await edit_draft(library=services.library, toggle=arg, **common)  # type: ignore[arg-type]
    elif action == "d" and len(parts) > 4 and parts[4] in _VARIANTS:
        draft = await edit_draft(
            library=services.library,
            variant=(arg, _VARIANTS[parts[4]]),
            **common,  # type: ignore[arg-type]
        )
        step = "dose"
    elif action == "n" and arg.isdigit():
        draft = await edit_draft(library=services.library, times_per_day=int(arg), **common)  # type: ignore[arg-type]
        step = "when"
    elif action == "w" and arg in {d.value for d in Days}:
        draft = await edit_draft(library=services.library, days=Days(arg), **common)  # type: ignore[arg-type]
        step = "when"
    elif action in _STEPS:
        draft = await current_draft(**common)  # type: ignore[arg-type]
        step = action
    else:
        draft = None
    if draft is None:
        await query.answer(t.DRAFT_GONE, show_alert=True)
        return
    if step != "pick" and not draft.selected:
        await query.answer(t.NOTHING_SELECTED, show_alert=True)
        step = "pick"
    else:
        await query.answer()
    await edit_query_message(query, *_screen(step, draft, services.library))


async def _stop(
    update: Update, context: BotContext, therapist: int, client_id: int, *, confirmed: bool
) -> None:
    query = update.callback_query
    assert query is not None
    services = services_of(context)
    if not confirmed:
        await query.answer()
        draft = await current_draft(
            services.db, therapist_telegram_id=therapist, client_id=client_id, now=services.now()
        )
        name = draft.client_name if draft else ""
        await edit_query_message(
            query, t.STOP_CONFIRM.format(name=name), t.stop_keyboard(client_id)
        )
        return
    change = await stop_prescription(
        services.db, therapist_telegram_id=therapist, client_id=client_id, now=services.now()
    )
    if change is None:
        await query.answer(t.CLIENT_GONE, show_alert=True)
        return
    await query.answer()
    await cancel_draft(services.db, therapist_telegram_id=therapist, now=services.now())
    if not change.removed:
        await edit_query_message(query, t.NOTHING_TO_STOP.format(name=change.client_name))
        return
    await _tell_client(context.bot, change, services.library)
    await edit_query_message(query, t.STOPPED_FOR_THERAPIST.format(name=change.client_name))


def register(app: Application) -> None:  # type: ignore[type-arg]
    private = filters.ChatType.PRIVATE
    app.add_handler(CommandHandler("prescribe", prescribe_command, filters=private))
    app.add_handler(CallbackQueryHandler(prescribe_from_card, pattern=r"^client:rx:"))
    app.add_handler(CallbackQueryHandler(prescription_button, pattern=r"^rx:"))
