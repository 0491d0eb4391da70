from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _

from portal.edit_versions import EditVersioned

from .markdown import render_markdown


class Report(EditVersioned):
    """A performance report to a Police and Crime Panel, as editors write it.

    The report rows hold the working copy; each approval freezes it into a Publication
    (version N), so editing a new revision never touches what readers already have.
    The status changes only through `reports.report_status.move_report`: called by
    `reports.workflow` for people's decisions and `reports.publishing` for the renderer's.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        IN_REVIEW = "in_review", _("In review")
        APPROVED = "approved", _("Approved")
        PUBLISHED = "published", _("Published")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    # Which moves are possible at all; who may make them is decided in workflow.py.
    TRANSITIONS = {
        Status.DRAFT: {Status.IN_REVIEW},
        Status.IN_REVIEW: {Status.APPROVED, Status.DRAFT},  # DRAFT = changes requested
        Status.APPROVED: {Status.PUBLISHED, Status.DRAFT},  # DRAFT = render abandoned
        Status.PUBLISHED: {Status.DRAFT, Status.WITHDRAWN},  # DRAFT = new revision
        Status.WITHDRAWN: {Status.DRAFT},
    }

    class Audience(models.TextChoices):
        PUBLIC = "public", _("Public")
        PANEL = "panel", _("Panel members only")

    class Marking(models.TextChoices):
        NOT_PROTECTIVELY_MARKED = "NOT PROTECTIVELY MARKED", _("NOT PROTECTIVELY MARKED")
        OFFICIAL = "OFFICIAL", _("OFFICIAL")
        OFFICIAL_SENSITIVE = "OFFICIAL-SENSITIVE", _("OFFICIAL-SENSITIVE")

    class PeriodKind(models.TextChoices):
        YEAR = "year", _("Financial year against the one before")
        QUARTER = "quarter", _("Quarter against the same quarter a year earlier")
        YEAR_TO_DATE = "ytd", _("Year to date against the same months a year earlier")
        CUSTOM = "custom", _("Other period against the same period a year earlier")

    class GlossaryMode(models.TextChoices):
        USED = "used", _("Only the terms the report uses")
        ALL = "all", _("Every term in the glossary")

    title = models.CharField(
        _("title"),
        max_length=200,
        help_text=_("e.g. 'Force Performance: End of Year 2018/19 (April 2018 – March 2019)'."),
    )
    slug = models.SlugField(
        _("web address"),
        max_length=100,
        unique=True,
        help_text=_(
            "The end of the report's web address, after /reports/ (e.g. performance-2021-22). "
            "Leave it blank to make one from the title. Keep it once published."
        ),
    )
    organisation = models.ForeignKey(
        "kpis.Organisation",
        on_delete=models.PROTECT,
        related_name="reports",
        verbose_name=_("organisation"),
        help_text=_("The force the report is about; its figures are read for this force."),
    )
    audience = models.CharField(
        _("audience"), max_length=10, choices=Audience.choices, default=Audience.PUBLIC
    )
    marking = models.CharField(
        _("protective marking"),
        max_length=30,
        choices=Marking.choices,
        default=Marking.NOT_PROTECTIVELY_MARKED,
        help_text=_("Shown at the top and bottom of every web page and PDF page."),
    )
    period_kind = models.CharField(
        _("kind of period"), max_length=10, choices=PeriodKind.choices, default=PeriodKind.YEAR
    )
    period_start = models.DateField(_("period start"), help_text=_("e.g. 1 April 2018."))
    period_end = models.DateField(_("period end"), help_text=_("e.g. 31 March 2019."))
    compare_start = models.DateField(
        _("comparison start"),
        null=True,
        blank=True,
        help_text=_("Leave blank for the same period a year earlier."),
    )
    compare_end = models.DateField(
        _("comparison end"),
        null=True,
        blank=True,
        help_text=_("Leave blank for the same period a year earlier."),
    )
    meeting_date = models.DateField(
        _("Panel meeting date"), null=True, blank=True, help_text=_("When the Panel meets.")
    )
    contact_name = models.CharField(_("contact name"), max_length=200, blank=True)
    contact_role = models.CharField(
        _("contact role"),
        max_length=200,
        blank=True,
        help_text=_("e.g. 'Performance Manager, Office of the Police and Crime Commissioner'."),
    )
    contact_email = models.EmailField(_("contact email"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    glossary_mode = models.CharField(
        _("glossary appendix lists"),
        max_length=10,
        choices=GlossaryMode.choices,
        default=GlossaryMode.USED,
    )
    change_note = models.TextField(
        _("change note"),
        blank=True,
        help_text=_("For a new revision: what changed since the last published version."),
    )
    illustrative_note = models.CharField(
        _("data note"),
        max_length=300,
        blank=True,
        help_text=_("A caveat shown with every chart, e.g. that monthly figures are illustrative."),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT, editable=False
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    # Everyone who changed this revision: none of them may approve it.
    contributors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="+", editable=False
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)

    class Meta:
        ordering = ["-period_end", "title"]
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        permissions = [
            ("submit_report", "Can submit a report for review"),
            ("review_report", "Can approve a report or request changes"),
            ("withdraw_report", "Can withdraw a published report"),
            ("start_revision", "Can start a new revision of a published report"),
            ("read_restricted", "Can read panel-only and OFFICIAL-SENSITIVE reports"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("reports:latest", kwargs={"slug": self.slug})

    @property
    def is_restricted(self) -> bool:
        """Panel-only or OFFICIAL-SENSITIVE: only signed-in members and staff may read it."""
        return self.audience == self.Audience.PANEL or self.marking == self.Marking.OFFICIAL_SENSITIVE


class Section(EditVersioned):
    """A numbered part of a report: cover narrative, a performance section, or the glossary.

    Narrative sections (Purpose, Recommendation, Background…) number their paragraphs
    1, 2, 3… continuously across the cover report; performance sections are numbered
    1, 2, 3… and their paragraphs 1.1, 1.2…; the glossary section lists terms.
    """

    class Kind(models.TextChoices):
        NARRATIVE = "narrative", _("Narrative (cover report)")
        PERFORMANCE = "performance", _("Performance (KPI table and commentary)")
        GLOSSARY = "glossary", _("Glossary appendix")

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="sections")
    position = models.PositiveIntegerField(_("order"), default=0, db_index=True)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    heading = models.CharField(
        _("heading"), max_length=200, help_text=_("e.g. 'Calls' (numbered automatically).")
    )
    intro = models.TextField(
        _("introduction"),
        blank=True,
        help_text=_("Optional unnumbered text under the heading (Markdown: *emphasis*, lists, links)."),
    )

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("section")
        verbose_name_plural = _("sections")

    def __str__(self) -> str:
        return f"{self.report}: {self.heading}"


class KpiRow(models.Model):
    """One row of a performance section's KPI table: which KPI, in which place."""

    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="kpi_rows")
    kpi = models.ForeignKey("kpis.Kpi", on_delete=models.PROTECT, related_name="+", verbose_name="KPI")
    position = models.PositiveIntegerField(_("order"), default=0, db_index=True)
    show_chart = models.BooleanField(_("show trend chart"), default=True)
    peer_group = models.ForeignKey(
        "kpis.PeerGroup",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("compare with peer group"),
        help_text=_("Adds a peer rank column and a peer chart for this KPI (e.g. Most Similar Forces)."),
    )
    standing_group = models.ForeignKey(
        "kpis.PeerGroup",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"kind__in": ["national", "region"]},
        verbose_name=_("national standing among"),
        help_text=_(
            "Adds a sentence under the table: how many of these forces are recording an increase, "
            "the force's rank by % change and its place in its region (e.g. all forces in England "
            "and Wales)."
        ),
    )

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("KPI row")
        verbose_name_plural = _("KPI rows")
        constraints = [models.UniqueConstraint(fields=["section", "kpi"], name="kpi_once_per_section")]

    def __str__(self) -> str:
        return str(self.kpi)


class Paragraph(models.Model):
    """A numbered paragraph of commentary, in a small safe Markdown subset."""

    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="paragraphs")
    position = models.PositiveIntegerField(_("order"), default=0, db_index=True)
    text = models.TextField(
        _("text"),
        help_text=_(
            "Markdown: *emphasis*, **strong**, lists and [links](https://…). "
            "Numbered automatically; HTML is removed."
        ),
    )

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("paragraph")
        verbose_name_plural = _("paragraphs")

    def __str__(self) -> str:
        return self.text[:80]


class SourceNote(models.Model):
    """Where a figure in a paragraph comes from, when the portal holds no data for it.

    Keyed to the paragraph and the figure as written ('3,107', '£100k'); `occurrence` tells
    apart the same text written twice. Frozen into the snapshot and shown to the reviewer
    beside the commentary checker's findings.
    """

    paragraph = models.ForeignKey(Paragraph, on_delete=models.CASCADE, related_name="source_notes")
    figure = models.CharField(
        _("figure"),
        max_length=80,
        help_text=_("The figure exactly as the paragraph writes it, e.g. '3,107', '£100k' or '45%'."),
    )
    occurrence = models.PositiveSmallIntegerField(
        _("occurrence"),
        default=1,
        help_text=_("Which time the figure appears in the paragraph, when it is written more than once."),
    )
    note = models.CharField(
        _("source"),
        max_length=300,
        help_text=_("Where the figure comes from, e.g. 'Force crime system, extract of 5 April 2019'."),
    )

    class Meta:
        ordering = ["paragraph", "occurrence", "figure"]
        verbose_name = _("source note")
        verbose_name_plural = _("source notes")
        constraints = [
            models.UniqueConstraint(
                fields=["paragraph", "figure", "occurrence"], name="one_source_note_per_figure"
            )
        ]

    def __str__(self) -> str:
        return f"{self.figure}: {self.note[:60]}"

    def clean(self):
        self.figure = (self.figure or "").strip()
        if self.paragraph_id and self.figure:
            text = " ".join(strip_tags(render_markdown(self.paragraph.text)).split())
            found = text.count(self.figure)
            if found < (self.occurrence or 1):
                where = (
                    f"“{self.figure}” is not in the paragraph"
                    if not found
                    else (f"“{self.figure}” appears {found} time{'s' if found > 1 else ''} in the paragraph")
                )
                raise ValidationError({"figure": f"{where}: copy the figure exactly as the text writes it."})


class Review(models.Model):
    """One decision in a report's life: who moved it from which status to which, and why."""

    class Action(models.TextChoices):
        CREATE = "create", _("Created")
        SUBMIT = "submit", _("Submitted for review")
        APPROVE = "approve", _("Approved")
        REQUEST_CHANGES = "request_changes", _("Changes requested")
        PUBLISH = "publish", _("Published")
        WITHDRAW = "withdraw", _("Withdrawn")
        NEW_REVISION = "new_revision", _("New revision started")
        RENDER_FAILED = "render_failed", _("Rendering failed")
        RENDER_ABANDONED = "render_abandoned", _("Rendering abandoned, back to draft")

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="reviews")
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    from_status = models.CharField(_("from"), max_length=12, blank=True)
    to_status = models.CharField(_("to"), max_length=12)
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("review decision")
        verbose_name_plural = _("review history")

    def __str__(self) -> str:
        return f"{self.get_action_display()} by {self.actor or 'the system'}"


class ReviewedSnapshot(models.Model):
    """What a reviewer's page showed: kept so a refused approval can show what changed since.

    The review page stores the snapshot it shows under its checksum
    (`snapshot.content_checksum`); the approval form posts that checksum back. Rows of a
    report are deleted when it is approved.
    """

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="+")
    checksum = models.CharField(_("checksum"), max_length=64)
    snapshot = models.JSONField(_("content shown"))
    shown_at = models.DateTimeField(_("first shown"), auto_now_add=True)

    class Meta:
        verbose_name = _("reviewed content")
        verbose_name_plural = _("reviewed content")
        constraints = [models.UniqueConstraint(fields=["report", "checksum"], name="one_copy_per_checksum")]

    def __str__(self) -> str:
        return f"{self.report} ({self.checksum[:12]})"


class Publication(models.Model):
    """Version N of a report as approved: frozen figures and text, rendered HTML and PDF.

    Never edited after it is published; a correction is a new version with a change note,
    and earlier versions stay readable, marked superseded.
    """

    class RenderStatus(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RENDERING = "rendering", _("Rendering")
        RENDERED = "rendered", _("Rendered, waiting for publication time")
        PUBLISHED = "published", _("Published")
        FAILED = "failed", _("Failed")
        ABANDONED = "abandoned", _("Abandoned")

    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="publications")
    version = models.PositiveIntegerField(_("version"))
    snapshot = models.JSONField(
        _("frozen content"), help_text=_("Everything the report shows, copied at approval.")
    )
    change_note = models.TextField(_("change note"), blank=True)
    search_text = models.TextField(
        _("searchable text"), blank=True, editable=False, help_text=_("Title and commentary.")
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    approved_at = models.DateTimeField(_("approved at"))
    publish_at = models.DateTimeField(
        _("publish at"), null=True, blank=True, help_text=_("Blank: as soon as it is rendered.")
    )
    render_status = models.CharField(
        _("render status"),
        max_length=12,
        choices=RenderStatus.choices,
        default=RenderStatus.QUEUED,
    )
    render_error = models.TextField(_("render error"), blank=True)
    render_attempts = models.PositiveIntegerField(_("render attempts"), default=0)
    html_file = models.CharField(_("HTML file"), max_length=255, blank=True)
    html_sha256 = models.CharField(_("HTML SHA-256"), max_length=64, blank=True)
    pdf_file = models.CharField(_("PDF file"), max_length=255, blank=True)
    pdf_sha256 = models.CharField(_("PDF SHA-256"), max_length=64, blank=True)
    pdf_pages = models.PositiveIntegerField(_("PDF pages"), null=True, blank=True)
    rendered_at = models.DateTimeField(_("rendered at"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_reason = models.TextField(_("reason for withdrawal"), blank=True)

    class Meta:
        ordering = ["report", "-version"]
        verbose_name = _("publication")
        verbose_name_plural = _("publications")
        constraints = [models.UniqueConstraint(fields=["report", "version"], name="one_version_number")]
        permissions = [("render_publication", "Can render a publication again")]

    def __str__(self) -> str:
        return f"{self.report} v{self.version}"

    def get_absolute_url(self) -> str:
        return reverse("reports:version", kwargs={"slug": self.report.slug, "version": self.version})

    @property
    def is_live(self) -> bool:
        return self.render_status == self.RenderStatus.PUBLISHED and self.published_at is not None


class Feedback(models.Model):
    """A panel member's comment or question on a published version, and staff's answer."""

    publication = models.ForeignKey(Publication, on_delete=models.CASCADE, related_name="feedback")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    about = models.CharField(
        _("about"),
        max_length=40,
        blank=True,
        help_text=_("A paragraph number (3.1) or KPI code, or blank for the whole report."),
    )
    text = models.TextField(_("comment or question"), max_length=4000)
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)
    answer = models.TextField(_("answer"), blank=True, max_length=4000)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")

    def __str__(self) -> str:
        return f"{self.author} on {self.publication}: {self.text[:40]}"
