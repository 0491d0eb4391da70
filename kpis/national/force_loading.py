"""Loading the forces of England and Wales into the database: organisations and peer groups.

Used by the `load_forces` command and by a data migration (which passes its historical
models), so it takes the model classes as arguments and uses nothing but their fields.

The rules, run as often as wanted (idempotent):

- A force is matched to an existing organisation by code first, then by any spelling
  (the organisation's name, code or other names against the force's name and variants,
  normalised as `forces.normalise_force_name` does). **Merge by name**: an organisation
  someone added as "Leicestershire Police" with code "leicestershire-police" *is*
  Leicestershire; making a second one would split its figures in two.
- A matched organisation keeps its name and code: they are what reports print and what
  the force's own spreadsheets use. The force's national name, code and variants are added
  to its other names (never removed), so national files find it.
- A force with no organisation is created with the national name, code and variants.
- Which organisation is the home force is never changed, and none is made home.
- Each region gets a peer group (kind region) and the 43 territorial forces one named
  "All forces in England and Wales" (kind national; British Transport Police is not in
  it). Missing members are added; members an editor added are left in place.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .forces import (
    REGION_DESCRIPTION,
    TERRITORIAL_GROUP,
    TERRITORIAL_GROUP_DESCRIPTION,
    Force,
    ForceMatcher,
    normalise_force_name,
    read_forces,
)

OTHER_NAMES_LIMIT = 500  # Organisation.other_names max_length


@dataclass
class ForceLoadReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    merged: list[tuple[str, str]] = field(default_factory=list)  # (organisation name, force name)
    groups_created: list[str] = field(default_factory=list)
    members_added: int = 0
    home: str | None = None

    def lines(self) -> list[str]:
        out = [
            f"Forces: {len(self.created)} created, {len(self.updated)} updated, "
            f"{len(self.unchanged)} unchanged.",
        ]
        out += [f"'{org}' is {force}: its national spellings were added to its other names."
                for org, force in self.merged]
        if self.groups_created:
            out.append(f"Peer groups created: {', '.join(self.groups_created)}.")
        out.append(f"Peer group members added: {self.members_added}.")
        if self.home:
            out.append(f"The home force is {self.home} (unchanged).")
        else:
            out.append(
                "No organisation is the home force yet: in the admin, under Organisations, tick the "
                "force this portal reports on and choose the action “Make the selected organisation "
                "the home force”."
            )
        return out


def load_forces(organisation_model, peer_group_model, forces: list[Force] | None = None) -> ForceLoadReport:
    """Create or update the forces and their region and national peer groups (see the module doc)."""
    forces = read_forces() if forces is None else forces
    report = ForceLoadReport()
    by_code = {force.code: _organisation_for(organisation_model, force, report) for force in forces}
    home = organisation_model.objects.filter(is_home=True).first()
    report.home = home.name if home else None

    regions: dict[str, list] = {}
    for force in forces:
        if force.region:
            regions.setdefault(force.region, []).append(by_code[force.code])
    for region, members in regions.items():
        description = REGION_DESCRIPTION.format(region=region)
        _group(peer_group_model, region, "region", description, members, report)
    territorial = [by_code[f.code] for f in forces if f.is_territorial]
    _group(
        peer_group_model, TERRITORIAL_GROUP, "national", TERRITORIAL_GROUP_DESCRIPTION, territorial, report
    )
    return report


def _organisation_for(organisation_model, force: Force, report: ForceLoadReport):
    org = organisation_model.objects.filter(code=force.code).first()
    if org is None:
        org = _by_spelling(organisation_model, force)
        if org is not None:
            report.merged.append((org.name, force.name))
    if org is None:
        org = organisation_model.objects.create(
            name=force.name, code=force.code, other_names="; ".join(force.other_names)
        )
        report.created.append(force.name)
        return org
    others = _merge_names(org, force)
    if others != org.other_names:
        org.other_names = others
        org.save(update_fields=["other_names"])
        report.updated.append(org.name)
    else:
        report.unchanged.append(org.name)
    return org


def _by_spelling(organisation_model, force: Force):
    wanted = {normalise_force_name(s) for s in force.spellings}
    matcher = ForceMatcher.from_models(organisation_model)
    for key in wanted:
        pk = matcher.normalised.get(key)
        if pk is not None:
            return organisation_model.objects.get(pk=pk)
    return None


def _merge_names(org, force: Force) -> str:
    """The organisation's other names with the force's spellings added (existing ones first)."""
    names = [n.strip() for n in (org.other_names or "").split(";") if n.strip()]
    taken = {n.lower() for n in names} | {org.name.lower(), org.code.lower()}
    for spelling in force.spellings:
        if spelling.lower() not in taken:
            candidate = "; ".join([*names, spelling])
            if len(candidate) > OTHER_NAMES_LIMIT:
                break
            names.append(spelling)
            taken.add(spelling.lower())
    return "; ".join(names)


def _group(peer_group_model, name, kind, description, members, report: ForceLoadReport) -> None:
    group, created = peer_group_model.objects.get_or_create(
        name=name, defaults={"kind": kind, "description": description}
    )
    if created:
        report.groups_created.append(name)
    elif not group.description:
        group.description = description
        group.save(update_fields=["description"])
    present = set(group.members.values_list("pk", flat=True))
    missing = [m for m in members if m.pk not in present]
    if missing:
        group.members.add(*missing)
        report.members_added += len(missing)
