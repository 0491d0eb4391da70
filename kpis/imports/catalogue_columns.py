"""Optional catalogue columns another package owns: what a cell means, what is stored for a
KPI, and how a changed value is written.

kpis.national adds `national_rows` (the KPI's national mappings) this way, at start-up, as
it adds its layouts: the import package never imports the national-data code.

A registered column that is in the file is the KPI's whole value: a blank cell means none
(no mappings), not "leave as it is". A file without the column leaves every KPI's value
as it is.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

# read(cell text with the formula guard undone, the row's catalogue values) ->
#     (value to compare and write, messages for what is wrong in the cell)
Reader = Callable[[str, dict], tuple[object, list[str]]]


@dataclass(frozen=True)
class CatalogueColumn:
    """One optional catalogue column.

    name: its header, one of header_check.CATALOGUE_COLUMNS.
    read: the cell as a value (hashable, compared with `stored`), with any problems.
    stored(kpi ids): each KPI's stored value; a KPI with none may be left out.
    write({kpi id: value}): replaces those KPIs' values; runs inside the catalogue write's
        transaction, after new KPIs are created.
    empty: the value of a blank cell.
    """

    name: str
    read: Reader
    stored: Callable[[Iterable[int]], dict[int, object]]
    write: Callable[[dict[int, object]], None]
    empty: object = frozenset()


_COLUMNS: dict[str, CatalogueColumn] = {}


def register_catalogue_column(column: CatalogueColumn) -> CatalogueColumn:
    """Add a column; another column of the same name is refused (ValueError)."""
    known = _COLUMNS.get(column.name)
    if known is not None and known != column:
        raise ValueError(f"A catalogue column named {column.name!r} is already registered.")
    _COLUMNS[column.name] = column
    return column


def catalogue_columns() -> list[CatalogueColumn]:
    return list(_COLUMNS.values())
