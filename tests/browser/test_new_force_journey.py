"""A new force's first report, as its staff would do it with only the README: their own
organisation, their catalogue and a wide spreadsheet of monthly figures, a report from
scratch, review, publication and a panel member's question, with a visible warning at each
point where figures are missing. Screenshots land in test-artifacts/new-force/."""

import pytest
from django.core import mail

from reports.models import Report
from tests.conftest import ARTIFACTS, PASSWORD, login, run_axe
from tests.kpis.files import csv_bytes, xlsx_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OUT = ARTIFACTS / "new-force"
CATALOGUE = [
    ["code", "name", "category", "unit", "aggregation", "good_direction", "decimals", "description"],
    ["N1", "Emergency calls", "Calls", "count", "sum", "neither", 0, "Calls to 999"],
    ["N2", "Hate crime", "Crime", "count", "sum", "down", 0, "Recorded hate crimes"],
]
# Figures end in March 2021: the 2021/22 report has its comparison year, not its own.
MONTHS = [f"{2020 + (3 + i) // 12}-{(3 + i) % 12 + 1:02d}" for i in range(12)]
FIGURES = [["kpi_code", *MONTHS], ["N1", *[900 + 10 * i for i in range(12)]]]


def shot(page, name):
    OUT.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(OUT / f"{name}.png"), full_page=True)


def import_file(page, base, model, path, organisation=None):
    page.goto(f"{base}/admin/kpis/{model}/import/")
    page.set_input_files("input[name='import_file']", str(path))
    if organisation:
        page.select_option("select[name='organisation']", label=organisation)
    page.click("input[type=submit][value='Check the file']")
    page.wait_for_load_state()
    preview = page.inner_text("#content")
    page.click("input[name='confirm']")
    page.wait_for_load_state()
    return preview


def choose_kpi(page, row: int, code: str):
    page.locator(f"#kpi_rows-{row} .select2-selection").click()
    page.locator(".select2-search__field").fill(code)
    page.locator(".select2-results__option", has_text=code).first.click()


def test_a_new_force_publishes_its_first_report_with_warnings_where_figures_are_missing(
    page, live_server, superuser, editor, reviewer, panel_member, tmp_path
):
    base = live_server.url

    # The superuser sets up the force; its code is made from its name.
    login(page, live_server, superuser.username, next_url="/admin/")
    page.goto(f"{base}/admin/kpis/organisation/add/")
    page.fill("#id_name", "Northshire Police")
    page.click("input[name='_save']")
    page.wait_for_load_state()
    assert "northshire-police" in page.inner_text("#result_list")

    # The editor imports the catalogue, then a year of figures for Northshire.
    page.context.clear_cookies()
    login(page, live_server, editor.username, next_url="/admin/")
    (tmp_path / "catalogue.csv").write_bytes(csv_bytes(CATALOGUE))
    import_file(page, base, "kpi", tmp_path / "catalogue.csv")
    (tmp_path / "figures.xlsx").write_bytes(xlsx_bytes(FIGURES))
    preview = import_file(
        page, base, "observation", tmp_path / "figures.xlsx", organisation="Northshire Police"
    )
    assert "Northshire Police" in preview and "Apr 2020 – Mar 2021" in preview
    shot(page, "01-figures-imported")

    # A report from scratch: title, force, period; a performance section.
    page.goto(f"{base}/admin/reports/report/add/")
    page.fill("#id_title", "Northshire Performance: End of Year 2021/22 (April 2021 – March 2022)")
    page.select_option("#id_organisation", label="Northshire Police")
    page.fill("#id_period_start", "2021-04-01")
    page.fill("#id_period_end", "2022-03-31")
    page.get_by_role("button", name="Add another Section").click()
    page.keyboard.press("Tab")
    page.select_option("select[name='sections-0-kind']", "performance")
    page.fill("input[name='sections-0-heading']", "Calls and crime")
    page.click("input[name='_continue']")
    page.wait_for_load_state()
    report = Report.objects.get()
    assert report.slug == "northshire-performance-end-of-year-2021-22"

    section = report.sections.get()
    page.goto(f"{base}/admin/reports/section/{section.pk}/change/")
    for row, code in enumerate(("N1", "N2")):
        page.get_by_role("button", name="Add another KPI row").click()
        choose_kpi(page, row, code)
    page.get_by_role("button", name="Add another Paragraph").click()
    page.fill("textarea[name='paragraphs-0-text']", "Emergency calls rose over the year.")
    page.click("input[name='_continue']")
    page.wait_for_load_state()
    warning = page.inner_text(".messagelist")
    assert (
        "In this report, 2 KPI rows lack figures." in warning
        and "N2 Hate crime: No figures for 2021/22 or 2020/21 yet." in warning
    )
    shot(page, "02-section-saved-with-warning")

    # The report page says which rows lack figures; submitting needs a reason.
    page.goto(f"{base}/admin/reports/report/{report.pk}/change/")
    coverage = page.inner_text(".figure-coverage")
    assert "Some figures missing" in coverage and "No figures" in coverage
    page.get_by_role("button", name="Submit for review").click()
    page.wait_for_load_state()
    assert "Publish with empty rows" in page.inner_text(".messagelist")
    assert Report.objects.get().status == Report.Status.DRAFT
    page.fill("#id_submit_comment", "Hate crime figures arrive next month.")
    page.check("#id_confirm_empty_rows")
    page.get_by_role("button", name="Submit for review").click()
    page.wait_for_load_state()
    assert Report.objects.get().status == Report.Status.IN_REVIEW
    shot(page, "03-submitted")

    # The reviewer is told, finds it waiting, and approves with the box ticked and a reason.
    assert any(f"/admin/reports/report/{report.pk}/review/" in m.body for m in mail.outbox)
    page.context.clear_cookies()
    login(page, live_server, reviewer.username, next_url="/admin/")
    waiting = page.inner_text(".waiting-for-you")
    assert "Reports to review" in waiting and "Northshire Performance" in waiting
    assert run_axe(page) == []
    page.get_by_role(
        "link", name="Northshire Performance: End of Year 2021/22 (April 2021 – March 2022)"
    ).click()
    page.wait_for_load_state()
    assert "1 KPI row has no figures at all" in page.inner_text("#content")
    shot(page, "04-review-page")
    page.check("input[name='decision'][value='approve']")
    page.fill("textarea[name='comment']", "Agreed with the Panel's chair: hate crime follows.")
    page.check("input[name='confirm_empty_rows']")
    page.click("input[value='Record decision']")
    page.wait_for_load_state()
    assert Report.objects.get().status == Report.Status.PUBLISHED

    # A panel member reads it and asks a question; the editor is told and sees it waiting.
    page.context.clear_cookies()
    login(page, live_server, panel_member.username, password=PASSWORD, next_url=f"/reports/{report.slug}/")
    body = page.inner_text("main")
    assert "No figures for 2021/22 or 2020/21 yet." in body
    page.goto(f"{base}/reports/{report.slug}/v1/feedback/")
    page.fill("#id_text", "When will the hate crime figures be ready?")
    page.get_by_role("button", name="Send").click()
    page.wait_for_load_state()
    assert any("When will the hate crime figures be ready?" in m.body for m in mail.outbox)
    page.context.clear_cookies()
    login(page, live_server, editor.username, next_url="/admin/")
    assert "When will the hate crime figures be ready?" in page.inner_text(".waiting-for-you")
    shot(page, "05-editor-sees-the-question")
