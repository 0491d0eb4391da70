from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from portal.edit_versions import EditVersioned

from .formatting import format_value


class Organisation(models.Model):
    """A police force: the one this portal serves, and the forces it is compared with.

    Every observation belongs to one. Exactly one organisation is the home force, and it
    is the default everywhere, so single-force use never has to think about organisations.
    """

    name = models.CharField(_("name"), max_length=200, unique=True)
    code = models.SlugField(
        _("code"),
        max_length=60,
        unique=True,
        help_text=_("Short identifier used in spreadsheets, e.g. 'leicestershire'."),
    )
    is_home = models.BooleanField(
        _("home force"),
        default=False,
        help_text=_("The force this portal reports on. Only one organisation can be home."),
    )
    other_names = models.CharField(
        _("other names"),
        max_length=500,
        blank=True,
        help_text=_(
            "Other names or spellings spreadsheets use for this force, separated by ';', e.g. "
            "'Southshire Police; Southshire Constab.'. Imports accept them as well as the name "
            "and code."
        ),
    )

    class Meta:
        ordering = ["-is_home", "name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            models.UniqueConstraint(
                fields=["is_home"],
                condition=models.Q(is_home=True),
                name="one_home_organisation",
                violation_error_message=_(
                    "Another organisation is already the home force. To change it, choose this "
                    "organisation on the list and the action “Make the selected organisation the "
                    "home force”."
                ),
            )
        ]

    def __str__(self) -> str:
        return self.name

    def other_name_list(self) -> list[str]:
        return split_aliases(self.other_names)

    def clean(self):
        # An imported cell must name exactly one organisation.
        taken = {}
        others_of = Organisation.objects.exclude(pk=self.pk).values_list("name", "code", "other_names")
        for name, code, others in others_of:
            for key in (name, code, *split_aliases(others)):
                taken[key.lower()] = name
        clashes = [n for n in self.other_name_list() if n.lower() in taken]
        if clashes:
            raise ValidationError(
                {
                    "other_names": _("%(names)s already names %(org)s.")
                    % {"names": ", ".join(f"'{n}'" for n in clashes), "org": taken[clashes[0].lower()]}
                }
            )

    @classmethod
    def code_from_name(cls, name: str, *, exclude_pk=None) -> str:
        """'Northshire Police' -> 'northshire-police' (with -2, -3 … when taken)."""
        base = slugify(name)[:55].strip("-") or "organisation"
        taken = cls.objects.exclude(pk=exclude_pk)
        code, n = base, 2
        while taken.filter(code=code).exists():
            code, n = f"{base}-{n}", n + 1
        return code

    @classmethod
    @transaction.atomic
    def make_home(cls, organisation: "Organisation") -> "Organisation | None":
        """Make `organisation` the home force in one step; returns the one it replaces."""
        previous = cls.objects.select_for_update().filter(is_home=True).exclude(pk=organisation.pk).first()
        if previous is not None:
            cls.objects.filter(pk=previous.pk).update(is_home=False)
        cls.objects.filter(pk=organisation.pk).update(is_home=True)
        organisation.is_home = True
        return previous

    @classmethod
    def home(cls) -> "Organisation":
        """The home force, created with a neutral name on first use."""
        org = cls.objects.filter(is_home=True).first()
        if org is None:
            org, _ = cls.objects.get_or_create(code="home", defaults={"name": "Home force", "is_home": True})
        return org


def split_aliases(text: str) -> list[str]:
    """'999 calls; emergency calls' -> ['999 calls', 'emergency calls'] (blanks and repeats dropped)."""
    out: list[str] = []
    for part in (text or "").split(";"):
        alias = " ".join(part.split())
        if alias and alias.lower() not in (a.lower() for a in out):
            out.append(alias)
    return out


class Kpi(EditVersioned):
    """A key performance indicator in the catalogue (e.g. 1.1 Number of 999 Calls).

    Editors maintain the catalogue in the admin or by importing a spreadsheet; report
    sections pick KPIs from it. How monthly values combine into a period, which way is
    good and how values are printed are all properties of the KPI.
    """

    class Unit(models.TextChoices):
        COUNT = "count", _("Count")
        PERCENT = "percent", _("Percentage")
        SECONDS = "seconds", _("Duration (seconds)")
        CURRENCY = "currency", _("Money (£)")

    class Aggregation(models.TextChoices):
        SUM = "sum", _("Sum of the months")
        MEAN = "mean", _("Mean of the months")
        LAST = "last", _("Last value in the period")

    class Direction(models.TextChoices):
        UP = "up", _("Higher is better")
        DOWN = "down", _("Lower is better")
        NEITHER = "neither", _("Neither")

    code = models.CharField(
        _("code"),
        max_length=20,
        unique=True,
        help_text=_("The KPI's number in reports, e.g. '1.1'. Used to match spreadsheet rows."),
    )
    name = models.CharField(_("name"), max_length=200, help_text=_("e.g. 'Number of 999 Calls'."))
    category = models.CharField(
        _("category"),
        max_length=80,
        help_text=_("Calls, Incidents, Crime, Outcomes, Prevention, …"),
    )
    unit = models.CharField(_("unit"), max_length=10, choices=Unit.choices, default=Unit.COUNT)
    aggregation = models.CharField(
        _("how months combine"),
        max_length=10,
        choices=Aggregation.choices,
        default=Aggregation.SUM,
        help_text=_("Sum for counts, mean for rates and times, last value for 'as at' snapshots."),
    )
    good_direction = models.CharField(
        _("good direction"),
        max_length=10,
        choices=Direction.choices,
        default=Direction.NEITHER,
        help_text=_("Which way a change is an improvement. 'Neither' for demand measures."),
    )
    decimals = models.PositiveSmallIntegerField(
        _("decimal places"), default=0, help_text=_("How many decimal places readers see.")
    )
    description = models.TextField(
        _("description"), blank=True, help_text=_("What the KPI measures, shown to readers.")
    )
    aliases = models.CharField(
        _("aliases"),
        max_length=500,
        blank=True,
        help_text=_(
            "Other names the commentary uses for this KPI, separated by ';', e.g. "
            "'999 calls; emergency calls'. The commentary checker uses them to tell which KPI "
            "a figure is about."
        ),
    )
    glossary_terms = models.ManyToManyField(
        "glossary.Term",
        blank=True,
        related_name="kpis",
        verbose_name=_("glossary terms"),
        help_text=_("Terms a reader may need to understand this KPI."),
    )
    per_population = models.BooleanField(
        _("rank as a rate per 1,000 population"),
        default=False,
        help_text=_("Peer comparisons divide by each force's population first."),
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("KPI")
        verbose_name_plural = _("KPIs")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("kpis:chart", kwargs={"code": self.code})

    def alias_list(self) -> list[str]:
        return split_aliases(self.aliases)


class ImportBatch(models.Model):
    """One spreadsheet import: who, when, which file, and what it did.

    Listed in the admin so staff can see where every figure came from; each observation
    change points back at the batch that made it.
    """

    class Kind(models.TextChoices):
        CATALOGUE = "catalogue", _("KPI catalogue")
        OBSERVATIONS = "observations", _("Observations")
        GLOSSARY = "glossary", _("Glossary")
        PEERS = "peers", _("Peer figures")
        NATIONAL = "national", _("National data")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organisation"),
        help_text=_("Whose figures the file held, when they were all one organisation's."),
    )
    layout = models.CharField(_("layout"), max_length=20, blank=True)
    file_name = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("imported by"),
    )
    created_at = models.DateTimeField(_("imported at"), auto_now_add=True)
    rows_total = models.PositiveIntegerField(_("values read"), default=0)
    rows_new = models.PositiveIntegerField(_("new"), default=0)
    rows_changed = models.PositiveIntegerField(_("changed"), default=0)
    rows_unchanged = models.PositiveIntegerField(_("unchanged"), default=0)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")

    def __str__(self) -> str:
        return f"{self.file_name} ({self.created_at:%Y-%m-%d %H:%M})" if self.created_at else self.file_name


class Observation(models.Model):
    """A KPI's value for one organisation over one period.

    Usually the period is a calendar month (start = 1st, end = last day). Survey measures
    that only exist as a rolling 12 months, and 'as at' snapshots, are stored with the
    period they actually cover (for an 'as at' date, start = end = that date).
    """

    kpi = models.ForeignKey(Kpi, on_delete=models.CASCADE, related_name="observations")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="observations")
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    value = models.DecimalField(_("value"), max_digits=18, decimal_places=4)
    source = models.ForeignKey(
        ImportBatch,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="observations",
        verbose_name=_("last changed by import"),
    )
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)

    class Meta:
        ordering = ["kpi__code", "organisation", "period_start"]
        verbose_name = _("observation")
        verbose_name_plural = _("observations")
        constraints = [
            models.UniqueConstraint(
                fields=["kpi", "organisation", "period_start", "period_end"],
                name="one_value_per_kpi_org_period",
            ),
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="observation_period_ordered",
            ),
        ]
        indexes = [models.Index(fields=["kpi", "organisation", "period_start"])]

    def __str__(self) -> str:
        shown = format_value(self.value, self.kpi.unit, self.kpi.decimals)
        return f"{self.kpi.code} {self.period_start:%Y-%m}: {shown}"


class ObservationChange(models.Model):
    """History: every value an observation has had, who set it and through which import."""

    observation = models.ForeignKey(Observation, on_delete=models.CASCADE, related_name="changes")
    old_value = models.DecimalField(_("old value"), max_digits=18, decimal_places=4, null=True, blank=True)
    new_value = models.DecimalField(_("new value"), max_digits=18, decimal_places=4)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("changed by"),
    )
    batch = models.ForeignKey(
        ImportBatch,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="changes",
        verbose_name=_("import"),
    )
    changed_at = models.DateTimeField(_("changed at"), auto_now_add=True)

    class Meta:
        ordering = ["-changed_at", "-pk"]
        verbose_name = _("observation change")
        verbose_name_plural = _("observation history")

    def __str__(self) -> str:
        return f"{self.observation}: {self.old_value} → {self.new_value}"


# --------------------------------------------------------------------------- peers
class PeerGroup(models.Model):
    """A named set of forces a KPI is ranked among: Most Similar Forces, a region, all forces.

    Editors keep groups in the admin (or import a `group, organisation` sheet); a report's
    KPI row may name one, and the report then shows the force's rank within it.
    """

    class Kind(models.TextChoices):
        MSF = "msf", _("Most Similar Forces")
        REGION = "region", _("Region")
        NATIONAL = "national", _("All forces (national)")

    # How a rank is introduced in a table cell: "MSF rank 6 of 8".
    RANK_PREFIX = {Kind.MSF: "MSF", Kind.REGION: "Region", Kind.NATIONAL: "National"}

    name = models.CharField(
        _("name"),
        max_length=200,
        unique=True,
        help_text=_("e.g. 'Leicestershire Most Similar Forces', 'East Midlands', 'England and Wales'."),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.MSF)
    description = models.TextField(
        _("description"),
        blank=True,
        help_text=_("Where the group comes from and what it is for, shown to readers under peer charts."),
    )
    members = models.ManyToManyField(
        Organisation,
        blank=True,
        related_name="peer_groups",
        verbose_name=_("members"),
        help_text=_("Every force in the group, including the home force."),
    )

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("peer group")
        verbose_name_plural = _("peer groups")

    def __str__(self) -> str:
        return self.name

    @property
    def rank_prefix(self) -> str:
        return str(self.RANK_PREFIX.get(self.kind, self.name))


class Population(models.Model):
    """A force's resident population for one year, to rank counts as rates per 1,000.

    Mid-year estimates (at 30 June): a period uses the estimate for the calendar year its
    middle falls in, so 2018/19 and January–December 2018 both use the 2018 figure.
    """

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="populations",
        verbose_name=_("organisation"),
    )
    year = models.PositiveSmallIntegerField(
        _("year"), help_text=_("The year of the mid-year estimate, e.g. 2018 for mid-2018.")
    )
    population = models.PositiveIntegerField(
        _("population"), help_text=_("Resident population of the force area, e.g. 1100306.")
    )
    source = models.CharField(
        _("source"),
        max_length=200,
        blank=True,
        help_text=_("e.g. 'ONS mid-2018 population estimates'."),
    )

    class Meta:
        ordering = ["organisation", "-year"]
        verbose_name = _("population")
        verbose_name_plural = _("populations")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "year"], name="one_population_per_org_year"),
            models.CheckConstraint(condition=models.Q(population__gt=0), name="population_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} {self.year}: {self.population:,}"


# National mappings (which national rows make up a KPI) live with the national-data code.
from .national.models import NationalMapping  # noqa: E402, F401
