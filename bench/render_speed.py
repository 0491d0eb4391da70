"""How fast the 2018/19 report's PDF renders, against headless Chromium printing the same HTML.

It sets up its own database (a temporary SQLite file, or a fresh PostgreSQL database
beside DATABASE_URL's when that is PostgreSQL) and media folder, loads and publishes the
2018/19 report through `reports.demo` (falling back to the test factory's reference-shaped
snapshot if the demo cannot load), then:

- ours: the whole render of the frozen snapshot (context, SVG charts, template,
  WeasyPrint layout, tagged PDF/UA-1), in-process as a warm worker does it; after a
  warm-up, several runs, median;
- Chromium: the same HTML with the stylesheet inlined, printed by
  `chromium --headless --print-to-pdf` on a file:// copy, process start included
  (the peer a user might pick instead); same warm-up and runs, median;
- with REDIS_URL set and a PostgreSQL DATABASE_URL: approval → published through a real
  `celery -A portal worker` on its own queue (median of a few new versions), and the
  worker's peak memory (resident set, sampled every 20 ms, and the kernel's high-water mark).

Targets: ours / Chromium <= 1.0, approval → published < 5 s, peak worker memory < 400 MB.

    .venv/bin/python bench/render_speed.py [--runs 5] [--approvals 3]
"""

from __future__ import annotations

import argparse
import io
import os
import re
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scratch_database import drop_database, setup_database  # noqa: E402 - shared by the benchmarks

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
TARGET_RATIO = 1.0
TARGET_APPROVAL_S = 5.0
TARGET_MEMORY_MB = 400


def load_report(out: io.StringIO):
    """The published 2018/19 report (demo loader), or None when it cannot load."""
    from portal.management.commands.load_demo import ensure_demo_accounts
    from reports.demo import load_demo_report
    from reports.models import Publication, Report

    users = ensure_demo_accounts()
    try:
        load_demo_report(editor=users["editor"], reviewer=users["reviewer"], out=out)
    except Exception as exc:  # fall back to the factory, say so
        print(f"demo loader failed ({type(exc).__name__}: {exc}); using the test factory's snapshot")
        return None, users
    report = Report.objects.order_by("pk").last()
    return Publication.objects.filter(report=report).order_by("-version").first(), users


def chromium_html(html: str) -> str:
    """The PDF's HTML with its stylesheet inlined, for a file:// copy Chromium can print.

    The stylesheet's fonts are named relative to it, so they point at the static folder.
    """
    css = (ROOT / "static" / "css" / "report-pdf.css").read_text()
    css = css.replace('url("../fonts/', f'url("{(ROOT / "static" / "fonts").as_uri()}/')
    return re.sub(r'<link rel="stylesheet" href="[^"]*report-pdf\.css">', f"<style>{css}</style>", html)


def print_with_chromium(source: Path, target: Path, profile: Path) -> None:
    subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile}",
            "--no-pdf-header-footer",
            f"--print-to-pdf={target}",
            source.as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )


# --------------------------------------------------------------------------- worker
def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(p) for p in text.split()]


def _status_kb(pid: int, field: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


class MemorySampler(threading.Thread):
    """Peak resident memory of a worker and its pool processes, sampled every 20 ms."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid = pid
        self.peak_total_kb = 0
        self.peak_process_kb = 0
        self.high_water_kb = 0
        self.stop = threading.Event()

    def run(self):
        while not self.stop.is_set():
            pids = [self.pid, *_children(self.pid)]
            sizes = [_status_kb(p, "VmRSS") for p in pids]
            self.peak_total_kb = max(self.peak_total_kb, sum(sizes))
            self.peak_process_kb = max(self.peak_process_kb, *sizes)
            self.high_water_kb = max(self.high_water_kb, *(_status_kb(p, "VmHWM") for p in pids))
            time.sleep(0.02)


def time_approvals(*, users, report, approvals: int, env: dict) -> None:
    from portal.celery import app
    from reports import workflow
    from reports.models import Publication

    queue = f"bench-render-{os.getpid()}"
    app.conf.task_default_queue = queue
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "portal", "worker", "-Q", queue, "--concurrency", "1",
         "--pool", "prefork", "--loglevel", "WARNING", "--without-gossip", "--without-mingle",
         "--without-heartbeat"],
        cwd=ROOT, env=env, start_new_session=True,
    )  # fmt: skip
    sampler = MemorySampler(worker.pid)
    try:
        deadline = time.monotonic() + 60
        while not app.control.ping(timeout=0.5):
            if time.monotonic() > deadline or worker.poll() is not None:
                raise SystemExit("the worker did not start")
        app.conf.task_always_eager = False
        sampler.start()
        editor, reviewer = users["editor"], users["reviewer"]
        times = []
        for _ in range(approvals):
            workflow.report_start_revision(report=report, by=editor, change_note="Benchmark revision.")
            workflow.report_submit(report=report, by=editor)
            start = time.perf_counter()
            approval = workflow.report_approve(report=report, by=reviewer, comment="Benchmark approval.")
            publication = approval.publication
            while True:
                status = Publication.objects.values_list("render_status", flat=True).get(pk=publication.pk)
                if status == Publication.RenderStatus.PUBLISHED:
                    break
                if status == Publication.RenderStatus.FAILED or time.perf_counter() - start > 120:
                    raise SystemExit(f"version {publication.version} did not publish: {status}")
                time.sleep(0.02)
            times.append(time.perf_counter() - start)
        sampler.stop.set()
        sampler.join()
        approval = statistics.median(times)
        print(
            f"approval → published (real worker, Redis, PostgreSQL): median {approval:.2f} s of "
            f"{', '.join(f'{t:.2f}' for t in times)} (target < {TARGET_APPROVAL_S:g} s)"
        )
        print(
            f"peak worker memory: {sampler.peak_total_kb / 1024:.0f} MB resident for the worker and its "
            f"pool process together, {sampler.high_water_kb / 1024:.0f} MB high-water mark of the largest "
            f"process (target < {TARGET_MEMORY_MB} MB)"
        )
    finally:
        sampler.stop.set()
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGTERM)
            try:
                worker.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(worker.pid, signal.SIGKILL)
        app.conf.task_always_eager = True


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="timed runs of each renderer (default 5)")
    parser.add_argument("--approvals", type=int, default=3, help="approvals timed through a worker")
    options = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="render-speed-"))
    given_database_url = os.environ.get("DATABASE_URL", "")
    dropped = None
    try:
        database_url, dropped = setup_database(tmp, "bench_render")
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "MEDIA_ROOT": str(tmp / "media"),
            "DEBUG": "1",
            "LOG_LEVEL": "WARNING",
            # Workflow notifications go nowhere (the console backend would flood the output).
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        }
        os.environ.update(env)
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
        import django

        django.setup()
        from django.core.management import call_command

        from portal.celery import app
        from reports import rendering

        app.conf.task_always_eager = True  # the demo's own approval renders in-process
        call_command("migrate", verbosity=0)
        publication, users = load_report(io.StringIO())
        if publication is not None and publication.render_status == "published":
            snapshot, source = publication.snapshot, "reports.demo (the 2018/19 report)"
        else:
            from tests.reports.factories import reference_snapshot

            snapshot, source = reference_snapshot(), "tests/reports/factories.reference_snapshot()"
        sections = snapshot["sections"]
        rows = [r for s in sections for r in s.get("rows", [])]
        paragraphs = sum(len(s.get("paragraphs", [])) for s in sections)
        charts = sum(bool(r.get("show_chart")) for r in rows)
        terms = sum(len(s.get("terms", [])) for s in sections)
        print(
            f"report: {source}: {len(sections)} sections, {paragraphs} numbered paragraphs, "
            f"{len(rows)} KPI rows ({charts} charts), {terms} glossary terms"
        )

        context = rendering.build_context(snapshot)
        pages = rendering.html_to_pdf(rendering.render_pdf_html(context), identifier="bench")[1]

        def ours_once():
            rendering.render_pdf(rendering.build_context(snapshot))

        chrome_once = None
        if Path(CHROMIUM).exists():
            source_html = tmp / "report.html"
            source_html.write_text(chromium_html(rendering.render_pdf_html(context)))
            target = tmp / "chromium.pdf"

            def chrome_once():
                print_with_chromium(source_html, target, tmp / "chrome-profile")

        # Runs alternate (ours, Chromium, ours, …) so both see the same machine load.
        times = {"ours": [], "chromium": []}
        cpu, chrome_cpu = [], []
        for run in range(options.runs + 1):
            start, cpu_start = time.perf_counter(), time.process_time()
            ours_once()
            if run:
                times["ours"].append(time.perf_counter() - start)
                cpu.append(time.process_time() - cpu_start)
            if chrome_once:
                start, children = time.perf_counter(), resource.getrusage(resource.RUSAGE_CHILDREN)
                chrome_once()
                after = resource.getrusage(resource.RUSAGE_CHILDREN)
                if run:
                    times["chromium"].append(time.perf_counter() - start)
                    chrome_cpu.append(after.ru_utime + after.ru_stime - children.ru_utime - children.ru_stime)
        ours = statistics.median(times["ours"])
        print(
            f"ours (WeasyPrint, tagged PDF/UA-1, {pages} pages): median {ours:.2f} s "
            f"[{', '.join(f'{t:.2f}' for t in times['ours'])}], CPU median {statistics.median(cpu):.2f} s"
        )
        if not chrome_once:
            print(f"no Chromium at {CHROMIUM}: ratio not measured")
        else:
            from pypdf import PdfReader

            chrome = statistics.median(times["chromium"])
            chrome_pages = len(PdfReader(target).pages)
            print(
                f"Chromium --headless --print-to-pdf ({chrome_pages} pages, process start included): "
                f"median {chrome:.2f} s [{', '.join(f'{t:.2f}' for t in times['chromium'])}], "
                f"CPU median {statistics.median(chrome_cpu):.2f} s (all its processes)"
            )
            print(
                f"ratio ours / Chromium: {ours / chrome:.2f} wall (target <= {TARGET_RATIO:g}), "
                f"{statistics.median(cpu) / statistics.median(chrome_cpu):.2f} CPU"
            )
        print(f"load average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")

        redis_url = os.environ.get("REDIS_URL", "")
        if not (redis_url and dropped and publication is not None):
            print("approval → published not timed: needs REDIS_URL and a PostgreSQL DATABASE_URL")
        else:
            time_approvals(users=users, report=publication.report, approvals=options.approvals, env=env)
        return 0
    finally:
        if dropped:
            from django.db import connections

            connections.close_all()
            drop_database(dropped, given_database_url)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
