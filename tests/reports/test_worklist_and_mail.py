"""Work finds people: the admin home's "Waiting for you" panel, and emails that link to the
page where the person acts, with the reviewer's comment, and one when a member asks."""

import re

import pytest
from django.urls import reverse

from reports import workflow
from reports.feedback import feedback_create
from reports.worklist import waiting_for

from .builders import make_report

pytestmark = pytest.mark.django_db
BASE = "https://performance.example.org"


@pytest.fixture(autouse=True)
def _portal_url(settings):
    settings.PORTAL_URL = BASE


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    def run(action, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return action(**kwargs)

    return run


def mail_to(mailoutbox, address):
    return [m for m in mailoutbox if address in m.to]


def test_each_email_links_to_the_page_where_the_person_acts(
    commit, mailoutbox, editor, reviewer, panel_member, monkeypatch
):
    monkeypatch.setattr(workflow, "_enqueue_render", lambda p: None)
    report = make_report(by=editor)
    commit(workflow.report_submit, report=report, by=editor)
    (review,) = mail_to(mailoutbox, reviewer.email)
    assert f"{BASE}/admin/reports/report/{report.pk}/review/" in review.body
    assert not mail_to(mailoutbox, editor.email), "the submitter is not asked to review"

    commit(workflow.report_request_changes, report=report, by=reviewer, comment="Say which year in 3.1.")
    (sent_back,) = mail_to(mailoutbox, editor.email)
    assert "Say which year in 3.1." in sent_back.body
    assert f"{BASE}/admin/reports/report/{report.pk}/change/" in sent_back.body

    commit(workflow.report_submit, report=report, by=editor)
    mailoutbox.clear()
    commit(workflow.report_approve, report=report, by=reviewer, comment="Clear and correct; thank you.")
    (approved,) = mail_to(mailoutbox, editor.email)
    assert "Clear and correct; thank you." in approved.body


def test_a_members_question_is_emailed_to_the_reports_editors_with_a_link(
    commit, mailoutbox, editor, editor2, panel_member
):
    from .factories import make_live_publication
    from .factories import make_report as make_frozen_report

    publication = make_live_publication(report=make_frozen_report(created_by=editor))
    asked = {"text": "Why did 101 calls fall?", "about": "1.2"}
    feedback = commit(feedback_create, publication=publication, author=panel_member, **asked)
    (question,) = mail_to(mailoutbox, editor.email)
    assert "Why did 101 calls fall?" in question.body and "about 1.2" in question.body
    assert f"{BASE}/admin/reports/feedback/{feedback.pk}/change/" in question.body
    assert not mail_to(mailoutbox, editor2.email), "the report's own editors are told"
    assert not mail_to(mailoutbox, panel_member.email)


def test_waiting_for_you_lists_what_each_person_may_act_on(
    client, editor, editor2, reviewer, make_user, monkeypatch
):
    from portal import roles

    monkeypatch.setattr(workflow, "_enqueue_render", lambda p: None)
    mine = make_report(by=editor, slug="mine", title="Mine")
    workflow.report_submit(report=mine, by=editor)
    reviewer_who_edited = make_user("vera", roles.REVIEWERS)
    mine.contributors.add(reviewer_who_edited)

    assert [r.slug for r in waiting_for(reviewer).to_review] == ["mine"]
    assert waiting_for(reviewer_who_edited).to_review == [], "nobody is asked to review their own work"
    assert not waiting_for(editor)

    workflow.report_request_changes(report=mine, by=reviewer, comment="Please add the year.")
    assert [r.slug for r in waiting_for(editor).sent_back] == ["mine"]
    assert waiting_for(editor2).sent_back == []

    client.force_login(editor)
    home = client.get(reverse("admin:index")).content.decode()
    assert "Waiting for you" in home and "Sent back to you for changes" in home
    assert re.search(rf'href="/admin/reports/report/{mine.pk}/change/">Mine</a>', home)
    client.force_login(reviewer)
    assert "Waiting for you" not in client.get(reverse("admin:index")).content.decode()


def test_unanswered_questions_wait_for_editors_until_answered(client, editor, panel_member):
    from reports.feedback import feedback_answer

    from .factories import make_live_publication

    publication = make_live_publication()
    question = feedback_create(publication=publication, author=panel_member, text="What is a 101 call?")
    assert waiting_for(editor).questions == [question]
    client.force_login(editor)
    home = client.get(reverse("admin:index")).content.decode()
    assert f'href="/admin/reports/feedback/{question.pk}/change/"' in home
    feedback_answer(feedback=question, by=editor, answer="A non-emergency call.")
    assert waiting_for(editor).questions == []
