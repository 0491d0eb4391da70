"""The version history links each version to what changed from the one before."""

import copy

import pytest

from .factories import make_live_publication, reference_snapshot


@pytest.fixture
def two_versions():
    v1 = make_live_publication(snapshot=reference_snapshot(version=1))
    snap2 = copy.deepcopy(reference_snapshot(version=2))
    crime = next(s for s in snap2["sections"] if s["heading"] == "Crime")
    crime["paragraphs"][0]["text"] = "The force recorded an additional 8,164 crimes over the whole year."
    crime["paragraphs"][0]["html"] = (
        "<p>The force recorded an additional 8,164 crimes over the whole year.</p>"
    )
    v2 = make_live_publication(report=v1.report, snapshot=snap2, version=2, change_note="3.1 corrected")
    return v1, v2


@pytest.mark.django_db
def test_member_sees_the_word_level_changes(client, panel_member, two_versions):
    v1, v2 = two_versions
    client.force_login(panel_member)
    page = client.get(f"/reports/{v1.report.slug}/").content.decode()
    assert f"/reports/{v1.report.slug}/v2/changes/" in page
    response = client.get(f"/reports/{v1.report.slug}/v2/changes/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "What changed in version 2" in html and "3.1 corrected" in html
    assert '<ins><span class="visually-hidden">added: </span>whole</ins>' in html


@pytest.mark.django_db
def test_changes_need_history_rights_and_a_previous_version(client, make_user, two_versions):
    v1, _ = two_versions
    url = f"/reports/{v1.report.slug}/v2/changes/"
    anonymous = client.get(url)
    assert anonymous.status_code == 302  # public report, but history is for signed-in members
    client.force_login(make_user("nobody"))
    assert client.get(url).status_code == 404
    client.force_login(make_user("member2", "Panel members"))
    assert client.get(f"/reports/{v1.report.slug}/v1/changes/").status_code == 404
