"""The forces of England and Wales as data: reading forces.csv, matching national spellings,
load_forces (command and data migration), and choosing the home force in the admin."""

import importlib
from pathlib import Path

import pytest
from django.apps import apps as global_apps
from django.core.management import call_command
from django.urls import reverse

import kpis
from kpis.models import Organisation, PeerGroup
from kpis.national.force_loading import load_forces
from kpis.national.forces import (
    TERRITORIAL_GROUP,
    ForceMatcher,
    is_non_force_body,
    normalise_force_name,
    read_forces,
)

# Found by name, whatever number the migration chain gives it.
MIGRATION = next((Path(kpis.__file__).parent / "migrations").glob("*_load_forces_of_england_and_wales.py"))
migration = importlib.import_module(f"kpis.migrations.{MIGRATION.stem}")


# --------------------------------------------------------------------------- the list
def test_forces_csv_lists_43_territorial_forces_and_btp():
    forces = read_forces()
    assert len(forces) == 44
    assert sum(f.is_territorial for f in forces) == 43
    btp = next(f for f in forces if f.code == "btp")
    assert not btp.is_territorial and btp.name == "British Transport Police"
    assert len({f.code for f in forces}) == 44 and len({f.name for f in forces}) == 44
    assert {f.region for f in forces if f.region} == {
        "North East", "North West", "Yorkshire and the Humber", "East Midlands", "West Midlands",
        "East of England", "London", "South East", "South West", "Wales",
    }


# --------------------------------------------------------------------------- spellings
@pytest.mark.parametrize(
    "a, b",
    [
        ("Avon & Somerset", "Avon and Somerset Constabulary"),
        ("London, City of", "City of London Police"),
        ("Metropolitan Police Service", "Metropolitan Police"),
        ("Dyfed-Powys", "Dyfed Powys Police"),
        ("DEVON  &  CORNWALL", "devon and cornwall police"),
        ("Hampshire & Isle of Wight Constabulary", "Hampshire and Isle of Wight"),
    ],
)
def test_spellings_normalise_to_one_key(a, b):
    assert normalise_force_name(a) == normalise_force_name(b)


def test_different_forces_stay_different():
    assert normalise_force_name("West Midlands") != normalise_force_name("West Mercia")
    assert normalise_force_name("North Wales") != normalise_force_name("South Wales Police")


def matcher_from_csv() -> ForceMatcher:
    return ForceMatcher(
        (i, f.name, f.code, f.other_names) for i, f in enumerate(read_forces(), start=1)
    )


@pytest.mark.parametrize(
    "spelling, code",
    [
        ("Leicestershire", "leicestershire"),
        ("Leicestershire Police", "leicestershire"),
        ("leicestershire", "leicestershire"),
        ("London, City of", "city-of-london"),
        ("City of London Police", "city-of-london"),
        ("Metropolitan Police Service", "metropolitan"),
        ("Avon & Somerset Constabulary", "avon-and-somerset"),
        ("Devon & Cornwall Police", "devon-and-cornwall"),
        ("Hampshire & Isle of Wight Constabulary", "hampshire"),
        ("Dyfed-Powys Police", "dyfed-powys"),
        ("BTP", "btp"),
        ("British Transport Police", "btp"),
        ("  north   wales police ", "north-wales"),
    ],
)
def test_matcher_finds_every_national_spelling(spelling, code):
    codes = {i: f.code for i, f in enumerate(read_forces(), start=1)}
    assert codes[matcher_from_csv().find(spelling)] == code


def test_matcher_finds_no_force_for_other_bodies():
    matcher = matcher_from_csv()
    for name in ("Action Fraud", "CIFAS", "UK Finance", "Police Scotland", "", None):
        assert matcher.find(name) is None
    assert all(is_non_force_body(n) for n in ("Action Fraud", "cifas", "UK Finance"))
    assert not is_non_force_body("Police Scotland")


def test_a_key_two_organisations_share_matches_neither():
    matcher = ForceMatcher([(1, "Northshire Police", "n1", []), (2, "Northshire Constabulary", "n2", [])])
    assert matcher.find("Northshire") is None
    assert matcher.find("Northshire Police") == 1  # the exact spelling still finds it


# --------------------------------------------------------------------------- loading
def test_load_forces_creates_forces_and_groups(db):
    report = load_forces(Organisation, PeerGroup)
    assert len(report.created) == 44 and Organisation.objects.count() == 44
    assert not Organisation.objects.filter(is_home=True).exists()  # chosen, never assumed
    national = PeerGroup.objects.get(name=TERRITORIAL_GROUP)
    assert national.kind == PeerGroup.Kind.NATIONAL and national.members.count() == 43
    assert not national.members.filter(code="btp").exists()
    assert "kpis/data/forces.csv" in national.description
    east_midlands = PeerGroup.objects.get(name="East Midlands")
    assert east_midlands.kind == PeerGroup.Kind.REGION
    assert set(east_midlands.members.values_list("code", flat=True)) == {
        "derbyshire", "leicestershire", "lincolnshire", "northamptonshire", "nottinghamshire"
    }
    assert "East Midlands" in east_midlands.description
    assert PeerGroup.objects.filter(kind=PeerGroup.Kind.REGION).count() == 10
    city = Organisation.objects.get(code="city-of-london")
    assert city.name == "London, City of" and "City of London Police" in city.other_name_list()


def test_load_forces_is_idempotent(db):
    load_forces(Organisation, PeerGroup)
    before = list(Organisation.objects.values_list("pk", "name", "code", "other_names", "is_home"))
    members = list(PeerGroup.members.through.objects.values_list("peergroup_id", "organisation_id"))
    again = load_forces(Organisation, PeerGroup)
    assert again.created == [] and again.updated == [] and len(again.unchanged) == 44
    assert again.groups_created == [] and again.members_added == 0
    assert list(Organisation.objects.values_list("pk", "name", "code", "other_names", "is_home")) == before
    assert list(PeerGroup.members.through.objects.values_list("peergroup_id", "organisation_id")) == members


def test_existing_organisations_are_updated_not_duplicated(db):
    home = Organisation.objects.create(name="Leicestershire Police", code="leicestershire", is_home=True)
    # Added by hand before the forces shipped: same force, another code (merged by name).
    notts = Organisation.objects.create(name="Nottinghamshire Police", code="notts")
    editor_group = PeerGroup.objects.create(name="East Midlands", kind=PeerGroup.Kind.REGION)
    editor_group.members.add(home)
    report = load_forces(Organisation, PeerGroup)

    assert Organisation.objects.count() == 44
    home.refresh_from_db()
    assert (home.name, home.code, home.is_home) == ("Leicestershire Police", "leicestershire", True)
    assert ForceMatcher.from_models(Organisation).find("Leicestershire") == home.pk
    notts.refresh_from_db()
    assert (notts.name, notts.code) == ("Nottinghamshire Police", "notts")
    assert notts.other_name_list() == ["Nottinghamshire"]  # the code is the same word
    assert ("Nottinghamshire Police", "Nottinghamshire") in report.merged
    assert editor_group.members.count() == 5 and "East Midlands" not in report.groups_created
    assert report.home == "Leicestershire Police"
    assert any("Leicestershire Police (unchanged)" in line for line in report.lines())


def test_load_forces_keeps_editors_other_names_and_members(db):
    load_forces(Organisation, PeerGroup)
    kent = Organisation.objects.get(code="kent")
    kent.other_names = "Kent Police; Kent Constab."
    kent.save()
    extra = Organisation.objects.create(name="Police Scotland", code="scotland")
    PeerGroup.objects.get(name=TERRITORIAL_GROUP).members.add(extra)
    load_forces(Organisation, PeerGroup)
    kent.refresh_from_db()
    assert "Kent Constab." in kent.other_name_list()
    assert PeerGroup.objects.get(name=TERRITORIAL_GROUP).members.filter(pk=extra.pk).exists()


def test_load_forces_command_says_how_to_choose_the_home_force(db, capsys):
    call_command("load_forces")
    out = capsys.readouterr().out
    assert "Forces: 44 created" in out
    assert "Make the selected organisation the home force" in out
    call_command("load_forces")
    assert "Forces: 0 created, 0 updated, 44 unchanged." in capsys.readouterr().out


def test_data_migration_loads_the_forces(db):
    migration.forwards(global_apps, None)
    assert Organisation.objects.count() == 44
    assert PeerGroup.objects.filter(name=TERRITORIAL_GROUP).exists()
    migration.forwards(global_apps, None)  # a second run changes nothing
    assert Organisation.objects.count() == 44


# --------------------------------------------------------------------------- home force
def test_admin_asks_for_the_home_force_until_one_is_chosen(client, superuser, editor):
    load_forces(Organisation, PeerGroup)
    url = reverse("admin:kpis_organisation_changelist")
    client.force_login(superuser)
    page = client.get(url).content.decode()
    assert "No organisation is the home force yet" in page
    assert "Make the selected organisation the home force" in page
    client.force_login(editor)
    assert "ask an administrator" in client.get(url).content.decode()

    client.force_login(superuser)
    leics = Organisation.objects.get(code="leicestershire")
    client.post(url, {"action": "make_home", "_selected_action": [leics.pk]})
    leics.refresh_from_db()
    assert leics.is_home
    assert "No organisation is the home force yet" not in client.get(url).content.decode()
