"""Forces, peer groups and populations are shared content too: whoever changes one that an
open draft shows (its force's name, a peer rank, a rate) becomes a contributor of that
draft and may not approve it, whether through the admin form, a delete or an import."""

import html

import pytest
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from kpis.models import Kpi, Organisation, PeerGroup, Population
from portal import roles
from reports import workflow
from reports.models import KpiRow, Publication, Report, Section
from reports.snapshot import build_snapshot, content_checksum
from tests.admin_forms import form_fields
from tests.kpis.files import csv_bytes
from tests.reports.builders import make_report

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_render(monkeypatch):
    monkeypatch.setattr(workflow, "_enqueue_render", lambda publication: None)


@pytest.fixture(autouse=True)
def _fresh_content_types():
    """The peer membership table's content type is made on first use (for the admin's log)
    and rolled back with the test: no test may keep another's in the cache."""
    ContentType.objects.clear_cache()
    yield
    ContentType.objects.clear_cache()


@pytest.fixture
def both(make_user):
    user = make_user("bo", roles.REVIEWERS, first_name="Bo", last_name="Both")
    user.groups.add(Group.objects.get(name=roles.EDITORS))
    client = Client()
    client.force_login(user)
    return user, client


@pytest.fixture
def ranked_in_review(editor):
    """A draft in review whose crime row ranks the force among its Most Similar Forces."""
    report = make_report(by=editor)
    msf = PeerGroup.objects.create(name="MSF")
    msf.members.set([Organisation.objects.create(name="Otherforce", code="otherforce")])
    section = Section.objects.get(report=report, heading="Calls")
    KpiRow.objects.create(section=section, kpi=Kpi.objects.get(code="3.1"), position=2, peer_group=msf)
    workflow.report_submit(report=report, by=editor)
    return report


def _save(client, url, form_id, **changes):
    data = form_fields(client.get(url), form_id)
    data.update(changes)
    response = client.post(url, data)
    assert response.status_code == 302, html.unescape(response.content.decode())[-3000:]


def _import(client, model, rows):
    upload = SimpleUploadedFile("upload.csv", csv_bytes(rows), content_type="text/csv")
    preview = client.post(
        reverse(f"admin:kpis_{model}_import"), {"import_file": upload, "format": "0", "resource": "0"}
    )
    form = preview.context["confirm_form"]
    confirmed = client.post(
        reverse(f"admin:kpis_{model}_process_import"),
        {name: form.initial[name] for name in form.fields if name in form.initial},
    )
    assert confirmed.status_code == 302


def rename_the_force(client, report):
    url = reverse("admin:kpis_organisation_change", args=[report.organisation_id])
    _save(client, url, "organisation_form", name="Renamed Constabulary")


def change_peer_group_members(client, report):
    group = PeerGroup.objects.get(name="MSF")
    _save(client, reverse("admin:kpis_peergroup_change", args=[group.pk]), "peergroup_form", members=[])


def add_a_population(client, report):
    other = Organisation.objects.get(code="otherforce")
    response = client.post(
        reverse("admin:kpis_population_add"),
        {"organisation": other.pk, "year": 2018, "population": 1_000_000, "source": "ONS"},
    )
    assert response.status_code == 302


def delete_a_population(client, report):
    population = Population.objects.create(organisation=report.organisation, year=2018, population=900_000)
    url = reverse("admin:kpis_population_delete", args=[population.pk])
    assert client.post(url, {"post": "yes"}).status_code == 302
    assert not Population.objects.exists()


def import_a_population(client, report):
    _import(client, "population", [["organisation", "year", "population"], ["Otherforce", "2018", "1000"]])


def import_a_member(client, report):
    Organisation.objects.create(name="Thirdforce", code="thirdforce")
    _import(client, "peergroup", [["group", "organisation"], ["MSF", "Thirdforce"]])


def import_a_force_name(client, report):
    _import(client, "organisation", [["name", "code"], ["Other Constabulary", "otherforce"]])


EDITS = {
    "force renamed": rename_the_force,
    "peer group members": change_peer_group_members,
    "population added": add_a_population,
    "population deleted": delete_a_population,
    "population import": import_a_population,
    "peer group import": import_a_member,
    "organisation import": import_a_force_name,
}


@pytest.mark.parametrize("edit", EDITS)
def test_changing_forces_groups_or_populations_makes_you_a_contributor(edit, ranked_in_review, both):
    user, client = both
    EDITS[edit](client, ranked_in_review)
    assert ranked_in_review.contributors.filter(pk=user.pk).exists()
    with pytest.raises(PermissionDenied, match="you created, edited or submitted it"):
        workflow.report_approve(
            report=ranked_in_review,
            by=user,
            comment="ok",
            reviewed_checksum=content_checksum(build_snapshot(ranked_in_review)),
        )
    assert Report.objects.get(pk=ranked_in_review.pk).status == Report.Status.IN_REVIEW
    assert not Publication.objects.exists()


def test_a_force_no_open_draft_shows_leaves_you_free_to_approve(ranked_in_review, both):
    user, client = both
    elsewhere = Organisation.objects.create(name="Faraway", code="faraway")
    url = reverse("admin:kpis_organisation_change", args=[elsewhere.pk])
    _save(client, url, "organisation_form", name="Far")
    unused = PeerGroup.objects.create(name="Region")
    url = reverse("admin:kpis_peergroup_change", args=[unused.pk])
    _save(client, url, "peergroup_form", members=[elsewhere.pk])
    assert not ranked_in_review.contributors.filter(pk=user.pk).exists()
