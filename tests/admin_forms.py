"""Read an admin change form the way a browser submits it, so tests post what a person would.

`form_fields(response)` returns the successful controls of the page's main form (text
inputs, hidden fields, checked boxes and radios, selected options, textareas), including
the inline formsets' management forms and the hidden edit version.
"""

from __future__ import annotations

from html.parser import HTMLParser

SKIPPED_TYPES = {"submit", "button", "reset", "image", "file"}


class _FormReader(HTMLParser):
    def __init__(self, form_id: str | None):
        super().__init__(convert_charrefs=True)
        self.form_id, self.in_form, self.depth = form_id, False, 0
        self.fields: list[tuple[str, str]] = []
        self._select: str | None = None
        self._select_multiple = False
        self._select_values: list[str] = []
        self._first_option: str | None = None
        self._option_value: str | None = None
        self._option_text = ""
        self._textarea: str | None = None
        self._textarea_text = ""

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and not self.in_form and (self.form_id is None or a.get("id") == self.form_id):
            if a.get("method", "get").lower() == "post":
                self.in_form, self.depth = True, 1
            return
        if not self.in_form:
            return
        if tag == "form":
            self.depth += 1
        elif tag == "input" and a.get("name") and a.get("type", "text") not in SKIPPED_TYPES:
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self.fields.append((a["name"], a.get("value", "on")))
            else:
                self.fields.append((a["name"], a.get("value", "")))
        elif tag == "select" and a.get("name"):
            self._select, self._select_multiple = a["name"], "multiple" in a
            self._select_values, self._first_option = [], None
        elif tag == "option" and self._select is not None:
            self._option_value, self._option_text = a.get("value"), ""
            if "selected" in a:
                self._select_values.append(a.get("value", ""))
            self._pending_first = self._first_option is None
        elif tag == "textarea" and a.get("name"):
            self._textarea, self._textarea_text = a["name"], ""

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea_text += data
        elif self._option_value is None and self._select is not None:
            self._option_text += data

    def handle_endtag(self, tag):
        if not self.in_form:
            return
        if tag == "form":
            self.depth -= 1
            self.in_form = self.depth > 0
        elif tag == "option" and self._select is not None:
            value = self._option_value if self._option_value is not None else self._option_text.strip()
            if self._first_option is None:
                self._first_option = value
            self._option_value = None
        elif tag == "select" and self._select is not None:
            values = self._select_values
            if not values and not self._select_multiple and self._first_option is not None:
                values = [self._first_option]  # a browser sends the first option
            self.fields.extend((self._select, v) for v in values)
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            text = self._textarea_text
            self.fields.append((self._textarea, text[1:] if text.startswith("\n") else text))
            self._textarea = None


def form_fields(response, form_id: str | None = None) -> dict:
    """{name: value or [values]} of the page's first POST form (or the one with `form_id`)."""
    reader = _FormReader(form_id)
    reader.feed(response.content.decode())
    out: dict = {}
    for name, value in reader.fields:
        if name in out:
            out[name] = (out[name] if isinstance(out[name], list) else [out[name]]) + [value]
        else:
            out[name] = value
    return out
