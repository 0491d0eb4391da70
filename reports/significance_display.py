"""How the significance of each row's change is shown: markers, the notes' title, the method.

Reads `rows[].analysis.significance` (docs/snapshot.md). Snapshots frozen before the test
allowed for the monthly variation (schema 1) hold the two-count Poisson test only; they
keep the words they were published with.
"""

from __future__ import annotations

from kpis.significance import format_p

ABOUT_SIGNIFICANCE = (
    "The markers (s) and (ns) after a % change compare the average month of the two periods and "
    "allow for how much the monthly figures normally vary about each period's average (a quasi-Poisson "
    "comparison of rates at the 5% level), so (s) means the change is bigger than that month-to-month "
    "variation would explain and (ns) that it is within it. The range given with each change is its 95% "
    "interval; where a period has fewer than six monthly figures, or none, the note says that a simpler "
    "test for two counts stands in, which does not allow for that variation."
)
TITLE = (
    "Is the change bigger than the usual variation? (s) bigger than the month-to-month variation would "
    "explain; (ns) within the usual variation."
)
TITLE_NONE_TESTED = "Is the change bigger than the usual variation?"
TITLE_SCHEMA_1 = (
    "Is the change more than chance? (s) larger than chance alone would explain; (ns) within what chance "
    "could explain (a test for two counts at the 5% level)."
)
MARKERS = {
    True: ("(s)", "bigger than the usual variation would explain, see note"),
    False: ("(ns)", "within the usual variation, see note"),
}
MARKERS_SCHEMA_1 = {
    True: ("(s)", "larger than chance alone would explain, see note"),
    False: ("(ns)", "within what chance could explain, see note"),
}


def _significance(row: dict) -> dict | None:
    return row["analysis"]["significance"] or None


def allows_for_variation(sig: dict | None) -> bool:
    """Frozen by the test that knows about monthly variation (it records why it fell back)."""
    return bool(sig) and "fallback" in sig


def marker(sig: dict | None) -> dict | None:
    """{"label": "(s)", "hidden": words for screen readers}, or None for no marker."""
    if not sig or sig["significant"] is None:
        return None
    label, hidden = (MARKERS if allows_for_variation(sig) else MARKERS_SCHEMA_1)[bool(sig["significant"])]
    return {"label": label, "hidden": hidden}


def decorate_section(section: dict) -> bool:
    """Add each row's `significance_marker` and the section's notes title; True if the method shows."""
    rows = section["rows"]
    sigs = [_significance(row) for row in rows]
    for row, sig in zip(rows, sigs, strict=True):
        row["significance_marker"] = marker(sig)
    section["has_significance"] = any(sigs)
    tested = [sig for sig in sigs if sig and sig["significant"] is not None]
    if not any(allows_for_variation(sig) for sig in sigs):
        section["significance_title"] = TITLE_SCHEMA_1
    else:
        section["significance_title"] = TITLE if tested else TITLE_NONE_TESTED
    return any(allows_for_variation(sig) for sig in tested)


def _method_words(sig: dict) -> str:
    method = sig["method"]
    if method == "not-tested":
        return "Not tested."
    p = "" if sig["p_value"] is None else f", {format_p(sig['p_value'])}"
    name = "Quasi-Poisson" if method == "quasi-poisson" else f"Test for two counts ({method})"
    note = sig.get("dispersion_note") or "No dispersion recorded (frozen before the test allowed for it)."
    return f"{name}{p}. {note}"


def review_rows(snapshot: dict) -> list[dict]:
    """For the reviewer's page: each tested row's verdict, the test and dispersion, and SPC."""
    out = []
    for section in snapshot["sections"]:
        for row in section["rows"]:
            sig = _significance(row)
            if not sig:
                continue
            spc = row["analysis"]["spc"]
            if sig.get("spc_note"):
                against = sig["spc_note"]
            elif sig["significant"] is None:
                against = "–"
            elif not spc:
                against = "No XmR chart (fewer than 12 months with figures)."
            else:
                against = f"They agree. The chart reads: {spc['reading']}"
            out.append(
                {
                    "kpi": f"{row['kpi']['code']} {row['kpi']['name']}",
                    "explanation": sig["explanation"],
                    "method": _method_words(sig),
                    "against_spc": against,
                    "disagree": bool(sig.get("spc_note")),
                }
            )
    return out
