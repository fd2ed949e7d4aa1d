"""`python -m bot alerts replay DIARY.csv` as an auditor runs it: no token, no database."""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.domain.alerts import AlertKind
from bot.services.alert_replay import DiaryError, read_diary, replay
from tests.unit.test_cli import run_cli

HEADER = "client,timezone,at,leg,back"
# Nothing the replay needs: a bad DATABASE_URL and no token must not matter.
NO_BOT = {"DATABASE_URL": "oracle://scott:tiger@db"}


def _diary(tmp_path: Path, rows: list[str]) -> Path:
    path = tmp_path / "diary.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def _rising_client(name: str, zone: str) -> list[str]:
    """Four ordinary weeks around 3, then leg pain at 7 for four evenings."""
    tz = ZoneInfo(zone)
    legs = [3, 2, 3, 4, 3, 3, 2] * 4 + [7, 7, 7, 7]
    first = date(2026, 3, 2)
    evenings = [datetime.combine(first + timedelta(days=i), time(20, 15), tz) for i in range(32)]
    return [
        f"{name},{zone},{at.isoformat()},{leg},2" for at, leg in zip(evenings, legs, strict=True)
    ]


def test_json_gives_one_object_per_alert_raised_at_the_checkin(tmp_path: Path) -> None:
    path = _diary(tmp_path, _rising_client("c-17", "Europe/London"))

    result = run_cli("alerts", "replay", str(path), "--json", cwd=tmp_path, env=NO_BOT)

    assert result.returncode == 0, result.stderr
    alerts = [json.loads(line) for line in result.stdout.splitlines()]
    worsening = [a for a in alerts if a["kind"] == "worsening_leg"]
    assert worsening and set(worsening[0]) == {"client", "kind", "raised_at", "evidence"}
    assert worsening[0]["client"] == "c-17"
    # Raised at an evening check-in: 20:15 in London is 19:15 UTC after the clocks go forward.
    raised = datetime.fromisoformat(worsening[0]["raised_at"])
    assert raised.tzinfo is not None and raised.utcoffset() == timedelta(0)
    assert (raised.hour, raised.minute) == (19, 15)
    assert worsening[0]["evidence"]["usual"] == 3.0


def test_the_table_reads_as_the_therapist_would(tmp_path: Path) -> None:
    path = _diary(tmp_path, _rising_client("c-17", "Europe/London"))

    result = run_cli("alerts", "replay", str(path), cwd=tmp_path, env=NO_BOT)

    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == [
        "raised",
        "at",
        "(UTC)",
        "client",
        "kind",
        "what",
        "the",
        "therapist",
        "reads",
    ]
    assert any("worsening_leg" in line and "Usually about 3" in line for line in lines)


def test_sensitivity_and_until_are_honoured(tmp_path: Path) -> None:
    path = _diary(tmp_path, _rising_client("c-17", "Europe/London"))
    before_the_rise = "2026-03-29T00:00:00+00:00"

    result = run_cli(
        "alerts",
        "replay",
        str(path),
        "--json",
        "--until",
        before_the_rise,
        "--sensitivity",
        "strict",
        cwd=tmp_path,
        env=NO_BOT,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize(
    ("row", "problem"),
    [
        ("c1,Europe/London,2026-03-02T08:00:00+00:00,11,2", "leg must be a whole number"),
        ("c1,Europe/London,2026-03-02T08:00:00+00:00,3,x", "back must be a whole number"),
        ("c1,Narnia/Cair,2026-03-02T08:00:00+00:00,3,2", "timezone must be an IANA name"),
        ("c1,Europe/London,2026-03-02T08:00:00,3,2", "at needs its UTC offset"),
        ("c1,Europe/London,yesterday,3,2", "at must be an ISO-8601 instant"),
        ("c1,Europe/London,2026-03-02T08:00:00+00:00,3", "expected 5 fields, found 4"),
        (",Europe/London,2026-03-02T08:00:00+00:00,3,2", "client must not be empty"),
        ("c0,Asia/Tokyo,2026-03-03T08:00:00+00:00,3,2", "changes time zone"),
    ],
)
def test_each_kind_of_bad_row_is_named_by_file_and_line(
    tmp_path: Path, row: str, problem: str
) -> None:
    path = _diary(tmp_path, ["c0,Europe/London,2026-03-02T08:00:00+00:00,3,", row])

    with pytest.raises(DiaryError) as raised:
        read_diary(path)

    assert str(raised.value).startswith(f"{path}:3: ") and problem in str(raised.value)


def test_a_bad_row_stops_the_command_with_its_line_and_nothing_else(tmp_path: Path) -> None:
    path = _diary(
        tmp_path,
        [
            "c0,Europe/London,2026-03-02T08:00:00+00:00,3,",
            "c0,Europe/London,2026-03-03T08:00:00+00:00,12,2",
        ],
    )

    result = run_cli("alerts", "replay", str(path), "--json", cwd=tmp_path, env=NO_BOT)

    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr.splitlines() == [
        f"{path}:3: leg must be a whole number from 0 to 10: '12'"
    ]


def test_a_wrong_header_is_line_1(tmp_path: Path) -> None:
    path = tmp_path / "diary.csv"
    path.write_text("who,when,leg\nc1,2026-03-02T08:00:00+00:00,3\n", encoding="utf-8")

    with pytest.raises(DiaryError) as raised:
        read_diary(path)

    assert str(raised.value) == f"{path}:1: the header must be {HEADER}"


async def test_an_empty_back_score_never_makes_a_back_trend(tmp_path: Path) -> None:
    rows = [row.rsplit(",", 1)[0] + "," for row in _rising_client("c-17", "Europe/London")]

    alerts = await replay(read_diary(_diary(tmp_path, rows)))

    kinds = {a.kind for a in alerts}
    assert AlertKind.WORSENING_LEG in kinds and AlertKind.WORSENING_BACK not in kinds
