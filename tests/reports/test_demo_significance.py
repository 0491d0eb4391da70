"""The demo's KPI tables under the test that allows for the monthly variation.

The demo's monthly figures (reports.demo_figures) are what `manage.py load_demo` imports.
Each table KPI's verdict is checked three ways: against statsmodels' quasi-Poisson GLM,
against the verdict of the old two-count Poisson test (which called every change in the
tables but one "larger than chance"), and in the snapshot the loaded demo publishes.
"""

import html
import io
import math

import pytest
from django.core.management import call_command

from kpis.quasi_poisson import rate_change
from kpis.significance import count_change
from reports.checker import check_snapshot
from reports.demo import DEMO_SLUG
from reports.demo_figures import financial_year_months, monthly_figures, read_annual_figures
from reports.models import Publication
from reports.significance_claims import UNATTRIBUTED
from reports.significance_display import ABOUT_SIGNIFICANCE

sm = pytest.importorskip("statsmodels.api")

MONTHS = monthly_figures(read_annual_figures())

# code: (old verdict, new verdict, reader's words, Pearson dispersion to 2 places)
VERDICTS = {
    "1.1": (True, True, "A rise of 8% (95% interval +2% to +15%): bigger than", 63.06),
    "1.2": (True, True, "A fall of 24% (95% interval -30% to -16%): bigger than", 407.31),
    "2.1": (True, False, "A fall of 5% (95% interval -9.4% to +0.5%): within", 76.56),
    "3.1": (True, True, "A rise of 10% (95% interval +5% to +14%): bigger than", 18.20),
    "4.1": (False, False, "A fall of 2% (95% interval -6% to +2%): within", 1.76),
    "5.1": (True, True, "A rise of 83% (95% interval +68% to +99%): bigger than", 2.12),
}


def months(code, year):
    return [MONTHS[code][m] for m in financial_year_months(year)]


@pytest.mark.parametrize("code", sorted(VERDICTS))
def test_each_table_kpi_against_statsmodels_and_the_old_test(code):
    old, new, words, dispersion = VERDICTS[code]
    previous, current = months(code, 2017), months(code, 2018)
    result = rate_change(previous=previous, current=current)

    x = [[1.0, 0.0]] * 12 + [[1.0, 1.0]] * 12
    fit = sm.GLM(previous + current, x, family=sm.families.Poisson()).fit(scale="X2", use_t=True)
    low, high = fit.conf_int(alpha=0.05)[1]
    assert result.ratio == pytest.approx(math.exp(fit.params[1]), rel=1e-6)
    assert (result.low, result.high) == (
        pytest.approx(math.exp(low), rel=1e-6),
        pytest.approx(math.exp(high), rel=1e-6),
    )
    assert result.p_value == pytest.approx(float(fit.pvalues[1]), rel=1e-4)
    assert result.dispersion == pytest.approx(fit.scale, rel=1e-6)  # all above 1: no floor

    assert round(result.pearson_dispersion, 2) == dispersion
    assert count_change(previous=sum(previous), current=sum(current)).significant is old
    assert result.significant is new


@pytest.mark.django_db(transaction=True)
def test_the_loaded_demo_publishes_the_new_verdicts(settings, client):
    settings.DEBUG = True  # load_demo creates demo accounts only with DEBUG on
    call_command("load_demo", stdout=io.StringIO())
    publication = Publication.objects.get(report__slug=DEMO_SLUG, version=1)
    sections = publication.snapshot["sections"]
    rows = {row["kpi"]["code"]: row for section in sections for row in section["rows"]}
    assert set(rows) == set(VERDICTS) | {"4.2"}
    for code, (_, new, words, dispersion) in VERDICTS.items():
        sig = rows[code]["analysis"]["significance"]
        assert sig["method"] == "quasi-poisson", code
        assert sig["significant"] is new, code
        assert sig["explanation"].startswith(words), code
        assert round(sig["pearson_dispersion"], 2) == dispersion, code
        assert sig["df"] == 22 and sig["fallback"] == ""
    # Public confidence is a survey figure stated for a rolling 12 months.
    assert rows["4.2"]["analysis"]["significance"]["method"] == "not-tested"

    # 2.1: the months are too variable for a 5% fall to stand out, yet the XmR chart finds a
    # special cause: the reviewer is told why both can be true.
    assert rows["2.1"]["analysis"]["spc"]["variation"] != "common"
    note = rows["2.1"]["analysis"]["significance"]["spc_note"]
    assert note.startswith("The XmR chart and the test disagree")

    assert publication.render_status == Publication.RenderStatus.PUBLISHED
    page = html.unescape(client.get(publication.get_absolute_url()).content.decode())
    about = page[page.index('id="data-note"') :]
    assert ABOUT_SIGNIFICANCE in about
    assert '(ns)<span class="visually-hidden">: within the usual variation, see note</span>' in page

    claims = [f for f in check_snapshot(publication.snapshot) if f.kind == "significance"]
    by_text = {(f.paragraph, f.text): f for f in claims}
    # "the largest significant increase" among stop and searches: the test agrees for 5.1.
    increase = next(f for (para, text), f in by_text.items() if para.startswith("5.") and "increase" in text)
    assert (increase.status, increase.kpi_code) == ("match", "5.1")
    # "a significant downward trend" in public confidence: not a count, so not tested.
    downward = by_text["4.2", "significant downward"]
    assert (downward.status, downward.kpi_code) == ("unchecked", "4.2")
    # "no statistically significant change in the satisfaction levels of ASB victims": no row
    # of the Outcomes table is about ASB satisfaction, so the checker does not guess one.
    asb = by_text["4.4", "no statistically significant change"]
    assert (asb.status, asb.kpi_code, asb.message) == ("unchecked", "", UNATTRIBUTED)
    assert not any(f.flagged for f in claims)
