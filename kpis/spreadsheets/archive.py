"""The zip file around a workbook or a set of CSV files, checked before anything is parsed:
how many parts, how large unpacked, how well compressed (zip bombs), no macros, and no DTD
or entity declarations in any XML part (XML bombs, external entities).

python-calamine parses the XML with quick-xml, which neither reads DTDs nor expands
entities it was not told about (an undeclared `&lol9;` is an error, not an expansion), so
it is not open to XML bombs itself; the prolog check here refuses such files before it is
called, with a message that says why, and nothing in them reaches a parser that expands.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

from .problems import (
    MACRO_WORKBOOK,
    MAX_COMPRESSION_RATIO,
    MAX_UNCOMPRESSED_BYTES,
    MAX_ZIP_MEMBERS,
    NOT_A_WORKBOOK,
    XML_UNSAFE,
    ZIP_BOMB,
    refusal,
)

CHUNK_BYTES = 16 * 1024 * 1024
XML_PART = re.compile(r"\.(xml|rels)$", re.IGNORECASE)


def open_checked_zip(content: bytes, file_name: str, kind: str) -> zipfile.ZipFile:
    """Open the zip after checking it cannot expand into a bomb and carries no macros."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise refusal(
            file_name, NOT_A_WORKBOOK.format(kind=kind, reason=str(exc) or "not a zip file")
        ) from None
    if len(infos) > MAX_ZIP_MEMBERS:
        raise refusal(file_name, NOT_A_WORKBOOK.format(kind=kind, reason=f"{len(infos)} parts"))
    total = sum(i.file_size for i in infos)
    compressed = max(sum(i.compress_size for i in infos), 1)
    # A per-part ratio catches a bomb hidden beside large incompressible parts.
    worst = max((i.file_size / max(i.compress_size, 1) for i in infos if i.file_size > 1_000_000), default=0)
    if total > MAX_UNCOMPRESSED_BYTES or worst > MAX_COMPRESSION_RATIO:
        raise refusal(file_name, ZIP_BOMB.format(size=total, ratio=max(total / compressed, worst)))
    if any(i.filename.lower().endswith("vbaproject.bin") for i in infos):
        raise refusal(file_name, MACRO_WORKBOOK)
    return archive


def check_xml_parts(archive: zipfile.ZipFile, file_name: str, kind: str) -> None:
    """Refuse a workbook any XML part of which declares a DTD or entities.

    A DOCTYPE can only stand before the root element, so each part is parsed (by defusedxml,
    which raises on the DOCTYPE itself) only until its root element starts: a few bytes each.
    """
    for info in archive.infolist():
        if not XML_PART.search(info.filename):
            continue
        try:
            with archive.open(info) as source:
                for _event, _element in iterparse(source, events=("start",), forbid_dtd=True):
                    break
        except DefusedXmlException:
            raise refusal(file_name, XML_UNSAFE) from None
        except Exception as exc:  # a broken part: the reader says what is wrong with it
            if "DOCTYPE" in str(exc) or "ENTITY" in str(exc):
                raise refusal(file_name, XML_UNSAFE) from None
            raise refusal(
                file_name, NOT_A_WORKBOOK.format(kind=kind, reason=f"{info.filename}: {exc}")
            ) from None


def whole_elements(archive: zipfile.ZipFile, member: str, closing: re.Pattern[bytes]) -> Iterator[bytes]:
    """A large XML part in pieces of about CHUNK_BYTES, each ending just after a `closing`
    tag (e.g. a row's end), so no row is ever split between two pieces."""
    with archive.open(member) as source:
        carry = b""
        while True:
            block = source.read(CHUNK_BYTES)
            if not block:
                if carry:
                    yield carry
                return
            buffer = carry + block
            cut = last_match_end(closing, buffer)
            if cut is None:
                carry = buffer
                continue
            yield buffer[:cut]
            carry = buffer[cut:]


def last_match_end(pattern: re.Pattern[bytes], buffer: bytes) -> int | None:
    """Where the last match of `pattern` in `buffer` ends, looking back from the end."""
    start = max(len(buffer) - 65536, 0)
    while True:
        found = None
        for found in pattern.finditer(buffer, start):  # noqa: B007 - only the last one is wanted
            pass
        if found is not None:
            return found.end()
        if start == 0:
            return None
        start = max(start - 1024 * 1024, 0)
