"""The editors' and reviewers' admin: edits only in draft, preview as readers see it, review page."""

import re

import pytest
from django.urls import reverse

from reports import workflow
from reports.models import Paragraph, Report

from .builders import make_report

S = Report.Status


@pytest.fixture
def report(editor):
    return make_report(by=editor)


def change_url(report):
    return reverse("admin:reports_report_change", args=[report.pk])


@pytest.mark.django_db
def test_preview_renders_every_section_kind_with_draft_banner(client, editor, report):
    client.force_login(editor)
    response = client.get(reverse("admin:reports_report_preview", args=[report.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "DRAFT" in html
    assert "Purpose of Report" in html and "1. Calls" in html and "Glossary" in html
    assert "150,536" in html and "+11,643" in html
    assert "The Panel is recommended to <em>note</em> the report." in html
    assert "Contact Management Department" in html  # glossary appendix entry
    assert "NOT PROTECTIVELY MARKED" in html
    chart = client.get(reverse("admin:reports_report_preview_chart", args=[report.pk, "1.1"]))
    assert chart.status_code == 200 and "view" not in chart.json()


@pytest.mark.django_db
def test_preview_is_staff_only(client, panel_member, report):
    client.force_login(panel_member)
    response = client.get(reverse("admin:reports_report_preview", args=[report.pk]))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def post_title_change(client, report, title):
    data = {
        "title": title,
        "slug": report.slug,
        "organisation": report.organisation_id,
        "audience": "public",
        "marking": report.marking,
        "period_kind": "year",
        "period_start": "2018-04-01",
        "period_end": "2019-03-31",
        "glossary_mode": "used",
        # The version a change form opened now carries (portal.edit_versions).
        "seen_edit_version": Report.objects.get(pk=report.pk).edit_version,
    }
    # Inline formsets left empty: the title is all this post changes.
    for prefix in ("sections", "publications", "reviews"):
        data.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0})
    return client.post(change_url(report), data)


@pytest.mark.django_db
@pytest.mark.parametrize("state", [S.DRAFT, S.IN_REVIEW, S.APPROVED, S.PUBLISHED, S.WITHDRAWN])
@pytest.mark.parametrize("role", ["editor", "reviewer", "panel_member", "superuser"])
def test_admin_edit_matrix(client, request, report, state, role):
    user = request.getfixturevalue(role)
    Report.objects.filter(pk=report.pk).update(status=state)
    client.force_login(user)
    response = post_title_change(client, report, "Changed title")
    report.refresh_from_db()
    may_edit = state == S.DRAFT and role in ("editor", "superuser")
    if may_edit:
        assert response.status_code == 302, response.content[:2000]
        assert report.title == "Changed title"
        assert report.contributors.filter(pk=user.pk).exists()
    else:
        # Not staff: the admin's sign-in page; staff who may not change it now: refused.
        assert response.status_code == (302 if role == "panel_member" else 403)
        assert report.title != "Changed title"
    # Paragraphs follow the report: editable in draft only.
    paragraph = Paragraph.objects.filter(section__report=report).first()
    section_url = reverse("admin:reports_section_change", args=[paragraph.section_id])
    page = client.get(section_url)
    if role == "panel_member":
        assert page.status_code == 302
    elif may_edit:
        assert page.status_code == 200 and b'name="paragraphs-0-text"' in page.content
    else:
        # Everyone staff may view the section; only a draft's editors get the text boxes.
        assert page.status_code == 200 and b'name="paragraphs-0-text"' not in page.content


@pytest.mark.django_db
def test_submit_button_and_review_page(client, editor, reviewer, report, monkeypatch):
    monkeypatch.setattr(workflow, "_enqueue_render", lambda p: None)
    client.force_login(editor)
    page = client.get(change_url(report))
    assert b"Submit for review" in page.content
    client.post(reverse("admin:reports_report_submit", args=[report.pk]), {"comment": "Ready"})
    report.refresh_from_db()
    assert report.status == S.IN_REVIEW

    # The author cannot decide on their own report, even by posting directly.
    review_url = reverse("admin:reports_report_review", args=[report.pk])
    client.post(review_url, {"decision": "approve", "comment": ""})
    report.refresh_from_db()
    assert report.status == S.IN_REVIEW

    client.force_login(reviewer)
    page = client.get(review_url)
    assert page.status_code == 200
    assert b"Figures this version will publish" in page.content and b"150,536" in page.content
    response = client.post(review_url, {"decision": "request_changes", "comment": ""})
    assert response.status_code == 200 and workflow.COMMENT_REQUIRED.encode() in response.content.replace(
        b"&#x27;", b"'"
    )
    client.post(review_url, {"decision": "request_changes", "comment": "Please add the 999 figure."})
    report.refresh_from_db()
    assert report.status == S.DRAFT
    workflow.report_submit(report=report, by=editor)
    checksum = re.search(r'name="checksum" value="(\w+)"', client.get(review_url).content.decode()).group(1)
    client.post(review_url, {"decision": "approve", "comment": "Fine.", "checksum": checksum})
    report.refresh_from_db()
    assert report.status == S.APPROVED
    assert report.publications.get().version == 1


@pytest.mark.django_db
def test_review_queue_marks_own_work(client, make_user, editor, report):
    from django.contrib.auth.models import Group

    from portal import roles

    both = make_user("both", roles.REVIEWERS)
    both.groups.add(Group.objects.get(name=roles.EDITORS))
    workflow.report_submit(report=report, by=both)
    client.force_login(both)
    page = client.get(reverse("admin:reports_report_queue"))
    assert b"Your own work" in page.content


@pytest.mark.django_db
def test_draft_pdf_is_made_by_the_task_and_downloaded_by_staff(client, editor, panel_member, report):
    from pypdf import PdfReader

    url = reverse("admin:reports_report_draft_pdf", args=[report.pk])
    client.force_login(editor)
    assert b"No draft PDF has been made" in client.get(url).content
    made = client.post(url)
    # One click: made in-process here, so the browser goes straight to the download.
    assert made.status_code == 302 and made["Location"] == f"{url}?download=1"
    page = client.get(url)
    assert b"Newest draft PDF: made" in page.content
    response = client.get(url, {"download": "1"})
    assert response["Content-Type"] == "application/pdf"
    assert "-DRAFT-" in response["Content-Disposition"]
    import io

    pdf = PdfReader(io.BytesIO(b"".join(response.streaming_content)))
    assert all("DRAFT" in (p.extract_text() or "") for p in pdf.pages)
    client.force_login(panel_member)
    assert client.get(url, {"download": "1"}).status_code == 302  # not staff: the admin login


@pytest.mark.django_db
def test_a_draft_pdf_made_by_a_worker_shows_progress_then_downloads(client, editor, report, monkeypatch):
    from reports import tasks

    queued = []
    monkeypatch.setattr(tasks.draft_pdf_render, "delay", lambda *args: queued.append(args))
    url = reverse("admin:reports_report_draft_pdf", args=[report.pk])
    client.force_login(editor)
    made = client.post(url)
    assert queued == [(report.pk, editor.pk)]
    assert made.status_code == 302 and made["Location"].startswith(f"{url}?since=")
    page = client.get(made["Location"]).content.decode()
    assert "The draft PDF is being made. It will download by itself when it is ready" in page
    assert 'role="status"' in page and "js/draft-pdf.js" in page
    since = made["Location"].split("since=", 1)[1]
    status = client.get(url, {"status": "1", "since": since})
    assert status.json() == {"ready": False, "download": None}
    assert "no-store" in status["Cache-Control"]

    tasks.draft_pdf_render.run(report.pk, editor.pk)  # the worker finishes
    status = client.get(url, {"status": "1", "since": since})
    assert status.json() == {"ready": True, "download": f"{url}?download=1"}


@pytest.mark.parametrize("name", ["review", "withdraw", "draft_pdf", "queue"])
def test_workflow_pages_carry_the_admin_header_and_the_users_links(client, superuser, report, name):
    """Like every admin page: the portal's header, the signed-in user's links, log out."""
    args = [] if name == "queue" else [report.pk]
    client.force_login(superuser)
    html = client.get(reverse(f"admin:reports_report_{name}", args=args)).content.decode()
    assert "Performance portal administration" in html and "Django administration" not in html
    assert 'id="logout-form"' in html and reverse("admin:password_change") in html


def test_admin_pages_underline_links_in_sentences(client, superuser, report):
    client.force_login(superuser)
    html = client.get(reverse("admin:reports_report_review", args=[report.pk])).content.decode()
    assert "/static/css/admin.css" in html and "Performance portal administration" in html


# --------------------------------------------------------------------------- drafted sentences
def draft_sentence_url(report, kpi_row):
    return reverse("admin:reports_report_draft_sentence", args=[report.pk, kpi_row.pk])


@pytest.mark.django_db
def test_drafted_sentence_is_added_as_the_last_paragraph_by_an_editor(client, editor2, report):
    from reports.models import KpiRow, Section

    kpi_row = KpiRow.objects.get(section__report=report, kpi__code="1.1")
    section_version = kpi_row.section.edit_version
    client.force_login(editor2)
    response = client.post(draft_sentence_url(report, kpi_row))
    assert response.status_code == 302
    texts = list(kpi_row.section.paragraphs.order_by("position").values_list("text", flat=True))
    assert texts[-1].startswith("999 calls rose by") and len(texts) == 3
    assert kpi_row.section.paragraphs.order_by("position").last().position == 12
    report.refresh_from_db()
    # An edit like any other: a contributor now (may not approve), forms opened before refused.
    assert report.contributors.filter(pk=editor2.pk).exists()
    assert report.edited_by == editor2
    assert Section.objects.get(pk=kpi_row.section_id).edit_version == section_version + 1


@pytest.mark.django_db
def test_drafted_sentence_is_one_transaction_nothing_is_left_when_a_step_fails(
    client, editor2, report, monkeypatch
):
    from reports.models import KpiRow

    def fails(**kwargs):
        raise RuntimeError("database went away")

    kpi_row = KpiRow.objects.get(section__report=report, kpi__code="1.1")
    before = list(Paragraph.objects.values_list("pk", flat=True))
    monkeypatch.setattr(workflow, "report_record_edit", fails)
    client.force_login(editor2)
    with pytest.raises(RuntimeError):
        client.post(draft_sentence_url(report, kpi_row))
    assert list(Paragraph.objects.values_list("pk", flat=True)) == before
    assert not report.contributors.filter(pk=editor2.pk).exists()


@pytest.mark.django_db
def test_drafted_sentence_is_refused_once_the_report_is_submitted(client, editor, report):
    from reports.models import KpiRow

    kpi_row = KpiRow.objects.get(section__report=report, kpi__code="1.1")
    workflow.report_submit(report=report, by=editor)
    before = Paragraph.objects.count()
    client.force_login(editor)
    response = client.post(draft_sentence_url(report, kpi_row), follow=True)
    assert "Only drafts can be edited. This report is in review." in response.content.decode()
    assert Paragraph.objects.count() == before
