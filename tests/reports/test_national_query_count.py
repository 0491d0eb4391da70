"""Building a report's snapshot costs a fixed number of queries per peer-ranked row.

Each KPI row ranked among its Most Similar Forces and standing among all forces reads
its figures and groups in a fixed number of queries, however many forces there are: a
national group of 44 forces costs no more than one of 10.
"""

import re

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from reports.snapshot import build_snapshot
from tests.reports.national_figures import national_report, national_world


def snapshot_queries(*, forces: int, rows: tuple[int, ...]) -> dict[int, int]:
    """{rows: queries to build the snapshot} over `forces` forces, rolled back afterwards."""
    counts = {}
    with transaction.atomic():
        world = national_world(forces=forces, kpis=max(rows) + 2, years=3)
        for n in rows:
            report = national_report(world, rows=n, slug=f"national-{n}", per_section=2)
            with CaptureQueriesContext(connection) as queries:
                snapshot = build_snapshot(report)
            ranked = [
                r for s in snapshot["sections"] for r in s["rows"] if r.get("peer") and r.get("standing")
            ]
            assert len(ranked) == n  # every row was ranked and stood: the count measures real work
            assert {r["standing"]["of"] for r in ranked} == {forces}
            counts[n] = len(queries)
        transaction.set_rollback(True)
    return counts


@pytest.mark.django_db
def test_snapshot_queries_grow_by_a_fixed_number_per_row_whatever_the_number_of_forces():
    few = snapshot_queries(forces=10, rows=(2, 4))
    every = snapshot_queries(forces=44, rows=(2, 4))
    per_row = (few[4] - few[2]) / 2
    assert per_row == (every[4] - every[2]) / 2
    assert few == every  # not only the increment: the whole count ignores the number of forces


@pytest.mark.django_db
def test_kpis_outside_the_tables_cost_no_query_each():
    """The catalogue (figures of KPIs the tables leave out, for the checker) is read at once."""
    counts = {}
    with transaction.atomic():
        for kpis in (3, 8):
            with transaction.atomic():
                world = national_world(forces=5, kpis=kpis, years=2)
                report = national_report(world, rows=1, slug=f"catalogue-{kpis}")
                with CaptureQueriesContext(connection) as queries:
                    snapshot = build_snapshot(report)
                assert len(snapshot["catalogue"]) == kpis - 1
                counts[kpis] = len(queries)
                transaction.set_rollback(True)
    assert counts[3] == counts[8]


def member_reads(queries, group) -> int:
    """Queries that read `group`'s members (its pk bound in the SQL Django records)."""
    pattern = re.compile(rf'"kpis_peergroup_members"\."peergroup_id" (= {group.pk}\b|IN \({group.pk}\))')
    return sum(1 for q in queries.captured_queries if pattern.search(q["sql"]))


@pytest.mark.django_db
def test_each_groups_members_are_read_once_however_many_rows_rank_among_it():
    world = national_world(forces=10, kpis=4, years=2)
    report = national_report(world, rows=4, slug="members")
    with CaptureQueriesContext(connection) as queries:
        build_snapshot(report)
    assert member_reads(queries, world.msf) == 1
    assert member_reads(queries, world.national) == 1
