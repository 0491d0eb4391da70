"""Source notes: where a figure no data holds comes from, attached by an editor."""

from __future__ import annotations

from .findings import Finding


def figure_occurrence(text: str, finding: Finding) -> int:
    """Which occurrence of its own text a figure is in the paragraph (1 for the first)."""
    return text.count(finding.text, 0, finding.start) + 1


def apply_source_notes(text: str, findings: list[Finding], notes: list[dict]) -> None:
    """Attach each note to its figure; an unsourced figure with a note becomes ``noted``."""
    by_key = {(n["figure"], int(n["occurrence"] or 1)): n["note"] for n in notes}
    if not by_key:
        return
    for finding in findings:
        note = by_key.get((finding.text, figure_occurrence(text, finding)))
        if note:
            finding.source_note = note
            if finding.status == "unsourced":
                finding.status = "noted"
