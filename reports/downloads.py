"""Downloads of a published version: its PDF, its figures as CSV and JSON, and its chart
data, all from the frozen publication, with ETags and the reader's cache rules."""

from __future__ import annotations

import hashlib
import json
import logging
from decimal import Decimal, InvalidOperation

from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponse
from django.utils.cache import get_conditional_response
from django.views.decorators.http import require_safe

from kpis.charts import PortalLineChartView
from kpis.exporting import table_bytes

from .chart_data import report_charts
from .reader_access import NOT_FOUND, Refused, cache_headers, publication_for, refuse
from .reader_cache import derived

log = logging.getLogger(__name__)


# --------------------------------------------------------------------------- figures
FIGURE_COLUMNS = (
    "kpi_code",
    "kpi_name",
    "unit",
    "period_label",
    "period_start",
    "period_end",
    "value",
    "kind",
)
REPORT_KEYS = ("title", "slug", "organisation", "version", "marking", "period", "comparison", "data_note")


def plain_number(text):
    """A stored value as people write it: "104101.0000" -> "104101", "72.5000" -> "72.5"."""
    try:
        number = Decimal(text)
    except (InvalidOperation, TypeError, ValueError):
        return text
    return f"{number.normalize():f}" if number.is_finite() else text


def figures_csv(snapshot: dict) -> bytes:
    """Every figure of the report, one row each, UTF-8 with a BOM so Excel reads the names."""
    rows = (
        [plain_number(figure[column]) if column == "value" else figure[column] for column in FIGURE_COLUMNS]
        for figure in snapshot["figures"]
    )
    return table_bytes(headers=list(FIGURE_COLUMNS), rows=rows, fmt="csv")


def figures_json(snapshot: dict) -> bytes:
    """Every figure of the report with what it is from, as frozen in the snapshot."""
    info = snapshot["report"]
    payload = {
        "report": {key: info[key] for key in REPORT_KEYS},
        "figures": [{column: figure[column] for column in FIGURE_COLUMNS} for figure in snapshot["figures"]],
    }
    return json.dumps(payload, ensure_ascii=False, indent=1).encode("utf-8")


# --------------------------------------------------------------------------- downloads
def _conditional(request, response_factory, *, etag: str, publication):
    """304 when the reader already has these bytes; rights were checked before this."""
    quoted = f'"{etag}"'
    not_modified = get_conditional_response(request, etag=quoted)
    response = not_modified if not_modified is not None else response_factory()
    response["ETag"] = quoted
    return cache_headers(response, publication)


def _file_name(publication, suffix: str) -> str:
    return f"{publication.report.slug}-v{publication.version}{suffix}"


@require_safe
def download_pdf(request, slug, version):
    try:
        publication = publication_for(request, slug, version)
    except Refused:
        return refuse(request)
    if not publication.pdf_file or not default_storage.exists(publication.pdf_file):
        log.error("PDF of %s is missing from storage (%r)", publication, publication.pdf_file)
        raise Http404(NOT_FOUND)
    etag = publication.pdf_sha256 or hashlib.sha256(publication.pdf_file.encode()).hexdigest()

    def send():
        return FileResponse(
            default_storage.open(publication.pdf_file, "rb"),
            as_attachment=True,
            filename=_file_name(publication, ".pdf"),
            content_type="application/pdf",
        )

    return _conditional(request, send, etag=etag, publication=publication)


def _data_download(request, slug, version, *, build, suffix, content_type):
    try:
        publication = publication_for(request, slug, version)
    except Refused:
        return refuse(request)
    data = derived(publication, suffix, build)
    etag = hashlib.sha256(data).hexdigest()

    def send():
        response = HttpResponse(data, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{_file_name(publication, suffix)}"'
        response["X-Content-Type-Options"] = "nosniff"
        return response

    return _conditional(request, send, etag=etag, publication=publication)


@require_safe
def download_csv(request, slug, version):
    return _data_download(
        request, slug, version, build=figures_csv, suffix="-data.csv", content_type="text/csv; charset=utf-8"
    )


@require_safe
def download_json(request, slug, version):
    return _data_download(
        request, slug, version, build=figures_json, suffix="-data.json", content_type="application/json"
    )


# --------------------------------------------------------------------------- charts
class ReportChartView(PortalLineChartView):
    """/reports/<slug>/v<N>/charts/<code>.json: a KPI's trend as frozen in that version."""

    def get(self, request, *args, **kwargs):
        try:
            self.publication = publication_for(request, kwargs["slug"], kwargs["version"])
        except Refused:
            return refuse(request)
        self.charts = derived(self.publication, "charts", report_charts)
        if kwargs["code"] not in self.charts:
            raise Http404("No chart here.")
        return super().get(request, *args, **kwargs)

    def get_chart(self) -> dict:
        return self.charts[self.kwargs["code"]]

    def render_to_response(self, context, **response_kwargs):
        response = super().render_to_response(context, **response_kwargs)
        del response["Cache-Control"]
        return cache_headers(response, self.publication)
