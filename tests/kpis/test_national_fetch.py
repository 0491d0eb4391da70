"""fetch_national_data: downloading a national file within limits and importing it, against
a local HTTP server the tests start."""

import os
import subprocess
import sys
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from kpis.models import Observation
from kpis.national.fetch import FetchRefused, RefuseInsecureRedirects, check_spreadsheet, download
from kpis.tasks import fetch_national_data, fetch_national_data_all
from tests.kpis.files import csv_bytes, xlsx_bytes

ROOT = Path(__file__).resolve().parents[2]
LIMIT = 10_000
LONG_CSV = csv_bytes([["kpi_code", "month", "value"], ["3.1", "2019-04", "100"], ["3.1", "2019-05", "120"]])


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):  # quiet
        pass

    def send(self, body: bytes, content_type="text/csv", length=True, extra=()):
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        if length:
            self.send_header("Content-Length", str(len(body)))
        for name, value in extra:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):  # http.server's name for it
        path = self.path
        if path == "/prc/long.csv":
            self.send(LONG_CSV)
        elif path == "/download?id=7":
            self.send(LONG_CSV, extra=[("Content-Disposition", 'attachment; filename="figures.csv"')])
        elif path == "/workbook.xlsx":
            self.send(xlsx_bytes([["kpi_code", "month", "value"], ["3.1", "2019-04", 5]]),
                      "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        elif path == "/big.csv":
            self.send_response(200)
            self.send_header("Content-Length", str(LIMIT + 1))
            self.end_headers()
        elif path == "/endless.csv":  # no Content-Length: the body just keeps coming
            self.send_response(200)
            self.end_headers()
            for _ in range(100):
                self.wfile.write(b"1,2,3\n" * 1000)
        elif path == "/silent.csv":
            time.sleep(2)
            self.send(LONG_CSV)
        elif path == "/trickle.csv":
            self.send_response(200)
            self.end_headers()
            for _ in range(20):
                self.wfile.write(b"a,b\n")
                self.wfile.flush()
                time.sleep(0.1)
        elif path == "/page.csv":
            self.send(b"<!DOCTYPE html><html><body>Not found</body></html>", "text/html")
        elif path == "/page":
            self.send(b"<html></html>", "text/html")
        elif path == "/fake.xlsx":
            self.send(b"kpi_code,month,value\n")
        elif path == "/to-ftp":
            self.send_response(302)
            self.send_header("Location", "ftp://example.org/file.csv")
            self.end_headers()
        elif path == "/to-long":
            self.send_response(302)
            self.send_header("Location", "/prc/long.csv")
            self.end_headers()
        else:
            self.send_error(404, "Not Found")


@pytest.fixture
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def limits(settings):
    settings.NATIONAL_DATA_MAX_BYTES = LIMIT
    settings.NATIONAL_DATA_TIMEOUT_SECONDS = 1
    return settings


def get(url, **kwargs):
    return download(url, **{"max_bytes": LIMIT, "timeout": 1, "allow_http": True, **kwargs})


# --------------------------------------------------------------------------- download
def test_a_csv_is_downloaded_with_its_name(server):
    got = get(f"{server}/prc/long.csv")
    assert (got.file_name, got.content) == ("long.csv", LONG_CSV)
    assert get(f"{server}/download?id=7").file_name == "figures.csv"  # Content-Disposition wins
    assert get(f"{server}/to-long").file_name == "long.csv"  # an http redirect, allowed with the flag


def test_http_is_refused_without_the_flag(server):
    with pytest.raises(FetchRefused, match="Only https:// addresses are fetched"):
        get(f"{server}/prc/long.csv", allow_http=False)
    with pytest.raises(FetchRefused, match="is not a web address"):
        get("file:///etc/passwd")


def test_a_redirect_away_from_http_and_https_is_refused(server):
    with pytest.raises(FetchRefused, match="redirected to ftp://example.org/file.csv, which is not https"):
        get(f"{server}/to-ftp")


def test_an_https_download_never_follows_a_redirect_to_http():
    request = urllib.request.Request("https://data.example.org/prc.ods")
    follow = RefuseInsecureRedirects(allow_http=False)
    with pytest.raises(FetchRefused, match="to http://mirror.example.org/prc.ods, which is not https"):
        follow.redirect_request(request, None, 302, "Found", {}, "http://mirror.example.org/prc.ods")
    onward = follow.redirect_request(request, None, 302, "Found", {}, "https://mirror.example.org/prc.ods")
    assert onward.full_url == "https://mirror.example.org/prc.ods"
    allowed = RefuseInsecureRedirects(allow_http=True)
    assert allowed.redirect_request(request, None, 302, "Found", {}, "http://m.example.org/a.csv") is not None


def test_too_large_by_content_length(server):
    with pytest.raises(FetchRefused, match=r"The file is 10,001 bytes; the limit is 10,000 bytes"):
        get(f"{server}/big.csv")


def test_too_large_while_streaming_without_content_length(server):
    with pytest.raises(FetchRefused, match="larger than the limit of 10,000 bytes"):
        get(f"{server}/endless.csv")


def test_timeout_waiting_for_the_server(server):
    started = time.monotonic()
    with pytest.raises(FetchRefused, match="took longer than 0.5 seconds"):
        get(f"{server}/silent.csv", timeout=0.5)
    assert time.monotonic() - started < 1.9


def test_timeout_for_the_whole_download(server):
    with pytest.raises(FetchRefused, match="took longer than 0.5 seconds"):
        get(f"{server}/trickle.csv", timeout=0.5)  # each wait is short; the whole is too long


@pytest.mark.parametrize(
    "path, message",
    [
        ("/page.csv", "The content of 'page.csv' is not csv text: refused (it is a web page)."),
        ("/page", "'page' is not a spreadsheet, csv or zip file"),
        ("/fake.xlsx", "The content of 'fake.xlsx' is not a .xlsx file: refused (no zip signature)."),
        ("/missing.csv", "The server answered 404 Not Found"),
    ],
)
def test_what_is_not_a_spreadsheet_is_refused(server, path, message):
    with pytest.raises(FetchRefused) as refused:
        get(f"{server}{path}")
    assert str(refused.value).startswith(message)


def test_binary_text_is_not_csv():
    with pytest.raises(FetchRefused, match="binary data"):
        check_spreadsheet("x.csv", b"a,b\x00\x01")
    check_spreadsheet("x.zip", b"PK\x03\x04rest")


# --------------------------------------------------------------------------- command and task
def test_command_imports_the_file(server, limits, kpis, capsys):
    call_command("fetch_national_data", f"{server}/prc/long.csv", "--allow-http")
    out = capsys.readouterr().out
    assert "Downloaded long.csv" in out and "long.csv (long layout): 2 new" in out
    assert "Written as import" in out
    assert Observation.objects.filter(kpi=kpis["3.1"]).count() == 2
    call_command("fetch_national_data", f"{server}/workbook.xlsx", "--allow-http", "--dry-run")
    assert "Dry run: nothing was written." in capsys.readouterr().out


def test_command_fails_with_a_clear_message(server, limits, kpis):
    with pytest.raises(CommandError, match="Nothing was imported: Only https:// addresses are fetched"):
        call_command("fetch_national_data", f"{server}/prc/long.csv")
    with pytest.raises(CommandError, match="Nothing was imported: The file is 10,001 bytes"):
        call_command("fetch_national_data", f"{server}/big.csv", "--allow-http")
    kpis["3.1"].delete()  # downloaded, but the import finds problems: no KPI 3.1
    with pytest.raises(CommandError, match=r"Nothing was written: 2 problem\(s\) in figures.csv"):
        call_command("fetch_national_data", f"{server}/download?id=7", "--allow-http")


def test_celery_task_reports_instead_of_raising(server, limits, kpis):
    refused = fetch_national_data.delay(f"{server}/prc/long.csv").get()
    assert refused["ok"] is False and "Only https://" in refused["summary"]
    limits.NATIONAL_DATA_URLS = []
    assert fetch_national_data_all.delay().get() == []


def beat_schedule(**env_extra) -> subprocess.CompletedProcess:
    code = (
        "from django.conf import settings; s = settings.CELERY_BEAT_SCHEDULE.get('fetch-national-data'); "
        "print(s and (s['task'], str(s['schedule'])))"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("NATIONAL_DATA_")}
    env.update(env_extra)
    return subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )


def test_beat_fetches_only_when_addresses_are_set():
    assert beat_schedule().stdout.strip().splitlines()[-1] == "None"
    scheduled = beat_schedule(NATIONAL_DATA_URLS="https://example.org/a.ods https://example.org/b.zip",
                              NATIONAL_DATA_SCHEDULE="0 6 * * 1")
    last = scheduled.stdout.strip().splitlines()[-1]
    assert last.startswith("('kpis.tasks.fetch_national_data_all', '<crontab: 0 6 * * 1"), scheduled.stderr
    wrong = beat_schedule(NATIONAL_DATA_URLS="https://example.org/a.ods", NATIONAL_DATA_SCHEDULE="monthly")
    assert wrong.returncode != 0 and "NATIONAL_DATA_SCHEDULE is a crontab line of five fields" in wrong.stderr
