"""python manage.py load_national_mappings [--attach MEASURE=KPI_CODE ...]

Gives the KPIs that are national measures (all crime, violence with injury, burglary, …:
kpis.national.measures) the Home Office and police.uk rows they count. A KPI is matched by
name or alias, or named with --attach; no KPI is ever created. Mappings edited in the admin
are kept. Lists the measures no KPI is for yet.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from kpis.models import Kpi, NationalMapping
from kpis.national.mapping_loading import load_default_mappings

BAD_ATTACH = "--attach takes MEASURE=KPI_CODE, e.g. violence-with-injury=3.2; got '{text}'."


class Command(BaseCommand):
    help = "Attach the default national mappings to the KPIs that are national measures."

    def add_arguments(self, parser):
        parser.add_argument(
            "--attach",
            action="append",
            default=[],
            metavar="MEASURE=KPI_CODE",
            help="attach a measure to the KPI with this code (repeatable)",
        )

    def handle(self, *args, **options):
        attach = {}
        for text in options["attach"]:
            key, sep, code = text.partition("=")
            if not sep or not key.strip() or not code.strip():
                raise CommandError(BAD_ATTACH.format(text=text))
            attach[key.strip()] = code.strip()
        try:
            with transaction.atomic():
                report = load_default_mappings(Kpi, NationalMapping, attach)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        for line in report.lines():
            self.stdout.write(line)
