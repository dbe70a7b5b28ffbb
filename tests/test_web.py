"""The local web page, through FastAPI's TestClient: every route, and every refusal
(no token, wrong token, other host, other origin, missing CSRF token, oversized or
non-review uploads)."""

from __future__ import annotations

import io
import os
import re
import stat
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from sfo_nlp.store import Store
from sfo_nlp.web import security
from sfo_nlp.web.app import create_app

TOKEN = "test-token-123"
BASE = "http://127.0.0.1:8765"
REVIEW_MD = """# Serious Further Offence Review: Sam Test

Region: Wales

Offence: Murder

Date of SFO: 4 March 2024

RoSH level: High

## Analysis of practice

The practitioner did not complete a domestic abuse enquiry with the police before sentence. This was a
missed opportunity to understand the risk to his new partner. The OASys assessment was not reviewed
after his arrest in May, and the senior probation officer countersigned it without comment.

Workloads in the team were high and the case was reallocated twice because of vacancies.

## Action plan

| Action | Owner | Target date | Measure |
| --- | --- | --- | --- |
| Deliver domestic abuse training to the team | SPO | March 2025 | Audit of 20 cases |
"""


def _client(tmp_path, **kw) -> TestClient:
    app = create_app(db_path=tmp_path / "web.sqlite", token=TOKEN, **kw)
    client = TestClient(app, base_url=BASE)
    return client


def _login(client: TestClient) -> None:
    r = client.get("/?token=" + TOKEN, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/"
    assert "httponly" in r.headers["set-cookie"].lower() and "samesite=strict" in r.headers["set-cookie"].lower()
    client.cookies.set(security.COOKIE, TOKEN)


def _csrf(client: TestClient) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', client.get("/").text).group(1)


def _wait(client: TestClient, job_url: str, timeout: float = 120) -> str:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        r = client.get(job_url)
        if "Open the results" in r.text or 'role="alert"' in r.text:
            return r.text
        assert 'http-equiv="refresh"' in r.text  # progress page updates itself
        time.sleep(0.3)
    raise AssertionError("analysis did not finish")


@pytest.fixture(scope="module")
def analysed(tmp_path_factory):
    """One app with one review uploaded and analysed (the slow part, done once)."""
    tmp = tmp_path_factory.mktemp("web")
    with _client(tmp) as client:
        _login(client)
        r = client.post("/upload", data={"csrf": _csrf(client), "standards": "2023"},
                        files={"file": ("sam test.md", REVIEW_MD.encode(), "text/markdown")}, follow_redirects=False)
        assert r.status_code == 303, r.text
        text = _wait(client, r.headers["location"])
        sha = re.search(r'href="/review/([0-9a-f]{64})', text).group(1)
        yield client, sha, tmp


def test_refuses_requests_without_the_token(tmp_path):
    with _client(tmp_path) as client:
        for path in ("/", "/batch", "/themes", "/static/app.css", "/review/abc"):
            r = client.get(path)
            assert r.status_code == 403 and "session token" in r.text
        assert client.get("/?token=wrong").status_code == 403
        assert client.post("/upload").status_code == 403
        assert "default-src 'none'" in client.get("/").headers["content-security-policy"]


def test_refuses_other_hosts_and_origins(tmp_path):
    with _client(tmp_path) as client:
        _login(client)
        assert client.get("/", headers={"host": "evil.example"}).status_code == 400  # DNS rebinding
        csrf = _csrf(client)
        r = client.post("/upload", data={"csrf": csrf}, headers={"origin": "http://evil.example"})
        assert r.status_code == 403 and "another site" in r.text
        r = client.post("/upload", data={"csrf": csrf}, headers={"origin": "http://127.0.0.1:9999"})
        assert r.status_code == 403
        r = client.post("/upload", data={"csrf": "forged"}, files={"file": ("a.md", b"text", "text/markdown")})
        assert r.status_code == 403 and "expired" in r.text


def test_refuses_oversized_and_non_review_uploads(tmp_path):
    with _client(tmp_path, max_upload_mb=0.01) as client:
        _login(client)
        csrf = _csrf(client)

        def up(name, data):
            return client.post("/upload", data={"csrf": csrf}, files={"file": (name, data, "application/octet-stream")})

        r = up("big.pdf", b"%PDF-1.4 " + b"x" * 200_000)
        assert r.status_code == 413 and "limit" in r.text
        r = up("photo.pdf", b"\x89PNG\r\n\x1a\n" + b"0" * 100)
        assert r.status_code == 400 and "PNG image" in r.text and "sfo-nlp-uploads" not in r.text
        assert up("tool.exe", b"MZ....").status_code == 415
        assert up("empty.docx", b"").status_code == 400
        assert client.post("/upload", data={"csrf": csrf}).status_code == 400  # no file chosen
        upload_dir = client.app.state.web.upload_dir
        assert stat.S_IMODE(upload_dir.stat().st_mode) == 0o700 and list(upload_dir.iterdir()) == []
    assert not upload_dir.exists()  # removed when the session ends


def test_pages_have_no_script_and_a_strict_policy(analysed):
    client, sha, _ = analysed
    for path in ("/", "/batch", f"/review/{sha}", f"/review/{sha}/confirm"):
        r = client.get(path)
        assert r.status_code == 200, path
        assert "<script" not in r.text.lower()
        assert r.headers["content-security-policy"] == security.CSP
        assert r.headers["x-frame-options"] == "DENY" and r.headers["referrer-policy"] == "same-origin"
    assert client.get("/static/app.css").status_code == 200


def test_review_report_and_batch_pages(analysed):
    client, sha, _ = analysed
    r = client.get(f"/review/{sha}")
    assert "sam test.md" in r.text and "DRAFT" in r.text and "Composite" in r.text
    r = client.get(f"/review/{sha}/report")
    assert r.status_code == 200 and "domestic abuse enquiry" in r.text
    assert "script-src" not in r.headers["content-security-policy"] and "default-src 'none'" in r.headers[
        "content-security-policy"]
    r = client.get("/batch")
    assert "sam test.md" in r.text and "<td>1</td>" in r.text
    r = client.get("/themes")  # the one stored file is too short to count as a review
    assert r.status_code == 200 and "No themes yet" in r.text and "sam test.md" in r.text
    assert client.get("/review/" + "0" * 64).status_code == 404
    assert client.get("/jobs/nope").status_code == 404
    assert client.get(f"/review/{sha}/note.pdf").status_code == 404


def test_batch_page_lists_a_non_review_last_and_unranked(tmp_path):
    from test_store import _doc_and_analysis

    doc, a = _doc_and_analysis(sha="f" * 64)
    with Store(tmp_path / "web.sqlite") as st:
        st.save_analysis(a, doc, "/x/hello.md")
    with _client(tmp_path) as client:
        _login(client)
        r = client.get("/batch")
    assert r.status_code == 200
    assert '<abbr title="does not look like an SFO review (6 words, 1 heading' in r.text
    assert "<tr><td><abbr" in r.text and ">not a review</abbr></td>" in r.text  # not rank None


def test_confirm_then_export_the_note(analysed):
    client, sha, tmp = analysed
    form = client.get(f"/review/{sha}/confirm").text
    first = re.search(r'name="answer-([^"]+)"', form).group(1)
    data = {"csrf": _csrf(client), "who": "A. Inspector", f"answer-{first}": "no",
            f"comment-{first}": "Needs the <b>partner</b> enquiry."}
    r = client.post(f"/review/{sha}/confirm", data=data, follow_redirects=True)
    assert r.status_code == 200 and "Saved 1 decisions" in r.text
    assert "Needs the &lt;b&gt;partner&lt;/b&gt; enquiry." in r.text  # escaped on the way back
    with Store(tmp / "web.sqlite") as st:
        d = st.decisions(sha)
    assert [(x["prompt_id"], x["final_answer"], x["who"]) for x in d] == [(first, "no", "A. Inspector")]
    r = client.get(f"/review/{sha}/note.md")
    assert r.status_code == 200 and "attachment" in r.headers["content-disposition"]
    assert "partner" in r.text
    r = client.get(f"/review/{sha}/note.docx")
    assert r.status_code == 200 and r.content[:2] == b"PK"
    # a bad answer value is refused whole, with the CLI's message
    bad = dict(data, **{f"answer-{first}": "maybe"})
    r = client.post(f"/review/{sha}/confirm", data=bad)
    assert r.status_code == 400 and "answer must be one of" in r.text
    no_name = dict(data, who=" ")
    assert client.post(f"/review/{sha}/confirm", data=no_name).status_code == 400
    # "accept the rest": every undecided prompt takes its draft answer; the one decided stays "no"
    r = client.post(f"/review/{sha}/confirm", data=dict(data, accept_rest="1"), follow_redirects=True)
    with Store(tmp / "web.sqlite") as st:
        latest = {x["prompt_id"]: x for x in st.decisions(sha)}
        result = st.get_analysis(sha)
    assert len(latest) == len(result["answers"]) and latest[first]["final_answer"] == "no"
    assert all(latest[a["prompt_id"]]["final_answer"] == a["answer"] for a in result["answers"] if a["prompt_id"] != first)


def test_serve_prints_a_private_address_and_answers_on_loopback(tmp_path):
    exe = Path(sys.executable).parent / "sfo-nlp"
    proc = subprocess.Popen([str(exe), "serve", "--port", "0", "--db", str(tmp_path / "s.sqlite")],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        url = None
        end = time.monotonic() + 60
        while time.monotonic() < end and url is None:
            line = proc.stdout.readline()
            m = re.search(r"(http://127\.0\.0\.1:\d+/)\?token=(\S+)", line)
            if m:
                url, token = m.group(1), m.group(2)
        assert url, "no address printed"
        for _ in range(50):
            try:
                with pytest.raises(urllib.error.HTTPError) as refused:
                    urllib.request.urlopen(url, timeout=5)
                break
            except urllib.error.URLError as exc:
                if isinstance(exc, urllib.error.HTTPError):
                    raise
                time.sleep(0.2)
        assert refused.value.code == 403
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
        with opener.open(f"{url}?token={token}", timeout=10) as resp:
            assert resp.status == 200 and b"Check an SFO review" in resp.read()
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_serve_refuses_a_bad_port(run_cli):
    code, out, err = run_cli("serve", "--port", "70000")
    assert code == 2 and err.startswith("error: ") and "--port" in err


def _upload_handles(upload_dir: Path) -> list[str]:
    """This process's open files inside the upload folder (deleted or not)."""
    out = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue  # closed while listing
        if target.startswith(str(upload_dir)):
            out.append(target)
    return out


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc to count open files")
def test_failed_uploads_name_the_users_file_say_what_to_do_and_close_every_handle(tmp_path):
    from docgen import make_pdf

    simple = [("h1", "Review"), ("p", "The practitioner did not review the risk assessment.")]
    full = make_pdf(tmp_path / "full.pdf", simple)
    locked = make_pdf(tmp_path / "locked.pdf", simple, password="s3cret")
    with _client(tmp_path) as client:
        _login(client)
        csrf = _csrf(client)
        upload_dir = client.app.state.web.upload_dir

        def job_error(name: str, data: bytes) -> str:
            r = client.post("/upload", data={"csrf": csrf}, files={"file": (name, data, "application/pdf")},
                            follow_redirects=False)
            assert r.status_code == 303, r.text
            text = _wait(client, r.headers["location"])
            return " ".join(re.search(r'role="alert">([^<]*)<', text).group(1).split())

        truncated = job_error("trunc.pdf", full.read_bytes()[: full.stat().st_size // 2])
        assert truncated.startswith("trunc.pdf: ") and "truncated" in truncated and "tmp" not in truncated
        protected = job_error("locked.pdf", locked.read_bytes())
        assert protected.startswith("locked.pdf: this PDF is password-protected")
        assert "Remove the protection" in protected and "command line" in protected
        assert "give its password with --password" not in protected
        assert list(upload_dir.iterdir()) == []  # each upload removed once read...
        assert _upload_handles(upload_dir) == []  # ...and no handle kept open on it


def _store_all_partly_review(db: Path) -> dict:
    import json

    from sfo_nlp.store import AnalysisRecord
    from test_confirm import _all_partly_draft

    result = _all_partly_draft()
    comp = result["composite"]
    with Store(db) as st:
        st.save_record(AnalysisRecord(result["sha256"], "2023", "/x/r.pdf", json.dumps(result), "{}",
                                      comp["score"], comp["label"], "", []))
    return result


def _ratings_table(html: str) -> dict[str, list[str]]:
    """Standard number -> the text of each cell of its row in the ratings table."""
    rows = re.findall(r"<tr><td>(\d)\. .*?</tr>", html, re.S)
    cells = re.findall(r"<tr><td>(\d)\. [^<]*</td>(.*?)</tr>", html, re.S)
    assert len(rows) == len(cells) == 4, html
    return {n: [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td>(.*?)</td>", rest, re.S)]
            for n, rest in cells}


def test_review_page_shows_ratings_from_the_confirmed_answers(tmp_path):
    """QA: after an inspector confirmed answers, the note and export used them but the
    review page still showed the draft ratings and composite."""
    result = _store_all_partly_review(tmp_path / "web.sqlite")
    sha = result["sha256"]
    with _client(tmp_path) as client:
        _login(client)
        page = client.get(f"/review/{sha}").text
        assert "Requires improvement (4/12, DRAFT)" in page
        assert all(row[0] == "Requires improvement" and row[1] == "DRAFT" for row in _ratings_table(page).values())

        s1 = [a["prompt_id"] for a in result["answers"] if a["standard"] == "1"]
        with Store(tmp_path / "web.sqlite") as st:
            st.save_decisions(sha, [{"prompt_id": p, "draft_answer": "partly", "final_answer": "no"} for p in s1],
                              who="A. Inspector")
        page = client.get(f"/review/{sha}").text
        table = _ratings_table(page)
        assert table["1"][:2] == ["Inadequate", "confirmed by A. Inspector"]
        assert table["1"][2].startswith("From the confirmed answers: 0 yes, 0 partly, 8 no")
        assert table["2"][:2] == ["Requires improvement", "DRAFT"]
        assert "Requires improvement (3/12, DRAFT: 8 of 34 prompts confirmed)" in page

        rest = [a["prompt_id"] for a in result["answers"] if a["standard"] != "1"]
        with Store(tmp_path / "web.sqlite") as st:
            st.save_decisions(sha, [{"prompt_id": p, "draft_answer": "partly", "final_answer": "no"} for p in rest],
                              who="B. Inspector")
        page = client.get(f"/review/{sha}").text
        assert "Inadequate (0/12)" in page and "confirmed by A. Inspector, B. Inspector" in page
        assert all(row[0] == "Inadequate" for row in _ratings_table(page).values())
        assert _ratings_table(page)["2"][1] == "confirmed by B. Inspector"
        assert "DRAFT ratings and answers" not in page
