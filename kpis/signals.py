"""Signals sent when staff change what anything built on the KPIs would show.

kpis knows nothing of who listens: reports connects to these (in its AppConfig.ready) to
record the person as a contributor of the open drafts the change reaches. Each is sent
inside the transaction that made the change, with the acting user passed explicitly
(`by`, None for a change nobody signed in made, such as a command without --user).
"""

from django.dispatch import Signal

# A KPI's catalogue entry (name, unit, description, …) changed.
# Arguments: by, kpi_ids (set of Kpi ids).
catalogue_changed = Signal()

# Observations were imported, edited or deleted (a force's own figures or peer figures).
# Arguments: by, kpi_ids (set of Kpi ids), organisation_ids (set of Organisation ids).
observations_changed = Signal()

# Forces, peer groups or populations changed: a force's name, a group's name or members,
# a population figure (rates per 1,000 and peer ranks use them).
# Arguments: by, organisation_ids (set of Organisation ids), peer_group_ids (set of PeerGroup ids).
peers_changed = Signal()
