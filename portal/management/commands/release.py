"""The release step of a production start: check the settings, migrate, collect static files.

Run once per deployment, from one machine, before (re)starting the web, worker and beat
processes. Each step is Django's own command; this one only runs them in order and stops
at the first that fails, so a half-configured production never starts serving.
"""

from django.core.management import call_command
from django.core.management.base import BaseCommand

STEPS = (
    ("Checking the deployment settings", "check", {"deploy": True, "fail_level": "WARNING"}),
    ("Applying database migrations", "migrate", {"interactive": False}),
    ("Collecting static files", "collectstatic", {"interactive": False, "verbosity": 0}),
)


class Command(BaseCommand):
    help = "Release step: check --deploy, migrate and collectstatic, stopping at the first failure."

    def handle(self, *args, **options):
        for number, (title, command, kwargs) in enumerate(STEPS, start=1):
            self.stdout.write(f"{number}/{len(STEPS)} {title} ({command})")
            call_command(command, stdout=self.stdout, stderr=self.stderr, **kwargs)
        self.stdout.write(self.style.SUCCESS("Release step done: start or restart web, worker and beat."))
