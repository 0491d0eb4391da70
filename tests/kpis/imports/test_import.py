"""kpis/imports/: every layout in every format, every bad input, history and counts."""

from datetime import date, datetime
from decimal import Decimal

import pytest

from kpis import imports, spreadsheets
from kpis.imports import problems
from kpis.imports.registry import unknown_layout_message
from kpis.models import ImportBatch, Kpi, Observation, ObservationChange, Organisation

from ..files import csv_bytes, make, ods_bytes, xlsx_bytes, xml_bomb, zip_bomb_xlsx

FORMATS = ["csv", "xlsx", "ods"]
LONG = [
    ["kpi_code", "month", "value"],
    ["1.1", "2018-04", "12,000"],
    ["1.1", "2018-05", 12500],
    ["1.2", "2018-04", "1,234.5"],
]
WIDE = [
    ["kpi_code", "2018-04", "2018-05", "2018-06"],
    ["1.1", 12000, "12,500", None],
    ["1.2", "1,234.5", 40000, 41000],
]
CATALOGUE = [
    ["code", "name", "category", "unit", "aggregation", "good_direction", "decimals", "description"],
    ["6.1", "Knife crime", "Crime", "count", "sum", "down", 0, "Offences with a knife or sharp object."],
    ["6.2", "Public confidence", "Outcomes", "percent", "mean", "up", 1, ""],
]


def run(content, name, **kw):
    return imports.spreadsheet_import(content=content, file_name=name, **kw)


def messages(outcome):
    return [p.message for p in outcome.problems]


def values():
    return {
        (o.kpi.code, o.period_start.isoformat()[:7]): o.value
        for o in Observation.objects.select_related("kpi")
    }


# --------------------------------------------------------------------------- layouts × formats
@pytest.mark.parametrize("fmt", FORMATS)
def test_long_layout_imports_in_every_format(kpis, editor, fmt):
    outcome = run(make(fmt, LONG), f"long.{fmt}", user=editor)
    assert outcome.ok, messages(outcome)
    assert outcome.layout == "long"
    assert outcome.counts() == {"new": 3, "changed": 0, "unchanged": 0, "errors": 0}
    assert values() == {
        ("1.1", "2018-04"): Decimal("12000"),
        ("1.1", "2018-05"): Decimal("12500"),
        ("1.2", "2018-04"): Decimal("1234.5"),
    }
    obs = Observation.objects.get(kpi__code="1.1", period_start=date(2018, 4, 1))
    assert obs.period_end == date(2018, 4, 30)
    assert obs.organisation.is_home


@pytest.mark.parametrize("fmt", FORMATS)
def test_wide_layout_imports_in_every_format_and_skips_blank_months(kpis, editor, fmt):
    outcome = run(make(fmt, WIDE), f"wide.{fmt}", user=editor)
    assert outcome.ok, messages(outcome)
    assert outcome.layout == "wide"
    assert outcome.counts()["new"] == 5
    assert values()[("1.2", "2018-06")] == Decimal("41000")
    assert ("1.1", "2018-06") not in values()


@pytest.mark.parametrize("fmt", FORMATS)
def test_catalogue_layout_imports_in_every_format(home, editor, fmt):
    outcome = run(make(fmt, CATALOGUE), f"catalogue.{fmt}", user=editor)
    assert outcome.ok, messages(outcome)
    assert outcome.layout == "catalogue"
    assert outcome.counts() == {"new": 2, "changed": 0, "unchanged": 0, "errors": 0}
    knife = Kpi.objects.get(code="6.1")
    assert (knife.unit, knife.aggregation, knife.good_direction) == ("count", "sum", "down")
    assert Kpi.objects.get(code="6.2").decimals == 1
    batch = ImportBatch.objects.get()
    assert batch.kind == "catalogue" and batch.rows_new == 2


def test_catalogue_reimport_counts_changed_and_unchanged(home, editor):
    run(csv_bytes(CATALOGUE), "catalogue.csv", user=editor)
    edited = [row[:] for row in CATALOGUE]
    edited[2][1] = "Public confidence (CSEW)"
    outcome = run(csv_bytes(edited), "catalogue.csv", user=editor)
    assert outcome.counts() == {"new": 0, "changed": 1, "unchanged": 1, "errors": 0}
    assert Kpi.objects.get(code="6.2").name == "Public confidence (CSEW)"


def test_catalogue_aliases_column_is_optional_and_semicolon_separated(home, editor):
    with_aliases = [
        row[:] + [alias]
        for row, alias in zip(CATALOGUE, ["aliases", " knife crimes;;blades ; knife crimes", ""], strict=True)
    ]
    outcome = run(csv_bytes(with_aliases), "catalogue.csv", user=editor)
    assert outcome.ok, messages(outcome)
    knife = Kpi.objects.get(code="6.1")
    assert knife.aliases == "knife crimes; blades" and knife.alias_list() == ["knife crimes", "blades"]
    # A file without the column leaves the aliases as they are, and counts the row unchanged.
    outcome = run(csv_bytes(CATALOGUE), "catalogue.csv", user=editor)
    assert outcome.counts() == {"new": 0, "changed": 0, "unchanged": 2, "errors": 0}
    assert Kpi.objects.get(code="6.1").aliases == "knife crimes; blades"
    cleared = [row[:] + [alias] for row, alias in zip(CATALOGUE, ["aliases", "", ""], strict=True)]
    assert run(csv_bytes(cleared), "catalogue.csv", user=editor).counts()["changed"] == 1
    assert Kpi.objects.get(code="6.1").aliases == ""
    too_long = [row[:] + [alias] for row, alias in zip(CATALOGUE, ["aliases", "x" * 501, ""], strict=True)]
    outcome = run(csv_bytes(too_long), "catalogue.csv", user=editor)
    assert "The aliases is 501 characters; the limit is 500." in messages(outcome)


@pytest.mark.parametrize("fmt", ["xlsx", "ods"])
def test_real_date_cells_are_months_in_long_and_wide(kpis, fmt):
    long = [["kpi_code", "month", "value"], ["1.1", datetime(2018, 4, 1), 5], ["1.1", date(2018, 5, 1), 6]]
    wide = [["kpi_code", datetime(2018, 6, 1), date(2018, 7, 1)], ["1.1", 7, 8]]
    assert run(make(fmt, long), f"l.{fmt}").ok
    assert run(make(fmt, wide), f"w.{fmt}").ok
    assert [values()[("1.1", f"2018-0{m}")] for m in (4, 5, 6, 7)] == [5, 6, 7, 8]


def test_wide_headers_in_every_written_form(kpis):
    rows = [
        ["KPI Code", "Apr-18", "May 2018", "June 2018", "01/07/2018", "2018-08-01"],
        ["1.1", 1, 2, 3, 4, 5],
    ]
    outcome = run(csv_bytes(rows), "wide.csv")
    assert outcome.ok, messages(outcome)
    assert sorted(k[1] for k in values()) == ["2018-04", "2018-05", "2018-06", "2018-07", "2018-08"]


def test_numbers_written_as_people_write_them(kpis):
    rows = [["kpi_code", "month", "value"]] + [
        ["1.1", f"2018-{m:02d}", text]
        for m, text in zip(
            range(4, 10), ["150,536", " 72% ", "1,234.5", "£107,020.62", "-11,534", "0.6"], strict=True
        )
    ]
    outcome = run(csv_bytes(rows), "n.csv")
    assert outcome.ok, messages(outcome)
    assert [values()[("1.1", f"2018-{m:02d}")] for m in range(4, 10)] == [
        Decimal("150536"),
        Decimal("72"),
        Decimal("1234.5"),
        Decimal("107020.62"),
        Decimal("-11534"),
        Decimal("0.6"),
    ]


def test_percent_formatted_xlsx_cells_read_as_percentages(kpis):
    content = xlsx_bytes([["kpi_code", "month", "value"], ["1.1", "2018-04", 0.72]], percent_cells=["C2"])
    assert run(content, "p.xlsx").ok
    assert values()[("1.1", "2018-04")] == Decimal("72")


def test_organisation_column_defaults_to_home_force(kpis, home):
    other = Organisation.objects.create(name="Sussex Police", code="sussex")
    rows = [
        ["kpi_code", "organisation", "month", "value"],
        ["1.1", "sussex", "2018-04", 1],
        ["1.1", "", "2018-04", 2],
    ]
    assert run(csv_bytes(rows), "o.csv").ok
    assert Observation.objects.get(organisation=other).value == 1
    assert Observation.objects.get(organisation=home).value == 2


# --------------------------------------------------------------------------- history and counts
def test_reimport_records_history_with_who_and_which_import(kpis, editor, editor2):
    first = run(csv_bytes(LONG), "long.csv", user=editor)
    changed = [row[:] for row in LONG]
    changed[1][2] = "12,001"
    second = run(csv_bytes(changed), "long-v2.csv", user=editor2)
    assert second.counts() == {"new": 0, "changed": 1, "unchanged": 2, "errors": 0}
    obs = Observation.objects.get(kpi__code="1.1", period_start=date(2018, 4, 1))
    assert obs.value == Decimal("12001") and obs.source == second.batch
    history = list(obs.changes.order_by("pk").values_list("old_value", "new_value", "changed_by", "batch"))
    assert history == [
        (None, Decimal("12000"), editor.pk, first.batch.pk),
        (Decimal("12000"), Decimal("12001"), editor2.pk, second.batch.pk),
    ]
    # Unchanged values get no history row.
    assert ObservationChange.objects.count() == 4
    batch = second.batch
    assert (batch.file_name, batch.imported_by, batch.rows_total) == ("long-v2.csv", editor2, 3)
    assert (batch.rows_new, batch.rows_changed, batch.rows_unchanged) == (0, 1, 2)
    assert len(batch.sha256) == 64 and batch.sha256 != first.batch.sha256


def test_dry_run_counts_but_writes_nothing(kpis):
    outcome = run(csv_bytes(LONG), "long.csv", dry_run=True)
    assert outcome.counts()["new"] == 3 and not outcome.written
    assert not Observation.objects.exists() and not ImportBatch.objects.exists()


# --------------------------------------------------------------------------- bad input
def assert_refused(outcome, *expected, row=None, column=None):
    """Nothing written, and each expected text appears in a problem (at row/column if given)."""
    assert not outcome.ok and not outcome.written
    assert not Observation.objects.exists() and not ImportBatch.objects.exists()
    texts = [str(p) for p in outcome.problems]
    for text in expected:
        assert any(text in t for t in texts), (text, texts)
    if row is not None:
        assert any(p.row == row and (column is None or p.column == column) for p in outcome.problems), texts
    for p in outcome.problems:
        assert str(p).startswith(outcome.file_name)


@pytest.mark.parametrize("fmt", FORMATS)
def test_misspelt_header_suggests_the_right_one(kpis, fmt):
    rows = [["kpi_code", "month", "vlaue"], ["1.1", "2018-04", 1]]
    outcome = run(make(fmt, rows), f"bad.{fmt}")
    assert_refused(outcome, "Header 'vlaue' is not a known column; did you mean 'value'?", row=1, column="C")


def test_missing_header_is_named(kpis):
    outcome = run(csv_bytes([["kpi_code", "month"], ["1.1", "2018-04"]]), "m.csv")
    assert_refused(outcome, "Column 'value' is missing.", row=1)
    outcome = run(csv_bytes([["kpi_code", "value"], ["1.1", 3]]), "m.csv")
    assert_refused(outcome, "Column 'month' is missing.")


def test_unrecognisable_headers_explain_the_layouts(kpis):
    outcome = run(csv_bytes([["foo", "bar"], [1, 2]]), "x.csv")
    assert_refused(outcome, unknown_layout_message())


@pytest.mark.parametrize("fmt", FORMATS)
def test_unknown_kpi_code_suggests_nearest_codes(kpis, fmt):
    rows = [["kpi_code", "month", "value"], ["1.1", "2018-04", 1], ["1.3", "2018-04", 1]]
    outcome = run(make(fmt, rows), f"k.{fmt}")
    assert_refused(outcome, "There is no KPI with code '1.3'; nearest codes: 1.1, 1.2", row=3, column="A")
    assert str(outcome.problems[0]) == (
        f"k.{fmt}, row 3, column A (kpi_code): There is no KPI with code '1.3'; nearest codes: 1.1, 1.2."
    )


@pytest.mark.parametrize(
    "text", ["n/a", "12 calls", "1,23", "--5", "1.2.3", "TRUE", "1_000", "NaN", "Infinity"]
)
def test_text_where_a_number_belongs(kpis, text):
    rows = [["kpi_code", "month", "value"], ["1.1", "2018-04", text]]
    outcome = run(csv_bytes(rows), "t.csv")
    assert_refused(outcome, f"'{text}' is not a number.", row=2, column="C")


def test_month_twice_for_one_kpi(kpis):
    rows = [["kpi_code", "month", "value"], ["1.1", "2018-04", 1], ["1.1", "Apr-18", 2]]
    outcome = run(csv_bytes(rows), "d.csv")
    assert_refused(outcome, "KPI 1.1 has a value for 2018-04 twice (first in row 2).", row=3, column="B")


def test_month_twice_in_wide_headers(kpis):
    rows = [["kpi_code", "2018-04", "Apr-18"], ["1.1", 1, 2]]
    assert_refused(run(csv_bytes(rows), "d.csv"), "Month 2018-04 has two columns (also column B).", row=1)


@pytest.mark.parametrize("text", ["2018-13", "Q1 2018", "Foo-18", "31/02/2019", "2018"])
def test_a_month_that_is_not_a_month(kpis, text):
    rows = [["kpi_code", "month", "value"], ["1.1", text, 1]]
    assert_refused(run(csv_bytes(rows), "m.csv"), f"'{text}' is not a month", row=2, column="B")


def test_empty_rows_are_skipped_but_empty_cells_are_errors(kpis):
    rows = [["kpi_code", "month", "value"], ["1.1", "2018-04", 1], ["", "", ""], ["1.1", "2018-05", ""]]
    assert_refused(
        run(csv_bytes(rows), "e.csv"),
        "The value is empty: give the month's figure, or delete the row if there is none yet "
        "(a long file lists only the months that have figures).",
        row=4,
        column="C",
    )
    rows = [[], ["kpi_code", "month", "value"], ["1.1", "2018-04", 1], ["", "", ""], ["1.1", "2018-05", 2]]
    outcome = run(csv_bytes(rows), "e.csv")
    assert outcome.ok and outcome.new == 2


@pytest.mark.parametrize("fmt", ["xlsx", "ods"])
def test_merged_rows_are_refused_with_their_range(kpis, fmt):
    rows = [["kpi_code", "month", "value"], ["1.1", "2018-04", 1], ["Calls total", None, None]]
    if fmt == "xlsx":
        content = xlsx_bytes(rows, merge=["A3:C3"])
    else:
        content = ods_bytes(rows, spans={(2, 0): (3, 1)})
    assert_refused(run(content, f"merged.{fmt}"), "Cells A3:C3 are merged", row=3, column="A")


@pytest.mark.parametrize("fmt", ["xlsx", "ods"])
def test_several_sheets_first_or_named(kpis, fmt):
    sheets = {"Notes": [["This workbook holds the calls figures"]], "Data": LONG}
    maker = xlsx_bytes if fmt == "xlsx" else ods_bytes
    content = maker(sheets=sheets)
    assert_refused(run(content, f"s.{fmt}"), unknown_layout_message())
    assert_refused(
        run(content, f"s.{fmt}", sheet="Dta"), "There is no sheet named 'Dta'. The sheets are: Notes, Data."
    )
    outcome = run(content, f"s.{fmt}", sheet="Data")
    assert outcome.ok and outcome.new == 3 and outcome.sheet == "Data"


def test_xlsx_formula_without_cached_value(kpis):
    content = xlsx_bytes([["kpi_code", "month", "value"], ["1.1", "2018-04", None]], formulas={"C2": "=A1*2"})
    assert_refused(run(content, "f.xlsx"), problems.FORMULA_NO_VALUE, row=2, column="C")


def test_ods_formula_without_value(kpis):
    content = ods_bytes(
        [["kpi_code", "month", "value"], ["1.1", "2018-04", None]], formulas={(1, 2): "of:=[.A1]*2"}
    )
    assert_refused(run(content, "f.ods"), problems.FORMULA_NO_VALUE, row=2, column="C")


@pytest.mark.parametrize("name", ["old.xls", "macro.xlsm", "data.txt", "noext"])
def test_unsupported_file_types(kpis, name):
    outcome = run(xlsx_bytes(LONG), name)
    assert_refused(outcome)
    assert outcome.problems[0].message in {
        spreadsheets.LEGACY_XLS,
        spreadsheets.MACRO_WORKBOOK,
        spreadsheets.UNSUPPORTED_TYPE.format(ext=".txt"),
        spreadsheets.UNSUPPORTED_TYPE.format(ext="noext"),
    }


def test_ole_xls_content_renamed_to_xlsx_is_refused(kpis):
    content = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600
    assert_refused(run(content, "renamed.xlsx"), spreadsheets.LEGACY_XLS)


def test_macro_workbook_renamed_to_xlsx_is_refused(kpis):
    import io
    import zipfile

    src = zipfile.ZipFile(io.BytesIO(xlsx_bytes(LONG)))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for info in src.infolist():
            z.writestr(info, src.read(info.filename))
        z.writestr("xl/vbaProject.bin", b"\x00" * 100)
    assert_refused(run(out.getvalue(), "renamed.xlsx"), spreadsheets.MACRO_WORKBOOK)


def test_garbage_with_a_workbook_name_is_refused(kpis):
    assert_refused(run(b"this is not a zip", "x.xlsx"), "is not a readable Excel workbook")
    assert_refused(run(b"PK\x03\x04garbage", "x.ods"), "is not a readable OpenDocument workbook")


@pytest.mark.parametrize("encoding,bom", [("utf-8", True), ("cp1252", False), ("utf-8", False)])
def test_csv_in_utf8_with_bom_or_windows_1252(home, encoding, bom):
    rows = CATALOGUE[:2] + [["6.3", "Café visits – £", "Crime", "count", "sum", "down", 0, "‘quoted’"]]
    outcome = run(csv_bytes(rows, encoding=encoding, bom=bom), "c.csv")
    assert outcome.ok, messages(outcome)
    assert Kpi.objects.get(code="6.3").name == "Café visits – £"
    assert Kpi.objects.get(code="6.3").description == "‘quoted’"


def test_csv_in_another_encoding_is_refused(home):
    content = "code,name\n6.1,x\n".encode("utf-16")
    assert_refused(run(content, "c.csv"), spreadsheets.CSV_ENCODING)


def test_file_over_the_size_limit(kpis, settings):
    settings.IMPORT_MAX_FILE_BYTES = 100
    content = csv_bytes(LONG * 10)
    assert_refused(run(content, "big.csv"), spreadsheets.FILE_TOO_BIG.format(size=len(content), limit=100))


@pytest.mark.parametrize("fmt", FORMATS)
def test_file_over_the_row_limit(kpis, settings, fmt):
    settings.IMPORT_MAX_ROWS = 5
    rows = [LONG[0]] + [["1.1", f"20{y}-04", 1] for y in range(10, 20)]
    assert_refused(run(make(fmt, rows), f"rows.{fmt}"), spreadsheets.TOO_MANY_ROWS.format(limit=5))


def test_empty_file_and_header_only(kpis):
    assert_refused(run(b"", "e.csv"), spreadsheets.FILE_EMPTY)
    assert_refused(run(csv_bytes([LONG[0]]), "h.csv"), problems.NO_DATA_ROWS)


def test_zip_bomb_is_refused_before_it_is_opened(kpis):
    content = zip_bomb_xlsx(300 * 1024 * 1024)
    assert len(content) < 2 * 1024 * 1024
    import tracemalloc

    tracemalloc.start()
    outcome = run(content, "bomb.xlsx")
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert_refused(outcome, "refused as a possible zip bomb")
    assert peak < 50 * 1024 * 1024


@pytest.mark.parametrize("fmt", ["xlsx", "ods"])
def test_xml_bomb_is_refused(kpis, fmt):
    assert_refused(run(xml_bomb(fmt), f"laughs.{fmt}"), spreadsheets.XML_UNSAFE)


def test_observations_file_on_the_catalogue_page(kpis):
    outcome = run(csv_bytes(LONG), "l.csv", kind=imports.CATALOGUE)
    assert_refused(outcome, "This is an observations file, not a KPI catalogue file")


@pytest.mark.parametrize(
    "column,text,expected",
    [
        (3, "litres", "'litres' is not a valid unit: use one of count, percent, seconds, currency."),
        (4, "median", "'median' is not a valid aggregation"),
        (5, "sideways", "'sideways' is not a valid good direction"),
        (6, "two", "'two' is not a number of decimal places between 0 and 6."),
        (1, "", "The name is empty."),
    ],
)
def test_bad_catalogue_cells(home, column, text, expected):
    rows = [row[:] for row in CATALOGUE]
    rows[2][column] = text
    outcome = run(csv_bytes(rows), "c.csv")
    assert not outcome.ok and not Kpi.objects.exists()
    assert any(expected in str(p) and p.row == 3 for p in outcome.problems), messages(outcome)


def test_catalogue_code_twice(home):
    rows = CATALOGUE + [CATALOGUE[1]]
    outcome = run(csv_bytes(rows), "c.csv")
    assert "KPI code '6.1' appears twice (first in row 2)." in messages(outcome)
    assert not Kpi.objects.exists()


def test_every_error_is_listed_up_to_the_cap(kpis):
    rows = [["kpi_code", "month", "value"]] + [["9.9", "2018-04", "x"]] * 600
    outcome = run(csv_bytes(rows), "many.csv")
    assert outcome.errors == 1200
    assert len(outcome.problems) == problems.MAX_PROBLEMS_LISTED + 1
    assert outcome.problems[-1].message == problems.MORE_PROBLEMS.format(count=700)


def test_a_bad_row_among_good_ones_writes_nothing(kpis):
    rows = LONG + [["1.2", "2018-05", "n/a"]]
    outcome = run(csv_bytes(rows), "mixed.csv")
    assert outcome.errors == 1
    assert not Observation.objects.exists()


def test_wide_layout_with_a_name_column_and_organisations(kpis, home):
    from kpis.models import Organisation

    Organisation.objects.create(name="Sussex Police", code="sussex")
    rows = [
        ["kpi_code", "name", "organisation", "Apr-18", "May-18"],
        ["1.1", "Number of 999 Calls", "Sussex Police", 10, 11],
        ["1.1", "Number of 999 Calls", "", 12, 13],
        ["1.1", "Number of 999 Calls", "Sussx", 14, 15],
    ]
    outcome = run(csv_bytes(rows), "wide.csv")
    assert_refused(outcome, "There is no organisation 'Sussx'; did you mean 'Sussex Police'?", row=4)
    outcome = run(csv_bytes(rows[:3]), "wide.csv")
    assert outcome.ok and outcome.new == 4
    assert Observation.objects.filter(organisation__code="sussex").count() == 2


def test_a_force_written_two_ways_is_one_organisation_once_its_other_name_is_added(kpis, home):
    rows = [
        ["kpi_code", "organisation", "month", "value"],
        ["1.1", "Leicestershire Police", "2018-04", 10],
        ["1.1", "Leicestershire Constabulary", "2018-05", 11],
    ]
    outcome = run(csv_bytes(rows), "long.csv")
    assert messages(outcome) == [
        "There is no organisation 'Leicestershire Constabulary'; did you mean 'Leicestershire Police'? "
        "If it is another name for one of them, add it to that organisation's other names (Organisations)."
    ]
    home.other_names = "Leicestershire Constabulary; Leics Police"
    home.full_clean()
    home.save()
    outcome = run(csv_bytes(rows), "long.csv")
    assert outcome.ok and outcome.new == 2
    assert Observation.objects.filter(organisation=home).count() == 2


def test_an_unknown_organisation_says_where_to_add_it(kpis):
    rows = [["kpi_code", "organisation", "month", "value"], ["1.1", "Southshire Constabulary", "2018-04", 10]]
    outcome = run(csv_bytes(rows), "long.csv")
    assert messages(outcome) == [
        "There is no organisation 'Southshire Constabulary': add it under Organisations, or write "
        "the name or code it has there."
    ]


def test_an_other_name_that_names_another_organisation_is_refused(home):
    from django.core.exceptions import ValidationError

    sussex = Organisation(name="Sussex Police", code="sussex", other_names="Sussex; leicestershire")
    with pytest.raises(ValidationError, match="'leicestershire' already names Leicestershire Police."):
        sussex.full_clean()


def test_xlsx_formula_with_its_saved_value_is_read(kpis):
    import io
    import zipfile

    src = zipfile.ZipFile(io.BytesIO(xlsx_bytes(LONG[:2], formulas={"C2": "=A1*2"})))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"<f>A1*2</f><v></v>", b"<f>A1*2</f><v>24</v>")
            z.writestr(info, data)
    outcome = run(out.getvalue(), "cached.xlsx")
    assert outcome.ok, messages(outcome)
    assert values()[("1.1", "2018-04")] == Decimal("24")


def test_ods_percentage_cells_read_as_percentages(kpis):
    import io

    from odf.opendocument import load
    from odf.table import TableCell, TableRow
    from odf.text import P

    doc = load(io.BytesIO(ods_bytes([["kpi_code", "month", "value"]])))
    table = doc.spreadsheet.childNodes[0]
    row = TableRow()
    for text in ("1.1", "2018-04"):
        cell = TableCell(valuetype="string")
        cell.addElement(P(text=text))
        row.addElement(cell)
    row.addElement(TableCell(valuetype="percentage", value="0.72"))
    table.addElement(row)
    out = io.BytesIO()
    doc.save(out)
    outcome = run(out.getvalue(), "p.ods")
    assert outcome.ok, messages(outcome)
    assert values()[("1.1", "2018-04")] == Decimal("72")


def test_ods_with_a_cell_repeated_across_thousands_of_columns_is_refused(kpis):
    import io
    import zipfile

    src = zipfile.ZipFile(io.BytesIO(ods_bytes(LONG)))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "content.xml":
                # One written cell that claims to fill a million columns, on one row.
                data = data.replace(
                    b'<table:table-cell office:value-type="float"',
                    b'<table:table-cell table:number-columns-repeated="1000000" office:value-type="float"',
                    1,
                )
            z.writestr(info, data)
    outcome = run(out.getvalue(), "wide.ods")
    assert_refused(outcome, spreadsheets.TOO_MANY_CELLS.format(limit=spreadsheets.MAX_CELLS, columns=1000))


def test_csv_wider_than_the_column_limit_is_refused(kpis):
    rows = [["kpi_code"] + [f"c{i}" for i in range(1200)], ["1.1"] + ["1"] * 1200]
    assert_refused(run(csv_bytes(rows), "wide.csv"), "columns; split it into smaller files.")


@pytest.mark.parametrize(
    "rows",
    [
        [["kpi_code", "month", "value"], ["1.1", "2018-04", 5], ["1.1", "2018-05", 6]],
        [["kpi_code", "organisation", "month", "value"], ["1.1", "", "2018-04", 5]],
        [["kpi_code", "2018-04", "2018-05"], ["1.1", 5, 6]],
    ],
    ids=["long", "blank organisation", "wide"],
)
def test_without_a_home_force_a_file_naming_no_organisation_is_refused_and_none_is_made_up(db, rows):
    """The home force is chosen (Organisations), never assumed: an import does not invent one."""
    Kpi.objects.create(code="1.1", name="Number of 999 Calls", unit="count", aggregation="sum")
    for dry_run in (True, False):
        outcome = run(csv_bytes(rows), "o.csv", dry_run=dry_run)
        assert_refused(outcome, problems.NO_HOME_FORCE)
        assert messages(outcome) == [problems.NO_HOME_FORCE]  # once, not once a row
    assert not Organisation.objects.exists()


def test_without_a_home_force_the_organisation_chosen_for_the_import_takes_the_figures(db):
    Kpi.objects.create(code="1.1", name="Number of 999 Calls", unit="count", aggregation="sum")
    northshire = Organisation.objects.create(name="Northshire Police", code="northshire")
    rows = [["kpi_code", "month", "value"], ["1.1", "2018-04", 5]]
    assert run(csv_bytes(rows), "o.csv", organisation=northshire).ok
    assert Observation.objects.get().organisation == northshire
    assert not Organisation.objects.filter(is_home=True).exists()
