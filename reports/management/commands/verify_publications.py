"""Check every rendered version's stored page and PDF against the checksums in the database.

For operators after a restore (or a storage migration): the database and the artifact
storage are backed up separately, so this proves that they belong together. Exits non-zero
when any file is missing or differs, naming the report, the version and the file.
"""

import hashlib

from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError

from reports.models import Publication

ARTIFACTS = (("page", "html_file", "html_sha256"), ("PDF", "pdf_file", "pdf_sha256"))


def artifact_problems(publication: Publication) -> list[str]:
    """What is wrong with one version's stored files (empty when both match)."""
    problems = []
    for label, file_field, digest_field in ARTIFACTS:
        name, expected = getattr(publication, file_field), getattr(publication, digest_field)
        if not name or not expected:
            problems.append(f"{label}: no stored file recorded")
            continue
        try:
            with default_storage.open(name, "rb") as fh:
                digest = hashlib.sha256(fh.read()).hexdigest()
        except (FileNotFoundError, OSError) as exc:
            problems.append(f"{label}: {name} is missing from storage ({exc.__class__.__name__})")
            continue
        if digest != expected:
            problems.append(f"{label}: {name} differs from its checksum")
    return problems


class Command(BaseCommand):
    help = "Verify every rendered version's stored page and PDF against its SHA-256 checksum."

    def handle(self, *args, **options):
        rendered = Publication.objects.filter(
            render_status__in=[Publication.RenderStatus.RENDERED, Publication.RenderStatus.PUBLISHED]
        ).select_related("report")
        bad = 0
        for publication in rendered.order_by("report__slug", "version"):
            problems = artifact_problems(publication)
            where = f"{publication.report.slug} v{publication.version} ({publication.render_status})"
            if problems:
                bad += 1
                for problem in problems:
                    self.stdout.write(f"FAIL {where}: {problem}")
            else:
                self.stdout.write(f"ok   {where}")
        total = rendered.count()
        if not total:
            # After a restore into the wrong (empty) database this must not read as success.
            self.stdout.write(
                "No rendered versions to check: this database holds no rendered or published "
                "version. If it is a restored copy, check that DATABASE_URL names it."
            )
            return
        if bad:
            raise CommandError(f"{bad} of {total} rendered versions have missing or altered files.")
        self.stdout.write(self.style.SUCCESS(f"All {total} rendered versions match their checksums."))
