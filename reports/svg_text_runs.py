"""SVG text drawn as whole runs in WeasyPrint 70, instead of one character at a time.

WeasyPrint 70 lays out and draws every character of an SVG <text> separately: a Pango
layout and a PDF text object per character (upstream issue Kozea/WeasyPrint#2249, which
also notes that it loses kerning and ligatures). Our charts' axis labels, limits and
legends are about 100 characters a chart, and that per-character work was a twelfth of a
report's PDF render.

For a text node that positions nothing per character (no x/y lists, dx, dy, rotate,
letter-spacing, textLength or baseline alignment), `install()` makes WeasyPrint shape the
whole run once and draw it as one line, as its HTML text already is. Anything else goes
to WeasyPrint's own code unchanged. The replacement is installed only on the WeasyPrint
release it was written against (the lock pins it); on any other release WeasyPrint's own
code runs, slower but correct, and `tests/reports/test_svg_text_runs.py` fails so that
whoever upgrades looks again.
"""

from __future__ import annotations

import sys
from math import inf

WRITTEN_FOR = "70."
# Attributes that place or space single characters: with any of them, WeasyPrint's own
# per-character code runs.
PER_CHARACTER = (
    "dx",
    "dy",
    "rotate",
    "textLength",
    "lengthAdjust",
    "letter-spacing",
    "display-anchor",
    "dominant-baseline",
    "alignment-baseline",
)


def installed() -> bool:
    svg_module = sys.modules.get("weasyprint.svg")
    return bool(svg_module and getattr(svg_module.text, "whole_runs", False))


def install() -> bool:
    """Install the whole-run text drawing once; True when it is in use."""
    import weasyprint

    if not weasyprint.__version__.startswith(WRITTEN_FOR):
        return False
    if installed():
        return True
    # `weasyprint.svg.text` is the function (the package imports it over its module name).
    svg_module = sys.modules["weasyprint.svg"]
    text_module = sys.modules["weasyprint.svg.text"]
    stock = text_module.text

    def text(svg, node, font_size):
        if not _whole_run(node):
            return stock(svg, node, font_size)
        return _draw_run(svg, node, font_size, text_module)

    text.whole_runs = True
    # draw_node() tells text nodes by comparing TAGS entries with the module's `text`,
    # so both are replaced together.
    svg_module.text = text
    for tag, function in list(svg_module.TAGS.items()):
        if function is stock:
            svg_module.TAGS[tag] = text
    return True


def _single(value: str | None) -> bool:
    from weasyprint.svg.utils import normalize

    return len(normalize(value).split(" ")) <= 1


def _whole_run(node) -> bool:
    return (
        node.tag in ("text", "tspan")
        and bool(node.text)
        and not any(node.get(name) for name in PER_CHARACTER)
        and _single(node.attrib.get("x"))
        and _single(node.attrib.get("y"))
    )


def _style(svg, node, font_size, text_module):
    """The text's style, built as WeasyPrint's own SVG text code builds it."""
    from weasyprint.css.properties import INITIAL_VALUES

    style = text_module.Style()
    style.update(INITIAL_VALUES)
    style.font_config = svg.font_config
    style["font_family"] = [font.strip("\"'") for font in node.get("font-family", "sans-serif").split(",")]
    style["font_style"] = node.get("font-style", "normal")
    style["font_size"] = font_size
    if node.get("direction") in ("ltr", "rtl"):
        style["direction"] = node.get("direction")
    weight = node.get("font-weight", 400)
    if weight == "normal":
        weight = 400
    elif weight == "bold":
        weight = 700
    else:
        try:
            weight = int(weight)
        except ValueError:
            weight = 400
    style["font_weight"] = weight
    return style


def _draw_run(svg, node, font_size, text_module):
    from weasyprint.draw.text import draw_emojis, draw_first_line
    from weasyprint.matrix import Matrix
    from weasyprint.svg.bounding_box import extend_bounding_box
    from weasyprint.svg.utils import normalize, size
    from weasyprint.text.line_break import split_first_line

    style = _style(svg, node, font_size, text_module)
    layout, _, _, width, height, baseline = split_first_line(node.text, style, svg.context, inf, 0)

    x, y = svg.cursor_position
    if "x" in node.attrib:
        x = size(normalize(node.attrib["x"]), font_size, svg.inner_width)
        svg.cursor_d_position[0] = 0
    if "y" in node.attrib:
        y = size(normalize(node.attrib["y"]), font_size, svg.inner_height)
        svg.cursor_d_position[1] = 0
    x_position = x + svg.cursor_d_position[0]
    y_position = y + svg.cursor_d_position[1]
    svg.cursor_position = x + width, y
    node.text_bounding_box = extend_bounding_box(
        node.text_bounding_box,
        ((x_position, y_position - baseline), (x_position + width, y_position - baseline + height)),
    )

    svg.stream.push_state()
    fill, stroke = svg.set_graphical_state(node, font_size)
    svg.stream.begin_text()
    layout.reactivate(style)
    svg.fill_stroke(fill, stroke, text=True)
    box = text_module.TextBox(layout, style)
    box.baseline = baseline
    emojis = draw_first_line(svg.stream, box, "none", "none", Matrix(a=1, d=-1, e=x_position, f=y_position))
    svg.stream.end_text()
    svg.stream.pop_state()
    draw_emojis(svg.stream, style, x, y, emojis)
