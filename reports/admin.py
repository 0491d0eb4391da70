"""Staff admin for reports: editors write drafts, reviewers decide, everyone sees history.

Content can be changed only while a report is a draft and only by editors; every save
goes through `workflow` so the authors of a draft are known (they may not approve it).
The buttons on a report (preview, submit, review, new revision, withdraw) call the
views in `admin_views`, which call `workflow`.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import path, reverse
from django.utils.html import format_html

from portal.edit_versions import EditVersionAdminMixin, record_edit

from . import admin_draft_pdf, admin_views, workflow
from .admin_forms import NumberedInlineMixin, ReportFormMixin
from .models import KpiRow, Paragraph, Publication, Report, Review, Section, SourceNote


def _editable(request, report) -> bool:
    try:
        workflow.report_check_editable(report=report, by=request.user)
    except PermissionDenied:
        return False
    return True


class DraftOnlyMixin:
    """Admins whose objects belong to a report (the report itself, a section): editable only
    while the report is a draft, and only by editors."""

    def _report(self, obj):
        return obj if isinstance(obj, Report) else obj.report

    def has_change_permission(self, request, obj=None):
        if obj is not None and not _editable(request, self._report(obj)):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and not _editable(request, self._report(obj)):
            return False
        return super().has_delete_permission(request, obj)


class DraftPartMixin(DraftOnlyMixin):
    """Admins of a part of a draft (a section, a source note): deleting one, from its page or
    the list's action, is editing the draft, so the person becomes its contributor."""

    def delete_model(self, request, obj):
        self.delete_queryset(request, type(obj).objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        reports = {self._report(obj) for obj in queryset}
        for report in reports:
            workflow.report_check_editable(report=report, by=request.user)
        super().delete_queryset(request, queryset)
        for report in reports:
            workflow.report_record_edit(report=report, by=request.user)


class DraftOnlyInlineMixin(DraftOnlyMixin):
    """Inlines are also asked whether rows may be added to their parent (`obj`)."""

    def has_add_permission(self, request, obj=None):
        if obj is not None and not _editable(request, self._report(obj)):
            return False
        return super().has_add_permission(request, obj)


class SectionInline(NumberedInlineMixin, DraftOnlyInlineMixin, admin.TabularInline):
    model = Section
    fields = ["position", "kind", "heading", "edit_link"]
    readonly_fields = ["edit_link"]
    extra = 0
    show_change_link = False

    @admin.display(description="Table and paragraphs")
    def edit_link(self, obj):
        if not obj.pk:
            return "Save the report first"
        url = reverse("admin:reports_section_change", args=[obj.pk])
        counts = f"{obj.kpi_rows.count()} KPI rows, {obj.paragraphs.count()} paragraphs"
        return format_html('<a href="{}">Edit “{}”</a> ({})', url, obj.heading, counts)


class ReviewInline(admin.TabularInline):
    model = Review
    fields = ["created_at", "action", "actor", "from_status", "to_status", "comment"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name_plural = "History of this report"

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class PublicationInline(admin.TabularInline):
    model = Publication
    fields = [
        "version",
        "render_status",
        "approved_by",
        "approved_at",
        "published_at",
        "withdrawn_at",
        "link",
    ]
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name_plural = "Published versions"

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="")
    def link(self, obj):
        return format_html(
            '<a href="{}">Details</a>', reverse("admin:reports_publication_change", args=[obj.pk])
        )


@admin.register(Report)
class ReportAdmin(ReportFormMixin, EditVersionAdminMixin, DraftOnlyMixin, admin.ModelAdmin):
    list_display = ["title", "status", "period_start", "audience", "marking", "updated_at"]
    list_filter = ["status", "audience", "marking"]
    search_fields = ["title", "slug"]
    inlines = [SectionInline, PublicationInline, ReviewInline]
    change_form_template = "admin/reports/report/change_form.html"
    change_list_template = "admin/reports/report/change_list.html"
    fieldsets = [
        (None, {"fields": ["title", "slug", "organisation", "audience", "marking"]}),
        (
            "Period",
            {"fields": ["period_kind", "period_start", "period_end", "compare_start", "compare_end"]},
        ),
        (
            "Panel meeting and contact",
            {"fields": ["meeting_date", "contact_name", "contact_role", "contact_email", "contact_phone"]},
        ),
        ("Content options", {"fields": ["glossary_mode", "illustrative_note", "change_note"]}),
    ]

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("review-queue/", wrap(admin_views.review_queue), name="reports_report_queue"),
            path("<int:pk>/preview/", wrap(admin_views.preview), name="reports_report_preview"),
            path(
                "<int:pk>/preview/charts/<str:code>.json",
                wrap(admin_views.PreviewChartView.as_view()),
                name="reports_report_preview_chart",
            ),
            path("<int:pk>/submit/", wrap(admin_views.submit), name="reports_report_submit"),
            path("<int:pk>/review/", wrap(admin_views.review), name="reports_report_review"),
            path("<int:pk>/new-revision/", wrap(admin_views.new_revision), name="reports_report_revise"),
            path("<int:pk>/withdraw/", wrap(admin_views.withdraw), name="reports_report_withdraw"),
            path("<int:pk>/draft-pdf/", wrap(admin_draft_pdf.draft_pdf), name="reports_report_draft_pdf"),
            path(
                "<int:pk>/draft-sentence/<int:row_pk>/",
                wrap(admin_views.draft_sentence),
                name="reports_report_draft_sentence",
            ),
        ] + super().get_urls()

    def save_model(self, request, obj, form, change):
        try:
            workflow.report_check_editable(report=obj, by=request.user)
        except PermissionDenied as exc:
            raise PermissionDenied(str(exc)) from exc
        super().save_model(request, obj, form, change)
        if change:
            workflow.report_record_edit(report=obj, by=request.user)
        else:
            workflow.report_record_created(report=obj, by=request.user)

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        if formset.has_changed():
            workflow.report_record_edit(report=form.instance, by=request.user)
            if formset.model is Section:
                # A section form opened before this heading or order change is out of date.
                changed = [section.pk for section, _fields in formset.changed_objects]
                record_edit(Section, changed, by=request.user)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        admin_views.warn_about_missing_figures(request, form.instance)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        extra_context = extra_context or {}
        if object_id:
            report = self.get_object(request, object_id)
            if report is not None:
                extra_context.update(admin_views.report_buttons(request, report))
        return super().changeform_view(request, object_id, form_url, extra_context)


class KpiRowInline(NumberedInlineMixin, DraftOnlyInlineMixin, admin.TabularInline):
    model = KpiRow
    fields = ["position", "kpi", "show_chart", "peer_group", "standing_group"]
    autocomplete_fields = ["kpi"]
    extra = 0


class ParagraphInline(NumberedInlineMixin, DraftOnlyInlineMixin, admin.StackedInline):
    model = Paragraph
    fields = ["position", "text"]
    extra = 0


@admin.register(Section)
class SectionAdmin(EditVersionAdminMixin, DraftPartMixin, admin.ModelAdmin):
    list_display = ["heading", "report", "kind", "position"]
    list_filter = ["kind", "report"]
    search_fields = ["heading", "report__title"]
    fields = ["report", "position", "kind", "heading", "intro"]
    inlines = [KpiRowInline, ParagraphInline]

    def get_model_perms(self, request):
        return {}  # reached through its report, not from the admin index

    def get_readonly_fields(self, request, obj=None):
        return ["report"] if obj else []

    def save_model(self, request, obj, form, change):
        workflow.report_check_editable(report=obj.report, by=request.user)
        super().save_model(request, obj, form, change)
        workflow.report_record_edit(report=obj.report, by=request.user)

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        if formset.has_changed():
            workflow.report_record_edit(report=form.instance.report, by=request.user)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        admin_views.warn_about_missing_figures(request, form.instance.report)

    def response_change(self, request, obj):
        if "_continue" not in request.POST and "_addanother" not in request.POST:
            return admin_views.redirect_to_report(obj.report)
        return super().response_change(request, obj)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        extra_context = extra_context or {}
        if object_id:
            section = self.get_object(request, object_id)
            if section is not None:
                extra_context["draft_sentences"] = admin_views.section_draft_sentences(request, section)
        return super().changeform_view(request, object_id, form_url, extra_context)


class ParagraphChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.section.report.title} › {obj.section.heading} › {obj.text[:70]}"


@admin.register(SourceNote)
class SourceNoteAdmin(DraftPartMixin, admin.ModelAdmin):
    """Where a figure comes from when the portal holds no data for it (see the checker's 'unsourced')."""

    list_display = ["figure", "note", "paragraph_text", "report"]
    list_filter = ["paragraph__section__report"]
    search_fields = ["figure", "note", "paragraph__text"]
    fields = ["paragraph", "figure", "occurrence", "note"]

    def _report(self, obj):
        return obj.paragraph.section.report

    @admin.display(description="Paragraph")
    def paragraph_text(self, obj):
        return obj.paragraph.text[:80]

    @admin.display(description="Report")
    def report(self, obj):
        return obj.paragraph.section.report

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("paragraph__section__report")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "paragraph":
            kwargs["queryset"] = Paragraph.objects.filter(
                section__report__status=Report.Status.DRAFT
            ).select_related("section__report")
            kwargs["form_class"] = ParagraphChoiceField
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        report = self._report(obj)
        workflow.report_check_editable(report=report, by=request.user)
        super().save_model(request, obj, form, change)
        workflow.report_record_edit(report=report, by=request.user)


@admin.register(Publication)
class PublicationAdmin(admin.ModelAdmin):
    list_display = [
        "report",
        "version",
        "render_status",
        "render_attempts",
        "approved_at",
        "published_at",
        "short_error",
    ]
    list_filter = ["render_status"]
    fields = [
        "report",
        "version",
        "render_status",
        "render_error",
        "render_attempts",
        "approved_by",
        "approved_at",
        "publish_at",
        "rendered_at",
        "published_at",
        "pdf_pages",
        "pdf_sha256",
        "html_sha256",
        "change_note",
        "withdrawn_at",
        "withdrawn_reason",
    ]
    readonly_fields = fields
    actions = ["render_again", "abandon_render"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="Error")
    def short_error(self, obj):
        return (obj.render_error or "")[:80]

    def _move_each(self, request, queryset, move, done_message: str) -> None:
        """Apply one workflow move to each selected version, saying which were refused and why."""
        done = 0
        for publication in queryset:
            try:
                move(publication=publication, by=request.user)
                done += 1
            except (ValidationError, PermissionDenied) as exc:
                self.message_user(
                    request,
                    f"{publication}: {' '.join(getattr(exc, 'messages', [str(exc)]))}",
                    messages.ERROR,
                )
        if done:
            self.message_user(request, done_message.format(done=done), messages.SUCCESS)

    @admin.action(description="Render again", permissions=["render"])
    def render_again(self, request, queryset):
        again = workflow.publication_render_again
        self._move_each(request, queryset, again, "Rendering queued again for {done} version(s).")

    @admin.action(description="Abandon rendering (the report goes back to draft)", permissions=["render"])
    def abandon_render(self, request, queryset):
        self._move_each(
            request,
            queryset,
            workflow.publication_abandon,
            "Rendering abandoned for {done} version(s); their reports are back in draft and "
            "their editors have been told.",
        )

    def has_render_permission(self, request):
        return request.user.has_perm("reports.render_publication")


from . import admin_feedback  # noqa: E402, F401 - FeedbackAdmin (reader site feedback)
