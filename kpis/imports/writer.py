"""The one writer of imported figures: planners decide the values, this writes them.

Observations go to the database driver directly, in one transaction: COPY on PostgreSQL
(executemany elsewhere) for new values, one INSERT … SELECT for their history, executemany
for changed values and theirs; the ORM's per-object work would cost more than the write.
Every import is recorded as an ImportBatch, and `signals.observations_changed` names the
KPIs and forces whose figures changed. Hand edits in the admin come through here too.
"""

from __future__ import annotations

from django.db import connection, transaction
from django.utils import timezone

from portal.edit_versions import record_edit

from .. import signals
from ..models import ImportBatch, Kpi, Observation, ObservationChange
from ..periods import month_end
from .plans import CataloguePlan, ObservationPlan

CHANGE_COLUMNS = ("observation", "old_value", "new_value", "changed_by", "batch", "changed_at")
INSERT_COLUMNS = ("kpi", "organisation", "period_start", "period_end", "value", "source", "updated_at")


class Table:
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


def user_id_of(user) -> int | None:
    return user.pk if getattr(user, "pk", None) else None


# --------------------------------------------------------------------------- observations
def write_observations(plan: ObservationPlan, *, outcome, user, batch_kind: str) -> ImportBatch:
    """Insert new values, update changed ones and record history, in one transaction."""
    user_id = user_id_of(user)
    with transaction.atomic():
        # Imports touching the same KPIs take turns (locking a few hundred KPI rows is far
        # cheaper than locking every observation), then classify again: the preview may be
        # minutes old.
        kpi_ids = sorted({key[0] for key in plan.values})
        list(Kpi.objects.select_for_update().filter(pk__in=kpi_ids).values_list("pk", flat=True))
        plan.read_existing()
        outcome.new, outcome.changed, outcome.unchanged = plan.counts()
        organisations = {key[1] for key in plan.values}
        batch = ImportBatch.objects.create(
            organisation_id=organisations.pop() if len(organisations) == 1 else None,
            kind=batch_kind,
            layout=outcome.layout,
            file_name=outcome.file_name,
            sha256=outcome.sha256,
            imported_by_id=user_id,
            rows_total=len(plan.values),
            rows_new=outcome.new,
            rows_changed=outcome.changed,
            rows_unchanged=outcome.unchanged,
        )
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        inserts, updates, history, old_keys = _classify(plan, batch.pk, user_id, now)
        _execute(inserts, updates, history, batch.pk, user_id, now)
        if inserts or updates:
            changed_keys = [row[:2] for row in inserts] + [old_keys[row[3]] for row in updates]
            signals.observations_changed.send(
                sender=Observation,
                by=user if user_id else None,
                kpi_ids={k for k, _ in changed_keys},
                organisation_ids={o for _, o in changed_keys},
            )
    return batch


def _classify(plan: ObservationPlan, batch_id: int, user_id, now) -> tuple[list, list, list, dict]:
    """The rows to insert, the rows to update with their history, and each updated
    observation's (kpi id, organisation id)."""
    ops = connection.ops
    ends: dict[tuple, tuple] = {}
    inserts, updates, history = [], [], []
    old_keys: dict[int, tuple] = {}
    existing = plan.existing
    for key, value in plan.values.items():
        old = existing.get(key)
        if old is None:
            period = key[2:]  # (start,) for a month, (start, end) for a stated period
            if period not in ends:
                start, end = period[0], period[1] if len(period) == 2 else month_end(period[0])
                ends[period] = (ops.adapt_datefield_value(start), ops.adapt_datefield_value(end))
            inserts.append((key[0], key[1], *ends[period], value, batch_id, now))
        elif old[1] != value:
            updates.append((value, batch_id, now, old[0]))
            old_keys[old[0]] = key[:2]
            history.append((old[0], old[1], value, user_id, batch_id, now))
    return inserts, updates, history, old_keys


def _execute(inserts: list, updates: list, history: list, batch_id: int, user_id, now) -> None:
    obs = Table(Observation, connection)
    change = Table(ObservationChange, connection)
    with connection.cursor() as cursor:
        if inserts:
            if connection.vendor == "postgresql":
                # COPY is PostgreSQL's bulk path: several times faster than executemany.
                sql = f"COPY {obs.table} ({obs.columns(INSERT_COLUMNS)}) FROM STDIN"
                with cursor.cursor.copy(sql) as copy:
                    for row in inserts:
                        copy.write_row(row)
            else:
                cursor.executemany(obs.insert(INSERT_COLUMNS), inserts)
            # History of every new value, written by the database from the rows just inserted.
            cursor.execute(
                f"INSERT INTO {change.table} ({change.columns(CHANGE_COLUMNS)}) "
                f"SELECT {obs.c('id')}, NULL, {obs.c('value')}, %s, %s, %s FROM {obs.table} "
                f"WHERE {obs.c('source')} = %s",
                [user_id, batch_id, now, batch_id],
            )
        if updates:
            cursor.executemany(
                f"UPDATE {obs.table} SET {obs.c('value')} = %s, {obs.c('source')} = %s, "
                f"{obs.c('updated_at')} = %s WHERE {obs.c('id')} = %s",
                updates,
            )
            cursor.executemany(change.insert(CHANGE_COLUMNS), history)


# --------------------------------------------------------------------------- catalogue
def write_catalogue(plan: CataloguePlan, *, outcome, user) -> ImportBatch:
    """Create new KPIs and update changed ones (their registered columns' values too, e.g.
    national mappings), in one transaction. A KPI whose registered column alone changed is
    recorded as edited like one whose fields changed."""
    with transaction.atomic():
        plan.read_existing()
        outcome.new, outcome.changed, outcome.unchanged = plan.counts()
        batch = ImportBatch.objects.create(
            kind=ImportBatch.Kind.CATALOGUE,
            layout=outcome.layout,
            file_name=outcome.file_name,
            sha256=outcome.sha256,
            imported_by=user if getattr(user, "pk", None) else None,
            rows_total=len(plan.rows),
            rows_new=outcome.new,
            rows_changed=outcome.changed,
            rows_unchanged=outcome.unchanged,
        )
        created, updated, column_changes = [], [], {c.name: {} for c in plan.columns}
        for code, values in plan.rows.items():
            kpi = plan.existing.get(code)
            if kpi is None:
                created.append(Kpi(code=code, **{f: values[f] for f in plan.fields}))
                continue
            if plan.fields_differ(kpi, values):
                for f in plan.fields:
                    setattr(kpi, f, values[f])
                updated.append(kpi)
            for column in plan.changed_columns(kpi, values):
                column_changes[column.name][kpi.pk] = values[column.name]
        Kpi.objects.bulk_create(created, batch_size=500)
        if updated:
            Kpi.objects.bulk_update(updated, list(plan.fields), batch_size=500)
        edited = {k.pk for k in updated} | {pk for changes in column_changes.values() for pk in changes}
        _write_columns(plan, created, column_changes)
        if edited:
            # An open KPI form from before this import is then refused (portal.edit_versions).
            record_edit(Kpi, edited, by=user)
            signals.catalogue_changed.send(sender=Kpi, by=user, kpi_ids=edited)
    return batch


def _write_columns(plan: CataloguePlan, created: list, column_changes: dict[str, dict]) -> None:
    """Write the registered columns' changed values, and new KPIs' non-blank ones."""
    if not plan.columns:
        return
    new_ids = dict(Kpi.objects.filter(code__in=[k.code for k in created]).values_list("code", "pk"))
    for column in plan.columns:
        changes = column_changes[column.name]
        for code, pk in new_ids.items():
            value = plan.rows[code][column.name]
            if value != column.empty:
                changes[pk] = value
        if changes:
            column.write(changes)


# --------------------------------------------------------------------------- hand edits
def observation_save(*, observation, by) -> Observation:
    """Save an observation edited by hand in the admin, recording the change in its history."""
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
