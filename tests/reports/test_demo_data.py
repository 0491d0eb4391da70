"""The demo's data files: the 2018/19 report word for word, honest figures, a clean glossary."""

import csv
import html
import json
import re
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.utils.html import strip_tags

from glossary.models import Term
from kpis.imports import CATALOGUE_COLUMNS
from kpis.models import Kpi
from reports.demo_figures import DEMO_DATA, read_annual_figures
from reports.markdown import render_markdown
from reports.models import Report, Section

REPORT = json.loads((DEMO_DATA / "report.json").read_text(encoding="utf-8"))
CATALOGUE = list(csv.DictReader((DEMO_DATA / "kpi-catalogue.csv").open(encoding="utf-8", newline="")))
GLOSSARY = list(csv.DictReader((DEMO_DATA / "glossary.csv").open(encoding="utf-8", newline="")))
ANNUAL = read_annual_figures()

TABLE_KPIS = {
    "1.1": "Number of 999 Calls",
    "1.2": "Number of 101 Calls",
    "2.1": "Number of Incidents",
    "3.1": "All Crime",
    "4.1": "Volume of Positive Outcomes",
    "5.1": "Number of Stop and Searches",
}

# What the reference states for each measure: its 2018/19 figure, the change it gives
# (None when it gives the 2017/18 figure instead), that figure, its % change, and the
# words in the report that say so.
STATED = [
    ("1.1", 150_536, 11_643, None, 8, None),
    ("1.2", 383_000, -118_342, None, -24, None),
    ("2.1", 239_920, -11_534, None, -5, "CMD created 11,534 fewer incidents"),
    ("2.3a", 6_565, -462, None, -7, "(-7%, a reduction of 462 incidents)"),
    ("2.3b", 14_364, 3_205, None, 29, "increased by 3,205 incidents (+29%)"),
    ("2.3c", 138, 23, None, 20, "138 Domestic Violence Prevention Orders (DVPO), an increase of 20% (+23"),
    (
        "2.4a",
        5_198,
        None,
        4_242,
        23,
        "there were 4,242 missing person records, this represents a +23% growth",
    ),
    ("2.5a", 14_321, -3_080, None, -18, "was 14,321 this represents an 18% reduction (-3,080 incidents)"),
    ("3.1", 92_924, 8_164, None, 10, "an additional 8,164 crimes"),
    (
        "3.4a",
        2_521,
        192,
        None,
        8,
        "2,521 knife crime offences recorded, this is an increase of 192 offences (+8%)",
    ),
    ("4.1", 10_585, -221, None, -2, "represents a 2% decrease"),
    ("5.1", 3_716, 1_684, None, 83, "represents an 83% increase"),
    (
        "5.2a",
        2_159,
        1_484,
        None,
        220,
        "a total of 2,159 searches completed throughout 18/19.This represents a 220%",
    ),
    (
        "5.6a",
        153,
        None,
        161,
        -5,
        "handled 153 referrals in 18/19, which is an decrease on the previous year, which stood at 161 (-5%)",
    ),
]


def _percent(change: int, previous: int) -> int:
    """A % change rounded as the report prints it (half away from zero, whole percent)."""
    return int((Decimal(change) * 100 / Decimal(previous)).quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def _fitting_previous_values(change: int, percent: int) -> list[int]:
    """Every whole 2017/18 figure consistent with a stated change and rounded % change."""
    # A % change of at least 0.5 bounds the previous figure by 200 times the change.
    return [p for p in range(1, 200 * abs(change) + 2) if _percent(change, p) == percent]


def _all_paragraphs() -> list[str]:
    return [p for section in REPORT["sections"] for p in section["paragraphs"]]


def _performance(heading: str) -> dict:
    return next(s for s in REPORT["sections"] if s["heading"] == heading)


# --------------------------------------------------------------------------- report.json
def test_report_fields_are_report_model_fields_with_valid_choices():
    fields = REPORT["report"]
    model_fields = {f.name for f in Report._meta.get_fields()}
    assert set(fields) - {"organisation"} <= model_fields
    assert fields["audience"] in Report.Audience.values
    assert fields["marking"] in Report.Marking.values
    assert fields["period_kind"] in Report.PeriodKind.values
    assert fields["glossary_mode"] in Report.GlossaryMode.values
    assert len(fields["illustrative_note"]) <= Report._meta.get_field("illustrative_note").max_length
    assert len(fields["title"]) <= Report._meta.get_field("title").max_length


def test_report_is_the_public_2018_19_end_of_year_report():
    fields = REPORT["report"]
    assert fields["title"] == "Force Performance: End of Year 2018/19 (April 2018 – March 2019)"
    assert fields["slug"] == "force-performance-2018-19"
    assert fields["organisation"] == "Leicestershire Police"
    assert (fields["audience"], fields["marking"]) == ("public", "NOT PROTECTIVELY MARKED")
    assert (fields["period_start"], fields["period_end"], fields["period_kind"]) == (
        "2018-04-01",
        "2019-03-31",
        "year",
    )
    assert fields["glossary_mode"] == "all"
    assert "illustrative" in fields["illustrative_note"]


def test_contact_is_a_role_not_a_named_person():
    fields = REPORT["report"]
    assert fields["contact_role"] == "Performance Manager, Office of the Police and Crime Commissioner"
    assert fields["contact_name"] == fields["contact_email"] == fields["contact_phone"] == ""
    text = json.dumps(REPORT, ensure_ascii=False).lower()
    for personal in ("starr", "elizabeth", "pnn.police.uk", "0116", "2298982", "@"):
        assert personal not in text


def test_sections_follow_the_reference_in_order_with_their_kpi_rows():
    outline = [(s["kind"], s["heading"], s["kpi_codes"], len(s["paragraphs"])) for s in REPORT["sections"]]
    assert outline == [
        ("narrative", "Purpose of Report", [], 1),
        ("narrative", "Recommendation", [], 1),
        ("narrative", "Background", [], 5),
        ("performance", "Calls", ["1.1", "1.2"], 5),
        ("performance", "Incidents", ["2.1"], 5),
        ("performance", "Crime", ["3.1"], 11),
        ("performance", "Outcomes", ["4.1", "4.2"], 4),  # 4.2 adds the MSF comparison of 4.2
        ("performance", "Prevention", ["5.1"], 6),
        ("glossary", "Glossary", [], 0),
    ]
    for section in REPORT["sections"]:
        assert section["kind"] in Section.Kind.values
        assert len(section["heading"]) <= Section._meta.get_field("heading").max_length


def test_paragraphs_keep_the_authors_wording_and_typos():
    calls, incidents, _, _, prevention = (
        _performance(h) for h in ("Calls", "Incidents", "Crime", "Outcomes", "Prevention")
    )
    assert calls["paragraphs"][0].startswith(
        "The Contact Management Department (CMD) has dealt with an increase in 999 calls in excess of "
        "over of 11,000 calls throughout the 18/19 financial year"
    )
    assert "The equates to less than only 368 calls" in calls["paragraphs"][1]
    assert "162 Clare’s law applications. Further to this" in incidents["paragraphs"][2]
    assert "18/19.This represents a 220% increase" in prevention["paragraphs"][1]
    assert prevention["paragraphs"][5].endswith("which stood at 161 (-5%).")
    background = REPORT["sections"][2]["paragraphs"]
    assert background[0].endswith("this report will in future, be produced by his office.")
    assert background[4] == (
        "The performance report itself is attached at Appendix A. "
        "The glossary that accompanies the report is attached at Appendix B."
    )


def test_paragraphs_carry_no_text_extraction_artefacts():
    for text in _all_paragraphs():
        assert text == text.strip()
        assert "\n" not in text and "  " not in text
        assert "NOT PROTECTIVELY MARKED" not in text
        assert not re.match(r"\d+(\.\d+)? ", text), "the number is added by the portal"
        assert not re.search(r"\w- \w", text), "a word hyphenated across a line"
        assert text[-1] in ".)", text[-40:]


@pytest.mark.parametrize("text", _all_paragraphs(), ids=lambda t: t[:30])
def test_every_paragraph_is_plain_text_to_markdown(text):
    rendered = render_markdown(text)
    assert re.fullmatch(r"<p>[^<>]*</p>\s*", rendered), rendered
    assert html.unescape(strip_tags(rendered)).strip() == text


def test_report_kpi_rows_are_in_the_catalogue():
    codes = {row["code"] for row in CATALOGUE}
    for section in REPORT["sections"]:
        assert set(section["kpi_codes"]) <= codes


# --------------------------------------------------------------------------- catalogue
def test_catalogue_has_the_import_layout_and_valid_choices():
    with (DEMO_DATA / "kpi-catalogue.csv").open(encoding="utf-8", newline="") as f:
        # The importer's own catalogue layout, so the demo file and the importer cannot drift.
        assert next(csv.reader(f)) == list(CATALOGUE_COLUMNS)
    codes = [row["code"] for row in CATALOGUE]
    assert len(codes) == len(set(codes))
    for row in CATALOGUE:
        assert row["unit"] in Kpi.Unit.values
        assert row["aggregation"] in Kpi.Aggregation.values
        assert row["good_direction"] in Kpi.Direction.values
        assert row["decimals"].isdigit()
        assert row["description"] and len(row["name"]) <= 200 and len(row["code"]) <= 20


def test_catalogue_keeps_the_reference_table_codes_and_names():
    names = {row["code"]: row["name"] for row in CATALOGUE}
    assert {code: names.get(code) for code in TABLE_KPIS} == TABLE_KPIS
    # Commentary measures get codes that can never be mistaken for a table row.
    extras = set(names) - set(TABLE_KPIS) - {"4.2"}
    assert extras and all(re.fullmatch(r"\d\.\d+[a-z]", code) for code in extras)


def test_demand_measures_are_neither_good_nor_bad():
    direction = {row["code"]: row["good_direction"] for row in CATALOGUE}
    for demand in ("1.1", "1.2", "2.1", "5.1", "2.3a", "2.3b", "2.4a"):
        assert direction[demand] == "neither"
    assert direction["4.1"] == "up" and direction["3.4a"] == "down"


def test_every_catalogue_count_has_both_years_in_annual_figures():
    counts = {row["code"] for row in CATALOGUE if row["unit"] == "count"}
    assert set(ANNUAL) == counts
    for years in ANNUAL.values():
        assert set(years) == {2017, 2018}
        assert all(isinstance(v, int) and v >= 0 for v in years.values())


# --------------------------------------------------------------------------- figures vs text
@pytest.mark.parametrize(("code", "current", "change", "previous", "percent", "quote"), STATED)
def test_annual_figures_agree_with_the_change_the_report_states(
    code, current, change, previous, percent, quote
):
    assert ANNUAL[code][2018] == current
    if change is not None:
        assert ANNUAL[code][2017] == current - change
    else:
        assert ANNUAL[code][2017] == previous
    actual_change = ANNUAL[code][2018] - ANNUAL[code][2017]
    assert _percent(actual_change, ANNUAL[code][2017]) == percent
    if quote:
        assert any(quote in p for p in _all_paragraphs()), quote


def test_every_annual_figure_is_checked_against_the_text():
    assert {code for code, *_ in STATED} == set(ANNUAL)


def test_offensive_weapon_searches_are_left_out_because_three_pairs_fit():
    # "a 114% increase (+351 searches)": 307, 308 and 309 all round to 114%.
    assert _fitting_previous_values(351, 114) == [307, 308, 309]
    assert not any("offensive weapon" in row["name"].lower() for row in CATALOGUE)


@pytest.mark.parametrize(
    ("what", "change", "percent"),
    [
        ("violence with injury", -501, -7),
        ("hate crime", 152, 10),
        ("burglary", -953, -10),
        ("drug offences", 313, 19),
        ("child sexual exploitation", -91, -30),
        ("rape", 169, 21),
    ],
)
def test_measures_given_only_as_a_change_and_rounded_percent_are_left_out(what, change, percent):
    assert len(_fitting_previous_values(change, percent)) > 1
    assert not any(what in row["name"].lower() for row in CATALOGUE)


# --------------------------------------------------------------------------- glossary
EXPECTED_TERMS = [
    ("Contact Management Department", "CMD"),
    ("Domestic Abuse Investigation Unit", "DAIU"),
    ("Domestic Violence Prevention Orders", "DVPO"),
    ("Clare’s Law", ""),
    ("Missing Persons Team", "MPT"),
    ("ASB", ""),
    ("Incident", ""),
    ("Crime", ""),
    ("County Lines", ""),
    ("Historical Offences", ""),
    ("Integrated Offender Management", "IOM"),
    ("Managing Sexual Offenders and Violent Offenders", "MOSOVO"),
    ("Paedophile Online Investigations Team", "POLIT"),
    ("Signal", ""),
    ("Prevent Team", ""),
    ("Positive Outcome", ""),
    ("Pronto", ""),
    ("Most Similar Forces", ""),
    ("Organised Crime Group", "OCG"),
    ("Child Sexual Exploitation", "CSE"),
]


def test_glossary_lists_every_appendix_term_in_order():
    assert [(row["term"], row["abbreviation"]) for row in GLOSSARY] == EXPECTED_TERMS
    for row in GLOSSARY:
        assert len(row["term"]) <= Term._meta.get_field("term").max_length
        assert len(row["abbreviation"]) <= Term._meta.get_field("abbreviation").max_length


def test_glossary_definitions_are_reconstructed_from_the_interleaved_columns():
    by_term = {row["term"]: row["definition"] for row in GLOSSARY}
    assert by_term["Domestic Abuse Investigation Unit"].startswith(
        "Domestic Abuse Investigation Unit is the Force Team that manages high risk domestic abuse crimes"
    )
    assert by_term["Managing Sexual Offenders and Violent Offenders"] == (
        "The MOSOVO team manage registered sex offenders, registered violent offenders and part 4 "
        "terrorism offenders in the community. They also investigate Potentially Dangerous Offenders (PDP'S)."
    )
    assert by_term["Organised Crime Group"] == (
        "Organised criminals working together for a particular criminal activity or activities."
    )
    assert by_term["Pronto"].endswith("The software went live in early October 2018.")
    assert by_term["Most Similar Forces"].startswith("Nationally peer comparisons are made")
    for definition in by_term.values():
        for leftover in ("Investigation\nUnit", "(DAIU)", "(MOSOVO)", "(POLIT)", "OCG"):
            assert leftover not in definition


def test_prevent_team_objectives_stay_a_list():
    prevent = next(row for row in GLOSSARY if row["term"] == "Prevent Team")
    rendered = render_markdown(prevent["definition"])
    assert rendered.count("<li>") == 3
    assert "<li>Safeguard and support those most at risk of radicalisation</li>" in rendered


@pytest.mark.parametrize("row", GLOSSARY, ids=lambda r: r["term"])
def test_glossary_definitions_render_without_losing_words(row):
    rendered = html.unescape(strip_tags(render_markdown(row["definition"])))
    assert rendered.split() == row["definition"].replace("\n- ", "\n").split()
