"""Settings come from the environment and refuse unsafe production configurations."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "x7#k2!production-like-secret-key-that-is-long-and-random-9f8e7d6c5b4a",
    "ALLOWED_HOSTS": "performance.example.org",
    "DATABASE_URL": "sqlite:///:memory:",
}


def _manage(*args, env_extra):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DEBUG", "SECRET_KEY", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE")
    }
    env.update(env_extra)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_settings_refuse_development_secret_key_with_debug_off():
    result = _manage("check", env_extra={"DEBUG": "0", "ALLOWED_HOSTS": "example.org"})
    assert result.returncode != 0
    assert "SECRET_KEY is the development key and DEBUG is off" in result.stderr


def test_check_deploy_passes_with_production_like_variables():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env_extra=PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_csp_has_no_unsafe_inline(client, db):
    response = client.get("/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy


def test_database_url_defaults_to_sqlite_in_project():
    code = "from django.conf import settings; print(settings.DATABASES['default']['NAME'])"
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.stdout.strip().splitlines()[-1] == str(ROOT / "db.sqlite3"), result.stderr


def test_without_redis_url_tasks_run_in_process():
    code = "from portal.celery import app, ping; print(app.conf.task_always_eager, ping.delay('hi').get())"
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.stdout.strip().splitlines()[-1] == "True hi", result.stderr
