"""The one "did you mean …" suggestion, everywhere an import suggests; and the import
package's shape (no cycles, no private names across modules, short functions)."""

import ast
from pathlib import Path

import pytest

from kpis import resources_peers
from kpis.imports import OrganisationLookup, suggestions
from kpis.imports.lookups import unknown_kpi_message
from kpis.models import Organisation

ROOT = Path(__file__).resolve().parents[3]
PACKAGE = ROOT / "kpis" / "imports"


# --------------------------------------------------------------------------- suggestions
def test_suggestions_come_best_first_with_ties_in_alphabetical_order():
    assert suggestions("1.3", ["3.1", "1.2", "1.1", "2.1"], cutoff=0.5) == ["1.1", "1.2"]
    assert suggestions("Sussx", ["Essex", "Kent", "Sussex"]) == ["Sussex", "Essex"]


def test_suggestions_ignore_case_and_name_each_candidate_once_as_written():
    assert suggestions("KENT", ["kent", "Kent", "Kents"]) == ["kent", "Kents"]


def test_suggestions_stop_at_n_and_at_the_cutoff():
    names = ["Kent", "Kant", "Kint", "Kunt"]
    assert suggestions("Kent", names, n=2) == ["Kent", "Kant"]
    assert suggestions("Kent", ["Northumbria"]) == []
    assert suggestions("", ["Kent"]) == []


def test_kpi_organisation_and_forces_import_messages_all_suggest_the_same_way(db):
    Organisation.objects.create(name="Sussex Police", code="sussex", other_names="Sussex Constabulary")
    Organisation.objects.create(name="Essex Police", code="essex")
    assert unknown_kpi_message("1.3", {"1.1": 1, "1.2": 2}) == (
        "There is no KPI with code '1.3'; nearest codes: 1.1, 1.2."
    )
    # by code, name or other name, each organisation once, shown by its name
    assert OrganisationLookup().unknown_message("Sussex Constab").startswith(
        "There is no organisation 'Sussex Constab'; did you mean 'Sussex Police'?"
    )
    with pytest.raises(ValueError, match=r"did you mean 'Sussex Police', 'Essex Police'\?"):
        resources_peers.find_organisation("sussex polic")


def test_no_other_module_keeps_its_own_suggestion_code():
    for app in ("kpis", "glossary", "reports", "portal"):
        for path in (ROOT / app).rglob("*.py"):
            if path != PACKAGE / "lookups.py":
                assert "get_close_matches" not in path.read_text(encoding="utf-8"), path


# --------------------------------------------------------------------------- the package's shape
def package_modules() -> dict[str, ast.Module]:
    return {p.stem: ast.parse(p.read_text(encoding="utf-8")) for p in sorted(PACKAGE.glob("*.py"))}


def local_imports(tree: ast.Module) -> list[ast.ImportFrom]:
    return [n for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.level == 1]


def test_modules_import_no_private_names_from_each_other_and_form_no_cycle():
    modules = package_modules()
    graph = {}
    for name, tree in modules.items():
        graph[name] = set()
        for node in local_imports(tree):
            if node.module:
                graph[name].add(node.module)
            else:
                graph[name].update(a.name for a in node.names)
            assert not any(a.name.startswith("_") for a in node.names), (name, node.module)
    graph.pop("__init__")  # the package's front door imports everything, and nothing imports it

    def visit(name, path):
        assert name not in path, " -> ".join([*path, name])
        for imported in graph.get(name, ()):
            visit(imported, [*path, name])

    for name in graph:
        visit(name, [])


def test_functions_and_modules_stay_short():
    for path in PACKAGE.glob("*.py"):
        assert len(path.read_text(encoding="utf-8").splitlines()) <= 500, path.name
    for name, tree in package_modules().items():
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef):
                assert node.end_lineno - node.lineno < 80, (name, node.name)
