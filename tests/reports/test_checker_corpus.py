"""The planted-error corpus: single-figure slips the checker must flag, rewordings it must not.

The cases are data (tests/reports/checker_corpus/*.json, see its README). Each mutation
changes one figure of an agreeing sentence; each rewording changes the words and not
the claim. The checker must call at least 95% of the mutated figures mismatches, and no
rewording may raise a flag the unmodified paragraph did not raise.
"""

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from kpis.comparison import compare_values
from kpis.periods import Period
from kpis.series import PeriodValue
from reports.checker import check_snapshot
from reports.checker.paragraph import check_snapshot_paragraph, paragraph_text, snapshot_paragraphs

from .fixtures.reference import reference_snapshot

CORPUS = Path(__file__).resolve().parent / "checker_corpus"


def second_snapshot(spec: dict) -> dict:
    """The generated second report as a snapshot: its tables, and a KPI only the catalogue holds."""
    year, period = spec["report"]["financial_year"], spec["report"].get("period")
    if period:  # a quarter or the year to date, against the same months a year earlier
        current = Period(date.fromisoformat(period["start"]), date.fromisoformat(period["end"]))
        previous = current.same_period_last_year()
    else:
        current, previous = Period.financial_year(year), Period.financial_year(year - 1)
    months = current.month_count

    def row(kpi: dict) -> dict:
        def pv(period, value):
            return PeriodValue(period, Decimal(value), months, months, "months")

        comparison = compare_values(
            pv(current, kpi["current"]),
            pv(previous, kpi["previous"]),
            unit=kpi["unit"],
            decimals=kpi["decimals"],
        )
        fields = ("code", "name", "category", "unit", "decimals", "aliases")
        return {"kpi": {k: kpi[k] for k in fields}, "comparison": comparison.as_dict()}

    kpis = {k["code"]: k for k in spec["kpis"]}
    sections, used = [], set()
    for number, section in enumerate(spec["sections"], start=1):
        used.update(section["kpi_codes"])
        paragraphs = [
            {"number": f"{number}.{i}", "text": text} for i, text in enumerate(section["paragraphs"], start=1)
        ]
        rows = [row(kpis[code]) for code in section["kpi_codes"]]
        sections.append(
            {"kind": "performance", "number": str(number), "paragraphs": paragraphs, "rows": rows}
        )
    return {
        "report": {
            "title": spec["report"]["title"],
            "period": current.as_dict(),
            "comparison": previous.as_dict(),
        },
        "sections": sections,
        "catalogue": [row(k) for code, k in kpis.items() if code not in used],
    }


def corpus() -> list[tuple[str, dict, dict]]:
    """The 2018/19 report's edits first, then every generated report in the folder."""
    reference = json.loads((CORPUS / "reference_2018_19.json").read_text(encoding="utf-8"))
    reports = [("2018/19", reference_snapshot(), reference)]
    for path in sorted(CORPUS.glob("*.json")):
        if path.name != "reference_2018_19.json":
            spec = json.loads(path.read_text(encoding="utf-8"))
            reports.append((path.stem, second_snapshot(spec), spec))
    return reports


@pytest.fixture(scope="module")
def reports():
    return corpus()


def edited(snapshot: dict, case: dict):
    """The case's paragraph, checked as it is and with the edit applied."""
    for paragraph, rows, others in snapshot_paragraphs(snapshot):
        if paragraph["number"] == case["paragraph"]:
            text = paragraph_text(paragraph)
            assert text.count(case["from"]) == 1, f"{case['from']!r} is not once in {case['paragraph']}"
            before = check_snapshot_paragraph(snapshot, paragraph, rows, others)
            after = check_snapshot_paragraph(
                snapshot, paragraph, rows, others, text.replace(case["from"], case["to"])
            )
            at = text.index(case["from"])  # the edited figure, not an earlier one written the same
            after.sort(key=lambda f: not at <= f.start < at + len(case["to"]))
            return before, after
    raise AssertionError(f"no paragraph {case['paragraph']}")


def test_the_corpus_is_as_big_as_promised(reports):
    mutations = sum(len(spec["mutations"]) for _, _, spec in reports)
    rewordings = sum(len(spec["rewordings"]) for _, _, spec in reports)
    assert mutations >= 60 and rewordings >= 30
    slips = {case["slip"] for _, _, spec in reports for case in spec["mutations"]}
    assert {
        "digits swapped", "digit missing", "digit added", "one digit wrong", "direction reversed",
        "other measure's value", "false qualifier", "wrong percentage", "wrong monthly average",
        "wrong peer figure",
    } <= slips  # fmt: skip


def test_at_least_95_percent_of_planted_slips_are_mismatches(reports):
    missed, total = [], 0
    for name, snapshot, spec in reports:
        for case in spec["mutations"]:
            total += 1
            _, after = edited(snapshot, case)
            hits = [f for f in after if f.text == case["figure"]]
            assert hits, f"{name} {case['paragraph']}: {case['figure']!r} is not read as a figure"
            if hits[0].status != "mismatch":
                missed.append((name, case["paragraph"], case["to"], hits[0].status, hits[0].message))
    assert len(missed) <= total * 0.05, "\n".join(map(str, missed))


def test_mismatch_messages_say_what_the_table_holds_and_the_likely_slip(reports):
    cases = [
        (snapshot, case) for _, snapshot, spec in reports for case in spec["mutations"] if "expect" in case
    ]
    assert len(cases) >= 5
    for snapshot, case in cases:
        _, after = edited(snapshot, case)
        finding = next(f for f in after if f.text == case["figure"])
        assert case["expect"] in finding.message, finding.message


def test_no_harmless_rewording_is_flagged(reports):
    flagged = []
    for name, snapshot, spec in reports:
        for case in spec["rewordings"]:
            before, after = edited(snapshot, case)
            was = {(f.text, f.status) for f in before if f.flagged}
            now = {(f.text, f.status) for f in after if f.flagged}
            if now - was:
                flagged.append((name, case["paragraph"], case["to"], now - was))
    assert flagged == []


def test_the_unmodified_second_report_agrees_with_its_data(reports):
    snapshot = next(snapshot for name, snapshot, _ in reports if name == "second_report")
    findings = check_snapshot(snapshot)
    assert [f for f in findings if f.flagged] == []
    numeric = [f for f in findings if f.kind not in ("period", "date", "year")]
    assert sum(f.status == "match" for f in numeric) >= len(numeric) - 1  # "10 seconds" names a KPI


def test_no_unmodified_generated_report_raises_a_flag(reports):
    for name, snapshot, _ in reports[1:]:
        flagged = [(f.paragraph, f.text, f.message) for f in check_snapshot(snapshot) if f.flagged]
        assert flagged == [], name
