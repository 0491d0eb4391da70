"""import_kpis and import_observations: the admin's path from a shell, non-zero exit on bad input."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from kpis.models import ImportBatch, Kpi, Observation, Organisation

from .files import csv_bytes, ods_bytes, xlsx_bytes
from .imports.test_import import CATALOGUE, LONG


def run(name, path, *args):
    from io import StringIO

    out, err = StringIO(), StringIO()
    call_command(name, str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_import_observations_prints_counts_and_writes(tmp_path, kpis, editor):
    path = tmp_path / "long.xlsx"
    path.write_bytes(xlsx_bytes(LONG))
    out, _ = run("import_observations", path, "--user", editor.username)
    assert "long.xlsx (long layout): 3 new, 0 changed, 0 unchanged, 0 errors" in out
    assert Observation.objects.count() == 3
    assert ImportBatch.objects.get().imported_by == editor


def test_dry_run_writes_nothing(tmp_path, kpis):
    path = tmp_path / "long.csv"
    path.write_bytes(csv_bytes(LONG))
    out, _ = run("import_observations", path, "--dry-run")
    assert "3 new" in out and "Dry run: nothing was written." in out
    assert not Observation.objects.exists() and not ImportBatch.objects.exists()


def test_bad_input_exits_non_zero_with_the_admins_messages(tmp_path, kpis):
    path = tmp_path / "bad.csv"
    path.write_bytes(csv_bytes(LONG + [["1.3", "2018-06", "n/a"]]))
    with pytest.raises(CommandError, match=r"Nothing was written: 2 problem\(s\) in bad.csv"):
        run("import_observations", path)
    assert not Observation.objects.exists()


def test_problems_are_printed_one_per_line(tmp_path, kpis, capsys):
    path = tmp_path / "bad.csv"
    path.write_bytes(csv_bytes(LONG + [["1.3", "2018-06", "12 calls"]]))
    from io import StringIO

    err = StringIO()
    with pytest.raises(CommandError):
        call_command("import_observations", str(path), stdout=StringIO(), stderr=err)
    assert err.getvalue().splitlines() == [
        "bad.csv, row 5, column A (kpi_code): There is no KPI with code '1.3'; nearest codes: 1.1, 1.2.",
        "bad.csv, row 5, column C (value): '12 calls' is not a number.",
    ]


def test_named_sheet(tmp_path, kpis):
    path = tmp_path / "two.ods"
    path.write_bytes(ods_bytes(sheets={"Notes": [["x"]], "Data": LONG}))
    with pytest.raises(CommandError):
        run("import_observations", path)
    out, _ = run("import_observations", path, "--sheet", "Data")
    assert "3 new" in out


def test_import_kpis(tmp_path, home):
    path = tmp_path / "catalogue.csv"
    path.write_bytes(csv_bytes(CATALOGUE))
    out, _ = run("import_kpis", path)
    assert "2 new" in out and Kpi.objects.count() == 2
    with pytest.raises(CommandError):
        run("import_observations", path)  # a catalogue is not observations


def test_missing_file_unknown_user_and_legacy_xls(tmp_path, kpis):
    with pytest.raises(CommandError, match="There is no file at"):
        run("import_observations", tmp_path / "nope.csv")
    path = tmp_path / "long.csv"
    path.write_bytes(csv_bytes(LONG))
    with pytest.raises(CommandError, match="There is no user 'ghost'"):
        run("import_observations", path, "--user", "ghost")
    old = tmp_path / "old.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)
    with pytest.raises(CommandError):
        run("import_observations", old)


def test_oversize_file_is_refused_without_reading_it(tmp_path, kpis, settings):
    settings.IMPORT_MAX_FILE_BYTES = 10
    path = tmp_path / "long.csv"
    path.write_bytes(csv_bytes(LONG))
    from io import StringIO

    err = StringIO()
    with pytest.raises(CommandError):
        call_command("import_observations", str(path), stdout=StringIO(), stderr=err)
    assert "the limit is 10 bytes" in err.getvalue()


def test_without_a_home_force_the_command_refuses_and_names_the_organisation_option(tmp_path, db):
    Kpi.objects.create(code="1.1", name="Number of 999 Calls")
    path = tmp_path / "long.csv"
    path.write_bytes(csv_bytes([["kpi_code", "month", "value"], ["1.1", "2018-04", "5"]]))
    err = StringIO()
    with pytest.raises(CommandError, match="Nothing was written"):
        call_command("import_observations", str(path), stdout=StringIO(), stderr=err)
    assert "--organisation" in err.getvalue() and "no home force is set" in err.getvalue()
    assert not Organisation.objects.exists() and not Observation.objects.exists()


def test_organisation_option_says_whose_figures_by_code_name_or_other_name(tmp_path, db):
    Kpi.objects.create(code="1.1", name="Number of 999 Calls")
    northshire = Organisation.objects.create(name="Northshire Police", code="northshire", other_names="NSP")
    path = tmp_path / "long.csv"
    path.write_bytes(csv_bytes([["kpi_code", "month", "value"], ["1.1", "2018-04", "5"]]))
    run("import_observations", path, "--organisation", "nsp")
    assert Observation.objects.get().organisation == northshire
    suggestion = "There is no organisation 'Northshir'; did you mean 'Northshire Police'"
    with pytest.raises(CommandError, match=suggestion):
        run("import_observations", path, "--organisation", "Northshir")
