"""CSV files, one at a time or a zip archive of them (police.uk's monthly downloads:
`YYYY-MM/YYYY-MM-<force>-street.csv`), read as sheets of text cells."""

from __future__ import annotations

import csv
import io
import itertools

from django.conf import settings

from .archive import open_checked_zip
from .problems import (
    ARCHIVE_EMPTY,
    ARCHIVE_NOT_CSV,
    CSV_BROKEN,
    CSV_ENCODING,
    MAX_CELLS,
    MAX_COLUMNS,
    MAX_CSV_ARCHIVE_BYTES,
    ZIP_BOMB,
    Sheet,
    check_row_count,
    check_workbook_row_count,
    refusal,
    too_many_cells,
)


def csv_text(content: bytes, file_name: str) -> str:
    """The file as text: UTF-8 (with or without a byte-order mark) or else Windows-1252."""
    if b"\x00" in content:  # the same as a NUL character in either encoding
        raise refusal(file_name, CSV_ENCODING)
    if content.startswith(b"\xef\xbb\xbf"):
        try:
            text = content[3:].decode("utf-8")
        except UnicodeDecodeError:
            raise refusal(file_name, CSV_ENCODING) from None
    else:
        try:
            text = content.decode("utf-8")
        except UnicodeDecodeError:
            try:
                text = content.decode("cp1252")
            except UnicodeDecodeError:
                raise refusal(file_name, CSV_ENCODING) from None
    return text


def read_csv(content: bytes, file_name: str, name: str = "") -> Sheet:
    """One CSV file as a sheet; the delimiter (comma, semicolon or tab) is the one the first line uses most.

    Lines are split by str.split, and those with quotes by the csv module one by one, giving
    exactly the csv module's records several times faster; a text that needs the csv module
    whole goes through its C reader, stopping one row past the limit. Width and cell count
    are checked afterwards, without Python work per row.
    """
    text = csv_text(content, file_name)
    first_line = text[: text.find("\n")] if "\n" in text else text
    delimiter = max(",;\t", key=first_line.count) if first_line else ","
    cells = split_records(text, content, delimiter, file_name)
    if cells is None:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        try:
            cells = list(itertools.islice(reader, settings.IMPORT_MAX_ROWS + 1))
        except csv.Error as exc:
            raise refusal(file_name, CSV_BROKEN.format(reason=exc)) from None
    if cells and (max(map(len, cells)) > MAX_COLUMNS or sum(map(len, cells)) > MAX_CELLS):
        raise too_many_cells(file_name)
    check_row_count(len(cells), file_name)
    return Sheet(name=name, rows=list(zip(itertools.count(1), cells, strict=False)))


def split_records(text: str, content: bytes, delimiter: str, file_name: str) -> list[list[str]] | None:
    """The records of a CSV text as the csv module reads them, split by str.split: lines ended by
    \\n or \\r\\n, an empty line an empty record, and lines with quotes ("London, City of")
    read one by one by the csv module. None when the whole text needs the csv module: lone
    carriage returns, a quoted field running over a line's end or quoted loosely, or a field
    longer than the module allows (it says so). Line ends are counted in `content`, the same
    text's bytes, where counting is faster."""
    if b"\r" not in content:  # the usual case, found without counting anything
        lines = text.split("\n")
    else:
        crlf = content.count(b"\r\n")
        if content.count(b"\r") != crlf or content.count(b"\n") != crlf:
            return None
        lines = text.split("\r\n")
    if lines[-1] == "":
        lines.pop()
    if len(lines) > settings.IMPORT_MAX_ROWS:
        check_row_count(len(lines), file_name)
    if lines and max(map(len, lines)) > csv.field_size_limit():
        return None
    records = list(map(str.split, lines, itertools.repeat(delimiter)))
    if "" in lines:
        for index, line in enumerate(lines):
            if not line:
                records[index] = []
    if '"' in text:
        quoted = [i for i, line in enumerate(lines) if '"' in line]
        if any(lines[i].count('"') % 2 for i in quoted):
            return None  # a quoted field runs over the line's end
        try:  # one reader for every quoted line: each is whole, so one line gives one record
            parsed = list(csv.reader([lines[i] for i in quoted], delimiter=delimiter, strict=True))
        except csv.Error:
            return None
        if len(parsed) != len(quoted):
            return None
        for index, record in zip(quoted, parsed, strict=True):
            records[index] = record
    return records


def read_csv_archive(content: bytes, file_name: str) -> list[Sheet]:
    """Every CSV file in a zip archive, in the archive's order, each a sheet named by its path.

    The archive passes the same checks as a workbook's zip (parts, unpacked size, ratio);
    anything in it but CSV files and folders is refused, naming the first such part.
    """
    archive = open_checked_zip(content, file_name, "zip")
    try:
        members = [info for info in archive.infolist() if not info.is_dir()]
        stray = next((info.filename for info in members if not info.filename.lower().endswith(".csv")), None)
        if stray is not None:
            raise refusal(file_name, ARCHIVE_NOT_CSV.format(member=stray))
        if not members:
            raise refusal(file_name, ARCHIVE_EMPTY)
        unpacked = sum(info.file_size for info in members)
        if unpacked > MAX_CSV_ARCHIVE_BYTES:
            raise refusal(file_name, ZIP_BOMB.format(size=unpacked, ratio=unpacked / len(content)))
        sheets, total = [], 0
        for info in members:
            where = f"{file_name}: {info.filename}"
            sheet = read_csv(archive.read(info), where, name=info.filename)
            total += len(sheet.rows)
            check_workbook_row_count(total, file_name)
            sheets.append(sheet)
        return sheets
    finally:
        archive.close()
