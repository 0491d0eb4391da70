"""Approve what was reviewed; whoever changes what a draft shows may not approve it.

Everything goes through the real admin URLs: the reviewer reads the review page, someone
changes a glossary definition, a KPI's name, a paragraph or the figures (by an import)
meanwhile, and the reviewer's approval from the page they read is refused with what
changed; after reading the refusal page they approve, and the frozen version holds the
new content. Edits of shared content by someone who also reviews make them a contributor.
"""

import html
import json
import re

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from glossary.models import Term
from kpis.models import Kpi, Observation
from portal import roles
from reports import admin_views, workflow
from reports.models import Publication, Report, ReviewedSnapshot
from reports.snapshot import build_snapshot, content_checksum
from tests.admin_forms import form_fields
from tests.kpis.files import csv_bytes
from tests.reports.builders import make_report

pytestmark = pytest.mark.django_db
EVIL_LINK = "https://example.net/phish"


@pytest.fixture(autouse=True)
def _no_render(monkeypatch):
    monkeypatch.setattr(workflow, "_enqueue_render", lambda publication: None)


@pytest.fixture
def in_review(editor):
    report = make_report(by=editor)
    workflow.report_submit(report=report, by=editor)
    return report


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def review_url(report) -> str:
    return reverse("admin:reports_report_review", args=[report.pk])


def checksum_on(page) -> str:
    match = re.search(r'name="checksum" value="([0-9a-f]{64})"', page.content.decode())
    assert match, "the approval form carries the checksum of what the page shows"
    return match.group(1)


def approve(client, report, checksum, comment="Read and agreed."):
    return client.post(review_url(report), {"decision": "approve", "comment": comment, "checksum": checksum})


def save_change_form(client, url, form_id, **changes):
    data = form_fields(client.get(url), form_id)
    data.update(changes)
    response = client.post(url, data)
    assert response.status_code == 302, html.unescape(response.content.decode())[-3000:]


# --------------------------------------------------------------------------- the edits
# Each makes its change through the admin as `client` and returns text the change shows.
def edit_glossary_definition(client, report, sender_back):
    term = Term.objects.get(abbreviation="CMD")
    url = reverse("admin:glossary_term_change", args=[term.pk])
    save_change_form(client, url, "term_form", definition=f"Takes calls; see [our partner]({EVIL_LINK}).")
    return EVIL_LINK


def edit_kpi_name(client, report, sender_back):
    url = reverse("admin:kpis_kpi_change", args=[Kpi.objects.get(code="1.1").pk])
    save_change_form(client, url, "kpi_form", name="Emergency calls")
    return "Emergency calls"


def edit_paragraph(client, report, sender_back):
    """A paragraph changes only in a draft: sent back, edited, submitted again."""
    workflow.report_request_changes(report=report, by=sender_back, comment="One more figure.")
    section = report.sections.get(heading="Calls")
    url = reverse("admin:reports_section_change", args=[section.pk])
    save_change_form(client, url, "section_form", **{"paragraphs-1-text": "The CMD answered 92% within 10s."})
    workflow.report_submit(report=report, by=report.created_by)
    return "92% within 10s"


def import_observations(client, report, sender_back):
    content = csv_bytes([["kpi_code", "month", "value"], ["1.1", "2018-05", 20000]])
    upload = client.post(
        reverse("admin:kpis_observation_import"), {"import_file": SimpleUploadedFile("may.csv", content)}
    )
    token = re.search(r'name="token" value="([^"]+)"', upload.content.decode()).group(1)
    response = client.post(reverse("admin:kpis_observation_process_import"), {"token": token})
    assert response.status_code == 302
    return "157,991"  # 150,536 with May's 12,545 replaced by 20,000


EDITS = {
    "glossary definition": edit_glossary_definition,
    "KPI name": edit_kpi_name,
    "paragraph": edit_paragraph,
    "observation import": import_observations,
}


@pytest.mark.parametrize("edit", EDITS)
def test_approval_refused_when_content_changed_during_review(edit, in_review, editor, reviewer, make_user):
    other_reviewer = make_user("ruth", roles.REVIEWERS, first_name="Ruth", last_name="Reviewer")
    reader = _client(reviewer)
    seen = checksum_on(reader.get(review_url(in_review)))

    shown = EDITS[edit](_client(editor), in_review, other_reviewer)

    refused = approve(reader, in_review, seen)
    assert refused.status_code == 200
    text = html.unescape(refused.content.decode())
    assert workflow.CONTENT_CHANGED in text
    diff = text[text.index("What changed since you opened this page") : text.index("Commentary checker")]
    assert shown in diff, "the refusal shows what changed"
    assert Report.objects.get(pk=in_review.pk).status == Report.Status.IN_REVIEW
    assert not Publication.objects.exists()

    # Having read the changes, the reviewer approves from the refusal page.
    assert checksum_on(refused) != seen
    assert approve(reader, in_review, checksum_on(refused)).status_code == 302
    publication = Publication.objects.get(report=in_review)
    assert content_checksum(publication.snapshot) == checksum_on(refused)
    assert shown in json.dumps(publication.snapshot, ensure_ascii=False)
    assert not ReviewedSnapshot.objects.filter(report=in_review).exists()


def test_unchanged_content_is_approved_and_checksums_ignore_build_times(in_review, reviewer):
    first, second = build_snapshot(in_review), build_snapshot(in_review, version=3, approved_by=reviewer)
    assert content_checksum(first) == content_checksum(second)
    reader = _client(reviewer)
    assert approve(reader, in_review, checksum_on(reader.get(review_url(in_review)))).status_code == 302
    assert Report.objects.get(pk=in_review.pk).status == Report.Status.APPROVED


def test_approval_without_the_pages_checksum_is_refused(in_review, reviewer):
    response = _client(reviewer).post(review_url(in_review), {"decision": "approve", "comment": "ok"})
    assert response.status_code == 200
    assert admin_views.NO_CHECKSUM in html.unescape(response.content.decode())
    assert Report.objects.get(pk=in_review.pk).status == Report.Status.IN_REVIEW


# --------------------------------------------------------------------------- contributors
def _confirm_kpi_import(client, admin_name, rows):
    upload = client.post(
        reverse(f"admin:kpis_{admin_name}_import"),
        {"import_file": SimpleUploadedFile("upload.csv", csv_bytes(rows))},
    )
    token = re.search(r'name="token" value="([^"]+)"', upload.content.decode()).group(1)
    assert (
        client.post(reverse(f"admin:kpis_{admin_name}_process_import"), {"token": token}).status_code == 302
    )


def import_glossary(client, report, sender_back):
    from tests.glossary.test_admin_import import _csv, _import

    rows = [["Contact Management Department", "CMD", "Answers calls (corrected)."]]
    _preview, confirmed = _import(client, _csv(rows))
    assert confirmed.status_code == 302
    return "Answers calls (corrected)."


def import_catalogue(client, report, sender_back):
    header = ["code", "name", "category", "unit", "aggregation", "good_direction", "decimals", "description"]
    _confirm_kpi_import(
        client, "kpi", [header, ["1.1", "999 calls", "Calls", "count", "sum", "neither", 0, ""]]
    )
    return "999 calls"


def import_national_rows(client, report, sender_back):
    """Only the KPI's national mappings change (the catalogue's national_rows column)."""
    kpi = Kpi.objects.get(code="1.1")
    fields = ["code", "name", "category", "unit", "aggregation", "good_direction", "decimals", "description"]
    row = [getattr(kpi, f) for f in fields]
    rows = [[*fields, "national_rows"], [*row, "police_uk:crime_type=Other crime"]]
    _confirm_kpi_import(client, "kpi", rows)
    assert kpi.national_mappings.get().value == "Other crime"
    return kpi.name


def edit_observation(client, report, sender_back):
    may = Observation.objects.get(kpi__code="1.1", period_start="2018-05-01")
    save_change_form(
        client, reverse("admin:kpis_observation_change", args=[may.pk]), "observation_form", value="20000"
    )
    return "157,991"


CONTRIBUTING = {
    "glossary form": edit_glossary_definition,
    "glossary import": import_glossary,
    "KPI form": edit_kpi_name,
    "KPI catalogue import": import_catalogue,
    "KPI national rows import": import_national_rows,
    "observation import": import_observations,
    "observation form": edit_observation,
}


@pytest.fixture
def editor_and_reviewer(make_user):
    user = make_user("bo", roles.REVIEWERS, first_name="Bo", last_name="Both")
    user.groups.add(Group.objects.get(name=roles.EDITORS))
    return user


@pytest.mark.parametrize("edit", CONTRIBUTING)
def test_changing_shared_content_makes_you_a_contributor(edit, in_review, editor_and_reviewer, reviewer):
    both = _client(editor_and_reviewer)
    CONTRIBUTING[edit](both, in_review, reviewer)
    assert in_review.contributors.filter(pk=editor_and_reviewer.pk).exists()

    page = both.get(review_url(in_review))
    assert "you cannot approve it or send it back" in html.unescape(page.content.decode())
    refused = approve(both, in_review, content_checksum(build_snapshot(in_review)))
    assert refused.status_code == 200
    assert Report.objects.get(pk=in_review.pk).status == Report.Status.IN_REVIEW
    with pytest.raises(PermissionDenied, match="you created, edited or submitted it"):
        workflow.report_approve(report=in_review, by=editor_and_reviewer, comment="ok")
    assert not Publication.objects.exists()


def test_changing_content_a_draft_does_not_show_leaves_you_free_to_approve(in_review, editor_and_reviewer):
    both = _client(editor_and_reviewer)
    unused = Term.objects.create(term="Most Similar Forces", abbreviation="MSF", definition="Peers.")
    save_change_form(
        both,
        reverse("admin:glossary_term_change", args=[unused.pk]),
        "term_form",
        definition="Similar forces.",
    )
    other = Kpi.objects.create(code="9.9", name="Not in this report", category="Other")
    save_change_form(both, reverse("admin:kpis_kpi_change", args=[other.pk]), "kpi_form", name="Still not")
    assert not in_review.contributors.filter(pk=editor_and_reviewer.pk).exists()
    assert approve(both, in_review, checksum_on(both.get(review_url(in_review)))).status_code == 302


def test_approval_with_a_checksum_this_site_never_showed_is_refused(in_review, reviewer):
    response = approve(_client(reviewer), in_review, "0" * 64)
    text = html.unescape(response.content.decode())
    assert workflow.CONTENT_CHANGED in text and "not on record" in text
    assert Report.objects.get(pk=in_review.pk).status == Report.Status.IN_REVIEW


@pytest.mark.parametrize("how", ["delete page", "list action"])
@pytest.mark.parametrize("part", ["section", "sourcenote"])
def test_deleting_part_of_a_draft_makes_you_a_contributor(how, part, editor, editor_and_reviewer):
    from reports.models import Paragraph, Section, SourceNote

    report = make_report(by=editor)
    paragraph = Paragraph.objects.filter(section__report=report).first()
    note = SourceNote.objects.create(paragraph=paragraph, figure="10", note="Force records.")
    target = note if part == "sourcenote" else Section.objects.get(report=report, heading="Recommendation")
    version = Report.objects.get(pk=report.pk).edit_version
    both = _client(editor_and_reviewer)
    if how == "delete page":
        response = both.post(reverse(f"admin:reports_{part}_delete", args=[target.pk]), {"post": "yes"})
    else:
        response = both.post(
            reverse(f"admin:reports_{part}_changelist"),
            {"action": "delete_selected", "_selected_action": [target.pk], "post": "yes"},
        )
    assert response.status_code == 302
    assert not type(target).objects.filter(pk=target.pk).exists()
    assert report.contributors.filter(pk=editor_and_reviewer.pk).exists()
    assert Report.objects.get(pk=report.pk).edit_version > version  # an open report form is out of date
    workflow.report_submit(report=report, by=editor)
    with pytest.raises(PermissionDenied, match="you created, edited or submitted it"):
        workflow.report_approve(report=report, by=editor_and_reviewer, comment="ok")


@pytest.mark.parametrize("part", ["section", "sourcenote"])
def test_parts_of_a_report_in_review_cannot_be_deleted_from_the_list(part, in_review, editor):
    from reports.models import Paragraph, Section, SourceNote

    paragraph = Paragraph.objects.filter(section__report=in_review).first()
    note = SourceNote.objects.create(paragraph=paragraph, figure="10", note="Force records.")
    target = note if part == "sourcenote" else Section.objects.filter(report=in_review).first()
    response = _client(editor).post(
        reverse(f"admin:reports_{part}_changelist"),
        {"action": "delete_selected", "_selected_action": [target.pk], "post": "yes"},
    )
    assert response.status_code == 403
    assert type(target).objects.filter(pk=target.pk).exists()
