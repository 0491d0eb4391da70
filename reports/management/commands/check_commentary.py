"""Check a report's commentary against its data: every figure with its status, and a summary.

    python manage.py check_commentary SLUG            # the current draft (or latest content)
    python manage.py check_commentary SLUG --version 2  # a published version's frozen snapshot

Exits with status 1 when any figure disagrees with the data, so editors and CI can run it.
"""

from django.core.management.base import BaseCommand, CommandError

from reports.checker import check_snapshot, summarise, summary_line
from reports.models import Publication, Report
from reports.snapshot import build_snapshot

STATUS_WORDS = {
    "match": "agrees",
    "mismatch": "DISAGREES",
    "period": "PERIOD NOT COVERED",
    "noted": "source note",
    "unsourced": "unsourced",
}


class Command(BaseCommand):
    help = "Check every figure of a report's commentary against its data; exit 1 if any disagrees."

    def add_base_argument(self, parser, *args, **kwargs):
        if "--version" in args:
            return  # here --version is the report's published version, not Django's
        super().add_base_argument(parser, *args, **kwargs)

    def add_arguments(self, parser):
        parser.add_argument("slug", help="The report's slug, as in its web address.")
        parser.add_argument(
            "--version", type=int, help="Check this published version's frozen snapshot instead of the draft."
        )

    def handle(self, *args, slug, version=None, **options):
        report = Report.objects.filter(slug=slug).first()
        if report is None:
            raise CommandError(f"No report with the slug “{slug}”.")
        if version is None:
            snapshot, what = build_snapshot(report), "the current content"
        else:
            publication = report.publications.filter(version=version).first()
            if publication is None:
                versions = ", ".join(str(v) for v in report.publications.values_list("version", flat=True))
                raise CommandError(f"“{slug}” has no version {version} (published: {versions or 'none'}).")
            snapshot, what = _frozen(publication), f"version {version}"
        findings = check_snapshot(snapshot)
        self.stdout.write(f"{report.title}: {what}")
        for f in findings:
            status = STATUS_WORDS.get(f.status, f.status)
            if f.warning:
                status += " (question)"
            kpi = (
                f" [KPI {f.kpi_code}{', ' + f.measure.replace('_', ' ') if f.measure else ''}]"
                if f.kpi_code
                else ""
            )
            detail = f.source_note if f.status == "noted" else f.message
            self.stdout.write(f"{f.paragraph:>6}  {f.text}  {status}{kpi}: {detail}")
            if f.warning:
                self.stdout.write(f"{'':>6}  {f.warning}")
        self.stdout.write(summary_line(findings))
        disagree = summarise(findings)["mismatch"]
        if disagree:
            verb = "disagrees" if disagree == 1 else "disagree"
            raise CommandError(f"{disagree} figure{'' if disagree == 1 else 's'} {verb} with the data.")


def _frozen(publication: Publication) -> dict:
    from reports import selectors

    return selectors.publication_snapshot(publication)
