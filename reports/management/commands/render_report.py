"""Render a report's publication now, in this process, for operators and scripts."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from reports import publishing
from reports.models import Publication, Report

NO_REPORT = "No report with the web address {slug!r}."
NO_PUBLICATION = "Report {slug!r} has no approved version{version}."


class Command(BaseCommand):
    help = (
        "Render a report's approved version (the newest unless --version is given) to HTML and "
        "PDF, store both and publish it when due; --output also writes the PDF to FILE."
    )

    def create_parser(self, prog_name, subcommand, **kwargs):
        # Our --version is the publication's version number; it replaces Django's
        # "print Django's version" option, which the documented interface would clash with.
        return super().create_parser(prog_name, subcommand, conflict_handler="resolve", **kwargs)

    def add_arguments(self, parser):
        parser.add_argument("slug", help="The report's web address, as in /reports/<slug>/.")
        parser.add_argument(
            "--version", type=int, dest="pub_version", help="Version number (default: the newest)."
        )
        parser.add_argument("--output", help="Also write the PDF to this file.")

    def handle(self, *args, slug, pub_version=None, output=None, **options):
        report = Report.objects.filter(slug=slug).first()
        if report is None:
            raise CommandError(NO_REPORT.format(slug=slug))
        publications = report.publications.order_by("-version")
        if pub_version is not None:
            publications = publications.filter(version=pub_version)
        publication = publications.first()
        if publication is None:
            suffix = f" {pub_version}" if pub_version is not None else ""
            raise CommandError(NO_PUBLICATION.format(slug=slug, version=suffix))

        if publication.render_status != Publication.RenderStatus.PUBLISHED:
            try:
                publishing.render_and_store(publication)
            except Exception as exc:
                raise CommandError(f"Rendering {publication} failed: {exc}") from exc
        publication.refresh_from_db()
        if output:
            from django.core.files.storage import default_storage

            with default_storage.open(publication.pdf_file, "rb") as pdf:
                Path(output).write_bytes(pdf.read())
        self.stdout.write(
            f"{publication}: {publication.get_render_status_display()}, {publication.pdf_pages} pages, "
            f"PDF {publication.pdf_file} sha256 {publication.pdf_sha256}"
            + (f", written to {output}" if output else "")
        )
