"""Who may receive a client's data: one rule, checked when a message is written and again
when it is sent (DESIGN.md "Safety, privacy, reliability").

* The client themselves.
* Their own therapist — only while that therapist is still in THERAPIST_IDS. A therapist
  removed from THERAPIST_IDS stops receiving anything about their former clients at once,
  even messages already queued; `python -m bot clients reassign` hands the clients on.
* For red flags only, the ids in RED_FLAG_ALSO_NOTIFY (e.g. a clinic's duty therapist); the
  consent and /privacy texts name this when it is set.
* Nobody else, ever: not "every therapist".
"""

from __future__ import annotations

import enum
from collections.abc import Iterable


class Audience(enum.StrEnum):
    CLIENT = "client"  # the client whose data it is
    THERAPIST = "therapist"  # the client's own therapist
    RED_FLAG = "red_flag"  # own therapist + RED_FLAG_ALSO_NOTIFY
    STAFF = "staff"  # a therapist in THERAPIST_IDS, about no stored client (an erasure)


def recipients(
    audience: Audience,
    *,
    client_chat: int | None,
    own_therapist_chat: int | None,
    therapist_ids: Iterable[int],
    also_notify: Iterable[int] = (),
) -> tuple[int, ...]:
    """Every chat allowed to receive a message for `audience` about this client, sorted."""
    allowed = set(therapist_ids)
    chats: set[int] = set()
    if audience is Audience.CLIENT:
        if client_chat is not None:
            chats.add(client_chat)
        return tuple(sorted(chats))
    if own_therapist_chat is not None and own_therapist_chat in allowed:
        chats.add(own_therapist_chat)
    if audience is Audience.RED_FLAG:
        chats.update(also_notify)
    return tuple(sorted(chats))


def may_receive(
    chat_id: int,
    audience: Audience,
    *,
    client_chat: int | None,
    own_therapist_chat: int | None,
    therapist_ids: Iterable[int],
    also_notify: Iterable[int] = (),
) -> bool:
    """True if `chat_id` may be sent this message now (the send-time check)."""
    if audience is Audience.STAFF:
        return chat_id in set(therapist_ids)
    return chat_id in recipients(
        audience,
        client_chat=client_chat,
        own_therapist_chat=own_therapist_chat,
        therapist_ids=therapist_ids,
        also_notify=also_notify,
    )
