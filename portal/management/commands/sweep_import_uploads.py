"""Delete previewed spreadsheet uploads that were never confirmed (for cron)."""

from django.core.management.base import BaseCommand

from portal.spreadsheet_safety import PENDING_DIR, sweep_pending_uploads


class Command(BaseCommand):
    help = (
        f"Delete uploads waiting in {PENDING_DIR} whose preview can no longer be confirmed. "
        "Run it from cron, or let Celery beat run the same sweep."
    )

    def handle(self, *args, **options):
        removed = sweep_pending_uploads()
        self.stdout.write(f"Deleted {len(removed)} abandoned import upload(s).")
