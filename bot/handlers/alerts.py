"""Trend alerts to the therapist: sending them, /alerts, and the Acknowledge button.

Alerts reach the therapist through the outbox: the service that raises one queues its message
in the same transaction (at a check-in, in the day-end pass run by the job here).
"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import CommandHandler

from bot.buttons.therapist import ALERTS, AcknowledgeAlert
from bot.handlers.buttons import Audience, ButtonHandler, Press
from bot.handlers.common import (
    PRIVATE_MESSAGE,
    BotApplication,
    BotContext,
    edit_query_message,
    services_of,
)
from bot.handlers.therapist_access import therapist_command
from bot.services.alerts import (
    AckOutcome,
    acknowledge_alert,
    judge_finished_days,
    open_alerts,
)
from bot.telegram_markup import to_markup
from bot.texts import alerts as t

log = logging.getLogger(__name__)
# Telegram allows 4096 characters per message; /alerts sends one message per alert beyond the
# header, so this caps how many a single command sends.
MAX_LISTED = 20


async def day_end_alerts_job(context: BotContext) -> None:
    """Every quarter hour: the days clients have just finished (silence, a week's adherence)."""
    services = services_of(context)
    # Every instance's job fires; one claims the slot. What it raises is queued in the outbox
    # with the alerts, and sent by the dispatcher.
    notices = await judge_finished_days(services.db, now=services.now())
    if notices:
        log.info("day-end alerts raised", extra={"raised": len(notices)})
        if services.flush_outbox is not None:
            await services.flush_outbox()


async def alerts_command(update: Update, context: BotContext) -> None:
    command = await therapist_command(update, context)
    if command is None:
        return
    message, therapist = command
    services = services_of(context)
    notices = await open_alerts(services.db, therapist_telegram_id=therapist, now=services.now())
    await message.reply_text(t.open_alerts_header(notices))
    for notice in notices[:MAX_LISTED]:
        await message.reply_text(
            t.alert_message(notice), reply_markup=to_markup(t.alert_keyboard(notice))
        )


async def acknowledge_button(press: Press[AcknowledgeAlert], context: BotContext) -> None:
    query = press.query
    services = services_of(context)
    result = await acknowledge_alert(
        services.db,
        therapist_telegram_id=press.user_id,
        alert_id=press.button.alert_id,
        now=services.now(),
    )
    if result.outcome is AckOutcome.NOT_FOUND or result.notice is None:
        await query.answer(t.ALERT_GONE, show_alert=True)
        return
    acknowledged = result.outcome is AckOutcome.ACKNOWLEDGED
    await query.answer(t.ACKNOWLEDGED if acknowledged else t.ALREADY_ACKNOWLEDGED)
    # Keep the original wording (red-flag alerts are composed elsewhere); add the footer.
    zone = services.settings.therapist_zone
    original = getattr(query.message, "text", None) or t.alert_message(result.notice, zone)
    acknowledged_at = result.notice.acknowledged_at or services.now()
    footer = t.acknowledged_footer(acknowledged_at, zone)
    text = original if footer.strip() in original else original + footer
    await edit_query_message(query, text, t.alert_keyboard(result.notice))


def register(app: BotApplication) -> None:
    private = PRIVATE_MESSAGE
    app.add_handler(CommandHandler("alerts", alerts_command, filters=private))
    app.add_handler(ButtonHandler(ALERTS, Audience.THERAPIST, acknowledge_button))
