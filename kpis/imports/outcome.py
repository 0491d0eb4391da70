"""What an import found (and, unless a dry run, did): counts, problems, notes, the batch."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from django.conf import settings

from ..spreadsheets import FILE_TOO_BIG, ImportProblem
from .problems import Problems


@dataclass
class ImportOutcome:
    """Counts, problems and notes of one import; `batch` once written."""

    file_name: str
    sha256: str
    kind: str = ""
    layout: str = ""
    sheet: str = ""  # the sheet read; several, comma-separated, for a layout reading every sheet
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    problems: list[ImportProblem] = field(default_factory=list)
    problem_count: int = 0
    notes: list[str] = field(default_factory=list)  # what was left out on purpose: not problems
    dry_run: bool = True
    batch: object = None  # ImportBatch once written
    details: object = None  # observations: what the preview will write (preview.ObservationPreview)

    @property
    def errors(self) -> int:
        return self.problem_count

    @property
    def total(self) -> int:
        return self.new + self.changed + self.unchanged

    @property
    def ok(self) -> bool:
        return self.problem_count == 0

    @property
    def written(self) -> bool:
        return self.batch is not None

    def counts(self) -> dict[str, int]:
        return {"new": self.new, "changed": self.changed, "unchanged": self.unchanged, "errors": self.errors}

    def summary(self) -> str:
        layout = f" ({self.layout} layout)" if self.layout else ""
        return (
            f"{self.file_name}{layout}: {self.new:,} new, {self.changed:,} changed, "
            f"{self.unchanged:,} unchanged, {self.errors:,} errors"
        )

    def finish(self, problems: Problems) -> ImportOutcome:
        self.problems = problems.listed()
        self.problem_count = problems.count
        return self


def oversize_outcome(*, file_name: str, size: int) -> ImportOutcome:
    """The outcome for an upload too big to read at all (checked before reading it)."""
    problem = ImportProblem(file_name, FILE_TOO_BIG.format(size=size, limit=settings.IMPORT_MAX_FILE_BYTES))
    return ImportOutcome(file_name=file_name, sha256="", problems=[problem], problem_count=1)


def iter_problem_lines(outcome: ImportOutcome) -> Iterator[str]:
    """The problems as the lines the commands print."""
    for problem in outcome.problems:
        yield str(problem)
