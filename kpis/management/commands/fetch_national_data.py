"""python manage.py fetch_national_data URL [--allow-http] [--dry-run] [--user USERNAME]

Downloads a national file (a Home Office recorded crime table, a police.uk csv or monthly
zip) within the limits in settings (NATIONAL_DATA_MAX_BYTES, NATIONAL_DATA_TIMEOUT_SECONDS)
and imports it as the admin's import does (kpis.national.fetch). Prints the outcome; exits
non-zero with the reason when the download is refused or the import finds problems.
"""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from kpis.national.fetch import FetchRefused, fetch_and_import

NO_SUCH_USER = "There is no user '{username}'."
NOT_FETCHED = "Nothing was imported: {reason}"
REFUSED = "Nothing was written: {count} problem(s) in {file_name}."


class Command(BaseCommand):
    help = "Download a national data file (https) and import it."

    def add_arguments(self, parser):
        parser.add_argument("url", help="the file's https:// address")
        parser.add_argument("--allow-http", action="store_true", help="also fetch plain http:// addresses")
        parser.add_argument("--dry-run", action="store_true", help="check and count, write nothing")
        parser.add_argument("--user", default="", help="username recorded as the importer")

    def handle(self, *args, **options):
        user = None
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(NO_SUCH_USER.format(username=options["user"]))
        try:
            fetched = fetch_and_import(
                options["url"], allow_http=options["allow_http"], dry_run=options["dry_run"], user=user
            )
        except FetchRefused as exc:
            raise CommandError(NOT_FETCHED.format(reason=exc)) from exc
        outcome = fetched.outcome
        got = fetched.download
        self.stdout.write(f"Downloaded {got.file_name} ({len(got.content):,} bytes).")
        for problem in outcome.problems:
            self.stderr.write(str(problem))
        for note in getattr(outcome, "notes", ()):  # notes: what was deliberately left out
            self.stdout.write(f"Note: {note}")
        self.stdout.write(outcome.summary())
        if not outcome.ok:
            raise CommandError(REFUSED.format(count=outcome.errors, file_name=outcome.file_name))
        if outcome.written:
            self.stdout.write(self.style.SUCCESS(f"Written as import #{outcome.batch.pk}."))
        else:
            self.stdout.write("Dry run: nothing was written.")
