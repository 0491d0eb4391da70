"""The KPI catalogue layout: `code, name, category, unit, aggregation, good_direction,
decimals, description` (and optionally `aliases` and the registered columns, e.g.
`national_rows`: catalogue_columns.py), one KPI per row, matched on code."""

from __future__ import annotations

import re

from ..cells import FORMULA, cell_text, unneutralise
from ..models import Kpi, split_aliases
from .catalogue_columns import CatalogueColumn, catalogue_columns
from .header_check import CATALOGUE_COLUMNS, CATALOGUE_REQUIRED, claim_columns, read_known_headers
from .plans import CataloguePlan, PlanContext
from .problems import (
    BAD_CHOICE,
    BAD_DECIMALS,
    CODE_TWICE,
    EMPTY_CELL,
    FORMULA_NO_VALUE,
    TEXT_TOO_LONG,
    Problems,
)
from .registry import CATALOGUE, Layout, register
from .table import Columns, HeaderRow, SheetRows

CHOICES = {"unit": Kpi.Unit, "aggregation": Kpi.Aggregation, "good_direction": Kpi.Direction}


def detect_catalogue(header: HeaderRow, problems: Problems) -> Columns | None:
    known = read_known_headers(header)
    if sum(1 for c in CATALOGUE_COLUMNS if c in known.guessed) < 3:
        return None
    return claim_columns(
        known, problems, layout=CATALOGUE, allowed=CATALOGUE_COLUMNS, required=CATALOGUE_REQUIRED
    )


def text_limits() -> dict[str, int]:
    return {f.name: f.max_length for f in Kpi._meta.get_fields() if getattr(f, "max_length", None)}


def choice_of(name: str, text: str) -> str | None:
    """The stored value of a unit, aggregation or direction written as its value or its label."""
    enum = CHOICES[name]
    lookup = {v.lower(): v for v in enum.values}
    lookup.update({str(label).lower(): v for v, label in enum.choices})
    return lookup.get(text.lower())


class CatalogueRow:
    """One catalogue row read field by field; `ok` is False once any field was wrong."""

    def __init__(self, number: int, cells: list, rows: SheetRows, columns: Columns, problems: Problems):
        self.number, self.cells, self.rows, self.problems = number, cells, rows, problems
        self.index = columns.index
        self.values: dict = {}
        self.ok = True

    def text(self, name: str) -> tuple[str, int | None]:
        pos = self.index.get(name)
        return (cell_text(self.cells[pos]) if pos is not None and pos < len(self.cells) else ""), pos

    def wrong(self, message: str, pos: int | None, header: str) -> None:
        self.problems.add(message, self.number, pos, header)
        self.ok = False

    def read_aliases(self, limit: int) -> None:
        aliases = "; ".join(split_aliases(unneutralise(self.text("aliases")[0])))
        self.values["aliases"] = aliases
        if len(aliases) > limit:
            message = TEXT_TOO_LONG.format(name="aliases", length=len(aliases), limit=limit)
            self.wrong(message, self.index["aliases"], "aliases")

    def read_column(self, column: CatalogueColumn) -> None:
        """A registered column's cell, read once the row's own fields are (its reader may
        check them, e.g. that a KPI with national rows is a summed count)."""
        text, pos = self.text(column.name)
        header = self.rows.header.text(pos)
        if pos < len(self.cells) and self.cells[pos] is FORMULA:
            self.wrong(FORMULA_NO_VALUE, pos, header)
            return
        value, messages = column.read(unneutralise(text), self.values)
        for message in messages:
            self.wrong(message, pos, header)
        self.values[column.name] = value

    def read(self, name: str, limits: dict[str, int]) -> None:
        text, pos = self.text(name)
        header = self.rows.header.text(pos) if pos is not None else name
        if pos is not None and pos < len(self.cells) and self.cells[pos] is FORMULA:
            self.wrong(FORMULA_NO_VALUE, pos, header)
            return
        text = unneutralise(text)
        if name == "description":
            self.values[name] = text
        elif not text:
            self.wrong(EMPTY_CELL.format(name=name.replace("_", " ")), pos, header)
        elif name in CHOICES:
            self.values[name] = value = choice_of(name, text)
            if value is None:
                choices = ", ".join(CHOICES[name].values)
                self.wrong(
                    BAD_CHOICE.format(text=text, name=name.replace("_", " "), choices=choices), pos, header
                )
        elif name == "decimals":
            if re.fullmatch(r"[0-6](\.0+)?", text):
                self.values[name] = int(float(text))
            else:
                self.wrong(BAD_DECIMALS.format(text=text), pos, header)
        else:
            if name in limits and len(text) > limits[name]:
                message = TEXT_TOO_LONG.format(name=name, length=len(text), limit=limits[name])
                self.wrong(message, pos, header)
            self.values[name] = text


def plan_catalogue(rows: SheetRows, columns: Columns, problems: Problems, context: PlanContext) -> None:
    plan: CataloguePlan = context.plan
    plan.with_aliases = "aliases" in columns.index
    plan.columns = [c for c in catalogue_columns() if c.name in columns.index]
    limits = text_limits()
    for number, cells in rows.body:
        row = CatalogueRow(number, cells, rows, columns, problems)
        if plan.with_aliases:
            row.read_aliases(limits["aliases"])
        for name in ("code", *CataloguePlan.FIELDS):
            row.read(name, limits)
        for column in plan.columns:
            row.read_column(column)
        code = row.values.get("code")
        if code and code in plan.first_row:
            message = CODE_TWICE.format(code=code, first_row=plan.first_row[code])
            problems.add(message, number, columns.index["code"], "code")
            continue
        if code:
            plan.first_row[code] = number
        if row.ok:
            plan.rows[code] = row.values


register(
    Layout(
        name=CATALOGUE,
        label="KPI catalogue",
        kind=CATALOGUE,
        detect=detect_catalogue,
        plan=plan_catalogue,
        headers="'code, name, category, unit, aggregation, good_direction, decimals, description'",
        order=80,
    )
)
