"""The Bot API double and harness, exercised by a tiny real PTB Application over loopback.

Every handler test of the project stands on this: if these pass, a test that injects an
update and waits for the bot's reply is talking to PTB's real request stack and polling loop.
"""

from __future__ import annotations

import datetime as dtm
from collections.abc import AsyncIterator

import pytest
from telegram import (
    BotCommand,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Update,
)
from telegram.error import (
    BadRequest,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TimedOut,
)
from telegram.ext import (
    AIORateLimiter,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from tests.support import (
    BotApiDouble,
    BotApiTimeoutError,
    HandlerErrorsError,
    RunningApplication,
    TgUser,
    application_builder,
    running_application,
)
from tests.support.harness import AnyApplication

# A valid 1×1 PNG.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d4944415478da63f8cfc0f01f0005000201e2218bc5"
    "0000000049454e44ae426082"
)
PLAN = b"Hip flexor stretch: 3 x 30 s, twice a day\n"

ALICE = TgUser(id=1001, first_name="Alice", username="alice")
BOB = TgUser(id=1002, first_name="Bob")


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None
    await update.effective_message.reply_text(f"echo: {' '.join(context.args or [])}")


async def menu(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None
    keyboard = InlineKeyboardMarkup(
        [
            [InlineKeyboardButton("✅ Done", callback_data="log:done")],
            [InlineKeyboardButton("Skip today", callback_data="log:skip")],
            [InlineKeyboardButton("How to", url="https://example.org/stretch")],
        ]
    )
    await update.effective_message.reply_text("Did you do your stretches?", reply_markup=keyboard)


async def record_choice(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None
    assert query.data is not None
    await query.answer(f"Saved: {query.data}")
    await query.edit_message_text(f"Thanks — recorded <b>{query.data}</b>", parse_mode="HTML")


async def exercise_card(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_chat is not None
    chat_id = update.effective_chat.id
    await context.bot.send_photo(chat_id, PNG, caption="Hip flexor stretch")
    await context.bot.send_document(chat_id, PLAN, filename="plan.txt")


async def set_commands(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_chat is not None
    await context.bot.set_my_commands(
        [BotCommand("checkin", "Log today's pain"), BotCommand("plan", "See your exercises")],
        scope=BotCommandScopeChat(update.effective_chat.id),
    )


async def location(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.message is not None
    assert update.message.location is not None
    where = update.message.location
    await update.message.reply_text(f"at {where.latitude:.2f},{where.longitude:.2f}")


async def edited(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.edited_message is not None
    await update.edited_message.reply_text(f"edited to {update.edited_message.text}")


async def blocked(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.my_chat_member is not None
    context.bot_data["blocked_by"] = update.my_chat_member.from_user.id


async def crash(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    raise RuntimeError("handler bug")


def tiny_application(double: BotApiDouble, *, rate_limiter: bool = False) -> AnyApplication:
    builder = application_builder(double)
    application: AnyApplication = (
        builder.rate_limiter(AIORateLimiter(max_retries=2)).build()
        if rate_limiter
        else builder.build()
    )
    application.add_handler(CommandHandler("start", echo))
    application.add_handler(CommandHandler("menu", menu))
    application.add_handler(CommandHandler("card", exercise_card))
    application.add_handler(CommandHandler("commands", set_commands))
    application.add_handler(CommandHandler("crash", crash))
    application.add_handler(CallbackQueryHandler(record_choice, pattern=r"^log:"))
    application.add_handler(MessageHandler(filters.LOCATION, location))
    application.add_handler(MessageHandler(filters.UpdateType.EDITED_MESSAGE, edited))
    application.add_handler(ChatMemberHandler(blocked, ChatMemberHandler.MY_CHAT_MEMBER))
    return application


@pytest.fixture
async def running(botapi: BotApiDouble) -> AsyncIterator[RunningApplication]:
    async with running_application(tiny_application(botapi), botapi) as running:
        yield running


async def test_start_command_round_trips_through_real_long_polling(
    botapi: BotApiDouble, running: RunningApplication
) -> None:
    message_id = botapi.send_text(ALICE, "/start abc def")

    reply = await botapi.wait_for("sendMessage", chat_id=ALICE.id)

    assert reply.params["text"] == "echo: abc def"
    assert reply.result["message_id"] == message_id + 1, "one numbering per private chat"
    assert reply.result["from"]["username"] == "sciatica_test_bot"
    assert botapi.last_text(ALICE.id) == "echo: abc def"
    assert botapi.calls("getUpdates")[0].params["offset"] == 0
    await running.settle()
    assert botapi.unconfirmed_update_ids() == [], "the next poll confirmed the update"


async def test_command_entity_spans_only_the_command(
    botapi: BotApiDouble, running: RunningApplication
) -> None:
    botapi.send_command(BOB, "start", "x")
    await running.settle()

    update = next(call.result[0] for call in botapi.calls("getUpdates") if call.result)
    assert update["message"]["entities"] == [{"type": "bot_command", "offset": 0, "length": 6}]
    assert update["message"]["chat"] == {"id": BOB.id, "type": "private", "first_name": "Bob"}


async def test_button_press_is_answered_and_message_edited(
    botapi: BotApiDouble, running: RunningApplication
) -> None:
    botapi.send_command(ALICE, "menu")
    menu_call = await botapi.wait_for("sendMessage", chat_id=ALICE.id)
    assert botapi.buttons(menu_call) == [
        ("✅ Done", "log:done"),
        ("Skip today", "log:skip"),
        ("How to", "https://example.org/stretch"),
    ]

    query_id = botapi.press(ALICE, menu_call, botapi.button_data(menu_call, "Done"))
    edit = await botapi.wait_for("editMessageText", chat_id=ALICE.id)

    assert botapi.answered_callback_ids() == {query_id}
    assert botapi.callback_answer(query_id)["text"] == "Saved: log:done"
    assert edit.params["message_id"] == menu_call.message_id
    assert botapi.last_text(ALICE.id) == "Thanks — recorded log:done"
    [shown] = botapi.sent_messages(ALICE.id)
    assert shown["text"] == "Thanks — recorded log:done"
    assert "reply_markup" not in shown, "editing without a keyboard removes it, as on Telegram"


async def test_press_only_accepts_buttons_on_the_current_keyboard(
    botapi: BotApiDouble, running: RunningApplication
) -> None:
    botapi.send_command(ALICE, "menu")
    menu_call = await botapi.wait_for("sendMessage", chat_id=ALICE.id)

    with pytest.raises(ValueError, match="no button"):
        botapi.press(ALICE, menu_call, "log:someone-elses-record")
    with pytest.raises(ValueError, match="cannot see private chat"):
        botapi.press(BOB, menu_call, "log:done")

    mark = botapi.mark()
    botapi.forge_press(BOB, "log:forged", menu_call.message_id or 0)
    forged_edit = await botapi.wait_for("editMessageText", after=mark)
    assert forged_edit.params["chat_id"] == BOB.id
    assert not forged_edit.ok, "Bob's chat has no such message"
    assert forged_edit.description == "Bad Request: message to edit not found"
    await running.settle()
    assert botapi.unanswered_callback_ids() == set()
    [error] = running.take_handler_errors()  # this tiny bot does not handle its BadRequest
    assert isinstance(error, BadRequest)


async def test_photo_and_document_uploads_arrive_as_multipart_bytes(
    botapi: BotApiDouble, running: RunningApplication
) -> None:
    botapi.send_command(ALICE, "card")

    photo = await botapi.wait_for("sendPhoto", chat_id=ALICE.id)
    document = await botapi.wait_for("sendDocument", chat_id=ALICE.id)

    assert photo.files["photo"] == PNG
    assert photo.params["caption"] == "Hip flexor stretch"
    assert [(size["width"], size["height"]) for size in photo.result["photo"]] == [(1, 1)]
    assert document.files["document"] == PLAN
    assert document.result["document"]["file_name"] == "plan.txt"
    assert document.result["document"]["mime_type"] == "text/plain"
    downloaded = await (
        await running.bot.get_file(document.result["document"]["file_id"])
    ).download_as_bytearray()
    assert bytes(downloaded) == PLAN


async def test_fail_next_429_is_seen_by_ptb_as_retry_after(
    botapi: BotApiDouble, running: RunningApplication, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")  # opt in to PTB 22's timedelta retry_after
    botapi.fail_next("sendMessage", error_code=429, retry_after=3, chat_id=ALICE.id)

    with pytest.raises(RetryAfter) as raised:
        await running.bot.send_message(ALICE.id, "reminder")

    assert raised.value.retry_after == dtm.timedelta(seconds=3)
    await running.bot.send_message(ALICE.id, "reminder")  # the fault was used up
    assert [call.error_code for call in botapi.calls("sendMessage")] == [429, None]


async def test_blocked_chat_is_forbidden_until_unblocked(
    botapi: BotApiDouble, running: RunningApplication
) -> None:
    botapi.block_chat(ALICE.id)

    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await running.bot.send_message(ALICE.id, "reminder")
    await running.bot.send_message(BOB.id, "reminder")

    botapi.unblock_chat(ALICE.id)
    await running.bot.send_message(ALICE.id, "reminder")


async def test_a_delivered_message_whose_reply_is_lost_looks_failed_to_the_bot(
    botapi: BotApiDouble, running: RunningApplication
) -> None:
    botapi.disconnect_next("sendMessage", chat_id=ALICE.id)
    with pytest.raises(NetworkError, match="disconnected"):
        await running.bot.send_message(ALICE.id, "Time for your stretches")
    assert botapi.last_text(ALICE.id) == "Time for your stretches", "Telegram delivered it"

    botapi.delay_next("sendMessage", 0.3, chat_id=ALICE.id)
    with pytest.raises(TimedOut):
        await running.bot.send_message(ALICE.id, "Check-in time", read_timeout=0.05)
    assert botapi.last_text(ALICE.id) == "Check-in time"
    assert all(call.ok for call in botapi.calls("sendMessage"))


async def test_user_blocking_the_bot_sends_my_chat_member_and_forbids_sends(
    botapi: BotApiDouble, running: RunningApplication
) -> None:
    botapi.user_blocks_bot(ALICE)
    await running.settle()

    assert running.application.bot_data["blocked_by"] == ALICE.id
    with pytest.raises(Forbidden):
        await running.bot.send_message(ALICE.id, "reminder")


async def test_set_my_commands_records_its_chat_scope(
    botapi: BotApiDouble, running: RunningApplication
) -> None:
    botapi.send_command(ALICE, "commands")

    call = await botapi.wait_for("setMyCommands")

    assert call.params["scope"] == {"type": "chat", "chat_id": ALICE.id}
    assert botapi.my_commands({"type": "chat", "chat_id": ALICE.id})[0]["command"] == "checkin"
    assert botapi.my_commands() == [], "the default scope was left alone"
    assert [
        c.command for c in await running.bot.get_my_commands(BotCommandScopeChat(ALICE.id))
    ] == [
        "checkin",
        "plan",
    ]


async def test_location_group_and_edited_messages_reach_their_handlers(
    botapi: BotApiDouble, running: RunningApplication
) -> None:
    botapi.send_location(ALICE, 51.5072, -0.1276)
    assert (await botapi.wait_for("sendMessage", chat_id=ALICE.id)).params["text"] == (
        "at 51.51,-0.13"
    )

    botapi.send_group_text(BOB, -100_123, "/start team")
    group_reply = await botapi.wait_for("sendMessage", chat_id=-100_123)
    assert group_reply.result["chat"]["type"] == "group"

    mark = botapi.mark()
    first = botapi.send_text(BOB, "pain 4")
    botapi.edit_text(BOB, first, "pain 5")
    reply = await botapi.wait_for("sendMessage", chat_id=BOB.id, after=mark)
    assert reply.params["text"] == "edited to pain 5"


async def test_telegram_rejections_the_bot_must_survive(
    botapi: BotApiDouble, running: RunningApplication
) -> None:
    sent = await running.bot.send_message(ALICE.id, "Your plan")

    with pytest.raises(BadRequest, match="Message is not modified"):
        await running.bot.edit_message_text(
            "Your plan", chat_id=ALICE.id, message_id=sent.message_id
        )
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await running.bot.edit_message_text("x", chat_id=ALICE.id, message_id=999)
    with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
        await running.bot.send_message(ALICE.id, "pain < 3 & improving", parse_mode="HTML")
    with pytest.raises(BadRequest, match="Button_data_invalid"):
        await running.bot.send_message(
            ALICE.id,
            "x",
            reply_markup=InlineKeyboardMarkup(
                [[InlineKeyboardButton("x", callback_data="x" * 65)]]
            ),
        )
    with pytest.raises(BadRequest, match="Message to delete not found"):
        await running.bot.delete_message(ALICE.id, 999)
    assert await running.bot.delete_message(ALICE.id, sent.message_id)
    assert botapi.sent_messages(ALICE.id) == []


async def test_unimplemented_methods_are_not_found_until_stubbed(
    botapi: BotApiDouble, running: RunningApplication
) -> None:
    # Telegram answers unknown methods 404, which PTB raises as InvalidToken.
    with pytest.raises(InvalidToken, match="Not Found"):
        await running.bot.get_user_profile_photos(ALICE.id)

    botapi.stub("getUserProfilePhotos", {"total_count": 0, "photos": []})
    photos = await running.bot.get_user_profile_photos(ALICE.id)

    assert photos.total_count == 0
    assert botapi.calls("getUserProfilePhotos")[-1].params == {"user_id": ALICE.id}


async def test_rate_limiter_retries_a_429_and_the_message_gets_through(
    botapi: BotApiDouble, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")  # silences PTB 22's int retry_after deprecation
    botapi.fail_next("sendMessage", error_code=429, retry_after=1)
    async with running_application(tiny_application(botapi, rate_limiter=True), botapi):
        botapi.send_text(ALICE, "/start again")

        delivered = await botapi.wait_for("sendMessage", predicate=lambda call: call.ok)

    first, second = botapi.calls("sendMessage")
    assert first.error_code == 429
    assert first.params == second.params
    assert delivered is second
    assert second.at - first.at >= 1.0, "PTB waited for retry_after before retrying"


async def crash_the_bot_and_wait_for_a_reply(double: BotApiDouble) -> None:
    async with running_application(tiny_application(double), double):
        double.send_command(ALICE, "crash")
        with pytest.raises(BotApiTimeoutError, match="RuntimeError: handler bug"):
            await double.wait_for("sendMessage", timeout=0.5)


async def test_handler_errors_fail_the_test_at_exit_and_show_in_timeouts(
    botapi: BotApiDouble,
) -> None:
    with pytest.raises(HandlerErrorsError, match="RuntimeError: handler bug"):
        await crash_the_bot_and_wait_for_a_reply(botapi)


async def test_settle_reports_updates_nobody_fetched(botapi: BotApiDouble) -> None:
    botapi.send_text(ALICE, "hello?")

    with pytest.raises(BotApiTimeoutError, match="1 update\\(s\\) never fetched"):
        await botapi.settle(timeout=0.1)


async def test_updates_injected_before_start_are_processed_and_teardown_is_fast(
    botapi: BotApiDouble,
) -> None:
    # A long poll that would hold the bot for an hour if leaving waited for it; the harness
    # fails with TimeoutError when stopping takes longer than its stop_timeout.
    botapi.max_long_poll = 3600.0
    botapi.send_command(ALICE, "start", "early")
    async with running_application(tiny_application(botapi), botapi) as running:
        await running.settle()
        assert botapi.last_text(ALICE.id) == "echo: early"
        # The updater is in the middle of a long poll now; leaving must not wait for it.
        await botapi.until_polling()
    assert not running.application.running


async def test_harness_refuses_an_application_not_pointed_at_the_double(
    botapi: BotApiDouble,
) -> None:
    application: AnyApplication = (
        application_builder(botapi).base_url("https://api.telegram.org/bot").build()
    )

    with pytest.raises(ValueError, match="not to the double"):
        async with running_application(application, botapi):
            pass
