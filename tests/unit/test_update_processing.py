"""Updates from different users run side by side; one user's updates never overlap."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from telegram import Chat, Message, Update, User

from bot.update_processing import PerUserUpdateProcessor


def _update(update_id: int, user_id: int) -> Update:
    user = User(id=user_id, first_name="U", is_bot=False)
    chat = Chat(id=user_id, type="private")
    message = Message(
        message_id=update_id, date=datetime(2026, 6, 1, tzinfo=UTC), chat=chat, from_user=user
    )
    return Update(update_id=update_id, message=message)


async def _run(processor: PerUserUpdateProcessor, updates: list[Update]) -> list[str]:
    events: list[str] = []

    async def handle(update: Update) -> None:
        events.append(f"start {update.update_id}")
        await asyncio.sleep(0.01)
        events.append(f"end {update.update_id}")

    async with processor:
        await asyncio.gather(*(processor.process_update(u, handle(u)) for u in updates))
    return events


async def test_a_users_second_update_waits_for_the_first() -> None:
    events = await _run(PerUserUpdateProcessor(8), [_update(1, 42), _update(2, 42)])
    assert events == ["start 1", "end 1", "start 2", "end 2"]


async def test_different_users_are_served_at_the_same_time() -> None:
    events = await _run(PerUserUpdateProcessor(8), [_update(1, 42), _update(2, 43)])
    assert events[:2] == ["start 1", "start 2"]


async def test_idle_users_are_forgotten() -> None:
    processor = PerUserUpdateProcessor(8)
    await _run(processor, [_update(i, 1000 + i) for i in range(50)])
    assert processor._locks == {}
