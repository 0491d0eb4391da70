"""What the checker says about one figure."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from .figures import Figure

NO_SOURCE = "No figure in this section's table to check it against."


@dataclass
class Finding:
    """What the checker says about one figure of one paragraph."""

    paragraph: str
    start: int
    end: int
    text: str
    kind: str
    status: str  # match | mismatch | period | unchecked
    kpi_code: str = ""
    data_value: str = ""
    message: str = ""
    warning: str = ""

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
