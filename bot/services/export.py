"""Referral exports for coordinators: a CSV and an XLSX written in one streaming pass.

Rows arrive as an async iterator of batches (keyset pages from the database) and each batch is written
straight to files in a directory the caller owns, so 100k referrals never sit in memory at once. The
writing itself is blocking (csv, openpyxl), so every batch is handed to a worker thread and the bot keeps
answering other users meanwhile.

The files hold every name and phone, so they live in the bot's own folder beside the database (mode 0700,
emptied at every start: a process killed mid-export leaves nothing behind for long), never in the
system's temp folder. That includes openpyxl's own temporary sheet file, which it would otherwise put there.
"""

from __future__ import annotations

import asyncio
import contextvars
import os
import re
import shutil
import tempfile
from collections.abc import AsyncIterable, Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet import _writer as openpyxl_writer

from bot.content.catalogue import region_id
from bot.services.parsing import parse_iso_date
from bot.services.referrals import Kind, Referral, ReferralFilter, Status, parse_reference
from bot.services.schedule import BISHKEK

# (header, column width in characters): one list, so headers and widths can never drift apart.
# Every XLSX cell costs several microseconds in openpyxl, so only columns a coordinator works with are
# exported. Times are Bishkek time, as everywhere staff read them; the status is a word in the coordinator's
# language beside its code (for filters and formulas).
COLUMNS: tuple[tuple[str, int], ...] = (
    ("Reference", 16),
    ("Created (Bishkek time)", 19),
    ("Status", 16),
    ("Status code", 11),
    ("Item", 26),
    ("Title", 45),
    ("Region", 12),
    ("City", 18),
    ("Name", 28),
    ("Phone", 16),
    ("Comment", 60),
    ("Decline reason", 24),
    ("Language", 9),
    ("Notes and history", 80),
)
_PHONE = [title for title, _ in COLUMNS].index("Phone")
FILTER_KEYS = ("status", "region", "programme", "from", "to")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_CSV_SPECIAL = (";", ",", '"', "\n", "\r")
_FORMULA_AFTER_BREAK = re.compile(r"(^|[;,\r\n\"])([=+\-@\t\r])")
_ITEM_ID = re.compile(r"^[a-z0-9_]{1,32}$")

Titles = Mapping[tuple[Kind, str], str]


@dataclass(frozen=True)
class RowDetails:
    """What a row adds to the stored referral, worked out by the caller in the coordinator's language."""

    status: str  # the status word
    reason: str | None = None  # the decline reason, in words
    language: str | None = None  # the migrant's language code
    history: str | None = None  # notes and status changes, one per line, oldest first


# Gives the details of a batch of referrals, by id (db.referrals.export_details and the texts).
Describe = Callable[[Sequence[Referral]], Awaitable[Mapping[int, RowDetails]]]

# The folder openpyxl's temporary sheet files go to, for the export being written (worker threads started
# by asyncio.to_thread inherit it); unset, openpyxl keeps its own default.
_temp_dir: contextvars.ContextVar[Path | None] = contextvars.ContextVar("koldoo_export_temp", default=None)
_openpyxl_temporary_file = openpyxl_writer.create_temporary_file


def _temporary_file(suffix: str = "") -> str:
    directory = _temp_dir.get()
    if directory is None:
        return _openpyxl_temporary_file(suffix)
    handle, name = tempfile.mkstemp(suffix=suffix, prefix="openpyxl.", dir=directory)
    os.close(handle)
    openpyxl_writer.ALL_TEMP_FILES.append(name)
    return name


openpyxl_writer.create_temporary_file = _temporary_file


POSTGRESQL_EXPORT_DIR = Path("data/koldoo.exports")  # relative to the bot's working folder, like the SQLite file


def export_dir(database_path: Path | None) -> Path:
    """The bot's private folder for export files, beside the SQLite database: `koldoo.sqlite3.exports`;
    with PostgreSQL (no database file), `data/koldoo.exports`."""
    if database_path is None:
        return POSTGRESQL_EXPORT_DIR
    return database_path.with_name(database_path.name + ".exports")


def reset_export_dir(directory: Path) -> None:
    """Create the folder readable by the bot's user only, and empty it (what a killed export left)."""
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    directory.chmod(0o700)
    for entry in directory.iterdir():
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)


@dataclass(frozen=True)
class ExportFiles:
    csv_path: Path
    xlsx_path: Path
    rows: int


class FilterError(ValueError):
    """A malformed `/export` argument; `reason` is a stable code the handler turns into a usage line."""

    def __init__(self, reason: str, token: str) -> None:
        super().__init__(f"{reason}: {token}")
        self.reason = reason
        self.token = token


def parse_filters(text: str | None) -> ReferralFilter:
    """`status=new region=Osh programme=vocational_lyceums from=2026-01-01 to=2026-12-31`, any subset.

    Raises FilterError naming the first bad token: unknown keys, repeated keys, bad values and a `from`
    after `to` are all refused rather than silently ignored, so an export never quietly covers more rows
    than the coordinator asked for.
    """
    values: dict[str, str] = {}
    for token in (text or "").split():
        key, sep, value = token.partition("=")
        key = key.lower()
        if not sep or not value:
            raise FilterError("syntax", token)
        if key not in FILTER_KEYS:
            raise FilterError("unknown_key", token)
        if key in values:
            raise FilterError("duplicate_key", token)
        values[key] = value
    return filter_of(values)


def filter_of(values: Mapping[str, str]) -> ReferralFilter:
    """The filter named by `values` (keys of FILTER_KEYS, and `reference`); raises FilterError like
    `parse_filters`. The console's filter form comes here too, so both edges accept the same values."""
    reference = values.get("reference")
    referral_id = parse_reference(reference) if reference else None
    if reference and referral_id is None:
        raise FilterError("reference", f"reference={reference}")
    flt = ReferralFilter(
        status=_parse_status(values.get("status")),
        region=_parse_region(values.get("region")),
        item_id=_parse_item(values.get("programme")),
        date_from=_parse_date("from", values.get("from")),
        date_to=_parse_date("to", values.get("to")),
        referral_id=referral_id,
    )
    if flt.date_from and flt.date_to and flt.date_from > flt.date_to:
        raise FilterError("range", f"from={values['from']} to={values['to']}")
    return flt


def _parse_status(value: str | None) -> Status | None:
    if value is None:
        return None
    try:
        return Status(value.lower())
    except ValueError:
        raise FilterError("status", f"status={value}") from None


def _parse_region(value: str | None) -> str | None:
    if value is None:
        return None
    found = region_id(value)
    if found is None:
        raise FilterError("region", f"region={value}")
    return found


def _parse_item(value: str | None) -> str | None:
    if value is not None and not _ITEM_ID.match(value):
        raise FilterError("programme", f"programme={value}")
    return value


def _parse_date(key: str, value: str | None) -> date | None:
    if value is None:
        return None
    parsed = parse_iso_date(value)
    if parsed is None:
        raise FilterError("date", f"{key}={value}")
    return parsed


def export_name(day: date, suffix: str) -> str:
    """`referrals-2026-11-25.csv`: the file name a coordinator sees in the chat."""
    return f"referrals-{day.isoformat()}.{suffix}"


def neutralise(value: str) -> str:
    """Prefix a quote to a text Excel would read as a formula (`=cmd|...`, `+1+1`, `@SUM`)."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def row_values(referral: Referral, titles: Titles, details: RowDetails | None = None) -> tuple[Any, ...]:
    """The cells of one export row, in `COLUMNS` order.

    Dates stay dates (naive Bishkek time, as Excel wants); missing values are None, which both writers leave
    empty (and openpyxl skips without cost).
    """
    details = details or RowDetails(status=referral.status.value)
    return (
        referral.reference,
        referral.created_at.astimezone(BISHKEK).replace(tzinfo=None),
        details.status,
        referral.status.value,
        referral.item_id,
        titles.get((referral.kind, referral.item_id)),
        referral.region,
        referral.city,
        referral.name,
        referral.phone,
        referral.comment,
        details.reason,
        details.language,
        details.history,
    )


class _Writers:
    """The two open outputs of one export; `write` and `close` are blocking and run in a worker thread."""

    def __init__(self, csv_path: Path, xlsx_path: Path) -> None:
        self.xlsx_path = xlsx_path
        # utf-8-sig writes the BOM Excel needs to read Cyrillic correctly.
        self._csv_file: IO[str] = csv_path.open("w", encoding="utf-8-sig", newline="")
        self._book = Workbook(write_only=True)
        self._sheet = self._book.create_sheet("Referrals")
        self._sheet.freeze_panes = "A2"
        for index, (_, width) in enumerate(COLUMNS, start=1):
            self._sheet.column_dimensions[get_column_letter(index)].width = width
        bold = Font(bold=True)
        header = [WriteOnlyCell(self._sheet, value=title) for title, _ in COLUMNS]
        for cell in header:
            cell.font = bold
        self._sheet.append(header)
        self._csv_file.write(csv_line([title for title, _ in COLUMNS]))

    def write(self, rows: Sequence[tuple[Any, ...]]) -> None:
        for values in rows:
            self._csv_file.write(csv_line(values))
            cells = [self._xlsx_cell(value) for value in values]
            if values[_PHONE] is not None:
                cells[_PHONE] = self._text_cell(values[_PHONE])
            self._sheet.append(cells)

    def _text_cell(self, value: str) -> WriteOnlyCell:
        """A phone as plain text: never a number (Excel drops the +) nor a formula (`+996...`)."""
        cell = WriteOnlyCell(self._sheet, value=ILLEGAL_CHARACTERS_RE.sub("", value))
        cell.data_type = "s"
        cell.number_format = "@"
        return cell

    def _xlsx_cell(self, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
        if not value.startswith("="):
            return value
        cell = WriteOnlyCell(self._sheet, value=value)
        cell.data_type = "s"  # stored as text: openpyxl would otherwise write it as a live formula
        return cell

    def close(self) -> None:
        self._csv_file.close()
        self._book.save(self.xlsx_path)


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    return _FORMULA_AFTER_BREAK.sub(r"\1'\2", value) if isinstance(value, str) else str(value)


def csv_field(value: Any) -> str:
    """One CSV cell, guarded against formulas and quoted when it holds a separator, quote or line break.

    Excel in Russian and Kyrgyz uses `;` as the list separator, English Excel `,`: each splits the file on
    its own, and honours quotes only at the start of a cell. So a field is quoted when it holds either
    separator, and the formula guard applies to each piece either could make a cell of (after a `;`, a `,`,
    a line break or a quote), not only to the start of the field.
    """
    text = _csv_cell(value)
    if any(char in text for char in _CSV_SPECIAL):
        return '"' + text.replace('"', '""') + '"'
    return text


def csv_line(values: Sequence[Any]) -> str:
    return ",".join(csv_field(value) for value in values) + "\r\n"


async def write_exports(
    batches: AsyncIterable[Sequence[Referral]],
    directory: Path,
    day: date,
    titles: Titles,
    describe: Describe | None = None,
) -> ExportFiles:
    """Write the CSV and XLSX of `day` (see `export_name`) into `directory` from the streamed batches;
    `describe` gives each batch's status words, reasons, languages and histories (without it: codes only).

    openpyxl's temporary files go to `directory` too.
    """
    csv_path, xlsx_path = directory / export_name(day, "csv"), directory / export_name(day, "xlsx")
    _temp_dir.set(directory)
    writers = await asyncio.to_thread(_Writers, csv_path, xlsx_path)
    count = 0
    try:
        async for batch in batches:
            details = await describe(batch) if describe is not None else {}
            rows = [row_values(referral, titles, details.get(referral.id)) for referral in batch]
            await asyncio.to_thread(writers.write, rows)
            count += len(rows)
    finally:
        await asyncio.to_thread(writers.close)
    return ExportFiles(csv_path, xlsx_path, count)
