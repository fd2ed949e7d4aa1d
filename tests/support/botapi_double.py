"""A Telegram Bot API double served over real HTTP on 127.0.0.1.

The real PTB ``Application`` — HTTPXRequest, long polling, rate limiter and all — talks to it
exactly as it talks to api.telegram.org once built with
``.base_url(double.base_url).base_file_url(double.file_base_url)``.

Tests play the users (``send_text``, ``send_command``, ``press``, …: each enqueues a real
update JSON for ``getUpdates``) and read what the bot did (``calls``, ``wait_for``,
``last_text``, ``buttons``, …). Telegram's behaviour that bots trip over is reproduced:
"message is not modified", unknown messages, callback data over 64 bytes, HTML parse errors,
blocked users (403), flood control (429 with ``retry_after``) and competing pollers (409).
"""

from __future__ import annotations

import asyncio
import copy
import json
import logging
import mimetypes
import re
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from tests.support.telegram_payloads import (
    MAX_CAPTION,
    MAX_MESSAGE_TEXT,
    BotApiError,
    JsonDict,
    TgUser,
    UploadedFile,
    bad_request,
    bot_command_entities,
    chat_instance_for,
    check_inline_keyboard,
    decode_form_value,
    group_chat,
    inline_markup,
    png_dimensions,
    render_text,
    utf16_length,
)

__all__ = [
    "BotApiDouble",
    "BotApiTimeoutError",
    "RecordedCall",
    "TgUser",
    "UploadedFile",
]

_LOG = logging.getLogger(__name__)

_GET_UPDATES = "getupdates"
_BLOCKED_BY_USER = "Forbidden: bot was blocked by the user"
_KICKED_FROM_GROUP = "Forbidden: bot was kicked from the group chat"
_CONFLICT = (
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running"
)
_NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)
_QUERY_TOO_OLD = "query is too old and response timeout expired or query ID is invalid"
_DEFAULT_DESCRIPTIONS = {
    400: "Bad Request",
    403: _BLOCKED_BY_USER,
    404: "Not Found",
    409: _CONFLICT,
    429: "Too Many Requests: retry after {retry_after}",
    500: "Internal Server Error",
    502: "Bad Gateway",
}
# Methods that act on a chat and therefore fail when the user has blocked the bot.
_CHAT_BOUND_PREFIXES = ("send", "edit", "copy", "forward")
_SEND_OR_EDIT_TEXT = frozenset({"sendmessage", "editmessagetext"})
_SEND_OR_EDIT_CAPTION = frozenset({"sendphoto", "senddocument", "editmessagecaption"})
# Update kinds Telegram only delivers when explicitly listed in ``allowed_updates``.
_OPT_IN_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
_MEDIA_KEYS = ("photo", "document")
_COMMAND = re.compile(r"^[a-z0-9_]{1,32}$")
_DEFAULT_PHOTO_SIZE = (1280, 960)
_THUMBNAIL_SIDE = 90

# A fixed result, or a function of the decoded params returning the result.
Stub = object


@dataclass(frozen=True, slots=True)
class RecordedCall:
    """One Bot API request the bot made, with the reply it got.

    ``params`` are decoded back to JSON types (``chat_id`` is an ``int``, ``reply_markup`` a
    ``dict``, ``text`` always a ``str``); ``files`` holds multipart uploads as
    :class:`UploadedFile` (``bytes`` with ``.filename``); ``at`` is ``time.monotonic()`` (or
    the double's ``arrival_clock``) on arrival. ``result`` is what Telegram's ``result`` field
    held, ``error_code`` and ``description`` are set instead when the call failed.
    """

    method: str
    params: dict[str, Any]
    files: dict[str, bytes]
    at: float
    result: Any = None
    error_code: int | None = None
    description: str | None = None

    @property
    def ok(self) -> bool:
        return self.error_code is None

    @property
    def chat_id(self) -> int | str | None:
        value = self.params.get("chat_id")
        return value if isinstance(value, int | str) else None

    @property
    def text(self) -> str | None:
        """The text or caption as sent (with its markup), if the call carried one."""
        for key in ("text", "caption"):
            value = self.params.get(key)
            if isinstance(value, str):
                return value
        return None

    @property
    def message_id(self) -> int | None:
        """The id of the message sent or edited, when the reply was a Message."""
        if isinstance(self.result, dict) and isinstance(self.result.get("message_id"), int):
            return int(self.result["message_id"])
        value = self.params.get("message_id")
        return value if isinstance(value, int) else None

    def summary(self) -> str:
        outcome = "ok" if self.ok else f"{self.error_code} {self.description}"
        text = f" {self.text[:60]!r}" if self.text is not None else ""
        return f"{self.method}(chat_id={self.chat_id}){text} -> {outcome}"


class BotApiTimeoutError(AssertionError):
    """The bot did not make the awaited call (or did not go quiet) in time."""


@dataclass(slots=True)
class _Fault:
    method: str
    error_code: int
    description: str
    retry_after: int | None
    remaining: int
    chat_id: int | None

    def error(self) -> BotApiError:
        parameters = {"retry_after": self.retry_after} if self.retry_after is not None else None
        return BotApiError(self.error_code, self.description, parameters)


@dataclass(slots=True)
class _ReplyFault:
    """The call is processed, then its reply is late or lost (the bot cannot tell it worked)."""

    method: str
    remaining: int
    chat_id: int | None
    delay: float
    disconnect: bool


@dataclass(slots=True)
class _PendingUpdate:
    update_id: int
    kind: str
    payload: JsonDict
    delivered: bool = False


@dataclass(frozen=True, slots=True)
class _StoredFile:
    meta: JsonDict
    data: bytes
    file_path: str


@dataclass(frozen=True, slots=True)
class _Request:
    method: str
    params: dict[str, Any]
    files: dict[str, UploadedFile]


class _Signal:
    """Wakes every coroutine waiting on it; ``notify`` is sync so injection stays sync."""

    def __init__(self) -> None:
        self._waiters: set[asyncio.Future[None]] = set()

    def notify(self) -> None:
        for waiter in self._waiters:
            if not waiter.done():
                waiter.set_result(None)
        self._waiters.clear()

    async def wait(self, seconds: float) -> None:
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.add(waiter)
        try:
            await asyncio.wait_for(waiter, seconds)
        except TimeoutError:
            pass
        finally:
            self._waiters.discard(waiter)


def _same_chat(value: object, chat_id: int | str) -> bool:
    return value is not None and str(value) == str(chat_id)


def _markup_of(source: RecordedCall | Mapping[str, Any]) -> object:
    if isinstance(source, RecordedCall):
        return source.params.get("reply_markup")
    return source.get("reply_markup")


class BotApiDouble:
    """An in-process Telegram Bot API server for end-to-end tests of a PTB Application.

    Use as ``async with BotApiDouble() as double:`` or ``await start()`` / ``await stop()``.
    Everything runs on the test's event loop; the injection methods are synchronous.
    """

    def __init__(
        self,
        *,
        bot_username: str = "sciatica_test_bot",
        bot_first_name: str = "Sciatica Test Bot",
        bot_id: int | None = None,
        max_long_poll: float = 1.0,
        strict_chats: bool = False,
        clock: Callable[[], float] = time.time,
        arrival_clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Configure the double.

        ``bot_id`` defaults to the numeric part of the token the bot uses. ``max_long_poll``
        caps getUpdates' ``timeout`` so teardown never waits long. With ``strict_chats``, sends
        to users who never wrote to the bot fail like on Telegram (403 "bot can't initiate
        conversation with a user"); see :meth:`add_user`. ``clock`` dates messages;
        ``arrival_clock`` stamps each recorded call's ``at`` (a test's virtual clock, to read
        the pacing of sends without measuring wall-clock time).
        """
        self.bot_username = bot_username
        self.bot_first_name = bot_first_name
        self.max_long_poll = max_long_poll
        self.strict_chats = strict_chats
        self.handler_errors: list[BaseException] = []
        # Seconds every reply (except getUpdates) is held back: Telegram is not on loopback.
        self.latency = 0.0
        self._configured_bot_id = bot_id
        self._token_bot_id: int | None = None
        self._clock = clock
        self._arrival_clock = arrival_clock
        self._runner: web.AppRunner | None = None
        self._port: int | None = None
        self._closing = False
        self._calls: list[RecordedCall] = []
        self._call_signal = _Signal()
        self._update_signal = _Signal()
        self._last_activity = time.monotonic()
        self._in_flight = 0
        self._polls_waiting = 0
        self._idle_signal = _Signal()
        self._updates: list[_PendingUpdate] = []
        self._next_update_id = 1
        self._sent_updates: dict[int, _PendingUpdate] = {}
        self._allowed_updates: frozenset[str] | None = None
        self._poll_generation = 0
        self._message_counters: dict[int, int] = {}
        self._messages: dict[tuple[int, int], JsonDict] = {}
        self._sources: dict[tuple[int, int], tuple[str | None, str | None]] = {}
        self._users: dict[int, TgUser] = {}
        self._groups: dict[int, str] = {}
        self._files: dict[str, _StoredFile] = {}
        self._photos: dict[str, list[JsonDict]] = {}
        self._file_counter = 0
        self._callback_counter = 0
        self._issued_callbacks: set[str] = set()
        self._callback_answers: dict[str, dict[str, Any]] = {}
        self._commands: dict[tuple[str, str], list[JsonDict]] = {}
        self._menu_buttons: dict[int | None, JsonDict] = {}
        self._faults: list[_Fault] = []
        self._reply_faults: list[_ReplyFault] = []
        self._blocked: set[int] = set()
        self._stubs: dict[str, Stub] = {}
        self._methods: dict[str, Callable[[_Request], Awaitable[Any]]] = {
            "getme": self._get_me,
            "getupdates": self._get_updates,
            "deletewebhook": self._delete_webhook,
            "setwebhook": self._returns_true,
            "getwebhookinfo": self._get_webhook_info,
            "logout": self._returns_true,
            "close": self._returns_true,
            "setmycommands": self._set_my_commands,
            "deletemycommands": self._delete_my_commands,
            "getmycommands": self._get_my_commands,
            "setmydescription": self._returns_true,
            "setmyshortdescription": self._returns_true,
            "setmyname": self._returns_true,
            "setchatmenubutton": self._set_chat_menu_button,
            "getchatmenubutton": self._get_chat_menu_button,
            "sendmessage": self._send_message,
            "sendphoto": self._send_photo,
            "senddocument": self._send_document,
            "sendchataction": self._send_chat_action,
            "editmessagetext": self._edit_message_text,
            "editmessagereplymarkup": self._edit_message_reply_markup,
            "editmessagecaption": self._edit_message_caption,
            "deletemessage": self._delete_message,
            "deletemessages": self._delete_messages,
            "answercallbackquery": self._answer_callback_query,
            "getfile": self._get_file,
            "getchat": self._get_chat,
        }

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        if self._runner is not None:
            raise RuntimeError("BotApiDouble is already started")
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_method)
        app.router.add_route("GET", "/file/bot{token}/{file_path:.+}", self._handle_file)
        # A short shutdown_timeout: in-flight long polls are woken by stop() anyway.
        runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=0.5)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        self._runner = runner
        self._port = int(runner.addresses[0][1])
        self._closing = False

    async def stop(self) -> None:
        if self._runner is None:
            return
        self._closing = True
        self._update_signal.notify()
        await self._runner.cleanup()
        self._runner = None

    async def __aenter__(self) -> BotApiDouble:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("BotApiDouble is not started")
        return self._port

    @property
    def base_url(self) -> str:
        """For ``ApplicationBuilder().base_url(...)``: PTB appends the token to it."""
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def file_base_url(self) -> str:
        """For ``ApplicationBuilder().base_file_url(...)``."""
        return f"http://127.0.0.1:{self.port}/file/bot"

    @property
    def bot_id(self) -> int:
        if self._configured_bot_id is not None:
            return self._configured_bot_id
        return self._token_bot_id if self._token_bot_id is not None else 7_000_000_001

    def bot_user(self) -> JsonDict:
        """The bot's ``User`` object, as in the ``from`` of every message it sends."""
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.bot_first_name,
            "username": self.bot_username,
        }

    # ------------------------------------------------------------------ fault injection

    def fail_next(
        self,
        method: str,
        *,
        error_code: int,
        description: str | None = None,
        retry_after: int | None = None,
        count: int = 1,
        chat_id: int | None = None,
    ) -> None:
        """Make the next ``count`` calls of ``method`` (to ``chat_id``, if given) fail.

        The reply has Telegram's shape and HTTP status ``error_code``; ``retry_after`` adds
        ``parameters.retry_after`` (what PTB turns into ``RetryAfter``). Without a
        ``description``, Telegram's usual one for the code is used, e.g. 429 "Too Many
        Requests: retry after 3", 403 "Forbidden: bot was blocked by the user".
        """
        if count < 1:
            raise ValueError("count must be at least 1")
        if description is None:
            template = _DEFAULT_DESCRIPTIONS.get(error_code, f"Error {error_code}")
            description = template.format(retry_after=retry_after)
        self._faults.append(
            _Fault(method.lower(), error_code, description, retry_after, count, chat_id)
        )

    def delay_next(
        self, method: str, seconds: float, *, count: int = 1, chat_id: int | None = None
    ) -> None:
        """The next ``count`` calls of ``method`` take effect, but their reply comes late.

        With ``seconds`` above the bot's read timeout PTB raises ``TimedOut`` for a message
        that was in fact delivered — the case where a blind retry sends it twice.
        """
        self._add_reply_fault(method, count, chat_id, delay=seconds, disconnect=False)

    def disconnect_next(self, method: str, *, count: int = 1, chat_id: int | None = None) -> None:
        """The next ``count`` calls of ``method`` take effect, then the connection drops.

        PTB raises ``NetworkError`` ("Server disconnected without sending a response") although
        Telegram did what was asked.
        """
        self._add_reply_fault(method, count, chat_id, delay=0.0, disconnect=True)

    def _add_reply_fault(
        self, method: str, count: int, chat_id: int | None, *, delay: float, disconnect: bool
    ) -> None:
        if count < 1:
            raise ValueError("count must be at least 1")
        self._reply_faults.append(_ReplyFault(method.lower(), count, chat_id, delay, disconnect))

    def block_chat(self, chat_id: int) -> None:
        """Every send/edit to ``chat_id`` fails with 403 until :meth:`unblock_chat`."""
        self._blocked.add(chat_id)

    def unblock_chat(self, chat_id: int) -> None:
        self._blocked.discard(chat_id)

    def stub(self, method: str, result: Stub) -> None:
        """Answer ``method`` with ``result`` (or ``result(params)`` if callable) from now on.

        For Bot API methods the double does not implement; unknown methods get Telegram's
        404 "Not Found", which PTB raises as ``InvalidToken``.
        """
        self._stubs[method.lower()] = result

    def add_user(self, user: TgUser) -> None:
        """Know ``user`` (as if they had started the bot) without sending an update."""
        self._users[user.id] = user

    # ------------------------------------------------------------------ what users do

    def send_text(self, user: TgUser, text: str) -> int:
        """``user`` writes ``text`` in their private chat; returns the message id.

        A leading ``/command`` gets its ``bot_command`` entity, as Telegram adds it.
        """
        return self._user_writes(user, user.private_chat(), text)

    def send_command(self, user: TgUser, command: str, args: str = "") -> int:
        """``user`` sends ``/command args`` (the slash is optional in ``command``)."""
        text = "/" + command.lstrip("/")
        if args:
            text += " " + args
        return self.send_text(user, text)

    def send_location(self, user: TgUser, latitude: float, longitude: float) -> int:
        """``user`` shares a location in their private chat; returns the message id."""
        self._users[user.id] = user
        message = self._new_user_message(
            user,
            user.private_chat(),
            location={"latitude": latitude, "longitude": longitude},
        )
        self._enqueue("message", message)
        return int(message["message_id"])

    def send_group_text(
        self, user: TgUser, group_chat_id: int, text: str, *, title: str | None = None
    ) -> int:
        """``user`` writes ``text`` in a group the bot is in; returns the message id."""
        if group_chat_id >= 0:
            raise ValueError("group chat ids are negative")
        self._groups[group_chat_id] = title or self._groups.get(
            group_chat_id, f"Group {group_chat_id}"
        )
        return self._user_writes(user, group_chat(group_chat_id, self._groups[group_chat_id]), text)

    def edit_text(
        self, user: TgUser, message_id: int, text: str, *, chat_id: int | None = None
    ) -> None:
        """``user`` edits their own earlier message: an ``edited_message`` update."""
        key = (chat_id if chat_id is not None else user.id, message_id)
        message = self._messages.get(key)
        if message is None or message.get("from", {}).get("id") != user.id:
            raise LookupError(f"user {user.id} has no message {message_id} in chat {key[0]}")
        message["text"] = text
        message.pop("entities", None)
        if entities := bot_command_entities(text):
            message["entities"] = entities
        message["edit_date"] = self._now()
        self._enqueue("edited_message", message)

    def press(
        self,
        user: TgUser,
        message: Mapping[str, Any] | RecordedCall | int,
        data: str,
        *,
        chat_id: int | None = None,
    ) -> str:
        """``user`` presses the inline button with callback ``data`` on a bot message.

        ``message`` is the call that sent it, the Message dict, or its id (in ``chat_id``,
        default the user's private chat). The button must be on the message's *current*
        keyboard — a real client cannot press anything else; use :meth:`forge_press` for
        tampered callback data. Returns the callback query id.
        """
        key = self._message_key(user, message, chat_id)
        stored = self._messages.get(key)
        if stored is None:
            raise LookupError(
                f"message {key[1]} in chat {key[0]} does not exist (or was deleted); "
                "use forge_press() to simulate a forged callback"
            )
        if stored.get("from", {}).get("id") != self.bot_id:
            raise ValueError(f"message {key[1]} in chat {key[0]} was not sent by the bot")
        if stored["chat"]["type"] == "private" and key[0] != user.id:
            raise ValueError(f"user {user.id} cannot see private chat {key[0]}")
        on_keyboard = [value for _, value in self.callback_buttons(stored)]
        if data not in on_keyboard:
            raise ValueError(
                f"no button with callback_data {data!r} on message {key[1]} "
                f"(it has {on_keyboard}); use forge_press() for tampered data"
            )
        return self._enqueue_callback(user, stored, data)

    def press_button(
        self,
        user: TgUser,
        message: Mapping[str, Any] | RecordedCall | int,
        text: str,
        *,
        chat_id: int | None = None,
    ) -> str:
        """Press the button whose label is (or uniquely contains) ``text``."""
        key = self._message_key(user, message, chat_id)
        stored = self._messages.get(key)
        if stored is None:
            raise LookupError(f"message {key[1]} in chat {key[0]} does not exist")
        return self.press(user, stored, self.button_data(stored, text))

    def forge_press(
        self, user: TgUser, data: str, message_id: int, *, chat_id: int | None = None
    ) -> str:
        """A callback query with arbitrary ``data``, as a tampered client could send.

        Uses the stored message if it exists, otherwise a bare bot message with that id, and
        checks nothing — for tests that the bot never trusts callback data.
        """
        target_chat = chat_id if chat_id is not None else user.id
        self._users.setdefault(user.id, user)
        message = self._messages.get((target_chat, message_id)) or {
            "message_id": message_id,
            "from": self.bot_user(),
            "chat": self._chat_json(target_chat),
            "date": self._now(),
            "text": "…",
        }
        return self._enqueue_callback(user, message, data)

    def bot_message(self, user: TgUser, text: str, buttons: Sequence[tuple[str, str]] = ()) -> int:
        """A message the bot sent ``user`` earlier (before the story a test tells), with inline
        buttons ``(label, callback_data)`` one per row; returns its id, ready for :meth:`press`."""
        self._users.setdefault(user.id, user)
        message: JsonDict = {
            "message_id": self._next_message_id(user.id),
            "from": self.bot_user(),
            "chat": self._chat_json(user.id),
            "date": self._now(),
            "text": text,
        }
        if buttons:
            message["reply_markup"] = {
                "inline_keyboard": [
                    [{"text": label, "callback_data": data}] for label, data in buttons
                ]
            }
        self._store(message, text, None)
        return int(message["message_id"])

    def user_blocks_bot(self, user: TgUser) -> int:
        """``user`` blocks the bot: sends now fail with 403 and a ``my_chat_member`` arrives."""
        self.block_chat(user.id)
        return self._enqueue_membership(user, old="member", new="kicked")

    def user_unblocks_bot(self, user: TgUser) -> int:
        self.unblock_chat(user.id)
        return self._enqueue_membership(user, old="kicked", new="member")

    def redeliver(self, update_id: int) -> None:
        """Offer update ``update_id`` again, unchanged, as Telegram does after a bot crashed
        before confirming it. A bot that already confirmed a later offset never fetches it:
        redeliver to a freshly started application (it polls from the start again)."""
        sent = self._sent_updates[update_id]
        self._updates.append(_PendingUpdate(update_id, sent.kind, copy.deepcopy(sent.payload)))
        self._updates.sort(key=lambda pending: pending.update_id)
        self._last_activity = time.monotonic()
        self._update_signal.notify()

    def sent_update(self, update_id: int) -> JsonDict:
        """The update ``update_id`` exactly as it was offered (to deliver it again by hand)."""
        return copy.deepcopy(self._sent_updates[update_id].payload)

    def withhold(self, update_id: int) -> JsonDict:
        """Take a not yet fetched update out of the queue and return it, for a test that hands
        it to the application itself (a webhook server gets updates in any order)."""
        for pending in self._updates:
            if pending.update_id == update_id and not pending.delivered:
                self._updates.remove(pending)
                return copy.deepcopy(pending.payload)
        raise LookupError(f"update {update_id} is not waiting to be fetched")

    def update_ids(self) -> list[int]:
        """Every update id enqueued so far, in order."""
        return sorted(self._sent_updates)

    def inject(self, update: Mapping[str, Any]) -> int:
        """Enqueue any update body (without ``update_id``); returns the update id."""
        kinds = [key for key in update if key != "update_id"]
        if len(kinds) != 1:
            raise ValueError(f"an update has exactly one kind of content, got {kinds}")
        return self._enqueue(kinds[0], update[kinds[0]])

    # ------------------------------------------------------------------ what the bot did

    def mark(self) -> int:
        """The current number of recorded calls: pass as ``after=`` to only see newer ones."""
        return len(self._calls)

    def calls(
        self,
        method: str | None = None,
        *,
        chat_id: int | str | None = None,
        after: int = 0,
        include_polling: bool = False,
    ) -> list[RecordedCall]:
        """Recorded calls in arrival order, failed ones included (see ``RecordedCall.ok``).

        ``getUpdates`` is left out unless asked for by name or ``include_polling``.
        """
        return [
            call
            for call in self._calls[after:]
            if self._matches(call, method, chat_id)
            and (include_polling or method is not None or call.method.lower() != _GET_UPDATES)
        ]

    async def wait_for(
        self,
        method: str,
        *,
        chat_id: int | str | None = None,
        predicate: Callable[[RecordedCall], bool] | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109 - a deadline per expectation reads best in tests
        after: int | None = None,
    ) -> RecordedCall:
        """The first call of ``method`` (index ≥ ``after``) matching ``chat_id``/``predicate``.

        Returns at once if it already happened; raises :class:`BotApiTimeoutError` listing what
        the bot did instead (and any handler errors the harness saw) after ``timeout``.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        start = index = after or 0
        while True:
            while index < len(self._calls):
                call = self._calls[index]
                index += 1
                if self._matches(call, method, chat_id) and (predicate is None or predicate(call)):
                    return call
            remaining = deadline - loop.time()
            if remaining <= 0:
                target = f" to chat {chat_id}" if chat_id is not None else ""
                condition = " matching the predicate" if predicate is not None else ""
                raise BotApiTimeoutError(
                    f"no {method}{target}{condition} within {timeout}s.\n" + self.report(start)
                )
            await self._call_signal.wait(remaining)

    async def until_polling(self, timeout: float = 5.0) -> None:  # noqa: ASYNC109
        """Return once the bot holds a long poll open (a getUpdates waiting for updates)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while self._polls_waiting == 0:
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise BotApiTimeoutError(f"no getUpdates was waiting within {timeout}s")
            await self._update_signal.wait(remaining)

    async def until_no_call_in_flight(self, timeout: float = 5.0) -> None:  # noqa: ASYNC109
        """Return once every request the double received has been answered (or its client went
        away): a reply still held back (``latency``) has gone out or nowhere."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while self._in_flight:
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise BotApiTimeoutError(
                    f"{self._in_flight} call(s) still in flight after {timeout}s"
                )
            await self._idle_signal.wait(remaining)

    async def settle(self, quiet: float = 0.2, timeout: float = 5.0) -> None:  # noqa: ASYNC109
        """Wait until every injected update was fetched, no reply is still on its way and no
        call came for ``quiet`` seconds."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            undelivered = sum(not pending.delivered for pending in self._updates)
            busy = bool(undelivered or self._in_flight)
            idle = time.monotonic() - self._last_activity
            if not busy and idle >= quiet:
                return
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise BotApiTimeoutError(
                    f"the bot did not settle within {timeout}s ({undelivered} update(s) never "
                    f"fetched - is it polling?; {self._in_flight} call(s) in flight).\n"
                    + self.report(max(0, len(self._calls) - 10))
                )
            pause = 0.02 if busy else quiet - idle
            await asyncio.sleep(max(0.005, min(pause, remaining)))

    def unconfirmed_update_ids(self) -> list[int]:
        """Updates the bot has not confirmed yet (by polling with a higher ``offset``)."""
        return [pending.update_id for pending in self._updates]

    def report(self, since: int = 0) -> str:
        """A readable list of calls since index ``since`` and of recorded handler errors."""
        lines = [
            f"  #{index} {call.summary()}"
            for index, call in enumerate(self._calls)
            if index >= since and call.method.lower() != _GET_UPDATES
        ]
        text = "Calls:\n" + ("\n".join(lines[-25:]) if lines else "  (none)")
        if self.handler_errors:
            text += "\nHandler errors:\n" + "\n".join(
                f"  {type(error).__name__}: {error}" for error in self.handler_errors
            )
        return text

    def last_text(self, chat_id: int | str) -> str:
        """What the user now reads last from the bot in that chat: the text (or caption,
        HTML rendered) of the latest successful send or edit."""
        for call in reversed(self._calls):
            name = call.method.lower()
            if not call.ok or not _same_chat(call.params.get("chat_id"), chat_id):
                continue
            if name in _SEND_OR_EDIT_TEXT or name in _SEND_OR_EDIT_CAPTION:
                key = "text" if name in _SEND_OR_EDIT_TEXT else "caption"
                rendered = call.result.get(key) if isinstance(call.result, dict) else None
                if isinstance(rendered, str):
                    return rendered
        raise AssertionError(f"the bot has sent no text to chat {chat_id}.\n" + self.report())

    def sent_messages(self, chat_id: int | str) -> list[JsonDict]:
        """The bot's messages still in the chat, oldest first, as they look now (after edits)."""
        return [
            copy.deepcopy(message)
            for (chat, _), message in sorted(self._messages.items())
            if _same_chat(chat, chat_id) and message.get("from", {}).get("id") == self.bot_id
        ]

    def message(self, chat_id: int, message_id: int) -> JsonDict:
        """The current state of one stored message."""
        stored = self._messages.get((chat_id, message_id))
        if stored is None:
            raise LookupError(f"no message {message_id} in chat {chat_id}")
        return copy.deepcopy(stored)

    @staticmethod
    def buttons(source: RecordedCall | Mapping[str, Any]) -> list[tuple[str, str]]:
        """Inline keyboard of a call or message as ``(text, callback_data or url)``, row by row."""
        markup = _markup_of(source)
        if not isinstance(markup, dict):
            return []
        found: list[tuple[str, str]] = []
        for row in markup.get("inline_keyboard", []):
            for button in row:
                value = button.get("callback_data") or button.get("url")
                if value is None and isinstance(button.get("web_app"), dict):
                    value = button["web_app"].get("url")
                found.append((str(button.get("text", "")), str(value or "")))
        return found

    @staticmethod
    def callback_buttons(source: RecordedCall | Mapping[str, Any]) -> list[tuple[str, str]]:
        """Only the buttons that send callback data, as ``(text, callback_data)``."""
        markup = _markup_of(source)
        if not isinstance(markup, dict):
            return []
        return [
            (str(button.get("text", "")), str(button["callback_data"]))
            for row in markup.get("inline_keyboard", [])
            for button in row
            if "callback_data" in button
        ]

    @classmethod
    def button_data(cls, source: RecordedCall | Mapping[str, Any], text: str) -> str:
        """Callback data of the button labelled ``text`` (exactly, else as a unique substring)."""
        buttons = cls.callback_buttons(source)
        exact = [data for label, data in buttons if label == text]
        partial = [data for label, data in buttons if text in label]
        for candidates in (exact, partial):
            if len(candidates) == 1:
                return candidates[0]
            if len(candidates) > 1:
                raise LookupError(f"several buttons match {text!r}: {buttons}")
        raise LookupError(f"no callback button labelled {text!r}; buttons: {buttons}")

    @staticmethod
    def keyboard_texts(source: RecordedCall | Mapping[str, Any]) -> list[str]:
        """Labels of a reply keyboard (``ReplyKeyboardMarkup``) sent with a call."""
        markup = _markup_of(source)
        if not isinstance(markup, dict):
            return []
        return [
            str(button["text"] if isinstance(button, dict) else button)
            for row in markup.get("keyboard", [])
            for button in row
        ]

    def answered_callback_ids(self) -> set[str]:
        return set(self._callback_answers)

    def unanswered_callback_ids(self) -> set[str]:
        """Presses the bot never answered: the user's client shows a spinner on them."""
        return self._issued_callbacks - set(self._callback_answers)

    def callback_answer(self, callback_query_id: str) -> dict[str, Any]:
        """The ``answerCallbackQuery`` parameters the bot used for that press."""
        if callback_query_id not in self._callback_answers:
            raise LookupError(f"callback query {callback_query_id} was not answered")
        return dict(self._callback_answers[callback_query_id])

    def my_commands(
        self, scope: Mapping[str, Any] | None = None, language_code: str = ""
    ) -> list[JsonDict]:
        """The command list currently set for ``scope`` (default scope if None)."""
        return copy.deepcopy(self._commands.get(self._commands_key(scope, language_code), []))

    def menu_button(self, chat_id: int | None = None) -> JsonDict:
        return copy.deepcopy(self._menu_buttons.get(chat_id, {"type": "default"}))

    def file_bytes(self, file_id: str) -> bytes:
        """The bytes the bot uploaded under ``file_id``."""
        return self._files[file_id].data

    # ------------------------------------------------------------------ HTTP plumbing

    async def _handle_method(self, request: web.Request) -> web.Response:
        if request.match_info["method"].lower() == _GET_UPDATES:
            return await self._answer(request)
        self._in_flight += 1
        try:
            return await self._answer(request)
        finally:
            self._in_flight -= 1
            self._last_activity = time.monotonic()
            self._idle_signal.notify()

    async def _answer(self, request: web.Request) -> web.Response:
        at = self._arrival_clock()
        method = request.match_info["method"]
        self._remember_token(request.match_info["token"])
        params: dict[str, Any] = {}
        files: dict[str, UploadedFile] = {}
        try:
            params, files = await self._read_params(request)
            result = await self._respond(method, params, files)
        except BotApiError as error:
            call = RecordedCall(
                method,
                params,
                dict(files),
                at,
                error_code=error.error_code,
                description=error.description,
            )
            response = web.json_response(error.to_json(), status=error.error_code)
        else:
            call = RecordedCall(method, params, dict(files), at, result=result)
            response = web.json_response({"ok": True, "result": result})
        self._record(call)
        return await self._deliver_reply(request, call, response)

    async def _deliver_reply(
        self, request: web.Request, call: RecordedCall, response: web.Response
    ) -> web.Response:
        name = call.method.lower()
        if name == _GET_UPDATES:
            return response
        fault = self._take_reply_fault(name, call.params)
        delay = self.latency + (fault.delay if fault is not None else 0.0)
        if delay > 0:
            await asyncio.sleep(delay)
        if fault is not None and fault.disconnect and request.transport is not None:
            request.transport.abort()
        return response

    def _take_reply_fault(self, name: str, params: dict[str, Any]) -> _ReplyFault | None:
        for fault in self._reply_faults:
            if fault.method != name:
                continue
            if fault.chat_id is not None and not _same_chat(params.get("chat_id"), fault.chat_id):
                continue
            fault.remaining -= 1
            if fault.remaining <= 0:
                self._reply_faults.remove(fault)
            return fault
        return None

    async def _handle_file(self, request: web.Request) -> web.Response:
        path = request.match_info["file_path"]
        for stored in self._files.values():
            if stored.file_path == path:
                return web.Response(body=stored.data)
        return web.json_response(
            {"ok": False, "error_code": 404, "description": "Not Found"}, status=404
        )

    def _remember_token(self, token: str) -> None:
        prefix = token.split(":", 1)[0]
        if prefix.isdigit():
            self._token_bot_id = int(prefix)

    @staticmethod
    async def _read_params(
        request: web.Request,
    ) -> tuple[dict[str, Any], dict[str, UploadedFile]]:
        params: dict[str, Any] = {
            name: decode_form_value(name, value) for name, value in request.query.items()
        }
        files: dict[str, UploadedFile] = {}
        if not request.body_exists:
            return params, files
        if request.content_type == "application/json":
            try:
                body = await request.json()
            except ValueError as error:
                raise bad_request("can't parse JSON object") from error
            if not isinstance(body, dict):
                raise bad_request("parameters must be a JSON object")
            params.update(body)
        elif request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            form = await request.post()
            for name, value in form.items():
                if isinstance(value, web.FileField):
                    files[name] = UploadedFile(
                        value.file.read(),
                        filename=value.filename,
                        content_type=value.content_type,
                    )
                else:
                    params[name] = decode_form_value(name, str(value))
        return params, files

    async def _respond(
        self, method: str, params: dict[str, Any], files: dict[str, UploadedFile]
    ) -> Any:
        name = method.lower()
        self._raise_injected_fault(name, params)
        if name.startswith(_CHAT_BOUND_PREFIXES):
            self._check_chat_reachable(params)
        if name in self._stubs:
            stub = self._stubs[name]
            return stub(params) if callable(stub) else copy.deepcopy(stub)
        handler = self._methods.get(name)
        if handler is None:
            raise BotApiError(404, "Not Found")
        return await handler(_Request(method, params, files))

    def _record(self, call: RecordedCall) -> None:
        self._calls.append(call)
        if call.method.lower() != _GET_UPDATES:
            self._last_activity = time.monotonic()
        self._call_signal.notify()

    def _raise_injected_fault(self, name: str, params: dict[str, Any]) -> None:
        for fault in self._faults:
            if fault.method != name:
                continue
            if fault.chat_id is not None and not _same_chat(params.get("chat_id"), fault.chat_id):
                continue
            fault.remaining -= 1
            if fault.remaining <= 0:
                self._faults.remove(fault)
            raise fault.error()

    def _check_chat_reachable(self, params: dict[str, Any]) -> None:
        chat_id = params.get("chat_id")
        if not isinstance(chat_id, int):
            return
        if chat_id in self._blocked:
            raise BotApiError(403, _KICKED_FROM_GROUP if chat_id < 0 else _BLOCKED_BY_USER)
        if self.strict_chats and chat_id not in self._users and chat_id not in self._groups:
            if chat_id > 0:
                raise BotApiError(403, "Forbidden: bot can't initiate conversation with a user")
            raise bad_request("chat not found")

    # ------------------------------------------------------------------ state helpers

    def _now(self) -> int:
        return int(self._clock())

    def _next_message_id(self, chat_id: int) -> int:
        # Telegram numbers a private chat's messages in one sequence for both sides.
        self._message_counters[chat_id] = self._message_counters.get(chat_id, 0) + 1
        return self._message_counters[chat_id]

    def _chat_json(self, chat_id: int) -> JsonDict:
        if chat_id in self._users:
            return self._users[chat_id].private_chat()
        if chat_id < 0:
            return group_chat(chat_id, self._groups.get(chat_id, f"Group {chat_id}"))
        return {"id": chat_id, "type": "private", "first_name": f"User {chat_id}"}

    def _enqueue(self, kind: str, content: Mapping[str, Any]) -> int:
        update_id = self._next_update_id
        self._next_update_id += 1
        payload = {"update_id": update_id, kind: copy.deepcopy(dict(content))}
        self._updates.append(_PendingUpdate(update_id, kind, payload))
        self._sent_updates[update_id] = _PendingUpdate(update_id, kind, copy.deepcopy(payload))
        self._last_activity = time.monotonic()
        self._update_signal.notify()
        return update_id

    def _new_user_message(self, user: TgUser, chat: JsonDict, **content: Any) -> JsonDict:
        chat_id = int(chat["id"])
        message: JsonDict = {
            "message_id": self._next_message_id(chat_id),
            "from": user.to_json(),
            "chat": chat,
            "date": self._now(),
            **content,
        }
        self._messages[(chat_id, message["message_id"])] = message
        return message

    def _user_writes(self, user: TgUser, chat: JsonDict, text: str) -> int:
        if not text:
            raise ValueError("Telegram clients cannot send an empty message")
        self._users[user.id] = user
        content: dict[str, Any] = {"text": text}
        if entities := bot_command_entities(text):
            content["entities"] = entities
        message = self._new_user_message(user, chat, **content)
        self._enqueue("message", message)
        return int(message["message_id"])

    def _message_key(
        self,
        user: TgUser,
        message: Mapping[str, Any] | RecordedCall | int,
        chat_id: int | None,
    ) -> tuple[int, int]:
        if isinstance(message, int):
            return (chat_id if chat_id is not None else user.id, message)
        if isinstance(message, RecordedCall):
            if not message.ok or not isinstance(message.result, dict):
                raise ValueError(f"that call did not produce a message: {message.summary()}")
            message = message.result
        return (int(message["chat"]["id"]), int(message["message_id"]))

    def _enqueue_callback(self, user: TgUser, message: Mapping[str, Any], data: str) -> str:
        self._users.setdefault(user.id, user)
        self._callback_counter += 1
        query_id = str(4_382_000_000_000_000_000 + self._callback_counter)
        self._issued_callbacks.add(query_id)
        self._enqueue(
            "callback_query",
            {
                "id": query_id,
                "from": user.to_json(),
                "message": message,
                "chat_instance": chat_instance_for(int(message["chat"]["id"])),
                "data": data,
            },
        )
        return query_id

    def _enqueue_membership(self, user: TgUser, *, old: str, new: str) -> int:
        self._users.setdefault(user.id, user)
        return self._enqueue(
            "my_chat_member",
            {
                "chat": user.private_chat(),
                "from": user.to_json(),
                "date": self._now(),
                "old_chat_member": {"user": self.bot_user(), "status": old},
                "new_chat_member": {"user": self.bot_user(), "status": new, "until_date": 0}
                if new == "kicked"
                else {"user": self.bot_user(), "status": new},
            },
        )

    @staticmethod
    def _matches(call: RecordedCall, method: str | None, chat_id: int | str | None) -> bool:
        if method is not None and call.method.lower() != method.lower():
            return False
        return chat_id is None or _same_chat(call.params.get("chat_id"), chat_id)

    @staticmethod
    def _commands_key(scope: object, language_code: object) -> tuple[str, str]:
        scope_json = scope if isinstance(scope, Mapping) else {"type": "default"}
        return json.dumps(dict(scope_json), sort_keys=True), str(language_code or "")

    # ------------------------------------------------------------------ Bot API methods

    @staticmethod
    async def _returns_true(request: _Request) -> bool:
        return True

    async def _get_me(self, request: _Request) -> JsonDict:
        return {
            **self.bot_user(),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def _get_updates(self, request: _Request) -> list[JsonDict]:
        params = request.params
        offset = params.get("offset")
        if isinstance(offset, int) and offset > 0:
            # Telegram forgets every update below the offset: that is the confirmation.
            self._updates = [u for u in self._updates if u.update_id >= offset]
        elif isinstance(offset, int) and offset < 0:
            self._updates = self._updates[offset:]
        allowed = params.get("allowed_updates")
        if isinstance(allowed, list):
            self._allowed_updates = frozenset(map(str, allowed)) or None
        limit = params.get("limit")
        limit = min(max(limit, 1), 100) if isinstance(limit, int) else 100
        timeout = params.get("timeout")
        wait = min(float(timeout), self.max_long_poll) if isinstance(timeout, int | float) else 0.0

        # A newer poll ends the one in flight with 409, as Telegram does.
        self._poll_generation += 1
        generation = self._poll_generation
        self._polls_waiting += 1
        self._update_signal.notify()

        loop = asyncio.get_running_loop()
        deadline = loop.time() + max(wait, 0.0)
        try:
            while True:
                if generation != self._poll_generation:
                    raise BotApiError(409, _CONFLICT)
                self._drop_unwanted_updates()
                ready = self._updates[:limit]
                remaining = deadline - loop.time()
                if ready or self._closing or remaining <= 0:
                    for pending in ready:
                        pending.delivered = True
                    if ready:
                        self._last_activity = time.monotonic()
                    return [copy.deepcopy(pending.payload) for pending in ready]
                await self._update_signal.wait(remaining)
        finally:
            self._polls_waiting -= 1

    def _drop_unwanted_updates(self) -> None:
        allowed = self._allowed_updates
        kept: list[_PendingUpdate] = []
        for pending in self._updates:
            wanted = pending.kind in allowed if allowed else pending.kind not in _OPT_IN_UPDATES
            if wanted:
                kept.append(pending)
            else:
                _LOG.warning(
                    "Dropping update %s (%s): not in the bot's allowed_updates",
                    pending.update_id,
                    pending.kind,
                )
        self._updates = kept

    async def _delete_webhook(self, request: _Request) -> bool:
        if request.params.get("drop_pending_updates") is True:
            self._updates.clear()
        return True

    async def _get_webhook_info(self, request: _Request) -> JsonDict:
        return {"url": "", "has_custom_certificate": False, "pending_update_count": 0}

    async def _set_my_commands(self, request: _Request) -> bool:
        commands = request.params.get("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise bad_request("commands must be a list of at most 100 BotCommand")
        for command in commands:
            if not isinstance(command, dict) or not _COMMAND.match(str(command.get("command"))):
                raise bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", ""))) <= 256:
                raise bad_request("command description must be 1-256 characters")
        key = self._commands_key(request.params.get("scope"), request.params.get("language_code"))
        self._commands[key] = copy.deepcopy(commands)
        return True

    async def _delete_my_commands(self, request: _Request) -> bool:
        key = self._commands_key(request.params.get("scope"), request.params.get("language_code"))
        self._commands.pop(key, None)
        return True

    async def _get_my_commands(self, request: _Request) -> list[JsonDict]:
        key = self._commands_key(request.params.get("scope"), request.params.get("language_code"))
        return copy.deepcopy(self._commands.get(key, []))

    async def _set_chat_menu_button(self, request: _Request) -> bool:
        chat_id = request.params.get("chat_id")
        button = request.params.get("menu_button")
        self._menu_buttons[chat_id if isinstance(chat_id, int) else None] = (
            button if isinstance(button, dict) else {"type": "default"}
        )
        return True

    async def _get_chat_menu_button(self, request: _Request) -> JsonDict:
        chat_id = request.params.get("chat_id")
        return self.menu_button(chat_id if isinstance(chat_id, int) else None)

    async def _send_chat_action(self, request: _Request) -> bool:
        self._require_chat_id(request.params)
        if not isinstance(request.params.get("action"), str):
            raise bad_request("action is empty")
        return True

    async def _send_message(self, request: _Request) -> JsonDict:
        params = request.params
        chat_id = self._require_chat_id(params)
        source, text = self._text_param(params)
        message = self._new_bot_message(chat_id, params)
        message["text"] = text
        if isinstance(params.get("entities"), list):
            message["entities"] = params["entities"]
        return self._store(message, source, params.get("parse_mode"))

    async def _send_photo(self, request: _Request) -> JsonDict:
        params = request.params
        chat_id = self._require_chat_id(params)
        caption = self._caption_fields(params)
        sizes = self._photo_sizes(request)
        message = self._new_bot_message(chat_id, params)
        message["photo"] = sizes
        message.update(caption)
        return self._store(message, params.get("caption"), params.get("parse_mode"))

    async def _send_document(self, request: _Request) -> JsonDict:
        params = request.params
        chat_id = self._require_chat_id(params)
        caption = self._caption_fields(params)
        document = self._document(request)
        message = self._new_bot_message(chat_id, params)
        message["document"] = document
        message.update(caption)
        return self._store(message, params.get("caption"), params.get("parse_mode"))

    async def _edit_message_text(self, request: _Request) -> JsonDict | bool:
        params = request.params
        source, text = self._text_param(params)
        markup = self._markup_param(params)
        if "inline_message_id" in params:
            return True
        key, message = self._editable(params, need="text")
        entities = params.get("entities") if isinstance(params.get("entities"), list) else None
        if (
            message.get("text") == text
            and message.get("entities") == entities
            and message.get("reply_markup") == markup
            and self._sources.get(key) == (source, self._mode(params))
        ):
            raise bad_request(_NOT_MODIFIED)
        message["text"] = text
        self._set_or_drop(message, "entities", entities)
        self._set_or_drop(message, "reply_markup", markup)
        message["edit_date"] = self._now()
        self._sources[key] = (source, self._mode(params))
        return copy.deepcopy(message)

    async def _edit_message_caption(self, request: _Request) -> JsonDict | bool:
        params = request.params
        caption = self._caption_fields(params)
        markup = self._markup_param(params)
        if "inline_message_id" in params:
            return True
        key, message = self._editable(params, need="caption")
        source = params.get("caption") if isinstance(params.get("caption"), str) else None
        if (
            message.get("caption") == caption.get("caption")
            and message.get("caption_entities") == caption.get("caption_entities")
            and message.get("reply_markup") == markup
            and self._sources.get(key) == (source, self._mode(params))
        ):
            raise bad_request(_NOT_MODIFIED)
        for field_name in ("caption", "caption_entities"):
            self._set_or_drop(message, field_name, caption.get(field_name))
        self._set_or_drop(message, "reply_markup", markup)
        message["edit_date"] = self._now()
        self._sources[key] = (source, self._mode(params))
        return copy.deepcopy(message)

    async def _edit_message_reply_markup(self, request: _Request) -> JsonDict | bool:
        params = request.params
        markup = self._markup_param(params)
        if "inline_message_id" in params:
            return True
        _, message = self._editable(params, need=None)
        if message.get("reply_markup") == markup:
            raise bad_request(_NOT_MODIFIED)
        self._set_or_drop(message, "reply_markup", markup)
        message["edit_date"] = self._now()
        return copy.deepcopy(message)

    async def _delete_message(self, request: _Request) -> bool:
        chat_id = self._require_chat_id(request.params)
        message_id = request.params.get("message_id")
        key = (chat_id, message_id if isinstance(message_id, int) else -1)
        if key not in self._messages:
            raise bad_request("message to delete not found")
        del self._messages[key]
        self._sources.pop(key, None)
        return True

    async def _delete_messages(self, request: _Request) -> bool:
        chat_id = self._require_chat_id(request.params)
        message_ids = request.params.get("message_ids")
        if not isinstance(message_ids, list) or not message_ids:
            raise bad_request("message identifiers are not specified")
        for message_id in message_ids:
            self._messages.pop((chat_id, message_id), None)
            self._sources.pop((chat_id, message_id), None)
        return True

    async def _answer_callback_query(self, request: _Request) -> bool:
        query_id = request.params.get("callback_query_id")
        if query_id not in self._issued_callbacks or query_id in self._callback_answers:
            raise bad_request(_QUERY_TOO_OLD)
        answer = {key: value for key, value in request.params.items() if key != "callback_query_id"}
        self._callback_answers[str(query_id)] = answer
        return True

    async def _get_chat(self, request: _Request) -> JsonDict:
        chat_id = self._require_chat_id(request.params)
        if chat_id not in self._users and chat_id not in self._groups:
            raise bad_request("chat not found")
        return {**self._chat_json(chat_id), "accent_color_id": 0, "max_reaction_count": 11}

    async def _get_file(self, request: _Request) -> JsonDict:
        file_id = request.params.get("file_id")
        stored = self._files.get(str(file_id))
        if stored is None:
            raise bad_request("invalid file_id")
        return {**stored.meta, "file_path": stored.file_path}

    # ------------------------------------------------------------------ method helpers

    @staticmethod
    def _require_chat_id(params: dict[str, Any]) -> int:
        chat_id = params.get("chat_id")
        if chat_id is None or chat_id == "":
            raise bad_request("chat_id is empty")
        if not isinstance(chat_id, int):
            # @channel usernames are valid on Telegram, but this bot only talks to users.
            raise bad_request("chat not found")
        return chat_id

    @staticmethod
    def _mode(params: dict[str, Any]) -> str | None:
        mode = params.get("parse_mode")
        return mode.lower() if isinstance(mode, str) else None

    @staticmethod
    def _text_param(params: dict[str, Any]) -> tuple[str, str]:
        source = params.get("text")
        if not isinstance(source, str) or not source.strip():
            raise bad_request("message text is empty")
        text = render_text(source, params.get("parse_mode"))
        if not text.strip():
            raise bad_request("message text is empty")
        if utf16_length(text) > MAX_MESSAGE_TEXT:
            raise bad_request("message is too long")
        return source, text

    @staticmethod
    def _caption_fields(params: dict[str, Any]) -> JsonDict:
        source = params.get("caption")
        if not isinstance(source, str):
            return {}
        caption = render_text(source, params.get("parse_mode"))
        if utf16_length(caption) > MAX_CAPTION:
            raise bad_request("message caption is too long")
        fields: JsonDict = {"caption": caption} if caption else {}
        if caption and isinstance(params.get("caption_entities"), list):
            fields["caption_entities"] = params["caption_entities"]
        return fields

    @staticmethod
    def _markup_param(params: dict[str, Any]) -> JsonDict | None:
        markup = params.get("reply_markup")
        check_inline_keyboard(markup)
        return inline_markup(markup)

    @staticmethod
    def _set_or_drop(message: JsonDict, key: str, value: object) -> None:
        if value is None:
            message.pop(key, None)
        else:
            message[key] = value

    def _editable(
        self, params: dict[str, Any], *, need: str | None
    ) -> tuple[tuple[int, int], JsonDict]:
        chat_id = self._require_chat_id(params)
        message_id = params.get("message_id")
        if not isinstance(message_id, int):
            raise bad_request("message identifier is not specified")
        key = (chat_id, message_id)
        message = self._messages.get(key)
        if message is None:
            raise bad_request("message to edit not found")
        if message.get("from", {}).get("id") != self.bot_id:
            raise bad_request("message can't be edited")
        if need == "text" and "text" not in message:
            raise bad_request("there is no text in the message to edit")
        if need == "caption" and not any(media in message for media in _MEDIA_KEYS):
            raise bad_request("there is no caption in the message to edit")
        return key, message

    def _new_bot_message(self, chat_id: int, params: dict[str, Any]) -> JsonDict:
        """Validate what every send shares, then allocate the message id (failures use none)."""
        markup = self._markup_param(params)
        reply_to = self._reply_target(chat_id, params)
        message: JsonDict = {
            "message_id": self._next_message_id(chat_id),
            "from": self.bot_user(),
            "chat": self._chat_json(chat_id),
            "date": self._now(),
        }
        if reply_to is not None:
            message["reply_to_message"] = reply_to
        if markup is not None:
            message["reply_markup"] = markup
        return message

    def _reply_target(self, chat_id: int, params: dict[str, Any]) -> JsonDict | None:
        reply = params.get("reply_parameters")
        if isinstance(reply, dict):
            target_chat = reply.get("chat_id", chat_id)
            target_id = reply.get("message_id")
            allow_missing = reply.get("allow_sending_without_reply") is True
        elif isinstance(params.get("reply_to_message_id"), int):
            target_chat = chat_id
            target_id = params["reply_to_message_id"]
            allow_missing = params.get("allow_sending_without_reply") is True
        else:
            return None
        target = None
        if isinstance(target_chat, int) and isinstance(target_id, int):
            target = self._messages.get((target_chat, target_id))
        if target is None:
            if allow_missing:
                return None
            raise bad_request("message to be replied not found")
        replied = copy.deepcopy(target)
        replied.pop("reply_to_message", None)
        return replied

    def _store(self, message: JsonDict, source: object, parse_mode: object) -> JsonDict:
        key = (int(message["chat"]["id"]), int(message["message_id"]))
        self._messages[key] = message
        mode = parse_mode.lower() if isinstance(parse_mode, str) else None
        self._sources[key] = (source if isinstance(source, str) else None, mode)
        return copy.deepcopy(message)

    def _new_file(self, data: bytes, *, prefix: str, path: str, **meta: Any) -> JsonDict:
        self._file_counter += 1
        number = self._file_counter
        file_meta: JsonDict = {
            "file_id": f"{prefix}AgADBAADx{number:08d}",
            "file_unique_id": f"AQAD{number:08d}",
            "file_size": len(data),
            **meta,
        }
        self._files[file_meta["file_id"]] = _StoredFile(
            file_meta, bytes(data), f"{path}/file_{number}"
        )
        return file_meta

    def _uploaded(self, request: _Request, field_name: str) -> UploadedFile | None:
        reference = request.params.get(field_name)
        if isinstance(reference, str) and reference.startswith("attach://"):
            return request.files.get(reference.removeprefix("attach://"))
        return request.files.get(field_name)

    def _photo_sizes(self, request: _Request) -> list[JsonDict]:
        upload = self._uploaded(request, "photo")
        reference = request.params.get("photo")
        if upload is None and isinstance(reference, str) and reference in self._photos:
            return copy.deepcopy(self._photos[reference])
        if upload is None and isinstance(reference, str) and reference.startswith("http"):
            upload = UploadedFile(b"", filename=reference)
        if upload is None:
            if isinstance(reference, str) and reference:
                raise bad_request("wrong file identifier/HTTP URL specified")
            raise bad_request("there is no photo in the request")
        width, height = png_dimensions(upload) or _DEFAULT_PHOTO_SIZE
        sizes: list[JsonDict] = []
        # Telegram adds downscaled copies (smallest first) only for images bigger than them.
        if max(width, height) > _THUMBNAIL_SIDE:
            scale = _THUMBNAIL_SIDE / max(width, height)
            sizes.append(
                self._new_file(
                    upload,
                    prefix="AgACAgIAAxkDAAI",
                    path="photos",
                    width=max(1, round(width * scale)),
                    height=max(1, round(height * scale)),
                )
            )
        sizes.append(
            self._new_file(
                upload, prefix="AgACAgIAAxkDAAI", path="photos", width=width, height=height
            )
        )
        for size in sizes:
            self._photos[size["file_id"]] = sizes
        return copy.deepcopy(sizes)

    def _document(self, request: _Request) -> JsonDict:
        upload = self._uploaded(request, "document")
        reference = request.params.get("document")
        if upload is None and isinstance(reference, str):
            stored = self._files.get(reference)
            if stored is not None and "file_name" in stored.meta:
                return copy.deepcopy(stored.meta)
            raise bad_request("wrong file identifier/HTTP URL specified")
        if upload is None:
            raise bad_request("there is no document in the request")
        file_name = upload.filename or "document"
        mime_type = (
            upload.content_type or mimetypes.guess_type(file_name)[0] or "application/octet-stream"
        )
        return self._new_file(
            upload,
            prefix="BQACAgIAAxkDAAI",
            path="documents",
            file_name=file_name,
            mime_type=mime_type,
        )
