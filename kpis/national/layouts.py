"""The national files as layouts of the import registry (kpis.imports.registry).

Importing this module registers two layouts, each reading every sheet of a workbook (one
sheet per financial year; one csv per force in a police.uk archive):

- "home office": Home Office police recorded crime tables, stated quarters and years;
- "police.uk street": police.uk street-level crime files, months (the home force's rows
  are left out: its own monthly figures come from its own files).

Written against the registry's public names (`Layout`, `register`, `Columns`, `HeaderRow`,
`SheetRows`, `Problems`, `PlanContext`); `KpisConfig.ready` imports it at start-up. The
planners' own logic is home_office.py and police_uk.py; this module only adapts them.

The registry plans a workbook sheet by sheet into one ObservationPlan. A national figure
needs every sheet (a year is complete only when its four quarters are in), so each sheet is
added to running totals kept on the PlanContext, and after each sheet the plan's values
and this layout's notes are replaced by what the totals now say.
"""

from __future__ import annotations

from kpis.imports import OBSERVATIONS, Columns, Layout, register

from . import home_office, police_uk
from .database import national_context

TOTALS_ATTRIBUTE = "national_totals"  # on the PlanContext: the running totals of this import
NOTES_ATTRIBUTE = "national_notes"  # on the PlanContext: the notes this layout last published


def _detector(layout_name: str, detect, explain):
    def detect_layout(header, problems):
        positions = detect(header.cells)
        if positions is not None:
            return Columns(layout_name, index=positions)
        near_miss = explain(header.cells)
        if near_miss:  # nearly this layout: say what is missing rather than "unknown layout"
            problems.add(near_miss, header.row)
            return Columns(layout_name, index={})
        return None

    return detect_layout


def _planner(totals_class, *, source: str, no_mappings: str, skip_home: bool):
    def plan(rows, columns, problems, context):
        totals = getattr(context, TOTALS_ATTRIBUTE, None)
        if totals is None:
            totals = totals_class(national_context(skip_home=skip_home))
            setattr(context, TOTALS_ATTRIBUTE, totals)
        if not totals.context.mappings.kpis(source):
            problems.add_once(no_mappings)
        totals.read_table(columns.index, rows.body, problems.add)
        publish(context, totals)

    return plan


def publish(context, totals) -> None:
    """Make the plan say what the running totals say: values, and this layout's notes."""
    plan = context.plan
    plan.values = totals.values()
    previous = getattr(context, NOTES_ATTRIBUTE, [])
    current = totals.notes()
    plan.notes = [n for n in plan.notes if n not in previous] + current
    setattr(context, NOTES_ATTRIBUTE, current)


HOME_OFFICE = register(
    Layout(
        name=home_office.LAYOUT,
        label=home_office.LABEL,
        kind=OBSERVATIONS,
        detect=_detector(home_office.LAYOUT, home_office.detect_home_office, home_office.explain_home_office),
        plan=_planner(
            home_office.HomeOfficeTotals,
            source=home_office.SOURCE,
            no_mappings=home_office.NO_MAPPINGS,
            skip_home=False,
        ),
        headers="'Financial Year, Financial Quarter, Force Name, …, Number of Offences'",
        order=20,
        every_sheet=True,
        batch_kind="national",
    )
)
POLICE_UK = register(
    Layout(
        name=police_uk.LAYOUT,
        label=police_uk.LABEL,
        kind=OBSERVATIONS,
        detect=_detector(police_uk.LAYOUT, police_uk.detect_police_uk, police_uk.explain_police_uk),
        plan=_planner(
            police_uk.StreetCounts,
            source=police_uk.SOURCE,
            no_mappings=police_uk.NO_MAPPINGS,
            skip_home=True,
        ),
        headers="'Crime ID, Month, Reported by, Falls within, …, Crime type'",
        order=21,
        every_sheet=True,
        batch_kind="national",
    )
)
