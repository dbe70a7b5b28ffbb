"""End to end in a real headless browser (Debian's chromium driven by Playwright): a
person starts `sfo-nlp serve`, opens the printed address, uploads a corpus review, opens
the report, confirms an answer and exports the feedback note.

Skipped, with the reason, when chromium or Playwright is not installed (.ci/run installs
chromium). Screenshots go to $SFO_NLP_ARTIFACTS when set, else to the test's tmp folder.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
SAMPLE = ROOT / "corpus_samples" / "reviews" / "docx" / "sfo-01.docx"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (apt-get install chromium)"),
    pytest.mark.skipif(not SAMPLE.is_file(), reason=f"corpus sample {SAMPLE.name} is missing"),
]


@pytest.fixture
def server(tmp_path):
    exe = Path(sys.executable).parent / "sfo-nlp"
    proc = subprocess.Popen([str(exe), "serve", "--port", "0", "--db", str(tmp_path / "b.sqlite")],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    url = None
    end = time.monotonic() + 60
    while url is None and time.monotonic() < end:
        m = re.search(r"(http://127\.0\.0\.1:\d+/\?token=\S+)", proc.stdout.readline())
        url = m.group(1) if m else None
    if url is None:
        proc.terminate()
        pytest.fail("sfo-nlp serve printed no address: " + proc.stderr.read()[-500:])
    yield url
    proc.terminate()
    proc.wait(timeout=20)


def test_upload_report_confirm_and_export_in_a_browser(server, tmp_path):
    sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright for Python is not installed")
    shots = Path(os.environ.get("SFO_NLP_ARTIFACTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(accept_downloads=True)
        blocked = []
        page.on("console", lambda msg: blocked.append(msg.text) if "Content Security Policy" in msg.text else None)
        page.goto(server)
        assert "token" not in page.url  # swapped for a cookie
        page.set_input_files("#file", str(SAMPLE))
        page.click("button[type=submit]")
        page.wait_for_selector("#open-report, .error", timeout=240_000)
        assert page.locator(".error").count() == 0, page.locator(".error").inner_text()
        page.click("#open-report")
        page.wait_for_load_state("load")
        assert page.locator("h1").inner_text() == SAMPLE.name
        page.screenshot(path=str(shots / "web-review.png"), full_page=True)

        page.click("#full-report")
        page.wait_for_load_state("load")  # the click starts a navigation; read the new page
        assert "DRAFT" in page.content()
        page.screenshot(path=str(shots / "web-full-report.png"))
        page.go_back()

        page.click("#confirm")
        first = page.locator("select[name^=answer-]").first
        prompt = first.get_attribute("name").removeprefix("answer-")
        first.select_option("partly")
        page.fill(f"#comment-{prompt}", "Confirmed in the browser test.")
        page.fill("#who", "Browser Inspector")
        page.click("#save")
        page.wait_for_selector("text=Saved 1 decisions", timeout=30_000)
        page.screenshot(path=str(shots / "web-confirm.png"), full_page=True)

        page.goto(server.split("?")[0].rstrip("/") + "/batch")
        page.click(f"text={SAMPLE.name}")
        with page.expect_download() as dl:
            page.click("#note-md")
        note = Path(dl.value.path()).read_text(encoding="utf-8")
        assert "Confirmed in the browser test." in note and "Browser Inspector" in note
        assert not blocked, blocked
        browser.close()
    assert (shots / "web-review.png").stat().st_size > 1000
