"""Glossary import and export through the admin screens (upload, preview, confirm)."""

import csv
import io

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from glossary.models import Term
from glossary.resources import UNSUPPORTED_FILE, terms_import
from portal.spreadsheet_safety import CONFIRM_REFUSED, UPLOAD_GONE
from reports.demo_figures import DEMO_DATA

GLOSSARY_CSV = (DEMO_DATA / "glossary.csv").read_bytes()
IMPORT_URL = reverse("admin:glossary_term_import")
CONFIRM_URL = reverse("admin:glossary_term_process_import")
EXPORT_URL = reverse("admin:glossary_term_export")
CSV_FORMAT, XLSX_FORMAT = "0", "1"

pytestmark = pytest.mark.django_db


def _csv(rows: list[list[str]], header=("term", "abbreviation", "definition")) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode()


def _preview(client, content: bytes, name: str = "glossary.csv", fmt: str = CSV_FORMAT):
    upload = SimpleUploadedFile(name, content, content_type="text/csv")
    return client.post(IMPORT_URL, {"import_file": upload, "format": fmt, "resource": "0"})


def _confirm(client, preview):
    form = preview.context["confirm_form"]
    return client.post(
        CONFIRM_URL, {name: form.initial[name] for name in form.fields if name in form.initial}
    )


def _import(client, content: bytes, name: str = "glossary.csv", fmt: str = CSV_FORMAT):
    preview = _preview(client, content, name=name, fmt=fmt)
    assert preview.status_code == 200
    assert preview.context.get("confirm_form") is not None, _errors(preview)
    return preview, _confirm(client, preview)


def _errors(response) -> str:
    result = response.context.get("result")
    form = response.context.get("form")
    parts = [str(form.errors) if form is not None else ""]
    if result is not None:
        parts += [str(e.error) for e in result.base_errors]
        parts += [str(row.error_dict) for row in result.invalid_rows]
        parts += [str(e.error) for _, errors in result.row_errors() for e in errors]
    return " ".join(p for p in parts if p)


# --------------------------------------------------------------------------- import
def test_editor_imports_the_demo_glossary_after_a_preview(client, editor):
    client.force_login(editor)
    assert client.get(IMPORT_URL).status_code == 200

    preview = _preview(client, GLOSSARY_CSV)
    assert preview.status_code == 200
    result = preview.context["result"]
    assert not result.has_errors() and not result.has_validation_errors()
    assert result.totals["new"] == 20
    assert "Domestic Violence Prevention Orders" in preview.content.decode()
    assert Term.objects.count() == 0, "the preview writes nothing"

    done = _confirm(client, preview)
    assert done.status_code == 302
    assert Term.objects.count() == 20
    prevent = Term.objects.get(term="Prevent Team")
    assert "are;\n\n- Tackle the causes" in prevent.definition
    assert "terrorism\n- Safeguard and support" in prevent.definition
    dvpo = Term.objects.get(abbreviation="DVPO")
    assert dvpo.term == "Domestic Violence Prevention Orders"
    assert dvpo.slug == "dvpo"
    assert Term.objects.get(term="Clare’s Law").abbreviation == ""
    assert Term.objects.filter(slug="").count() == 0


def test_importing_again_updates_terms_instead_of_duplicating_them(client, editor):
    client.force_login(editor)
    _import(client, GLOSSARY_CSV)
    corrected = GLOSSARY_CSV.replace(
        b"deploying the most appropriate resource.", b"deploying the right resource."
    )
    preview, _ = _import(client, corrected)
    totals = preview.context["result"].totals
    assert (totals["new"], totals["update"], totals["skip"]) == (0, 1, 19)
    assert Term.objects.count() == 20
    assert Term.objects.get(abbreviation="CMD").definition.endswith("deploying the right resource.")


def test_spaces_around_a_term_do_not_make_a_new_term(client, editor):
    client.force_login(editor)
    _import(client, _csv([["Pronto", "", "An app."]]))
    _import(client, _csv([["  Pronto ", " ", "An app for officers."]]))
    assert list(Term.objects.values_list("term", "abbreviation", "definition")) == [
        ("Pronto", "", "An app for officers.")
    ]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (_csv([["", "X", "A definition."]]), "term"),
        (_csv([["Pronto", "", ""]]), "definition"),
        (_csv([["T" * 201, "", "Too long a term."]]), "at most 200 characters"),
        (_csv([["Pronto", "A" * 41, "Too long an abbreviation."]]), "at most 40 characters"),
        (_csv([["Pronto", "An app."]], header=("name", "definition")), "term"),
    ],
    ids=["empty term", "empty definition", "long term", "long abbreviation", "no term column"],
)
def test_bad_rows_are_reported_and_nothing_is_written(client, editor, content, expected):
    client.force_login(editor)
    preview = _preview(client, content)
    assert preview.status_code == 200
    assert preview.context.get("confirm_form") is None
    assert expected in _errors(preview)
    assert Term.objects.count() == 0


def test_a_file_that_is_not_a_spreadsheet_is_refused(client, editor):
    client.force_login(editor)
    preview = _preview(client, b"PK\x03\x04 not really a workbook", name="glossary.xlsx", fmt=XLSX_FORMAT)
    assert preview.status_code == 200
    assert preview.context.get("confirm_form") is None
    assert preview.context["form"].errors
    assert Term.objects.count() == 0


@pytest.mark.parametrize(
    ("field", "forged"),
    [("import_file_name", "../../etc/passwd"), ("import_file_name", "someone-elses-upload"), ("format", "7")],
)
def test_a_forged_confirmation_is_refused(client, editor, field, forged):
    client.force_login(editor)
    preview = _preview(client, GLOSSARY_CSV)
    data = dict(preview.context["confirm_form"].initial)
    data[field] = forged
    response = client.post(CONFIRM_URL, data)
    assert response.status_code == 200
    assert CONFIRM_REFUSED in response.content.decode()
    assert Term.objects.count() == 0


def test_a_confirmation_issued_to_another_editor_is_refused(client, editor, editor2):
    client.force_login(editor)
    data = dict(_preview(client, GLOSSARY_CSV).context["confirm_form"].initial)
    client.force_login(editor2)
    response = client.post(CONFIRM_URL, data)
    assert CONFIRM_REFUSED in response.content.decode()
    assert Term.objects.count() == 0


def test_confirming_twice_imports_once_and_says_why(client, editor):
    client.force_login(editor)
    preview, first = _import(client, GLOSSARY_CSV)
    assert first.status_code == 302
    again = _confirm(client, preview)
    assert again.status_code == 302 and again["Location"] == IMPORT_URL
    assert UPLOAD_GONE in [str(m) for m in get_messages(again.wsgi_request)]
    assert Term.objects.count() == 20


def test_script_in_a_definition_is_shown_escaped_in_the_preview(client, editor):
    client.force_login(editor)
    preview = _preview(
        client, _csv([["Pronto", "", '<script>alert("x")</script><img src=x onerror=alert(1)>']])
    )
    body = preview.content.decode()
    assert "<script>alert" not in body and "<img src=x" not in body
    assert "&lt;script&gt;alert" in body


# --------------------------------------------------------------------------- permissions
def test_anonymous_and_panel_members_cannot_reach_import(client, panel_member):
    response = client.get(IMPORT_URL)
    assert response.status_code == 302 and "/login/" in response["Location"]
    client.force_login(panel_member)
    response = client.get(IMPORT_URL)
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_reviewers_may_export_but_not_import(client, reviewer):
    Term.objects.create(term="Pronto", definition="An app.")
    client.force_login(reviewer)
    assert client.get(IMPORT_URL).status_code == 403
    upload = SimpleUploadedFile("glossary.csv", GLOSSARY_CSV, content_type="text/csv")
    response = client.post(IMPORT_URL, {"import_file": upload, "format": CSV_FORMAT, "resource": "0"})
    assert response.status_code == 403
    assert Term.objects.count() == 1
    exported = client.post(EXPORT_URL, _export_form(CSV_FORMAT))
    assert exported.status_code == 200
    assert b"Pronto" in exported.content


def test_editor_without_add_permission_cannot_import(client, make_user):
    from django.contrib.auth.models import Permission

    user = make_user("changer", None, is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(
            codename__in=["change_term", "view_term"], content_type__app_label="glossary"
        )
    )
    client.force_login(user)
    assert client.get(IMPORT_URL).status_code == 403


def test_changelist_searches_terms_abbreviations_and_definitions(client, editor):
    Term.objects.create(
        term="Domestic Violence Prevention Orders", abbreviation="DVPO", definition="Civil order."
    )
    Term.objects.create(term="Pronto", definition="A mobile app.")
    client.force_login(editor)
    changelist = reverse("admin:glossary_term_changelist")
    for query in ("DVPO", "prevention", "civil"):
        names = [t.term for t in client.get(changelist, {"q": query}).context["cl"].result_list]
        assert names == ["Domestic Violence Prevention Orders"]


# --------------------------------------------------------------------------- export
DANGEROUS = {
    "Equals": '=HYPERLINK("http://evil.example","click")',
    "Plus": "+1+1",
    "Minus": "-2+3",
    "At": "@SUM(A1:A2)",
    "Tab": "\t=1+1",
    "Return": "\r=1+1",
}


def _export_form(fmt: str) -> dict:
    return {
        "format": fmt,
        "resource": "0",
        "termresource_term": "on",
        "termresource_abbreviation": "on",
        "termresource_definition": "on",
    }


@pytest.fixture
def dangerous_terms(db):
    for term, definition in DANGEROUS.items():
        Term.objects.create(term=term, definition=definition)
    Term.objects.create(term="-Minus term", abbreviation="=X", definition="Plain text.")
    Term.objects.create(term="Safe", definition="Nothing to escape - even with a dash inside.")


def test_csv_export_neutralises_formulas(client, editor, dangerous_terms):
    client.force_login(editor)
    response = client.post(EXPORT_URL, _export_form(CSV_FORMAT))
    assert response.status_code == 200
    rows = {r["term"]: r for r in csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")))}
    for term, definition in DANGEROUS.items():
        assert rows[term]["definition"] == "'" + definition
    assert rows["'-Minus term"]["abbreviation"] == "'=X"
    assert rows["Safe"]["definition"] == "Nothing to escape - even with a dash inside."


def test_xlsx_export_has_no_formula_cells(client, editor, dangerous_terms, tmp_path):
    client.force_login(editor)
    response = client.post(EXPORT_URL, _export_form(XLSX_FORMAT))
    assert response.status_code == 200
    path = tmp_path / "glossary.xlsx"
    path.write_bytes(response.content)
    sheet = load_workbook(path).active
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert all(cell.data_type != "f" for cell in cells)
    definitions = {row[0]: row[2] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert definitions["Equals"] == "'" + DANGEROUS["Equals"]
    assert definitions["At"] == "'@SUM(A1:A2)"


@pytest.mark.parametrize(("fmt", "name"), [(CSV_FORMAT, "glossary.csv"), (XLSX_FORMAT, "glossary.xlsx")])
def test_an_exported_glossary_imports_back_unchanged(client, editor, dangerous_terms, fmt, name):
    client.force_login(editor)
    before = sorted(Term.objects.values_list("term", "abbreviation", "definition"))
    exported = client.post(EXPORT_URL, _export_form(fmt)).content
    preview, _ = _import(client, exported, name=name, fmt=fmt)
    after = sorted(Term.objects.values_list("term", "abbreviation", "definition"))
    # Exact, carriage returns included: the pending upload is read back as bytes from the
    # shared storage, not through a temporary file's text mode, which made them line feeds.
    assert preview.context["result"].totals["skip"] == len(before)
    assert after == before


# --------------------------------------------------------------------------- in a browser
@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_editor_imports_the_glossary_in_a_browser_and_the_screens_are_accessible(
    page, live_server, editor, tmp_path
):
    from tests.conftest import login, run_axe, screenshot

    login(page, live_server, "edith", next_url="/admin/glossary/term/import/")
    page.goto(live_server.url + IMPORT_URL)
    assert run_axe(page) == []
    csv_path = tmp_path / "glossary.csv"
    csv_path.write_bytes(GLOSSARY_CSV)
    page.set_input_files("input[type=file]", str(csv_path))
    page.select_option("select[name=format]", label="csv")
    page.get_by_role("button", name="Submit").click()
    page.wait_for_load_state()
    assert page.get_by_text("Domestic Violence Prevention Orders").first.is_visible()
    assert Term.objects.count() == 0
    assert run_axe(page) == []
    screenshot(page, "glossary-import-preview")

    page.get_by_role("button", name="Confirm import").click()
    page.wait_for_load_state()
    assert Term.objects.count() == 20
    assert page.get_by_role("link", name="Missing Persons Team").is_visible()
    # Django's stock admin breadcrumbs (white links in pale text, no underline) fail
    # link-in-text-block on change lists; that belongs to the shared admin look.
    violations = [
        v
        for v in run_axe(page)
        if not (v["id"] == "link-in-text-block" and all(n.startswith(".breadcrumbs") for n in v["nodes"]))
    ]
    assert violations == []
    screenshot(page, "glossary-changelist")
    assert page.csp_errors == []


# --------------------------------------------------------------------------- the same path without the admin
def test_terms_import_loads_the_demo_glossary_like_the_admin(editor):
    preview = terms_import(content=GLOSSARY_CSV, file_name="glossary.csv", user=editor, dry_run=True)
    assert preview.totals["new"] == 20 and Term.objects.count() == 0
    result = terms_import(content=GLOSSARY_CSV, file_name="glossary.csv", user=editor)
    assert not result.has_errors() and not result.has_validation_errors()
    assert Term.objects.count() == 20
    again = terms_import(content=GLOSSARY_CSV, file_name="glossary.csv", user=editor)
    assert again.totals["skip"] == 20 and Term.objects.count() == 20


def test_terms_import_writes_nothing_when_any_row_is_bad(editor):
    content = _csv([["Pronto", "", "An app."], ["", "X", "No term."]])
    result = terms_import(content=content, file_name="glossary.csv", user=editor)
    assert result.has_validation_errors()
    assert Term.objects.count() == 0


@pytest.mark.parametrize("name", ["glossary.xls", "glossary.json", "glossary"])
def test_terms_import_refuses_other_file_types(name):
    with pytest.raises(ValueError) as excinfo:
        terms_import(content=b"term,abbreviation,definition\n", file_name=name)
    assert str(excinfo.value) == UNSUPPORTED_FILE.format(name=name)
