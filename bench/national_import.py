"""How long does a whole national file take through the import, preview and confirm?

The admin's import screen runs the same two calls an editor's upload makes:
`spreadsheet_import(dry_run=True)` for the preview (every cell checked, counts, notes) and
`spreadsheet_import()` for the confirm step (checked again, then written in one
transaction). This benchmark makes the Home Office police recorded crime tables at their
real size (44 forces, 12 financial years, one sheet per year, ~300,000 rows; generators in
tests/kpis/national_files.py) as ods and as csv, gives a catalogue of the national measures
their default mappings, and times preview and confirm of each, in a database of its own (a
temporary SQLite file, or a fresh PostgreSQL database beside DATABASE_URL's when that is
PostgreSQL). It prints seconds, the figures written and the process's peak memory.

Approval of a report ranked over these figures is bench/national_approval.py.

    python bench/national_import.py [--years 12] [--forces 44] [--offences 142]
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from scratch_database import drop_database, setup_database  # noqa: E402 - shared by the benchmarks

from tests.kpis import national_files  # noqa: E402 - the generators shared with the tests

PEAK_TARGET_MB = 1024


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def prepare_catalogue() -> None:
    """One KPI per national measure, with the measure's default mappings; a home force."""
    from kpis.models import Kpi, NationalMapping, Organisation
    from kpis.national.mapping_loading import load_default_mappings
    from kpis.national.measures import MEASURES

    Kpi.objects.bulk_create(
        Kpi(code=f"N{i}", name=m.name, unit="count", aggregation="sum") for i, m in enumerate(MEASURES, 1)
    )
    load_default_mappings(Kpi, NationalMapping)
    Organisation.objects.filter(code="leicestershire").update(is_home=True)


def timed_import(content: bytes, file_name: str, *, dry_run: bool):
    from kpis.imports import spreadsheet_import

    started = time.perf_counter()
    outcome = spreadsheet_import(content=content, file_name=file_name, dry_run=dry_run)
    return time.perf_counter() - started, outcome


def measure(files: dict[str, bytes]) -> None:
    from kpis.models import Observation

    for name, content in files.items():
        preview_s, preview = timed_import(content, name, dry_run=True)
        if not preview.ok:
            raise SystemExit(f"{name}: the preview found problems: {preview.problems[:3]}")
        confirm_s, outcome = timed_import(content, name, dry_run=False)
        if not outcome.ok:
            raise SystemExit(f"{name}: the import found problems: {outcome.problems[:3]}")
        print(
            f"{name:10} {len(content) / 1024 / 1024:6.1f} MB  preview {preview_s:6.2f} s  "
            f"confirm {confirm_s:6.2f} s  ({outcome.new:,} new, {outcome.changed:,} changed, "
            f"{outcome.unchanged:,} unchanged figures; {Observation.objects.count():,} stored)"
        )
        for note in outcome.notes:
            print(f"           note: {note}")
    peak = peak_mb()
    print(f"peak memory of this process: {peak:.0f} MB (target < {PEAK_TARGET_MB})")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--years", type=int, default=12)
    parser.add_argument("--forces", type=int, default=44)
    parser.add_argument("--offences", type=int, default=142)
    args = parser.parse_args()
    given = os.environ.get("DATABASE_URL", "")
    with tempfile.TemporaryDirectory() as tmp:
        url, created = setup_database(Path(tmp), "bench_national_import")
        os.environ.update(DATABASE_URL=url, MEDIA_ROOT=tmp, IMPORT_MAX_ROWS="400000")
        os.environ.pop("REDIS_URL", None)
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
        try:
            import django
            from django.core.management import call_command

            django.setup()
            call_command("migrate", verbosity=0)
            prepare_catalogue()
            sheets = national_files.home_office_sheets(args.years, args.forces, args.offences)
            rows = sum(len(rows) - 1 for rows in sheets.values())
            files = {
                "prc.ods": national_files.ods_workbook_bytes(sheets),
                "prc.csv": national_files.home_office_csv_bytes(sheets),
            }
            print(f"database: {django.db.connection.vendor}; {rows:,} rows in {len(sheets)} yearly sheets")
            measure(files)
        finally:
            if created:
                from django.db import connections

                connections.close_all()
                drop_database(created, given)
    return 0


if __name__ == "__main__":
    sys.exit(main())
