"""Daily pain check-in: /pain, the leg → back buttons, the optional note (issue 5, part 2).

State rides in the callback data (bot.buttons.checkin), so two taps finish a check-in and a
restart loses nothing; the press guard lets only the client's own presses through, and the
entry is always the presser's own (the service looks the client up by their Telegram id).
"""

from __future__ import annotations

from telegram import CallbackQuery, Message, Update
from telegram.ext import CommandHandler

from bot.buttons.checkin import PAIN, BackPain, KeepEntry, LegPain, PainButton, UpdateEntry
from bot.domain.pain import WeekComparison, can_record_for
from bot.domain.schedule_times import local_day
from bot.domain.short_replies import short_reply
from bot.handlers.buttons import Audience, ButtonHandler, Press
from bot.handlers.common import (
    PRIVATE_MESSAGE,
    BotApplication,
    BotContext,
    edit_query_message,
    services_of,
)
from bot.services.checkin import (
    CheckinResult,
    CheckinStatus,
    NoteStatus,
    add_pain_note,
    checkin_day,
    record_pain_entry,
    skip_pain_note,
)
from bot.telegram_markup import to_markup
from bot.texts import checkin as t


def comparison_text(comparison: WeekComparison | None) -> str:
    if comparison is None:
        return ""
    lines = []
    for region, values in (("leg", comparison.leg), ("back", comparison.back)):
        template = {"↓": t.COMPARISON_BETTER, "↑": t.COMPARISON_WORSE}.get(
            values.arrow, t.COMPARISON_SAME
        )
        lines.append(
            template.format(
                region=t.REGION_NAMES[region], this=values.this_week, last=values.last_week
            )
        )
    return "\n" + "\n".join(lines)


async def pain_command(update: Update, context: BotContext) -> None:
    user, message = update.effective_user, update.effective_message
    if user is None or message is None:
        return
    services = services_of(context)
    today = await checkin_day(services.db, telegram_id=user.id, now=services.now())
    if today is None:
        await message.reply_text(t.CLIENTS_ONLY)
        return
    text, keyboard = t.leg_pain_prompt(today)
    await message.reply_text(text, reply_markup=to_markup(keyboard))


async def pain_button(press: Press[PainButton], context: BotContext) -> None:
    query, button, user_id = press.query, press.button, press.user_id
    services = services_of(context)
    if isinstance(button, LegPain):
        # The press guard has just looked the client up (their zone with it): the leg score
        # only moves the keyboard on, so this press reads and writes nothing more.
        zone = press.who.client_timezone
        today = (
            local_day(services.now(), zone)
            if zone is not None
            else await checkin_day(services.db, telegram_id=user_id, now=services.now())
        )
        if today is None:
            await query.answer(t.CLIENTS_ONLY, show_alert=True)
        elif button.day is not None and not can_record_for(button.day, today):
            await _stale(query)
        else:
            await query.answer()
            await edit_query_message(query, *t.back_pain_prompt(button.leg, button.day))
    elif isinstance(button, BackPain | UpdateEntry):
        result = await record_pain_entry(
            services.db,
            telegram_id=user_id,
            leg=button.leg,
            back=button.back,
            for_day=button.day,
            confirm_update=isinstance(button, UpdateEntry),
            now=services.now(),
            sensitivity=services.settings.alert_sensitivity,
        )
        await _render_result(query, result)
    elif isinstance(button, KeepEntry):
        await query.answer()
        await edit_query_message(query, t.KEPT)
    else:
        skipped = await skip_pain_note(services.db, telegram_id=user_id)
        await query.answer()
        await edit_query_message(query, _without_note_invite(query.message), None)
        if skipped:  # once, however many times Skip was tapped
            await context.bot.send_message(user_id, t.NOTE_SKIPPED)


def _without_note_invite(message: object) -> str:
    text = getattr(message, "text", None) or ""
    return text.replace("\n\n" + t.NOTE_INVITE, "") or t.NOTE_SKIPPED


async def _stale(query: CallbackQuery) -> None:
    await query.answer(t.STALE_CHECKIN, show_alert=True)
    await edit_query_message(query, t.STALE_CHECKIN)


async def _render_result(query: CallbackQuery, result: CheckinResult) -> None:
    scores = {"leg": result.leg, "back": result.back}
    if result.status is CheckinStatus.NOT_A_CLIENT:
        await query.answer(t.CLIENTS_ONLY, show_alert=True)
    elif result.status is CheckinStatus.STALE:
        await _stale(query)
    elif result.status is CheckinStatus.UNCHANGED:
        # A double tap or a repeated press: already stored, nothing written twice.
        await query.answer(t.ALREADY_SAVED.format(**scores))
    elif result.status is CheckinStatus.NEEDS_CONFIRMATION and result.day is not None:
        await query.answer()
        text = t.already_checked_in(
            result.day if result.late else None,
            old=(result.previous_leg, result.previous_back),
            new=(result.leg, result.back),
        )
        await edit_query_message(
            query, text, t.update_keyboard(result.leg, result.back, result.day)
        )
    elif result.late and result.day is not None:
        text = t.saved_late(result.day, result.leg, result.back)
        await query.answer(t.SAVED_LATE_SHORT)
        await edit_query_message(query, f"{text}\n\n{t.NOTE_INVITE}", t.note_keyboard())
    else:
        template = t.SAVED if result.status is CheckinStatus.SAVED else t.UPDATED
        await query.answer(template.format(**scores))
        text = template.format(**scores) + comparison_text(result.comparison)
        await edit_query_message(query, f"{text}\n\n{t.NOTE_INVITE}", t.note_keyboard())


async def pain_note_text(message: Message, context: BotContext) -> bool:
    """A typed message right after a check-in is that day's note (True); anything else (False)
    goes on. The text router calls it when a note awaits this user's text."""
    assert message.from_user is not None and message.text is not None
    if short_reply(message.text) is not None:
        return False  # "thanks" / "ok" / "done" answer the bot; they are not the day's note
    services = services_of(context)
    result = await add_pain_note(
        services.db, telegram_id=message.from_user.id, text=message.text, now=services.now()
    )
    if result.status is NoteStatus.NOT_EXPECTED:
        return False
    replies = {
        NoteStatus.SAVED: t.NOTE_SAVED,
        NoteStatus.TOO_LONG: t.NOTE_TOO_LONG.format(limit=result.limit),
        NoteStatus.ENTRY_GONE: t.NO_ENTRY_FOR_NOTE,
    }
    await message.reply_text(replies[result.status])
    return True


def register(app: BotApplication) -> None:
    private = PRIVATE_MESSAGE
    app.add_handler(CommandHandler("pain", pain_command, filters=private))
    app.add_handler(ButtonHandler(PAIN, Audience.CLIENT, pain_button))
