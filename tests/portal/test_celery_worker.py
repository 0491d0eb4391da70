"""A task goes through a real Celery worker process on Redis and its result comes back."""

from portal.celery import app, ping


def test_task_round_trip_through_real_worker(celery_worker):
    celery_worker.start()
    result = ping.delay("hello from the test")
    assert result.get(timeout=30) == "hello from the test"
    assert not app.conf.task_always_eager
    celery_worker.stop()
    assert celery_worker.proc.returncode is not None
