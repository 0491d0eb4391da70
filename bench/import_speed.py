"""How fast is a spreadsheet import, against the fastest it could possibly be?

Makes a 100,000-value observations file in three shapes (long csv, long xlsx, wide xlsx
and wide csv), then for each file and each database:

- ours:  kpis.imports.spreadsheet_import exactly as the admin calls it: a preview
         (dry run: read, check every cell, compare with stored values, count) and then the
         confirm step (read again, check again, write values, ImportBatch and history);
- floor: the fastest reader for the format (csv.reader; openpyxl's streaming sheet parser), then
         one upsert of every row through the database driver (executemany, one transaction,
         no ORM, no checks, no history).

It prints rows per second, the ratio ours/floor and the peak memory of the process that
did the import. Each database is a throwaway one with the schema made by `migrate`:
SQLite always, PostgreSQL when DATABASE_URL points at PostgreSQL or --postgres URL is given.

    python bench/import_speed.py [--rows 100000] [--postgres postgres://user@host:5432/postgres]
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_RATIO = 3.0
TARGET_PEAK_MB = 500


# --------------------------------------------------------------------------- files
def month_list(count: int) -> list[date]:
    return [date(2000 + (3 + i) // 12, (3 + i) % 12 + 1, 1) for i in range(count)]


def shape(rows: int) -> tuple[list[str], list[date]]:
    """KPI codes × months giving `rows` values: many KPIs over many years."""
    kpi_count = 500
    months = month_list(rows // kpi_count)
    return [f"{k // 100 + 1}.{k % 100 + 1}" for k in range(kpi_count)], months


def value_of(k: int, m: int) -> str:
    return str(1000 + (k * 7919 + m * 104729) % 150000)


def make_files(directory: Path, rows: int) -> dict[str, Path]:
    from openpyxl import Workbook

    codes, months = shape(rows)
    labels = [f"{m:%Y-%m}" for m in months]
    files = {}

    long_rows = [["kpi_code", "month", "value"]]
    for k, code in enumerate(codes):
        for m, label in enumerate(labels):
            long_rows.append([code, label, value_of(k, m)])
    wide_rows = [["kpi_code", *labels]]
    for k, code in enumerate(codes):
        wide_rows.append([code, *(value_of(k, m) for m in range(len(months)))])

    for name, table in (("long", long_rows), ("wide", wide_rows)):
        out = io.StringIO()
        csv.writer(out, lineterminator="\r\n").writerows(table)
        path = directory / f"{name}.csv"
        path.write_text(out.getvalue(), encoding="utf-8")
        files[f"{name}.csv"] = path

        wb = Workbook(write_only=True)
        ws = wb.create_sheet("Data")
        for i, row in enumerate(table):
            # Figures as numbers and months as real dates, as an analyst's workbook has them.
            if name == "long" and i:
                ws.append([row[0], months[(i - 1) % len(months)], int(row[2])])
            elif name == "wide" and i:
                ws.append([row[0], *(int(v) for v in row[1:])])
            elif name == "wide":
                ws.append(["kpi_code", *months])
            else:
                ws.append(row)
        path = directory / f"{name}.xlsx"
        wb.save(path)
        files[f"{name}.xlsx"] = path
    return files


def fastest_xlsx_rows(content: bytes) -> list[tuple]:
    """The first sheet's values by the fastest route openpyxl has: its workbook-part readers
    and its streaming sheet parser, skipping load_workbook's sizing pass over the sheet."""
    from openpyxl.reader.excel import ExcelReader
    from openpyxl.styles.stylesheet import apply_stylesheet
    from openpyxl.worksheet._reader import WorkSheetParser

    reader = ExcelReader(io.BytesIO(content), read_only=True, data_only=True)
    reader.read_manifest()
    reader.read_strings()
    reader.read_workbook()
    apply_stylesheet(reader.archive, reader.wb)
    _, rel = next(iter(reader.parser.find_sheets()))
    with reader.archive.open(rel.target) as src:
        parser = WorkSheetParser(
            src,
            reader.shared_strings,
            data_only=True,
            epoch=reader.wb.epoch,
            date_formats=reader.wb._date_formats,
            timedelta_formats=reader.wb._timedelta_formats,
        )
        table = [tuple(c["value"] for c in cells) for _, cells in parser.parse()]
    reader.archive.close()
    return table


# --------------------------------------------------------------------------- one measurement (child)
def child(args) -> None:
    os.environ["DATABASE_URL"] = args.database
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    os.environ["IMPORT_MAX_FILE_BYTES"] = str(200 * 1024 * 1024)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection, transaction

    from kpis import imports
    from kpis.models import Kpi, ObservationChange, Organisation
    from kpis.periods import month_end

    path = Path(args.file)
    content = path.read_bytes()
    codes, _ = shape(args.rows)
    home = Organisation.home()
    kpi_ids = dict(Kpi.objects.values_list("code", "id"))

    # ---- floor: fastest reader, then one executemany upsert in one transaction
    def floor() -> int:
        if path.suffix == ".csv":
            table = list(csv.reader(io.StringIO(content.decode("utf-8"), newline="")))
        else:
            table = fastest_xlsx_rows(content)
        header, body = table[0], table[1:]
        month_cache: dict = {}

        def month(v):
            if v not in month_cache:
                d = v.date() if hasattr(v, "date") else date(int(v[:4]), int(v[5:7]), 1)
                month_cache[v] = (d, month_end(d))
            return month_cache[v]

        now = time.strftime("%Y-%m-%d %H:%M:%S+00:00")
        params = []
        if "month" in header:
            for code, m, value in body:
                start, end = month(m)
                params.append((kpi_ids[code], home.pk, start, end, str(value), now))
        else:
            months = [month(h) for h in header[1:]]
            for row in body:
                kpi = kpi_ids[row[0]]
                for (start, end), value in zip(months, row[1:], strict=True):
                    params.append((kpi, home.pk, start, end, str(value), now))
        sql = (
            "INSERT INTO kpis_observation"
            " (kpi_id, organisation_id, period_start, period_end, value, updated_at)"
            " VALUES (%s, %s, %s, %s, %s, %s) "
            "ON CONFLICT (kpi_id, organisation_id, period_start, period_end) "
            "DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at"
        )
        with transaction.atomic(), connection.cursor() as cur:
            raw = cur.cursor  # the driver's cursor, without Django's wrapper
            raw.executemany(sql.replace("%s", "?") if connection.vendor == "sqlite" else sql, params)
        return len(params)

    def clear():
        with connection.cursor() as cur:
            cur.execute("DELETE FROM kpis_observationchange")
            cur.execute("DELETE FROM kpis_observation")
            cur.execute("DELETE FROM kpis_importbatch")

    def ours() -> tuple[int, float, float]:
        t0 = time.perf_counter()
        preview = imports.spreadsheet_import(content=content, file_name=path.name, dry_run=True)
        t1 = time.perf_counter()
        assert preview.ok, preview.problems[:5]
        done = imports.spreadsheet_import(content=content, file_name=path.name)
        t2 = time.perf_counter()
        assert done.written and done.new == args.rows, done.summary()
        return done.new, t1 - t0, t2 - t1

    # Best of `repeat` runs each, alternating, so a busy machine blurs both sides alike.
    floor_s = ours_s = float("inf")
    for _ in range(args.repeat):
        clear()
        t = time.perf_counter()
        floor_rows = floor()
        floor_s = min(floor_s, time.perf_counter() - t)
        clear()
        ours_rows, preview, confirm = ours()
        if preview + confirm < ours_s:
            ours_s, preview_s, confirm_s = preview + confirm, preview, confirm
    assert ours_rows == floor_rows == args.rows
    assert ObservationChange.objects.count() == args.rows
    # A second upload of the same file: everything unchanged, nothing written but the batch.
    t = time.perf_counter()
    again = imports.spreadsheet_import(content=content, file_name=path.name)
    again_s = time.perf_counter() - t
    assert again.unchanged == args.rows, again.summary()
    print(
        json.dumps(
            {
                "file": path.name,
                "database": connection.vendor,
                "rows": args.rows,
                "bytes": len(content),
                "floor_s": floor_s,
                "ours_s": ours_s,
                "preview_s": preview_s,
                "confirm_s": confirm_s,
                "reupload_s": again_s,
                "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            }
        )
    )


# --------------------------------------------------------------------------- databases (parent)
def prepare_database(url: str, rows: int) -> None:
    """Migrate a fresh database and load the KPI catalogue the files use."""
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "portal.settings"}
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0", "--skip-checks"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    codes, _ = shape(rows)
    script = (
        "import django, sys; django.setup()\n"
        "from kpis.models import Kpi, Organisation\n"
        "Organisation.home()\n"
        "codes = sys.argv[1].split(',')\n"
        "Kpi.objects.bulk_create([Kpi(code=c, name='KPI ' + c, category='Bench') for c in codes])\n"
    )
    subprocess.run([sys.executable, "-c", script, ",".join(codes)], cwd=ROOT, env=env, check=True)


def postgres_databases(server_url: str):
    """Create (and later drop) a throwaway PostgreSQL database on the server at server_url."""
    import psycopg

    name = f"bench_import_{os.getpid()}"
    base = server_url.rsplit("/", 1)[0]
    admin_url = base + "/postgres"

    def run(sql):
        with psycopg.connect(admin_url.replace("postgres://", "postgresql://", 1), autocommit=True) as conn:
            conn.execute(sql)

    run(f'DROP DATABASE IF EXISTS "{name}"')
    run(f'CREATE DATABASE "{name}"')
    return f"{base}/{name}", lambda: run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=2, help="runs of each side; the best counts")
    parser.add_argument(
        "--postgres", default="", help="a PostgreSQL server URL (default: DATABASE_URL if PostgreSQL)"
    )
    parser.add_argument("--only", default="", help="comma-separated file names, e.g. long.csv")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--database", help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return 0

    pg = args.postgres or (
        os.environ.get("DATABASE_URL", "") if "postgres" in os.environ.get("DATABASE_URL", "") else ""
    )
    results = []
    with tempfile.TemporaryDirectory(prefix="import-bench-") as tmp:
        tmp_path = Path(tmp)
        t = time.perf_counter()
        files = make_files(tmp_path, args.rows)
        print(f"made {len(files)} files of {args.rows:,} values in {time.perf_counter() - t:.1f}s")
        if args.only:
            files = {k: v for k, v in files.items() if k in args.only.split(",")}
        databases = [("sqlite", f"sqlite:///{tmp_path / 'bench.sqlite3'}", None)]
        if pg:
            url, drop = postgres_databases(pg)
            databases.append(("postgresql", url, drop))
        try:
            for _vendor, url, _drop in databases:
                prepare_database(url, args.rows)
                for path in files.values():
                    out = subprocess.run(
                        [
                            sys.executable,
                            __file__,
                            "--child",
                            "--database",
                            url,
                            "--file",
                            str(path),
                            "--rows",
                            str(args.rows),
                            "--repeat",
                            str(args.repeat),
                        ],
                        cwd=ROOT,
                        capture_output=True,
                        text=True,
                    )
                    if out.returncode:
                        print(out.stdout, out.stderr, file=sys.stderr)
                        return 1
                    results.append(json.loads(out.stdout.strip().splitlines()[-1]))
        finally:
            for _vendor, _url, drop in databases:
                if drop:
                    drop()

    print(
        f"\n{'file':<10} {'database':<10} {'ours rows/s':>12} {'floor rows/s':>13} {'ratio':>6} "
        f"{'preview s':>9} {'confirm s':>9} {'re-upload s':>11} {'peak MB':>8}"
    )
    worst = 0.0
    for r in results:
        ratio = r["ours_s"] / r["floor_s"]
        worst = max(worst, ratio)
        print(
            f"{r['file']:<10} {r['database']:<10} {r['rows'] / r['ours_s']:>12,.0f} "
            f"{r['rows'] / r['floor_s']:>13,.0f} {ratio:>6.2f} {r['preview_s']:>9.2f} {r['confirm_s']:>9.2f} "
            f"{r['reupload_s']:>11.2f} {r['peak_mb']:>8.0f}"
        )
    peak = max(r["peak_mb"] for r in results)
    ok = worst <= TARGET_RATIO and peak < TARGET_PEAK_MB
    print(
        f"\nworst ratio {worst:.2f} (target ≤ {TARGET_RATIO}), peak memory {peak:.0f} MB "
        f"(target < {TARGET_PEAK_MB}): {'met' if ok else 'NOT met'}"
    )
    if not pg:
        print("PostgreSQL not measured: set DATABASE_URL or pass --postgres URL.")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
