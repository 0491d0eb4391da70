"""The demo's national recorded crime: the illustrative file for all 43 forces, imported.

`load_national_recorded_crime` reads `demo_data/national-recorded-crime-2017-19-illustrative.csv`
(see the demo data README) and hands it to the Home Office recorded crime importer; the
report's All Crime row asks for its standing among all forces (`standing_rows` in
report.json, `standing_group_for`), so the commentary checker reads 3.1's national
sentences against it. The file goes through the ordinary spreadsheet import, as an
editor's upload would: the registry recognises the Home Office layout from its headers.
"""

from __future__ import annotations

from collections.abc import Callable

from kpis.imports import OBSERVATIONS, spreadsheet_import
from kpis.models import PeerGroup

from .demo_figures import DEMO_DATA
from .demo_national_file import FILE_NAME, HOME

NATIONAL = "national"  # in report.json's standing_rows: the national group, whatever its name
NOT_IMPORTED = "National recorded crime: not imported, so 3.1's national sentences cannot be checked."
IMPORT_FAILED = "The national recorded crime file could not be imported:\n{problems}"


def import_recorded_crime(*, content: bytes, file_name: str, user) -> str | None:
    """Import the file; the import's summary and notes. The demo catalogue's
    `national_rows` column says which national rows its KPIs count (3.1 All Crime: every
    offence but fraud and computer misuse)."""
    outcome = spreadsheet_import(content=content, file_name=file_name, user=user, kind=OBSERVATIONS)
    if not outcome.ok:
        raise ValueError(IMPORT_FAILED.format(problems="\n".join(str(p) for p in outcome.problems)))
    return " ".join([outcome.summary() + ".", *outcome.notes])


def national_file_path():
    return DEMO_DATA / FILE_NAME


def load_national_recorded_crime(*, user, importer: Callable[..., str | None] = import_recorded_crime) -> str:
    """Import the demo's national file; a line for the loader's output saying what happened."""
    path = national_file_path()
    summary = importer(content=path.read_bytes(), file_name=path.name, user=user)
    if summary is None:
        return NOT_IMPORTED
    return f"National recorded crime (illustrative apart from {HOME}): {summary}"


def standing_group_for(name: str) -> PeerGroup | None:
    """The group a report.json `standing_rows` entry names: "national", or a group's name.

    None when there is no such group yet (forces not loaded): the row then shows no standing.
    """
    groups = PeerGroup.objects.order_by("name")
    if name == NATIONAL:
        return groups.filter(kind=PeerGroup.Kind.NATIONAL).first()
    return groups.filter(name=name).first()
