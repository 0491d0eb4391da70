"""How fast a report ranked among all forces is approved, and how many queries each row costs.

Target: approval of a report with 30 peer-ranked KPI rows over 44 forces and 12 years of
figures under 5 s, with a fixed number of queries per row.

It sets up its own database (a temporary SQLite file, or a fresh PostgreSQL database
beside DATABASE_URL's when that is PostgreSQL) and media folder, then writes with
bulk_create (tests/reports/national_figures.py):

- the 44 forces of kpis/data/forces.csv, a group per region, "All forces in England and
  Wales" and an 8-force Most Similar Forces group;
- 30 KPIs (counts, some ranked per 1,000 people, percentages, 'as at' figures) and 12
  financial years of figures for every force and KPI as stated-period observations per
  financial quarter and year, the home force's months too (its trend chart), and every
  force's population;
- reports with 10, 20 and 30 KPI rows, each row ranked among the MSF group and standing
  among all forces.

Each report is submitted by one user and approved by another through `reports.workflow`.
Rendering is not measured: it is queued to an in-memory broker no worker reads, so the
time is the approval itself (building and checking the snapshot, freezing it into the
new version, recording the review). It prints:

- approval of the 30-row report: median seconds of --runs approvals, each of a fresh
  revision (published, revised, submitted, approved), and the snapshot build alone;
- queries of the approval and of the snapshot build at 10, 20 and 30 rows, and the
  difference per extra row (constant when each row costs a fixed number of queries).

    .venv/bin/python bench/national_approval.py [--runs 5]
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scratch_database import drop_database, setup_database  # noqa: E402 - shared by the benchmarks

TARGET_APPROVAL_S = 5.0
ROW_COUNTS = (10, 20, 30)


def latest_publication(report):
    """The newest version (whatever `report_approve` returns, the version is what it made)."""
    from reports.models import Publication

    return Publication.objects.filter(report=report).order_by("-version").first()


def approve(report, users) -> tuple[float, int, float]:
    """Submit as the editor, approve as the reviewer: (seconds, queries, CPU seconds) of the approval."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from reports import workflow

    editor, reviewer = (type(u).objects.get(pk=u.pk) for u in (users["editor"], users["reviewer"]))
    workflow.report_submit(report=report, by=editor)
    # A fresh reviewer each time, as each request has: its permissions are read in every approval.
    with CaptureQueriesContext(connection) as queries:
        start, cpu = time.perf_counter(), time.process_time()
        workflow.report_approve(report=report, by=reviewer, comment="Benchmark approval.")
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    return seconds, len(queries), cpu


def snapshot_cost(report) -> tuple[float, int]:
    """(seconds, queries) of building the report's snapshot alone."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from reports.snapshot import build_snapshot

    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        build_snapshot(report)
        seconds = time.perf_counter() - start
    return seconds, len(queries)


def new_revision(report, users) -> None:
    """Mark the approved version published and open the next revision, as an editor would.

    Rendering is not what this benchmark times, and publishing refuses a version nobody
    rendered, so the version is marked published directly.
    """
    from django.utils import timezone

    from reports import workflow
    from reports.models import Publication, Report

    now = timezone.now()
    publication = latest_publication(report)
    Publication.objects.filter(pk=publication.pk).update(
        render_status=Publication.RenderStatus.PUBLISHED, published_at=now
    )
    Report.objects.filter(pk=report.pk).update(status=Report.Status.PUBLISHED)
    report.refresh_from_db()
    if report.status != Report.Status.PUBLISHED:
        raise SystemExit(f"version not published (report is {report.status}): cannot time a new revision")
    workflow.report_start_revision(report=report, by=users["editor"], change_note="Benchmark revision.")


def check_report(report, rows: int) -> None:
    """Every row must be ranked and stood, or the benchmark measures less than it claims."""
    snapshot = latest_publication(report).snapshot
    ranked = [r for s in snapshot["sections"] for r in s["rows"] if r.get("peer") and r.get("standing")]
    if len(ranked) != rows:
        raise SystemExit(f"only {len(ranked)} of {rows} rows have a peer rank and a national standing")


def counted(counts: dict[int, int]) -> str:
    return ", ".join(f"{counts[n]} at {n} rows" for n in ROW_COUNTS)


def per_row(counts: dict[int, int]) -> str:
    steps = list(zip(ROW_COUNTS, ROW_COUNTS[1:], strict=False))
    return ", ".join(f"{(counts[b] - counts[a]) / (b - a):g} ({a}→{b})" for a, b in steps)


def measure(options, users) -> None:
    from kpis.models import Observation
    from tests.reports.national_figures import national_report, national_world

    start = time.perf_counter()
    world = national_world(forces=None, kpis=max(ROW_COUNTS), years=12)
    print(
        f"data: {len(world.forces)} forces, {len(world.kpis)} KPIs, 12 financial years, "
        f"{Observation.objects.count():,} observations written in {time.perf_counter() - start:.1f} s"
    )
    approval_queries, snapshot_queries = {}, {}
    reports = {}
    for rows in ROW_COUNTS:
        report = national_report(world, rows=rows, by=users["editor"], slug=f"national-{rows}")
        reports[rows] = report
        snapshot_queries[rows] = snapshot_cost(report)[1]
        approval_queries[rows] = approve(report, users)[1]
        check_report(report, rows)

    report, rows = reports[max(ROW_COUNTS)], max(ROW_COUNTS)
    times, builds, cpus = [], [], []
    for _ in range(options.runs):
        new_revision(report, users)
        builds.append(snapshot_cost(report)[0])
        seconds, queries, cpu = approve(report, users)
        times.append(seconds)
        cpus.append(cpu)
        approval_queries[rows] = queries
    median = statistics.median(times)
    print(
        f"approval of the {rows}-row report (report_approve: snapshot built and checked, frozen into "
        f"the version, review recorded; rendering queued, not run): median {median:.2f} s of "
        f"[{', '.join(f'{t:.2f}' for t in times)}] (target < {TARGET_APPROVAL_S:g} s), "
        f"CPU of this process median {statistics.median(cpus):.2f} s"
    )
    print(f"  of which building the snapshot alone: median {statistics.median(builds):.2f} s")
    print(
        f"queries of the approval: {counted(approval_queries)}; "
        f"per extra row {per_row(approval_queries)} (target: fixed per row)"
    )
    print(
        f"queries of the snapshot build: {counted(snapshot_queries)}; "
        f"per extra row {per_row(snapshot_queries)} (target: fixed per row)"
    )
    print(f"load average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="timed approvals, each of a fresh revision")
    options = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="national-approval-"))
    given_database_url = os.environ.get("DATABASE_URL", "")
    dropped = None
    try:
        database_url, dropped = setup_database(tmp, "bench_approval")
        os.environ.update(
            {
                "DATABASE_URL": database_url,
                "MEDIA_ROOT": str(tmp / "media"),
                "DEBUG": "1",
                "LOG_LEVEL": "WARNING",
                "REDIS_URL": "",  # the in-memory broker: rendering is queued, never run here
                "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            }
        )
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
        import django

        django.setup()
        from django.core.management import call_command

        from portal.celery import app
        from portal.management.commands.load_demo import ensure_demo_accounts

        call_command("migrate", verbosity=0)
        app.conf.task_always_eager = False
        # The in-memory broker has no host, which kombu warns about on every connection.
        logging.getLogger("kombu.connection").setLevel(logging.ERROR)
        print(f"database: {'PostgreSQL' if dropped else 'SQLite'}")
        measure(options, ensure_demo_accounts())
        return 0
    finally:
        if dropped:
            from django.db import connections

            connections.close_all()
            drop_database(dropped, given_database_url)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
