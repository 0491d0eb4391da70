"""What the admin fills in when an editor leaves it blank, and the small things a new force
met first: the report's address, the order of new rows, labels, values in lists, the home
force, and glossary links in a report without a glossary."""

import re

import pytest
from django.urls import reverse

from kpis.models import Kpi, Observation, Organisation
from reports.addresses import slug_from_title
from reports.models import KpiRow, Paragraph, Report, Section
from reports.snapshot import build_snapshot
from tests.admin_forms import form_fields

from .builders import make_report

TITLE = "Force Performance: End of Year 2021/22 (April 2021 – March 2022)"


# --------------------------------------------------------------------------- web address
@pytest.mark.parametrize(
    "title, slug",
    [
        (TITLE, "force-performance-end-of-year-2021-22"),
        ("Quarter 3 report 2023/2024", "quarter-3-report-2023-2024"),
        ("Calls [draft] (v2)", "calls"),
        ("!!!", "report"),
        ("A " + "very long title " * 10, "a-very-long-title-very-long-title-very-long-title-very-long"),
    ],
)
def test_slug_from_title(title, slug):
    assert slug_from_title(title, taken=lambda s: False) == slug


def test_slug_from_title_adds_a_number_when_taken():
    taken = {"panel-report", "panel-report-2"}
    assert slug_from_title("Panel report", taken=taken.__contains__) == "panel-report-3"


def report_form(organisation, **fields):
    data = {
        "title": TITLE,
        "slug": "",
        "organisation": organisation.pk,
        "audience": "public",
        "marking": "NOT PROTECTIVELY MARKED",
        "period_kind": "year",
        "period_start": "2021-04-01",
        "period_end": "2022-03-31",
        "glossary_mode": "used",
    }
    for prefix in ("sections", "publications", "reviews"):
        data.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0})
    return {**data, **fields}


@pytest.mark.django_db
def test_a_blank_address_is_made_from_the_title_and_the_help_text_reads_whole(client, editor):
    client.force_login(editor)
    page = client.get(reverse("admin:reports_report_add")).content.decode()
    assert "after /reports/ (e.g. performance-2021-22)" in page
    assert "/reports//" not in page
    assert 'class="vTextField report-title-input"' in page
    assert re.search(r'<input type="date" name="period_start"', page), "dates use the browser's date field"
    org = Organisation.home()
    for expected in ("force-performance-end-of-year-2021-22", "force-performance-end-of-year-2021-22-2"):
        response = client.post(reverse("admin:reports_report_add"), report_form(org))
        assert response.status_code == 302, response.content.decode()[:3000]
        assert Report.objects.order_by("-pk").first().slug == expected


@pytest.mark.django_db
def test_a_typed_address_is_kept_and_a_taken_one_refused(client, editor):
    client.force_login(editor)
    org = Organisation.home()
    client.post(reverse("admin:reports_report_add"), report_form(org, slug="northshire-2021-22"))
    assert Report.objects.filter(slug="northshire-2021-22").exists()
    again = client.post(reverse("admin:reports_report_add"), report_form(org, slug="northshire-2021-22"))
    assert again.status_code == 200
    assert "Report with this Web address already exists." in again.content.decode()


# --------------------------------------------------------------------------- order of new rows
@pytest.mark.django_db
def test_new_sections_rows_and_paragraphs_go_after_the_last_one(client, editor):
    report = make_report(by=editor)
    client.force_login(editor)
    last = report.sections.order_by("-position").first().position
    url = reverse("admin:reports_report_change", args=[report.pk])
    data = form_fields(client.get(url))
    count = int(data["sections-TOTAL_FORMS"])
    data["sections-TOTAL_FORMS"] = count + 2
    for i, heading in enumerate(["Victims", "Finance"], start=count):
        new = {"position": "", "kind": "narrative", "heading": heading}
        data.update({f"sections-{i}-{name}": value for name, value in new.items()})
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:4000]
    positions = dict(report.sections.values_list("heading", "position"))
    assert (positions["Victims"], positions["Finance"]) == (last + 1, last + 2)

    section = report.sections.get(heading="Calls")
    url = reverse("admin:reports_section_change", args=[section.pk])
    page = client.get(url)
    assert re.search(r"<th[^>]*>\s*KPI", page.content.decode()), "the KPI rows' column is headed KPI, not Kpi"
    kpi = Kpi.objects.create(code="9.9", name="Something new", category="Calls")
    rows, paragraphs = list(section.kpi_rows.all()), list(section.paragraphs.all())
    data = form_fields(page)
    data.update({"kpi_rows-TOTAL_FORMS": len(rows) + 1, "paragraphs-TOTAL_FORMS": len(paragraphs) + 1})
    data.update({f"kpi_rows-{len(rows)}-position": "", f"kpi_rows-{len(rows)}-kpi": kpi.pk})
    new = len(paragraphs)
    data.update({f"paragraphs-{new}-position": "", f"paragraphs-{new}-text": "New one."})
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:4000]
    assert KpiRow.objects.get(section=section, kpi=kpi).position == max(r.position for r in rows) + 1
    assert Paragraph.objects.get(section=section, text="New one.").position == len(paragraphs) + 1


# --------------------------------------------------------------------------- lists and labels
@pytest.mark.django_db
def test_the_observations_list_shows_values_as_reports_print_them(client, editor):
    make_report(by=editor)
    client.force_login(editor)
    page = client.get(reverse("admin:kpis_observation_changelist") + "?q=1.1").content.decode()
    first = Observation.objects.filter(kpi__code="1.1").order_by("-period_start").first()
    assert f"{int(first.value):,}" in page
    assert ".0000" not in page


# --------------------------------------------------------------------------- organisations
@pytest.mark.django_db
def test_an_organisations_code_is_made_from_its_name_when_left_blank(client, superuser):
    client.force_login(superuser)
    url = reverse("admin:kpis_organisation_add")
    page = client.get(url).content.decode()
    assert "prepopulated" not in page.split('name="code"')[0].rsplit("<div", 1)[-1]
    for expected in ("northshire-police", "northshire-police-2"):
        name = "Northshire Police" if expected == "northshire-police" else "Northshire  Police!"
        response = client.post(url, {"name": name, "code": ""})
        assert response.status_code == 302, response.content.decode()[:3000]
        assert Organisation.objects.filter(code=expected).exists()
    client.post(url, {"name": "Southshire Police", "code": "south"})
    assert Organisation.objects.get(name="Southshire Police").code == "south"


@pytest.mark.django_db
def test_a_superuser_moves_the_home_force_with_the_list_action(client, superuser, editor):
    old = Organisation.home()
    new = Organisation.objects.create(name="Northshire Police", code="northshire")
    changelist = reverse("admin:kpis_organisation_changelist")
    client.force_login(editor)
    assert "make_home" not in client.get(changelist).content.decode()
    client.post(changelist, {"action": "make_home", "_selected_action": [new.pk]})
    assert Organisation.home() == old

    client.force_login(superuser)
    ticked = client.post(
        reverse("admin:kpis_organisation_change", args=[new.pk]),
        {"name": new.name, "code": new.code, "is_home": "on"},
    )
    assert "Another organisation is already the home force." in ticked.content.decode()
    response = client.post(changelist, {"action": "make_home", "_selected_action": [new.pk]}, follow=True)
    assert "Northshire Police is now the home force (it was Home force)." in response.content.decode()
    assert Organisation.home() == new
    assert not Organisation.objects.get(pk=old.pk).is_home


def test_a_new_report_starts_with_the_home_force_chosen(client, editor):
    Organisation.objects.create(name="Eastshire Police", code="eastshire")
    home = Organisation.objects.create(name="Southshire Constabulary", code="southshire", is_home=True)
    client.force_login(editor)
    page = client.get(reverse("admin:reports_report_add")).content.decode()
    assert re.search(rf'<option value="{home.pk}" selected>Southshire Constabulary</option>', page)
    assert "Eastshire Police</option>" in page and page.count(" selected>Eastshire") == 0


# --------------------------------------------------------------------------- glossary links
@pytest.mark.django_db
def test_terms_are_linked_only_when_the_report_prints_a_glossary(editor):
    report = make_report(by=editor)
    with_glossary = build_snapshot(report)
    html = " ".join(p["html"] for s in with_glossary["sections"] for p in s["paragraphs"])
    assert 'href="#term-' in html
    Section.objects.filter(report=report, kind=Section.Kind.GLOSSARY).delete()
    without = build_snapshot(report)
    html = " ".join(p["html"] for s in without["sections"] for p in s["paragraphs"])
    assert "#term-" not in html and "The CMD dealt with more 999 calls." in html
