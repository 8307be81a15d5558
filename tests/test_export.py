"""Exports read back with csv and openpyxl, and the /export filter syntax."""

import csv
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from bot.services.export import (
    COLUMNS,
    FilterError,
    RowDetails,
    csv_field,
    neutralise,
    parse_filters,
    write_exports,
)
from bot.services.referrals import DeclineReason, Kind, Referral, ReferralFilter, Status

DAY = date(2026, 11, 25)
HEADERS = [title for title, _ in COLUMNS]


def _referral(referral_id: int, **changes: object) -> Referral:
    fields = {
        "id": referral_id,
        "user_id": 1000 + referral_id,
        "kind": Kind.TRAINING,
        "item_id": "vocational_lyceums",
        "name": "Айгүл Токтогулова",
        "phone": "+996555123456",
        "region": "osh",
        "city": "Ош",
        "comment": None,
        "status": Status.NEW,
        "created_at": datetime(2026, 3, 5, 8, 15, tzinfo=UTC),
        "updated_at": datetime(2026, 3, 6, 10, 0, tzinfo=UTC),
    }
    return Referral(**(fields | changes))


async def _batches(*batches: Sequence[Referral]) -> AsyncIterator[Sequence[Referral]]:
    for batch in batches:
        yield batch


TITLES = {(Kind.TRAINING, "vocational_lyceums"): "Кесиптик лицейлер"}


async def test_csv_has_bom_headers_and_exact_rows(tmp_path: Path) -> None:
    rows = [
        _referral(1),
        _referral(
            2,
            kind=Kind.SERVICE,
            item_id="iom_reintegration",
            name=None,
            phone=None,
            status=Status.CONTACTED,
            comment="Line one\nline two",
        ),
    ]
    files = await write_exports(_batches(rows[:1], rows[1:]), tmp_path, DAY, TITLES)

    assert files.rows == 2
    assert files.csv_path.name == "referrals-2026-11-25.csv"
    raw = files.csv_path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    with files.csv_path.open(encoding="utf-8-sig", newline="") as fp:
        read = list(csv.reader(fp))
    assert read == [
        HEADERS,
        [
            "K-2026-000001",
            "2026-03-05 14:15:00",  # 08:15 UTC in Bishkek time
            "new",
            "new",
            "vocational_lyceums",
            "Кесиптик лицейлер",
            "osh",
            "Ош",
            "Айгүл Токтогулова",
            "'+996555123456",
            "",
            "",
            "",
            "",
        ],
        [
            "K-2026-000002",
            "2026-03-05 14:15:00",
            "contacted",
            "contacted",
            "iom_reintegration",
            "",
            "osh",
            "Ош",
            "",
            "",
            "Line one\nline two",
            "",
            "",
            "",
        ],
    ]


async def test_xlsx_has_bold_frozen_header_real_dates_widths_and_exact_rows(tmp_path: Path) -> None:
    files = await write_exports(_batches([_referral(7)]), tmp_path, DAY, TITLES)

    assert files.xlsx_path.name == "referrals-2026-11-25.xlsx"
    sheet = load_workbook(files.xlsx_path)["Referrals"]
    assert sheet.freeze_panes == "A2"
    assert all(cell.font.bold for cell in sheet[1])
    assert [[cell.value for cell in row] for row in sheet.iter_rows()] == [
        HEADERS,
        [
            "K-2026-000007",
            datetime(2026, 3, 5, 14, 15),  # Bishkek time
            "new",
            "new",
            "vocational_lyceums",
            "Кесиптик лицейлер",
            "osh",
            "Ош",
            "Айгүл Токтогулова",
            "+996555123456",
            None,
            None,
            None,
            None,
        ],
    ]
    assert sheet["B2"].is_date
    assert sheet.column_dimensions["K"].width == dict(COLUMNS)["Comment"]
    phone = sheet["J2"]  # a plain text cell: not a number, not a formula
    assert (phone.value, phone.data_type, phone.number_format) == ("+996555123456", "s", "@")


async def test_formula_like_input_is_neutralised(tmp_path: Path) -> None:
    evil = _referral(3, name='=HYPERLINK("http://x")', city="@SUM(A1)", comment="-2+3\x01")
    files = await write_exports(_batches([evil]), tmp_path, DAY, TITLES)

    with files.csv_path.open(encoding="utf-8-sig", newline="") as fp:
        row = list(csv.reader(fp))[1]
    assert row[7:11] == ["'@SUM(A1)", '\'=HYPERLINK("http://x")', "'+996555123456", "'-2+3\x01"]
    sheet = load_workbook(files.xlsx_path)["Referrals"]
    name = sheet["I2"]
    assert (name.value, name.data_type) == ('=HYPERLINK("http://x")', "s")
    assert sheet["K2"].value == "-2+3"  # control characters are not allowed in XLSX


async def test_empty_export_has_only_headers(tmp_path: Path) -> None:
    files = await write_exports(_batches(), tmp_path, DAY, TITLES)
    assert files.rows == 0
    assert files.csv_path.read_text(encoding="utf-8-sig").splitlines() == [",".join(HEADERS)]
    assert load_workbook(files.xlsx_path)["Referrals"].max_row == 1


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@A1", "\tx", "\rx"])
def test_neutralise_prefixes_formula_starts(value: str) -> None:
    assert neutralise(value) == "'" + value


def test_neutralise_leaves_plain_text() -> None:
    assert neutralise("Ош 1+1=2") == "Ош 1+1=2"


def test_full_filter_line() -> None:
    assert parse_filters("status=new region=Osh from=2026-01-01 to=2026-12-31") == ReferralFilter(
        status=Status.NEW, region="osh", date_from=date(2026, 1, 1), date_to=date(2026, 12, 31)
    )


def test_no_filters_means_everything() -> None:
    assert parse_filters(None) == ReferralFilter()
    assert parse_filters("   ") == ReferralFilter()


def test_keys_are_case_insensitive_and_programme_filters_the_item() -> None:
    assert parse_filters("STATUS=Declined Region=jalal-abad programme=vocational_lyceums") == ReferralFilter(
        status=Status.DECLINED, region="jalal_abad", item_id="vocational_lyceums"
    )


@pytest.mark.parametrize(
    ("line", "reason", "token"),
    [
        ("status", "syntax", "status"),
        ("status=", "syntax", "status="),
        ("colour=red", "unknown_key", "colour=red"),
        ("status=new status=new", "duplicate_key", "status=new"),
        ("status=lost", "status", "status=lost"),
        ("region=Paris", "region", "region=Paris"),
        ("programme=Drop;Table", "programme", "programme=Drop;Table"),
        ("from=2026-13-01", "date", "from=2026-13-01"),
        ("to=yesterday", "date", "to=yesterday"),
        ("from=2026-12-31 to=2026-01-01", "range", "from=2026-12-31 to=2026-01-01"),
    ],
)
def test_malformed_filters_name_the_bad_token(line: str, reason: str, token: str) -> None:
    with pytest.raises(FilterError) as caught:
        parse_filters(line)
    assert (caught.value.reason, caught.value.token) == (reason, token)


@pytest.mark.parametrize(
    ("value", "field"),
    [
        ("plain", "plain"),
        ("a;=cmd|' /C calc'!A0", "\"a;'=cmd|' /C calc'!A0\""),
        ("a,b", '"a,b"'),
        ('say "hi"', '"say ""hi"""'),
        ("one\ntwo", '"one\ntwo"'),
        ("=1;2", '"\'=1;2"'),
        ("1;-2,+3", '"1;\'-2,\'+3"'),
        ("@SUM(A1)", "'@SUM(A1)"),
        (None, ""),
        (12, "12"),
    ],
)
def test_csv_fields_are_quoted_on_either_separator_and_guarded(value: object, field: str) -> None:
    assert csv_field(value) == field


@pytest.mark.parametrize("delimiter", [",", ";"])
async def test_no_csv_cell_starts_a_formula_under_either_separator(tmp_path: Path, delimiter: str) -> None:
    evil = _referral(
        4,
        name="Aigul;=HYPERLINK(\"http://x\")",
        city="Osh,@SUM(A1)",
        comment='x;+1\r\n-2;"@3";\t4',
    )
    files = await write_exports(_batches([evil]), tmp_path, DAY, TITLES)
    with files.csv_path.open(encoding="utf-8-sig", newline="") as fp:
        rows = list(csv.reader(fp, delimiter=delimiter))
    cells = [cell for row in rows for cell in row]
    assert not [cell for cell in cells if cell.startswith(("=", "+", "-", "@", "\t", "\r"))]
    if delimiter == ",":  # the file's own separator: each value comes back whole, guarded
        assert rows[1][7:9] == ["Osh,'@SUM(A1)", 'Aigul;\'=HYPERLINK("http://x")']
        assert rows[1][10] == 'x;\'+1\r\n\'-2;"\'@3";\'\t4'


async def test_details_add_the_status_word_reason_language_and_history(tmp_path: Path) -> None:
    declined = _referral(8, status=Status.DECLINED, decline_reason=DeclineReason.NO_PLACES)

    async def describe(batch: Sequence[Referral]) -> dict[int, RowDetails]:
        return {r.id: RowDetails("Отказано", "Мест нет", "ky", "01.03.2026 10:00 · @aida · 📝 =звонила") for r in batch}

    files = await write_exports(_batches([declined]), tmp_path, DAY, TITLES, describe)
    sheet = load_workbook(files.xlsx_path)["Referrals"]
    header = [cell.value for cell in sheet[1]]
    row = dict(zip(header, [cell.value for cell in sheet[2]], strict=True))
    assert (row["Status"], row["Status code"], row["Decline reason"], row["Language"]) == (
        "Отказано", "declined", "Мест нет", "ky",
    )
    assert row["Notes and history"] == "01.03.2026 10:00 · @aida · 📝 =звонила"
