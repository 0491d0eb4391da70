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
    measure: str = ""  # what the figure was read as: current, change, percent_change, peer_rank …

    @property
    def flagged(self) -> bool:
        """Needs a reviewer's attention: disagrees, wrong period, or an honest question."""
        return self.status in ("mismatch", "period") or bool(self.warning)

    def as_dict(self) -> dict:
        return {**asdict(self), "flagged": self.flagged}


def figure_finding(number: str, fig: Figure, status: str, **extra) -> Finding:
    """What the checker says about one figure of paragraph `number`."""
    return Finding(
        paragraph=number, start=fig.start, end=fig.end, text=fig.text, kind=fig.kind, status=status, **extra
    )


def summarise(findings: list[Finding]) -> dict[str, int]:
    """How many figures agree, disagree, name a period not covered, carry a source note, or neither.

    Claims of significance ("a significant increase") are not figures: they are counted
    apart, as agreeing, disagreeing or not checkable (no test for that KPI, or no KPI named).
    """
    counts = {"figures": 0, "match": 0, "mismatch": 0, "period": 0, "noted": 0, "unsourced": 0}
    counts.update({"claims": 0, "claims_match": 0, "claims_mismatch": 0})
    for finding in findings:
        if finding.kind == "significance":
            counts["claims"] += 1
            key = f"claims_{finding.status}"
            if key in counts:
                counts[key] += 1
            continue
        counts["figures"] += 1
        counts[finding.status] = counts.get(finding.status, 0) + 1
    return counts


def _n(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def summary_line(findings: list[Finding]) -> str:
    """'182 figures: 150 agree with the data, 2 disagree, 1 names a period the report does not
    cover, 29 have a source note, 0 unsourced', then the claims of significance if any."""
    c = summarise(findings)
    line = (
        f"{_n(c['figures'], 'figure', 'figures')}: "
        f"{_n(c['match'], 'agrees', 'agree')} with the data, "
        f"{_n(c['mismatch'], 'disagrees', 'disagree')}, "
        f"{_n(c['period'], 'names', 'name')} a period the report does not cover, "
        f"{_n(c['noted'], 'has', 'have')} a source note, "
        f"{c['unsourced']} unsourced"
    )
    if c["claims"]:
        unchecked = c["claims"] - c["claims_match"] - c["claims_mismatch"]
        line += (
            f"; {_n(c['claims'], 'claim', 'claims')} of significance: "
            f"{_n(c['claims_match'], 'agrees', 'agree')} with the test, "
            f"{_n(c['claims_mismatch'], 'disagrees', 'disagree')}, {unchecked} cannot be checked"
        )
    return line
