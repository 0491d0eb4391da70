"""Peer figures: a rank, "out of N", the highest, lowest and average of a peer group."""

from __future__ import annotations

from decimal import Decimal

from .figures import Figure
from .findings import NO_SOURCE, Finding, _finding
from .matching import Candidate, _agrees, _candidates, _label


def _rank_finding(number: str, fig: Figure, rows: list[dict]) -> Finding:
    """'6th out of the 8 most similar forces' against a row's frozen peer ranking."""
    for row in rows:
        peer = row.get("peer") or {}
        if peer.get("rank") is None:
            continue
        where = f"{_label(row)} in {peer['group']}"
        if Decimal(peer["rank"]) == fig.value:
            return _finding(
                number,
                fig,
                "match",
                kpi_code=row["kpi"]["code"],
                data_value=peer["display"],
                message=f"The ranking shows {peer['display']} ({where}); {fig.text} agrees.",
            )
        return _finding(
            number,
            fig,
            "mismatch",
            kpi_code=row["kpi"]["code"],
            data_value=peer["display"],
            message=f"The ranking shows {peer['display']} ({where}); the text says {fig.text}.",
        )
    return _finding(number, fig, "unsourced", message=NO_SOURCE)


def _peer_percent(fig: Figure, rows: list[dict]) -> tuple[Candidate, Decimal] | None:
    """A percentage that is one of a peer-ranked row's own figures (its value, highest, lowest)."""
    for row in rows:
        if not row.get("peer") or row["kpi"].get("unit") != "percent":
            continue
        for cand in _candidates(fig, [row], monthly=False):
            if cand.field.startswith("peer_") or cand.field == "current":
                unit = _agrees(fig, cand.value)
                if unit is not None:
                    return cand, unit
    return None
