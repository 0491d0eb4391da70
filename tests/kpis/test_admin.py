"""kpis/admin.py through the Django test client: upload → preview → confirm, permissions, history."""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kpis.models import ImportBatch, Kpi, Observation, ObservationChange

from .files import csv_bytes, ods_bytes, xlsx_bytes, xml_bomb, zip_bomb_xlsx
from .imports.test_import import CATALOGUE, LONG, WIDE

IMPORT = "admin:kpis_observation_import"
CONFIRM = "admin:kpis_observation_process_import"


def upload(client, content, name, url=IMPORT, sheet=""):
    return client.post(reverse(url), {"import_file": SimpleUploadedFile(name, content), "sheet": sheet})


def token_of(response) -> str:
    match = re.search(r'name="token" value="([^"]+)"', response.content.decode())
    assert match, "no confirm form on the page"
    return match.group(1)


def count(response, name) -> int:
    match = re.search(rf'data-count="{name}">(\d+)<', response.content.decode())
    return int(match.group(1))


@pytest.mark.parametrize(
    "maker,name,rows,new",
    [(csv_bytes, "long.csv", LONG, 3), (xlsx_bytes, "wide.xlsx", WIDE, 5), (ods_bytes, "long.ods", LONG, 3)],
)
def test_upload_previews_counts_then_confirm_writes(client, editor, kpis, maker, name, rows, new):
    client.force_login(editor)
    response = upload(client, maker(rows), name)
    assert response.status_code == 200
    assert (count(response, "new"), count(response, "errors")) == (new, 0)
    assert "nothing has been written yet" in response.content.decode()
    assert not Observation.objects.exists() and not ImportBatch.objects.exists()

    response = client.post(reverse(CONFIRM), {"token": token_of(response)})
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:kpis_observation_changelist")
    assert Observation.objects.count() == new
    # The message names the file as it is spelt (the admin capitalises a message's start).
    listing = client.get(response["Location"]).content.decode()
    assert f"Imported {name} (" in listing and name.capitalize() not in listing
    batch = ImportBatch.objects.get()
    assert (batch.imported_by, batch.file_name, batch.rows_new) == (editor, name, new)
    assert ObservationChange.objects.filter(changed_by=editor, batch=batch).count() == new
    # The stored upload is gone: the same token cannot import twice.
    again = client.post(reverse(CONFIRM), {"token": token_of(upload(client, maker(rows), name))})
    assert again.status_code == 302
    assert ImportBatch.objects.get(pk__gt=batch.pk).rows_unchanged == new


def test_preview_lists_every_problem_with_row_and_column_and_writes_nothing(client, editor, kpis):
    client.force_login(editor)
    rows = LONG + [["1.3", "2018-06", "n/a"], ["1.1", "2018-13", "<script>alert(1)</script>"]]
    response = upload(client, csv_bytes(rows), "bad.csv")
    page = response.content.decode()
    assert response.status_code == 200
    assert count(response, "errors") == 4
    assert "There is no KPI with code &#x27;1.3&#x27;; nearest codes: 1.1, 1.2." in page
    assert "&#x27;n/a&#x27; is not a number." in page
    assert "&#x27;2018-13&#x27; is not a month" in page
    assert "<script>alert(1)</script>" not in page  # user text is escaped
    assert re.search(r"<td>5</td>\s*<td>A \(kpi_code\)</td>", page)
    assert 'name="token"' not in page
    assert not Observation.objects.exists() and not ImportBatch.objects.exists()


@pytest.mark.parametrize(
    "content,name,expected",
    [
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "old.xls", "old-style Excel .xls"),
        (b"PK\x03\x04 nonsense", "broken.xlsx", "not a readable Excel workbook"),
        (None, "bomb.xlsx", "possible zip bomb"),
        (None, "laughs.ods", "entity or DTD declarations"),
        (b"", "empty.csv", "The submitted file is empty."),
        ("kpi_code,month,value\n1.1,2018-04,1\n".encode("utf-16"), "u16.csv", "neither UTF-8"),
    ],
)
def test_hostile_files_get_a_clear_message_never_a_500(client, editor, kpis, content, name, expected):
    if name == "bomb.xlsx":
        content = zip_bomb_xlsx(300 * 1024 * 1024)
    elif name == "laughs.ods":
        content = xml_bomb("ods")
    client.force_login(editor)
    response = upload(client, content, name)
    assert response.status_code == 200
    assert expected in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_upload_over_the_size_limit_is_refused_before_reading(client, editor, kpis, settings):
    settings.IMPORT_MAX_FILE_BYTES = 50
    client.force_login(editor)
    response = upload(client, csv_bytes(LONG * 5), "big.csv")
    assert "the limit is 50 bytes" in response.content.decode()


def test_named_sheet_from_the_form(client, editor, kpis):
    client.force_login(editor)
    content = xlsx_bytes(sheets={"Notes": [["read me"]], "Data": LONG})
    response = upload(client, content, "two.xlsx", sheet="Data")
    assert count(response, "new") == 3
    client.post(reverse(CONFIRM), {"token": token_of(response)})
    assert Observation.objects.count() == 3


def test_catalogue_page_imports_the_catalogue_and_refuses_observations(client, editor, home):
    client.force_login(editor)
    url = "admin:kpis_kpi_import"
    response = upload(client, csv_bytes(LONG), "long.csv", url=url)
    assert "import it on the Observations page" in response.content.decode()
    response = upload(client, xlsx_bytes(CATALOGUE), "catalogue.xlsx", url=url)
    assert count(response, "new") == 2
    client.post(reverse("admin:kpis_kpi_process_import"), {"token": token_of(response)})
    assert set(Kpi.objects.values_list("code", flat=True)) == {"6.1", "6.2"}


def test_tampered_or_foreign_token_is_refused(client, editor, editor2, kpis):
    client.force_login(editor)
    token = token_of(upload(client, csv_bytes(LONG), "long.csv"))
    response = client.post(reverse(CONFIRM), {"token": token[:-2] + "xx"}, follow=True)
    assert "The preview has expired or is not valid" in response.content.decode()
    client.force_login(editor2)
    assert client.post(reverse(CONFIRM), {"token": token}).status_code == 403
    # A catalogue token does not confirm on the observations page either.
    assert not Observation.objects.exists()


def test_confirm_rechecks_the_file_against_the_data_now(client, editor, kpis):
    client.force_login(editor)
    token = token_of(upload(client, csv_bytes(LONG), "long.csv"))
    Kpi.objects.filter(code="1.2").delete()  # someone removes a KPI between preview and confirm
    response = client.post(reverse(CONFIRM), {"token": token})
    assert response.status_code == 200
    assert "There is no KPI with code &#x27;1.2&#x27;" in response.content.decode()
    assert not Observation.objects.exists()


def test_reviewer_may_view_and_export_but_not_import(client, reviewer, kpis):
    client.force_login(reviewer)
    changelist = client.get(reverse("admin:kpis_observation_changelist"))
    assert changelist.status_code == 200
    assert reverse(IMPORT) not in changelist.content.decode()
    assert reverse("admin:kpis_observation_export", args=["csv"]) in changelist.content.decode()
    assert client.get(reverse(IMPORT)).status_code == 403
    assert upload(client, csv_bytes(LONG), "long.csv").status_code == 403
    assert client.post(reverse(CONFIRM), {"token": "x"}).status_code == 403
    assert (
        client.get(reverse("admin:kpis_observation_import_template", args=["long", "csv"])).status_code == 403
    )
    assert client.get(reverse("admin:kpis_observation_export", args=["csv"])).status_code == 200
    assert not Observation.objects.exists()


def test_panel_member_and_anonymous_cannot_reach_the_import(client, panel_member, kpis):
    assert client.get(reverse(IMPORT)).status_code == 302  # to the admin login
    client.force_login(panel_member)
    assert client.get(reverse(IMPORT)).status_code == 302  # not staff


def test_editor_sees_import_page_with_templates(client, editor, kpis):
    client.force_login(editor)
    page = client.get(reverse(IMPORT)).content.decode()
    for layout in ("long", "wide"):
        for fmt in ("csv", "xlsx"):
            assert reverse("admin:kpis_observation_import_template", args=[layout, fmt]) in page
    assert reverse(IMPORT) in client.get(reverse("admin:kpis_observation_changelist")).content.decode()


@pytest.mark.parametrize("layout,fmt", [("long", "csv"), ("long", "xlsx"), ("wide", "csv"), ("wide", "xlsx")])
def test_downloaded_templates_import_cleanly_once_filled_in(client, editor, kpis, layout, fmt):
    client.force_login(editor)
    response = client.get(reverse("admin:kpis_observation_import_template", args=[layout, fmt]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="{layout}-template.{fmt}"'
    content = response.content
    if layout == "wide" and fmt == "csv":
        content = content.replace(b"1.1,,,", b"1.1,5,6,")
    elif layout == "wide":
        # The wide template leaves the months empty for staff to fill in: fill two.
        import io

        from openpyxl import load_workbook

        workbook = load_workbook(io.BytesIO(content))
        sheet = workbook.active
        sheet.cell(row=2, column=2, value=5)
        sheet.cell(row=2, column=3, value=6)
        buffer = io.BytesIO()
        workbook.save(buffer)
        content = buffer.getvalue()
    outcome = upload(client, content, f"t.{fmt}")
    assert count(outcome, "errors") == 0
    assert count(outcome, "new") > 0


def test_catalogue_template_downloads(client, editor, home):
    client.force_login(editor)
    response = client.get(reverse("admin:kpis_kpi_import_template", args=["catalogue", "xlsx"]))
    outcome = upload(client, response.content, "cat.xlsx", url="admin:kpis_kpi_import")
    assert count(outcome, "new") == 1 and count(outcome, "errors") == 0
    assert client.get(reverse("admin:kpis_kpi_import_template", args=["long", "xlsx"])).status_code == 404


def test_hand_edit_in_the_admin_keeps_history(client, editor, kpis, home):
    client.force_login(editor)
    obs = Observation.objects.create(
        kpi=kpis["1.1"],
        organisation=home,
        period_start=date(2018, 4, 1),
        period_end=date(2018, 4, 30),
        value=5,
    )
    url = reverse("admin:kpis_observation_change", args=[obs.pk])
    page = client.get(url)
    assert page.status_code == 200
    response = client.post(
        url,
        {
            "kpi": kpis["1.1"].pk,
            "organisation": home.pk,
            "period_start": "2018-04-01",
            "period_end": "2018-04-30",
            "value": "7",
            "changes-TOTAL_FORMS": "0",
            "changes-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    change = ObservationChange.objects.get()
    assert (change.old_value, change.new_value, change.changed_by, change.batch) == (
        Decimal("5"),
        Decimal("7"),
        editor,
        None,
    )
    assert "7.0000" in client.get(url).content.decode()


def test_import_batches_are_listed_read_only(client, editor, kpis):
    client.force_login(editor)
    client.post(reverse(CONFIRM), {"token": token_of(upload(client, csv_bytes(LONG), "long.csv"))})
    batch = ImportBatch.objects.get()
    listing = client.get(reverse("admin:kpis_importbatch_changelist"))
    assert listing.status_code == 200 and "long.csv" in listing.content.decode()
    detail = client.get(reverse("admin:kpis_importbatch_change", args=[batch.pk]))
    assert detail.status_code == 200 and batch.sha256 in detail.content.decode()
    assert client.post(reverse("admin:kpis_importbatch_change", args=[batch.pk]), {}).status_code == 403
    assert client.get(reverse("admin:kpis_importbatch_add")).status_code == 403
    assert client.get(reverse("admin:kpis_importbatch_delete", args=[batch.pk])).status_code == 403


def test_unconfirmed_uploads_are_swept_after_the_token_expires(client, editor, kpis):
    import os
    import time

    from django.core.files.storage import default_storage

    from portal.spreadsheet_safety import CONFIRM_MAX_AGE, PENDING_DIR

    client.force_login(editor)
    upload(client, csv_bytes(LONG), "first.csv")
    (old,) = default_storage.listdir(PENDING_DIR)[1]
    stale = time.time() - CONFIRM_MAX_AGE - 120
    os.utime(default_storage.path(f"{PENDING_DIR}/{old}"), (stale, stale))
    upload(client, csv_bytes(LONG), "second.csv")
    remaining = default_storage.listdir(PENDING_DIR)[1]
    assert old not in remaining and len(remaining) == 1


def test_a_stored_upload_swapped_after_preview_is_refused_unread(client, editor, kpis):
    from django.core.files.storage import default_storage

    from portal.spreadsheet_safety import PENDING_DIR

    client.force_login(editor)
    token = token_of(upload(client, csv_bytes(LONG), "long.csv"))
    (stored,) = default_storage.listdir(PENDING_DIR)[1]
    with open(default_storage.path(f"{PENDING_DIR}/{stored}"), "wb") as f:
        f.write(csv_bytes(WIDE))
    assert client.post(reverse(CONFIRM), {"token": token}).status_code == 403
    assert not Observation.objects.exists() and not ImportBatch.objects.exists()
