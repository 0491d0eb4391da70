"""What the checker says about one figure."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from .figures import Figure

NO_SOURCE = "No data the checker can tie it to: a source note can say where it comes from."


@dataclass
class Finding:
    """What the checker says about one figure of one paragraph."""

    paragraph: str
    start: int
    end: int
    text: str
    kind: str
    status: str  # match | mismatch | period | unsourced | noted (unsourced, with a source note)
    kpi_code: str = ""
    data_value: str = ""
    message: str = ""
    warning: str = ""
    source_note: str = ""

    @property
    def flagged(self) -> bool:
        """Needs a reviewer's attention: disagrees, wrong period, or an honest question."""
        return self.status in ("mismatch", "period") or bool(self.warning)

    def as_dict(self) -> dict:
        return {**asdict(self), "flagged": self.flagged}


def _finding(number: str, fig: Figure, status: str, **extra) -> Finding:
    return Finding(
        paragraph=number, start=fig.start, end=fig.end, text=fig.text, kind=fig.kind, status=status, **extra
    )
