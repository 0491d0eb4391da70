"""No lost updates: every staff change form refuses a save made from an out-of-date page.

Two editors open the same change form through the real admin URLs; the second saves
first; the first one's save is refused with a form error naming the second editor, their
input stays on the page, nothing of theirs is written, and saving again from the
refusal page (knowing of the other change) goes through.
"""

import html

import pytest
from django.test import Client
from django.urls import reverse

from glossary.models import Term
from kpis.models import Kpi
from reports.models import Paragraph, Report, Section
from tests.admin_forms import form_fields
from tests.reports.builders import make_report

pytestmark = pytest.mark.django_db


def _clients(first, second):
    a, b = Client(), Client()
    a.force_login(first)
    b.force_login(second)
    return a, b


def _open(client, url, form_id):
    page = client.get(url)
    assert page.status_code == 200
    data = form_fields(page, form_id)
    assert "seen_edit_version" in data, "the change form carries the version it was opened with"
    return data


def _assert_refused(response, *, other, kept: str):
    assert response.status_code == 200, "a form error, not a redirect or a server error"
    page = html.unescape(response.content.decode())
    assert "after you opened this page" in page
    assert f"changed by {other.get_full_name()}" in page
    assert kept in page, "the user's input stays on the page"


def _resubmit(client, url, response, form_id):
    """Save again from the refusal page, as a person who has now seen the other change."""
    data = form_fields(response, form_id)
    return client.post(url, data)


def test_report_form_refuses_a_stale_save(editor, editor2):
    report = make_report(by=editor)
    url = reverse("admin:reports_report_change", args=[report.pk])
    a, b = _clients(editor, editor2)
    mine, theirs = _open(a, url, "report_form"), _open(b, url, "report_form")

    theirs["title"] = "Title saved first"
    assert b.post(url, theirs).status_code == 302
    mine["contact_name"] = "My contact, typed on an old page"
    response = a.post(url, mine)
    _assert_refused(response, other=editor2, kept="My contact, typed on an old page")
    report.refresh_from_db()
    assert (report.title, report.contact_name) == ("Title saved first", "")

    assert _resubmit(a, url, response, "report_form").status_code == 302
    report.refresh_from_db()
    assert report.contact_name == "My contact, typed on an old page"


def test_report_form_is_stale_after_a_section_of_it_is_saved(editor, editor2):
    """The report form shows its sections inline: a section saved elsewhere makes it stale."""
    report = make_report(by=editor)
    section = report.sections.get(heading="Calls")
    report_url = reverse("admin:reports_report_change", args=[report.pk])
    section_url = reverse("admin:reports_section_change", args=[section.pk])
    a, b = _clients(editor, editor2)
    mine = _open(a, report_url, "report_form")
    theirs = _open(b, section_url, "section_form")
    theirs["heading"] = "Calls for service"
    assert b.post(section_url, theirs).status_code == 302

    index = next(k for k, v in mine.items() if k.endswith("-heading") and v == "Calls")
    mine[index] = "Calls (old page)"
    _assert_refused(a.post(report_url, mine), other=editor2, kept="Calls (old page)")
    assert Section.objects.get(pk=section.pk).heading == "Calls for service"


def test_section_form_refuses_a_stale_save_of_another_paragraph(editor, editor2):
    """The finding: two people save the same section with different paragraphs changed."""
    report = make_report(by=editor)
    section = report.sections.get(heading="Calls")
    first, second = section.paragraphs.order_by("position")
    url = reverse("admin:reports_section_change", args=[section.pk])
    a, b = _clients(editor, editor2)
    mine, theirs = _open(a, url, "section_form"), _open(b, url, "section_form")

    theirs["paragraphs-0-text"] = "The CMD dealt with 150,536 calls (saved first)."
    assert b.post(url, theirs).status_code == 302
    mine["paragraphs-1-text"] = "The CMD answered 90% of calls within 10 seconds."
    response = a.post(url, mine)
    _assert_refused(response, other=editor2, kept="The CMD answered 90% of calls within 10 seconds.")
    assert Paragraph.objects.get(pk=first.pk).text == "The CMD dealt with 150,536 calls (saved first)."
    assert Paragraph.objects.get(pk=second.pk).text == "The CMD answered quickly."

    assert _resubmit(a, url, response, "section_form").status_code == 302
    assert Paragraph.objects.get(pk=second.pk).text == "The CMD answered 90% of calls within 10 seconds."


def test_section_form_refuses_a_stale_save_of_kpi_rows(editor, editor2):
    report = make_report(by=editor)
    section = report.sections.get(heading="Calls")
    url = reverse("admin:reports_section_change", args=[section.pk])
    a, b = _clients(editor, editor2)
    mine, theirs = _open(a, url, "section_form"), _open(b, url, "section_form")
    theirs["kpi_rows-0-position"] = "5"
    assert b.post(url, theirs).status_code == 302
    mine.pop("kpi_rows-0-show_chart")  # untick "show trend chart"
    mine["intro"] = "Intro typed on an old page."
    _assert_refused(a.post(url, mine), other=editor2, kept="Intro typed on an old page.")
    row = section.kpi_rows.get()
    assert (row.position, row.show_chart) == (5, True)


def test_kpi_form_refuses_a_stale_save(editor, editor2):
    make_report(by=editor)
    kpi = Kpi.objects.get(code="1.1")
    url = reverse("admin:kpis_kpi_change", args=[kpi.pk])
    a, b = _clients(editor, editor2)
    mine, theirs = _open(a, url, "kpi_form"), _open(b, url, "kpi_form")
    theirs["name"] = "Number of 999 calls received"
    assert b.post(url, theirs).status_code == 302
    mine["description"] = "Emergency calls, typed on an old page."
    response = a.post(url, mine)
    _assert_refused(response, other=editor2, kept="Emergency calls, typed on an old page.")
    kpi.refresh_from_db()
    assert (kpi.name, kpi.description) == ("Number of 999 calls received", "")
    assert _resubmit(a, url, response, "kpi_form").status_code == 302


def test_glossary_term_form_refuses_a_stale_save(editor, editor2):
    make_report(by=editor)
    term = Term.objects.get(abbreviation="CMD")
    url = reverse("admin:glossary_term_change", args=[term.pk])
    a, b = _clients(editor, editor2)
    mine, theirs = _open(a, url, "term_form"), _open(b, url, "term_form")
    theirs["definition"] = "Takes 999 and 101 calls."
    assert b.post(url, theirs).status_code == 302
    mine["definition"] = "My definition, typed on an old page."
    response = a.post(url, mine)
    _assert_refused(response, other=editor2, kept="My definition, typed on an old page.")
    assert Term.objects.get(pk=term.pk).definition == "Takes 999 and 101 calls."
    assert _resubmit(a, url, response, "term_form").status_code == 302
    assert Term.objects.get(pk=term.pk).definition == "My definition, typed on an old page."


def test_a_form_without_its_version_is_refused(editor):
    """A post that does not say which version it edits is treated as out of date."""
    report = make_report(by=editor)
    url = reverse("admin:reports_report_change", args=[report.pk])
    client = Client()
    client.force_login(editor)
    data = _open(client, url, "report_form")
    data.pop("seen_edit_version")
    data["title"] = "No version"
    response = client.post(url, data)
    assert response.status_code == 200
    assert "did not say which version" in html.unescape(response.content.decode())
    assert Report.objects.get(pk=report.pk).title != "No version"


@pytest.mark.django_db(transaction=True)
def test_two_saves_at_the_same_moment_from_the_same_page(postgres, editor, editor2):
    """Both posts wait on the row; the version is checked under its lock, so one is refused."""
    import threading
    import time

    from django.db import connection, transaction

    term = Term.objects.create(term="Contact Management Department", abbreviation="CMD", definition="Old.")
    url = reverse("admin:glossary_term_change", args=[term.pk])
    a, b = _clients(editor, editor2)
    forms = [(a, _open(a, url, "term_form")), (b, _open(b, url, "term_form"))]
    statuses = []

    def save(client, data, text):
        try:
            statuses.append(client.post(url, {**data, "definition": text}).status_code)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=save, args=(client, data, f"Saved by {n}."))
        for n, (client, data) in enumerate(forms)
    ]
    with transaction.atomic():
        Term.objects.select_for_update().get(pk=term.pk)  # hold the row while both posts arrive
        for thread in threads:
            thread.start()
        time.sleep(2)
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(statuses) == [200, 302], "exactly one save wins; the other is a form error"


def test_a_read_only_page_carries_no_version(editor):
    """A report in review is read-only to its editors: nothing to save, no version field."""
    report = make_report(by=editor)
    Report.objects.filter(pk=report.pk).update(status=Report.Status.IN_REVIEW)
    client = Client()
    client.force_login(editor)
    for url in (
        reverse("admin:reports_report_change", args=[report.pk]),
        reverse("admin:reports_section_change", args=[report.sections.first().pk]),
    ):
        page = client.get(url).content.decode()
        assert "seen_edit_version" not in page and "Seen edit version" not in page
