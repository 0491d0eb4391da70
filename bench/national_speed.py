"""How fast does the portal read the national open-data files, against pandas?

Makes files of the real layouts and sizes (generators in tests/kpis/national_files.py,
shared with the tests):

- the Home Office police recorded crime tables: one sheet per financial year, 44 forces,
  12 years, ~300,000 rows of `Financial Year, Financial Quarter, Force Name, Offence
  Description, Offence Group, Offence Subgroup, Offence Code, Number of Offences`, as ods,
  xlsx and csv;
- a police.uk street-level archive: one force, 36 monthly CSV files, ~400,000 rows.

Then it reads each with kpis.spreadsheets.read_workbook (ours) and with pandas
(`read_excel(engine="odf")`, `read_csv`, and `read_excel(engine="calamine")` for
reference), each read in a process of its own, and prints seconds, the ratio to pandas and
the peak memory of the process (its maximum resident size, which counts calamine's Rust
memory too, unlike tracemalloc). pandas' odf engine builds the whole document in memory
with odfpy and takes minutes and gigabytes on the full file, so it is timed on the first
year's sheet only (--odf-years) against ours on the same file; --odf-years 12 times it on
everything.

Then it runs bench/national_import.py (the same file through the import's preview and
confirm) and bench/national_approval.py (approval of 30 peer-ranked rows over 44 forces
and 12 years).

Targets: csv within 2× of read_csv; ods at least 5× faster than read_excel(engine="odf");
peak memory under 1 GB; approval under 5 s with a fixed number of queries per row.

    python bench/national_speed.py [--years 12] [--forces 44] [--offences 142]
        [--police-months 36] [--police-rows 11000] [--odf-years 1] [--repeat 2]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.kpis import national_files  # noqa: E402 - the generators shared with the tests

CSV_TARGET = 2.0
ODS_TARGET = 5.0
PEAK_TARGET_MB = 1024


# --------------------------------------------------------------------------- files
def make_files(directory: Path, args) -> dict[str, Path]:
    sheets = national_files.home_office_sheets(args.years, args.forces, args.offences)
    first_years = dict(list(sheets.items())[: args.odf_years])
    made = {
        "ho.ods": national_files.ods_workbook_bytes(sheets),
        "ho-first-years.ods": national_files.ods_workbook_bytes(first_years),
        "ho.xlsx": national_files.xlsx_workbook_bytes(sheets),
        "ho.csv": national_files.home_office_csv_bytes(sheets),
        "police.zip": national_files.police_uk_archive_bytes(
            months=args.police_months, rows_per_month=args.police_rows
        ),
    }
    paths = {}
    for name, content in made.items():
        paths[name] = directory / name
        paths[name].write_bytes(content)
    return paths


# --------------------------------------------------------------------------- one read (child)
def ours_reader():
    """read_workbook, after Django's start-up (not timed)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    # Imported here, in the child, so that each reader's peak memory counts only its own
    # libraries; the kpis import needs django.setup() first.
    import django

    django.setup()
    from kpis.spreadsheets import read_workbook

    def read(path: Path) -> int:
        sheets = read_workbook(content=path.read_bytes(), file_name=path.name)
        return sum(len(sheet.rows) for sheet in sheets)

    return read


def pandas_reader(engine: str):
    """pandas with one engine, after importing it (not timed)."""
    import pandas  # in the child only: see ours_reader

    def read(path: Path) -> int:
        if path.suffix == ".csv":
            return len(pandas.read_csv(path)) + 1
        if path.suffix == ".zip":
            with zipfile.ZipFile(path) as archive:
                return sum(len(pandas.read_csv(io.BytesIO(archive.read(n)))) + 1 for n in archive.namelist())
        frames = pandas.read_excel(path, sheet_name=None, engine=engine)
        return sum(len(frame) + 1 for frame in frames.values())

    return read


def child(args) -> None:
    path = Path(args.file)
    read = ours_reader() if args.reader == "ours" else pandas_reader(args.reader.split(":", 1)[1])
    started = time.perf_counter()
    rows = read(path)
    seconds = time.perf_counter() - started
    print(json.dumps({"seconds": seconds, "rows": rows, "peak_mb": peak_resident_mb()}))


def peak_resident_mb() -> float:
    """This process's peak resident size. Not getrusage's ru_maxrss: Linux carries that over
    from the parent through fork and exec, so every child would show the parent's peak."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(reader: str, path: Path, repeat: int) -> dict:
    """The best of `repeat` reads, each in a fresh process; peak memory is the largest seen."""
    best = None
    for _ in range(repeat):
        # The csv holds every year in one sheet: more rows than IMPORT_MAX_ROWS lets one sheet have.
        env = {**os.environ, "IMPORT_MAX_FILE_BYTES": str(500 * 1024 * 1024), "IMPORT_MAX_ROWS": "1000000"}
        cmd = [sys.executable, __file__, "--child", "--reader", reader, "--file", str(path)]
        out = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=ROOT)
        if out.returncode:
            sys.exit(f"{reader} on {path.name} failed:\n{out.stdout}\n{out.stderr}")
        result = json.loads(out.stdout.strip().splitlines()[-1])
        if best is None or result["seconds"] < best["seconds"]:
            result["peak_mb"] = max(result["peak_mb"], best["peak_mb"] if best else 0)
            best = result
    return best


# --------------------------------------------------------------------------- import and approval
def measure_import_and_approval(paths: dict[str, Path]) -> None:
    """The other half: the whole file through the import (preview, then confirm), and the
    approval of a report ranked over 44 forces and 12 years; each its own benchmark, run
    here in a process of its own so its memory is its own."""
    for script in ("national_import.py", "national_approval.py"):
        print(f"\n{script}:")
        subprocess.run([sys.executable, str(ROOT / "bench" / script)], check=True)


# --------------------------------------------------------------------------- main
def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--years", type=int, default=12)
    parser.add_argument("--forces", type=int, default=44)
    parser.add_argument("--offences", type=int, default=142)
    parser.add_argument("--police-months", type=int, default=36)
    parser.add_argument("--police-rows", type=int, default=11_000)
    parser.add_argument(
        "--odf-years", type=int, default=1, help="sheets in the file pandas' odf engine reads"
    )
    parser.add_argument("--repeat", type=int, default=2, help="reads of each kind; the fastest counts")
    parser.add_argument("--only", default="", help="comma-separated file names to read, e.g. ho.csv")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--reader", help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return 0

    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        paths = make_files(Path(tmp), args)
        print(f"made {len(paths)} files in {time.perf_counter() - started:.1f}s")
        for name, path in paths.items():
            print(f"  {name:20} {path.stat().st_size / 1024 / 1024:8.1f} MB")

        runs = [
            ("ho.ods", "ours"),
            ("ho.ods", "pandas:calamine"),
            ("ho-first-years.ods", "ours"),
            ("ho-first-years.ods", "pandas:odf"),
            ("ho.xlsx", "ours"),
            ("ho.xlsx", "pandas:calamine"),
            ("ho.csv", "ours"),
            ("ho.csv", "pandas:c"),
            ("police.zip", "ours"),
            ("police.zip", "pandas:c"),
        ]
        if args.only:
            runs = [run for run in runs if run[0] in args.only.split(",")]
        results = {}
        print(f"\n{'file':20} {'reader':16} {'rows':>9} {'seconds':>8} {'peak MB':>8}")
        for name, reader in runs:
            repeat = 1 if reader == "pandas:odf" else args.repeat
            result = results[name, reader] = measure(reader, paths[name], repeat)
            print(
                f"{name:20} {reader:16} {result['rows']:9,} {result['seconds']:8.2f} {result['peak_mb']:8.0f}"
            )

        idle = measure_idle()
        print(f"(a process that only starts Python and Django peaks at {idle:.0f} MB)")

        report(results)
        measure_import_and_approval(paths)
    return 0


def report(results: dict) -> None:
    """Ratios to pandas and the targets, for the files that were read."""

    def ratio(name: str, other: str) -> float | None:
        if (name, "ours") not in results or (name, other) not in results:
            return None
        return results[name, "ours"]["seconds"] / results[name, other]["seconds"]

    def shown(value: float | None, form: str = ".2f") -> str:
        return "not read" if value is None else format(value, form)

    csv_ratio = ratio("ho.csv", "pandas:c")
    odf_ratio = ratio("ho-first-years.ods", "pandas:odf")
    ods_speedup = None if odf_ratio is None else 1 / odf_ratio
    peak = max((r["peak_mb"] for (_, reader), r in results.items() if reader == "ours"), default=0)
    print(f"\ncsv: ours / pandas read_csv = {shown(csv_ratio)} (target ≤ {CSV_TARGET})")
    print(f"police.uk zip: ours / pandas read_csv per file = {shown(ratio('police.zip', 'pandas:c'))}")
    print(f"ods: pandas odf / ours = {shown(ods_speedup, '.1f')}× faster (target ≥ {ODS_TARGET}×)")
    print(f"ods: ours / pandas calamine engine = {shown(ratio('ho.ods', 'pandas:calamine'))}")
    print(f"xlsx: ours / pandas calamine engine = {shown(ratio('ho.xlsx', 'pandas:calamine'))}")
    print(f"peak memory of ours: {peak:.0f} MB (target < {PEAK_TARGET_MB})")
    met = [
        csv_ratio is None or csv_ratio <= CSV_TARGET,
        ods_speedup is None or ods_speedup >= ODS_TARGET,
        peak < PEAK_TARGET_MB,
    ]
    print("targets: " + ("met" if all(met) else "NOT met"))


def measure_idle() -> float:
    code = (
        "import os, sys, django; sys.path.insert(0, 'bench'); "
        "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'portal.settings'); django.setup(); "
        "from national_speed import peak_resident_mb; print(peak_resident_mb())"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    return float(out.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    sys.exit(main())
