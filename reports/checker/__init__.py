"""The commentary checker: do the figures in the text agree with the data?

For each paragraph it finds the figures (counts, changes, percentages, percentage points,
money, durations, ranks, years and periods) and decides, before comparing anything, what
each one claims to be: which KPI (`subjects`: the sentence's words against the KPI's
name, aliases and category; the previous sentence's subject; the section's only KPI) and
which measure (`measures`: current, previous, change, % change, points, monthly average,
share, peer rank / of N / highest / lowest / average, from cue words). `verdict` then
compares at the precision the figure is written in. Each figure gets a status:

- ``match``: it agrees with its KPI's measure (`+9.6%` with 9.63%, "around 310" with
  309.7 a month). A % beside a change no data holds also passes when the paragraph's own
  totals give it (`arithmetic`); the message says so;
- ``mismatch``: it is attributed to a KPI and measure and disagrees, or describes a rise
  where the data shows a fall; the message says what the table holds and the likely slip;
- ``period``: it names a period the report does not cover (`periods`);
- ``unsourced``: no data the checker can tie it to; ``noted`` when an editor's source note
  says where it comes from (`notes`). A few unsourced figures still raise a question
  (``warning``), such as an unsigned % in a paragraph that signs its changes.

Everything here is pure: it reads dicts in the shape of docs/snapshot.md. `paragraph`
runs the steps over one paragraph (with a list of extra per-paragraph checks) and over
a whole snapshot; `figures` finds the figures; `findings` holds the result and the
summary line.
"""

from .figures import Figure, extract_figures, sentence_spans
from .findings import NO_SOURCE, Finding, summarise, summary_line
from .paragraph import check_paragraph, check_snapshot, findings_by_paragraph

__all__ = [
    "NO_SOURCE", "Figure", "Finding", "check_paragraph", "check_snapshot", "extract_figures",
    "findings_by_paragraph", "sentence_spans", "summarise", "summary_line",
]  # fmt: skip
