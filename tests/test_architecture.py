"""The architecture contract (docs/architecture.md), checked on every `make test`.

- Dependencies point one way: the import-linter contracts in pyproject.toml.
- Modules stay readable: no module over 500 lines, no function over 80.
- Modules talk through public names: nobody imports another module's `_private` name.

A deliberate exception goes in the lists below with its reason, so it shows in review.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = ("portal", "reports", "kpis", "glossary")
MAX_MODULE_LINES = 500
MAX_FUNCTION_LINES = 80

# module path -> why it may be longer than MAX_MODULE_LINES
LONG_MODULES: dict[str, str] = {}
# "module path:function name" -> why it may be longer than MAX_FUNCTION_LINES
LONG_FUNCTIONS: dict[str, str] = {}


def project_modules() -> list[Path]:
    return sorted(
        path
        for app in APPS
        for path in (ROOT / app).rglob("*.py")
        if "migrations" not in path.relative_to(ROOT).parts
    )


def relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def resolved_from(node: ast.ImportFrom, path: Path) -> str:
    """The absolute module a `from … import` names, relative imports resolved."""
    if not node.level:
        return node.module or ""
    package = module_name(path).split(".")
    if path.name != "__init__.py":
        package.pop()
    base = package[: len(package) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def test_import_contracts_are_kept():
    linter = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(linter)], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]


def test_no_module_is_too_long():
    too_long = {}
    for path in project_modules():
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > MAX_MODULE_LINES and relative(path) not in LONG_MODULES:
            too_long[relative(path)] = lines
    assert not too_long, f"modules over {MAX_MODULE_LINES} lines: {too_long}"


def test_no_function_is_too_long():
    too_long = {}
    for path in project_modules():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = node.end_lineno - node.lineno + 1
                key = f"{relative(path)}:{node.name}"
                if length > MAX_FUNCTION_LINES and key not in LONG_FUNCTIONS:
                    too_long[key] = length
    assert not too_long, f"functions over {MAX_FUNCTION_LINES} lines: {too_long}"


def test_no_private_name_is_imported_from_another_module():
    crossings = []
    for path in project_modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ImportFrom):
                continue
            source = resolved_from(node, path)
            if not source.startswith(APPS):
                continue  # third-party private names are a separate rule (below)
            for alias in node.names:
                if alias.name.startswith("_") and not alias.name.startswith("__"):
                    crossings.append(f"{relative(path)}:{node.lineno} imports {alias.name} from {source}")
    assert not crossings, "\n".join(crossings)


@pytest.mark.parametrize("library", ["openpyxl", "weasyprint", "import_export", "django", "celery"])
def test_no_private_module_of_a_library_is_imported(library):
    """`from openpyxl.worksheet._reader import …` ties us to internals that change without notice."""
    found = []
    for path in project_modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.ImportFrom) and not node.level and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            for name in names:
                parts = name.split(".")
                if parts[0] == library and any(part.startswith("_") for part in parts[1:]):
                    found.append(f"{relative(path)}:{node.lineno} imports {name}")
    assert not found, "\n".join(found)
