"""python manage.py fetch_national_data URL [--allow-http] [--dry-run] [--user USERNAME]

Downloads a national file (a Home Office recorded crime table, a police.uk csv or monthly
zip) within the limits in settings (NATIONAL_DATA_MAX_BYTES, NATIONAL_DATA_TIMEOUT_SECONDS)
and imports it as the admin's import does (kpis.national.fetch). Prints the outcome; exits
non-zero with the reason when the download is refused or the import finds problems.
"""

from django.core.management.base import BaseCommand, CommandError

from kpis.national.fetch import FetchRefused, fetch_and_import

from .import_observations import report_outcome, user_named

NOT_FETCHED = "Nothing was imported: {reason}"


class Command(BaseCommand):
    help = "Download a national data file (https) and import it."

    def add_arguments(self, parser):
        parser.add_argument("url", help="the file's https:// address")
        parser.add_argument("--allow-http", action="store_true", help="also fetch plain http:// addresses")
        parser.add_argument("--dry-run", action="store_true", help="check and count, write nothing")
        parser.add_argument("--user", default="", help="username recorded as the importer")

    def handle(self, *args, **options):
        user = user_named(options["user"])
        try:
            fetched = fetch_and_import(
                options["url"], allow_http=options["allow_http"], dry_run=options["dry_run"], user=user
            )
        except FetchRefused as exc:
            raise CommandError(NOT_FETCHED.format(reason=exc)) from exc
        outcome = fetched.outcome
        got = fetched.download
        self.stdout.write(f"Downloaded {got.file_name} ({len(got.content):,} bytes).")
        report_outcome(self, outcome)
