"""Fixtures for the kpis tests: a home force and a small catalogue like the reference report's."""

import pytest

from kpis.models import Kpi, Organisation

REFERENCE_KPIS = [
    # code, name, category, unit, aggregation, good direction
    ("1.1", "Number of 999 Calls", "Calls", "count", "sum", "neither"),
    ("1.2", "Number of 101 Calls", "Calls", "count", "sum", "neither"),
    ("2.1", "Number of Incidents", "Incidents", "count", "sum", "neither"),
    ("3.1", "All Crime", "Crime", "count", "sum", "down"),
    ("4.1", "Volume of Positive Outcomes", "Outcomes", "count", "sum", "up"),
    ("5.1", "Number of Stop and Searches", "Prevention", "count", "sum", "neither"),
]


@pytest.fixture
def home(db):
    return Organisation.objects.create(name="Leicestershire Police", code="leicestershire", is_home=True)


@pytest.fixture
def kpis(home):
    return {
        code: Kpi.objects.create(
            code=code, name=name, category=cat, unit=unit, aggregation=agg, good_direction=good
        )
        for code, name, cat, unit, agg, good in REFERENCE_KPIS
    }
