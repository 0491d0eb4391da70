"""How long the commentary checker takes over the whole 2018/19 report (the target: under 50 ms).

Builds the report's snapshot from reports/demo_data (as the checker's tests do: every
paragraph, the six table rows, the catalogue's other KPIs, the source notes), checks it
once to warm up, then times `check_snapshot` over several runs and prints the fastest
and the median, with the summary line the review page shows.

    python bench/checker_speed.py [--runs 20]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()

    import django

    django.setup()
    from reports.checker import check_snapshot, summary_line
    from tests.reports.fixtures.reference import reference_snapshot

    snapshot = reference_snapshot()
    findings = check_snapshot(snapshot)  # warm-up: compiled patterns, caches
    times = []
    for _ in range(args.runs):
        start = time.perf_counter()
        check_snapshot(snapshot)
        times.append((time.perf_counter() - start) * 1000)
    paragraphs = sum(len(s["paragraphs"]) for s in snapshot["sections"])
    print(f"2018/19 report: {paragraphs} paragraphs, {len(findings)} figures")
    fastest, median = min(times), statistics.median(times)
    print(f"check_snapshot: fastest {fastest:.1f} ms, median {median:.1f} ms ({args.runs} runs)")
    print(summary_line(findings))


if __name__ == "__main__":
    main()
