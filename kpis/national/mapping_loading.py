"""Attaching the default national mappings (kpis.national.measures) to the KPIs there are.

See measures.py for the rules: an existing KPI only, by the code asked for or by name or
alias; a KPI that already has mappings for a source keeps them; what is not attached is
offered, with the command line that attaches it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .measures import MEASURE_BY_KEY, MEASURES, Measure, measure_for_kpi
from .models import kpi_problem

UNKNOWN_MEASURE = "There is no national measure '{key}'. The measures are: {keys}."
UNKNOWN_KPI = "There is no KPI with code '{code}' (for --attach {key}={code})."


@dataclass
class MappingLoadReport:
    attached: list[tuple[str, str, int]] = field(default_factory=list)  # (kpi code, measure, rows)
    kept: list[tuple[str, str]] = field(default_factory=list)  # (kpi code, source) already mapped
    refused: list[tuple[str, str]] = field(default_factory=list)  # (kpi code, why)
    offered: list[Measure] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [f"{code}: maps to '{name}' (national rows: {rows})." for code, name, rows in self.attached]
        out += [f"{code}: already has {source} mappings, left as edited." for code, source in self.kept]
        out += [f"{code}: not mapped: {why}" for code, why in self.refused]
        if self.offered:
            out.append("Measures no KPI is for yet (attach one with --attach MEASURE=KPI_CODE):")
            out += [f"  {m.key}: {m.name}" for m in self.offered]
        return out


def attach_targets(kpi_model, attach: dict[str, str]) -> dict[str, object]:
    """{measure key: KPI} for the requested pairs, then by name and alias; ValueError for a
    key or code that does not exist."""
    targets: dict[str, object] = {}
    for key, code in attach.items():
        if key not in MEASURE_BY_KEY:
            raise ValueError(UNKNOWN_MEASURE.format(key=key, keys=", ".join(MEASURE_BY_KEY)))
        kpi = kpi_model.objects.filter(code=code).first()
        if kpi is None:
            raise ValueError(UNKNOWN_KPI.format(code=code, key=key))
        targets[key] = kpi
    chosen = {kpi.pk for kpi in targets.values()}
    for kpi in kpi_model.objects.order_by("code"):
        if kpi.pk in chosen:
            continue
        aliases = [a.strip() for a in (kpi.aliases or "").split(";") if a.strip()]
        measure = measure_for_kpi(kpi.name, aliases)
        if measure is not None and measure.key not in targets:
            targets[measure.key] = kpi
    return targets


def load_default_mappings(
    kpi_model, mapping_model, attach: dict[str, str] | None = None
) -> MappingLoadReport:
    """Give each KPI that is one of the national measures the measure's default mappings."""
    report = MappingLoadReport()
    targets = attach_targets(kpi_model, attach or {})
    for measure in MEASURES:
        kpi = targets.get(measure.key)
        if kpi is None:
            report.offered.append(measure)
            continue
        problem = kpi_problem(kpi)
        if problem:
            report.refused.append((kpi.code, problem))
            continue
        mapped = set(mapping_model.objects.filter(kpi=kpi).values_list("source", flat=True))
        added = 0
        for source in sorted({row.source for row in measure.rows}):
            if source in mapped:
                report.kept.append((kpi.code, source))
                continue
            rows = [row for row in measure.rows if row.source == source]
            mapping_model.objects.bulk_create(
                mapping_model(kpi=kpi, source=r.source, field=r.field, value=r.value, exclude=r.exclude)
                for r in rows
            )
            added += len(rows)
        if added:
            report.attached.append((kpi.code, measure.name, added))
    return report
