"""Which national rows make up a KPI: the mapping model's checks, the KPI page's inline
editor, the default mappings (load_national_mappings) and the catalogue cell format."""

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse

from kpis.models import Kpi, NationalMapping
from kpis.national.mapping_loading import load_default_mappings
from kpis.national.measures import MEASURE_BY_KEY, MEASURES, format_mappings, parse_mappings
from tests.admin_forms import form_fields

pytestmark = pytest.mark.django_db


def mapping(kpi, **fields):
    return NationalMapping(kpi=kpi, **{"source": "home_office", "field": "offence_subgroup", **fields})


# --------------------------------------------------------------------------- the model
def test_a_published_value_is_accepted(kpis):
    mapping(kpis["3.1"], value="Violence  with injury").full_clean()
    mapping(kpis["3.1"], field="offence_group", value="Fraud offences", exclude=True).full_clean()
    mapping(kpis["3.1"], field="offence_code", value="8N").full_clean()
    mapping(kpis["3.1"], source="police_uk", field="crime_type", value="bicycle theft").full_clean()
    mapping(kpis["3.1"], field="offence_group", value="*").full_clean()
    mapping(kpis["3.1"], value="A subgroup from a future edition").full_clean()  # new values happen


@pytest.mark.parametrize(
    "fields, key, message",
    [
        ({"value": "Violence with injry"}, "value",
         "'Violence with injry' is not a published offence subgroup; did you mean 'Violence with injury'?"),
        ({"source": "police_uk", "field": "crime_type", "value": "Burglaries of sheds"}, "value",
         "'Burglaries of sheds' is not a police.uk crime type: use one of Anti-social behaviour,"),
        ({"source": "police_uk", "field": "offence_group", "value": "Robbery"}, "field",
         "police.uk street-level crime files have no offence group column: use crime type."),
        ({"field": "crime_type", "value": "Robbery"}, "field",
         "Home Office police recorded crime (PRC tables) files have no crime type column: use offence "
         "group, offence subgroup, offence code."),
        ({"field": "offence_code", "value": "eight N"}, "value", "'eight N' is not an offence code"),
        ({"field": "offence_group", "value": "*", "exclude": True}, "exclude",
         "'*' means every row: it can only be included, not excluded."),
    ],
)
def test_bad_mappings_say_what_is_wrong(kpis, fields, key, message):
    with pytest.raises(ValidationError) as raised:
        mapping(kpis["3.1"], **fields).full_clean()
    assert raised.value.message_dict[key][0].startswith(message)


# --------------------------------------------------------------------------- the admin inline
def kpi_page(client, kpi):
    return reverse("admin:kpis_kpi_change", args=[kpi.pk])


def post_mappings(client, kpi, rows, **kpi_fields):
    url = kpi_page(client, kpi)
    data = form_fields(client.get(url))
    data.update(kpi_fields)
    prefix = "national_mappings"
    data[f"{prefix}-TOTAL_FORMS"] = str(len(rows))
    for i, row in enumerate(rows):
        for name, value in row.items():
            if name == "exclude":
                if value:
                    data[f"{prefix}-{i}-exclude"] = "on"
            else:
                data[f"{prefix}-{i}-{name}"] = value
    return client.post(url, data)


def test_editor_maps_a_kpi_on_its_page(client, editor, kpis):
    client.force_login(editor)
    page = client.get(kpi_page(client, kpis["3.1"])).content.decode()
    assert "National mappings" in page and "Offence subgroup" in page
    response = post_mappings(client, kpis["3.1"], [
        {"source": "home_office", "field": "offence_group", "value": "*"},
        {"source": "home_office", "field": "offence_group", "value": "Fraud offences", "exclude": True},
    ])
    assert response.status_code == 302, response.content.decode()[:2000]
    assert set(kpis["3.1"].national_mappings.values_list("value", "exclude")) == {
        ("*", False), ("Fraud offences", True)
    }


def test_the_inline_shows_validation_messages(client, editor, kpis):
    client.force_login(editor)
    response = post_mappings(client, kpis["3.1"], [
        {"source": "home_office", "field": "offence_subgroup", "value": "Shopliftng"},
    ])
    assert response.status_code == 200
    assert "did you mean &#x27;Shoplifting&#x27;?" in response.content.decode()
    response = post_mappings(client, kpis["3.1"], [
        {"source": "home_office", "field": "offence_group", "value": "Fraud offences", "exclude": True},
    ])
    assert "these mappings only exclude rows; add at least one row to include." in response.content.decode()
    assert not NationalMapping.objects.exists()


def test_the_inline_refuses_a_kpi_that_is_not_a_summed_count(client, editor, kpis):
    client.force_login(editor)
    rows = [{"source": "police_uk", "field": "crime_type", "value": "Robbery"}]
    response = post_mappings(client, kpis["3.1"], rows, unit="percent")
    assert response.status_code == 200
    assert "National files count offences" in response.content.decode()
    kpis["3.1"].refresh_from_db()
    assert kpis["3.1"].unit == "count" and not NationalMapping.objects.exists()


def test_reviewers_see_mappings_but_cannot_change_them(client, reviewer, kpis):
    NationalMapping.objects.create(kpi=kpis["3.1"], source="home_office", field="offence_group", value="*")
    client.force_login(reviewer)
    page = client.get(kpi_page(client, kpis["3.1"])).content.decode()
    assert "National mappings" in page and 'name="national_mappings-0-value"' not in page


# --------------------------------------------------------------------------- defaults
def test_defaults_attach_to_existing_kpis_by_name_or_alias(kpis):
    asb = Kpi.objects.create(code="2.5a", name="Anti-social behaviour (ASB) incidents", category="Incidents",
                             aliases="ASB incidents; anti-social behaviour incidents")
    report = load_default_mappings(Kpi, NationalMapping)
    all_crime = kpis["3.1"]  # "All Crime"
    assert set(all_crime.national_mappings.values_list("source", "field", "value", "exclude")) == {
        ("home_office", "offence_group", "*", False),
        ("home_office", "offence_group", "Fraud offences", True),
        ("home_office", "offence_group", "Computer misuse", True),
        ("police_uk", "crime_type", "*", False),
        ("police_uk", "crime_type", "Anti-social behaviour", True),
    }
    assert list(asb.national_mappings.values_list("value", flat=True)) == ["Anti-social behaviour"]
    assert Kpi.objects.count() == len(kpis) + 1  # nothing invented
    offered = {m.key for m in report.offered}
    assert "violence-with-injury" in offered and "all-crime" not in offered
    lines = report.lines()
    name = "All recorded crime excluding fraud and computer misuse"
    assert f"3.1: maps to '{name}' (national rows: 5)." in lines
    assert "  violence-with-injury: Violence with injury" in lines


def test_defaults_never_undo_an_edit_and_attach_on_request(kpis):
    load_default_mappings(Kpi, NationalMapping)
    NationalMapping.objects.filter(kpi=kpis["3.1"], value="Computer misuse").delete()
    report = load_default_mappings(Kpi, NationalMapping)
    assert not NationalMapping.objects.filter(value="Computer misuse").exists()
    assert ("3.1", "home_office") in report.kept and report.attached == []

    vwi = Kpi.objects.create(code="V1", name="Violent crime (with injury)", category="Crime")
    load_default_mappings(Kpi, NationalMapping, {"violence-with-injury": "V1"})
    assert list(vwi.national_mappings.values_list("field", "value")) == [
        ("offence_subgroup", "Violence with injury")
    ]


def test_defaults_skip_a_kpi_that_is_not_a_summed_count(kpis):
    Kpi.objects.create(code="9.9", name="Burglary", category="Crime", unit="percent", aggregation="mean")
    report = load_default_mappings(Kpi, NationalMapping)
    assert report.refused and report.refused[0][0] == "9.9"
    assert not NationalMapping.objects.filter(kpi__code="9.9").exists()


def test_command(kpis, capsys):
    call_command("load_national_mappings", "--attach", "robbery=5.1")
    out = capsys.readouterr().out
    assert "5.1: maps to 'Robbery' (national rows: 2)." in out and "3.1: maps to" in out
    with pytest.raises(CommandError, match="There is no national measure 'robbers'"):
        call_command("load_national_mappings", "--attach", "robbers=5.1")
    with pytest.raises(CommandError, match="There is no KPI with code '7.7'"):
        call_command("load_national_mappings", "--attach", "robbery=7.7")
    with pytest.raises(CommandError, match="MEASURE=KPI_CODE"):
        call_command("load_national_mappings", "--attach", "robbery")


def test_every_default_is_a_valid_mapping(kpis):
    for measure in MEASURES:
        for row in measure.rows:
            NationalMapping(kpi=kpis["3.1"], source=row.source, field=row.field, value=row.value,
                            exclude=row.exclude).full_clean(validate_unique=False)


def test_the_catalogue_cell_round_trips():
    rows = MEASURE_BY_KEY["all-crime"].rows
    text = format_mappings(rows)
    assert text.startswith("home_office:offence_group=*; -home_office:offence_group=Fraud offences")
    assert tuple(parse_mappings(text)) == rows
    with pytest.raises(ValueError, match="is not a national mapping"):
        parse_mappings("offence_group=Robbery")


def test_a_value_cannot_hold_the_catalogue_cells_separator(kpis):
    mapping = NationalMapping(kpi=kpis["3.1"], source="home_office", field="offence_group", value="a; b")
    with pytest.raises(ValidationError, match="cannot contain ';'"):
        mapping.full_clean(validate_unique=False)
