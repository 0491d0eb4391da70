"""Shared fixtures: users in each role, services (PostgreSQL, Redis, a real Celery worker)
and a browser (Playwright driving the machine's Chromium).

Tests that need a service skip on a laptop without it, but fail when REQUIRE_SERVICES=1
(as CI sets), so a missing service can never turn CI green by skipping.
"""

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.cache import caches

from kpis.models import Organisation, PeerGroup
from portal import roles

# Playwright's sync API runs an event loop in the test thread; Django's ORM calls made
# from that same thread are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"
PASSWORD = "correct-horse-battery-staple-42"


def _need(reason: str):
    if REQUIRE_SERVICES:
        pytest.fail(f"required service unavailable: {reason}")
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def _media_root(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    # Tests run tasks in-process unless they ask for a real worker.
    from portal.celery import app

    app.conf.task_always_eager = True
    yield


@pytest.fixture(autouse=True)
def _own_cache(settings):
    """Empty in-memory caches for each test: counters (password reset limits) and what the
    reader site remembers (reports.reader_cache) never carry over, and a Redis set in
    REDIS_URL is never written to or cleared by tests (those that want it say so)."""
    settings.CACHES = {
        alias: {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"tests-{alias}",
            "OPTIONS": options,
        }
        for alias, options in (
            ("default", {}),
            ("reader", {"MAX_ENTRIES": settings.READER_CACHE_MAX_ENTRIES}),
        )
    }
    own = [caches[alias] for alias in settings.CACHES]
    for cache in own:
        cache.clear()
    yield
    for cache in own:  # these, not whatever a test set since (a Redis cache's clear() empties its database)
        cache.clear()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Tests start with no organisations and no peer groups, as before the forces of England
    and Wales shipped as data (a data migration loads them). A test that wants them calls
    kpis.national.force_loading.load_forces (tests/kpis/test_national_forces.py). Tests that
    flush the database (transactional_db) would lose migration data anyway."""
    with django_db_blocker.unblock():
        PeerGroup.objects.all().delete()
        Organisation.objects.all().delete()


# --------------------------------------------------------------------------- users
@pytest.fixture
def make_user(db):
    from portal.models import User

    def make(username: str, role: str | None = None, **extra) -> User:
        is_staff = role in (roles.EDITORS, roles.REVIEWERS)
        user = User.objects.create_user(
            username=username,
            password=PASSWORD,
            email=f"{username}@example.org",
            is_staff=extra.pop("is_staff", is_staff),
            **extra,
        )
        if role:
            user.groups.add(Group.objects.get(name=role))
        return user

    return make


@pytest.fixture
def editor(make_user):
    return make_user("edith", roles.EDITORS, first_name="Edith", last_name="Editor")


@pytest.fixture
def editor2(make_user):
    return make_user("eric", roles.EDITORS, first_name="Eric", last_name="Editor")


@pytest.fixture
def reviewer(make_user):
    return make_user("rita", roles.REVIEWERS, first_name="Rita", last_name="Reviewer")


@pytest.fixture
def panel_member(make_user):
    return make_user("pam", roles.PANEL_MEMBERS, first_name="Pam", last_name="Member")


@pytest.fixture
def superuser(make_user):
    return make_user("sue", None, is_superuser=True, is_staff=True)


# --------------------------------------------------------------------------- services
def _using_postgres() -> bool:
    return settings.DATABASES["default"]["ENGINE"].endswith("postgresql")


@pytest.fixture
def postgres():
    if not _using_postgres():
        _need("DATABASE_URL does not point at PostgreSQL")


@pytest.fixture
def redis_url():
    url = os.environ.get("REDIS_URL", "")
    if not url:
        _need("REDIS_URL is not set")
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError as exc:
        _need(f"Redis at {url} is not answering: {exc}")
    return url


@pytest.fixture
def celery_worker(postgres, redis_url, transactional_db):
    """A real `celery -A portal worker` process on Redis, sharing the test database.

    Yields a controller with .start(), .stop() and .kill() so tests can crash it.
    """
    from django.db import connection

    from portal.celery import app

    app.conf.task_always_eager = False
    # A queue of its own so leftovers from other runs cannot interfere.
    queue = f"test-{os.getpid()}-{time.monotonic_ns()}"
    app.conf.task_default_queue = queue
    env = dict(os.environ)
    db = connection.settings_dict
    env["DATABASE_URL"] = (
        f"postgres://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    )
    env["MEDIA_ROOT"] = str(settings.MEDIA_ROOT)
    env["CELERY_TEST_QUEUE"] = queue

    class Worker:
        proc = None
        log_path = ARTIFACTS / f"worker-{queue}.log"

        def start(self, extra_env=None):
            ARTIFACTS.mkdir(exist_ok=True)
            self.log = open(self.log_path, "ab")
            self.proc = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "portal",
                    "worker",
                    "-Q",
                    queue,
                    "--concurrency",
                    "1",
                    "--pool",
                    "prefork",
                    "--loglevel",
                    "INFO",
                    "--without-gossip",
                    "--without-mingle",
                    "--without-heartbeat",
                ],
                cwd=ROOT,
                env={**env, **(extra_env or {})},
                stdout=self.log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                if app.control.ping(timeout=0.5, destination=None):
                    return self
                if self.proc.poll() is not None:
                    raise RuntimeError(f"worker exited: see {self.log_path}")
            raise RuntimeError(f"worker did not start in 30s: see {self.log_path}")

        def kill(self):
            if self.proc and self.proc.poll() is None:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)

        def stop(self):
            if self.proc and self.proc.poll() is None:
                os.killpg(self.proc.pid, signal.SIGTERM)
                try:
                    self.proc.wait(20)
                except subprocess.TimeoutExpired:
                    self.kill()

    worker = Worker()
    try:
        yield worker
    finally:
        worker.stop()
        app.conf.task_always_eager = True
        app.conf.task_default_queue = "celery"


# --------------------------------------------------------------------------- browser
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        _need(f"no Chromium at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    pg = context.new_page()
    csp_errors = []
    pg.on("console", lambda m: csp_errors.append(m.text) if "Content Security Policy" in m.text else None)
    pg.csp_errors = csp_errors
    yield pg
    context.close()


def run_axe(page) -> list[dict]:
    """Run axe-core at the WCAG 2.2 A/AA tags; return the violations."""
    page.evaluate(AXE_JS.read_text())
    return page.evaluate(
        """async () => (await axe.run(document, {runOnly: {type: 'tag',
            values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']}})).violations
            .map(v => ({id: v.id, impact: v.impact, help: v.help,
                        nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)}))"""
    )


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def login(page, live_server, username: str, password: str = PASSWORD, next_url: str = "/"):
    page.goto(f"{live_server.url}/accounts/login/?next={next_url}")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
