"""Admin screens beyond the change form: preview, review, and the workflow buttons.

Each view checks the user's rights (through `workflow`), calls one workflow function and
redirects with a message. They are wrapped by `admin_site.admin_view`, so only active
staff reach them at all.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from kpis.charts import PortalLineChartView

from . import coverage, draft_edits, selectors, workflow
from .changes import diff_snapshots, period_label
from .checker import check_snapshot, summary_line
from .live_charts import preview_row_chart
from .models import KpiRow, Publication, Report, ReviewedSnapshot, Section
from .publishing import RenderOutcome
from .rendering import build_context
from .significance_display import review_rows
from .snapshot import build_snapshot, content_checksum, paragraph_numbers


def redirect_to_report(report):
    return redirect(reverse("admin:reports_report_change", args=[report.pk]))


def _errors(exc) -> str:
    return " ".join(getattr(exc, "messages", None) or [str(exc)])


def report_for_staff(request, pk, perm="reports.view_report") -> Report:
    report = get_object_or_404(Report, pk=pk)
    if not request.user.has_perm(perm):
        raise PermissionDenied
    return report


def report_buttons(request, report) -> dict:
    """Which workflow buttons the change form shows this user."""
    user = request.user
    is_author = workflow.is_author(report, user)
    status = report.status
    return {
        "report": report,
        "can_preview": user.has_perm("reports.view_report"),
        "can_submit": status == Report.Status.DRAFT and user.has_perm("reports.submit_report"),
        "can_review": status == Report.Status.IN_REVIEW and user.has_perm("reports.review_report"),
        "is_author": is_author,
        "can_revise": status in (Report.Status.PUBLISHED, Report.Status.WITHDRAWN)
        and user.has_perm("reports.start_revision"),
        "can_withdraw": status == Report.Status.PUBLISHED and user.has_perm("reports.withdraw_report"),
        "can_draft_pdf": user.has_perm("reports.view_report"),
        "latest_publication": report.publications.order_by("-version").first(),
        **_coverage_context(build_snapshot(report)),
    }


def _coverage_context(snapshot: dict) -> dict:
    rows = coverage.coverage(snapshot)
    return {"coverage": rows, "empty_rows": [row for row in rows if row.status == coverage.NONE]}


def warn_about_missing_figures(request, report) -> None:
    """After a save: say which KPI rows have no figures, or some missing, for the period."""
    rows = [row for row in coverage.coverage(build_snapshot(report)) if row.status != coverage.FULL]
    if rows:
        listed = "; ".join(f"{row.code} {row.name}: {row.detail.rstrip('.')}" for row in rows)
        verb = "lacks" if len(rows) == 1 else "lack"
        messages.warning(
            request, f"In this report, {len(rows)} KPI row{pluralize(len(rows))} {verb} figures. {listed}."
        )


# --------------------------------------------------------------------------- preview
def admin_page(request, template: str, context: dict):
    """An admin-styled page with what the admin's own pages get: the site header, the
    user's links (change password, log out), the sidebar and the colour theme."""
    return render(request, template, {**admin.site.each_context(request), "opts": Report._meta, **context})


def _preview_context(request, report, snapshot=None) -> dict:
    snapshot = snapshot or build_snapshot(report)
    context = build_context(snapshot, draft=True)
    # Draft charts read the live figures through a staff-only view.
    for section in context["sections"]:
        for row in section.get("rows", []):
            row["chart_url"] = reverse(
                "admin:reports_report_preview_chart", args=[report.pk, row["kpi"]["code"]]
            )
    context["marking"] = snapshot["report"]["marking"]
    context["has_charts"] = any(s.get("has_charts") for s in context["sections"])
    return context


def checker_context(request, report, snapshot) -> dict:
    """The checker's findings, its summary line, and the unsourced figures with a link to note each.

    Editors of a draft get a link per unsourced figure to the source-note form, filled in.
    """
    findings = check_snapshot(snapshot)
    can_note = report.status == Report.Status.DRAFT and request.user.has_perm("reports.add_sourcenote")
    numbers = paragraph_numbers(report) if can_note else {}
    unsourced = []
    for f in findings:
        if f.status != "unsourced":
            continue
        paragraph = numbers.get(f.paragraph)
        url = ""
        if paragraph:
            text = next(
                p["text"] for s in snapshot["sections"] for p in s["paragraphs"] if p["number"] == f.paragraph
            )
            query = urlencode(
                {"paragraph": paragraph, "figure": f.text, "occurrence": text.count(f.text, 0, f.start) + 1}
            )
            url = f"{reverse('admin:reports_sourcenote_add')}?{query}"
        unsourced.append({"finding": f, "add_note_url": url})
    return {
        "findings": findings,
        "flagged": [f for f in findings if f.flagged],
        "checker_summary": summary_line(findings),
        "unsourced": unsourced,
    }


def preview(request, pk):
    """The draft exactly as readers will see it, with a DRAFT banner."""
    report = report_for_staff(request, pk)
    context = _preview_context(request, report)
    context.update(
        {
            "report": report,
            "is_preview": True,
            **_coverage_context(context["snapshot"]),
            **checker_context(request, report, context["snapshot"]),
        }
    )
    return render(request, "reports/admin/preview.html", context)


class PreviewChartView(PortalLineChartView):
    """Chart.js data for the preview, from the live (not yet frozen) figures, drawn exactly
    as the published page draws it (reports.live_charts: this chart's row only)."""

    def get(self, request, *args, **kwargs):
        if not (
            request.user.is_active and request.user.is_staff and request.user.has_perm("reports.view_report")
        ):
            raise PermissionDenied
        report = get_object_or_404(Report.objects.select_related("organisation"), pk=kwargs["pk"])
        self.chart = preview_row_chart(report, kwargs["code"])
        if self.chart is None:
            raise Http404("No such KPI in this report.")
        return super().get(request, *args, **kwargs)

    def get_chart(self):
        return self.chart


# --------------------------------------------------------------------------- workflow buttons
@require_POST
def submit(request, pk):
    report = get_object_or_404(Report, pk=pk)
    try:
        workflow.report_submit(
            report=report,
            by=request.user,
            comment=request.POST.get("comment", ""),
            confirm_empty_rows=bool(request.POST.get("confirm_empty_rows")),
        )
    except (PermissionDenied, ValidationError) as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, f"“{report.title}” is submitted for review. Reviewers have been told.")
    return redirect_to_report(report)


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("approve", "Approve and publish"), ("request_changes", "Send back for changes")],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text="Required when sending back, or when approving with flagged figures.",
    )
    publish_at = forms.DateTimeField(
        required=False,
        help_text="Leave blank to publish as soon as it is rendered. Format: 2019-06-21 09:00.",
    )
    confirm_empty_rows = forms.BooleanField(
        required=False,
        label="Publish with empty rows",
        help_text="Only when some KPI rows have no figures at all: say why in the comment.",
    )
    # What this page showed (snapshot.content_checksum): approval refuses other content.
    checksum = forms.CharField(widget=forms.HiddenInput, max_length=64)


NO_CHECKSUM = (
    "This approval did not say which content was reviewed. Read the page below, then record "
    "your decision again."
)


def _changes(report, snapshot):
    latest = report.publications.filter(published_at__isnull=False).order_by("-version").first()
    if latest is None:
        return None, None
    return latest, diff_snapshots(latest.snapshot, snapshot)


def _period_changes(report, snapshot):
    """The draft against the newest live version of the previous period's report."""
    earlier = selectors.previous_period_publication(report)
    if earlier is None:
        return None, None
    against = period_label(earlier)
    return earlier, diff_snapshots(selectors.publication_snapshot(earlier), snapshot, against=against)


def _shown_for_review(report, snapshot) -> str:
    """Keep what the page shows under its checksum, so a refused approval can diff it."""
    checksum = content_checksum(snapshot)
    if report.status == Report.Status.IN_REVIEW:
        ReviewedSnapshot.objects.get_or_create(
            report=report, checksum=checksum, defaults={"snapshot": snapshot}
        )
    return checksum


def _refused_approval(request, report, exc: workflow.ContentChanged):
    """The form again, now carrying the new checksum, and what changed since it was read."""
    seen = ReviewedSnapshot.objects.filter(report=report, checksum=request.POST.get("checksum", "")).first()
    data = request.POST.copy()
    data["checksum"] = exc.checksum
    form = ReviewForm(data)
    form.is_valid()
    form.add_error(None, _errors(exc))
    if seen is None:  # not a page this site showed: nothing to compare with
        return form, None
    return form, diff_snapshots(seen.snapshot, exc.snapshot, against="the content you reviewed")


def tell_approval_outcome(request, approval: workflow.Approval) -> None:
    """The reviewer's message: what the approval's render did, as the approval returned it."""
    if approval.render is RenderOutcome.FAILED:
        messages.error(request, workflow.RENDER_FAILED)
    elif approval.render is RenderOutcome.DELAYED:
        messages.warning(request, workflow.RENDER_DELAYED)
    else:
        messages.success(
            request, f"Approved. Version {approval.publication.version} is being rendered and published."
        )


def review(request, pk):
    """The reviewer's page: what will be published, what changed, what the checker found."""
    report = report_for_staff(request, pk)
    snapshot = build_snapshot(report)
    posted = request.POST.copy() if request.method == "POST" else None
    missing_checksum = posted is not None and not posted.get("checksum")
    if missing_checksum:  # the page shown now carries its own, for the next decision
        posted["checksum"] = content_checksum(snapshot)
    form = ReviewForm(posted, initial={"checksum": content_checksum(snapshot)})
    since_reviewed, content_changed = None, False
    if request.method == "POST":
        if form.is_valid():
            decision, comment = form.cleaned_data["decision"], form.cleaned_data["comment"]
            try:
                if decision == "approve" and missing_checksum:
                    raise ValidationError(NO_CHECKSUM)
                if decision == "approve":
                    approval = workflow.report_approve(
                        report=report,
                        by=request.user,
                        comment=comment,
                        publish_at=form.cleaned_data["publish_at"],
                        reviewed_checksum=form.cleaned_data["checksum"],
                        confirm_empty_rows=form.cleaned_data["confirm_empty_rows"],
                    )
                    tell_approval_outcome(request, approval)
                else:
                    workflow.report_request_changes(report=report, by=request.user, comment=comment)
                    messages.success(request, "Sent back to the editors with your comment.")
                return redirect_to_report(report)
            except workflow.ContentChanged as exc:
                content_changed = True
                frozen = {"version": None, "approved_by": "", "approved_at": None}
                snapshot = {**exc.snapshot, "report": {**exc.snapshot["report"], **frozen}}
                form, since_reviewed = _refused_approval(request, report, exc)
            except (PermissionDenied, ValidationError) as exc:
                form.add_error(None, _errors(exc))
    _shown_for_review(report, snapshot)
    latest, changes = _changes(report, snapshot)
    earlier, period_changes = _period_changes(report, snapshot)
    context = {
        **_preview_context(request, report, snapshot),
        **checker_context(request, report, snapshot),
        "report": report,
        "form": form,
        "significance_rows": review_rows(snapshot),
        **_coverage_context(snapshot),
        "latest_publication": latest,
        "changes": changes,
        "earlier_publication": earlier,
        "period_changes": period_changes,
        "since_reviewed": since_reviewed,
        "content_changed": content_changed,
        "is_author": workflow.is_author(report, request.user),
        "has_review_perm": request.user.has_perm("reports.review_report"),
        "can_review": report.status == Report.Status.IN_REVIEW
        and request.user.has_perm("reports.review_report"),
        "title": f"Review “{report.title}”",
    }
    return admin_page(request, "reports/admin/review.html", context)


@require_POST
def new_revision(request, pk):
    report = get_object_or_404(Report, pk=pk)
    try:
        workflow.report_start_revision(
            report=report, by=request.user, change_note=request.POST.get("change_note", "")
        )
    except (PermissionDenied, ValidationError) as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(
            request,
            "A new revision is open as a draft. The published version stays as it is until "
            "the revision is approved.",
        )
    return redirect_to_report(report)


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}), help_text="Readers will see this reason."
    )


def withdraw(request, pk):
    report = get_object_or_404(Report, pk=pk)
    if not request.user.has_perm("reports.withdraw_report"):
        raise PermissionDenied
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            workflow.report_withdraw(report=report, by=request.user, reason=form.cleaned_data["reason"])
        except (PermissionDenied, ValidationError) as exc:
            form.add_error(None, _errors(exc))
        else:
            messages.success(request, "The report is withdrawn; readers see your reason.")
            return redirect_to_report(report)
    context = {"report": report, "form": form, "title": f"Withdraw “{report.title}”"}
    return admin_page(request, "reports/admin/withdraw.html", context)


def review_queue(request):
    """Reports waiting for a decision; the user's own work is shown but cannot be approved."""
    if not request.user.has_perm("reports.view_report"):
        raise PermissionDenied
    reports = Report.objects.filter(status=Report.Status.IN_REVIEW).select_related("submitted_by")
    rows = [{"report": r, "own": workflow.is_author(r, request.user)} for r in reports]
    failed = Publication.objects.filter(render_status=Publication.RenderStatus.FAILED).select_related(
        "report"
    )
    # Given up: the report is back in draft until its editors resubmit it.
    abandoned = Publication.objects.filter(
        render_status=Publication.RenderStatus.ABANDONED, report__status=Report.Status.DRAFT
    ).select_related("report")
    context = {"rows": rows, "failed": failed, "abandoned": abandoned, "title": "Review queue"}
    return admin_page(request, "reports/admin/queue.html", context)


# --------------------------------------------------------------------------- drafted sentences
def section_draft_sentences(request, section) -> list[dict]:
    """One drafted sentence per KPI row of a performance section."""
    if section.kind != Section.Kind.PERFORMANCE:
        return []
    snapshot = build_snapshot(section.report)
    out = []
    for kpi_row in section.kpi_rows.select_related("kpi", "section"):
        sentence = draft_edits.kpi_row_sentence(snapshot, kpi_row)
        if sentence:
            out.append(
                {
                    "row": kpi_row,
                    "sentence": sentence,
                    "url": reverse(
                        "admin:reports_report_draft_sentence", args=[section.report_id, kpi_row.pk]
                    ),
                }
            )
    return out


@require_POST
def draft_sentence(request, pk, row_pk):
    """Insert the drafted sentence as a new paragraph at the end of the section."""
    report = get_object_or_404(Report, pk=pk)
    kpi_row = get_object_or_404(
        KpiRow.objects.select_related("kpi", "section"), pk=row_pk, section__report=report
    )
    try:
        draft_edits.add_drafted_sentence(kpi_row=kpi_row, by=request.user)
    except PermissionDenied as exc:
        messages.error(request, _errors(exc))
        return redirect_to_report(report)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, "Drafted sentence added as the last paragraph; edit it as you wish.")
    return redirect(reverse("admin:reports_section_change", args=[kpi_row.section_id]))
