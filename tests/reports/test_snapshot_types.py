"""The snapshot's types (reports.snapshot_types): the demo's snapshot and a schema-1 one
validate, a renamed key is named by its path, and approval refuses to freeze an invalid one."""

import copy
import io
from pathlib import Path
from typing import Literal, NotRequired, TypedDict, get_args, get_type_hints, is_typeddict

import pytest
from django.core.exceptions import ValidationError

from reports import snapshot as snapshot_module
from reports import workflow
from reports.demo import load_demo_report
from reports.models import Publication, Report
from reports.snapshot_types import Snapshot, problems_with, validate_snapshot
from tests.reports.builders import make_report
from tests.reports.factories import reference_snapshot

SCHEMA_1_KEYS = ("previous", "current", "method", "z", "p_value", "level", "significant", "explanation")


def rows(snapshot):
    return [row for section in snapshot["sections"] for row in section["rows"]]


def as_schema_1(snapshot: dict) -> dict:
    """The snapshot as it was frozen before schema 2: the two-count test for every tested
    row, and without the keys added since without a schema change."""
    old = copy.deepcopy(snapshot)
    old["schema"] = 1
    old.pop("catalogue", None)
    for section in old["sections"]:
        for paragraph in section["paragraphs"]:
            paragraph.pop("source_notes", None)
        for row in section["rows"]:
            row["kpi"].pop("aliases", None)
            sig = row["analysis"]["significance"]
            if sig and sig["method"] in ("exact", "normal", "quasi-poisson"):
                schema_1 = {key: sig[key] for key in SCHEMA_1_KEYS}
                schema_1.update(method="normal", z=2.5, p_value=0.01, significant=True)
                row["analysis"]["significance"] = schema_1
            elif sig:
                row["analysis"]["significance"] = None  # schema 1 tested only summed counts
    return old


@pytest.mark.django_db
def test_the_demo_snapshot_and_its_schema_1_form_validate_and_a_renamed_key_is_named(editor, reviewer):
    load_demo_report(editor=editor, reviewer=reviewer, out=io.StringIO())
    snapshot = Publication.objects.get(version=1).snapshot
    assert validate_snapshot(snapshot, strict=True) == []

    old = as_schema_1(snapshot)
    assert any(row["analysis"]["significance"] for row in rows(old))
    assert validate_snapshot(old, strict=True) == []

    where = next(
        (s, r)
        for s, section in enumerate(snapshot["sections"])
        for r, row in enumerate(section["rows"])
        if "peer" in row
    )
    renamed = copy.deepcopy(snapshot)
    peer = renamed["sections"][where[0]]["rows"][where[1]]["peer"]
    peer["ranking"] = peer.pop("rank")
    path = f"sections[{where[0]}].rows[{where[1]}].peer"
    assert validate_snapshot(renamed) == [f"{path}: missing key 'rank'"]
    assert f"{path}: unexpected key 'ranking'" in validate_snapshot(renamed, strict=True)

    renamed = copy.deepcopy(snapshot)
    renamed["report"]["headline"] = renamed["report"].pop("title")
    assert validate_snapshot(renamed) == ["report: missing key 'title'"]


class Inner(TypedDict):
    n: int
    share: float


class Outer(TypedDict):
    kind: Literal["a", "b"]
    items: list[Inner]
    by_name: dict[str, Inner | None]
    note: str | None
    extra: NotRequired[bool]


def test_the_validator_walks_lists_objects_literals_unions_and_optional_keys():
    good = {"kind": "a", "items": [{"n": 1, "share": 2}], "by_name": {"x": None}, "note": None}
    assert list(problems_with(good, Outer, "")) == []
    bad = {
        "kind": "c",
        "items": [{"n": True, "share": 0.5}, {"n": 2}],
        "by_name": {"x": {"n": "1", "share": 1.0}},
        "note": 3,
        "extra": "yes",
    }
    assert list(problems_with(bad, Outer, "")) == [
        "kind: 'c' is not one of 'a' | 'b'",
        "items[0].n: expected int, got bool True",
        "items[1]: missing key 'share'",
        "by_name.x.n: expected int, got str '1'",
        "note: expected str | null, got int 3",
        "extra: expected bool, got str 'yes'",
    ]
    assert list(problems_with({"kind": "a"}, Outer, "")) == [
        "snapshot: missing key 'by_name'",
        "snapshot: missing key 'items'",
        "snapshot: missing key 'note'",
    ]
    assert list(problems_with([], Outer, "report")) == ["report: expected an object (Outer), got list []"]


@pytest.mark.django_db
def test_approval_refuses_to_freeze_an_invalid_snapshot(editor, reviewer, monkeypatch):
    report = make_report(by=editor, slug="broken-snapshot")
    workflow.report_submit(report=report, by=editor)
    build = snapshot_module.build_snapshot

    def renamed_title(report, **kwargs):
        snapshot = build(report, **kwargs)
        snapshot["report"]["headline"] = snapshot["report"].pop("title")
        return snapshot

    monkeypatch.setattr(snapshot_module, "build_snapshot", renamed_title)
    with pytest.raises(ValidationError, match=r"cannot be frozen.*report: missing key 'title'"):
        workflow.report_approve(report=report, by=reviewer)
    assert not Publication.objects.exists()
    assert Report.objects.get(pk=report.pk).status == Report.Status.IN_REVIEW


def test_the_schema_1_reference_fixture_validates():
    snapshot = reference_snapshot()
    assert snapshot["schema"] == 1
    assert validate_snapshot(snapshot, strict=True) == []


def _keys(expected, seen=None) -> set[str]:
    """Every key of the TypedDicts reachable from `expected`."""
    seen = set() if seen is None else seen
    if is_typeddict(expected):
        if expected in seen:
            return set()
        seen.add(expected)
        hints = get_type_hints(expected)
        return set(hints) | {key for hint in hints.values() for key in _keys(hint, seen)}
    return {key for arg in get_args(expected) for key in _keys(arg, seen)}


def test_docs_name_every_key_of_the_types():
    doc = (Path(__file__).resolve().parents[2] / "docs" / "snapshot.md").read_text(encoding="utf-8")
    assert sorted(key for key in _keys(Snapshot) if f'"{key}"' not in doc) == []
