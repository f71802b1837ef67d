"""The analyst report: pure pieces (segments, escaping, charts), the
``claimflow report`` command on the session's flow run, and the report of the
sample article rendered in headless Chromium."""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from flows.cli import main
from flows.report import report_artifact_markdown, write_report
from transforms.report import (
    ReportData,
    TableRows,
    article_page,
    charts,
    index_page,
    per_article_counts,
    safe_filename,
    segments,
    summary_text,
)
from transforms.schemas import ALL_TABLES

CHART_KEYS = {
    "speakers",
    "affiliations",
    "source-types",
    "cue-verbs",
    "quote-types",
    "claim-types",
    "check-worthiness",
    "attributions-per-article",
}

# ---------------------------------------------------------------- pure pieces


def test_segments_split_at_every_boundary_and_keep_overlaps():
    segs = segments(20, [(2, 10, "content:a0"), (5, 15, "claim:c0"), (0, 3, "source:a0")])
    assert [(s.start, s.end) for s in segs] == [(0, 2), (2, 3), (3, 5), (5, 10), (10, 15), (15, 20)]
    assert segs[1].keys == {"source:a0", "content:a0"}
    assert segs[3].keys == {"content:a0", "claim:c0"}
    assert segs[5].keys == frozenset()
    # clipped to the text, empty spans dropped
    assert segments(5, [(3, 99, "k"), (4, 4, "e")])[-1].keys == {"k"}
    assert segments(0, []) == []


def test_safe_filename_is_portable_and_collision_free():
    assert safe_filename("plain-id_1.2") == "plain-id_1.2.html"
    odd = ["a/b", "a:b", "a b", "a?b", "../etc", "x" * 300, ""]
    names = [safe_filename(d) for d in odd]
    assert len(set(names)) == len(names)
    for name in names:
        assert re.fullmatch(r"[A-Za-z0-9_-][A-Za-z0-9._-]*\.html", name), name
        assert len(name) < 100


def _attribution(doc_id, aid, source, cue, content, speaker="Jane Roe", **extra):
    def spans(pair):
        return [{"start": pair[0], "end": pair[1]}] if pair else []

    return {
        "doc_id": doc_id,
        "attribution_id": aid,
        "source_spans": spans(source),
        "cue_spans": spans(cue),
        "content_spans": spans(content),
        "speaker": speaker,
        "cue_text": "said",
        **extra,
    }


TEXT = 'Jane <Roe> said "prices & rents rose 5%" on Monday.\nIt "rained".'


def _tiny():
    doc = {"doc_id": "d/1", "title": "A <title>", "text": TEXT}
    attrs = [_attribution("d/1", "d/1:a0", (0, 10), (11, 15), (16, 40))]
    claims = [
        # overlaps the content and runs past it
        {
            "doc_id": "d/1",
            "claim_id": "d/1:c0",
            "start": 17,
            "end": 50,
            "text": TEXT[17:50],
            "check_worthiness": 0.9,
            "checkworthy": True,
            "claim_type": "quantity",
        },
        {
            "doc_id": "d/1",
            "claim_id": "d/1:c1",
            "start": 52,
            "end": 64,
            "text": TEXT[52:64],
            "check_worthiness": 0.1,
            "checkworthy": False,
        },
    ]
    return doc, attrs, claims


def test_article_page_keeps_the_exact_text_escaped_and_highlighted():
    doc, attrs, claims = _tiny()
    page = article_page(doc, attrs, claims, {"run_id": "r1", "status": "complete"})
    body = re.search(r'<div id="text">(.*?)</div><aside', page, re.S).group(1)
    assert html.unescape(re.sub(r"<[^>]+>", "", body)) == TEXT  # every character, once
    assert "<Roe>" not in page and "&lt;Roe&gt;" in page
    assert '<span class="src" data-k="a0"' in body
    assert '<span class="cue" data-k="a0"' in body
    assert 'class="cnt claim cw" data-k="a0 c0"' in body  # overlap: both layers
    assert 'class="claim cw" data-k="c0"' in body  # the claim past the content
    assert 'class="claim" data-k="c1"' in body  # not check-worthy: dotted
    details = re.search(r'<script type="application/json" id="details">(.*?)</script>', page, re.S)
    assert "<" not in details.group(1)  # cannot close the script element
    assert "Claim c0" in details.group(1).encode().decode("unicode_escape")


def test_index_page_and_summary_tolerate_missing_optional_columns():
    doc, attrs, claims = _tiny()
    bare = [{"doc_id": a["doc_id"], "attribution_id": a["attribution_id"]} for a in attrs]
    data = ReportData(
        run={"run_id": "r1", "status": "complete", "table_versions": {"documents": 3}},
        documents=[doc, {"doc_id": "d2", "text": ""}],
        sentences=[{"doc_id": "d/1"}],
        attributions=bare,
        claims=[{k: c[k] for k in ("doc_id", "claim_id", "start", "end")} for c in claims],
        errors=[{"severity": "error"}, {"severity": "warning"}],
    )
    assert {c.key for c in charts(data)} == CHART_KEYS
    page = index_page(data, {d["doc_id"]: safe_filename(d["doc_id"]) for d in data.documents})
    assert page.count('<figure class="chart"') == len(CHART_KEYS)
    assert "documents v3" in page and "A &lt;title&gt;" in page
    assert '<table id="errors">' in page and "Errors and warnings (2)" in page
    text = summary_text(data, "out/index.html")
    assert "articles 2" in text and "errors 1" in text and "warnings 1" in text
    assert page.count("<svg") == len(CHART_KEYS)


def test_index_page_of_a_run_that_wrote_no_rows():
    # An empty seeds folder on a fresh data folder: every table read back empty.
    empty = {name: TableRows(ALL_TABLES[name].empty_table()) for name in ALL_TABLES}
    data = ReportData(
        run={"run_id": "r1", "status": "complete", "table_versions": {"runs": 0}},
        documents=empty["documents"],
        sentences=empty["sentences"],
        attributions=empty["attributions"],
        claims=empty["claims"],
        errors=empty["errors"],
    )
    page = index_page(data, {})
    assert "r1" in page
    assert "articles 0" in summary_text(data, "out/index.html")


def test_per_article_counts_uses_readable_bins():
    docs = [{"doc_id": str(i)} for i in range(4)]
    assert per_article_counts(docs, [{"doc_id": "0"}] * 2) == [("0", 3), ("1", 0), ("2", 1)]
    wide = per_article_counts(docs, [{"doc_id": "0"}] * 57)
    assert wide[0] == ("0-9", 3) and wide[-1] == ("50-59", 1) and len(wide) <= 10


# ---------------------------------------------------------------- on the flow run


@pytest.fixture(scope="module")
def report(flow_run, tmp_path_factory):
    _, catalog = flow_run
    out = tmp_path_factory.mktemp("report")
    code = main(["report", "--data", str(catalog.data_dir), "--out", str(out)])
    assert code == 0
    return catalog, out


def test_report_command_writes_pages_and_prints_a_summary(report, capsys, flow_run):
    catalog, out = report
    summary, _ = flow_run
    assert (out / "index.html").is_file()
    pages = list((out / "articles").glob("*.html"))
    assert len(pages) == catalog.read("documents").num_rows == 1
    index = (out / "index.html").read_text(encoding="utf-8")
    assert summary["run_id"] in index
    assert f"articles/{pages[0].name}#c" in index  # top claims link to the article view
    article = pages[0].read_text(encoding="utf-8")
    assert ">Pentagon spokesperson John Kirby</span>" in article
    for page in (index, article):  # self-contained: nothing loaded from anywhere
        assert not re.search(r"<(script|link|img|iframe)\b[^>]*\b(src|href)=", page)
        assert "@import" not in page and "url(" not in page
    # the command prints the plain-text summary
    code = main(["report", "--data", str(catalog.data_dir), "--out", str(out)])
    printed = capsys.readouterr().out
    assert code == 0
    assert "articles 1" in printed and "John Kirby" in printed and "index.html" in printed


def test_report_of_a_named_run_and_bad_requests(report, flow_run, tmp_path, capsys):
    catalog, _ = report
    summary, _ = flow_run
    (tmp_path / "articles").mkdir()
    (tmp_path / "articles" / "stale.html").write_text("old")
    result = write_report(catalog.data_dir, summary["run_id"], tmp_path)
    assert not (tmp_path / "articles" / "stale.html").exists()
    assert result.data.run["run_id"] == summary["run_id"]
    markdown = report_artifact_markdown(result)
    assert summary["run_id"] in markdown and "John Kirby" in markdown and "file://" in markdown

    assert main(["report", "--data", str(catalog.data_dir), "--run", "nope"]) == 2
    assert "no run 'nope'" in capsys.readouterr().err
    (tmp_path / "empty").mkdir()
    assert main(["report", "--data", str(tmp_path / "empty"), "--out", str(tmp_path)]) == 2
    assert "no complete run" in capsys.readouterr().err
    with pytest.raises(SystemExit) as stopped:
        main(["report", "--data", str(tmp_path / "typo"), "--out", str(tmp_path)])
    assert stopped.value.code == 2
    assert "no data folder" in capsys.readouterr().err


# ---------------------------------------------------------------- in a real browser

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def _find_chromium() -> str | None:
    return next((p for name in BROWSERS if (p := shutil.which(name))), None)


def _chromium() -> str:
    """Chromium's path; installed with apt-get when missing (always in CI)."""
    path = _find_chromium()
    if path:
        return path
    in_ci = bool(os.environ.get("CI"))
    if shutil.which("apt-get") and os.geteuid() == 0:
        subprocess.run(
            "apt-get update -qq && apt-get install -y -qq chromium chromium-driver",
            shell=True,
            capture_output=True,
            timeout=900,
            env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
            check=False,
        )
        path = _find_chromium()
    if path:
        return path
    if in_ci:
        pytest.fail("CI: Chromium is missing and `apt-get install chromium` did not install it")
    pytest.skip(
        "Chromium not found and not installable here (needs root and apt-get): "
        "`apt-get install chromium chromium-driver` to run the browser test"
    )


def _browser(chromium: str, profile: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--hide-scrollbars",
            f"--user-data-dir={profile}",
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )


def test_report_renders_in_headless_chromium(report, tmp_path):
    """The sample article's report in a real browser: charts and highlighted
    spans are in the rendered DOM, the details panel script ran, and a
    screenshot of the overview is taken."""
    chromium = _chromium()
    _, out = report
    index = (out / "index.html").resolve()
    article = next((out / "articles").glob("*.html")).resolve()

    shot = tmp_path / "report.png"
    _browser(
        chromium, tmp_path / "p1", "--window-size=1280,2000", f"--screenshot={shot}", index.as_uri()
    )
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000

    dom = _browser(
        chromium, tmp_path / "p2", "--virtual-time-budget=3000", "--dump-dom", index.as_uri()
    ).stdout
    rendered = set(re.findall(r'<figure class="chart" id="chart-[^"]+" data-chart="([^"]+)"', dom))
    assert rendered == CHART_KEYS
    assert len(re.findall(r'<rect class="bar"', dom)) >= 10
    assert '<table id="top-claims">' in dom

    # The article opened on a claim's anchor: the script selected it and
    # filled the details panel (what a click does).
    dom = _browser(
        chromium,
        tmp_path / "p3",
        "--virtual-time-budget=3000",
        "--dump-dom",
        article.as_uri() + "#c0",
    ).stdout
    assert 'data-ready="1"' in dom
    for cls in ("src", "cue", "cnt", "claim"):
        assert re.search(rf'<span class="[^"]*\b{cls}\b[^"]*" data-k=', dom), cls
    assert re.search(r'<span class="[^"]*\bsel\b[^"]*" data-k="[^"]*\bc0\b', dom)
    panel = re.search(r'<div id="panel-body"[^>]*>(.*?)</div></aside>', dom, re.S).group(1)
    assert "Claim c0" in panel and "check-worthiness" in panel
