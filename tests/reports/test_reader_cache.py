"""What the reader site remembers lives in Django's cache (reports.reader_cache): shared by
every web server through Redis, keyed so that a new version, a re-rendered body or a
withdrawal is never answered with an old page."""

import hashlib
import time
import uuid

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from reports import reader_cache, views
from reports.models import Publication
from tests.reports.factories import make_live_publication, reference_snapshot

pytestmark = pytest.mark.django_db
SLUG = "force-performance-2018-19"
URL = f"/reports/{SLUG}/"


def _second_version(publication, words: str):
    snap = reference_snapshot(version=2)
    snap["sections"][3]["paragraphs"][0]["html"] = f"<p>{words}</p>"
    return make_live_publication(report=publication.report, snapshot=snap, version=2)


def _count_renders(monkeypatch) -> list:
    rendered = []
    render = views._render_report_page
    monkeypatch.setattr(views, "_render_report_page", lambda *a: rendered.append(a[1:]) or render(*a))
    return rendered


@pytest.fixture
def shared_redis(redis_url, settings):
    """The reader cache in Redis under a prefix of this test's own, removed afterwards;
    yields a function listing the keys stored under it that match a pattern."""
    import redis

    prefix = f"test-reader-{uuid.uuid4().hex}"
    settings.CACHES = {
        **settings.CACHES,
        "reader": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_url,
            "KEY_PREFIX": prefix,
        },
    }
    client = redis.Redis.from_url(redis_url)

    class Stored:
        def keys(self, pattern: str) -> list:
            return list(client.scan_iter(match=f"{prefix}:*{pattern}"))

        def delete(self, pattern: str) -> None:
            for key in self.keys(pattern):
                client.delete(key)

    yield Stored()
    for key in client.scan_iter(match=f"{prefix}:*"):
        client.delete(key)


def _another_web_server(settings):
    """What a second process starts with: new cache connections and nothing in memory, so
    all it can share with the first is what the cache backend holds."""
    settings.CACHES = dict(settings.CACHES)


def test_two_web_servers_share_the_page_and_drop_it_after_a_withdrawal_or_a_new_version(
    shared_redis, settings, client, monkeypatch
):
    monkeypatch.setattr(reader_cache, "STATE_TTL", 0.2)
    publication = make_live_publication()
    first = client.get(URL, HTTP_ACCEPT_ENCODING="gzip")
    assert first.status_code == 200 and "Content-Encoding" not in first
    assert shared_redis.keys(":page:*") and shared_redis.keys(":body:*")

    _another_web_server(settings)
    rendered = _count_renders(monkeypatch)
    opened = []
    monkeypatch.setattr(default_storage, "open", lambda *a, **k: opened.append(a) or pytest.fail("read"))
    again = client.get(URL, HTTP_ACCEPT_ENCODING="gzip")
    assert again["Content-Encoding"] == "gzip"  # the remembered copy, compressed once by the first
    assert client.get(URL).content == first.content
    assert rendered == [] and opened == []
    shared_redis.delete(":page:*")  # then it was Redis that answered
    assert client.get(URL).content == first.content
    assert len(rendered) == 1 and opened == []  # the body is still there

    Publication.objects.filter(pk=publication.pk).update(
        withdrawn_at=publication.published_at, withdrawn_reason="Wrong figures."
    )
    time.sleep(0.25)  # STATE_TTL
    _another_web_server(settings)
    assert "withdrawn-notice" in client.get(URL).content.decode()
    assert len(rendered) == 2

    Publication.objects.filter(pk=publication.pk).update(withdrawn_at=None, withdrawn_reason="")
    monkeypatch.undo()  # storage and rendering as usual again
    monkeypatch.setattr(reader_cache, "STATE_TTL", 0.2)
    _second_version(publication, "Second version CORRECTED-2")
    time.sleep(0.25)
    _another_web_server(settings)
    page = client.get(URL).content.decode()
    assert "CORRECTED-2" in page and page != first.content.decode()


def test_a_new_version_is_served_once_the_state_is_read_again(client):
    publication = make_live_publication()
    assert "NEW-VERSION-9" not in client.get(URL).content.decode()
    _second_version(publication, "NEW-VERSION-9")
    reader_cache.forget_version_states(SLUG)
    assert "NEW-VERSION-9" in client.get(URL).content.decode()
    assert "NEW-VERSION-9" not in client.get(f"{URL}v1/").content.decode()


def test_a_body_rendered_again_is_never_answered_with_the_page_of_the_old_one(client):
    publication = make_live_publication()
    assert "RE-RENDERED-3" not in client.get(URL).content.decode()
    body = b'<article class="report"><h1>RE-RENDERED-3</h1></article>'
    name = default_storage.save(f"test/{publication.pk}-again.html", ContentFile(body))
    Publication.objects.filter(pk=publication.pk).update(
        html_file=name, html_sha256=hashlib.sha256(body).hexdigest()
    )
    reader_cache.forget_version_states(SLUG)
    assert "RE-RENDERED-3" in client.get(URL).content.decode()


def test_figures_and_charts_are_remembered_per_version(client):
    publication = make_live_publication()
    snap = reference_snapshot(version=2)
    snap["figures"][0]["value"] = "424242"
    make_live_publication(report=publication.report, snapshot=snap, version=2)
    first = client.get(f"{URL}v1/data.csv").content.decode()
    second = client.get(f"{URL}v2/data.csv").content.decode()
    assert "424242" in second and "424242" not in first


def test_a_new_release_of_the_code_never_serves_the_pages_of_the_last(client, monkeypatch):
    make_live_publication()
    client.get(URL)
    rendered = _count_renders(monkeypatch)
    client.get(URL)
    assert rendered == []  # the same release: remembered
    monkeypatch.setattr(reader_cache, "code_release", lambda: "the-next-release")
    client.get(URL)
    assert len(rendered) == 1


def test_the_code_release_is_a_digest_of_the_code_and_templates(settings, tmp_path):
    release = reader_cache.code_release()
    assert len(release) == 16 and release == reader_cache.code_release()
    reader_cache.code_release.cache_clear()
    for folder in reader_cache.CODE_FOLDERS:
        (tmp_path / folder).mkdir()
    (tmp_path / "templates" / "page.html").write_text("<p>one</p>")
    settings.BASE_DIR = tmp_path
    try:
        first = reader_cache.code_release()
        reader_cache.code_release.cache_clear()
        (tmp_path / "templates" / "page.html").write_text("<p>two</p>")
        assert reader_cache.code_release() != first
    finally:
        reader_cache.code_release.cache_clear()
