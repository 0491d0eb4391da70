"""Enqueue renders missed while the task queue was down; publish versions now due (for cron)."""

from django.core.management.base import BaseCommand, CommandError

from reports.tasks import sweep_now

QUEUE_UNREACHABLE = (
    "The task queue cannot be reached; versions still waiting to render will be enqueued by the "
    "next sweep once it is back."
)


class Command(BaseCommand):
    help = (
        "Enqueue every approved version that has not been rendered (queued or rendering for more "
        "than a few minutes, or failed with attempts left) and publish rendered versions whose "
        "publication time has passed. Run it from cron, or let Celery beat run the same sweep."
    )

    def handle(self, *args, **options):
        result = sweep_now()
        self.stdout.write(
            f"Enqueued {len(result['enqueued'])} render(s); published {len(result['published'])} version(s)."
        )
        if result["queue_unreachable"]:
            # Non-zero exit, so cron reports it.
            raise CommandError(QUEUE_UNREACHABLE)
