"""Telegram Bot API JSON shapes, built the way the real server builds them.

Pure functions and small value types used by :mod:`tests.support.botapi_double`: users and
chats, ``bot_command`` entities, decoding of form-encoded parameters, the HTML parse mode and
the limits Telegram enforces on messages and inline keyboards. Nothing here does I/O.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass
from typing import Any, Self

JsonDict = dict[str, Any]

# Telegram's limits (https://core.telegram.org/bots/api#sendmessage, #inlinekeyboardbutton).
MAX_MESSAGE_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA_BYTES = 64

# Supergroup and channel ids are -100xxxxxxxxxx; basic groups are small negative numbers.
_SUPERGROUP_ID_CEILING = -1_000_000_000_000


@dataclass(frozen=True, slots=True)
class TgUser:
    """A Telegram user as the tests play them (a client, a therapist, a stranger)."""

    id: int
    first_name: str
    username: str | None = None
    language_code: str | None = "en"
    last_name: str | None = None

    def to_json(self) -> JsonDict:
        """The ``User`` object Telegram puts in ``from`` fields."""
        user: JsonDict = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.last_name is not None:
            user["last_name"] = self.last_name
        if self.username is not None:
            user["username"] = self.username
        if self.language_code is not None:
            user["language_code"] = self.language_code
        return user

    def private_chat(self) -> JsonDict:
        """The ``Chat`` object of this user's private chat with the bot (chat id == user id)."""
        chat: JsonDict = {"id": self.id, "type": "private", "first_name": self.first_name}
        if self.last_name is not None:
            chat["last_name"] = self.last_name
        if self.username is not None:
            chat["username"] = self.username
        return chat


class UploadedFile(bytes):
    """The bytes of a multipart upload, still carrying the file name and content type.

    Compares equal to plain ``bytes``, so ``call.files["photo"] == png_bytes`` works.
    """

    filename: str | None
    content_type: str | None

    def __new__(
        cls, data: bytes, *, filename: str | None = None, content_type: str | None = None
    ) -> Self:
        instance = super().__new__(cls, data)
        instance.filename = filename
        instance.content_type = content_type
        return instance


class BotApiError(Exception):
    """An error reply in Telegram's shape: ``{"ok": false, "error_code", "description"}``."""

    def __init__(
        self, error_code: int, description: str, parameters: JsonDict | None = None
    ) -> None:
        super().__init__(f"{error_code}: {description}")
        self.error_code = error_code
        self.description = description
        self.parameters = parameters

    def to_json(self) -> JsonDict:
        body: JsonDict = {
            "ok": False,
            "error_code": self.error_code,
            "description": self.description,
        }
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(reason: str) -> BotApiError:
    return BotApiError(400, f"Bad Request: {reason}")


def utf16_length(text: str) -> int:
    """Entity offsets and lengths are counted in UTF-16 code units, not code points."""
    return len(text.encode("utf-16-le")) // 2


def bot_command_entities(text: str) -> list[JsonDict]:
    """The ``bot_command`` entity Telegram attaches to a message starting with ``/command``."""
    match = re.match(r"/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?", text)
    if match is None:
        return []
    return [{"type": "bot_command", "offset": 0, "length": utf16_length(match.group())}]


def group_chat(chat_id: int, title: str) -> JsonDict:
    kind = "supergroup" if chat_id <= _SUPERGROUP_ID_CEILING else "group"
    return {"id": chat_id, "type": kind, "title": title}


def chat_instance_for(chat_id: int) -> str:
    """A stable opaque ``chat_instance`` per chat, as Telegram sends with callback queries."""
    return str((chat_id * 2_654_435_761) % 10**19)


# Parameters whose values are free text or identifiers. PTB sends every ``str`` parameter
# verbatim and JSON-encodes everything else, so a text of "42" or "true" must stay a string.
_STRING_PARAMS = frozenset(
    {
        "action",
        "address",
        "animation",
        "audio",
        "business_connection_id",
        "callback_query_id",
        "caption",
        "currency",
        "custom_title",
        "description",
        "document",
        "emoji",
        "error_message",
        "explanation",
        "file_id",
        "file_name",
        "first_name",
        "foursquare_id",
        "foursquare_type",
        "game_short_name",
        "google_place_id",
        "google_place_type",
        "inline_message_id",
        "inline_query_id",
        "invite_link",
        "ip_address",
        "language_code",
        "last_name",
        "message_effect_id",
        "name",
        "next_offset",
        "parse_mode",
        "payload",
        "phone_number",
        "photo",
        "pre_checkout_query_id",
        "provider_token",
        "question",
        "secret_token",
        "shipping_query_id",
        "short_description",
        "start_parameter",
        "sticker",
        "text",
        "thumbnail",
        "title",
        "url",
        "vcard",
        "video",
        "video_note",
        "voice",
    }
)


def decode_form_value(name: str, value: str) -> Any:
    """Undo PTB's encoding of one form field: JSON for non-strings, verbatim for strings.

    ``chat_id=42`` becomes ``42``, ``reply_markup={...}`` a dict, ``disable_notification=true``
    ``True``; ``text=42`` stays ``"42"`` and ``chat_id=@channel`` stays ``"@channel"``.
    """
    if name in _STRING_PARAMS:
        return value
    try:
        decoded = json.loads(value)
    except ValueError:
        return value
    if isinstance(decoded, str):
        return value
    return decoded


# The HTML subset of https://core.telegram.org/bots/api#html-style; anything else is rejected.
_HTML_TAGS = frozenset(
    {
        "a",
        "b",
        "blockquote",
        "code",
        "del",
        "em",
        "i",
        "ins",
        "pre",
        "s",
        "span",
        "strike",
        "strong",
        "tg-emoji",
        "tg-spoiler",
        "tg-time",
        "u",
    }
)
_HTML_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)([^<>]*)>")
_HTML_ENTITY = re.compile(r"&(lt|gt|amp|quot|#[0-9]+|#[xX][0-9a-fA-F]+);")


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


def render_html(source: str) -> str:
    """The plain text Telegram shows for an HTML ``parse_mode`` message.

    Raises :class:`BotApiError` 400 "can't parse entities" where Telegram would: unsupported
    or unbalanced tags and a bare ``<`` (e.g. unescaped user input in a template).
    """
    plain: list[str] = []
    open_tags: list[str] = []
    index = 0
    while index < len(source):
        char = source[index]
        if char == "<":
            tag = _HTML_TAG.match(source, index)
            offset = _byte_offset(source, index)
            if tag is None:
                raise bad_request(
                    f"can't parse entities: Unclosed start tag at byte offset {offset}"
                )
            closing, name = tag.group(1) == "/", tag.group(2).lower()
            if name not in _HTML_TAGS:
                kind = "end" if closing else "start"
                raise bad_request(
                    f'can\'t parse entities: Unsupported {kind} tag "{name}" '
                    f"at byte offset {offset}"
                )
            if not closing:
                open_tags.append(name)
            elif not open_tags or open_tags[-1] != name:
                raise bad_request(
                    f"can't parse entities: Unmatched end tag at byte offset {offset}, "
                    f'expected "</{open_tags[-1] if open_tags else ""}>", found "</{name}>"'
                )
            else:
                open_tags.pop()
            index = tag.end()
        elif char == "&" and (entity := _HTML_ENTITY.match(source, index)):
            plain.append(html.unescape(entity.group()))
            index = entity.end()
        else:
            plain.append(char)
            index += 1
    if open_tags:
        raise bad_request(
            "can't parse entities: Can't find end tag corresponding to start tag "
            f'"{open_tags[-1]}"'
        )
    return "".join(plain)


def render_text(source: str, parse_mode: object) -> str:
    """Text as displayed: HTML is parsed and checked; other modes are kept verbatim."""
    if isinstance(parse_mode, str) and parse_mode.lower() == "html":
        return render_html(source)
    return source


def check_inline_keyboard(markup: object) -> None:
    """Reject inline keyboards Telegram would reject (callback data over 64 bytes, text buttons)."""
    if not isinstance(markup, dict) or "inline_keyboard" not in markup:
        return
    for row in markup["inline_keyboard"]:
        for button in row:
            actions = set(button) - {"text"}
            if not actions:
                raise bad_request("text buttons are unallowed in the inline keyboard")
            data = button.get("callback_data")
            if data is not None and not 1 <= len(str(data).encode("utf-8")) <= (
                MAX_CALLBACK_DATA_BYTES
            ):
                raise bad_request("BUTTON_DATA_INVALID")


def inline_markup(markup: object) -> JsonDict | None:
    """A sent Message only echoes inline keyboards; reply keyboards are not part of it."""
    if isinstance(markup, dict) and "inline_keyboard" in markup:
        return markup
    return None


def png_dimensions(data: bytes) -> tuple[int, int] | None:
    """Width and height from a PNG's IHDR chunk, or None for anything else."""
    if len(data) >= 24 and data.startswith(b"\x89PNG\r\n\x1a\n") and data[12:16] == b"IHDR":
        return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    return None
