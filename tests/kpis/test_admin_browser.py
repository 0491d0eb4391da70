"""The import screen in a real browser: upload, preview, problems, confirm; axe-core clean."""

import pytest

from kpis.models import ImportBatch, Observation
from tests.conftest import PASSWORD, run_axe, screenshot

from .files import csv_bytes, xlsx_bytes
from .imports.test_import import LONG, WIDE

pytestmark = pytest.mark.browser


def admin_login(page, base, username):
    page.goto(f"{base}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{base}/admin/")


def upload(page, path):
    page.set_input_files("input[name='import_file']", str(path))
    page.click("input[type=submit][value='Check the file']")
    page.wait_for_load_state()


def test_import_screen_upload_preview_confirm_is_accessible(live_server, page, editor, kpis, tmp_path):
    base = live_server.url
    admin_login(page, base, editor.username)
    page.goto(f"{base}/admin/kpis/observation/")
    page.click("a.import_link")
    page.wait_for_load_state()
    assert page.locator("a[href$='/import/template/wide.xlsx']").count() == 1
    assert run_axe(page) == []
    screenshot(page, "kpis-import-empty")

    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes(LONG + [["1.3", "2018-06", "n/a"]]))
    upload(page, bad)
    problems = page.locator("#import-problems tbody tr")
    assert problems.count() == 2
    assert "There is no KPI with code '1.3'" in problems.nth(0).inner_text()
    assert page.locator("input[name='confirm']").count() == 0
    assert run_axe(page) == []
    screenshot(page, "kpis-import-problems")

    good = tmp_path / "wide.xlsx"
    good.write_bytes(xlsx_bytes(WIDE))
    upload(page, good)
    assert page.locator("[data-count='new']").inner_text() == "5"
    assert not Observation.objects.exists()
    assert run_axe(page) == []
    screenshot(page, "kpis-import-preview")
    page.click("input[name='confirm']")
    page.wait_for_load_state()
    assert "wide.xlsx (wide layout): 5 new" in page.inner_text(".messagelist").lower()
    assert Observation.objects.count() == 5 and ImportBatch.objects.get().imported_by == editor
    assert page.csp_errors == []
