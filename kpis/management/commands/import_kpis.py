"""python manage.py import_kpis FILE [--dry-run] [--sheet NAME] [--user USERNAME]"""

from kpis.imports import CATALOGUE

from .import_observations import SpreadsheetImportCommand


class Command(SpreadsheetImportCommand):
    help = (
        "Import the KPI catalogue from an xlsx, ods or csv file with the columns 'code, name, category, "
        "unit, aggregation, good_direction, decimals, description', as the admin's import does."
    )
    kind = CATALOGUE
