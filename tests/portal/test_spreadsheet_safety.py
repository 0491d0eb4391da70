"""portal/spreadsheet_safety.py on its own: the formula rule, confirm tokens, pending uploads
and their sweep. Every screen that uses it: tests/portal/test_spreadsheet_screens.py."""

import os
import time
from datetime import timedelta
from io import StringIO
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.core import signing
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.utils import timezone
from django.utils.module_loading import import_string
from import_export.tmp_storages import MediaStorage

from portal import spreadsheet_safety
from portal.celery import app
from portal.spreadsheet_safety import (
    CONFIRM_MAX_AGE,
    FORMULA_STARTS,
    PENDING_DIR,
    ConfirmExpired,
    ConfirmRefused,
    confirm_token,
    confirmed_claims,
    is_plain_number,
    neutralise,
    pending_upload_save,
    sweep_pending_uploads,
    unneutralise,
)
from portal.tasks import pending_uploads_sweep

HOSTILE = ['=HYPERLINK("http://evil")', "+1+1", "-2+3", "@SUM(A1)", "\tTAB", "\rCR", "=1+1"]


# --------------------------------------------------------------------------- the formula rule
def test_neutralise_every_formula_start():
    for text in HOSTILE:
        assert neutralise(text) == "'" + text
    assert neutralise("Calls") == "Calls"
    assert neutralise(-5) == -5  # a number is never run as a formula


def test_csv_cells_neutralise_only_what_needs_it():
    assert neutralise("=1+1") == "'=1+1"
    assert neutralise("-12.5") == "-12.5"
    assert neutralise("+8") == "+8"
    assert neutralise("-inf") == "'-inf"
    assert neutralise("Calls") == "Calls"
    assert neutralise("% of 999 calls answered") == "% of 999 calls answered"
    assert neutralise(None) is None


@pytest.mark.parametrize(
    ("value", "escaped"),
    [
        ("=1", "'=1"),
        ("+1+1", "'+1+1"),
        ("-1+1", "'-1+1"),
        ("@A1", "'@A1"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("\nx", "'\nx"),
        ("\0x", "'\0x"),
        ("plain", "plain"),
        ("'quoted", "'quoted"),
        ("", ""),
        (None, None),
        # The one rule's decisions (module docstring): plain numbers written as text stay
        # numbers; anything more that starts like a formula is text; an apostrophe the
        # author wrote before a formula start survives the round trip.
        ("-1", "-1"),
        ("+44 116 222 2222", "'+44 116 222 2222"),
        ("+441162222222", "+441162222222"),
        ("-1_000", "'-1_000"),
        ("'=x", "''=x"),
        ("'-1", "''-1"),
    ],
)
def test_neutralise_and_unneutralise_are_inverse(value, escaped):
    assert neutralise(value) == escaped
    assert unneutralise(escaped) == value


@pytest.mark.parametrize("value", [0, -5, 1.5, timezone.now(), True])
def test_values_that_are_not_text_are_never_altered(value):
    assert neutralise(value) is value and unneutralise(value) is value


def test_every_text_survives_the_round_trip_and_none_comes_out_dangerous():
    pieces = ["", "'", "''", "=", "+", "-", "@", "\t", "\r", "\n", "\0", "1", "1.5", "e3", "x", " ", "+-"]
    for first in pieces:
        for second in pieces:
            for third in ("", "1", "=A1", "'"):
                text = first + second + third
                out = neutralise(text)
                assert unneutralise(out) == text, repr(text)
                assert not out.startswith(FORMULA_STARTS) or is_plain_number(out), repr(text)


@pytest.mark.parametrize("text", ["-12.5", "+8", "1e3", ".5", "-0", "12."])
def test_plain_numbers(text):
    assert is_plain_number(text)


@pytest.mark.parametrize("text", ["-inf", "nan", " -1", "-1 ", "-1_000", "1,000", "-2+3", "0x10", "", "-"])
def test_not_plain_numbers(text):
    assert not is_plain_number(text)


# --------------------------------------------------------------------------- confirm tokens
USER, OTHER = SimpleNamespace(pk=1), SimpleNamespace(pk=2)
TERMS = SimpleNamespace(label_lower="glossary.term")
FORCES = SimpleNamespace(label_lower="kpis.organisation")


def test_a_token_gives_back_its_claims_to_its_user_for_its_model():
    token = confirm_token(USER, TERMS, {"file": "abc"})
    assert confirmed_claims(token, USER, TERMS)["file"] == "abc"


@pytest.mark.parametrize(
    ("user", "opts"), [(OTHER, TERMS), (USER, FORCES)], ids=["other user", "other model"]
)
def test_a_token_is_refused_to_another_user_or_model(user, opts):
    token = confirm_token(USER, TERMS, {"file": "abc"})
    with pytest.raises(ConfirmRefused):
        confirmed_claims(token, user, opts)


def test_a_forged_altered_or_expired_token_is_refused(monkeypatch):
    forged = signing.dumps({"file": "abc", "user": 1, "model": "glossary.term"}, salt="someone else's")
    token = confirm_token(USER, TERMS, {"file": "abc"})
    for bad in (forged, token[:-2] + "xx", "", "not a token"):
        with pytest.raises(ConfirmExpired):
            confirmed_claims(bad, USER, TERMS)
    monkeypatch.setattr(spreadsheet_safety, "CONFIRM_MAX_AGE", -1)
    with pytest.raises(ConfirmExpired):
        confirmed_claims(token, USER, TERMS)


# --------------------------------------------------------------------------- pending uploads
def test_import_export_keeps_pending_files_in_the_shared_storage():
    assert import_string(settings.IMPORT_EXPORT_TMP_STORAGE_CLASS) is MediaStorage
    assert not getattr(settings, "IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT", False)
    stored = MediaStorage(MEDIA_FOLDER=PENDING_DIR)
    stored.save(b"term,abbreviation,definition\n")
    assert default_storage.exists(f"{PENDING_DIR}/{stored.name}")
    stored.remove()
    assert not default_storage.exists(f"{PENDING_DIR}/{stored.name}")


def _age(name: str, seconds: float) -> None:
    then = time.time() - seconds
    os.utime(default_storage.path(name), (then, then))


def test_the_sweep_removes_only_uploads_no_confirm_can_use():
    fresh = pending_upload_save(b"fresh", "csv")
    nearly = pending_upload_save(b"nearly", "xlsx")
    stale = pending_upload_save(b"stale", "")
    elsewhere = default_storage.save("reports/keep.pdf", ContentFile(b"%PDF"))
    _age(nearly, CONFIRM_MAX_AGE)
    _age(stale, CONFIRM_MAX_AGE + 120)
    _age(elsewhere, CONFIRM_MAX_AGE * 10)

    assert sweep_pending_uploads() == [stale]
    assert [default_storage.exists(n) for n in (fresh, nearly, stale, elsewhere)] == [True, True, False, True]
    later = timezone.now() + timedelta(seconds=CONFIRM_MAX_AGE + 120)
    assert sorted(sweep_pending_uploads(now=later)) == sorted([fresh, nearly])


def test_pending_names_are_random_and_keep_only_the_extension():
    first, second = pending_upload_save(b"a", "CSV"), pending_upload_save(b"a", "CSV")
    assert first != second
    assert first.startswith(f"{PENDING_DIR}/") and first.endswith(".csv")


def test_the_sweep_with_nothing_uploaded_yet_is_quiet():
    assert sweep_pending_uploads() == []


def test_the_sweep_runs_from_cron_and_from_celery_beat():
    stale = pending_upload_save(b"stale", "csv")
    _age(stale, CONFIRM_MAX_AGE + 120)
    out = StringIO()
    call_command("sweep_import_uploads", stdout=out)
    assert "Deleted 1 abandoned import upload(s)." in out.getvalue()
    assert not default_storage.exists(stale)

    stale = pending_upload_save(b"stale", "csv")
    _age(stale, CONFIRM_MAX_AGE + 120)
    assert pending_uploads_sweep.delay().get() == [stale]
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert pending_uploads_sweep.name in scheduled



def test_every_task_celery_beat_schedules_can_be_sent():
    """Beat sends with apply_async, which refuses a task whose soft time limit (by default
    settings.CELERY_TASK_SOFT_TIME_LIMIT) is above its own hard one: beat would only log
    the error, and that sweep would never run."""
    app.loader.import_default_modules()  # what beat does on start: every app's tasks.py
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        task = app.tasks[entry["task"]]
        assert task.time_limit is None or (task.soft_time_limit or 0) <= task.time_limit, task.name
