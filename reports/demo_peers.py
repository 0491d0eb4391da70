"""The demo's peer comparison: Leicestershire's Most Similar Forces and public confidence in 2018.

The reference report places the force "6th out of the 8 most similar forces (the highest
being 84% and the lowest being 68%)" with 72% for January–December 2018, and its glossary
names the seven forces. The file of figures lives with the rest of the demo data and goes
through the ordinary spreadsheet import, as an editor's upload would.
"""

from django.db import transaction

from kpis.imports import OBSERVATIONS, spreadsheet_import
from kpis.models import Organisation, PeerGroup

from .demo_figures import DEMO_DATA

MSF_GROUP = "Leicestershire Most Similar Forces"
MSF_DESCRIPTION = (
    "The seven forces deemed most similar to Leicestershire on socio-demographic and geographic "
    "measures linked to crime, fear of crime and incidents, and Leicestershire itself."
)
MSF_FORCES = [
    ("sussex", "Sussex"),
    ("hertfordshire", "Hertfordshire"),
    ("essex", "Essex"),
    ("bedfordshire", "Bedfordshire"),
    ("hampshire", "Hampshire"),
    ("nottinghamshire", "Nottinghamshire"),
    ("kent", "Kent"),
]
DEMO_FILE = "peer-confidence-2018.csv"
IMPORT_FAILED = "The peer figures could not be imported:\n{problems}"


def demo_file_path():
    return DEMO_DATA / DEMO_FILE


@transaction.atomic
def load_peer_confidence(*, user, content: bytes | None = None, file_name: str = DEMO_FILE) -> str:
    """Create the MSF group (the home force and its seven peers) and import the 2018 figures.

    Safe to run twice: forces and the group are matched by code and name, and the import
    counts unchanged figures as unchanged. Needs KPI 4.2 (public confidence) in the catalogue.
    """
    home = Organisation.home()
    peers = [
        Organisation.objects.get_or_create(code=code, defaults={"name": name})[0] for code, name in MSF_FORCES
    ]
    group, _ = PeerGroup.objects.get_or_create(
        name=MSF_GROUP, defaults={"kind": PeerGroup.Kind.MSF, "description": MSF_DESCRIPTION}
    )
    group.members.add(home, *peers)
    if content is None:
        content = demo_file_path().read_bytes()
    outcome = spreadsheet_import(content=content, file_name=file_name, user=user, kind=OBSERVATIONS)
    if not outcome.ok:
        raise ValueError(IMPORT_FAILED.format(problems="\n".join(str(p) for p in outcome.problems)))
    return f"Peer figures ({MSF_GROUP}, {group.members.count()} forces): {outcome.summary()}"
