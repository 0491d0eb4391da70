"""python manage.py load_forces

Loads the 43 territorial forces of England and Wales and British Transport Police
(kpis/data/forces.csv) as organisations, with a peer group per region and one of all 43
territorial forces. Run it as often as wanted: see kpis.national.force_loading for what it
updates and what it never touches (the home force is chosen in the admin, never here).
"""

from django.core.management.base import BaseCommand
from django.db import transaction

from kpis.models import Organisation, PeerGroup
from kpis.national.force_loading import load_forces


class Command(BaseCommand):
    help = "Load the forces of England and Wales and their region and national peer groups."

    def handle(self, *args, **options):
        with transaction.atomic():
            report = load_forces(Organisation, PeerGroup)
        for line in report.lines():
            self.stdout.write(line)
