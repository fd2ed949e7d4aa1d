"""Invite links and a new client's onboarding: /invite, /start <token>, consent, time zone,
reminder times, then the red-flag screen and "you're all set".

The time-zone and reminder-time buttons and typed answers are shared with /settings: the
client's `onboarding_step` (read by the services) decides whether a finished step moves a
newcomer on.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, time
from zoneinfo import ZoneInfo

from telegram import CallbackQuery, Message, Update
from telegram.ext import CommandHandler

from bot.buttons.onboarding import (
    CONSENT,
    REMINDER_TIMES,
    TIME_ZONE,
    Agree,
    ChooseTimeZone,
    ConsentButton,
    ReminderTimesButton,
    SaveReminderTimes,
    TickReminderTime,
)
from bot.buttons.safety import RED_FLAGS, Answer, RedFlagAnswer, ScreenSource
from bot.domain.red_flags import RED_FLAG_QUESTIONS
from bot.domain.time_zones import suggested_zones
from bot.handlers.buttons import Audience, ButtonHandler, Press
from bot.handlers.common import (
    PRIVATE_MESSAGE,
    BotApplication,
    BotContext,
    command_sender,
    edit_query_markup,
    edit_query_message,
    refusal_for,
    services_of,
)
from bot.handlers.menus import set_client_menu
from bot.handlers.red_flags import start_red_flag_screen
from bot.services import client_settings, invites, onboarding
from bot.services.client_settings import (
    MAX_REMINDER_TIMES,
    SettingsError,
)
from bot.services.identity import Role, identify
from bot.telegram_markup import to_markup
from bot.texts import onboarding as t
from bot.texts import settings as ts

log = logging.getLogger(__name__)

# Group 1 runs after the red-flag screen's own handler (group 0) has answered the press.
AFTER_SCREEN_GROUP = 1


def _expiry_date(expires_at: datetime, zone: str) -> str:
    day = expires_at.astimezone(ZoneInfo(zone))
    return f"{day.day} {day:%B %Y}"


async def invite_command(update: Update, context: BotContext) -> None:
    sender = await command_sender(update, context)
    if sender is None:
        return
    message, user, who = sender
    if who.role is not Role.THERAPIST:
        await message.reply_text(refusal_for(who))
        return
    services = services_of(context)
    name = " ".join(context.args or ())
    if not name:
        await message.reply_text(t.INVITE_USAGE)
        return
    try:
        created = await invites.create_invite(
            services.db,
            therapist_telegram_id=user.id,
            therapist_name=user.full_name,
            client_name=name,
            default_timezone=services.settings.therapist_zone,
            ttl_days=services.settings.invite_ttl_days,
            now=services.now(),
        )
    except invites.InvalidClientNameError:
        await message.reply_text(t.INVITE_BAD_NAME)
        return
    link = f"https://t.me/{context.bot.username}?start={created.token}"
    expires = _expiry_date(created.expires_at, services.settings.therapist_zone)
    await message.reply_text(
        t.INVITE_CREATED.format(name=created.client_name, link=link, expires=expires),
        disable_web_page_preview=True,
    )


async def start_with_invite_command(update: Update, context: BotContext) -> None:
    user, message = update.effective_user, update.effective_message
    if user is None or message is None or not context.args:
        return
    services = services_of(context)
    if user.id in services.settings.therapist_ids:
        await message.reply_text(t.THERAPIST_OWN_LINK)
        return
    check = await invites.check_invite(
        services.db, token=context.args[0], telegram_id=user.id, now=services.now()
    )
    if check.status is invites.InviteStatus.ALREADY_CLIENT:
        await resume_or_welcome(message, context, user.id)
    elif check.status is invites.InviteStatus.VALID:
        await message.reply_text(
            t.consent_request(
                check.client_name,
                services.settings.practice_name,
                duty_therapist=bool(services.settings.red_flag_also_notify),
            ),
            reply_markup=to_markup(t.consent_keyboard(context.args[0])),
        )
    else:
        await message.reply_text(t.INVITE_INVALID.format(days=services.settings.invite_ttl_days))


async def resume_or_welcome(
    message: Message, context: BotContext, telegram_id: int, *, done_text: str = t.ALREADY_SET_UP
) -> None:
    """A known client wrote /start: pick up an unfinished onboarding, or say they're set up."""
    services = services_of(context)
    point = await onboarding.resume_onboarding(
        services.db, telegram_id=telegram_id, now=services.now()
    )
    if point is None:
        await message.reply_text(done_text)
    elif point.step == onboarding.STEP_TIME_ZONE:
        await message.reply_text(t.RESUME_ONBOARDING)
        await send_time_zone_question(context, message.chat_id)
    elif point.step == onboarding.STEP_REMINDERS:
        await message.reply_text(t.RESUME_ONBOARDING)
        await send_reminder_question(context, message.chat_id, point.reminder_times)
    else:
        await start_red_flag_screen(context.bot, message.chat_id, point.client_id, "onboarding")


async def send_time_zone_question(context: BotContext, chat_id: int) -> None:
    services = services_of(context)
    zones = suggested_zones(services.settings.default_timezone)
    await context.bot.send_message(
        chat_id,
        t.TIME_ZONE_QUESTION,
        reply_markup=to_markup(t.time_zone_keyboard(zones, services.now())),
    )


async def consent_button(press: Press[ConsentButton], context: BotContext) -> None:
    """Agree (with the invite's token) or decline."""
    if isinstance(press.button, Agree):
        await agree(press.query, context, token=press.button.token)
    else:
        await decline(press.query, context)


async def decline(query: CallbackQuery, context: BotContext) -> None:
    """Nothing was stored, so there is nothing to undo; an old button after agreeing is moot."""
    who = await identify(
        services_of(context).db, telegram_id=query.from_user.id, therapist_ids=frozenset()
    )
    await query.answer()
    if who.role is Role.CLIENT:
        await edit_query_markup(query, None)
    else:
        await edit_query_message(query, t.DECLINED)


async def agree(query: CallbackQuery, context: BotContext, *, token: str) -> None:
    services = services_of(context)
    result = await onboarding.give_consent(
        services.db,
        token=token,
        telegram_id=query.from_user.id,
        timezone=services.settings.default_timezone,
        consent_version=t.CONSENT_VERSION,
        now=services.now(),
    )
    if result.created:
        await query.answer()
        await edit_query_markup(query, None)
        await context.bot.send_message(query.from_user.id, t.CONSENT_THANKS)
        await send_time_zone_question(context, query.from_user.id)
    elif result.status is invites.InviteStatus.ALREADY_CLIENT:
        await query.answer(t.CONSENT_SEEN)
    else:
        await query.answer()
        invalid = t.INVITE_INVALID.format(days=services.settings.invite_ttl_days)
        await edit_query_message(query, invalid)


async def time_zone_button(press: Press[ChooseTimeZone], context: BotContext) -> None:
    query, zone = press.query, press.button.zone
    services = services_of(context)
    try:
        change = await client_settings.change_time_zone(
            services.db, telegram_id=query.from_user.id, zone=zone, now=services.now()
        )
    except SettingsError:
        await query.answer(t.TIME_ZONE_INVALID)
        return
    if change is None:
        await query.answer(ts.STALE)
        return
    await query.answer()
    await edit_query_message(
        query,
        t.TIME_ZONE_SET.format(
            zone=change.settings.timezone,
            clock=t.clock_in(change.settings.timezone, services.now()),
        ),
    )
    if change.onboarding_next:
        await send_reminder_question(context, query.from_user.id, change.settings.reminder_times)


async def send_reminder_question(context: BotContext, chat_id: int, times: Sequence[time]) -> None:
    text, keyboard = t.reminder_question(times)
    await context.bot.send_message(chat_id, text, reply_markup=to_markup(keyboard))


async def reminder_times_button(press: Press[ReminderTimesButton], context: BotContext) -> None:
    """Tick a time, type one, or done (onboarding and /settings)."""
    button = press.button
    if isinstance(button, SaveReminderTimes):
        await save_reminders(press.query, context)
    else:
        tick = button.at if isinstance(button, TickReminderTime) else None
        await _edit_reminder_draft(press.query, context, tick=tick)


async def _edit_reminder_draft(
    query: CallbackQuery, context: BotContext, *, tick: time | None
) -> None:
    """Tick or untick one time, or (None) wait for a typed one; then show the draft again."""
    services, who = services_of(context), query.from_user.id
    try:
        if tick is not None:
            draft = await client_settings.toggle_reminder_time(
                services.db, telegram_id=who, at=tick, now=services.now()
            )
        else:
            draft = await client_settings.ask_custom_reminder_time(
                services.db, telegram_id=who, now=services.now()
            )
    except SettingsError:
        await query.answer(t.REMINDER_FULL.format(count=MAX_REMINDER_TIMES), show_alert=True)
        return
    if draft is None:
        await query.answer(t.REMINDER_STALE)
        return
    await query.answer()
    if draft.awaiting_custom:
        prompt = t.REMINDER_CUSTOM_PROMPT if draft.touched else t.REMINDER_CUSTOM_REPLACES
        await context.bot.send_message(who, prompt)
    else:
        await edit_query_message(query, *t.reminder_question(draft.times, draft.replaced))


async def save_reminders(query: CallbackQuery, context: BotContext) -> None:
    services = services_of(context)
    try:
        saved = await client_settings.save_reminder_draft(
            services.db, telegram_id=query.from_user.id, now=services.now()
        )
    except SettingsError:
        await query.answer(t.REMINDER_NEED_ONE, show_alert=True)
        return
    if saved is None:
        await query.answer(t.REMINDER_STALE)
        return
    await query.answer()
    await edit_query_message(query, t.reminders_saved(saved.times, saved.moved))
    if saved.onboarding_next:
        who = await identify(services.db, telegram_id=query.from_user.id, therapist_ids=frozenset())
        if who.client_id is not None:
            await start_red_flag_screen(
                context.bot, query.from_user.id, who.client_id, "onboarding"
            )


async def typed_answer_text(message: Message, context: BotContext) -> bool:
    """A typed city or time we asked for: answered (True); anything else (False) goes on.
    The text router calls it when a settings choice awaits this user's text."""
    assert message.from_user is not None and message.text is not None
    services = services_of(context)
    answer = await client_settings.answer_typed_text(
        services.db,
        telegram_id=message.from_user.id,
        text=message.text,
        now=services.now(),
        home_zone=services.settings.default_timezone,
    )
    if answer is None:
        return False
    text, markup = ts.typed_reply(answer, services.now())
    await message.reply_text(text, reply_markup=to_markup(markup))
    if answer.onboarding_next and answer.settings is not None:
        await send_reminder_question(context, message.chat_id, answer.settings.reminder_times)
    return True


def screen_finished(answer: RedFlagAnswer) -> bool:
    """Whether this press on the onboarding red-flag screen ended it: a "yes" ends it at once,
    otherwise the last question does."""
    if answer.source is not ScreenSource.ONBOARDING:
        return False
    return answer.answer is Answer.YES or answer.index + 1 == len(RED_FLAG_QUESTIONS)


async def onboarding_screen_button(press: Press[RedFlagAnswer], context: BotContext) -> None:
    """Runs after the red-flag screen's handler answered: the last answer finishes onboarding."""
    query = press.query
    if not screen_finished(press.button):
        return
    services = services_of(context)
    done = await onboarding.finish_onboarding(
        services.db, telegram_id=query.from_user.id, now=services.now()
    )
    if done is None:
        return
    await set_client_menu(context.bot, query.from_user.id)
    red_flag = press.button.answer is Answer.YES
    all_set = t.ALL_SET if done.has_prescription else t.ALL_SET_NO_EXERCISES
    await context.bot.send_message(
        query.from_user.id,
        t.ALL_SET_AFTER_RED_FLAG
        if red_flag
        else all_set.format(
            times=t.clock_times_text(done.reminder_times), checkin=ts.hhmm(done.checkin_time)
        ),
    )


def register(app: BotApplication) -> None:
    private = PRIVATE_MESSAGE
    app.add_handler(CommandHandler("invite", invite_command, filters=private))
    app.add_handler(
        CommandHandler("start", start_with_invite_command, filters=private, has_args=True)
    )
    app.add_handler(ButtonHandler(CONSENT, Audience.INVITEE, consent_button))
    app.add_handler(ButtonHandler(TIME_ZONE, Audience.CLIENT, time_zone_button))
    app.add_handler(ButtonHandler(REMINDER_TIMES, Audience.CLIENT, reminder_times_button))
    app.add_handler(
        ButtonHandler(RED_FLAGS, Audience.CLIENT, onboarding_screen_button, follows=True),
        group=AFTER_SCREEN_GROUP,
    )
