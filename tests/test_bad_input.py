"""Bad input: one line 'error: ...' on stderr, exit code 2, no traceback, no output file.

Every file here is generated in the test (nothing is downloaded).
"""

from __future__ import annotations

import random
import zipfile

import pytest

from docgen import make_blank_pdf, make_docx, make_image_pdf, make_pdf, make_zip_bomb_docx

SIMPLE = [("h1", "Review"), ("p", "The practitioner did not review the risk assessment.")]


def _fails(run_cli, path, *words, extra=()):
    """Run extract with --output and check the one-line error and that nothing was written."""
    out = path.parent / "out.json" if path.parent.is_dir() else None
    args = ["extract", path, "--format", "json", *extra]
    if out is not None:
        args += ["--output", out]
    code, stdout, stderr = run_cli(*args)
    assert code == 2, (code, stderr)
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), stderr
    assert "Traceback" not in stderr and stdout == ""
    for w in words:
        assert w.lower() in lines[0].lower(), lines[0]
    if out is not None:
        assert not out.exists()
        assert not list(path.parent.glob(".out.json.*"))
    return lines[0]


def test_missing_file(tmp_path, run_cli):
    _fails(run_cli, tmp_path / "nope.pdf", "no such file")


def test_directory(tmp_path, run_cli):
    (tmp_path / "d").mkdir()
    _fails(run_cli, tmp_path / "d", "folder")


def test_empty_file(tmp_path, run_cli):
    p = tmp_path / "e.pdf"
    p.write_bytes(b"")
    _fails(run_cli, p, "empty")


def test_image_file(tmp_path, run_cli):
    from PIL import Image

    p = tmp_path / "photo.pdf"  # a misleading name: the content decides
    Image.new("RGB", (20, 20), "white").save(p, format="PNG")
    _fails(run_cli, p, "PNG image")


def test_random_bytes(tmp_path, run_cli):
    p = tmp_path / "noise.bin"
    p.write_bytes(random.Random(1).randbytes(4096))
    _fails(run_cli, p, "not a PDF, DOCX or text file")


def test_truncated_pdf(tmp_path, run_cli):
    full = make_pdf(tmp_path / "full.pdf", SIMPLE)
    p = tmp_path / "cut.pdf"
    p.write_bytes(full.read_bytes()[: full.stat().st_size // 2])
    _fails(run_cli, p, "truncated")


def test_corrupt_pdf(tmp_path, run_cli):
    p = tmp_path / "bad.pdf"
    p.write_bytes(b"%PDF-1.4\n" + bytes(range(256)) * 8 + b"\n%%EOF\n")
    _fails(run_cli, p, "not a readable PDF", "corrupt")


def test_encrypted_pdf(tmp_path, run_cli):
    p = make_pdf(tmp_path / "locked.pdf", SIMPLE, password="s3cret")
    _fails(run_cli, p, "encrypted", "--password")
    _fails(run_cli, p, "wrong password", extra=("--password", "guess"))
    code, out, err = run_cli("extract", p, "--password", "s3cret")
    assert code == 0, err
    assert "did not review the risk assessment" in out


def test_scanned_pdf(tmp_path, run_cli):
    p = make_image_pdf(tmp_path / "scan.pdf")
    _fails(run_cli, p, "no text layer", "ocrmypdf")


def test_docx_not_a_zip(tmp_path, run_cli):
    p = tmp_path / "review.docx"
    p.write_text("this is not a Word document")
    _fails(run_cli, p, "not a valid DOCX")
    p.write_bytes(b"PK\x03\x04" + b"\0" * 200)  # a zip header and nothing else
    _fails(run_cli, p, "not a valid DOCX")


def test_docx_with_broken_xml(tmp_path, run_cli):
    good = make_docx(tmp_path / "good.docx", SIMPLE)
    p = tmp_path / "broken.docx"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(p, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            dst.writestr(info, data[:100] if info.filename == "word/document.xml" else data)
    _fails(run_cli, p, "not a readable DOCX")


def test_zip_bomb_refused_before_inflating(tmp_path, run_cli, monkeypatch):
    p = make_zip_bomb_docx(tmp_path / "bomb.docx", inflated_mb=210)
    assert p.stat().st_size < 2_000_000
    opened = []
    monkeypatch.setattr(zipfile.ZipFile, "open", lambda *a, **k: opened.append(a) or pytest.fail("inflated"))
    _fails(run_cli, p, "zip bomb")
    monkeypatch.setenv("SFO_NLP_MAX_ZIP_RATIO", "100000")  # the total-size limit holds as well
    _fails(run_cli, p, "inflate to over 200 MB")
    assert not opened


def test_pdf_over_page_limit(tmp_path, run_cli, monkeypatch):
    p = make_blank_pdf(tmp_path / "long.pdf", pages=6)
    monkeypatch.setenv("SFO_NLP_MAX_PAGES", "5")
    _fails(run_cli, p, "6 pages", "limit of 5", "SFO_NLP_MAX_PAGES")


def test_file_over_size_limit(tmp_path, run_cli, monkeypatch):
    p = make_pdf(tmp_path / "big.pdf", SIMPLE)
    monkeypatch.setenv("SFO_NLP_MAX_FILE_MB", "0.001")
    _fails(run_cli, p, "over the 0.001 MB limit")


def test_time_limit(tmp_path, run_cli, monkeypatch):
    p = make_blank_pdf(tmp_path / "slow.pdf", pages=3)
    monkeypatch.setenv("SFO_NLP_MAX_SECONDS", "1e-9")
    _fails(run_cli, p, "gave up", "SFO_NLP_MAX_SECONDS")


def test_old_word_file(tmp_path, run_cli):
    p = tmp_path / "old.doc"
    p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512)
    _fails(run_cli, p, ".doc", "password-protected")


def test_no_output_file_on_failure_with_good_folder(tmp_path, run_cli):
    """The output file is written whole or not at all; a good run writes it."""
    p = make_pdf(tmp_path / "ok.pdf", SIMPLE)
    out = tmp_path / "out.json"
    code, _, err = run_cli("extract", p, "--format", "json", "--output", out)
    assert code == 0 and out.exists(), err


def test_pdf_locked_only_against_editing_opens_without_password(tmp_path, run_cli):
    """Many PDFs carry an owner password (no copying/editing) but open for reading."""
    p = make_pdf(tmp_path / "owner.pdf", SIMPLE, owner_password="owner-only")
    code, out, err = run_cli("extract", p)
    assert code == 0, err
    assert "did not review the risk assessment" in out


def test_pdf_with_no_text_and_no_images(tmp_path, run_cli):
    from reportlab.pdfgen import canvas

    p = tmp_path / "blank.pdf"
    c = canvas.Canvas(str(p), invariant=1)
    c.line(72, 72, 300, 300)
    c.showPage()
    c.save()
    _fails(run_cli, p, "no readable text", "blank or damaged")


def test_huge_text_file_refused_before_reading(tmp_path, run_cli):
    p = tmp_path / "huge.txt"
    p.write_text("The probation practitioner visited. " * 80_000)  # about 2.9 MB
    code, out, err = run_cli("extract", p)
    assert code == 2
    assert err.startswith("error: huge.txt:") and "SFO_NLP_MAX_TEXT_MB" in err
    assert len(err.strip().splitlines()) == 1
