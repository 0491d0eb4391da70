"""portal/storage.py: storage chosen by environment variables, and a folder that is replaced whole."""

import os
import stat
import threading

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile

from portal.storage import FILESYSTEM, S3, ArtifactFileSystemStorage, artifact_storage


def test_without_a_bucket_artifacts_stay_in_the_media_folder():
    assert artifact_storage({}) == {"BACKEND": FILESYSTEM}


def test_storage_url_names_bucket_prefix_endpoint_and_region():
    chosen = artifact_storage(
        {"STORAGE_URL": "s3://Reports-Bucket/portal/artifacts/?endpoint_url=https://s3.example.org&region_name=eu-west-2"}
    )
    assert chosen["BACKEND"] == S3
    options = chosen["OPTIONS"]
    assert options["bucket_name"] == "Reports-Bucket"
    assert options["location"] == "portal/artifacts"
    assert options["endpoint_url"] == "https://s3.example.org"
    assert options["region_name"] == "eu-west-2"
    # A bucket at its own address is reached by path; files replace themselves; nothing public.
    assert options["client_config"].s3 == {"addressing_style": "path"}
    assert options["file_overwrite"] is True and options["default_acl"] is None


def test_aws_variables_name_the_bucket_the_same_way():
    chosen = artifact_storage(
        {
            "AWS_STORAGE_BUCKET_NAME": "reports",
            "AWS_S3_REGION_NAME": "eu-west-2",
            "AWS_LOCATION": "portal",
        }
    )
    options = chosen["OPTIONS"]
    assert options["bucket_name"] == "reports"
    assert (options["region_name"], options["location"]) == ("eu-west-2", "portal")
    assert options["endpoint_url"] is None
    assert options["client_config"].s3 == {"addressing_style": "auto"}


def test_the_storage_reads_the_keys_from_the_environment_not_from_settings(monkeypatch):
    from storages.backends.s3 import S3Storage

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "key-id-from-env")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret-from-env")
    options = artifact_storage({"STORAGE_URL": "s3://reports?region_name=eu-west-2"})["OPTIONS"]
    assert not any("key" in name for name in options)
    storage = S3Storage(**options)
    assert (storage.access_key, storage.secret_key) == ("key-id-from-env", "secret-from-env")


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"STORAGE_URL": "https://s3.example.org/reports"}, "is not an s3:// URL with a bucket name"),
        ({"STORAGE_URL": "s3:///no-bucket"}, "is not an s3:// URL with a bucket name"),
        ({"STORAGE_URL": "s3://reports?endpoint=https://x"}, "unknown option(s) endpoint"),
        ({"STORAGE_URL": "s3://key:secret@reports"}, "must not carry keys"),
        ({"STORAGE_URL": "s3://reports?endpoint_url=s3.example.org"}, "is not an http(s):// URL"),
        ({"STORAGE_URL": "s3://reports?addressing_style=sideways"}, "addressing style 'sideways'"),
        ({"STORAGE_URL": "s3://a", "AWS_STORAGE_BUCKET_NAME": "b"}, "Both STORAGE_URL and AWS_STORAGE_BUC"),
    ],
)
def test_a_wrong_storage_setting_is_refused_with_what_is_wrong(environ, message):
    with pytest.raises(ImproperlyConfigured) as error:
        artifact_storage(environ)
    assert message in str(error.value)


def test_saving_a_taken_name_replaces_the_file_and_leaves_nothing_else(tmp_path):
    storage = ArtifactFileSystemStorage(location=tmp_path)
    name = "publications/x/v1/report.pdf"
    assert storage.save(name, ContentFile(b"first")) == name
    assert storage.save(name, ContentFile(b"second")) == name
    with storage.open(name) as fh:
        assert fh.read() == b"second"
    assert storage.listdir("publications/x/v1") == ([], ["report.pdf"])
    mode = stat.S_IMODE(os.stat(tmp_path / "publications/x/v1/report.pdf").st_mode)
    umask = os.umask(0)
    os.umask(umask)
    assert mode == 0o666 & ~umask


def test_a_reader_never_sees_part_of_a_file_being_replaced(tmp_path):
    storage = ArtifactFileSystemStorage(location=tmp_path)
    old, new = b"a" * 4_000_000, b"b" * 4_000_000
    storage.save("report.pdf", ContentFile(old))
    seen, done = set(), threading.Event()

    def read():
        while not done.is_set():
            with storage.open("report.pdf") as fh:
                seen.add(fh.read())

    reader = threading.Thread(target=read)
    reader.start()
    try:
        for _ in range(20):
            storage.save("report.pdf", ContentFile(new))
            storage.save("report.pdf", ContentFile(old))
    finally:
        done.set()
        reader.join()
    assert seen and seen <= {old, new}


def test_a_failed_write_leaves_the_old_file_and_no_partial_one(tmp_path):
    storage = ArtifactFileSystemStorage(location=tmp_path)
    storage.save("report.pdf", ContentFile(b"complete"))

    class Broken(ContentFile):
        def chunks(self, chunk_size=None):
            yield b"half"
            raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        storage.save("report.pdf", Broken(b""))
    assert storage.listdir("") == ([], ["report.pdf"])
    with storage.open("report.pdf") as fh:
        assert fh.read() == b"complete"
