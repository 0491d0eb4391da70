import pytest


@pytest.fixture(autouse=True)
def _fresh_reader_caches():
    """The reader site keeps pages and version states in memory; tests must not share them."""
    from reports import reader_access, views

    caches = (views.body_cache, views.page_cache, views.state_cache, reader_access.derived_cache)
    for cache in caches:
        cache.clear()
    yield
    for cache in caches:
        cache.clear()
