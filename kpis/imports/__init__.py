"""Spreadsheet imports of the KPI catalogue and of observations: one package, one path.

    from kpis.imports import spreadsheet_import
    outcome = spreadsheet_import(content=..., file_name="figures.xlsx", dry_run=True)

Modules, each depending only on those listed before it:

- problems.py: every message, and the collector of a file's problems;
- table.py: a sheet as a header row and body rows; which column is which;
- lookups.py: KPIs, organisations, stored values, and the one "did you mean …" suggestion;
- plans.py: what an import will write (values, not SQL) and what a planner reads besides;
- registry.py: the layouts (`Layout`, `register`) and which one a header row is;
- catalogue_columns.py: optional catalogue columns another package owns
  (`CatalogueColumn`, `register_catalogue_column`; kpis.national's `national_rows`);
- header_check.py, period_cells.py: what the built-in layouts share;
- catalogue.py, monthly.py (long, wide), peers.py (peers long, peers wide): the built-in
  layouts, each registering itself;
- preview.py: what an observations import will do, for the preview;
- writer.py: the one writer (bulk SQL, COPY on PostgreSQL, history, ImportBatch, signals);
- workbook.py: every sheet of a workbook, for layouts that read them all;
- outcome.py, service.py: `spreadsheet_import` and what it returns.

Another package adds a layout with `register(Layout(...))` (see registry.py), or a
catalogue column with `register_catalogue_column(...)`, in a module imported at start-up.
"""

from . import catalogue, monthly, peers  # noqa: F401  the built-in layouts register themselves
from .catalogue_columns import CatalogueColumn, catalogue_columns, register_catalogue_column
from .header_check import CATALOGUE_COLUMNS, LONG_COLUMNS
from .lookups import OrganisationLookup, suggestions
from .monthly import LONG, WIDE
from .outcome import ImportOutcome, iter_problem_lines, oversize_outcome
from .peers import PEERS_LONG, PEERS_WIDE
from .plans import CataloguePlan, ObservationPlan, PlanContext
from .problems import Problems
from .registry import CATALOGUE, OBSERVATIONS, Layout, layout_named, register, registered, unregister
from .service import spreadsheet_import
from .table import Columns, HeaderRow, SheetRows
from .writer import observation_save, observations_delete

__all__ = [
    "CATALOGUE",
    "CATALOGUE_COLUMNS",
    "LONG",
    "LONG_COLUMNS",
    "OBSERVATIONS",
    "PEERS_LONG",
    "PEERS_WIDE",
    "WIDE",
    "CatalogueColumn",
    "CataloguePlan",
    "Columns",
    "HeaderRow",
    "ImportOutcome",
    "Layout",
    "ObservationPlan",
    "OrganisationLookup",
    "PlanContext",
    "Problems",
    "SheetRows",
    "catalogue_columns",
    "iter_problem_lines",
    "layout_named",
    "observation_save",
    "observations_delete",
    "oversize_outcome",
    "register",
    "register_catalogue_column",
    "registered",
    "spreadsheet_import",
    "suggestions",
    "unregister",
]
