"""Which KPI rows of a report have figures for its periods: full, partial or none.

Read from a snapshot (what the report would show), so the report form, the save warning,
submission, the review page and approval all say the same thing. A row is
- **full** when both periods have a value (the table shows the change),
- **partial** when something is there but not both values (the table shows a gap),
- **none** when neither period has a single figure (the row is empty).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError

FULL, PARTIAL, NONE = "full", "partial", "none"
LABELS = {FULL: "All figures", PARTIAL: "Some figures missing", NONE: "No figures"}

EMPTY_ROWS_NEED_CONFIRMATION = (
    "{count} of the report's KPI rows {have} no figures for {period} ({rows}): the published "
    "table and charts would be empty there. Import the figures first, or tick “Publish with "
    "empty rows” and say why in the comment."
)
CONFIRMATION_NEEDS_COMMENT = (
    "Say in the comment why the report goes ahead with KPI rows that have no figures."
)


@dataclass(frozen=True)
class RowCoverage:
    section: str
    code: str
    name: str
    status: str
    detail: str

    @property
    def label(self) -> str:
        return LABELS[self.status]


def _months(value: dict) -> tuple[int, int]:
    return value["months_present"], value["months_expected"]


def _row_coverage(section: dict, row: dict) -> RowCoverage:
    comparison = row["comparison"]
    current, previous = comparison["current"], comparison["previous"]
    has = [v["value"] is not None for v in (current, previous)]
    present = [_months(v)[0] for v in (current, previous)]
    notes = comparison["notes"]
    detail = " ".join(notes) if not all(has) else "Both periods have a value."
    if all(has):
        status = FULL
    elif any(has) or any(present):
        status = PARTIAL
    elif row.get("peer"):
        status, detail = PARTIAL, "Only the comparison with other forces has figures. " + detail
    else:
        status = NONE
    kpi = row["kpi"]
    return RowCoverage(section["title"], kpi["code"], kpi["name"], status, detail)


def coverage(snapshot: dict) -> list[RowCoverage]:
    """Every KPI row of the snapshot, in report order, with how well its figures cover it."""
    return [_row_coverage(section, row) for section in snapshot["sections"] for row in section["rows"]]


def empty_rows(snapshot: dict) -> list[RowCoverage]:
    return [row for row in coverage(snapshot) if row.status == NONE]


def check_empty_rows(snapshot: dict, *, confirmed: bool, comment: str) -> str:
    """Refuse to go ahead with empty KPI rows unless confirmed with a comment; returns the
    sentence to record with the decision ('' when every row has figures)."""
    empty = empty_rows(snapshot)
    if not empty:
        return ""
    names = ", ".join(f"{row.code} {row.name}" for row in empty)
    if not confirmed:
        raise ValidationError(
            EMPTY_ROWS_NEED_CONFIRMATION.format(
                count=len(empty),
                have="has" if len(empty) == 1 else "have",
                period=snapshot["report"]["period"]["label"],
                rows=names,
            )
        )
    if not comment.strip():
        raise ValidationError(CONFIRMATION_NEEDS_COMMENT)
    return f"Goes ahead with {len(empty)} KPI row{'s' if len(empty) != 1 else ''} without figures: {names}."
