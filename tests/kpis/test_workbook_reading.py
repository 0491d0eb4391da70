"""Reading every sheet of a workbook, zip archives of CSV files, and the guards that keep a
file from expanding beyond memory before python-calamine lays it out."""

import csv
import io
import zipfile
from datetime import date
from decimal import Decimal

import pytest
from django.conf import settings
from python_calamine import CalamineError, CalamineWorkbook

from kpis import spreadsheets
from kpis.cells import FORMULA
from kpis.spreadsheets import ImportRefused, read_sheet, read_workbook, scan_ods, scan_xlsx

from .files import BILLION_LAUGHS, csv_bytes, ods_bytes, xlsx_bytes, xml_bomb
from .national_files import (
    HOME_OFFICE_HEADERS,
    POLICE_UK_HEADERS,
    home_office_sheets,
    ods_workbook_bytes,
    police_uk_archive_bytes,
    xlsx_workbook_bytes,
)


def refused(content: bytes, file_name: str, reader=read_workbook) -> str:
    with pytest.raises(ImportRefused) as caught:
        reader(content=content, file_name=file_name)
    return str(caught.value)


def replaced(content: bytes, member: str, old: bytes, new: bytes) -> bytes:
    """The zip with one part's bytes changed."""
    src = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == member:
                assert old in data
                data = data.replace(old, new, 1)
            z.writestr(info, data)
    return out.getvalue()


def zip_of(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return out.getvalue()


# --------------------------------------------------------------------------- every sheet
@pytest.mark.parametrize("fmt", ["xlsx", "ods"])
def test_every_sheet_is_read_in_workbook_order_with_its_name(fmt):
    sheets = {
        "2019-20": [["Force Name", "Number of Offences"], ["Cleveland", 12]],
        "Notes": [["Figures are provisional"]],
        "2024_25": [["Force Name", "Number of Offences"], ["Durham", 7], ["Cumbria", 3]],
    }
    content = (xlsx_bytes if fmt == "xlsx" else ods_bytes)(sheets=sheets)
    found = read_workbook(content=content, file_name=f"tables.{fmt}")
    assert [s.name for s in found] == ["2019-20", "Notes", "2024_25"]
    assert found[0].rows == [(1, ["Force Name", "Number of Offences"]), (2, ["Cleveland", 12])]
    assert found[1].rows == [(1, ["Figures are provisional"])]
    assert found[2].rows[-1] == (3, ["Cumbria", 3])


@pytest.mark.parametrize("fmt", ["xlsx", "ods"])
def test_home_office_tables_read_one_sheet_per_financial_year(fmt):
    sheets = home_office_sheets(years=3, forces=2, offence_count=5)
    content = (xlsx_workbook_bytes if fmt == "xlsx" else ods_workbook_bytes)(sheets)
    found = read_workbook(content=content, file_name=f"prc-pfa.{fmt}")
    assert [s.name for s in found] == list(sheets) == ["2022-23", "2023-24", "2024_25"]
    for sheet, rows in zip(found, sheets.values(), strict=True):
        assert sheet.rows[0] == (1, HOME_OFFICE_HEADERS)
        assert len(sheet.rows) == len(rows) == 1 + 2 * 4 * 5
        assert sheet.rows[1][1] == rows[1]


def test_a_csv_file_is_a_workbook_of_one_sheet():
    found = read_workbook(content=csv_bytes([["a", "b"], ["1", "2"]]), file_name="one.csv")
    assert [(s.name, s.rows) for s in found] == [("", [(1, ["a", "b"]), (2, ["1", "2"])])]


def test_read_sheet_still_reads_one_named_sheet_and_refuses_an_archive():
    content = ods_bytes(sheets={"A": [["x"]], "B": [["y"]]})
    assert read_sheet(content=content, file_name="s.ods", sheet="B").rows == [(1, ["y"])]
    archive = zip_of({"2021-04/2021-04-leicestershire-street.csv": csv_bytes([["a"]])})
    assert spreadsheets.UNSUPPORTED_TYPE.format(ext=".zip") in refused(archive, "a.zip", read_sheet)


def test_dates_come_back_as_dates():
    content = ods_bytes([["month", "value"], [date(2018, 4, 1), 1]])
    assert read_sheet(content=content, file_name="d.ods").rows[1] == (2, [date(2018, 4, 1), 1])
    content = xlsx_bytes([["month", "value"], [date(2018, 4, 1), 1]])
    assert read_sheet(content=content, file_name="d.xlsx").rows[1][1][0] == date(2018, 4, 1)


def test_percent_formula_and_merged_marks_land_on_their_cells():
    content = xlsx_bytes(
        [["kpi_code", "month", "value"], ["1.1", "2018-04", 0.725], ["1.2", "2018-04", None]],
        merge=["A5:B5"],
        formulas={"C3": "=A1*2"},
        percent_cells=["C2"],
    )
    sheet = read_sheet(content=content, file_name="m.xlsx")
    assert sheet.rows[1] == (2, ["1.1", "2018-04", Decimal("72.5")])
    assert sheet.rows[2] == (3, ["1.2", "2018-04", FORMULA])
    assert [m[4] for m in sheet.merged] == ["A5:B5"]


# --------------------------------------------------------------------------- zip of CSV files
def test_a_police_uk_archive_is_read_as_one_sheet_per_monthly_file():
    content = police_uk_archive_bytes(months=3, rows_per_month=4)
    found = read_workbook(content=content, file_name="leicestershire.zip")
    assert [s.name for s in found] == [
        "2021-04/2021-04-leicestershire-street.csv",
        "2021-05/2021-05-leicestershire-street.csv",
        "2021-06/2021-06-leicestershire-street.csv",
    ]
    assert all(s.rows[0] == (1, POLICE_UK_HEADERS) and len(s.rows) == 5 for s in found)
    assert found[1].rows[1][1][1] == "2021-05"


def test_folders_in_an_archive_are_skipped():
    content = zip_of({"2021-04/": b"", "2021-04/2021-04-x-street.csv": csv_bytes([["a"], ["1"]])})
    assert [s.name for s in read_workbook(content=content, file_name="a.zip")] == [
        "2021-04/2021-04-x-street.csv"
    ]


@pytest.mark.parametrize("stray", ["2021-04/notes.txt", "2021-04/figures.xlsx", "run.exe"])
def test_an_archive_holding_anything_but_csv_files_is_refused_naming_it(stray):
    content = zip_of({"2021-04/2021-04-x-street.csv": csv_bytes([["a"]]), stray: b"x"})
    assert spreadsheets.ARCHIVE_NOT_CSV.format(member=stray) in refused(content, "a.zip")


def test_an_archive_with_no_csv_files_is_refused():
    assert spreadsheets.ARCHIVE_EMPTY in refused(zip_of({"2021-04/": b""}), "a.zip")


def test_a_zip_bomb_of_csv_files_is_refused_before_it_is_read():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        with z.open("2021-04/2021-04-x-street.csv", "w") as f:
            for _ in range(200):
                f.write(b"a," * (512 * 1024))
    assert "refused as a possible zip bomb" in refused(out.getvalue(), "bomb.zip")


def test_an_archive_of_csv_files_too_large_to_hold_in_memory_is_refused(monkeypatch):
    monkeypatch.setattr("kpis.spreadsheets.delimited.MAX_CSV_ARCHIVE_BYTES", 1000)
    content = zip_of({"a.csv": csv_bytes([["a", "b"]] * 200), "b.csv": csv_bytes([["c"]])})
    assert "refused as a possible zip bomb" in refused(content, "big.zip")


def test_a_bad_csv_in_an_archive_is_named_by_its_path():
    content = zip_of({"2021-04/2021-04-x-street.csv": "Crime ID\n\u00e9".encode("utf-16")})
    message = refused(content, "a.zip")
    assert "a.zip: 2021-04/2021-04-x-street.csv" in message and spreadsheets.CSV_ENCODING in message


# --------------------------------------------------------------------------- limits
def test_workbook_row_limit_counts_every_sheet(settings):
    settings.IMPORT_MAX_WORKBOOK_ROWS = 10
    sheets = {"2019-20": [["a"]] * 6, "2020-21": [["b"]] * 6}
    expected = spreadsheets.TOO_MANY_WORKBOOK_ROWS.format(limit=10)
    assert expected in refused(ods_bytes(sheets=sheets), "w.ods")
    assert expected in refused(xlsx_bytes(sheets=sheets), "w.xlsx")
    archive = police_uk_archive_bytes(months=3, rows_per_month=4)  # 15 rows in all
    assert expected in refused(archive, "w.zip")
    settings.IMPORT_MAX_WORKBOOK_ROWS = 15
    assert len(read_workbook(content=archive, file_name="w.zip")) == 3


def test_sheet_row_limit_holds_for_each_sheet_of_a_workbook(settings):
    settings.IMPORT_MAX_ROWS = 5
    sheets = {"short": [["a"]] * 5, "long": [["b"]] * 6}
    assert spreadsheets.TOO_MANY_ROWS.format(limit=5) in refused(ods_bytes(sheets=sheets), "r.ods")
    archive = zip_of({"a.csv": csv_bytes([["a"]] * 5), "b.csv": csv_bytes([["b"]] * 6)})
    assert spreadsheets.TOO_MANY_ROWS.format(limit=5) in refused(archive, "r.zip")


def test_workbook_limits_default_to_the_national_files_sizes():
    from django.conf import settings

    assert settings.IMPORT_MAX_WORKBOOK_ROWS >= 400_000
    assert settings.IMPORT_MAX_FILE_BYTES >= 15 * 1024 * 1024


# --------------------------------------------------------------------------- expansion guards
LONG = [["kpi_code", "month", "value"], ["1.1", "2018-04", 1], ["1.1", "2018-05", 2]]


def test_an_ods_row_repeated_a_million_times_is_refused_before_it_is_expanded():
    content = replaced(
        ods_bytes(LONG),
        "content.xml",
        b"<table:table-row>",
        b'<table:table-row table:number-rows-repeated="1000000">',
    )
    message = spreadsheets.TOO_MANY_ROWS.format(limit=settings.IMPORT_MAX_ROWS)
    assert message in refused(content, "rows.ods", read_sheet)


def test_an_ods_value_pushed_far_right_by_repeated_empty_cells_is_refused():
    content = replaced(
        ods_bytes(LONG),
        "content.xml",
        b"</table:table-row>",
        b'<table:table-cell table:number-columns-repeated="16000"/>'
        b'<table:table-cell office:value-type="float" office:value="5"/></table:table-row>',
    )
    assert "columns; split it into smaller files." in refused(content, "far.ods", read_sheet)


def test_libreoffice_filler_rows_and_cells_are_not_counted():
    sheets = home_office_sheets(years=1, forces=1, offence_count=2)
    found = read_sheet(content=ods_workbook_bytes(sheets), file_name="filler.ods")
    assert len(found.rows) == 1 + 4 * 2 and max(len(cells) for _, cells in found.rows) == 8


@pytest.mark.parametrize("ref", ["ALZ2", "A900000"])
def test_an_xlsx_cell_far_from_the_others_is_refused_before_it_is_laid_out(ref):
    content = replaced(
        xlsx_bytes(LONG, formulas={"C2": "=A1"}),  # a formula sends it through the exact pass too
        "xl/worksheets/sheet1.xml",
        b'<c r="C3"',
        f'<c r="{ref}" t="inlineStr"><is><t>far</t></is></c><c r="C3"'.encode(),
    )
    assert "columns; split it into smaller files." in refused(content, "far.xlsx", read_sheet)


@pytest.mark.parametrize("member", ["xl/styles.xml", "xl/workbook.xml", "[Content_Types].xml"])
def test_a_dtd_in_any_xml_part_of_an_xlsx_is_refused(member):
    src = zipfile.ZipFile(io.BytesIO(xlsx_bytes(LONG)))
    data = src.read(member)
    body = data.split(b"?>", 1)[1] if data.startswith(b"<?xml") else data
    content = replaced(xlsx_bytes(LONG), member, data, BILLION_LAUGHS + body)
    assert spreadsheets.XML_UNSAFE in refused(content, "dtd.xlsx", read_sheet)


@pytest.mark.parametrize("fmt", ["xlsx", "ods"])
def test_calamine_itself_does_not_expand_entities(fmt):
    """Why the DTD check before calamine is for the message, not the only defence: quick-xml
    neither reads DTDs nor expands entities (should that change, this test says so)."""
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(xml_bomb(fmt)))
        cells = [workbook.get_sheet_by_name(n).to_python() for n in workbook.sheet_names]
    except CalamineError:
        cells = None
    assert "lollol" not in repr(cells)


def test_the_exact_passes_refuse_what_the_quick_passes_refuse():
    """The defusedxml passes (taken when formulas, percentages or merged cells are there) hold
    the same limits as the quick byte-counting ones."""
    wide = replaced(
        ods_bytes(LONG),
        "content.xml",
        b'<table:table-cell office:value-type="float"',
        b'<table:table-cell table:number-columns-repeated="1000000" office:value-type="float"',
    )
    tall = replaced(
        ods_bytes(LONG),
        "content.xml",
        b"<table:table-row>",
        b'<table:table-row table:number-rows-repeated="1000000">',
    )
    far = replaced(
        xlsx_bytes(LONG), "xl/worksheets/sheet1.xml", b'<c r="C3"', b'<c r="ALZ3"><v>1</v></c><c r="C3"'
    )
    with pytest.raises(ImportRefused, match="columns; split it"):
        scan_ods.exact_marks(zipfile.ZipFile(io.BytesIO(wide)), "wide.ods")
    with pytest.raises(ImportRefused, match="rows; split it"):
        scan_ods.exact_marks(zipfile.ZipFile(io.BytesIO(tall)), "tall.ods")
    with pytest.raises(ImportRefused, match="columns; split it"):
        scan_xlsx.exact_sheet_marks(
            zipfile.ZipFile(io.BytesIO(far)), "xl/worksheets/sheet1.xml", set(), "far.xlsx"
        )


def test_an_ods_with_no_tables_is_refused_as_empty():
    content = ods_workbook_bytes({})
    assert spreadsheets.NO_HEADER_ROW in refused(content, "empty.ods")
    assert spreadsheets.NO_HEADER_ROW in refused(content, "empty.ods", read_sheet)


@pytest.mark.parametrize(
    "text",
    [
        "a,b\r\nc,d\r\n",
        "a,b\nc,d",
        "a,b\n\nc,d\n",
        "a;b;c\n1;2;3\n",
        "a\tb\n1\t\n",
        'a,"b, c"\r\n"d\r\ne",f\r\n',
        "a,b\rc,d\r",
        "a,b\r\nc,d\ne,f\r\n",
        "a,b,\n,,\n",
        'x,"London, City of",3\r\ny,Kent,4\r\n',
        '"a""b",c\n"",d\n',
        'a"b,c\nd,e\n',
        '"a"b,c\nd,e\n',
        '"a\nb",c\nd,e\n',
    ],
)
def test_csv_records_are_those_of_the_csv_module(text):
    """Lines are split by str.split (those with quotes by the csv module, line by line): the
    records are the csv module's all the same, whatever the quoting and line ends."""
    delimiter = max(",;\t", key=text.split("\n")[0].count)
    expected = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    assert [cells for _, cells in read_sheet(content=text.encode(), file_name="t.csv").rows] == expected


def test_a_csv_field_longer_than_the_csv_module_allows_is_refused_without_quotes_too():
    message = refused(("x" * 200_000 + ",y\n").encode(), "long.csv", read_sheet)
    assert "The CSV file cannot be read: field larger than field limit" in message


def test_an_ods_binding_unusual_prefixes_is_refused_rather_than_read_as_empty():
    src = ods_bytes(LONG)
    data = zipfile.ZipFile(io.BytesIO(src)).read("content.xml")
    content = replaced(
        src, "content.xml", data, data.replace(b"table:", b"tb:").replace(b"xmlns:table=", b"xmlns:tb=")
    )
    assert "its XML does not name tables 'table:'" in refused(content, "prefixed.ods", read_sheet)
