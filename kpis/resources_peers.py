"""Spreadsheet import and export of forces, peer groups and populations (django-import-export).

Three layouts, each csv, xlsx or ods, through the admin's import screen with its preview:

- organisations: `name, code` (matched on code);
- peer group members: `group, organisation`, one row per member, with an optional `kind`
  (msf, region or national) used when the row names a group that does not exist yet;
- populations: `organisation, year, population`, optional `source` (matched on
  organisation and year, so a corrected figure replaces the old one).

Organisations are found by code or name, in any case; an unknown one is an error that
names the nearest known forces, never a new force made from a typo. Exported cells a
spreadsheet would run are neutralised, and restored on import (portal/spreadsheet_safety.py).
"""

from django.db.models import Q
from import_export import fields, resources, widgets

from portal.spreadsheet_safety import FormulaSafeResourceMixin

from . import signals
from .imports.lookups import quoted, suggestions
from .models import Organisation, PeerGroup, Population

UNKNOWN_ORGANISATION = "There is no organisation '{text}'."
UNKNOWN_ORGANISATION_SUGGEST = "There is no organisation '{text}'; did you mean {suggestions}?"
EMPTY_ORGANISATION = "The organisation is empty."
EMPTY_GROUP = "The group is empty."
BAD_KIND = "'{text}' is not a kind of peer group: use msf, region or national."
BAD_YEAR = "'{text}' is not a year between 1990 and 2100."
BAD_POPULATION = "'{text}' is not a population (a whole number above zero)."


def find_organisation(text: str) -> Organisation:
    """The organisation whose code or name is `text` (any case), or ValueError saying which exist."""
    text = (text or "").strip()
    if not text:
        raise ValueError(EMPTY_ORGANISATION)
    found = Organisation.objects.filter(Q(code__iexact=text) | Q(name__iexact=text)).first()
    if found is not None:
        return found
    labels = list(Organisation.objects.values_list("name", flat=True))
    near = suggestions(text, labels)
    if near:
        raise ValueError(UNKNOWN_ORGANISATION_SUGGEST.format(text=text, suggestions=quoted(near)))
    raise ValueError(UNKNOWN_ORGANISATION.format(text=text))


class OrganisationWidget(widgets.ForeignKeyWidget):
    """An organisation column: a force's code or name."""

    def __init__(self, **kwargs):
        super().__init__(Organisation, "name", **kwargs)

    def clean(self, value, row=None, **kwargs):
        return find_organisation(str(value) if value is not None else "")


class PeerGroupWidget(widgets.ForeignKeyWidget):
    """A group column: an existing group's name, or a new group (of the row's `kind`)."""

    def __init__(self, **kwargs):
        super().__init__(PeerGroup, "name", **kwargs)

    def clean(self, value, row=None, **kwargs):
        name = " ".join(str(value or "").split())
        if not name:
            raise ValueError(EMPTY_GROUP)
        group = PeerGroup.objects.filter(name__iexact=name).first()
        if group is not None:
            return group
        kind = str((row or {}).get("kind") or PeerGroup.Kind.MSF).strip().lower()
        if kind not in PeerGroup.Kind.values:
            raise ValueError(BAD_KIND.format(text=kind))
        # Made inside the import's transaction: a preview (dry run) rolls it back.
        return PeerGroup.objects.create(name=name, kind=kind)


class PeersChangedResourceMixin:
    """An import that saved rows names the forces and groups it touched, once it is done
    (`signals.peers_changed`, inside the import's transaction; a preview sends nothing)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.touched: tuple[set, set] = (set(), set())

    def peers_touched(self, instance) -> tuple[set, set]:
        raise NotImplementedError

    def after_save_instance(self, instance, row, **kwargs):
        super().after_save_instance(instance, row, **kwargs)
        organisation_ids, peer_group_ids = self.peers_touched(instance)
        self.touched[0].update(organisation_ids)
        self.touched[1].update(peer_group_ids)

    def after_import(self, dataset, result, **kwargs):
        super().after_import(dataset, result, **kwargs)
        if any(self.touched) and not kwargs.get("dry_run"):
            signals.peers_changed.send(
                sender=self._meta.model,
                by=kwargs.get("user"),
                organisation_ids=self.touched[0],
                peer_group_ids=self.touched[1],
            )


class OrganisationResource(PeersChangedResourceMixin, FormulaSafeResourceMixin, resources.ModelResource):
    """Forces by name and code: `name, code`."""

    class Meta:
        model = Organisation
        fields = ("name", "code")
        import_id_fields = ("code",)
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True

    def peers_touched(self, instance):
        return {instance.pk}, set()


class PeerMembershipResource(PeersChangedResourceMixin, FormulaSafeResourceMixin, resources.ModelResource):
    """Who is in which peer group: `group, organisation` (optional `kind`)."""

    group = fields.Field(attribute="peergroup", column_name="group", widget=PeerGroupWidget())
    organisation = fields.Field(
        attribute="organisation", column_name="organisation", widget=OrganisationWidget()
    )

    class Meta:
        model = PeerGroup.members.through
        fields = ("group", "organisation")
        import_id_fields = ("group", "organisation")
        skip_unchanged = True
        report_skipped = True

    def get_queryset(self):
        return super().get_queryset().select_related("peergroup", "organisation")

    def peers_touched(self, instance):
        return set(), {instance.peergroup_id}


class PositiveIntegerWidget(widgets.IntegerWidget):
    """A whole number, with thousands separators allowed ('1,100,306')."""

    def __init__(self, message: str, low: int = 1, high: int | None = None, **kwargs):
        self.message, self.low, self.high = message, low, high
        super().__init__(**kwargs)

    def clean(self, value, row=None, **kwargs):
        text = str(value if value is not None else "").strip().replace(",", "")
        try:
            number = float(text)
        except ValueError:
            raise ValueError(self.message.format(text=value)) from None
        if not number.is_integer() or number < self.low or (self.high is not None and number > self.high):
            raise ValueError(self.message.format(text=value))
        return int(number)


class PopulationResource(PeersChangedResourceMixin, FormulaSafeResourceMixin, resources.ModelResource):
    """Resident population per force and year: `organisation, year, population` (optional `source`)."""

    organisation = fields.Field(
        attribute="organisation", column_name="organisation", widget=OrganisationWidget()
    )
    year = fields.Field(
        attribute="year", column_name="year", widget=PositiveIntegerWidget(BAD_YEAR, 1990, 2100)
    )
    population = fields.Field(
        attribute="population", column_name="population", widget=PositiveIntegerWidget(BAD_POPULATION)
    )

    class Meta:
        model = Population
        fields = ("organisation", "year", "population", "source")
        import_id_fields = ("organisation", "year")
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True

    def get_queryset(self):
        return super().get_queryset().select_related("organisation")

    def peers_touched(self, instance):
        return {instance.organisation_id}, set()
