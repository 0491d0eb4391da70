"""Spreadsheet import: the one code path behind the admin's import screens and the commands.

`spreadsheet_import(...)` reads an xlsx, ods or csv file, asks the registry which layout
its header row is, lets that layout's planner check every cell into a plan, compares the
plan with what is stored and returns the counts, every problem and any notes. With
`dry_run=True` (the admin's preview) nothing is written; otherwise a file without problems
is written in one transaction (writer.py). A file with any problem writes nothing.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Iterator
from dataclasses import dataclass

from django.db import IntegrityError

from ..models import Organisation
from ..spreadsheets import NO_HEADER_ROW, ImportRefused, Sheet
from .outcome import ImportOutcome
from .plans import CataloguePlan, ObservationPlan, PlanContext
from .preview import describe_observations
from .problems import CONCURRENT_CHANGE, NO_DATA_ROWS, SHEET_SKIPPED, WRONG_KIND, Problems
from .registry import (
    CATALOGUE,
    OBSERVATIONS,
    Layout,
    detect_layout,
    every_sheet_layout,
    registered,
    unknown_layout_message,
)
from .table import Columns, SheetRows, check_headerless_columns, check_merged, split_sheet
from .workbook import workbook_sheets
from .writer import write_catalogue, write_observations

KIND_NAMES = {CATALOGUE: ("a KPI catalogue", "KPIs"), OBSERVATIONS: ("an observations", "Observations")}


@dataclass
class Recognised:
    """The layout of a file, and the first sheet of it that has that layout."""

    layout: Layout
    columns: Columns
    rows: SheetRows


def spreadsheet_import(
    *,
    content: bytes,
    file_name: str,
    user=None,
    sheet: str | None = None,
    kind: str | None = None,
    dry_run: bool = False,
    organisation: Organisation | None = None,
) -> ImportOutcome:
    """Check a spreadsheet and, unless dry_run or anything is wrong, write it in one transaction.

    kind: CATALOGUE or OBSERVATIONS to insist on one (the admin page it was uploaded on);
    None accepts either. sheet: the one sheet to read (default: the first, or every sheet
    for a layout that reads them all). organisation: whose figures an observations file
    without an organisation column (or with blank cells in it) holds; None means the home
    force, and without one such a file is refused. Never raises for bad input: problems
    are in the outcome.
    """
    file_name = (file_name or "upload").replace("\\", "/").rsplit("/", 1)[-1][:255]
    outcome = ImportOutcome(file_name=file_name, sha256=hashlib.sha256(content).hexdigest(), dry_run=dry_run)
    problems = Problems(file_name)
    try:
        sheets = workbook_sheets(content, file_name, sheet)
    except ImportRefused as refused:
        outcome.problems, outcome.problem_count = refused.problems, len(refused.problems)
        return outcome
    first = next(sheets, None)
    if first is None:
        problems.add(NO_HEADER_ROW)
        return outcome.finish(problems)
    outcome.sheet = first.name
    try:
        found, skipped = recognise(itertools.chain([first], sheets), problems)
        if found is None:
            return outcome.finish(problems)
        layout = found.layout
        outcome.layout, outcome.kind, outcome.sheet = layout.name, layout.kind, found.rows.name
        if kind and kind != layout.kind:
            problems.add(wrong_kind_message(layout.kind, kind))
            return outcome.finish(problems)
        if problems:
            return outcome.finish(problems)
        context = PlanContext(new_plan(layout), organisation=organisation, file_name=file_name)
        for note in skipped:
            context.plan.note(note)
        if layout.every_sheet and sheet is None:
            outcome.sheet = plan_every_sheet(found, sheets, problems, context)
        elif not found.rows.body:
            problems.add(NO_DATA_ROWS, found.rows.header.row)
        else:
            plan_sheet(layout, found.rows, found.columns, problems, context)
    except ImportRefused as refused:  # a later sheet that cannot be read at all
        for problem in refused.problems:
            problems.add(problem.message, problem.row)
        return outcome.finish(problems)
    return settle(context.plan, layout, outcome, problems, user=user)


def recognise(sheets: Iterator[Sheet], problems: Problems) -> tuple[Recognised | None, list[str]]:
    """The layout of the first sheet; when it has none, the first later sheet that a layout
    reading every sheet recognises (the sheets before it noted as skipped)."""
    first = next(sheets)
    rows = split_sheet(first)
    if rows is not None:
        match = detect_layout(rows.header, problems)
        if match is not None:
            check_merged(rows, problems)
            return Recognised(*match, rows), []
    skipped = [first.name]
    if any(layout.every_sheet for layout in registered()):
        for later in sheets:
            later_rows = split_sheet(later)
            match = every_sheet_layout(later_rows.header) if later_rows is not None else None
            if match is not None:
                check_merged(later_rows, problems)
                label = match[0].label
                return Recognised(*match, later_rows), [
                    SHEET_SKIPPED.format(sheet=name, label=label) for name in skipped
                ]
            skipped.append(later.name)
    if rows is None:
        problems.add(NO_HEADER_ROW)
    else:
        problems.add(unknown_layout_message(), rows.header.row)
        check_merged(rows, problems)
    return None, []


def plan_sheet(layout: Layout, rows: SheetRows, columns: Columns, problems: Problems, context) -> None:
    check_headerless_columns(rows, columns, problems)
    layout.plan(rows, columns, problems, context)


def plan_every_sheet(found: Recognised, sheets: Iterator[Sheet], problems: Problems, context) -> str:
    """Plan the first sheet and every later one of the same layout into one plan; the
    names of the sheets read. Sheets of another layout (a cover sheet, notes) are noted."""
    layout, read, body_rows = found.layout, [found.rows.name], len(found.rows.body)
    context.plan.sheet = found.rows.name
    plan_sheet(layout, found.rows, found.columns, problems.in_sheet(found.rows.name), context)
    for sheet in sheets:
        rows = split_sheet(sheet)
        sheet_problems = problems.in_sheet(sheet.name)
        columns = layout.detect(rows.header, sheet_problems) if rows is not None else None
        if columns is None:
            context.plan.note(SHEET_SKIPPED.format(sheet=sheet.name, label=layout.label))
            continue
        check_merged(rows, sheet_problems)
        context.plan.sheet = sheet.name
        plan_sheet(layout, rows, columns, sheet_problems, context)
        read.append(sheet.name)
        body_rows += len(rows.body)
    if not body_rows:
        problems.add(NO_DATA_ROWS)
    return ", ".join(read)


def settle(plan, layout: Layout, outcome: ImportOutcome, problems: Problems, *, user) -> ImportOutcome:
    """Compare the plan with what is stored, describe it, and write it unless a dry run."""
    outcome.notes = list(plan.notes)
    if not problems:
        plan.read_existing()
    outcome.new, outcome.changed, outcome.unchanged = plan.counts()
    if layout.kind == OBSERVATIONS and not problems:
        outcome.details = describe_observations(plan)
    if problems or outcome.dry_run:
        return outcome.finish(problems)
    try:
        if layout.kind == CATALOGUE:
            outcome.batch = write_catalogue(plan, outcome=outcome, user=user)
        else:
            outcome.batch = write_observations(plan, outcome=outcome, user=user, batch_kind=layout.batch_kind)
    except IntegrityError:
        problems.add(CONCURRENT_CHANGE)
    return outcome.finish(problems)


def new_plan(layout: Layout) -> CataloguePlan | ObservationPlan:
    return CataloguePlan() if layout.kind == CATALOGUE else ObservationPlan()


def wrong_kind_message(found: str, expected: str) -> str:
    return WRONG_KIND.format(
        found=KIND_NAMES[found][0], expected=KIND_NAMES[expected][0], page=KIND_NAMES[found][1]
    )
