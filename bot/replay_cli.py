"""`python -m bot alerts replay DIARY.csv`: the replay's alerts as JSON lines or a table.

The replay itself is `bot.services.alert_replay`; this module only prints what it returns.
Unlike `tick` and `summary` it needs no settings: the replay has a database of its own and
talks to no one.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC

from bot.services.alert_replay import ReplayedAlert
from bot.texts.alerts import details_for

TABLE_HEADER = ("raised at (UTC)", "client", "kind", "what the therapist reads")
NO_ALERTS = "No alerts."


def json_lines(alerts: Sequence[ReplayedAlert]) -> list[str]:
    """One JSON object per alert: client, kind, raised_at (ISO UTC), evidence."""
    return [json.dumps(a.as_json(), ensure_ascii=False) for a in alerts]


def table(alerts: Sequence[ReplayedAlert]) -> str:
    """One line per alert; the evidence as the therapist reads it under the alert's title."""
    if not alerts:
        return NO_ALERTS
    rows = [
        (
            f"{a.raised_at.astimezone(UTC):%Y-%m-%d %H:%M}",
            a.client,
            a.kind.value,
            details_for(a.kind, a.evidence),
        )
        for a in alerts
    ]
    widths = [max(len(row[i]) for row in [TABLE_HEADER, *rows]) for i in range(3)]
    return "\n".join(
        "  ".join([*(cell.ljust(w) for cell, w in zip(row[:3], widths, strict=True)), row[3]])
        for row in [TABLE_HEADER, *rows]
    )
