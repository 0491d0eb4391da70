"""Peer figures: a rank, "out of N", the highest, lowest and average of a peer group."""

from __future__ import annotations

from decimal import Decimal

from .figures import Figure
from .findings import NO_SOURCE, Finding, figure_finding
from .matching import Candidate, agreeing_unit, candidates_for, row_label


def rank_finding(number: str, fig: Figure, rows: list[dict]) -> Finding:
    """'6th out of the 8 most similar forces' against a row's frozen peer ranking."""
    for row in rows:
        peer = row.get("peer") or {}
        if peer.get("rank") is None:
            continue
        where = f"{row_label(row)} in {peer['group']}"
        if Decimal(peer["rank"]) == fig.value:
            return figure_finding(
                number,
                fig,
                "match",
                kpi_code=row["kpi"]["code"],
                data_value=peer["display"],
                message=f"The ranking shows {peer['display']} ({where}); {fig.text} agrees.",
            )
        return figure_finding(
            number,
            fig,
            "mismatch",
            kpi_code=row["kpi"]["code"],
            data_value=peer["display"],
            message=f"The ranking shows {peer['display']} ({where}); the text says {fig.text}.",
        )
    return figure_finding(number, fig, "unsourced", message=NO_SOURCE)


def peer_percent(fig: Figure, rows: list[dict]) -> tuple[Candidate, Decimal] | None:
    """A percentage that is one of a peer-ranked row's own figures (its value, highest, lowest)."""
    for row in rows:
        if not row.get("peer") or row["kpi"].get("unit") != "percent":
            continue
        for cand in candidates_for(fig, [row], monthly=False):
            if cand.field.startswith("peer_") or cand.field == "current":
                unit = agreeing_unit(fig, cand.value)
                if unit is not None:
                    return cand, unit
    return None
