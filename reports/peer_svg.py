"""Peer charts: a KPI across a peer group as a lean horizontal bar chart in SVG.

Reads the frozen peer dict (`kpis.rankings.Ranking.as_dict()`, row["peer"] in a snapshot),
so the web page and the PDF draw the same thing. The force the report is about is marked
four ways, never by colour alone: a hatched fill, a thick dark outline, a bold label and the
words "(this force)". The group average is a labelled dashed line, and the <desc> lists every
force's rank and figure for screen readers and the PDF's alternative text.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.html import escape

from . import svgcharts

WIDTH = 640
ROW = 22
BAR = 14
LEFT, TOP, BOTTOM = 200, 14, 30
CHAR = 6.4  # width of one 11px character, generous, to leave room for the figures
PEER_COLOUR = "#1f4e9c"  # 8.6:1 on white
HOME_COLOUR = "#c0392b"  # 5.4:1 on white
OUTLINE = "#0b0c0c"
AXIS = "#505a5f"
AVERAGE_COLOUR = "#505a5f"
FONT = svgcharts.FONT  # the PDF's typeface, as the trend charts use it
THIS_FORCE = "(this force)"


def _fmt(number: float) -> str:
    text = f"{number:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _id(peer: dict) -> str:
    raw = f"peer-{peer.get('kpi_code', '')}-{peer.get('group', '')}-{peer.get('measure', '')}"
    return "".join(c if c.isalnum() else "-" for c in raw.lower())


def describe(peer: dict) -> str:
    """Every force's rank and figure in words: the chart's text alternative."""
    parts = [f"{peer['group']}, {peer['period_label']}: {peer['display']}. Rank {peer['direction_note']}."]
    for m in peer["members"]:
        label = f"{m['name']} {THIS_FORCE}" if m["is_home"] else m["name"]
        parts.append(f"{m['rank']}. {label}: {m['display']}.")
    if peer["average"]:
        parts.append(f"Group average: {peer['average']['display']}.")
    if peer["missing"]:
        parts.append("No figure: " + ", ".join(peer["missing"]) + ".")
    return " ".join(parts)


def peer_chart_svg(peer: dict, *, title: str) -> str:
    """An inline SVG bar chart of the peer figures in rank order, or "" when there are none.

    `title` is the chart's accessible name (its <title>, which WeasyPrint writes as the PDF
    figure's alternative text); the <desc> gives every figure.
    """
    members = peer["members"] if peer else []  # None: the row has no peer group
    if not members:
        return ""
    values = [float(Decimal(m["value"])) for m in members]
    average = float(Decimal(peer["average"]["value"])) if peer["average"] else None
    low = min(0.0, *values)
    high = max(0.0, *values)
    span = (high - low) or 1.0
    figures_w = 18 + CHAR * max(len(m["display"]) for m in members)
    plot_w = WIDTH - LEFT - figures_w
    height = TOP + ROW * len(members) + BOTTOM
    cid = _id(peer)

    def x(value: float) -> float:
        return LEFT + plot_w * (value - low) / span

    zero = x(0.0)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="peer-chart" viewBox="0 0 {WIDTH} {height}" '
        f'width="{WIDTH}" height="{height}" role="img" aria-labelledby="{cid}-t {cid}-d">',
        f'<title id="{cid}-t">{escape(title)}</title>',
        f'<desc id="{cid}-d">{escape(describe(peer))}</desc>',
        # The hatch: white diagonal stripes over the highlight colour.
        f'<defs><pattern id="{cid}-hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
        f'patternTransform="rotate(45)"><rect width="6" height="6" fill="{HOME_COLOUR}"/>'
        f'<path d="M0 0V6" stroke="#ffffff" stroke-width="2"/></pattern></defs>',
    ]
    peer_bars, texts = [], []
    home_bar = ""
    for i, (m, value) in enumerate(zip(members, values, strict=True)):
        top = TOP + i * ROW + (ROW - BAR) / 2
        left, right = sorted((zero, x(value)))
        bar = f"M{_fmt(left)} {_fmt(top)}h{_fmt(max(right - left, 1))}v{BAR}h{_fmt(-max(right - left, 1))}z"
        baseline = _fmt(top + BAR - 3)
        name = f"{m['rank']}. {m['name']}"
        if m["is_home"]:
            home_bar = bar
            texts.append(
                f'<text x="{LEFT - 8}" y="{baseline}" text-anchor="end" font-weight="bold">'
                f"{escape(name)} {THIS_FORCE}</text>"
            )
        else:
            peer_bars.append(bar)
            texts.append(f'<text x="{LEFT - 8}" y="{baseline}" text-anchor="end">{escape(name)}</text>')
        weight = ' font-weight="bold"' if m["is_home"] else ""
        # Figures in a column of their own, clear of the bars and the average line.
        texts.append(
            f'<text x="{WIDTH - 6}" y="{baseline}" text-anchor="end"{weight}>{escape(m["display"])}</text>'
        )
    bottom = TOP + ROW * len(members)
    axis = f"M{_fmt(zero)} {TOP - 4}V{bottom + 4}"
    out.append(f'<path d="{axis}" stroke="{AXIS}" stroke-width="1" fill="none"/>')
    if peer_bars:
        out.append(f'<path d="{"".join(peer_bars)}" fill="{PEER_COLOUR}"/>')
    if home_bar:
        out.append(f'<path d="{home_bar}" fill="url(#{cid}-hatch)" stroke="{OUTLINE}" stroke-width="2.5"/>')
    out.append(f'<g {FONT} font-size="11" fill="{OUTLINE}">')
    out.extend(texts)
    if average is not None:
        ax = _fmt(x(average))
        out.append(
            f'<path d="M{ax} {TOP - 4}V{bottom + 6}" stroke="{AVERAGE_COLOUR}" stroke-width="1.5" '
            f'stroke-dasharray="4 3" fill="none"/>'
        )
        out.append(
            f'<text x="{ax}" y="{bottom + 18}" text-anchor="middle" fill="{AVERAGE_COLOUR}">'
            f"Group average {escape(peer['average']['display'])}</text>"
        )
    out.append("</g></svg>")
    return "".join(out)
