"""The staff admin in a real browser: the pages staff work in are axe-core clean too."""

import pytest

from kpis.models import Kpi, Organisation, PeerGroup
from reports.models import Paragraph, Report
from tests.conftest import login, run_axe, screenshot
from tests.reports import builders
from tests.reports.factories import make_live_publication, make_report, previous_year_snapshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_admin_pages_staff_use_have_no_axe_violations(page, live_server, superuser, editor):
    report = builders.make_report(by=editor)
    # Commentary the checker questions and cannot source: its folding lists are on the page.
    section = report.sections.get(heading="Calls")
    Paragraph.objects.create(section=section, position=9, text="The force held 37 community meetings.")
    Paragraph.objects.create(section=section, position=10, text="999 calls fell by 40%.")
    Report.objects.filter(pk=report.pk).update(status=Report.Status.IN_REVIEW)
    earlier = previous_year_snapshot()
    make_live_publication(report=make_report(snapshot=earlier), snapshot=earlier)
    group = PeerGroup.objects.create(name="Most Similar Forces", kind=PeerGroup.Kind.MSF)
    group.members.add(Organisation.home())
    kpi = Kpi.objects.get(code="1.1")
    pages = {
        "index": "/admin/",
        "reports": "/admin/reports/report/",
        "report": f"/admin/reports/report/{report.pk}/change/",
        "queue": "/admin/reports/report/review-queue/",
        "review": f"/admin/reports/report/{report.pk}/review/",
        "withdraw": f"/admin/reports/report/{report.pk}/withdraw/",
        "draft-pdf": f"/admin/reports/report/{report.pk}/draft-pdf/",
        "publications": "/admin/reports/publication/",
        "kpis": "/admin/kpis/kpi/",
        "kpi": f"/admin/kpis/kpi/{kpi.pk}/change/",  # two-box filter widget for glossary terms
        "kpi-import": "/admin/kpis/kpi/import/",
        "observations": "/admin/kpis/observation/",
        "observation-import": "/admin/kpis/observation/import/",
        "peer-group": f"/admin/kpis/peergroup/{group.pk}/change/",
        "glossary": "/admin/glossary/term/",
        "feedback": "/admin/reports/feedback/",
    }
    login(page, live_server, superuser.username, next_url="/admin/")
    found = {}
    for name, url in pages.items():
        page.goto(live_server.url + url)
        page.wait_for_load_state("load")
        assert "Performance portal administration" in page.content(), name
        violations = run_axe(page)
        if violations:
            found[name] = violations
            screenshot(page, f"admin-{name}")
    assert found == {}
    assert page.csp_errors == []


def test_refusal_pages_have_no_axe_violations(page, live_server, superuser, editor):
    """An approval refused because the content changed, and a change form saved too late."""
    from glossary.models import Term
    from portal.edit_versions import record_edit

    report = builders.make_report(by=editor)
    Report.objects.filter(pk=report.pk).update(status=Report.Status.IN_REVIEW)
    term = Term.objects.get(abbreviation="CMD")
    login(page, live_server, superuser.username, next_url="/admin/")
    found = {}

    page.goto(f"{live_server.url}/admin/reports/report/{report.pk}/review/")
    Term.objects.filter(pk=term.pk).update(definition="Takes calls; see [a partner](https://example.net/).")
    page.check("input[name=decision][value=approve]")
    page.fill("textarea[name=comment]", "Read.")
    page.click("input[type=submit][value='Record decision']")
    page.wait_for_load_state("load")
    assert "What changed since you opened this page" in page.content()
    found["approval-refused"] = run_axe(page)

    page.goto(f"{live_server.url}/admin/glossary/term/{term.pk}/change/")
    record_edit(Term, [term.pk], by=editor)
    page.fill("textarea[name=definition]", "Typed on an old page.")
    page.click("input[type=submit][name=_save]")
    page.wait_for_load_state("load")
    assert "after you opened this page" in page.content()
    found["stale-form"] = run_axe(page)

    for name, violations in found.items():
        if violations:
            screenshot(page, f"admin-{name}")
    assert {name: v for name, v in found.items() if v} == {}
    assert page.csp_errors == []
