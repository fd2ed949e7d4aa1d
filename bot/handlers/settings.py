"""/settings, /pause and /resume. Every change is applied to the schedule rows at once and
confirmed in plain words; every button acts only on the presser's own record.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import time

from telegram import CallbackQuery, Message, Update
from telegram.ext import CommandHandler

from bot.buttons.settings import (
    CHECKIN_TIME,
    PAUSE,
    QUIET_HOURS,
    SETTINGS,
    CheckinButton,
    OpenSetting,
    PauseFor,
    QuietButton,
    QuietFrom,
    QuietUntil,
    Setting,
    TypeCheckinTime,
)
from bot.handlers.buttons import Audience, ButtonHandler, Press
from bot.handlers.common import (
    PRIVATE_MESSAGE,
    BotApplication,
    BotContext,
    edit_query_message,
    identify_user,
    refusal_for,
    services_of,
)
from bot.handlers.onboarding import send_reminder_question, send_time_zone_question
from bot.services import client_settings
from bot.services.client_settings import (
    CHECKIN_PRESETS,
    QUIET_END_PRESETS,
    QUIET_START_PRESETS,
    ClientSettings,
    MovedTime,
    SettingsError,
)
from bot.telegram_markup import to_markup
from bot.texts import onboarding as to
from bot.texts import settings as t


def _state(settings: ClientSettings) -> str:
    if settings.status.value == "paused":
        if settings.paused_until is not None:
            return t.STATE_PAUSED_UNTIL.format(date=t.readable_date(settings.paused_until))
        return t.STATE_PAUSED
    return t.STATE_BLOCKED if settings.status.value == "blocked" else t.STATE_ACTIVE


def _quiet(settings: ClientSettings) -> tuple[time, time] | None:
    if settings.quiet_start is None or settings.quiet_end is None:
        return None
    return settings.quiet_start, settings.quiet_end


async def _not_a_client(message: Message, context: BotContext, telegram_id: int) -> None:
    await message.reply_text(refusal_for(await identify_user(context, telegram_id)))


async def settings_command(update: Update, context: BotContext) -> None:
    user, message = update.effective_user, update.effective_message
    if user is None or message is None:
        return
    settings = await client_settings.current_settings(services_of(context).db, telegram_id=user.id)
    if settings is None:
        await _not_a_client(message, context, user.id)
    elif settings.onboarding:
        await message.reply_text(t.FINISH_ONBOARDING_FIRST)
    else:
        await message.reply_text(
            t.overview(
                zone=settings.timezone,
                reminders=settings.reminder_times,
                checkin=settings.checkin_time,
                quiet=_quiet(settings),
                state=_state(settings),
            ),
            reply_markup=to_markup(t.overview_keyboard(paused=settings.status.value == "paused")),
        )


async def _ask_time_zone(context: BotContext, who: int) -> None:
    services = services_of(context)
    if await client_settings.ask_time_zone(services.db, telegram_id=who, now=services.now()):
        await send_time_zone_question(context, who)


async def _ask_reminder_times(context: BotContext, who: int) -> None:
    services = services_of(context)
    draft = await client_settings.start_reminder_draft(
        services.db, telegram_id=who, now=services.now()
    )
    if draft is not None:
        await send_reminder_question(context, who, draft.times)


async def _ask_checkin_time(context: BotContext, who: int) -> None:
    keyboard = t.checkin_keyboard(CHECKIN_PRESETS)
    await context.bot.send_message(who, t.CHECKIN_QUESTION, reply_markup=to_markup(keyboard))


async def _ask_quiet_hours(context: BotContext, who: int) -> None:
    keyboard = t.quiet_start_keyboard(QUIET_START_PRESETS)
    await context.bot.send_message(who, t.QUIET_START_QUESTION, reply_markup=to_markup(keyboard))


async def _ask_pause(context: BotContext, who: int) -> None:
    await context.bot.send_message(
        who, t.PAUSE_QUESTION, reply_markup=to_markup(t.pause_keyboard())
    )


async def _resume_from_menu(context: BotContext, who: int) -> None:
    await _resume(None, context, who)


_OPENERS: dict[Setting, Callable[[BotContext, int], Awaitable[None]]] = {
    Setting.TIME_ZONE: _ask_time_zone,
    Setting.REMINDERS: _ask_reminder_times,
    Setting.CHECKIN: _ask_checkin_time,
    Setting.QUIET_HOURS: _ask_quiet_hours,
    Setting.PAUSE: _ask_pause,
    Setting.RESUME: _resume_from_menu,
}


async def setting_button(press: Press[OpenSetting], context: BotContext) -> None:
    """Ask the question for one setting."""
    query, who = press.query, press.user_id
    opener = _OPENERS[press.button.setting]
    services = services_of(context)
    if await client_settings.current_settings(services.db, telegram_id=who) is None:
        await query.answer(t.NOT_A_CLIENT, show_alert=True)
        return
    await query.answer()
    await opener(context, who)


async def checkin_time_button(press: Press[CheckinButton], context: BotContext) -> None:
    """A preset sets the check-in time; "Other time" waits for a typed one."""
    query, who, button = press.query, press.user_id, press.button
    services = services_of(context)
    if isinstance(button, TypeCheckinTime):
        asked = await client_settings.ask_checkin_time(
            services.db, telegram_id=who, now=services.now()
        )
        await query.answer(None if asked else t.NOT_A_CLIENT)
        if asked:
            await context.bot.send_message(who, t.CHECKIN_TYPE_PROMPT)
        return
    at = button.at
    settings = await client_settings.change_checkin_time(
        services.db, telegram_id=who, at=at, now=services.now()
    )
    if settings is None:
        await query.answer(t.STALE)
        return
    await query.answer()
    moved = (
        () if at == settings.checkin_time else (MovedTime("checkin", at, settings.checkin_time),)
    )
    await edit_query_message(query, t.checkin_set(settings.checkin_time, moved))


async def quiet_hours_button(press: Press[QuietButton], context: BotContext) -> None:
    """A start asks for the end, an end saves the window, "Off" clears it."""
    query, button = press.query, press.button
    if isinstance(button, QuietFrom):
        await query.answer()
        await edit_query_message(
            query,
            t.QUIET_END_QUESTION.format(start=t.hhmm(button.start)),
            reply_markup=t.quiet_end_keyboard(button.start, QUIET_END_PRESETS),
        )
        return
    window = (button.start, button.end) if isinstance(button, QuietUntil) else (None, None)
    await _save_quiet_hours(query, context, window)


async def _save_quiet_hours(
    query: CallbackQuery, context: BotContext, window: tuple[time | None, time | None]
) -> None:
    services = services_of(context)
    try:
        change = await client_settings.change_quiet_hours(
            services.db,
            telegram_id=query.from_user.id,
            start=window[0],
            end=window[1],
            now=services.now(),
        )
    except SettingsError:
        change = None
    if change is None:
        await query.answer(t.STALE)
        return
    await query.answer()
    settings = change.settings
    await edit_query_message(
        query, t.quiet_hours_saved(settings.quiet_start, settings.quiet_end, change.moved)
    )


async def pause_command(update: Update, context: BotContext) -> None:
    user, message = update.effective_user, update.effective_message
    if user is None or message is None:
        return
    settings = await client_settings.current_settings(services_of(context).db, telegram_id=user.id)
    if settings is None:
        await _not_a_client(message, context, user.id)
    else:
        await message.reply_text(t.PAUSE_QUESTION, reply_markup=to_markup(t.pause_keyboard()))


async def pause_button(press: Press[PauseFor], context: BotContext) -> None:
    """1 or 2 weeks, or (0) until resumed."""
    query = press.query
    services = services_of(context)
    weeks = press.button.weeks or None
    try:
        settings = await client_settings.pause(
            services.db, telegram_id=query.from_user.id, weeks=weeks, now=services.now()
        )
    except SettingsError:
        await query.answer(t.CANT_PAUSE_BLOCKED)
        return
    if settings is None:
        await query.answer(t.NOT_A_CLIENT, show_alert=True)
        return
    await query.answer()
    until = settings.paused_until
    await edit_query_message(
        query, t.PAUSED if until is None else t.PAUSED_UNTIL.format(date=t.readable_date(until))
    )


async def resume_command(update: Update, context: BotContext) -> None:
    user, message = update.effective_user, update.effective_message
    if user is None or message is None:
        return
    await _resume(message, context, user.id)


async def _resume(message: Message | None, context: BotContext, telegram_id: int) -> None:
    services = services_of(context)
    result = await client_settings.resume(services.db, telegram_id=telegram_id, now=services.now())
    if result is None:
        if message is not None:
            await _not_a_client(message, context, telegram_id)
        return
    was_paused, settings = result
    text = (
        t.RESUMED.format(
            times=to.clock_times_text(settings.reminder_times) or t.hhmm(settings.checkin_time)
        )
        if was_paused
        else t.NOT_PAUSED
    )
    await context.bot.send_message(telegram_id, text)


def register(app: BotApplication) -> None:
    private = PRIVATE_MESSAGE
    app.add_handler(CommandHandler("settings", settings_command, filters=private))
    app.add_handler(CommandHandler("pause", pause_command, filters=private))
    app.add_handler(CommandHandler("resume", resume_command, filters=private))
    app.add_handler(ButtonHandler(SETTINGS, Audience.CLIENT, setting_button))
    app.add_handler(ButtonHandler(CHECKIN_TIME, Audience.CLIENT, checkin_time_button))
    app.add_handler(ButtonHandler(QUIET_HOURS, Audience.CLIENT, quiet_hours_button))
    app.add_handler(ButtonHandler(PAUSE, Audience.CLIENT, pause_button))
