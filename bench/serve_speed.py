"""How fast a published report page is served, against a minimal Django view.

Published pages are frozen, so they should cost close to nothing to serve. This sets up
its own SQLite database and media folder in a temporary directory, publishes the 2018/19
report (`manage.py load_demo` when the demo loader is there, the test factories if not),
starts gunicorn on a free port of 127.0.0.1 with production-like settings (DEBUG off),
and loads, with 50 concurrent connections for a few seconds each:

- the report page, /reports/<slug>/, as an anonymous reader;
- a minimal view returning a fixed string through the same middleware, added by a
  benchmark-only URL module (written to the temporary directory, never in the project).

It prints requests per second and p50/p99 latency for both and the ratio.
Target: report page throughput >= 0.8 of the minimal view, p99 < 50 ms.

With --gzip every request says Accept-Encoding: gzip, as browsers do, and the report page
is served from its remembered compressed copy.

    .venv/bin/python bench/serve_speed.py [--seconds 5] [--connections 50] [--workers 2] [--gzip]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
MINIMAL_PATH = "/bench/minimal/"
TARGET_RATIO = 0.8
TARGET_P99_MS = 50.0

SETTINGS_MODULE = '''
"""Benchmark-only settings: the portal's, with a URL module that adds a minimal view."""
import os
import re
from portal.settings import *  # noqa: F401,F403

ROOT_URLCONF = "bench_serve_urls"
STATIC_ROOT = os.environ["BENCH_STATIC_ROOT"]
# Hashed names as in production, without spending the benchmark's time compressing.
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"}
'''

URLS_MODULE = '''
"""Benchmark-only URLs: the portal's, plus a view that returns a fixed string."""
from django.http import HttpResponse
from django.urls import path

from portal.urls import urlpatterns as portal_urlpatterns


def minimal(request):
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("bench/minimal/", minimal), *portal_urlpatterns]
'''

FACTORY_LOADER = """
import django
django.setup()
from tests.reports.factories import make_live_publication
publication = make_live_publication()
print(publication.report.get_absolute_url())
"""

FIND_REPORT = """
import django
django.setup()
from reports.selectors import live_publications
publication = live_publications().select_related("report").order_by("-published_at").first()
print(publication.report.get_absolute_url() if publication else "")
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(args: list[str], env: dict, *, quiet: bool = True) -> str:
    done = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        sys.stderr.write(done.stdout[-3000:] + done.stderr[-3000:])
        raise SystemExit(f"failed: {' '.join(args[:4])}")
    return done.stdout


def prepare(tmp: Path) -> tuple[dict, str]:
    """Settings, database, static files and a published report in tmp; returns (env, url)."""
    (tmp / "bench_serve_settings.py").write_text(textwrap.dedent(SETTINGS_MODULE))
    (tmp / "bench_serve_urls.py").write_text(textwrap.dedent(URLS_MODULE))
    env = {
        **os.environ,
        "PYTHONPATH": f"{tmp}{os.pathsep}{ROOT}",
        "DJANGO_SETTINGS_MODULE": "bench_serve_settings",
        "DATABASE_URL": f"sqlite:///{tmp / 'bench.sqlite3'}",
        "MEDIA_ROOT": str(tmp / "media"),
        "BENCH_STATIC_ROOT": str(tmp / "static"),
        "SECRET_KEY": "bench-" + os.urandom(24).hex(),
        "DEBUG": "0",
        "SECURE_HTTPS": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "LOG_LEVEL": "WARNING",
    }
    env.pop("REDIS_URL", None)  # render in-process
    manage = [PYTHON, "manage.py"]
    run([*manage, "migrate", "--noinput"], env)
    run([*manage, "collectstatic", "--noinput"], env)
    demo_env = {**env, "DEBUG": "1"}  # load_demo only runs with DEBUG on (it prints passwords)
    if (ROOT / "reports" / "demo.py").exists():
        run([*manage, "load_demo"], demo_env)
        url = run([PYTHON, "-c", FIND_REPORT], env).strip()
        source = "manage.py load_demo"
    else:
        url = ""
    if not url:
        url = run([PYTHON, "-c", FACTORY_LOADER], demo_env).strip().splitlines()[-1]
        source = "tests/reports/factories.py"
    print(f"report: {url} (loaded with {source})")
    return env, url


HEADERS: list[str] = []  # extra request headers (--gzip adds Accept-Encoding)


def _request(path: str) -> bytes:
    extra = "".join(f"{h}\r\n" for h in HEADERS)
    return f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{extra}Connection: close\r\n\r\n".encode()


async def _one(port: int, request: bytes) -> tuple[float, int, int]:
    start = time.perf_counter()
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(request)
    data = await reader.read()  # the sync worker closes the connection after the response
    writer.close()
    elapsed = time.perf_counter() - start
    status = int(data[9:12]) if data[:5] == b"HTTP/" else 0
    return elapsed, status, len(data)


async def _load(port: int, path: str, *, seconds: float, connections: int) -> dict:
    request = _request(path)
    latencies: list[float] = []
    errors = 0
    size = 0
    deadline = time.perf_counter() + seconds

    async def client():
        nonlocal errors, size
        while time.perf_counter() < deadline:
            try:
                elapsed, status, length = await _one(port, request)
            except OSError:
                errors += 1
                continue
            if status != 200:
                errors += 1
                continue
            latencies.append(elapsed)
            size = length

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(connections)))
    wall = time.perf_counter() - started
    latencies.sort()
    return {
        "requests": len(latencies),
        "errors": errors,
        "rps": len(latencies) / wall,
        "p50": statistics.median(latencies) * 1000 if latencies else float("nan"),
        "p99": latencies[int(len(latencies) * 0.99) - 1] * 1000 if latencies else float("nan"),
        "bytes": size,
    }


def _wrk_ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def _load_wrk(port: int, path: str, *, seconds: float, connections: int) -> dict:
    out = subprocess.run(
        [
            "wrk",
            "-t",
            "2",
            "-c",
            str(connections),
            "-d",
            f"{seconds:g}s",
            "--latency",
            *[arg for header in HEADERS for arg in ("-H", header)],
            f"http://127.0.0.1:{port}{path}",
        ],
        capture_output=True,
        text=True,
        timeout=seconds + 60,
        check=True,
    ).stdout
    percentiles = dict(re.findall(r"^\s+(50|99)(?:\.0+)?%\s+(\S+)\s*$", out, re.M))
    if set(percentiles) != {"50", "99"}:
        raise SystemExit(f"could not read wrk's output:\n{out}")
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    return {
        "requests": requests,
        "errors": (int(bad.group(1)) if bad else 0) + (sum(map(int, errors.groups())) if errors else 0),
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50": _wrk_ms(percentiles["50"]),
        "p99": _wrk_ms(percentiles["99"]),
        "bytes": 0,
    }


def load(port: int, path: str, *, seconds: float, connections: int, client: str) -> dict:
    """Warm up for a second, then load `path` for `seconds` with `connections` connections."""
    if client == "wrk":
        _load_wrk(port, path, seconds=1, connections=connections)
        result = _load_wrk(port, path, seconds=seconds, connections=connections)
        # wrk does not report sizes: one request tells the page size.
        result["bytes"] = asyncio.run(_one(port, _request(path)))[2]
        return result
    asyncio.run(_load(port, path, seconds=min(1.0, seconds), connections=connections))
    return asyncio.run(_load(port, path, seconds=seconds, connections=connections))


def wait_for(port: int, proc: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit("gunicorn exited early")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit("gunicorn did not start")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="load time per URL (default 5)")
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (default 2)")
    parser.add_argument(
        "--worker-class", default="sync", help="gunicorn worker class: sync (default) or gthread (keep-alive)"
    )
    parser.add_argument("--rounds", type=int, default=2, help="interleaved rounds, best kept (default 2)")
    parser.add_argument(
        "--client",
        choices=["auto", "wrk", "python"],
        default="auto",
        help="load generator: wrk when installed (Debian package wrk), else a Python asyncio one",
    )
    parser.add_argument(
        "--gzip", action="store_true", help="send Accept-Encoding: gzip, as browsers do (default: not)"
    )
    options = parser.parse_args()
    if options.gzip:
        HEADERS.append("Accept-Encoding: gzip")
    client = options.client
    if client == "auto":
        client = "wrk" if shutil.which("wrk") else "python"

    tmp = Path(tempfile.mkdtemp(prefix="serve-speed-"))
    proc = None
    try:
        env, report_url = prepare(tmp)
        port = free_port()
        proc = subprocess.Popen(
            [
                PYTHON, "-m", "gunicorn", "portal.wsgi:application",
                "--bind", f"127.0.0.1:{port}",
                "--workers", str(options.workers),
                "--worker-class", options.worker_class,
                "--backlog", "2048",
                "--log-level", "warning",
            ],
            cwd=ROOT,
            env=env,
        )  # fmt: skip
        wait_for(port, proc)
        # Interleaved rounds, best of each: the machine may be shared, and a burst of other work
        # during one URL's turn would otherwise decide the ratio.
        rounds: dict[str, list[dict]] = {"minimal view": [], "report page": []}
        for _ in range(options.rounds):
            for name, path in (("minimal view", MINIMAL_PATH), ("report page", report_url)):
                rounds[name].append(
                    load(port, path, seconds=options.seconds, connections=options.connections, client=client)
                )
        results = {name: max(runs, key=lambda r: r["rps"]) for name, runs in rounds.items()}
        print(
            f"\ngunicorn: {options.workers} {options.worker_class} workers, "
            f"{options.connections} connections, "
            f"{options.seconds:g} s per URL, best of {options.rounds} rounds, DEBUG off, SQLite, "
            f"client: {client}{', Accept-Encoding: gzip' if options.gzip else ''}\n"
        )
        for name, runs in rounds.items():
            print(f"{name:14} req/s by round: " + ", ".join(f"{r['rps']:.0f}" for r in runs))
        print(
            f"\n{'':14} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'bytes':>8} {'requests':>9} {'errors':>7}"
        )
        for name, r in results.items():
            print(
                f"{name:14} {r['rps']:8.0f} {r['p50']:8.1f} {r['p99']:8.1f} {r['bytes']:8d} "
                f"{r['requests']:9d} {r['errors']:7d}"
            )
        ratio = results["report page"]["rps"] / results["minimal view"]["rps"]
        p99 = results["report page"]["p99"]
        print(f"\nreport page / minimal view throughput: {ratio:.2f} (target >= {TARGET_RATIO})")
        print(f"report page p99: {p99:.1f} ms (target < {TARGET_P99_MS:g} ms)")
        met = ratio >= TARGET_RATIO and p99 < TARGET_P99_MS
        print("targets met" if met else "targets NOT met")
        return 0
    finally:
        if proc and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
