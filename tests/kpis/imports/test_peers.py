"""Peer figures through the spreadsheet import (kpis/imports/peers.py), and forces, peer groups
and populations through django-import-export (kpis/resources_peers.py, kpis/admin_peers.py)."""

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile

from kpis import rankings, resources_peers
from kpis.imports import PEERS_LONG, PEERS_WIDE, spreadsheet_import
from kpis.imports.period_cells import parse_period
from kpis.models import ImportBatch, Kpi, Observation, ObservationChange, Organisation, PeerGroup, Population
from tests.kpis.files import csv_bytes, ods_bytes, xlsx_bytes

ROOT = Path(__file__).resolve().parents[3]
CONFIDENCE_CSV = ROOT / "reports" / "demo_data" / "peer-confidence-2018.csv"
MSF = ["Sussex", "Hertfordshire", "Essex", "Bedfordshire", "Hampshire", "Nottinghamshire", "Kent"]
JAN_DEC = (date(2018, 1, 1), date(2018, 12, 31))


@pytest.fixture
def forces(home):
    """The home force is 'Leicestershire Police' (code leicestershire), plus its seven MSF peers."""
    return {n: Organisation.objects.create(name=n, code=n.lower()) for n in MSF}


@pytest.fixture
def confidence(db):
    return Kpi.objects.create(
        code="4.2",
        name="Public confidence",
        category="Outcomes",
        unit="percent",
        aggregation="mean",
        good_direction="up",
    )


def figures(kpi, start=JAN_DEC[0], end=JAN_DEC[1]):
    return dict(
        Observation.objects.filter(kpi=kpi, period_start=start, period_end=end).values_list(
            "organisation__name", "value"
        )
    )


def run(rows, fmt="csv", **kwargs):
    content = {"csv": csv_bytes, "xlsx": xlsx_bytes, "ods": ods_bytes}[fmt](rows)
    return spreadsheet_import(content=content, file_name=f"peers.{fmt}", **kwargs)


def messages(outcome) -> list[str]:
    return [str(p) for p in outcome.problems]


# --------------------------------------------------------------------------- the reference file
def test_reference_confidence_file_imports_as_stated_jan_dec_2018_figures_and_ranks_6th_of_8(
    home, forces, confidence, editor
):
    outcome = spreadsheet_import(
        content=CONFIDENCE_CSV.read_bytes(), file_name=CONFIDENCE_CSV.name, user=editor
    )

    assert messages(outcome) == []
    # Eight forces for Jan-Dec 2018, and the home force's Jan-Dec 2017 figure derived from the text.
    assert (outcome.layout, outcome.new) == (PEERS_LONG, 9)
    assert figures(confidence)["Leicestershire Police"] == Decimal(72)
    batch = outcome.batch
    assert (batch.kind, batch.imported_by, batch.rows_new) == (ImportBatch.Kind.PEERS, editor, 9)
    assert ObservationChange.objects.filter(batch=batch, old_value=None).count() == 9
    group = PeerGroup.objects.create(name="Leicestershire MSF")
    group.members.set(forces.values())
    ranking = rankings.rank(kpi=confidence, period=JAN_DEC, group=group)
    assert (ranking.display, ranking.highest["display"], ranking.lowest["display"]) == (
        "MSF rank 6 of 8",
        "84%",
        "68%",
    )


# --------------------------------------------------------------------------- layouts and formats
WIDE = [
    ["kpi_code", "period", "Leicestershire", "Sussex", "hertfordshire", "Essex", "Kent"],
    ["4.2", "Jan 2018 – Dec 2018", 72, 78, 84, "", 74],
    ["4.2", "2017/18", "71.5%", None, 80, 70, ""],
]


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "ods"])
def test_wide_layout_has_one_column_per_force_and_skips_empty_cells(fmt, home, forces, confidence):
    outcome = run(WIDE, fmt)

    assert messages(outcome) == []
    assert outcome.layout == PEERS_WIDE
    assert outcome.new == 7
    assert figures(confidence) == {
        "Leicestershire Police": Decimal(72),
        "Sussex": Decimal(78),
        "Hertfordshire": Decimal(84),
        "Kent": Decimal(74),
    }
    assert figures(confidence, date(2017, 4, 1), date(2018, 3, 31)) == {
        "Leicestershire Police": Decimal("71.5"),
        "Hertfordshire": Decimal(80),
        "Essex": Decimal(70),
    }


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "ods"])
def test_long_layout_takes_any_stated_period_including_as_at_dates(fmt, home, forces, confidence):
    rows = [
        ["kpi_code", "organisation", "period_start", "period_end", "value", "note"],
        ["4.2", "Sussex", date(2018, 1, 1), date(2018, 12, 31), 78, "illustrative"],
        ["4.2", "KENT", "2018-01", "2018-12", "74", ""],
        ["4.2", "", "01/01/2018", "31/12/2018", "72", "blank means this force"],
        ["4.2", "essex", "2019-03-31", "2019-03-31", "75", "an 'as at' figure"],
    ]
    outcome = run(rows, fmt)

    assert messages(outcome) == []
    assert figures(confidence) == {
        "Sussex": Decimal(78),
        "Kent": Decimal(74),
        "Leicestershire Police": Decimal(72),
    }
    assert figures(confidence, date(2019, 3, 31), date(2019, 3, 31)) == {"Essex": Decimal(75)}


def test_monthly_peer_figures_still_use_the_ordinary_long_layout_with_an_organisation_column(home, forces):
    crime = Kpi.objects.create(code="3.1", name="All Crime", category="Crime")
    outcome = run([["kpi_code", "organisation", "month", "value"], ["3.1", "Kent", "2018-04", "900"]])

    assert messages(outcome) == []
    assert outcome.layout == "long"
    obs = Observation.objects.get(kpi=crime, organisation=forces["Kent"])
    assert (obs.period_start, obs.period_end) == (date(2018, 4, 1), date(2018, 4, 30))


def test_a_wide_monthly_file_is_not_mistaken_for_a_peer_file(home, forces, kpis):
    outcome = run([["kpi_code", "2018-04", "2018-05"], ["3.1", 1, 2]])

    assert messages(outcome) == []
    assert outcome.layout == "wide"


def test_dry_run_previews_counts_and_writes_nothing(home, forces, confidence):
    outcome = run(WIDE, dry_run=True)

    assert (outcome.new, outcome.ok, outcome.written) == (7, True, False)
    assert not Observation.objects.exists()
    assert not ImportBatch.objects.exists()


def test_reimport_counts_unchanged_and_changed_and_keeps_history(home, forces, confidence, editor):
    run(WIDE)
    changed = [WIDE[0], ["4.2", "Jan 2018 – Dec 2018", 72, 79, 84, "", 74]]

    outcome = run(changed, user=editor)

    assert (outcome.new, outcome.changed, outcome.unchanged) == (0, 1, 3)
    change = ObservationChange.objects.get(batch=outcome.batch)
    assert (change.old_value, change.new_value, change.changed_by) == (Decimal(78), Decimal(79), editor)
    assert figures(confidence)["Sussex"] == Decimal(79)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2018-04", (date(2018, 4, 1), date(2018, 4, 30))),
        ("Apr-18", (date(2018, 4, 1), date(2018, 4, 30))),
        ("2018/19", (date(2018, 4, 1), date(2019, 3, 31))),
        ("18/19", (date(2018, 4, 1), date(2019, 3, 31))),
        ("Q3 2018/19", (date(2018, 10, 1), date(2018, 12, 31))),
        ("q4 2018/19", (date(2019, 1, 1), date(2019, 3, 31))),
        ("Jan 2018 – Dec 2018", JAN_DEC),
        ("Jan 2018 - Dec 2018", JAN_DEC),
        ("2018-01 to 2018-12", JAN_DEC),
        ("January 2018—December 2018", JAN_DEC),
        ("as at 2019-03-31", (date(2019, 3, 31), date(2019, 3, 31))),
        ("As at 31/03/2019", (date(2019, 3, 31), date(2019, 3, 31))),
        (date(2018, 6, 15), (date(2018, 6, 1), date(2018, 6, 30))),
        ("Dec 2018 – Jan 2018", None),
        ("2018/20", None),
        ("Q5 2018/19", None),
        ("as at soon", None),
        ("last year", None),
        ("", None),
    ],
)
def test_period_cells(text, expected):
    assert parse_period(text) == expected


# --------------------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    "rows, expected",
    [
        (
            [["kpi_code", "period", "Leicestershire", "Sussx"], ["4.2", "2018/19", 1, 2]],
            "peers.csv, row 1, column D: There is no organisation 'Sussx'; did you mean 'Sussex', 'Essex'? "
            "If it is another name for one of them, add it to that organisation's other names "
            "(Organisations).",
        ),
        (
            [["kpi_code", "period", "Kent", "kent"], ["4.2", "2018/19", 1, 2]],
            "peers.csv, row 1, column D: Force 'kent' has two columns (also column C).",
        ),
        (
            [["kpi_code", "period", "Kent"], ["4.2", "next year", 1]],
            "peers.csv, row 2, column B (period): 'next year' is not a period: write a month (2018-04), a "
            "financial year (2018/19), a quarter (Q3 2018/19), a run of months (Jan 2018 – Dec 2018) or "
            "'as at 2019-03-31'.",
        ),
        (
            [["kpi_code", "period", "Kent"], ["4.2", "", 1]],
            "peers.csv, row 2, column B (period): The period is empty.",
        ),
        (
            [["kpi_code", "period", "Kent"], ["4.2", "2018/19", "n/a"]],
            "peers.csv, row 2, column C (Kent): 'n/a' is not a number.",
        ),
        (
            [["kpi_code", "period", "Kent"], ["4.9", "2018/19", 1]],
            "peers.csv, row 2, column A (kpi_code): There is no KPI with code '4.9'; nearest codes: 4.2.",
        ),
        (
            [["kpi_code", "period", "Kent"], ["4.2", "2018/19", 1], ["4.2", "18/19", 2]],
            "peers.csv, row 3, column C (Kent): KPI 4.2 has a figure for Kent for 2018-04-01 to 2019-03-31 "
            "twice (first in row 2).",
        ),
        (
            [
                ["kpi_code", "organisation", "period_start", "period_end", "value"],
                ["4.2", "Kant", "2018-01", "2018-12", 1],
            ],
            "peers.csv, row 2, column B (organisation): "
            "There is no organisation 'Kant'; did you mean 'Kent'? If it is another name for one of "
            "them, add it to that organisation's other names (Organisations).",
        ),
        (
            [
                ["kpi_code", "organisation", "period_start", "period_end", "value"],
                ["4.2", "Kent", "2018-12-31", "2018-01-01", 1],
            ],
            "peers.csv, row 2, column D (period_end): "
            "The period ends (2018-01-01) before it starts (2018-12-31).",
        ),
        (
            [
                ["kpi_code", "organisation", "period_start", "period_end", "value"],
                ["4.2", "Kent", "soon", "2018-01-01", 1],
            ],
            "peers.csv, row 2, column C (period_start): 'soon' is not a date: write it as 2018-01-01 or "
            "01/01/2018.",
        ),
        (
            [
                ["kpi_code", "organisation", "period_start", "period_end", "value"],
                ["4.2", "Kent", "2018-01-01", "2018-12-31", ""],
            ],
            "peers.csv, row 2, column E (value): The value is empty.",
        ),
        (
            [["kpi_code", "organisation", "period_start", "value"], ["4.2", "Kent", "2018-01-01", 1]],
            "peers.csv, row 1: Column 'period_end' is missing.",
        ),
        (
            [
                ["kpi_code", "organisation", "period_start", "period_end", "value", "colour"],
                ["4.2", "Kent", "2018-01-01", "2018-12-31", 1, "red"],
            ],
            "peers.csv, row 1, column F: Header 'colour' is not a known column or a month.",
        ),
    ],
)
def test_bad_peer_files_say_where_and_what_and_write_nothing(rows, expected, home, forces, confidence):
    outcome = run(rows)

    assert expected in messages(outcome)
    assert not outcome.written
    assert not Observation.objects.exists()


def test_one_bad_cell_writes_none_of_the_good_ones(home, forces, confidence):
    outcome = run([WIDE[0], WIDE[1], ["4.2", "2017/18", "lots", None, 80, 70, ""]])

    assert outcome.problem_count == 1
    assert not Observation.objects.exists()


def test_a_peer_file_on_the_catalogue_page_is_refused(home, forces, confidence):
    outcome = run(WIDE, kind="catalogue")

    assert "This is an observations file, not a KPI catalogue file" in messages(outcome)[0]


# --------------------------------------------------------------------------- groups, populations, forces
def import_rows(resource, headers, rows, dry_run=False):
    data = tablib.Dataset(*rows, headers=headers)
    return resource.import_data(data, dry_run=dry_run, raise_errors=False)


def row_errors(result) -> list[str]:
    out = []
    for row in result.invalid_rows:
        for field, errs in row.error_dict.items():
            out.extend(f"{field}: {e}" for e in errs)
    for row in result.rows:
        out.extend(str(e.error) for e in row.errors)
    return out


def test_peer_group_file_creates_groups_of_the_stated_kind_and_adds_members(home, forces):
    result = import_rows(
        resources_peers.PeerMembershipResource(),
        ["group", "organisation", "kind"],
        [["Leicestershire MSF", n, "msf"] for n in ["leicestershire", *MSF]]
        + [
            ["East Midlands", "Leicestershire Police", "region"],
            ["East Midlands", "nottinghamshire", "region"],
        ],
    )

    assert row_errors(result) == [] and not result.has_errors()
    msf = PeerGroup.objects.get(name="Leicestershire MSF")
    assert (msf.kind, msf.members.count()) == ("msf", 8)
    region = PeerGroup.objects.get(name="East Midlands")
    assert region.kind == "region"
    assert sorted(region.members.values_list("name", flat=True)) == [
        "Leicestershire Police",
        "Nottinghamshire",
    ]


def test_peer_group_file_reimported_changes_nothing(home, forces):
    rows = [["MSF", n] for n in MSF]
    import_rows(resources_peers.PeerMembershipResource(), ["group", "organisation"], rows)

    result = import_rows(resources_peers.PeerMembershipResource(), ["group", "organisation"], rows)

    assert result.totals["skip"] == 7 and result.totals["new"] == 0
    assert PeerGroup.objects.get().members.count() == 7


def test_peer_group_file_with_an_unknown_force_or_kind_is_refused_and_the_preview_writes_nothing(
    home, forces
):
    result = import_rows(
        resources_peers.PeerMembershipResource(),
        ["group", "organisation", "kind"],
        [["MSF", "Sussx", "msf"], ["Region", "Kent", "county"], ["", "Kent", "msf"]],
    )

    errors = " | ".join(row_errors(result))
    assert "There is no organisation 'Sussx'; did you mean 'Sussex'" in errors
    assert "'county' is not a kind of peer group: use msf, region or national." in errors
    assert "The group is empty." in errors
    assert not PeerGroup.objects.exists()

    import_rows(
        resources_peers.PeerMembershipResource(), ["group", "organisation"], [["New", "Kent"]], dry_run=True
    )
    assert not PeerGroup.objects.exists()


def test_population_file_imports_and_a_corrected_figure_replaces_the_old_one(home, forces):
    headers = ["organisation", "year", "population", "source"]
    import_rows(
        resources_peers.PopulationResource(),
        headers,
        [["leicestershire", "2018", "1,100,306", "ONS mid-2018"], ["Kent", 2018, 1_846_500, "ONS mid-2018"]],
    )
    result = import_rows(
        resources_peers.PopulationResource(), headers, [["Kent", "2018", "1846478", "revised"]]
    )

    assert not result.has_errors() and result.totals["update"] == 1
    assert dict(Population.objects.values_list("organisation__name", "population")) == {
        "Leicestershire Police": 1_100_306,
        "Kent": 1_846_478,
    }


@pytest.mark.parametrize(
    "row, message",
    [
        (["Kent", "18", "100"], "'18' is not a year between 1990 and 2100."),
        (["Kent", "2018", "0"], "'0' is not a population (a whole number above zero)."),
        (["Kent", "2018", "1.5m"], "'1.5m' is not a population (a whole number above zero)."),
        (["Kent", "2018", "-5"], "'-5' is not a population (a whole number above zero)."),
        (["Nowhere", "2018", "5"], "There is no organisation 'Nowhere'."),
        (["", "2018", "5"], "The organisation is empty."),
    ],
)
def test_bad_population_rows_are_refused(row, message, home, forces):
    result = import_rows(resources_peers.PopulationResource(), ["organisation", "year", "population"], [row])

    assert any(message in e for e in row_errors(result)), row_errors(result)
    assert not Population.objects.exists()


def test_organisation_file_adds_forces_matched_on_code(home):
    headers = ["name", "code"]
    import_rows(
        resources_peers.OrganisationResource(), headers, [["Kent Police", "kent"], ["Essex", "essex"]]
    )
    import_rows(resources_peers.OrganisationResource(), headers, [["Kent", "kent"]])

    assert dict(Organisation.objects.values_list("code", "name")) == {
        "leicestershire": "Leicestershire Police",
        "kent": "Kent",
        "essex": "Essex",
    }


def test_exports_neutralise_cells_a_spreadsheet_would_run(home):
    Organisation.objects.create(name='=HYPERLINK("http://x")', code="evil")
    Organisation.objects.create(name="-1+2", code="minus")
    Population.objects.create(organisation=home, year=2018, population=5, source="@SUM(A1)")

    orgs = resources_peers.OrganisationResource().export().dict
    pops = resources_peers.PopulationResource().export().dict

    assert {r["name"] for r in orgs} >= {'\'=HYPERLINK("http://x")', "'-1+2"}
    assert pops[0]["source"] == "'@SUM(A1)"
    assert pops[0]["population"] == "5"


# --------------------------------------------------------------------------- admin
def test_editor_imports_a_peer_group_file_through_the_admin_preview_and_confirm(client, editor, home, forces):
    client.force_login(editor)
    upload = SimpleUploadedFile("msf.csv", csv_bytes([["group", "organisation"], *[["MSF", n] for n in MSF]]))

    preview = client.post(
        "/admin/kpis/peergroup/import/", {"resource": "0", "format": "0", "import_file": upload}
    )

    assert preview.status_code == 200
    assert not PeerGroup.objects.exists()  # the preview wrote nothing
    confirm = preview.context["confirm_form"].initial
    done = client.post("/admin/kpis/peergroup/process_import/", confirm)
    assert done.status_code == 302
    assert PeerGroup.objects.get(name="MSF").members.count() == 7


def test_reviewer_may_see_peer_groups_but_not_import_or_change_them(client, reviewer, home, forces):
    client.force_login(reviewer)
    assert client.get("/admin/kpis/peergroup/").status_code == 200
    assert client.get("/admin/kpis/peergroup/import/").status_code == 403
    assert client.get("/admin/kpis/population/import/").status_code == 403
    assert client.get("/admin/kpis/peergroup/add/").status_code == 403


def test_panel_members_and_the_public_cannot_reach_the_peer_admin(client, panel_member):
    assert client.get("/admin/kpis/peergroup/").status_code == 302
    client.force_login(panel_member)
    assert client.get("/admin/kpis/peergroup/").status_code in (302, 403)


def test_peer_group_admin_lists_member_counts_and_edits_members_side_by_side(client, editor, home, forces):
    group = PeerGroup.objects.create(name="MSF")
    group.members.set(forces.values())
    client.force_login(editor)

    listing = client.get("/admin/kpis/peergroup/")
    change = client.get(f"/admin/kpis/peergroup/{group.pk}/change/")

    assert listing.status_code == 200 and ">7<" in listing.content.decode()
    assert 'class="selectfilter"' in change.content.decode() or "selectfilter" in change.content.decode()


def test_only_a_superuser_may_change_which_force_is_home(client, editor, superuser, home):
    client.force_login(editor)
    page = client.get(f"/admin/kpis/organisation/{home.pk}/change/").content.decode()
    assert 'name="is_home"' not in page
    client.force_login(superuser)
    page = client.get(f"/admin/kpis/organisation/{home.pk}/change/").content.decode()
    assert 'name="is_home"' in page


# --------------------------------------------------------------------------- the demo's comparison
def test_demo_loader_builds_the_msf_group_and_imports_the_reference_comparison_twice_safely(
    home, confidence, editor
):
    from reports.demo_peers import MSF_GROUP, load_peer_confidence

    first = load_peer_confidence(user=editor)
    second = load_peer_confidence(user=editor)

    assert "9 new" in first and "9 unchanged" in second
    group = PeerGroup.objects.get(name=MSF_GROUP)
    assert group.kind == "msf" and group.members.count() == 8
    peer = rankings.row_peer(
        kpi=confidence,
        organisation=home,
        period_start=date(2018, 4, 1),
        period_end=date(2019, 3, 31),
        group=group,
    )
    assert (peer["display"], peer["highest"]["display"], peer["lowest"]["display"]) == (
        "MSF rank 6 of 8",
        "84%",
        "68%",
    )


def test_demo_loader_refuses_a_bad_file_and_leaves_nothing_behind(home, confidence, editor):
    from reports.demo_peers import load_peer_confidence

    with pytest.raises(ValueError, match="'lots' is not a number"):
        load_peer_confidence(user=editor, content=b"kpi_code,period,Kent\r\n4.2,2018/19,lots\r\n")
    assert not PeerGroup.objects.exists() and not Observation.objects.exists()
