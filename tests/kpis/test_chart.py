"""/kpis/<code>/chart/?year=2018: Chart.js 4 JSON for the trend, without django-chartjs internals."""

import json

import pytest
from django.urls import reverse

from kpis.charts import CURRENT_STYLE, PREVIOUS_STYLE
from kpis.models import Observation

from .test_comparison import FY17, FY18, load, monthly_split


@pytest.fixture
def client(client, reviewer):
    """Live figures are for staff: every request here is a reviewer's."""
    client.force_login(reviewer)
    return client


@pytest.fixture
def calls(kpis, home):
    kpi = kpis["1.1"]
    load(kpi, home, FY18, monthly_split(150_536, 1), skip={11})  # March 2019 not in yet
    load(kpi, home, FY17, monthly_split(138_893, 2))
    return kpi


def test_chart_json_shape_colours_dashes_and_markers(client, calls):
    response = client.get(reverse("kpis:chart", kwargs={"code": "1.1"}), {"year": "2018"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    body = json.loads(response.content)
    assert "view" not in body and "view" not in response.content.decode()
    assert set(body) >= {"data", "options"}
    data = body["data"]
    assert data["labels"] == [
        "Apr",
        "May",
        "Jun",
        "Jul",
        "Aug",
        "Sep",
        "Oct",
        "Nov",
        "Dec",
        "Jan",
        "Feb",
        "Mar",
    ]
    previous, current = data["datasets"]
    assert (previous["label"], current["label"]) == ("2017/18", "2018/19")
    assert previous["borderColor"] == PREVIOUS_STYLE["colour"] == "#1f4e9c"  # blue = previous year
    assert current["borderColor"] == CURRENT_STYLE["colour"] == "#c0392b"  # red = this year
    assert previous["borderDash"] != current["borderDash"]
    assert previous["pointStyle"] != current["pointStyle"]
    assert previous["data"] == [float(v) for v in monthly_split(138_893, 2)]
    assert current["data"][:11] == [float(v) for v in monthly_split(150_536, 1)[:11]]
    assert current["data"][11] is None  # a gap, not a zero
    assert body["options"]["plugins"]["legend"]["labels"]["usePointStyle"] is True


def test_chart_values_follow_a_reupload(client, calls, home):
    Observation.objects.filter(kpi=calls, period_start=FY18.start).update(value=1)
    body = client.get(reverse("kpis:chart", kwargs={"code": "1.1"}), {"year": "2018"}).json()
    assert body["data"]["datasets"][1]["data"][0] == 1.0


@pytest.mark.parametrize("year", ["", "18", "abc", "3000", "2018/19"])
def test_chart_refuses_a_bad_year(client, calls, year):
    assert client.get(reverse("kpis:chart", kwargs={"code": "1.1"}), {"year": year}).status_code == 400


def test_chart_unknown_kpi_is_404(client, calls):
    assert client.get(reverse("kpis:chart", kwargs={"code": "9.9"}), {"year": "2018"}).status_code == 404


def test_chart_for_a_year_with_no_figures_is_all_gaps(client, calls):
    body = client.get(reverse("kpis:chart", kwargs={"code": "1.1"}), {"year": "2010"}).json()
    assert all(v is None for ds in body["data"]["datasets"] for v in ds["data"])
    assert [ds["label"] for ds in body["data"]["datasets"]] == ["2009/10", "2010/11"]


@pytest.mark.django_db
def test_live_chart_data_is_for_staff_only(calls, make_user, django_user_model):
    from django.test import Client

    from portal import roles

    anonymous = Client().get(reverse("kpis:chart", kwargs={"code": "1.1"}), {"year": "2018"})
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    member = Client()
    member.force_login(make_user("member", roles.PANEL_MEMBERS))
    assert member.get(reverse("kpis:chart", kwargs={"code": "1.1"}), {"year": "2018"}).status_code == 403
