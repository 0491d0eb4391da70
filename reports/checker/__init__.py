"""The commentary checker: do the figures in the text agree with the tables?

For each paragraph it finds the figures (counts, changes, percentages, percentage points,
money, durations, years and periods), and matches them against the KPI rows of the
paragraph's section and against the report's two periods:

- ``match``: the figure agrees with a table value (current, previous, volume change or %
  change, or a monthly average where the sentence speaks of months) at the precision it is
  written in (`+9.6%` agrees with 9.63%, and so does the table's `+10%`); qualifiers are
  understood: "over 11,000" agrees with 11,643, "around 310" with 309.7. A % beside a
  change that no table holds also passes when the paragraph's own totals give it
  ("6,565 … (-7%, a reduction of 462)": 462 / 7,027 = 6.57%); the message says so;
- ``mismatch``: the figure is tied to a KPI (a % given with a change that matches the table)
  but disagrees, or it describes a rise where the table shows a fall;
- ``period``: it names a period the report does not cover ("as at the end of March 2018" in
  a 2018/19 report, "the same quarter" in a report of whole years);
- ``unchecked``: no table value to check it against. A few unchecked figures still raise a
  question the checker can state honestly (``warning``), such as an unsigned % in a
  paragraph that signs its changes.

Everything here is pure: it reads dicts in the shape of docs/snapshot.md. The modules:
`figures` (finding figures in text), `matching` (comparing at the written precision),
`periods`, `peers`, `arithmetic` (a % against the paragraph's own totals), `findings` and
`paragraph` (the steps run over one paragraph, and the whole snapshot).
"""

from .figures import Figure, extract_figures, sentence_spans
from .findings import NO_SOURCE, Finding, summarise, summary_line
from .paragraph import check_paragraph, check_snapshot, findings_by_paragraph

__all__ = [
    "NO_SOURCE", "Figure", "Finding", "check_paragraph", "check_snapshot", "extract_figures",
    "findings_by_paragraph", "sentence_spans", "summarise", "summary_line",
]  # fmt: skip
