"""The admin from the keyboard: a new inline row takes the focus and names real help texts,
the focus ring is as strong as the reader site's, dates are the browser's own date field,
and the contents list does not number sections that carry their own numbers."""

import pytest

from tests.conftest import login, run_axe, screenshot
from tests.reports import builders

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DANGLING_REFERENCES = """() => [...document.querySelectorAll('[aria-describedby]')]
    .filter(e => !e.closest('.empty-form'))
    .flatMap(e => e.getAttribute('aria-describedby').split(/\\s+/))
    .filter(id => !document.getElementById(id))"""


def test_add_another_row_moves_focus_into_it_with_real_help_references(page, live_server, editor):
    report = builders.make_report(by=editor)
    login(page, live_server, editor.username, next_url="/admin/")
    page.goto(f"{live_server.url}/admin/reports/report/{report.pk}/change/")
    page.get_by_role("button", name="Add another Section").click()
    focused_row = page.evaluate("() => document.activeElement.closest('tr.dynamic-sections')?.id")
    count = report.sections.count()
    assert focused_row == f"sections-{count}", "focus should move into the new row"
    assert page.evaluate("() => document.activeElement.name") == f"sections-{count}-position"
    assert page.evaluate(DANGLING_REFERENCES) == []
    # The next Tab goes on through the new row, not past it.
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.name") == f"sections-{count}-kind"
    assert run_axe(page) == []
    screenshot(page, "admin-report-add-another-section")

    section = report.sections.get(heading="Calls")
    page.goto(f"{live_server.url}/admin/reports/section/{section.pk}/change/")
    page.get_by_role("button", name="Add another Paragraph").click()
    assert page.evaluate("() => document.activeElement.name").endswith("-position")
    page.get_by_role("button", name="Add another KPI row").click()
    assert page.evaluate("() => document.activeElement.name").startswith("kpi_rows-")
    assert page.evaluate(DANGLING_REFERENCES) == []
    assert run_axe(page) == []
    screenshot(page, "admin-section-add-rows")


def test_focus_ring_and_date_fields_work_for_keyboard_users(page, live_server, editor):
    report = builders.make_report(by=editor)
    login(page, live_server, editor.username, next_url="/admin/")
    page.goto(f"{live_server.url}/admin/reports/report/{report.pk}/change/")
    page.focus("#id_title")
    ring = page.evaluate("() => getComputedStyle(document.activeElement).outlineWidth")
    assert ring == "3px"
    assert page.get_attribute("#id_period_start", "type") == "date"
    assert page.locator(".datetimeshortcuts").count() == 0, "the calendar pop-up links are gone"
    page.fill("#id_period_start", "2018-04-01")
    assert page.input_value("#id_period_start") == "2018-04-01"
    width = page.evaluate("() => document.getElementById('id_title').getBoundingClientRect().width")
    assert width > 500, f"the title box is {width}px wide"
    page.goto(f"{live_server.url}/admin/kpis/observation/add/")
    assert page.get_attribute("#id_period_start", "type") == "date"
    assert page.locator(".datetimeshortcuts").count() == 0


def test_contents_list_does_not_number_numbered_sections(page, live_server, editor):
    report = builders.make_report(by=editor)
    login(page, live_server, editor.username, next_url="/admin/")
    page.goto(f"{live_server.url}/admin/reports/report/{report.pk}/preview/")
    contents = "document.querySelector('.report-contents ol')"
    style = page.evaluate(f"() => getComputedStyle({contents}).listStyleType")
    assert style == "none"
    assert "1. Calls" in page.inner_text(".report-contents")
