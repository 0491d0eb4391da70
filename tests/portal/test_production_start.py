"""The README's production start, run as written: a fresh copy of the repository, DEBUG=0,
the release step, the first superuser, then gunicorn, a Celery worker and beat as separate
processes on PostgreSQL and Redis. Then people use it over HTTP: the superuser sets up the
home force, an editor imports the catalogue and a year of figures and writes a report, a
reviewer approves it, the worker publishes it, and anyone reads the page and the PDF.

If the README's marked blocks change, this test runs the new ones.
"""

from __future__ import annotations

import base64
import io
import os
import re
import time

import pytest
import redis
from pypdf import PdfReader

from tests.conftest import ARTIFACTS, _need
from tests.portal.http_client import Client, Response
from tests.portal.production import (
    Processes,
    ScratchDatabase,
    free_port,
    fresh_copy,
    readme_blocks,
    run,
)

pytestmark = pytest.mark.services

PASSWORD = "an-operator-password-9371"
SLUG = "performance-2024-25"
REDIS_DB = 12
# April 2023 to March 2025: the report's year and the year it is compared with.
MONTHS = [f"{2023 + (3 + i) // 12}-{(3 + i) % 12 + 1:02d}" for i in range(24)]


@pytest.fixture
def production_env(tmp_path):
    server = os.environ.get("DATABASE_URL", "")
    redis_url = os.environ.get("REDIS_URL", "")
    if not server.startswith("postgres") or not redis_url:
        _need("the production start needs PostgreSQL (DATABASE_URL) and Redis (REDIS_URL)")
    if not (ARTIFACTS.parent / ".venv" / "bin" / "python").exists():
        _need("the project's .venv is not installed (make install)")
    database = ScratchDatabase(server, "prodstart").create()
    broker = redis_url.rsplit("/", 1)[0] + f"/{REDIS_DB}"
    redis.Redis.from_url(broker).flushdb()
    port = free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "CELERY_", "PYTEST", "REQUIRE_")) and key != "MEDIA_ROOT"
    }
    env.update(
        DEBUG="0",
        SECRET_KEY="prod-start-" + "k" * 60,
        ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=database.url,
        REDIS_URL=broker,
        MEDIA_ROOT=str(tmp_path / "media"),
        PORT=str(port),
        BEAT_SCHEDULE=str(tmp_path / "beat-schedule"),
        DJANGO_SUPERUSER_USERNAME="operator",
        DJANGO_SUPERUSER_EMAIL="operator@example.org",
        DJANGO_SUPERUSER_PASSWORD=PASSWORD,
    )
    logs = ARTIFACTS / "production-start"
    logs.mkdir(parents=True, exist_ok=True)
    copy = fresh_copy(tmp_path / "portal")
    processes = Processes(copy, env, logs)
    try:
        yield copy, env, processes, f"http://127.0.0.1:{port}"
    finally:
        processes.stop()
        redis.Redis.from_url(broker).flushdb()
        database.drop()


def wait_for(check, what: str, processes: Processes, timeout: float = 90):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        processes.check_alive()
        try:
            result = check()
        except OSError:
            result = None
        if result:
            return result
        time.sleep(0.5)
    raise AssertionError(f"{what} did not happen within {timeout}s")


def sign_in(base: str, username: str) -> Client:
    """Password, then (staff, with DEBUG=0) the authenticator app: enrol the first time,
    with a code computed from the key the page shows, as an app would."""
    client = Client(base)
    page = client.get("/admin/login/?next=/admin/")
    page = client.submit(page, having="username", set_fields={"username": username, "password": PASSWORD})
    if "/accounts/two-factor/enrol/" in page.url:
        key = re.search(r'<p class="otp-secret"><code>([A-Z2-7 ]+)</code>', page.text).group(1)
        codes = client.submit(page, having="code", set_fields={"code": totp_now(key)})
        assert "Your recovery codes" in codes.text, codes.text[:2000]
        page = client.get(re.search(r'<a class="button" href="([^"]+)">I have saved', codes.text).group(1))
    assert page.status == 200 and "Log out" in page.text, page.url + page.text[:2000]
    return client


def totp_now(grouped_key: str) -> str:
    from django_otp.oath import totp

    key = base64.b32decode("".join(grouped_key.split()))
    return f"{totp(key, step=30, digits=6):06d}"


def csv_file(rows) -> bytes:
    return "\r\n".join(",".join(str(cell) for cell in row) for row in rows).encode() + b"\r\n"


def import_file(client: Client, model: str, name: str, data: bytes) -> str:
    page = client.get(f"/admin/kpis/{model}/import/")
    preview = client.submit(page, action="import", files={"import_file": (name, data)})
    assert "Preview: nothing has been written yet" in preview.text, preview.text[:3000]
    done = client.submit(preview, having="confirm", set_fields={"confirm": "Confirm import"})
    assert done.status == 200, done.text[:2000]
    return done.text


def option_value(page: Response, name: str, label: str) -> str:
    match = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', page.text, re.S)
    options = re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', match.group(1))
    return next(value for value, text in options if label in text)


def write_report(editor: Client) -> int:
    page = editor.get("/admin/reports/report/add/")
    created = editor.submit(
        page,
        having="title",
        set_fields={
            "title": "Performance 2024/25",
            "slug": SLUG,
            "organisation": option_value(page, "organisation", "Northshire Police"),
            "period_kind": "year",
            "period_start": "2024-04-01",
            "period_end": "2025-03-31",
            "compare_start": "2023-04-01",
            "compare_end": "2024-03-31",
            "sections-TOTAL_FORMS": "1",
            "sections-0-position": "1",
            "sections-0-kind": "performance",
            "sections-0-heading": "Calls for service",
        },
    )
    assert created.status == 200 and "was added successfully" in created.text, created.text[:4000]
    report_pk = int(re.search(r"/admin/reports/report/(\d+)/change/", created.url + created.text).group(1))
    change = editor.get(f"/admin/reports/report/{report_pk}/change/")
    section = re.search(r"/admin/reports/section/(\d+)/change/", change.text).group(1)
    page = editor.get(f"/admin/reports/section/{section}/change/")
    rows, paragraphs = (
        re.search(rf'name="({kind}[\w-]*)-TOTAL_FORMS"', page.text).group(1) for kind in ("kpi", "paragraph")
    )
    saved = editor.submit(
        page,
        having="heading",
        set_fields={
            f"{rows}-TOTAL_FORMS": "1",
            f"{rows}-0-position": "1",
            f"{rows}-0-kpi": option_value_from_changelist(editor),
            f"{rows}-0-show_chart": "on",
            f"{paragraphs}-TOTAL_FORMS": "1",
            f"{paragraphs}-0-position": "1",
            f"{paragraphs}-0-text": "Calls for service rose over the year.",
            "_continue": "Save and continue editing",
        },
    )
    assert saved.status == 200 and "was changed successfully" in saved.text, saved.text[:4000]
    return report_pk


def option_value_from_changelist(client: Client) -> str:
    listing = client.get("/admin/kpis/kpi/?q=C1")
    return re.search(r"/admin/kpis/kpi/(\d+)/change/", listing.text).group(1)


def test_readme_production_start_publishes_a_report(production_env):
    copy, env, processes, base = production_env
    blocks = readme_blocks()
    assert {"release", "first-superuser", "processes"} <= blocks.keys(), blocks.keys()

    # The README's steps, as written.
    for name in ("release", "first-superuser"):
        for command in blocks[name]:
            run(command, cwd=copy, env=env)
    assert (copy / "staticfiles" / "staticfiles.json").exists(), "release did not collect static files"
    for number, command in enumerate(blocks["processes"]):
        processes.start(command, label=command.split()[0].rsplit("/", 1)[-1] + f"-{number}")
    anonymous = Client(base)
    health = wait_for(
        lambda: (r := anonymous.get("/healthz")).status == 200 and r, "/healthz answering 200", processes
    )
    assert health.json()["checks"] == {"database": "ok", "broker": "ok", "storage": "ok"}, health.text
    home = anonymous.get("/")
    assert home.status == 200, home.text[:2000]
    assert re.search(r'href="/static/[^"]+\.[0-9a-f]{12}\.css"', home.text), "hashed static files not served"

    # Accounts, as the README says: the command for staff, the admin for the home force.
    for username, role in (("ed", "Editors"), ("rev", "Reviewers")):
        run(
            f".venv/bin/python manage.py add_user {username} --role {role} --noinput",
            cwd=copy,
            env={**env, "PORTAL_USER_PASSWORD": PASSWORD},
        )
    operator = sign_in(base, "operator")
    page = operator.get("/admin/kpis/organisation/add/")
    added = operator.submit(
        page, having="name", set_fields={"name": "Northshire Police", "code": "northshire", "is_home": "on"}
    )
    assert "was added successfully" in added.text, added.text[:3000]

    # The editor imports the catalogue and two years of monthly figures, then writes the report.
    editor = sign_in(base, "ed")
    catalogue = csv_file(
        [
            ("code", "name", "category", "unit", "aggregation", "good_direction", "decimals", "description"),
            ("C1", "Calls for service", "Calls", "count", "sum", "neither", "0", "All calls for service"),
        ]
    )
    import_file(editor, "kpi", "catalogue.csv", catalogue)
    figures = csv_file([("kpi_code", *MONTHS), ("C1", *[1000 + 10 * i for i in range(len(MONTHS))])])
    assert "24 new" in import_file(editor, "observation", "figures.csv", figures)
    report_pk = write_report(editor)
    change = editor.get(f"/admin/reports/report/{report_pk}/change/")
    submitted = editor.submit(change, action="/submit/", set_fields={"comment": "Ready"})
    assert "is submitted for review" in submitted.text, submitted.text[:3000]

    # The reviewer approves; the worker renders and publishes.
    reviewer = sign_in(base, "rev")
    review = reviewer.get(f"/admin/reports/report/{report_pk}/review/")
    decided = reviewer.submit(
        review, having="decision", set_fields={"decision": "approve", "comment": "Checked against the data."}
    )
    assert "Approved. Version 1" in decided.text, decided.text[:3000]
    def published():
        response = anonymous.get(f"/reports/{SLUG}/", follow=False)
        return response.status == 200 and response

    page = wait_for(published, "publication", processes)
    assert "Performance 2024/25" in page.text and "Calls for service rose over the year." in page.text
    pdf = anonymous.get(f"/reports/{SLUG}/v1/report.pdf")
    assert pdf.status == 200 and pdf.body.startswith(b"%PDF")
    text = " ".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(pdf.body)).pages)
    assert "Performance 2024/25" in text and "Calls for service" in text
    assert anonymous.get("/healthz").status == 200

    # The logs an operator reads: requests with their user, status changes, the render.
    web, worker = processes.log("gunicorn-0"), processes.log("celery-1")
    request_line = r"portal\.requests .*POST /admin/reports/report/\d+/review/ 302 \d+ms user=rev"
    assert re.search(request_line, web), web
    assert re.search(rf"Report {SLUG}: in_review -> approved \(approve\) by rev", web), web
    assert f"Render of report {SLUG} v1 approved by rev started" in worker, worker
    assert re.search(rf"Render of report {SLUG} v1 approved by rev done in [\d.]+s: published", worker)
