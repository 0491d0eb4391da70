"""The illustrative monthly split: exact sums, plausible shapes, the commentary's monthly facts."""

import hashlib
from datetime import date, datetime
from statistics import mean

import pytest
from openpyxl import load_workbook

from reports import demo_figures
from reports.demo_figures import (
    FLAT,
    financial_year_months,
    financial_year_start,
    monthly_figures,
    monthly_split,
    read_annual_figures,
    write_observations_wide_xlsx,
)

ANNUAL = read_annual_figures()
FIGURES = monthly_figures(ANNUAL)
SERIES = [(code, year) for code, years in ANNUAL.items() for year in years]


def months(code: str, year: int) -> list[int]:
    return [FIGURES[code][m] for m in financial_year_months(year)]


# --------------------------------------------------------------------------- monthly_split
@pytest.mark.parametrize(("code", "year"), SERIES, ids=lambda v: str(v))
def test_every_kpi_year_adds_up_exactly_to_its_annual_figure(code, year):
    split = months(code, year)
    assert len(split) == 12
    assert sum(split) == ANNUAL[code][year]
    assert all(isinstance(v, int) and v >= 0 for v in split)


@pytest.mark.parametrize("total", [0, 1, 5, 11, 12, 13, 999, 150_536, 10**9 + 7])
def test_split_is_exact_for_small_and_large_totals(total):
    split = monthly_split(total, profile=demo_figures.SUMMER_PEAK, seed="t")
    assert sum(split) == total and min(split) >= 0


def test_split_follows_the_profile_with_only_a_little_noise():
    profile = [0, 1, 2, 3, 4, 5, 6, 5, 4, 3, 2, 1]
    split = monthly_split(360_000, profile=profile, seed="shape")
    assert split[0] == 0
    for value, weight in zip(split, profile, strict=True):
        expected = 360_000 * weight / sum(profile)
        assert abs(value - expected) <= expected * 0.07 + 1


def test_split_is_deterministic_and_the_seed_changes_the_noise():
    first = monthly_split(12_345, profile=FLAT, seed="a")
    assert first == monthly_split(12_345, profile=FLAT, seed="a")
    assert first != monthly_split(12_345, profile=FLAT, seed="b")
    assert max(first) - min(first) < 12_345 / 12 * 0.07


@pytest.mark.parametrize(
    ("total", "profile", "message"),
    [
        (100, [1.0] * 11, demo_figures.PROFILE_LENGTH.format(n=11)),
        (100, [1.0] * 13, demo_figures.PROFILE_LENGTH.format(n=13)),
        (100, [1.0] * 11 + [-1.0], demo_figures.PROFILE_NEGATIVE),
        (100, [0.0] * 12, demo_figures.PROFILE_EMPTY),
        (-1, FLAT, demo_figures.TOTAL_INVALID.format(total=-1)),
        (12.5, FLAT, demo_figures.TOTAL_INVALID.format(total=12.5)),
        ("12", FLAT, demo_figures.TOTAL_INVALID.format(total="12")),
        (True, FLAT, demo_figures.TOTAL_INVALID.format(total=True)),
    ],
)
def test_split_refuses_bad_input(total, profile, message):
    with pytest.raises(ValueError) as excinfo:
        monthly_split(total, profile=profile, seed="x")
    assert str(excinfo.value) == message


@pytest.mark.parametrize("text", ["2018", "2018/20", "18/19", "2018-19", "abcd/ef", "", "2018/1"])
def test_financial_year_labels_must_be_like_2018_19(text):
    with pytest.raises(ValueError):
        financial_year_start(text)


def test_financial_year_runs_april_to_march():
    assert financial_year_start("2018/19") == 2018
    assert financial_year_start("1999/00") == 1999
    assert financial_year_months(2018)[0] == date(2018, 4, 1)
    assert financial_year_months(2018)[-1] == date(2019, 3, 1)


# --------------------------------------------------------------------------- commentary facts
def test_asb_falls_under_1000_a_month_for_the_last_five_months_of_2018_19():
    asb_18, asb_17 = months("2.5a", 2018), months("2.5a", 2017)
    assert all(v < 1_000 for v in asb_18[-5:])
    assert all(v >= 1_000 for v in asb_18[:-5])
    # "some of the lowest volumes … in the last six years": below every month of 2017/18.
    assert max(asb_18[-5:]) < min(asb_17)
    # "The monthly average volume of ASB incidents is 1,193, which is over 250 … less".
    assert round(mean(asb_18)) == 1_193
    assert mean(asb_17) - mean(asb_18) > 250


def test_stop_and_search_rises_from_about_150_to_about_310_a_month():
    searches_17, searches_18 = months("5.1", 2017), months("5.1", 2018)
    assert all(130 <= v <= 160 for v in searches_17[:4]), "circa 150 seen in 2017/18"
    assert round(mean(searches_18)) == 310
    assert round(mean(searches_18) - mean(searches_17)) in range(135, 146), "approximately 140"
    assert min(searches_18) > max(searches_17)
    assert mean(searches_18[6:]) > mean(searches_18[:6]), "a continued increase"


def test_controlled_drugs_searches_never_exceed_all_searches():
    for year in (2017, 2018):
        for drugs, everything in zip(months("5.2a", year), months("5.1", year), strict=True):
            assert drugs < everything


def test_missing_person_records_fall_in_the_second_half_of_2018_19():
    records = months("2.4a", 2018)
    quarters = [sum(records[i : i + 3]) for i in range(0, 12, 3)]
    assert max(quarters[2:]) < min(quarters[:2])


def test_knife_crime_is_up_about_15_offences_a_month():
    assert 14 <= mean(months("3.4a", 2018)) - mean(months("3.4a", 2017)) <= 17


@pytest.mark.parametrize("code", ["1.1", "2.1"])
def test_calls_and_incidents_peak_in_the_summer(code):
    for year in (2017, 2018):
        values = months(code, year)
        busiest = values.index(max(values))
        assert busiest in (2, 3, 4), "June, July or August"


def test_101_calls_fall_through_2018_19():
    calls = months("1.2", 2018)
    assert sum(calls[:3]) > sum(calls[-3:]) * 1.2


# --------------------------------------------------------------------------- the xlsx
def test_wide_xlsx_reads_back_with_kpi_code_then_month_date_columns(tmp_path):
    path = tmp_path / "observations.xlsx"
    write_observations_wide_xlsx(path, annual=ANNUAL)
    workbook = load_workbook(path, read_only=True)
    assert workbook.sheetnames == ["Observations"]
    rows = list(workbook.active.iter_rows(values_only=True))
    header = rows[0]
    assert header[0] == "kpi_code"
    month_cells = header[1:]
    assert all(isinstance(cell, datetime) for cell in month_cells)
    expected_months = financial_year_months(2017) + financial_year_months(2018)
    assert [cell.date() for cell in month_cells] == expected_months
    assert [row[0] for row in rows[1:]] == list(ANNUAL)
    for row in rows[1:]:
        code, values = row[0], list(row[1:])
        assert all(isinstance(v, int) for v in values)
        assert sum(values[:12]) == ANNUAL[code][2017]
        assert sum(values[12:]) == ANNUAL[code][2018]
        assert values == [FIGURES[code][m] for m in expected_months]
    assert "Illustrative" in workbook.properties.description


def test_wide_xlsx_can_use_text_month_headers(tmp_path):
    path = tmp_path / "observations.xlsx"
    write_observations_wide_xlsx(path, annual={"9.9": {2018: 1_200}}, text_headers=True)
    rows = list(load_workbook(path).active.iter_rows(values_only=True))
    assert rows[0][0] == "kpi_code"
    assert rows[0][1:] == tuple(m.strftime("%Y-%m") for m in financial_year_months(2018))
    assert rows[1][0] == "9.9" and sum(rows[1][1:]) == 1_200


def test_wide_xlsx_is_the_same_file_every_run(tmp_path):
    first, second = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    write_observations_wide_xlsx(first, annual=ANNUAL)
    write_observations_wide_xlsx(second, annual=ANNUAL)
    digest = [hashlib.sha256(p.read_bytes()).hexdigest() for p in (first, second)]
    assert digest[0] == digest[1]


# --------------------------------------------------------------------------- through the importer
REFERENCE_TABLES = {
    # code: (18/19, 17/18, volume change, % change) exactly as the reference prints them
    "1.1": ("150,536", "138,893", "+11,643", "+8%"),
    "1.2": ("383,000", "501,342", "-118,342", "-24%"),
    "2.1": ("239,920", "251,454", "-11,534", "-5%"),
    "3.1": ("92,924", "84,760", "+8,164", "+10%"),
    "4.1": ("10,585", "10,806", "-221", "-2%"),
    "5.1": ("3,716", "2,032", "+1,684", "+83%"),
}


def _import(content: bytes, file_name: str, user, **kwargs):
    from kpis.imports import iter_problem_lines, spreadsheet_import

    outcome = spreadsheet_import(content=content, file_name=file_name, user=user, **kwargs)
    assert outcome.ok, "\n".join(iter_problem_lines(outcome))
    return outcome


@pytest.mark.django_db
@pytest.mark.parametrize("text_headers", [False, True], ids=["date headers", "text headers"])
def test_demo_files_import_and_reproduce_the_reference_kpi_tables(tmp_path, editor, text_headers):
    from kpis.comparison import compare
    from kpis.models import Kpi, Observation, Organisation
    from kpis.periods import Period

    catalogue = _import(
        (demo_figures.DEMO_DATA / "kpi-catalogue.csv").read_bytes(), "kpi-catalogue.csv", editor
    )
    assert catalogue.written and catalogue.new == Kpi.objects.count() == 15
    # The home force is chosen before its figures are imported (load_demo does the same).
    home = Organisation.objects.create(name="Leicestershire Police", code="leicestershire", is_home=True)
    path = tmp_path / "observations.xlsx"
    write_observations_wide_xlsx(path, annual=ANNUAL, text_headers=text_headers)
    outcome = _import(path.read_bytes(), path.name, editor, kind="observations")
    assert outcome.layout == "wide"
    assert outcome.new == Observation.objects.count() == len(ANNUAL) * 24

    this_year, last_year = Period.financial_year(2018), Period.financial_year(2017)
    for code, printed in REFERENCE_TABLES.items():
        kpi = Kpi.objects.get(code=code)
        row = compare(kpi=kpi, organisation=home, current=this_year, previous=last_year)
        shown = (row.current_display, row.previous_display, row.change_display, row.percent_change_display)
        assert shown == printed, code

    again = _import(path.read_bytes(), path.name, editor, kind="observations", dry_run=True)
    assert (again.new, again.changed, again.unchanged) == (0, 0, len(ANNUAL) * 24)
