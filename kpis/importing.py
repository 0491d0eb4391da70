"""Spreadsheet import: the one code path behind the admin's import screen and the commands.

`spreadsheet_import(...)` reads an xlsx, ods or csv file, works out which of the three
documented layouts it uses (KPI catalogue; observations long; observations wide), checks
every cell, compares the values with what is stored and returns the counts and every
problem. With `dry_run=True` (the admin's preview) nothing is written; otherwise a file
without problems is written in one transaction with an ImportBatch and one
ObservationChange per new or changed value. A file with any problem writes nothing.

Reading the file (limits, zip-bomb checks, defusedxml, no macros, no legacy .xls) and
parsing its cells is kpis/spreadsheets.py; this module decides what the cells mean and
writes them.
"""

from __future__ import annotations

import difflib
import hashlib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from portal.edit_versions import record_edit

from . import signals
from .cells import (
    FORMULA,
    FOUR_PLACES,
    MAX_VALUE,
    cell_text,
    month_label,
    parse_month,
    parse_number,
    unneutralise,
)
from .periods import month_end
from .spreadsheets import (
    FILE_TOO_BIG,
    NO_HEADER_ROW,
    ImportProblem,
    ImportRefused,
    Sheet,
    column_letter,
    read_sheet,
)

# --------------------------------------------------------------------------- messages
# Whole-file problems.
NO_DATA_ROWS = "The sheet has headers but no data rows."
UNKNOWN_LAYOUT = (
    "The headers do not match a known layout. Use 'code, name, category, unit, aggregation, "
    "good_direction, decimals, description' (KPI catalogue), 'kpi_code, month, value' "
    "(observations, long) or 'kpi_code' then one column per month (observations, wide)."
)
WRONG_KIND = "This is {found} file, not {expected} file: import it on the {page} page."
CONCURRENT_CHANGE = (
    "Another import changed the same figures at the same moment: nothing was written, try again."
)

# Header problems.
HEADER_MISSPELT = "Header '{header}' is not a known column; did you mean '{suggestion}'?"
HEADER_UNKNOWN = "Header '{header}' is not a known column or a month."
HEADER_MISSING = "Column '{name}' is missing."
HEADER_DUPLICATE = "Header '{header}' appears twice (also in column {other})."
HEADER_EMPTY = "This column has figures but no header."
MONTH_HEADER_TWICE = "Month {month} has two columns (also column {other})."

# Cell problems.
MERGED_CELLS = "Cells {range} are merged: unmerge them and give each cell its own value."
EMPTY_CELL = "The {name} is empty."
NOT_A_MONTH = "'{text}' is not a month: write it as 2018-04, Apr-18 or a date."
FORMULA_NO_VALUE = "The cell holds a formula with no saved value: open the file, recalculate and save it."
LONG_VALUE_EMPTY = (
    "The value is empty: give the month's figure, or delete the row if there is none yet "
    "(a long file lists only the months that have figures)."
)
UNKNOWN_KPI = "There is no KPI with code '{code}'."
UNKNOWN_KPI_SUGGEST = "There is no KPI with code '{code}'; nearest codes: {suggestions}."
UNKNOWN_ORGANISATION = (
    "There is no organisation '{text}': add it under Organisations, or write the name or code "
    "it has there."
)
UNKNOWN_ORGANISATION_SUGGEST = (
    "There is no organisation '{text}'; did you mean {suggestions}? If it is another name for "
    "one of them, add it to that organisation's other names (Organisations)."
)
MONTH_TWICE = "KPI {code} has a value for {month} twice (first in row {first_row})."
CODE_TWICE = "KPI code '{code}' appears twice (first in row {first_row})."
BAD_CHOICE = "'{text}' is not a valid {name}: use one of {choices}."
BAD_DECIMALS = "'{text}' is not a number of decimal places between 0 and 6."
TEXT_TOO_LONG = "The {name} is {length} characters; the limit is {limit}."
MORE_PROBLEMS = "… and {count:,} more problems not listed."

# --------------------------------------------------------------------------- layouts
CATALOGUE = "catalogue"
LONG = "long"
WIDE = "wide"
OBSERVATIONS = "observations"

CATALOGUE_COLUMNS = (
    "code",
    "name",
    "category",
    "unit",
    "aggregation",
    "good_direction",
    "decimals",
    "description",
    "aliases",
)
CATALOGUE_REQUIRED = ("code", "name", "category", "unit", "aggregation", "good_direction", "decimals")
LONG_COLUMNS = ("kpi_code", "month", "value")
# Descriptive columns analysts keep beside the figures are allowed and ignored.
OPTIONAL_OBSERVATION_COLUMNS = ("organisation", "kpi_name", "name")
KNOWN_COLUMNS = set(CATALOGUE_COLUMNS) | set(LONG_COLUMNS) | set(OPTIONAL_OBSERVATION_COLUMNS)
# Headers people write for the same column.
HEADER_ALIASES = {
    "kpi": "kpi_code",
    "organization": "organisation",
    "force": "organisation",
    "period": "month",
}

MAX_PROBLEMS_LISTED = 500


# --------------------------------------------------------------------------- results
@dataclass
class ImportOutcome:
    """What an import found (and, unless a dry run, did): counts, problems, the batch."""

    file_name: str
    sha256: str
    kind: str = ""
    layout: str = ""
    sheet: str = ""
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    problems: list[ImportProblem] = field(default_factory=list)
    problem_count: int = 0
    dry_run: bool = True
    batch: object = None  # ImportBatch once written
    details: object = None  # observations: what the preview will write (kpis.import_preview)

    @property
    def errors(self) -> int:
        return self.problem_count

    @property
    def total(self) -> int:
        return self.new + self.changed + self.unchanged

    @property
    def ok(self) -> bool:
        return self.problem_count == 0

    @property
    def written(self) -> bool:
        return self.batch is not None

    def counts(self) -> dict[str, int]:
        return {"new": self.new, "changed": self.changed, "unchanged": self.unchanged, "errors": self.errors}

    def summary(self) -> str:
        layout = f" ({self.layout} layout)" if self.layout else ""
        return (
            f"{self.file_name}{layout}: {self.new:,} new, {self.changed:,} changed, "
            f"{self.unchanged:,} unchanged, {self.errors:,} errors"
        )


class _Problems:
    """Collects problems, listing the first MAX_PROBLEMS_LISTED and counting the rest."""

    def __init__(self, file_name: str):
        self.file_name = file_name
        self.items: list[ImportProblem] = []
        self.count = 0

    def add(self, message: str, row: int | None = None, col: int | None = None, header: str = "") -> None:
        self.count += 1
        if len(self.items) < MAX_PROBLEMS_LISTED:
            letter = column_letter(col) if col is not None else None
            self.items.append(ImportProblem(self.file_name, message, row, letter, header))

    def listed(self) -> list[ImportProblem]:
        if self.count > len(self.items):
            extra = MORE_PROBLEMS.format(count=self.count - len(self.items))
            return [*self.items, ImportProblem(self.file_name, extra)]
        return list(self.items)

    def __bool__(self) -> bool:
        return self.count > 0


# --------------------------------------------------------------------------- layouts
def _normalise_header(value) -> str:
    text = re.sub(r"[\s\-]+", "_", cell_text(value).lower()).strip("_")
    return HEADER_ALIASES.get(text, text)


@dataclass
class _Columns:
    layout: str
    index: dict[str, int]  # column name -> position
    months: dict[int, date] = field(default_factory=dict)  # position -> month (wide)


def _detect_layout(headers: list, problems: _Problems, header_row: int) -> _Columns | None:
    """Work out the layout from the header row, reporting unknown, misspelt and missing headers."""
    index: dict[str, int] = {}
    months: dict[int, date] = {}
    unknown: list[tuple[int, str]] = []
    for pos, raw in enumerate(headers):
        name = _normalise_header(raw)
        if not name:
            continue
        if name in KNOWN_COLUMNS:
            if name in index:
                problems.add(
                    HEADER_DUPLICATE.format(header=cell_text(raw), other=column_letter(index[name])),
                    header_row,
                    pos,
                )
            else:
                index[name] = pos
            continue
        month = parse_month(raw)
        if month is not None:
            other = next((p for p, m in months.items() if m == month), None)
            if other is not None:
                problems.add(
                    MONTH_HEADER_TWICE.format(month=month_label(month), other=column_letter(other)),
                    header_row,
                    pos,
                )
            months[pos] = month
            continue
        unknown.append((pos, cell_text(raw)))

    # Misspelt headers count towards the layout they were meant for.
    guessed = dict(index)
    suggestions: dict[int, str] = {}
    for pos, text in unknown:
        close = difflib.get_close_matches(
            _normalise_header(text), sorted(KNOWN_COLUMNS - set(guessed)), 1, 0.6
        )
        if close:
            suggestions[pos] = close[0]
            guessed[close[0]] = pos

    if "month" in guessed or "value" in guessed:
        layout, required = LONG, LONG_COLUMNS
    elif months:
        layout, required = WIDE, ("kpi_code",)
    elif sum(1 for c in CATALOGUE_COLUMNS if c in guessed) >= 3:
        layout, required = CATALOGUE, CATALOGUE_REQUIRED
    else:
        problems.add(UNKNOWN_LAYOUT, header_row)
        return None

    allowed = (
        set(CATALOGUE_COLUMNS) if layout == CATALOGUE else set(required) | set(OPTIONAL_OBSERVATION_COLUMNS)
    )
    for pos, text in unknown:
        if pos in suggestions and suggestions[pos] in allowed:
            problems.add(HEADER_MISSPELT.format(header=text, suggestion=suggestions[pos]), header_row, pos)
        else:
            problems.add(HEADER_UNKNOWN.format(header=text), header_row, pos)
    for name, pos in index.items():
        if name not in allowed:
            problems.add(HEADER_UNKNOWN.format(header=cell_text(headers[pos])), header_row, pos)
    if layout != WIDE:
        for pos in months:
            problems.add(HEADER_UNKNOWN.format(header=cell_text(headers[pos])), header_row, pos)
    for name in required:
        if name not in index and name not in {suggestions.get(p) for p, _ in unknown}:
            problems.add(HEADER_MISSING.format(name=name), header_row)
    return _Columns(layout, index, months if layout == WIDE else {})


def _check_merged(sheet: Sheet, header_row: int, problems: _Problems) -> None:
    for r1, c1, r2, _c2, ref in sheet.merged:
        if r2 >= header_row:
            problems.add(MERGED_CELLS.format(range=ref), r1, c1)


# --------------------------------------------------------------------------- the service
def spreadsheet_import(
    *,
    content: bytes,
    file_name: str,
    user=None,
    sheet: str | None = None,
    kind: str | None = None,
    dry_run: bool = False,
    organisation=None,
) -> ImportOutcome:
    """Check a spreadsheet and, unless dry_run or anything is wrong, write it in one transaction.

    kind: CATALOGUE or OBSERVATIONS to insist on one (the admin page it was uploaded on);
    None accepts either. organisation: whose figures an observations file without an
    organisation column (or with blank cells in it) holds; None means the home force.
    Never raises for bad input: problems are in the outcome.
    """
    file_name = (file_name or "upload").replace("\\", "/").rsplit("/", 1)[-1][:255]
    outcome = ImportOutcome(file_name=file_name, sha256=hashlib.sha256(content).hexdigest(), dry_run=dry_run)
    problems = _Problems(file_name)
    try:
        data = read_sheet(content=content, file_name=file_name, sheet=sheet)
    except ImportRefused as refused:
        outcome.problems, outcome.problem_count = refused.problems, len(refused.problems)
        return outcome
    outcome.sheet = data.name

    header_at = next((i for i, (_, cells) in enumerate(data.rows) if _row_filled(cells)), None)
    if header_at is None:
        problems.add(NO_HEADER_ROW)
        return _finish(outcome, problems)
    header_row, headers = data.rows[header_at]
    body = [(n, cells) for n, cells in data.rows[header_at + 1 :] if _row_filled(cells)]
    from .peer_import import PEER_LAYOUTS, PeerFigureImport, detect_peer_layout  # peer figures (issue 9)

    columns = detect_peer_layout(headers, problems, header_row)
    columns = columns or _detect_layout(headers, problems, header_row)
    _check_merged(data, header_row, problems)
    if columns is None:
        return _finish(outcome, problems)
    outcome.layout = columns.layout
    outcome.kind = CATALOGUE if columns.layout == CATALOGUE else OBSERVATIONS
    if kind and kind != outcome.kind:
        problems.add(_wrong_kind(outcome.kind, kind))
        return _finish(outcome, problems)
    if problems:
        return _finish(outcome, problems)
    if not body:
        problems.add(NO_DATA_ROWS, header_row)
        return _finish(outcome, problems)
    _check_headerless_columns(headers, body, columns, problems)

    if columns.layout == CATALOGUE:
        handler = _CatalogueImport
    elif columns.layout in PEER_LAYOUTS:
        handler = PeerFigureImport
    else:
        handler = _ObservationImport
    if handler is _ObservationImport:
        plan = handler.plan(
            body=body, headers=headers, columns=columns, problems=problems, default_organisation=organisation
        )
    else:
        plan = handler.plan(body=body, headers=headers, columns=columns, problems=problems)
    outcome.new, outcome.changed, outcome.unchanged = plan.counts()
    if handler is _ObservationImport and not problems:
        from .import_preview import describe_observations

        outcome.details = describe_observations(plan, organisation=organisation)
    if problems or dry_run:
        return _finish(outcome, problems)
    try:
        outcome.batch = plan.write(outcome=outcome, user=user)
    except IntegrityError:
        problems.add(CONCURRENT_CHANGE)
    return _finish(outcome, problems)


def oversize_outcome(*, file_name: str, size: int) -> ImportOutcome:
    """The outcome for an upload too big to read at all (checked before reading it)."""
    problem = ImportProblem(file_name, FILE_TOO_BIG.format(size=size, limit=settings.IMPORT_MAX_FILE_BYTES))
    return ImportOutcome(file_name=file_name, sha256="", problems=[problem], problem_count=1)


def observation_save(*, observation, by) -> object:
    """Save an observation edited by hand in the admin, recording the change in its history."""
    from .models import Observation, ObservationChange

    with transaction.atomic():
        old = None
        if observation.pk:
            old = (
                Observation.objects.filter(pk=observation.pk)
                .values("value", "kpi_id", "organisation_id")
                .first()
            )
        observation.source = None  # no longer the value an import brought
        observation.save()
        if old is None or old["value"] != observation.value:
            ObservationChange.objects.create(
                observation=observation,
                old_value=old and old["value"],
                new_value=observation.value,
                changed_by=by if getattr(by, "pk", None) else None,
            )
        kpi_ids, org_ids = {observation.kpi_id}, {observation.organisation_id}
        if old:  # moved to another KPI or force: the figures it left change too
            kpi_ids.add(old["kpi_id"])
            org_ids.add(old["organisation_id"])
        signals.observations_changed.send(
            sender=Observation, by=by, kpi_ids=kpi_ids, organisation_ids=org_ids
        )
    return observation


def observations_delete(queryset, *, by) -> int:
    """Delete observations by hand in the admin, telling listeners which figures changed."""
    from .models import Observation

    with transaction.atomic():
        keys = list(queryset.values_list("kpi_id", "organisation_id"))
        deleted, _ = queryset.delete()
        if keys:
            signals.observations_changed.send(
                sender=Observation,
                by=by,
                kpi_ids={k for k, _ in keys},
                organisation_ids={o for _, o in keys},
            )
    return deleted


def _finish(outcome: ImportOutcome, problems: _Problems) -> ImportOutcome:
    outcome.problems = problems.listed()
    outcome.problem_count = problems.count
    return outcome


def _wrong_kind(found: str, expected: str) -> str:
    names = {CATALOGUE: ("a KPI catalogue", "KPIs"), OBSERVATIONS: ("an observations", "Observations")}
    return WRONG_KIND.format(found=names[found][0], expected=names[expected][0], page=names[found][1])


def _filled(value) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


def _row_filled(cells) -> bool:
    for c in cells:
        if c is not None and (c.__class__ is not str or c.strip()):
            return True
    return False


def _check_headerless_columns(headers, body, columns: _Columns, problems: _Problems) -> None:
    used = set(columns.index.values()) | set(columns.months)
    named = {p for p, h in enumerate(headers) if _filled(h)}
    for number, cells in body:
        for pos, value in enumerate(cells):
            if pos not in used and pos not in named and _filled(value):
                problems.add(HEADER_EMPTY, number, pos)
                named.add(pos)  # once per column is enough


# --------------------------------------------------------------------------- observations
def _kpi_lookup():
    from .models import Kpi

    return dict(Kpi.objects.values_list("code", "id"))


def nearest(text: str, candidates: Iterable[str], n: int = 3, cutoff: float = 0.5) -> list[str]:
    """The closest candidates to text, best first (ties in natural order)."""
    scored = []
    matcher = difflib.SequenceMatcher()
    matcher.set_seq2(text)
    for candidate in candidates:
        matcher.set_seq1(candidate)
        if matcher.real_quick_ratio() >= cutoff and matcher.quick_ratio() >= cutoff:
            ratio = matcher.ratio()
            if ratio >= cutoff:
                scored.append((-ratio, candidate))
    return [c for _, c in sorted(scored)[:n]]


def _unknown_kpi(code: str, codes: Iterable[str]) -> str:
    near = nearest(code, codes)
    if near:
        return UNKNOWN_KPI_SUGGEST.format(code=code, suggestions=", ".join(near))
    return UNKNOWN_KPI.format(code=code)


def count_changes(values: dict, existing: dict) -> tuple[int, int, int]:
    """(new, changed, unchanged) for planned values against what is stored (id, value)."""
    new = changed = unchanged = 0
    for key, value in values.items():
        old = existing.get(key)
        if old is None:
            new += 1
        elif old[1] == value:
            unchanged += 1
        else:
            changed += 1
    return new, changed, unchanged


class _ObservationImport:
    """Plan and write monthly observations (long or wide layout).

    Keys are (kpi_id, org_id, month start). A subclass whose keys carry their own end,
    (kpi_id, org_id, start, end), writes through the same `write` (kpis.peer_import).
    """

    BATCH_KIND = "observations"  # ImportBatch.Kind

    def __init__(self, values, existing, blanks: int = 0):
        self.values = values  # {(kpi_id, org_id, start): Decimal}
        self.existing = existing  # {(kpi_id, org_id, start): (obs_id, Decimal)}
        self.blanks = blanks  # empty cells skipped (months with no figure yet)

    @staticmethod
    def read_existing(values: dict) -> dict:
        return _existing(values)

    def counts(self) -> tuple[int, int, int]:
        return count_changes(self.values, self.existing)

    @classmethod
    def plan(
        cls, *, body, headers, columns: _Columns, problems: _Problems, default_organisation=None
    ) -> _ObservationImport:
        from .models import Organisation

        kpis = _kpi_lookup()
        orgs = _OrganisationLookup(Organisation)
        if default_organisation is not None:
            orgs.home_id = default_organisation.pk  # blank organisation cells mean this one too
        home_id = orgs.home_id
        blanks = 0
        values: dict[tuple, Decimal] = {}
        first_row: dict[tuple, int] = {}
        month_cache: dict = {}
        idx = columns.index
        kpi_col = idx["kpi_code"]
        org_col = idx.get("organisation")
        kpi_header = cell_text(headers[kpi_col])

        def cell(cells, pos):
            return cells[pos] if pos < len(cells) else None

        def add(key, value, number, pos, code):
            if key in values:
                problems.add(
                    MONTH_TWICE.format(code=code, month=month_label(key[2]), first_row=first_row[key]),
                    number,
                    pos,
                    cell_text(headers[pos]) if columns.layout == LONG else "",
                )
                return
            values[key] = value
            first_row[key] = number

        if columns.layout == LONG:
            month_col, value_col = idx["month"], idx["value"]
            month_header, value_header = cell_text(headers[month_col]), cell_text(headers[value_col])
        for number, cells in body:
            raw_code = cells[kpi_col] if kpi_col < len(cells) else None
            # Most codes are plain text exactly as stored; only others need cleaning.
            kpi_id = kpis.get(raw_code) if raw_code.__class__ is str else None
            code = raw_code if kpi_id is not None else cell_text(raw_code)
            if kpi_id is None:
                kpi_id = kpis.get(code)
            if kpi_id is None:
                if code:
                    problems.add(_unknown_kpi(code, kpis), number, kpi_col, kpi_header)
                else:
                    problems.add(EMPTY_CELL.format(name="KPI code"), number, kpi_col, kpi_header)
            org_id = home_id
            if org_col is not None:
                org_id = orgs.find(
                    cell(cells, org_col), number, org_col, cell_text(headers[org_col]), problems
                )
            if columns.layout == LONG:
                raw_month = cells[month_col] if month_col < len(cells) else None
                try:
                    month = month_cache[raw_month]
                except (KeyError, TypeError):
                    month = parse_month(raw_month)
                    if not isinstance(raw_month, list):
                        month_cache[raw_month] = month
                if month is None:
                    text = cell_text(raw_month)
                    if raw_month is FORMULA:
                        problems.add(FORMULA_NO_VALUE, number, month_col, month_header)
                    else:
                        problems.add(
                            NOT_A_MONTH.format(text=text[:60]) if text else EMPTY_CELL.format(name="month"),
                            number,
                            month_col,
                            month_header,
                        )
                raw = cells[value_col] if value_col < len(cells) else None
                value = None
                if raw.__class__ is str and "_" not in raw:
                    try:  # the fast path: a plain number written as text (every cell of a CSV)
                        value = Decimal(raw).quantize(FOUR_PLACES)
                        if not (value.is_finite() and abs(value) < MAX_VALUE):
                            value = None
                    except (InvalidOperation, ValueError):
                        value = None
                if value is None and raw is not FORMULA and not _filled(raw):
                    problems.add(LONG_VALUE_EMPTY, number, value_col, value_header)
                elif value is None:
                    value = _value(raw, number, value_col, value_header, problems, empty_ok=False)
                if kpi_id is not None and month is not None and org_id is not None and value is not None:
                    add((kpi_id, org_id, month), value, number, month_col, code)
            else:
                for pos, month in columns.months.items():
                    raw = cell(cells, pos)
                    if raw is not FORMULA and not _filled(raw):
                        blanks += 1  # a month with no figure yet
                        continue
                    value = _value(raw, number, pos, cell_text(headers[pos]), problems, empty_ok=True)
                    if kpi_id is not None and org_id is not None and value is not None:
                        add((kpi_id, org_id, month), value, number, pos, code)
        existing = _existing(values) if not problems else {}
        return cls(values, existing, blanks)

    def write(self, *, outcome: ImportOutcome, user) -> object:
        """Insert new values, update changed ones and record history, in one transaction.

        The rows go to the database driver directly (executemany, and one INSERT … SELECT for
        the history of new values): the ORM's per-object work would cost more than the write.
        """
        from django.db import connection

        from .models import ImportBatch, Observation, ObservationChange

        user_id = user.pk if getattr(user, "pk", None) else None
        with transaction.atomic():
            # Imports touching the same KPIs take turns (locking a few hundred KPI rows is
            # far cheaper than locking every observation), then classify again: the
            # preview may be minutes old.
            from .models import Kpi

            kpi_ids = sorted({key[0] for key in self.values})
            list(Kpi.objects.select_for_update().filter(pk__in=kpi_ids).values_list("pk", flat=True))
            self.values = with_home_created(self.values)
            self.existing = self.read_existing(self.values)
            new, changed, unchanged = self.counts()
            outcome.new, outcome.changed, outcome.unchanged = new, changed, unchanged
            organisations = {key[1] for key in self.values}
            batch = ImportBatch.objects.create(
                organisation_id=organisations.pop() if len(organisations) == 1 else None,
                kind=self.BATCH_KIND,
                layout=outcome.layout,
                file_name=outcome.file_name,
                sha256=outcome.sha256,
                imported_by_id=user_id,
                rows_total=len(self.values),
                rows_new=new,
                rows_changed=changed,
                rows_unchanged=unchanged,
            )
            ops = connection.ops
            now = ops.adapt_datetimefield_value(timezone.now())
            ends: dict[tuple, tuple] = {}
            inserts, updates, history = [], [], []
            old_keys: dict[int, tuple] = {}  # observation id -> (kpi id, organisation id)
            existing = self.existing
            for key, value in self.values.items():
                old = existing.get(key)
                if old is None:
                    period = key[2:]  # (start,) for a month, (start, end) for a stated period
                    if period not in ends:
                        start, end = period[0], period[1] if len(period) == 2 else month_end(period[0])
                        ends[period] = (ops.adapt_datefield_value(start), ops.adapt_datefield_value(end))
                    inserts.append((key[0], key[1], *ends[period], value, batch.pk, now))
                elif old[1] != value:
                    updates.append((value, batch.pk, now, old[0]))
                    old_keys[old[0]] = key[:2]
                    history.append((old[0], old[1], value, user_id, batch.pk, now))

            obs = _Table(Observation, connection)
            change = _Table(ObservationChange, connection)
            change_columns = ("observation", "old_value", "new_value", "changed_by", "batch", "changed_at")
            with connection.cursor() as cursor:
                if inserts:
                    names = ("kpi", "organisation", "period_start", "period_end", "value", "source")
                    names += ("updated_at",)
                    if connection.vendor == "postgresql":
                        # COPY is PostgreSQL's bulk path: several times faster than executemany.
                        sql = f"COPY {obs.table} ({obs.columns(names)}) FROM STDIN"
                        with cursor.cursor.copy(sql) as copy:
                            for row in inserts:
                                copy.write_row(row)
                    else:
                        cursor.executemany(obs.insert(names), inserts)
                    # History of every new value, written by the database from the rows just inserted.
                    cursor.execute(
                        f"INSERT INTO {change.table} ({change.columns(change_columns)}) "
                        f"SELECT {obs.c('id')}, NULL, {obs.c('value')}, %s, %s, %s FROM {obs.table} "
                        f"WHERE {obs.c('source')} = %s",
                        [user_id, batch.pk, now, batch.pk],
                    )
                if updates:
                    cursor.executemany(
                        f"UPDATE {obs.table} SET {obs.c('value')} = %s, {obs.c('source')} = %s, "
                        f"{obs.c('updated_at')} = %s WHERE {obs.c('id')} = %s",
                        updates,
                    )
                    cursor.executemany(change.insert(change_columns), history)
            if inserts or updates:
                changed_keys = [row[:2] for row in inserts] + [old_keys[row[3]] for row in updates]
                signals.observations_changed.send(
                    sender=Observation,
                    by=user if user_id else None,
                    kpi_ids={k for k, _ in changed_keys},
                    organisation_ids={o for _, o in changed_keys},
                )
        return batch


def _value(raw, number, pos, header, problems: _Problems, *, empty_ok: bool) -> Decimal | None:
    if raw is FORMULA:
        problems.add(FORMULA_NO_VALUE, number, pos, header)
        return None
    if not _filled(raw):
        if not empty_ok:
            problems.add(EMPTY_CELL.format(name="value"), number, pos, header)
        return None
    if type(raw) is str and "_" not in raw:  # Decimal() would accept 1_000
        try:  # the fast path: a plain number written as text (every cell of a CSV)
            value = Decimal(raw)
            if value.is_finite() and abs(value) < MAX_VALUE:
                return value.quantize(FOUR_PLACES)
        except InvalidOperation:
            pass
    try:
        return parse_number(raw)
    except ValueError as exc:
        problems.add(str(exc), number, pos, header)
        return None


def _existing(values: dict) -> dict:
    """{(kpi_id, org_id, start): (obs_id, value)} for the monthly observations the file touches."""
    from .models import Observation

    if not values:
        return {}
    kpi_ids = {k for k, _, _ in values}
    org_ids = {o for _, o, _ in values}
    starts = [s for _, _, s in values]
    qs = Observation.objects.filter(
        kpi_id__in=kpi_ids,
        organisation_id__in=org_ids,
        period_start__gte=min(starts),
        period_start__lte=max(starts),
    ).order_by()  # the model's default ordering joins KPI and organisation: not wanted here
    found = {}
    for pk, kpi_id, org_id, start, end, value in qs.values_list(
        "pk", "kpi_id", "organisation_id", "period_start", "period_end", "value"
    ):
        if start.day == 1 and end == month_end(start):
            found[(kpi_id, org_id, start)] = (pk, value)
    return found


class _Table:
    """Quoted table and column names of a model, for the few statements written by hand."""

    def __init__(self, model, connection):
        self.model, self.quote = model, connection.ops.quote_name
        self.table = self.quote(model._meta.db_table)

    def c(self, name: str) -> str:
        return self.quote(self.model._meta.get_field(name).column)

    def columns(self, names) -> str:
        return ", ".join(self.c(n) for n in names)

    def insert(self, names) -> str:
        marks = ", ".join(["%s"] * len(names))
        return f"INSERT INTO {self.table} ({self.columns(names)}) VALUES ({marks})"


# The plan's id for the home force when the database has none yet (a new installation):
# a preview writes nothing, so the home force is only created when the import is written.
HOME_TO_CREATE = 0


def with_home_created(values: dict) -> dict:
    """`values` keyed (kpi_id, organisation_id, …), with HOME_TO_CREATE replaced by the home
    force's id, creating it now if need be. Called inside the import's write transaction."""
    if not any(key[1] == HOME_TO_CREATE for key in values):
        return values
    from .models import Organisation

    home_id = Organisation.home().pk
    return {
        (key[0], home_id if key[1] == HOME_TO_CREATE else key[1], *key[2:]): value
        for key, value in values.items()
    }


class _OrganisationLookup:
    """Finds organisations by code, name or other name, case-insensitively; blank means the
    home force."""

    def __init__(self, model):
        from .models import split_aliases

        home = model.objects.filter(is_home=True).values_list("pk", flat=True).first()
        self.home_id = HOME_TO_CREATE if home is None else home
        self.by_key: dict[str, int] = {}
        self.names: dict[int, str] = {}
        self.labels: list[str] = []  # codes and names as written (peer_import reads these)
        for pk, code, name, others in model.objects.values_list("pk", "code", "name", "other_names"):
            for key in (code, name, *split_aliases(others)):
                self.by_key[key.lower()] = pk
            self.names[pk] = name
            self.labels.extend([code, name])

    def find(self, raw, number, pos, header, problems: _Problems) -> int | None:
        text = cell_text(raw)
        if not text:
            return self.home_id
        found = self.by_key.get(text.lower())
        if found is None:
            near = []  # by code or by name, each organisation once, shown by its name
            for key in nearest(text.lower(), self.by_key, n=6, cutoff=0.6):
                name = self.names[self.by_key[key]]
                if name not in near:
                    near.append(name)
            suggestions = ", ".join(f"'{n}'" for n in near[:3])
            message = (
                UNKNOWN_ORGANISATION_SUGGEST.format(text=text, suggestions=suggestions)
                if near
                else UNKNOWN_ORGANISATION.format(text=text)
            )
            problems.add(message, number, pos, header)
        return found


# --------------------------------------------------------------------------- catalogue
class _CatalogueImport:
    """Plan and write KPI catalogue rows, matched on code."""

    FIELDS = ("name", "category", "unit", "aggregation", "good_direction", "decimals", "description")

    def __init__(self, rows: dict[str, dict], existing: dict, *, with_aliases: bool = False):
        self.rows = rows  # code -> field values
        self.existing = existing  # code -> Kpi
        # "aliases" is optional: a file without the column leaves each KPI's aliases as they are.
        self.fields = (*self.FIELDS, "aliases") if with_aliases else self.FIELDS

    def _differs(self, kpi, values) -> bool:
        return any(getattr(kpi, f) != values[f] for f in self.fields)

    def counts(self) -> tuple[int, int, int]:
        new = changed = unchanged = 0
        for code, values in self.rows.items():
            kpi = self.existing.get(code)
            if kpi is None:
                new += 1
            elif self._differs(kpi, values):
                changed += 1
            else:
                unchanged += 1
        return new, changed, unchanged

    @classmethod
    def plan(cls, *, body, headers, columns: _Columns, problems: _Problems) -> _CatalogueImport:
        from .models import Kpi, split_aliases

        idx = columns.index
        choices = {
            "unit": Kpi.Unit,
            "aggregation": Kpi.Aggregation,
            "good_direction": Kpi.Direction,
        }
        limits = {f.name: f.max_length for f in Kpi._meta.get_fields() if getattr(f, "max_length", None)}
        rows: dict[str, dict] = {}
        first_row: dict[str, int] = {}
        for number, cells in body:

            def get(name, cells=cells):
                pos = idx.get(name)
                return (cell_text(cells[pos]) if pos is not None and pos < len(cells) else ""), pos

            values: dict = {}
            ok = True
            if "aliases" in idx:
                values["aliases"] = "; ".join(split_aliases(unneutralise(get("aliases")[0])))
                if len(values["aliases"]) > limits["aliases"]:
                    pos = idx["aliases"]
                    length, limit = len(values["aliases"]), limits["aliases"]
                    message = TEXT_TOO_LONG.format(name="aliases", length=length, limit=limit)
                    problems.add(message, number, pos, "aliases")
                    ok = False
            for name in ("code", *cls.FIELDS):
                text, pos = get(name)
                header = cell_text(headers[pos]) if pos is not None else name
                if pos is not None and pos < len(cells) and cells[pos] is FORMULA:
                    problems.add(FORMULA_NO_VALUE, number, pos, header)
                    ok = False
                    continue
                text = unneutralise(text)
                if name == "description":
                    values[name] = text
                    continue
                if not text:
                    problems.add(EMPTY_CELL.format(name=name.replace("_", " ")), number, pos, header)
                    ok = False
                    continue
                if name in choices:
                    enum = choices[name]
                    lookup = {v.lower(): v for v in enum.values}
                    lookup.update({str(label).lower(): v for v, label in enum.choices})
                    value = lookup.get(text.lower())
                    if value is None:
                        problems.add(
                            BAD_CHOICE.format(
                                text=text, name=name.replace("_", " "), choices=", ".join(enum.values)
                            ),
                            number,
                            pos,
                            header,
                        )
                        ok = False
                    values[name] = value
                    continue
                if name == "decimals":
                    if not re.fullmatch(r"[0-6](\.0+)?", text):
                        problems.add(BAD_DECIMALS.format(text=text), number, pos, header)
                        ok = False
                    else:
                        values[name] = int(float(text))
                    continue
                if name in limits and len(text) > limits[name]:
                    problems.add(
                        TEXT_TOO_LONG.format(name=name, length=len(text), limit=limits[name]),
                        number,
                        pos,
                        header,
                    )
                    ok = False
                values[name] = text
            code = values.get("code")
            if code in rows or (code and code in first_row):
                problems.add(
                    CODE_TWICE.format(code=code, first_row=first_row[code]), number, idx["code"], "code"
                )
                continue
            if code:
                first_row[code] = number
            if ok:
                rows[code] = values
        existing = {k.code: k for k in Kpi.objects.filter(code__in=list(rows))} if not problems else {}
        return cls(rows, existing, with_aliases="aliases" in idx)

    def write(self, *, outcome: ImportOutcome, user) -> object:
        from .models import ImportBatch, Kpi

        with transaction.atomic():
            self.existing = {k.code: k for k in Kpi.objects.filter(code__in=list(self.rows))}
            new, changed, unchanged = self.counts()
            outcome.new, outcome.changed, outcome.unchanged = new, changed, unchanged
            batch = ImportBatch.objects.create(
                kind=ImportBatch.Kind.CATALOGUE,
                layout=CATALOGUE,
                file_name=outcome.file_name,
                sha256=outcome.sha256,
                imported_by=user if getattr(user, "pk", None) else None,
                rows_total=len(self.rows),
                rows_new=new,
                rows_changed=changed,
                rows_unchanged=unchanged,
            )
            created, updated = [], []
            for code, values in self.rows.items():
                kpi = self.existing.get(code)
                if kpi is None:
                    created.append(Kpi(code=code, **{f: values[f] for f in self.fields}))
                elif self._differs(kpi, values):
                    for f in self.fields:
                        setattr(kpi, f, values[f])
                    updated.append(kpi)
            Kpi.objects.bulk_create(created, batch_size=500)
            if updated:
                Kpi.objects.bulk_update(updated, list(self.fields), batch_size=500)
                # An open KPI form from before this import is then refused (portal.edit_versions).
                record_edit(Kpi, [k.pk for k in updated], by=user)
                signals.catalogue_changed.send(sender=Kpi, by=user, kpi_ids={k.pk for k in updated})
        return batch


def iter_problem_lines(outcome: ImportOutcome) -> Iterator[str]:
    """The problems as the lines the commands print."""
    for problem in outcome.problems:
        yield str(problem)
