"""/healthz reports the database, the broker and storage, and fails when one is down."""

import pytest


@pytest.mark.django_db
def test_healthz_ok_when_everything_is_up(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "broker", "storage"}
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["storage"] == "ok"


@pytest.mark.django_db
def test_healthz_checks_real_redis_when_configured(client, settings, redis_url):
    settings.REDIS_URL = redis_url
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["checks"]["broker"] == "ok"


@pytest.mark.django_db
def test_healthz_503_when_broker_unreachable(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:9/0"  # nothing listens on the discard port
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["checks"]["broker"].startswith("error: ConnectionError")
    assert body["checks"]["database"] == "ok"


@pytest.mark.django_db
def test_healthz_503_when_storage_unwritable(client, settings, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    settings.MEDIA_ROOT = blocker / "media"
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["storage"].startswith("error:")
