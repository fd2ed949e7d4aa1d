"""Reading the exports back as a person's spreadsheet program would: CSV sheets, zips of them."""

from __future__ import annotations

import csv
import io
import zipfile


def sheet_rows(content: bytes) -> list[dict[str, str]]:
    """A CSV export's rows by header (UTF-8 with BOM, as the bot writes them)."""
    assert content.startswith(b"\xef\xbb\xbf"), "exports start with a UTF-8 BOM for Excel"
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


def zip_sheets(content: bytes) -> dict[str, list[dict[str, str]]]:
    """Each CSV in an export zip, by file name (without its folder)."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        assert archive.testzip() is None
        return {
            name.rsplit("/", 1)[-1]: sheet_rows(archive.read(name)) for name in archive.namelist()
        }
