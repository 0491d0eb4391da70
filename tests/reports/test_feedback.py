"""Panel members' comments on a published version, staff answers in the admin."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from reports import feedback as fb
from reports.models import Feedback, Publication
from tests.reports.factories import make_live_publication

pytestmark = pytest.mark.django_db
SLUG = "force-performance-2018-19"
URL = f"/reports/{SLUG}/v1/feedback/"


@pytest.fixture
def publication():
    return make_live_publication()


def test_member_sees_the_form_on_the_report_with_paragraphs_and_kpis_to_choose(
    client, panel_member, publication
):
    client.force_login(panel_member)
    page = client.get(f"/reports/{SLUG}/").content.decode()
    assert "Ask a question or leave a comment" in page
    assert '<option value="" selected>The whole report</option>' in page
    assert '<optgroup label="Numbered paragraphs">' in page
    assert '<option value="Paragraph 1.1">Paragraph 1.1: The Contact Management' in page
    assert '<option value="KPI 1.2">KPI 1.2: Number of 101 Calls</option>' in page
    assert 'name="csrfmiddlewaretoken"' in page


def test_member_leaves_a_question_about_a_paragraph_and_sees_it_on_the_report(
    client, panel_member, publication
):
    client.force_login(panel_member)
    response = client.post(URL, {"about": "Paragraph 1.3", "text": "  Why did 101 calls fall?  "})
    assert response.status_code == 302
    assert response["Location"] == f"/reports/{SLUG}/v1/#your-feedback"
    item = Feedback.objects.get()
    assert (item.publication, item.author, item.about, item.text) == (
        publication,
        panel_member,
        "Paragraph 1.3",
        "Why did 101 calls fall?",
    )
    page = client.get(f"/reports/{SLUG}/v1/").content.decode()
    assert "Why did 101 calls fall?" in page
    assert 'href="#para-1-3">Paragraph 1.3</a>' in page
    assert "Not answered yet." in page
    assert "your comment has been sent" in page


def test_staff_answer_in_the_admin_and_the_member_sees_the_answer(
    client, panel_member, reviewer, publication
):
    item = Feedback.objects.create(publication=publication, author=panel_member, text="Why?", about="KPI 1.2")
    client.force_login(reviewer)
    listing = client.get("/admin/reports/feedback/?answered=no")
    assert listing.status_code == 200 and "Why?" in listing.content.decode()
    assert client.get("/admin/reports/feedback/add/").status_code == 403
    change_url = f"/admin/reports/feedback/{item.pk}/change/"
    empty = client.post(change_url, {"answer": "   "})
    assert empty.status_code == 200 and fb.ANSWER_REQUIRED in empty.content.decode()
    response = client.post(change_url, {"answer": "Fewer calls moved online.", "text": "tampered"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.answer == "Fewer calls moved online."
    assert item.text == "Why?"  # read-only in the admin
    assert item.answered_by == reviewer and item.answered_at is not None
    client.force_login(panel_member)
    page = client.get(f"/reports/{SLUG}/").content.decode()
    assert "Fewer calls moved online." in page and "Answered on" in page


def test_members_do_not_see_each_others_feedback(client, panel_member, make_user, publication):
    other = make_user("olga", "Panel members")
    Feedback.objects.create(publication=publication, author=other, text="Olga's private question")
    client.force_login(panel_member)
    assert "Olga's private question" not in client.get(f"/reports/{SLUG}/").content.decode()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"about": "", "text": ""}, fb.TEXT_REQUIRED),
        ({"about": "", "text": "   \n "}, fb.TEXT_REQUIRED),
        ({"about": "Paragraph 99.9", "text": "Hi"}, fb.ABOUT_UNKNOWN),
        ({"about": "<script>", "text": "Hi"}, fb.ABOUT_UNKNOWN),
        ({"about": "", "text": "x" * 4001}, "4,000 characters or fewer (it has 4001)"),
    ],
)
def test_bad_input_shows_an_accessible_error_summary(client, panel_member, publication, data, message):
    client.force_login(panel_member)
    response = client.post(URL, data)
    page = response.content.decode()
    assert response.status_code == 400
    assert Feedback.objects.count() == 0
    assert "There is a problem" in page and 'role="alert"' in page
    assert message in page
    field = "about" if "about" in message.lower() or "Choose" in message else "text"
    assert f'<a href="#id_{field}">' in page  # the summary links to the field
    assert f'id="id_{field}-error"' in page
    assert f'aria-describedby="id_{field}-error' in page and 'aria-invalid="true"' in page
    assert page.startswith("<!DOCTYPE html>") and "<title>Error: " in page


def test_text_is_escaped_where_it_is_shown(client, panel_member, publication):
    client.force_login(panel_member)
    client.post(URL, {"text": '<script>alert("x")</script><img src=x onerror=alert(1)>'})
    page = client.get(f"/reports/{SLUG}/").content.decode()
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;" in page


def test_post_without_csrf_token_is_refused(panel_member, publication):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(panel_member)
    assert strict.post(URL, {"text": "Hi"}).status_code == 403
    assert Feedback.objects.count() == 0


def test_who_may_leave_feedback(client, editor, reviewer, make_user, publication):
    assert client.post(URL, {"text": "Hi"}).status_code == 302  # anonymous: sign in
    for user in (editor, reviewer, make_user("nora")):
        client.force_login(user)
        assert client.post(URL, {"text": "Hi"}).status_code == 403
    assert Feedback.objects.count() == 0


def test_no_feedback_on_a_withdrawn_version(client, panel_member, publication):
    Publication.objects.filter(pk=publication.pk).update(
        withdrawn_at=timezone.now(), withdrawn_reason="Wrong"
    )
    client.force_login(panel_member)
    assert client.post(URL, {"text": "Hi"}).status_code == 403
    assert "Ask a question" not in client.get(f"/reports/{SLUG}/").content.decode()
    publication.refresh_from_db()
    with pytest.raises(PermissionDenied):
        fb.feedback_create(publication=publication, author=panel_member, text="Hi")


def test_services_check_rights_and_input(panel_member, editor, publication):
    with pytest.raises(PermissionDenied):
        fb.feedback_create(publication=publication, author=editor, text="Hi")
    with pytest.raises(ValidationError):
        fb.feedback_create(publication=publication, author=panel_member, text="  ")
    item = fb.feedback_create(publication=publication, author=panel_member, text="Hi", about="KPI 1.1")
    with pytest.raises(PermissionDenied):
        fb.feedback_answer(feedback=item, by=panel_member, answer="Self-answer")
    with pytest.raises(ValidationError):
        fb.feedback_answer(feedback=item, by=editor, answer=" ")
    fb.feedback_answer(feedback=item, by=editor, answer="Done")
    assert item.answered_by == editor


def test_feedback_page_on_its_own_works_for_members(client, panel_member, publication):
    client.force_login(panel_member)
    response = client.get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Comment on" in page and 'href="/reports/force-performance-2018-19/v1/"' in page
