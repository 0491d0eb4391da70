"""What changed between two snapshots: figures per KPI row, text per paragraph, as safe HTML."""

import copy
import json

import pytest
from django.template.loader import render_to_string

from reports.changes import diff_html, diff_snapshots

from .fixtures.reference import reference_snapshot


def edited():
    old = reference_snapshot()
    old["report"]["version"] = 1
    new = copy.deepcopy(old)
    new["report"]["version"] = 2
    return old, new


def paragraph(snapshot, number):
    return next(p for s in snapshot["sections"] for p in s["paragraphs"] if p["number"] == number)


def test_identical_snapshots_have_no_changes():
    old, new = edited()
    changes = diff_snapshots(old, new)
    assert changes["has_changes"] is False
    assert (changes["figures"], changes["text"], changes["report"]) == ([], [], [])
    html = render_to_string("reports/changes.html", {"changes": changes})
    assert "No figure or text has changed since version 1." in html


def test_an_edited_paragraph_shows_a_word_level_diff():
    old, new = edited()
    p = paragraph(new, "3.1")
    p["text"] = (
        p["text"]
        .replace("the same quarter of the previous year", "the previous year")
        .replace("+9.6%", "+10%")
    )
    changes = diff_snapshots(old, new)
    assert [(t["number"], t["status"]) for t in changes["text"]] == [("3.1", "changed")]
    html = changes["text"][0]["html"]
    assert '<del><span class="visually-hidden">removed: </span>same quarter of the</del> ' in html
    assert '<del><span class="visually-hidden">removed: </span>+9.6%</del>' in html
    assert '<ins><span class="visually-hidden">added: </span>+10%</ins>' in html
    assert html.startswith("The force recorded an additional 8,164 crimes compared to the ")
    assert changes["text"][0]["section"] == "Crime"


def test_added_and_removed_paragraphs():
    old, new = edited()
    crime = next(s for s in new["sections"] if s["heading"] == "Crime")
    crime["paragraphs"].append({"number": "3.12", "text": "A new paragraph."})
    outcomes = next(s for s in new["sections"] if s["heading"] == "Outcomes")
    outcomes["paragraphs"] = [p for p in outcomes["paragraphs"] if p["number"] != "4.4"]
    text = {t["number"]: t for t in diff_snapshots(old, new)["text"]}
    assert text["3.12"]["status"] == "added" and text["3.12"]["html"].count("<ins>") == 1
    assert text["4.4"]["status"] == "removed" and "<ins>" not in text["4.4"]["html"]


def test_changed_figures_are_listed_per_kpi_with_old_and_new_displays():
    old, new = edited()
    crime = next(s for s in new["sections"] if s["heading"] == "Crime")
    comparison = crime["rows"][0]["comparison"]
    comparison.update(current_display="93,000", change_display="+8,240", percent_change_display="+10%")
    changes = diff_snapshots(old, new)
    assert changes["figures"] == [
        {
            "code": "3.1",
            "name": "All Crime",
            "section": "Crime",
            "status": "changed",
            "fields": [
                {"label": "18/19", "was_label": "18/19", "old": "92,924", "new": "93,000"},
                {"label": "Volume change", "was_label": "Volume change", "old": "+8,164", "new": "+8,240"},
            ],
        }
    ]
    html = render_to_string("reports/changes.html", {"changes": changes})
    assert '<th scope="rowgroup" rowspan="2">3.1 All Crime</th>' in html
    assert "<td>92,924</td>" in html and "<td>93,000</td>" in html


def test_a_removed_kpi_row_is_reported():
    old, new = edited()
    for section in new["sections"]:
        section["rows"] = [r for r in section["rows"] if r["kpi"]["code"] != "5.1"]
    item = diff_snapshots(old, new)["figures"][0]
    assert (item["code"], item["status"]) == ("5.1", "removed")
    assert item["fields"][0] == {"label": "18/19", "was_label": "18/19", "old": "3,716", "new": ""}


def test_report_details_and_periods():
    old, new = edited()
    new["report"]["title"] = "Force Performance 2018/19 (corrected)"
    changes = diff_snapshots(old, new)
    assert changes["report"] == [
        {"label": "Title", "old": old["report"]["title"], "new": "Force Performance 2018/19 (corrected)"}
    ]


def test_user_text_is_escaped_in_the_diff():
    html = diff_html("Safe <b>text</b>", 'Safe <script>alert("x")</script> text')
    assert "<script>" not in html and "<b>" not in html
    assert "&lt;script&gt;" in html and "&lt;b&gt;text&lt;/b&gt;" in html
    rendered = render_to_string(
        "reports/changes.html",
        {
            "changes": {
                "has_changes": True,
                "report": [],
                "figures": [],
                "text": [{"number": "1", "section": "<i>s</i>", "status": "changed", "html": html}],
            }
        },
    )
    assert "<script>" not in rendered and "&lt;i&gt;s&lt;/i&gt;" in rendered


def test_diff_html_keeps_spacing_and_handles_empty_sides():
    assert diff_html("a b c", "a b c") == "a b c"
    assert diff_html("", "new words") == '<ins><span class="visually-hidden">added: </span>new words</ins>'
    assert diff_html("old", "") == '<del><span class="visually-hidden">removed: </span>old</del>'
    assert diff_html("rose by 5", "fell by 5") == (
        '<del><span class="visually-hidden">removed: </span>rose</del>'
        '<ins><span class="visually-hidden">added: </span>fell</ins> by 5'
    )


def test_the_diff_is_json_safe_for_storage():
    old, new = edited()
    paragraph(new, "1.1")["text"] = "Changed."
    assert json.loads(json.dumps(diff_snapshots(old, new)))["text"][0]["number"] == "1.1"


@pytest.mark.browser
def test_the_changes_partial_passes_axe(page):

    from tests.conftest import run_axe, screenshot

    old, new = edited()
    p = paragraph(new, "3.1")
    p["text"] = p["text"].replace("the same quarter of the previous year", "the previous year")
    new["report"]["title"] = "Corrected"
    next(s for s in new["sections"] if s["heading"] == "Crime")["rows"][0]["comparison"][
        "current_display"
    ] = "93,000"
    partial = render_to_string("reports/changes.html", {"changes": diff_snapshots(old, new)})
    page.set_content(
        f'<!doctype html><html lang="en"><head><title>Changes</title></head><body><main>'
        f"<h1>Review</h1><h2>What changed</h2>{partial}</main></body></html>"
    )
    assert run_axe(page) == []
    assert page.locator("del").count() >= 1 and page.locator("ins").count() == 0
    screenshot(page, "changes-partial")


def _with_paragraph_3_1(text: str) -> dict:
    snapshot = reference_snapshot()
    paragraph(snapshot, "3.1")["text"] = text
    return snapshot


def test_a_paragraph_mostly_rewritten_is_shown_whole_rather_than_interleaved():
    old = _with_paragraph_3_1("Crime was recorded as counted.")
    new = _with_paragraph_3_1("The force recorded an additional 8,164 crimes this year.")
    (item,) = diff_snapshots(old, new)["text"]
    assert item["status"] == "rewritten" and item["html"] == ""
    assert (item["old"], item["new"]) == (
        "Crime was recorded as counted.",
        paragraph(new, "3.1")["text"],
    )
    # A small edit stays a word diff.
    edited = _with_paragraph_3_1("Crime was recorded as it was counted.")
    (item,) = diff_snapshots(old, edited)["text"]
    assert item["status"] == "changed" and "<ins>" in item["html"]


def test_kpi_details_glossary_definitions_and_link_addresses_are_listed():
    old, new = edited()
    row = next(r for s in new["sections"] for r in s.get("rows") or [])
    was_name = row["kpi"]["name"]
    row["kpi"]["name"] = "Renamed KPI"
    glossary = {"kind": "glossary", "heading": "Glossary", "title": "Glossary", "paragraphs": [], "rows": []}
    cmd = {"term": "Contact Management Department", "abbreviation": "CMD", "anchor": "term-cmd"}
    old["sections"].append({**glossary, "terms": [{**cmd, "definition_html": "<p>Takes calls.</p>"}]})
    new["sections"].append({**glossary, "terms": [{**cmd, "definition_html": "<p>Takes calls.</p>"}]})
    term = new["sections"][-1]["terms"][0]
    term["definition_html"] = '<p>Now with <a href="https://example.net/x">a link</a>.</p>'
    p = paragraph(new, "3.1")
    p["html"] = '<p><a href="https://example.org/new">' + p["html"][3:-4] + "</a></p>"
    changes = diff_snapshots(old, new)
    assert changes["has_changes"] is True
    assert changes["kpis"] == [
        {
            "code": row["kpi"]["code"],
            "name": "Renamed KPI",
            "fields": [{"label": "Name", "old": was_name, "new": "Renamed KPI"}],
        }
    ]
    assert [g["status"] for g in changes["glossary"]] == ["changed"]
    assert term["term"] in changes["glossary"][0]["term"]
    assert "https://example.net/x" in changes["glossary"][0]["html"]
    assert [t["number"] for t in changes["text"]] == ["3.1"], "same words, new link address"
    assert "https://example.org/new" in changes["text"][0]["html"]
    html = render_to_string("reports/changes.html", {"changes": changes})
    assert "KPI names and descriptions" in html and "Renamed KPI" in html and "https://example.net/x" in html
