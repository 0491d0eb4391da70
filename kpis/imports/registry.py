"""The registry of spreadsheet layouts: which layouts an import knows, and which one a
sheet is, from its header row.

A layout is registered once, when the module that defines it is imported (another
package imports that module at start-up, e.g. from its AppConfig.ready()):

    from kpis.imports import OBSERVATIONS, Columns, Layout, register

    def detect(header, problems):      # header: HeaderRow (.cells, .names, .row, .text(pos))
        if "force_name" not in header.names:
            return None                # not this layout: and add no problems
        return Columns("home office", index={"force_name": header.names.index("force_name"), ...})

    def plan(rows, columns, problems, context):   # rows: SheetRows (.name, .header, .body)
        for number, cells in rows.body:
            org_id = context.organisations.get(name)   # None: not a known force
            kpi_id = context.kpis.get(code)            # {code: id}
            first = context.plan.add((kpi_id, org_id, start, end), value, number)
            if first is not None:                      # given twice: where it was first
                problems.add(f"... (first in row {first}).", number, pos, header)
        context.plan.note("skipped 1,234 rows for Action Fraud, which is not a force")

    register(Layout(name="home office", label="Home Office recorded crime", kind=OBSERVATIONS,
                    detect=detect, plan=plan, headers="'Financial Year, Force Name, …'",
                    every_sheet=True, order=5))

Keys are (kpi_id, org_id, month start) for a monthly value, (kpi_id, org_id, start, end)
for a stated period; one plan may hold both. tests/kpis/imports/test_registry.py has a
working example.

`spreadsheet_import` asks `detect_layout` which registered layout the header row is,
trying them by `order` (lower first; the built-in layouts are 10–80, the general
observations layouts last), and then lets the layout's planner read the rows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .problems import UNKNOWN_LAYOUT, Problems
from .table import Columns, HeaderRow

if TYPE_CHECKING:
    from .plans import PlanContext
    from .table import SheetRows

# What a layout holds, and so which admin page imports it.
CATALOGUE = "catalogue"
OBSERVATIONS = "observations"
KINDS = (CATALOGUE, OBSERVATIONS)
NAME_LIMIT = 20  # ImportBatch.layout's length

Detector = Callable[[HeaderRow, Problems], Columns | None]
Planner = Callable[["SheetRows", Columns, Problems, "PlanContext"], None]


@dataclass(frozen=True)
class Layout:
    """One spreadsheet layout.

    name: stored in ImportBatch.layout and shown beside the counts (at most 20 characters).
    label: what people call it ("observations, long"), in messages.
    kind: CATALOGUE or OBSERVATIONS (the admin page, and which writer).
    detect(header, problems): the Columns when the header row is this layout (adding any
        header problems), else None adding nothing.
    plan(rows, columns, problems, context): reads one sheet's body into context.plan
        (problems for bad cells, notes for what was deliberately left out).
    headers: how its header row looks, for the message naming every layout.
    every_sheet: read every sheet of a workbook (each planned into one combined plan)
        unless the upload names a sheet; sheets whose headers are not this layout are
        skipped with a note.
    batch_kind: ImportBatch.kind of its imports (default: kind).
    """

    name: str
    label: str
    kind: str
    detect: Detector
    plan: Planner
    headers: str = ""
    order: int = 50
    every_sheet: bool = False
    batch_kind: str = ""

    def __post_init__(self):
        if not self.name or len(self.name) > NAME_LIMIT:
            raise ValueError(f"A layout's name is 1 to {NAME_LIMIT} characters: {self.name!r}.")
        if self.kind not in KINDS:
            raise ValueError(f"A layout's kind is one of {', '.join(KINDS)}: {self.kind!r}.")
        if not self.batch_kind:
            object.__setattr__(self, "batch_kind", self.kind)


_LAYOUTS: dict[str, Layout] = {}


def register(layout: Layout) -> Layout:
    """Add a layout; a second layout of the same name is refused (ValueError)."""
    known = _LAYOUTS.get(layout.name)
    if known is not None and known != layout:
        raise ValueError(f"A layout named {layout.name!r} is already registered.")
    _LAYOUTS[layout.name] = layout
    return layout


def unregister(name: str) -> None:
    _LAYOUTS.pop(name, None)


def registered() -> list[Layout]:
    """Every layout, in the order detection tries them."""
    return sorted(_LAYOUTS.values(), key=lambda layout: (layout.order, layout.name))


def layout_named(name: str) -> Layout | None:
    return _LAYOUTS.get(name)


def detect_layout(header: HeaderRow, problems: Problems) -> tuple[Layout, Columns] | None:
    """The first registered layout that recognises the header row, with its columns (its
    header problems added); None when no layout does (`unknown_layout_message` says so)."""
    for layout in registered():
        columns = layout.detect(header, problems)
        if columns is not None:
            return layout, columns
    return None


def every_sheet_layout(header: HeaderRow) -> tuple[Layout, Columns] | None:
    """The layout reading every sheet that recognises this header row, without problems:
    used to find the first data sheet of a workbook whose first sheet is a cover sheet."""
    for layout in registered():
        if layout.every_sheet:
            scratch = Problems("")
            columns = layout.detect(header, scratch)
            if columns is not None and not scratch:
                return layout, columns
    return None


def unknown_layout_message() -> str:
    described = [f"{layout.headers} ({layout.label})" for layout in registered() if layout.headers]
    if len(described) > 1:
        described = [", ".join(described[:-1]) + " or " + described[-1]]
    return UNKNOWN_LAYOUT.format(layouts=described[0] if described else "a documented layout")
