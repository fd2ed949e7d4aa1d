"""/prescribe <client> and the prescription buttons (bot.buttons.therapist: one typed button
per action, each naming the client, which the press guard has checked is the therapist's).

Steps: pick exercises → dosage → times a day and days → confirm. The draft is in the database
(bot.services.prescriptions), so every button works after a restart; the client id in each
button is re-checked against the draft and the therapist's own clients. Confirming (or
stopping) updates the client's reminder schedules at once and tells the client what changed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial

from telegram import Update
from telegram.ext import CommandHandler

from bot.buttons.therapist import (
    PRESCRIBE_CLIENT,
    PRESCRIPTION,
    CancelDraft,
    ChooseDays,
    ChooseTimesPerDay,
    ChooseVariant,
    ConfirmDraft,
    DraftStep,
    PrescribeClient,
    PrescriptionButton,
    ShowStep,
    StopConfirmed,
    StopPrescription,
    ToggleExercise,
)
from bot.content import ExerciseLibrary
from bot.handlers.buttons import Audience, ButtonHandler, Press
from bot.handlers.clients import title_lookup
from bot.handlers.common import (
    PRIVATE_MESSAGE,
    BotApplication,
    BotContext,
    edit_query_message,
    services_of,
)
from bot.handlers.therapist_access import client_named_by, therapist_command
from bot.keyboards import Keyboard
from bot.services.prescriptions import (
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
from bot.telegram_markup import to_markup
from bot.texts import therapist as t

log = logging.getLogger(__name__)


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


def _screen(step: DraftStep, draft: Draft, library: ExerciseLibrary) -> tuple[str, Keyboard]:
    if step is DraftStep.DOSE:
        options = _dosage_options(draft, library)
        return t.dosage_message(draft, options), t.dosage_keyboard(draft, options)
    if step is DraftStep.WHEN:
        return t.schedule_message(draft), t.schedule_keyboard(draft)
    if step is DraftStep.REVIEW:
        lines = [
            (title, dict(variants)[draft.variants.get(slug, Variant.DEFAULT)])
            for slug, title, variants in _dosage_options(draft, library)
        ]
        return t.confirm_message(draft, lines), t.confirm_keyboard(draft)
    exercises = [(e.slug, e.title, e.targets) for e in library.all()]
    return t.pick_message(draft, exercises), t.pick_keyboard(draft, exercises)


def _client_notice(library: ExerciseLibrary) -> Callable[[PrescriptionChange], str]:
    """What the client is told of a change (queued with it; the outbox sends it)."""
    return partial(_notice_text, title_of=title_lookup(library))


def _notice_text(change: PrescriptionChange, *, title_of: Callable[[str], str]) -> str:
    return t.client_change_notice(change, title_of)


async def _first_screen(
    context: BotContext, therapist: int, client_id: int
) -> tuple[str, Keyboard] | None:
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
    return _screen(DraftStep.PICK, draft, services.library)


async def prescribe_command(update: Update, context: BotContext) -> None:
    command = await therapist_command(update, context)
    if command is None:
        return
    client_id = await client_named_by(
        command, context, usage=t.PRESCRIBE_USAGE, button=PrescribeClient
    )
    if client_id is None:
        return
    message, therapist = command
    screen = await _first_screen(context, therapist, client_id)
    if screen is None:
        await message.reply_text(t.CLIENT_GONE)
        return
    text, markup = screen
    await message.reply_text(text, reply_markup=to_markup(markup))


async def prescribe_client_button(press: Press[PrescribeClient], context: BotContext) -> None:
    screen = await _first_screen(context, press.user_id, press.button.client_id)
    if screen is None:
        await press.query.answer(t.CLIENT_GONE, show_alert=True)
        return
    await press.query.answer()
    text, markup = screen
    await context.bot.send_message(press.user_id, text, reply_markup=to_markup(markup))


async def prescription_button(press: Press[PrescriptionButton], context: BotContext) -> None:
    """Every prescription button: change the draft, move between steps, confirm, stop, cancel."""
    query, button, therapist = press.query, press.button, press.user_id
    services = services_of(context)
    if isinstance(button, CancelDraft):
        await cancel_draft(services.db, therapist_telegram_id=therapist, now=services.now())
        await query.answer()
        await edit_query_message(query, t.CANCELLED)
    elif isinstance(button, StopPrescription):
        await _ask_to_stop(press, context, button.client_id)
    elif isinstance(button, StopConfirmed):
        await _stop(press, context, button.client_id)
    elif isinstance(button, ConfirmDraft):
        await _confirm(press, context, button.client_id)
    else:
        await _edit(press, context, button)


async def _edit(
    press: Press[PrescriptionButton],
    context: BotContext,
    button: ShowStep | ToggleExercise | ChooseVariant | ChooseTimesPerDay | ChooseDays,
) -> None:
    """One change to the draft (or a move to another step), then that step's screen again."""
    query = press.query
    services = services_of(context)
    library = services.library
    edit = partial(
        edit_draft,
        services.db,
        therapist_telegram_id=press.user_id,
        client_id=button.client_id,
        library=library,
        now=services.now(),
    )
    draft: Draft | None
    if isinstance(button, ToggleExercise):
        step, draft = DraftStep.PICK, await edit(toggle=button.slug)
    elif isinstance(button, ChooseVariant):
        step, draft = DraftStep.DOSE, await edit(variant=(button.slug, button.variant))
    elif isinstance(button, ChooseTimesPerDay):
        step, draft = DraftStep.WHEN, await edit(times_per_day=button.times)
    elif isinstance(button, ChooseDays):
        step, draft = DraftStep.WHEN, await edit(days=button.days)
    else:
        step = button.step
        draft = await current_draft(
            services.db,
            therapist_telegram_id=press.user_id,
            client_id=button.client_id,
            now=services.now(),
        )
    if draft is None:
        await query.answer(t.DRAFT_GONE, show_alert=True)
        return
    if step is not DraftStep.PICK and not draft.selected:
        await query.answer(t.NOTHING_SELECTED, show_alert=True)
        step = DraftStep.PICK
    else:
        await query.answer()
    await edit_query_message(query, *_screen(step, draft, library))


async def _confirm(press: Press[PrescriptionButton], context: BotContext, client_id: int) -> None:
    query = press.query
    services = services_of(context)
    change = await confirm_draft(
        services.db,
        therapist_telegram_id=press.user_id,
        client_id=client_id,
        library=services.library,
        now=services.now(),
        notice=_client_notice(services.library),
    )
    if change is None:
        await query.answer(t.DRAFT_GONE, show_alert=True)
        return
    await query.answer()
    template = t.SAVED_FOR_THERAPIST if change.anything_changed else t.SAVED_NOTHING_CHANGED
    await edit_query_message(query, template.format(name=change.client_name))


async def _ask_to_stop(
    press: Press[PrescriptionButton], context: BotContext, client_id: int
) -> None:
    services = services_of(context)
    draft = await current_draft(
        services.db, therapist_telegram_id=press.user_id, client_id=client_id, now=services.now()
    )
    if draft is None:
        # Stop lives on the draft's keyboard: without the draft there is no name to ask about.
        await press.query.answer(t.DRAFT_GONE, show_alert=True)
        return
    await press.query.answer()
    await edit_query_message(
        press.query, t.STOP_CONFIRM.format(name=draft.client_name), t.stop_keyboard(client_id)
    )


async def _stop(press: Press[PrescriptionButton], context: BotContext, client_id: int) -> None:
    query, therapist = press.query, press.user_id
    services = services_of(context)
    change = await stop_prescription(
        services.db,
        therapist_telegram_id=therapist,
        client_id=client_id,
        now=services.now(),
        notice=_client_notice(services.library),
    )
    if change is None:
        await query.answer(t.CLIENT_GONE, show_alert=True)
        return
    await query.answer()
    await cancel_draft(services.db, therapist_telegram_id=therapist, now=services.now())
    if not change.removed:
        await edit_query_message(query, t.NOTHING_TO_STOP.format(name=change.client_name))
        return
    await edit_query_message(query, t.STOPPED_FOR_THERAPIST.format(name=change.client_name))


def register(app: BotApplication) -> None:
    private = PRIVATE_MESSAGE
    app.add_handler(CommandHandler("prescribe", prescribe_command, filters=private))
    app.add_handler(ButtonHandler(PRESCRIBE_CLIENT, Audience.THERAPIST, prescribe_client_button))
    app.add_handler(ButtonHandler(PRESCRIPTION, Audience.THERAPIST, prescription_button))
