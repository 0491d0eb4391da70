"""The PDF's fonts come from the repository, so every machine makes the same PDF.

Renders run in fresh processes whose fontconfig knows only the DejaVu fonts (or no fonts
at all), the way a bare server is set up; the PDF must still embed Liberation Sans, from
static/fonts/, and be the same bytes as a render on this machine's own fonts.
"""

import hashlib
import io
import os
import subprocess
import sys
from pathlib import Path

import pikepdf
import pytest
from fontTools.ttLib import TTFont

from reports import rendering
from reports.pdf_fetcher import BASE_URL, StaticOnlyFetcher

from .factories import reference_snapshot

ROOT = Path(__file__).resolve().parents[2]
FONT_DIR = ROOT / "static" / "fonts" / "liberation"
SHIPPED = sorted(FONT_DIR.glob("*.ttf"))
FONT_FOLDERS = ("/usr/share/fonts", "/usr/local/share/fonts")

RENDER = """
import sys
import django
django.setup()
from reports import rendering
from tests.reports.factories import reference_snapshot
sys.stdout.buffer.write(rendering.render_pdf(rendering.build_context(reference_snapshot())))
"""


def dejavu_folder() -> Path | None:
    for folder in FONT_FOLDERS:
        found = sorted(Path(folder).glob("**/DejaVuSans.ttf"))
        if found:
            return found[0].parent
    return None


def fonts_conf(tmp_path: Path, *folders: Path) -> Path:
    """A fontconfig file that knows only `folders` (no system configuration at all)."""
    dirs = "".join(f"<dir>{folder}</dir>" for folder in folders)
    conf = tmp_path / f"fonts-{len(folders)}.conf"
    conf.write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">'
        f"<fontconfig>{dirs}<cachedir>{tmp_path / 'fontconfig-cache'}</cachedir></fontconfig>"
    )
    return conf


def render_in_subprocess(conf: Path) -> bytes:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("FONTCONFIG", "FC_", "XDG_"))
    }
    env.update(
        FONTCONFIG_FILE=str(conf),
        DJANGO_SETTINGS_MODULE="portal.settings",
        PYTHONPATH=str(ROOT),
        LOG_LEVEL="ERROR",
    )
    done = subprocess.run(
        [sys.executable, "-c", RENDER], cwd=ROOT, env=env, capture_output=True, timeout=180
    )
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    assert done.stdout.startswith(b"%PDF-"), done.stderr.decode()[-2000:]
    return done.stdout


def embedded_fonts(pdf: bytes) -> dict[str, TTFont]:
    """Each embedded font program by its PDF font name."""
    fonts = {}
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        for obj in doc.objects:
            if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == "/FontDescriptor":
                assert "/FontFile2" in obj, f"{obj.FontName} is not embedded"
                fonts[str(obj.FontName)] = TTFont(io.BytesIO(obj.FontFile2.read_bytes()))
    return fonts


def outline(font: TTFont, char: str):
    """The glyph drawn for `char`: its contours' points and where each contour ends."""
    glyph = font["glyf"][font.getBestCmap()[ord(char)]]
    coordinates, ends, _flags = glyph.getCoordinates(font["glyf"])
    return list(coordinates), list(ends)


@pytest.fixture(scope="module")
def dejavu_only_pdfs(tmp_path_factory):
    folder = dejavu_folder()
    if folder is None:
        pytest.fail("no DejaVu fonts on this machine (Debian package fonts-dejavu-core)")
    tmp = tmp_path_factory.mktemp("fontconfig")
    conf = fonts_conf(tmp, folder)
    return render_in_subprocess(conf), render_in_subprocess(conf), tmp


def test_the_repository_ships_the_faces_the_pdf_uses_with_their_licence():
    assert [p.name for p in SHIPPED] == [
        "LiberationSans-Bold.ttf",
        "LiberationSans-BoldItalic.ttf",
        "LiberationSans-Italic.ttf",
        "LiberationSans-Regular.ttf",
    ]
    licence = (FONT_DIR / "LICENSE").read_text()
    assert "SIL OPEN FONT LICENSE Version 1.1" in licence and "Reserved Font Name Liberation" in licence
    css = (ROOT / "static" / "css" / "report-pdf.css").read_text()
    for path in SHIPPED:
        assert f'url("../fonts/liberation/{path.name}")' in css


def test_two_renders_on_a_dejavu_only_machine_are_byte_identical(dejavu_only_pdfs):
    first, second, _ = dejavu_only_pdfs
    assert hashlib.sha256(first).hexdigest() == hashlib.sha256(second).hexdigest()


def test_the_pdf_is_the_same_whatever_fonts_the_machine_has(dejavu_only_pdfs):
    first, _, tmp = dejavu_only_pdfs
    here = rendering.render_pdf(rendering.build_context(reference_snapshot()))
    no_fonts_at_all = render_in_subprocess(fonts_conf(tmp))
    assert here == first
    assert no_fonts_at_all == first


def test_every_embedded_font_is_liberation_sans_from_the_repository(dejavu_only_pdfs):
    pdf, _, _ = dejavu_only_pdfs
    fonts = embedded_fonts(pdf)
    shipped = {TTFont(path)["name"].getDebugName(4): TTFont(path) for path in SHIPPED}
    # Regular text, headings and table heads in bold, the italic data note.
    assert sorted(name.split("+", 1)[1] for name in fonts) == [
        "Report-Liberation-Sans",
        "Report-Liberation-Sans-Bold",
        "Report-Liberation-Sans-Italic",
    ]
    for pdf_name, font in fonts.items():
        full_name = font["name"].getDebugName(4)
        assert full_name in shipped, f"{pdf_name} is {full_name}, not one of the repository's fonts"
        original = shipped[full_name]
        assert font["name"].getDebugName(5) == original["name"].getDebugName(5) == "Version 2.1.5"
        # Every glyph the PDF carries is drawn exactly as in the repository's file.
        chars = [chr(code) for code in font.getBestCmap()]
        assert len(chars) > 10, pdf_name
        for char in chars:
            assert outline(font, char) == outline(original, char), (pdf_name, char)


def test_the_fonts_come_through_the_static_only_fetcher(monkeypatch):
    # A fresh font configuration: the kept one has its faces already and fetches nothing.
    monkeypatch.setattr(rendering._fonts, "config", None)
    fetcher = StaticOnlyFetcher()
    html = rendering.render_pdf_html(rendering.build_context(reference_snapshot()))
    rendering.html_to_pdf(html, identifier="fonts", fetcher=fetcher)
    assert fetcher.refused == []
    font_urls = sorted(url for url in fetcher.served if url.endswith(".ttf"))
    assert font_urls == [f"{BASE_URL}static/fonts/liberation/{path.name}" for path in SHIPPED]
