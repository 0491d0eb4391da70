"""What changed between two snapshots: the figures of each KPI row and the text of each paragraph.

Used on the reviewer's page (the draft against the last published version, and against the
previous period's report) and in the version history (version N against N-1, and against the
previous period's report). Both sides are snapshots (docs/snapshot.md), so a diff is
pure and never reads live data.
"""

from __future__ import annotations

import difflib
import re

from django.utils.html import escape, strip_tags
from django.utils.safestring import SafeString, mark_safe

FIGURE_FIELDS = (
    ("current_display", "current"),
    ("previous_display", "previous"),
    ("change_display", "Volume change"),
    ("percent_change_display", "% change"),
)
REPORT_FIELDS = (
    ("title", "Title"),
    ("marking", "Protective marking"),
    ("audience", "Audience"),
    ("data_note", "Data note"),
)
TOKENS = re.compile(r"\s+|[^\s]+")
# Below this share of words in common a paragraph counts as rewritten, not edited.
REWRITTEN_BELOW = 0.3


def _similarity(old: str, new: str) -> float:
    return difflib.SequenceMatcher(None, old.split(), new.split(), autojunk=False).ratio()


def _marked(tag: str, said: str, words: str) -> str:
    """<del>/<ins> around the words only: spaces at either end stay outside, as plain text."""
    core = words.strip()
    lead, trail = words[: len(words) - len(words.lstrip())], words[len(words.rstrip()) :]
    hidden = f'<span class="visually-hidden">{said}: </span>'
    return f"{escape(lead)}<{tag}>{hidden}{escape(core)}</{tag}>{escape(trail)}"


def diff_html(old: str, new: str) -> SafeString:
    """A word-level diff of two texts as HTML: removed words in <del>, added words in <ins>.

    Every piece of text is escaped before it is wrapped, so the result is safe to show.
    """
    a, b = TOKENS.findall(old or ""), TOKENS.findall(new or "")
    out = []
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        removed, added = "".join(a[i1:i2]), "".join(b[j1:j2])
        if op == "equal":
            out.append(escape(removed))
            continue
        if removed.strip():
            out.append(_marked("del", "removed", removed))
        elif removed:
            out.append(escape(removed))
        if added.strip():
            out.append(_marked("ins", "added", added))
        elif added and not removed:
            out.append(escape(added))
    return mark_safe("".join(out))  # safe: every text piece above is escaped


def _rows(snapshot: dict) -> dict[str, dict]:
    rows = {}
    for section in snapshot["sections"]:
        for row in section["rows"]:
            code = row["kpi"]["code"]
            if code not in rows:
                rows[code] = {**row, "_section": section["title"] or section["heading"]}
    return rows


def _paragraphs(snapshot: dict) -> dict[str, dict]:
    paragraphs = {}
    for section in snapshot["sections"]:
        for paragraph in section["paragraphs"]:
            paragraphs[paragraph["number"]] = {
                **paragraph,
                "_section": section["title"] or section["heading"],
            }
    return paragraphs


def _field_label(field: str, label: str, snapshot: dict) -> str:
    period = snapshot["report"]["period" if field == "current_display" else "comparison"]
    if field in ("current_display", "previous_display"):
        return period["short_label"] or label.capitalize()
    return label


def _figures(old: dict, new: dict) -> list[dict]:
    before, after = _rows(old), _rows(new)
    out = []
    for code in list(after) + [c for c in before if c not in after]:
        was, now = before.get(code), after.get(code)
        row = now or was
        item = {
            "code": code,
            "name": row["kpi"]["name"],
            "section": row["_section"],
            "status": "changed",
            "fields": [],
        }
        if was is None or now is None:
            item["status"] = "added" if was is None else "removed"
        for field, label in FIGURE_FIELDS:
            old_value = was["comparison"][field] if was else ""
            new_value = now["comparison"][field] if now else ""
            old_label, new_label = _field_label(field, label, old), _field_label(field, label, new)
            if old_value != new_value or (was and now and old_label != new_label):
                item["fields"].append(
                    {
                        "label": new_label if now else old_label,
                        "was_label": old_label,
                        "old": old_value,
                        "new": new_value,
                    }
                )
        if item["fields"]:
            out.append(item)
    return out


def _text(old: dict, new: dict) -> list[dict]:
    before, after = _paragraphs(old), _paragraphs(new)
    out = []
    for number in list(after) + [n for n in before if n not in after]:
        was, now = before.get(number), after.get(number)
        old_text = was["text"] if was else ""
        new_text = now["text"] if now else ""
        if was is not None and now is not None and old_text == new_text:
            # The same words: only a link's address can differ; show it if it does.
            old_text, new_text = readable(was["html"]), readable(now["html"])
            if old_text == new_text:
                continue
        status = "added" if was is None else "removed" if now is None else "changed"
        # Mostly rewritten (common between periods): the two texts one after the other read
        # better than a word diff that interleaves them.
        rewritten = status == "changed" and _similarity(old_text, new_text) < REWRITTEN_BELOW
        out.append(
            {
                "number": number,
                "section": (now or was)["_section"],
                "status": "rewritten" if rewritten else status,
                "old": old_text,
                "new": new_text,
                "html": "" if rewritten else diff_html(old_text, new_text),
            }
        )
    return out


def _report(old: dict, new: dict) -> list[dict]:
    a, b = old["report"], new["report"]
    out = []
    for field, label in REPORT_FIELDS:
        if a[field] != b[field]:
            out.append({"label": label, "old": a[field], "new": b[field]})
    for field, label in (("period", "Period"), ("comparison", "Compared with")):
        old_label, new_label = a[field]["long_label"], b[field]["long_label"]
        if old_label != new_label:
            out.append({"label": label, "old": old_label, "new": new_label})
    return out


KPI_FIELDS = (
    ("name", "Name"),
    ("description", "Description"),
    ("category", "Category"),
    ("unit", "Unit"),
    ("decimals", "Decimal places"),
    ("good_direction", "Good direction"),
)
LINK = re.compile(r"""<a\s[^>]*?href=["']([^"'#][^"']*)["'][^>]*>(.*?)</a>""", re.S | re.I)


def readable(html: str) -> str:
    """HTML as words, each outside link followed by its address, so a changed link shows."""
    with_targets = LINK.sub(lambda m: f"{m.group(2)} ({m.group(1)})", html or "")
    return " ".join(strip_tags(with_targets).split())


def _kpis(old: dict, new: dict) -> list[dict]:
    """Catalogue details (name, description, …) of KPIs shown on both sides that differ."""
    before, after = _rows(old), _rows(new)
    out = []
    for code in [c for c in after if c in before]:
        was, now = before[code]["kpi"], after[code]["kpi"]
        fields = [
            {"label": label, "old": was[field], "new": now[field]}
            for field, label in KPI_FIELDS
            if was[field] != now[field]
        ]
        if fields:
            out.append({"code": code, "name": now["name"], "fields": fields})
    return out


def _terms(snapshot: dict) -> dict[str, dict]:
    terms = {}
    for section in snapshot["sections"]:
        for term in section["terms"]:
            terms.setdefault(term["anchor"] or term["term"], term)
    return terms


def _term_name(term: dict) -> str:
    name = term["term"]
    return f"{name} ({term['abbreviation']})" if term["abbreviation"] else name


def _glossary(old: dict, new: dict) -> list[dict]:
    """Glossary entries added, removed, or whose wording or definition differs."""
    before, after = _terms(old), _terms(new)
    out = []
    for key in list(after) + [k for k in before if k not in after]:
        was, now = before.get(key), after.get(key)
        old_text = readable(was["definition_html"] if was else "")
        new_text = readable(now["definition_html"] if now else "")
        if was and now and (old_text, _term_name(was)) == (new_text, _term_name(now)):
            continue
        out.append(
            {
                "term": _term_name(now or was),
                "was_term": _term_name(was) if was else "",
                "status": "added" if was is None else "removed" if now is None else "changed",
                "html": diff_html(old_text, new_text),
            }
        )
    return out


def period_label(publication) -> str:
    """How sentences name the previous period's report: its title and version."""
    title = getattr(publication, "frozen_title", None) or publication.report.title
    return f"“{title}” (version {publication.version})"


def diff_snapshots(old: dict, new: dict, *, against: str = "") -> dict:
    """A readable difference between two snapshots.

    {"against", "old_version", "new_version", "report": [{label, old, new}], "figures":
    [{code, name, section, status, fields: [{label, was_label, old, new}]}], "text": [{number,
    section, status, old, new, html}], "kpis": [{code, name, fields: [{label, old, new}]}],
    "glossary": [{term, was_term, status, html}], "has_changes": bool}. `html` is a word-level diff,
    escaped and safe. `against` names the old side in sentences: "version 2" unless given,
    `period_label(...)` when comparing with the previous period's report.
    """
    report, figures, text = _report(old, new), _figures(old, new), _text(old, new)
    kpis, glossary = _kpis(old, new), _glossary(old, new)
    old_version = old["report"]["version"]
    return {
        "against": against or (f"version {old_version}" if old_version else ""),
        "old_version": old_version,
        "new_version": new["report"]["version"],
        "report": report,
        "figures": figures,
        "text": text,
        "kpis": kpis,
        "glossary": glossary,
        "has_changes": bool(report or figures or text or kpis or glossary),
    }
