"""Spreadsheet files for the exports: CSV that opens cleanly in Excel, Numbers or Sheets, and
zips of several.

Every text cell goes through `neutralised` (OWASP's rule against CSV injection): a cell that
starts with `=`, `+`, `-`, `@`, a tab or a carriage return would be read as a formula by a
spreadsheet program — a client's note `=HYPERLINK("http://…"&A2,"click")` would become a live
link leaking the row — so it gets a leading apostrophe, which spreadsheets show as text.
Numbers are written as numbers.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# File names: ASCII letters, digits and hyphens only (safe on every OS, in every mail client).
_UNSAFE = re.compile(r"[^A-Za-z0-9]+")
MAX_STEM = 40


@dataclass(frozen=True)
class Sheet:
    """One CSV file: its name and content."""

    filename: str
    content: bytes


def neutralised(value: object) -> object:
    """The value as a spreadsheet should store it: text starting like a formula is quoted."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_sheet(filename: str, header: Sequence[str], rows: Iterable[Sequence[object]]) -> Sheet:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([neutralised(h) for h in header])
    for row in rows:
        writer.writerow(["" if v is None else neutralised(v) for v in row])
    # UTF-8 with BOM: Excel then reads names, notes and "×" correctly.
    return Sheet(filename, buffer.getvalue().encode("utf-8-sig"))


def zipped(sheets: Sequence[Sheet], *, folder: str, now: datetime) -> bytes:
    """The sheets in one zip, inside `folder/` so unzipping makes one tidy folder."""
    buffer = io.BytesIO()
    stamp = now.timetuple()[:6]
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for sheet in sheets:
            info = zipfile.ZipInfo(f"{folder}/{sheet.filename}", date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, sheet.content)
    return buffer.getvalue()


def safe_file_stem(name: str, fallback: str) -> str:
    """A person's name as part of a file name: "Zoë O'Brien" → "Zoe-O-Brien"."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    stem = _UNSAFE.sub("-", ascii_name).strip("-")[:MAX_STEM].strip("-")
    return stem or fallback
