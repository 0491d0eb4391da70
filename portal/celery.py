"""The Celery application, configured from Django settings (the CELERY_ namespace).

Run a worker with `celery -A portal worker`; with REDIS_URL unset the settings make
every task run in-process instead.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="portal.ping")
def ping(value: str = "pong") -> str:
    """Round trip through the broker, used by the health check tests and operators."""
    return value
