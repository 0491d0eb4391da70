"""The three roles exist on every database with the permissions they need."""

import pytest
from django.contrib.auth.models import Group

from portal import roles


def perms(group_name):
    group = Group.objects.get(name=group_name)
    return {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}


@pytest.mark.django_db
def test_each_role_exists_with_its_permissions():
    assert set(Group.objects.values_list("name", flat=True)) >= set(roles.ROLES)
    editors, reviewers, panel = perms(roles.EDITORS), perms(roles.REVIEWERS), perms(roles.PANEL_MEMBERS)
    assert {
        "reports.change_report",
        "reports.submit_report",
        "kpis.add_observation",
        "glossary.change_term",
        "reports.change_paragraph",
    } <= editors
    assert "reports.review_report" not in editors
    assert {"reports.review_report", "reports.withdraw_report", "reports.view_report"} <= reviewers
    assert "reports.change_report" not in reviewers
    assert "kpis.change_observation" not in reviewers
    assert panel == {"reports.read_restricted", "reports.add_feedback"}


@pytest.mark.django_db
def test_panel_member_cannot_reach_admin(client, panel_member):
    client.force_login(panel_member)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


@pytest.mark.django_db
def test_editor_reaches_admin(client, editor):
    client.force_login(editor)
    assert client.get("/admin/").status_code == 200


@pytest.mark.django_db
def test_sync_roles_is_idempotent():
    before = perms(roles.EDITORS)
    roles.sync_roles()
    roles.sync_roles()
    assert perms(roles.EDITORS) == before
    assert Group.objects.filter(name=roles.EDITORS).count() == 1
