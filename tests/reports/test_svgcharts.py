"""reports/svgcharts.py: lean, accessible SVG trend charts from the snapshot's trend dict."""

import xml.etree.ElementTree as ET

import pytest

from kpis.charts import CURRENT_STYLE, PREVIOUS_STYLE
from reports.svgcharts import nice_ticks, trend_svg

from .factories import kpi_row

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


@pytest.fixture
def trend():
    return kpi_row("1.1", "Number of 999 Calls", "Calls", 150536, 138893)["trend"]


def series_paths(root):
    """The stroked line paths of the two series (the ones drawn in a series colour)."""
    return {
        p.get("stroke"): p
        for p in root.iter(f"{SVG}path")
        if p.get("stroke") in (PREVIOUS_STYLE["colour"], CURRENT_STYLE["colour"])
    }


def test_chart_is_an_image_with_title_and_description_listing_every_value(trend):
    root = parse(trend_svg(trend, title="Trend chart for 1.1 Number of 999 Calls"))
    assert root.get("role") == "img"
    assert root.find(f"{SVG}title").text == "Trend chart for 1.1 Number of 999 Calls"
    desc = root.find(f"{SVG}desc").text
    assert desc.startswith("2017/18: Apr ")
    assert "2018/19: Apr " in desc
    first = f"{int(trend['current']['values'][0]):,}"
    assert f"Apr {first}" in desc
    assert root.get("aria-labelledby") == "chart-1-1-t chart-1-1-d"


def test_previous_year_is_blue_dashed_with_squares_and_current_red_solid_with_circles(trend):
    root = parse(trend_svg(trend, title="t"))
    lines = series_paths(root)
    previous, current = lines[PREVIOUS_STYLE["colour"]], lines[CURRENT_STYLE["colour"]]
    assert previous.get("stroke-dasharray") == "6 4"
    assert current.get("stroke-dasharray") is None
    fills = {p.get("fill"): p.get("d") for p in root.iter(f"{SVG}path") if p.get("fill") != "none"}
    # Squares are drawn with h/v edges; circles with curves.
    assert "h7v7h-7z" in fills[PREVIOUS_STYLE["colour"]]
    assert "c0-2.2" not in fills[PREVIOUS_STYLE["colour"]]
    assert "h7v7h-7z" not in fills[CURRENT_STYLE["colour"]]
    assert fills[CURRENT_STYLE["colour"]].count("c0-2.2 1.8-4 4-4s4 1.8 4 4-1.8 4-4 4-4-1.8-4-4z") == 13
    # 12 months + the legend sample each.
    assert fills[PREVIOUS_STYLE["colour"]].count("z") == 13
    assert fills[CURRENT_STYLE["colour"]].count("z") == 13


def test_legend_names_both_years_so_colour_is_not_the_only_cue(trend):
    texts = [t.text for t in parse(trend_svg(trend, title="t")).iter(f"{SVG}text")]
    assert "2017/18" in texts and "2018/19" in texts
    assert texts.count("Apr") == 1 and "Mar" in texts
    assert "Month" in texts and "Number" in texts


def test_one_line_path_per_series_and_few_nodes_in_all(trend):
    root = parse(trend_svg(trend, title="t"))
    assert len(series_paths(root)) == 2
    nodes = list(root.iter())
    assert len(nodes) < 40, len(nodes)
    assert not list(root.iter(f"{SVG}filter"))
    assert not list(root.iter(f"{SVG}image"))


def test_missing_month_breaks_the_line_instead_of_bridging_it(trend):
    trend["current"]["values"][5] = None
    line = series_paths(parse(trend_svg(trend, title="t")))[CURRENT_STYLE["colour"]].get("d")
    # Legend sample, the months before the gap, the months after it: three moves.
    assert line.count("M") == 3


def test_year_with_no_figures_draws_no_line_but_still_a_chart(trend):
    trend["current"]["values"] = [None] * 12
    root = parse(trend_svg(trend, title="t"))
    line = series_paths(root)[CURRENT_STYLE["colour"]].get("d")
    assert line.count("M") == 1  # only the legend sample
    assert "2018/19: Apr –" in root.find(f"{SVG}desc").text


def test_spc_limits_are_thin_grey_labelled_lines(trend):
    plain = parse(trend_svg(trend, title="t"))
    assert "Mean" not in [t.text for t in plain.iter(f"{SVG}text")]
    spc = {"spc": {"mean": 12000, "upper": 14500, "lower": 9500}}
    root = parse(trend_svg(trend, title="t", analysis=spc))
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert {"Mean", "Upper limit", "Lower limit"} <= set(texts)
    grey = [p for p in root.iter(f"{SVG}path") if p.get("stroke") == "#6f777b"]
    assert len(grey) == 1 and grey[0].get("d").count("M") == 3
    assert float(grey[0].get("stroke-width")) < 1


def test_title_and_labels_are_escaped(trend):
    trend["current"]["label"] = "<script>alert(1)</script>"
    svg = trend_svg(trend, title='"><img src=x onerror=alert(1)>')
    root = parse(svg)  # still well-formed XML
    assert "<script>" not in svg and "<img" not in svg
    assert root.find(f"{SVG}title").text == '"><img src=x onerror=alert(1)>'


@pytest.mark.parametrize(
    "low, high", [(0, 1), (0, 150536), (9500, 14500), (-3.2, 7.7), (0.1, 0.9), (5, 5), (0, 0)]
)
def test_ticks_cover_the_range_with_round_steps(low, high):
    ticks = nice_ticks(low, high)
    assert ticks[0] <= low and ticks[-1] >= high
    assert 2 <= len(ticks) <= 7
    steps = {round(b - a, 9) for a, b in zip(ticks, ticks[1:], strict=False)}
    assert len(steps) == 1


def test_percent_axis_uses_percent_labels(trend):
    trend["kpi"]["unit"] = "percent"
    trend["kpi"]["decimals"] = 1
    trend["current"]["values"] = [70.0 + i / 10 for i in range(12)]
    trend["previous"]["values"] = [72.0] * 12
    texts = [t.text for t in parse(trend_svg(trend, title="t")).iter(f"{SVG}text")]
    assert any(t.endswith("%") for t in texts)
    assert "Per cent" in texts
