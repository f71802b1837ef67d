"""The analyst report: aggregations, inline SVG charts and HTML pages.

Pure functions from table rows (``pyarrow.Table.to_pylist()`` dicts) to
numbers and HTML strings; ``flows/report.py`` reads the tables through the
catalog and writes the files.  Keeping the HTML here lets the tests check
the markup (escaping, span highlighting, charts) without a browser or disk.

The charts are hand-written inline SVG rather than a charting library: the
report only needs bar charts and histograms, inline SVG renders without any
JavaScript or network (the report opens from disk, offline, forever), adds no
dependency, weighs a few kilobytes instead of the megabytes of an inlined
Plotly or Vega bundle, and is plain DOM a test can assert on.

Article pages are built from the exact stored text with the stored
``[start, end)`` offsets: the text is cut at every span boundary and each
segment carries the set of spans covering it, so attribution roles and
claims may overlap or nest in any way and every character is escaped once.
"""

from __future__ import annotations

import hashlib
import heapq
import html
import itertools
import json
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

import pyarrow as pa
import pyarrow.compute as pc

Row = Mapping[str, object]

#: Attribution roles, in the order they are listed and their CSS classes.
ROLES = (("source", "src"), ("cue", "cue"), ("content", "cnt"))

#: Rows shown in the "most check-worthy claims" table and bars per chart.
TOP_CLAIMS = 50
TOP_BARS = 15
#: Errors listed on the overview page (``claimflow errors`` lists them all).
MAX_ERRORS = 100


class TableRows(Sequence[Row]):
    """An Arrow table seen as a sequence of row dicts, made a chunk at a time.

    The report walks each table a few times (counts, charts, the top
    claims); holding every row as a Python dict would cost several times
    the table's size, which on a large corpus is gigabytes.  Iterating
    converts ``chunk`` rows at a time and lets them go.
    """

    def __init__(self, table: pa.Table, chunk: int = 8192) -> None:
        self.table, self.chunk = table, chunk

    def __len__(self) -> int:
        return self.table.num_rows

    def __iter__(self) -> Iterator[Row]:
        for batch in self.table.to_batches(max_chunksize=self.chunk):
            yield from batch.to_pylist()

    def column(self, name: str) -> list[object]:
        """One column's values (all None when the table lacks it)."""
        if name not in self.table.column_names:
            return [None] * len(self)
        return self.table[name].to_pylist()

    def for_docs(self, doc_ids: Iterable[str]) -> list[Row]:
        """The rows of some articles only."""
        wanted = pa.array(sorted(set(doc_ids)), pa.string())
        return self.table.filter(pc.is_in(self.table["doc_id"], value_set=wanted)).to_pylist()

    def __getitem__(self, index):  # type: ignore[override]
        if isinstance(index, slice):
            return list(itertools.islice(self, *index.indices(len(self))))
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        return self.table.slice(index, 1).to_pylist()[0]


@dataclass(frozen=True)
class ReportData:
    """One table version set: what a report shows.

    ``run`` is the ``runs`` row the versions come from (``table_versions``
    as a dict); the row lists are the tables at those versions.
    """

    run: Mapping[str, object]
    documents: Sequence[Row]
    sentences: Sequence[Row]
    attributions: Sequence[Row]
    claims: Sequence[Row]
    errors: Sequence[Row] = ()


@dataclass(frozen=True)
class Chart:
    """A chart's data: ``(label, value)`` bars, drawn as horizontal bars
    (``kind="bars"``) or as a vertical histogram (``kind="histogram"``)."""

    key: str
    title: str
    items: list[tuple[str, int]]
    kind: str = "bars"
    note: str = ""
    colour: str = "#4c78a8"


@dataclass(frozen=True)
class Segment:
    """A stretch of text covered by the same set of spans."""

    start: int
    end: int
    keys: frozenset[str] = field(default_factory=frozenset)


# ---------------------------------------------------------------- aggregations


def _get(row: Row, name: str, default: object = None) -> object:
    """A column that may not exist yet (tables gain columns over time)."""
    value = row.get(name, default)
    return default if value is None else value


def overview(data: ReportData) -> dict[str, int]:
    """The headline counts of the report."""
    severities = Counter(str(_get(e, "severity", "error")) for e in data.errors)
    return {
        "articles": len(data.documents),
        "sentences": len(data.sentences),
        "attributions": len(data.attributions),
        "claims": len(data.claims),
        "check-worthy claims": sum(bool(v) for v in values_of(data.claims, "checkworthy")),
        "errors": severities.get("error", 0),
        "warnings": severities.get("warning", 0),
    }


def values_of(rows: Iterable[Row], column: str) -> Iterable[object]:
    """One column of some rows (read straight from Arrow for :class:`TableRows`)."""
    if isinstance(rows, TableRows):
        return rows.column(column)
    return (row.get(column) for row in rows)


def rows_of_docs(rows: Iterable[Row], doc_ids: Iterable[str]) -> list[Row]:
    """The rows of some articles."""
    if isinstance(rows, TableRows):
        return rows.for_docs(doc_ids)
    wanted = set(doc_ids)
    return [r for r in rows if str(r["doc_id"]) in wanted]


def count_by(
    rows: Iterable[Row], column: str, top: int | None = None, missing: str | None = None
) -> list[tuple[str, int]]:
    """Rows per value of ``column``, most frequent first (ties by label).

    Null or empty values are counted under ``missing``, or left out when it
    is None.
    """
    counts: Counter[str] = Counter()
    for value in values_of(rows, column):
        if value is None or value == "":
            if missing is None:
                continue
            value = missing
        counts[str(value)] += 1
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return ranked[:top] if top is not None else ranked


def histogram(
    values: Iterable[float], bins: int = 10, lo: float = 0.0, hi: float = 1.0
) -> list[tuple[str, int]]:
    """Counts of ``values`` in ``bins`` equal bins over ``[lo, hi]`` (the last
    bin closed), labelled by their lower edge."""
    width = (hi - lo) / bins
    counts = [0] * bins
    for value in values:
        if value is None or math.isnan(value):
            continue
        index = min(bins - 1, max(0, int((value - lo) / width)))
        counts[index] += 1
    return [(f"{lo + i * width:.1f}", n) for i, n in enumerate(counts)]


def per_article_counts(
    documents: Sequence[Row], rows: Iterable[Row], max_bins: int = 10
) -> list[tuple[str, int]]:
    """How many articles have 0, 1, 2, ... rows (attributions per article).

    Integer bins while they fit in ``max_bins``, ranges ("10-19") beyond.
    The last bin holds the largest count.
    """
    per_doc = Counter(str(d) for d in values_of(rows, "doc_id"))
    counts = [per_doc.get(str(d["doc_id"]), 0) for d in documents]
    if not counts:
        return []
    top = max(counts)
    # Bin widths 1, 2, 5, 10, 20, 50, ...: labels an analyst reads at a glance.
    width = next(
        w for e in range(12) for m in (1, 2, 5) if (top // (w := m * 10**e)) + 1 <= max_bins
    )
    bins = Counter(n // width for n in counts)
    out = []
    for b in range(top // width + 1):
        lo, hi = b * width, b * width + width - 1
        out.append((str(lo) if width == 1 else f"{lo}-{hi}", bins.get(b, 0)))
    return out


def voices(attributions: Iterable[Row], top: int | None = None) -> list[tuple[str, int]]:
    """Attributions per speaker, spellings merged (``speaker_key``; tables
    written before the key existed count ``speaker``)."""
    return count_by(attributions, "speaker_key", top=top) or count_by(
        attributions, "speaker", top=top
    )


def charts(data: ReportData) -> list[Chart]:
    """Every chart of the overview page, in display order."""
    unresolved = sum(1 for s in values_of(data.attributions, "speaker") if not s)
    # Only people can state an affiliation: organisations, media and
    # documents speak for themselves.
    unaffiliated = sum(
        1
        for kind, key in zip(
            values_of(data.attributions, "source_type"),
            values_of(data.attributions, "speaker_affiliation_key"),
            strict=True,
        )
        if kind in ("person", "anonymous") and not key
    )
    scores = [float(v) for v in values_of(data.claims, "check_worthiness") if v is not None]
    return [
        Chart(
            "speakers",
            "Most-quoted speakers",
            voices(data.attributions, top=TOP_BARS),
            note=(
                f"attributions per resolved speaker, spellings merged (speaker_key); "
                f"{unresolved} without a resolved speaker"
            ),
        ),
        Chart(
            "affiliations",
            "Voices by affiliation",
            count_by(data.attributions, "speaker_affiliation_key", top=TOP_BARS),
            note=(
                "attributions per affiliation of a person's source, spellings merged "
                f"(GOP, Republicans: Republican); {unaffiliated} people's sources state none"
            ),
            colour="#4c78a8",
        ),
        Chart(
            "source-types",
            "Source types",
            count_by(data.attributions, "source_type", missing="(none)"),
            note="attributions per kind of source",
            colour="#72b7b2",
        ),
        Chart(
            "cue-verbs",
            "Cue verbs",
            count_by(data.attributions, "cue_lemma", top=TOP_BARS, missing="(none)"),
            note="attributions per cue lemma (said, told, according to, ...)",
            colour="#f58518",
        ),
        Chart(
            "quote-types",
            "Direct vs indirect",
            count_by(data.attributions, "quote_type", missing="(none)"),
            note="attributions per quote type",
            colour="#e45756",
        ),
        Chart(
            "claim-types",
            "Claims by type",
            count_by(data.claims, "claim_type", missing="(none)"),
            note="claims per claim type",
            colour="#54a24b",
        ),
        Chart(
            "check-worthiness",
            "Check-worthiness",
            histogram(scores),
            kind="histogram",
            note="claims per check-worthiness score (bins of 0.1)",
            colour="#b279a2",
        ),
        Chart(
            "attributions-per-article",
            "Attributions per article",
            per_article_counts(data.documents, data.attributions),
            kind="histogram",
            note="articles per number of attributions",
            colour="#9d755d",
        ),
    ]


def top_claims(claims: Iterable[Row], n: int = TOP_CLAIMS) -> list[Row]:
    """The ``n`` most check-worthy claims (unscored ones last; ties in text
    order), keeping only ``n`` rows at a time."""

    def key(score: object, doc_id: object, start: object) -> tuple:
        return (score is None, -(score or 0.0), str(doc_id), start or 0)

    rows = claims if isinstance(claims, Sequence) else list(claims)
    columns = [list(values_of(rows, c)) for c in ("check_worthiness", "doc_id", "start")]
    ranked = enumerate(zip(*columns, strict=True))
    best = [i for i, _ in heapq.nsmallest(n, ranked, key=lambda item: key(*item[1]))]
    if isinstance(rows, TableRows):
        # typed: an empty list of positions would be an array of nulls
        return rows.table.take(pa.array(best, pa.int64())).to_pylist()
    return [rows[i] for i in best]


# ---------------------------------------------------------------- text segments


def segments(length: int, spans: Iterable[tuple[int, int, str]]) -> list[Segment]:
    """Cut ``[0, length)`` at every span boundary.

    ``spans`` are ``(start, end, key)``; each segment carries the keys of
    the spans that cover it, so any overlap or nesting is represented.
    Spans are clipped to the text; empty ones are dropped.
    """
    clipped = [(max(0, s), min(length, e), k) for s, e, k in spans if min(length, e) > max(0, s)]
    cuts = sorted({0, length, *(s for s, _, _ in clipped), *(e for _, e, _ in clipped)})
    starts: dict[int, list[str]] = defaultdict(list)
    ends: dict[int, list[str]] = defaultdict(list)
    for s, e, k in clipped:
        starts[s].append(k)
        ends[e].append(k)
    active: Counter[str] = Counter()
    out = []
    for a, b in itertools.pairwise(cuts):
        for k in ends.get(a, ()):
            active[k] -= 1
        for k in starts.get(a, ()):
            active[k] += 1
        out.append(Segment(a, b, frozenset(k for k, n in active.items() if n > 0)))
    return out


def safe_filename(doc_id: str) -> str:
    """A file name for a document's page: readable, portable, collision-free.

    Characters outside ``[A-Za-z0-9._-]`` become ``_``; an id that had to be
    changed or shortened gets a hash suffix so two ids never share a file.
    """
    name = re.sub(r"[^A-Za-z0-9._-]", "_", doc_id).lstrip(".")[:80]
    if name != doc_id or not name:
        name += "-" + hashlib.sha1(doc_id.encode("utf-8")).hexdigest()[:8]
    return name + ".html"


# ---------------------------------------------------------------- HTML pieces

_esc = html.escape

CSS = """
:root{--src:#cfe2ff;--cue:#ffd8a8;--cnt:#d3f9d8;--claim:#c92a2a;--ink:#212529;--mute:#6c757d}
*{box-sizing:border-box}
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--ink);
 margin:0 auto;max-width:1200px;padding:1rem 1.5rem 3rem}
h1{font-size:1.5rem;margin:.4rem 0}h2{font-size:1.15rem;margin:1.6rem 0 .5rem}
a{color:#1c5fb0}.mute{color:var(--mute)}.small{font-size:.85rem}
.cards{display:flex;flex-wrap:wrap;gap:.6rem;margin:.8rem 0}
.card{border:1px solid #dee2e6;border-radius:6px;padding:.4rem .9rem;min-width:7.5rem}
.card b{display:block;font-size:1.4rem}
.charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(460px,1fr));gap:1rem;
 align-items:start}
figure.chart{margin:0;border:1px solid #dee2e6;border-radius:6px;padding:.5rem .7rem}
figure.chart figcaption{font-weight:600}figure.chart svg{width:100%;height:auto;display:block}
svg text{font:11px system-ui,sans-serif;fill:#343a40}svg .bar:hover{opacity:.75}
table{border-collapse:collapse;width:100%;font-size:.9rem}
th,td{text-align:left;padding:.3rem .5rem;border-bottom:1px solid #e9ecef;vertical-align:top}
th{background:#f8f9fa;position:sticky;top:0}td.num,th.num{text-align:right}
tr:target{background:#fff3bf}
.legend span{padding:.1rem .4rem;margin-right:.5rem;border-radius:3px}
.article{display:grid;grid-template-columns:minmax(0,1fr) 320px;gap:1.2rem;align-items:start}
#text{white-space:pre-wrap;font:16px/1.9 Georgia,"Times New Roman",serif;margin:0}
.src{background:var(--src)}.cue{background:var(--cue)}.cnt{background:var(--cnt)}
.claim{text-decoration:underline dotted var(--claim);text-decoration-thickness:2px;
 text-underline-offset:4px}
.claim.cw{text-decoration-style:solid}
#text span[data-k]{cursor:pointer}#text span.sel{outline:2px solid #1c5fb0}
#panel{position:sticky;top:1rem;border:1px solid #dee2e6;border-radius:6px;padding:.6rem .8rem;
 font-size:.88rem;max-height:90vh;overflow:auto}
#panel .item{border-top:1px solid #e9ecef;padding:.4rem 0}
#panel dt{font-weight:600;float:left;clear:left;margin-right:.4rem}#panel dd{margin:0}
@media (max-width:900px){.article{grid-template-columns:1fr}#panel{position:static}}
"""


def _page(title: str, body: str, script: str = "") -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{_esc(title)}</title><style>{CSS}</style></head>\n"
        f"<body>\n{body}\n{script}</body></html>\n"
    )


def _fmt_score(value: object) -> str:
    return "–" if value is None else f"{float(value):.2f}"


def _truncate(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"


def bar_chart_svg(chart: Chart, width: int = 480) -> str:
    """Horizontal bars, one row per item, values at the bar ends."""
    if not chart.items:
        return _empty_svg(width)
    label_w, row_h, pad = 170, 22, 6
    bar_w = width - label_w - 46
    top = max(v for _, v in chart.items) or 1
    height = pad * 2 + row_h * len(chart.items)
    parts = [
        f'<svg class="bars" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{_esc(chart.title)}" xmlns="http://www.w3.org/2000/svg">'
    ]
    for i, (label, value) in enumerate(chart.items):
        y = pad + i * row_h
        w = max(1.0, value / top * bar_w) if value else 0.0
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 15}" text-anchor="end">'
            f"{_esc(_truncate(label, 28))}</text>"
            f'<rect class="bar" x="{label_w}" y="{y + 3}" width="{w:.1f}" height="{row_h - 6}" '
            f'fill="{chart.colour}"><title>{_esc(label)}: {value}</title></rect>'
            f'<text x="{label_w + w + 4:.1f}" y="{y + 15}">{value}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def histogram_svg(chart: Chart, width: int = 480, height: int = 200) -> str:
    """Vertical bars over labelled bins, with a baseline and the bin labels."""
    if not chart.items or not any(v for _, v in chart.items):
        return _empty_svg(width)
    left, bottom, top_pad = 10, 26, 18
    plot_h = height - bottom - top_pad
    n = len(chart.items)
    slot = (width - 2 * left) / n
    top = max(v for _, v in chart.items)
    parts = [
        f'<svg class="histogram" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{_esc(chart.title)}" xmlns="http://www.w3.org/2000/svg">',
        f'<line x1="{left}" x2="{width - left}" y1="{height - bottom}" y2="{height - bottom}" '
        'stroke="#adb5bd"/>',
    ]
    for i, (label, value) in enumerate(chart.items):
        x = left + i * slot
        h = value / top * plot_h if top else 0.0
        y = height - bottom - h
        parts.append(
            f'<rect class="bar" x="{x + 2:.1f}" y="{y:.1f}" width="{slot - 4:.1f}" '
            f'height="{h:.1f}" fill="{chart.colour}"><title>{_esc(label)}: {value}</title></rect>'
            f'<text x="{x + slot / 2:.1f}" y="{height - bottom + 14}" text-anchor="middle">'
            f"{_esc(label)}</text>"
        )
        if value:
            parts.append(
                f'<text x="{x + slot / 2:.1f}" y="{y - 4:.1f}" text-anchor="middle">{value}</text>'
            )
    parts.append("</svg>")
    return "".join(parts)


def _empty_svg(width: int) -> str:
    return (
        f'<svg class="empty" viewBox="0 0 {width} 40" role="img" aria-label="no data" '
        'xmlns="http://www.w3.org/2000/svg"><text x="10" y="24">no data</text></svg>'
    )


def chart_html(chart: Chart) -> str:
    svg = histogram_svg(chart) if chart.kind == "histogram" else bar_chart_svg(chart)
    return (
        f'<figure class="chart" id="chart-{chart.key}" data-chart="{chart.key}">'
        f"<figcaption>{_esc(chart.title)}</figcaption>{svg}"
        f'<div class="mute small">{_esc(chart.note)}</div></figure>'
    )


def _versions_text(run: Mapping[str, object]) -> str:
    versions = run.get("table_versions") or {}
    assert isinstance(versions, Mapping)
    return ", ".join(f"{t} v{v}" for t, v in versions.items() if v is not None) or "none"


def _run_line(run: Mapping[str, object]) -> str:
    started = run.get("started_at")
    when = f"{started:%Y-%m-%d %H:%M UTC}" if hasattr(started, "strftime") else str(started or "")
    return f"run {run.get('run_id', '?')} ({run.get('status', '?')}, {when})"


# ---------------------------------------------------------------- index page


def index_page(data: ReportData, files: Mapping[str, str], articles_dir: str = "articles") -> str:
    """The overview page: counts, charts, top claims, the list of articles.

    ``files`` maps doc_id to the article page's file name (see
    :func:`safe_filename`).
    """
    counts = overview(data)
    titles = {str(d["doc_id"]): str(d.get("title") or d["doc_id"]) for d in data.documents}
    cards = "".join(
        f'<div class="card" data-count="{_esc(k)}"><b>{v:,}</b>{_esc(k)}</div>'
        for k, v in counts.items()
    )
    best = top_claims(data.claims)
    top_docs = {str(c["doc_id"]) for c in best}
    keys = _claim_keys(rows_of_docs(data.claims, top_docs))
    rows = []
    for rank, c in enumerate(best, 1):
        doc = str(c["doc_id"])
        link = f"{articles_dir}/{files.get(doc, safe_filename(doc))}#{keys[str(c['claim_id'])]}"
        rows.append(
            f'<tr><td class="num">{rank}</td>'
            f'<td class="num">{_fmt_score(c.get("check_worthiness"))}</td>'
            f"<td>{_esc(_truncate(str(c.get('text') or ''), 260))}</td>"
            f"<td>{_esc(str(_get(c, 'claim_type', '')))}</td>"
            f"<td>{_esc(str(_get(c, 'speaker', '–')))}</td>"
            f"<td>{_esc(str(_get(c, 'stance', '–')))}</td>"
            f'<td><a href="{_esc(link)}">{_esc(_truncate(titles.get(doc, doc), 70))}</a></td></tr>'
        )
    claims_table = (
        '<table id="top-claims"><thead><tr><th class="num">#</th><th class="num">score</th>'
        "<th>claim</th><th>type</th><th>speaker</th><th>stance</th><th>article</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
        if rows
        else '<p class="mute">no claims</p>'
    )
    per_doc = {
        name: Counter(str(d) for d in values_of(table, "doc_id"))
        for name, table in (
            ("sentences", data.sentences),
            ("attributions", data.attributions),
            ("claims", data.claims),
        )
    }
    docs = sorted(
        data.documents,
        key=lambda d: (str(d.get("published") or ""), str(d["doc_id"])),
        reverse=True,
    )
    article_rows = "".join(
        f'<tr><td><a href="{_esc(articles_dir)}/{_esc(files[str(d["doc_id"])])}">'
        f'{_esc(titles[str(d["doc_id"])])}</a><div class="mute small">{_esc(str(d["doc_id"]))}'
        f"</div></td><td>{_esc(str(d.get('published') or '–'))}</td>"
        + "".join(
            f'<td class="num">{per_doc[t].get(str(d["doc_id"]), 0)}</td>'
            for t in ("sentences", "attributions", "claims")
        )
        + "</tr>"
        for d in docs
        if str(d["doc_id"]) in files
    )
    problems = "".join(
        f"<tr><td>{_esc(str(_get(e, 'severity', '')))}</td><td>{_esc(str(_get(e, 'kind', '')))}"
        f"</td><td>{_esc(str(_get(e, 'stage', '')))}</td>"
        f"<td>{_esc(str(_get(e, 'source_path', '')))}"
        + (f":{e['line']}" if e.get("line") is not None else "")
        + f"</td><td>{_esc(_truncate(str(_get(e, 'message', '')), 300))}</td></tr>"
        for e in list(data.errors)[:MAX_ERRORS]
    )
    errors_section = (
        f'<section><h2>Errors and warnings ({len(data.errors)})</h2><table id="errors"><thead>'
        "<tr><th>severity</th><th>kind</th><th>stage</th><th>input</th><th>message</th></tr>"
        f"</thead><tbody>{problems}</tbody></table>"
        + (
            f'<p class="mute small">first {MAX_ERRORS} shown: `claimflow errors` lists all</p>'
            if len(data.errors) > MAX_ERRORS
            else ""
        )
        + "</section>"
        if data.errors
        else ""
    )
    body = (
        "<header><h1>claimflow report</h1>"
        f'<div class="mute" id="run">{_esc(_run_line(data.run))}</div>'
        f'<div class="mute small" id="versions">table versions: '
        f"{_esc(_versions_text(data.run))}</div></header>"
        f'<section id="overview"><h2>Overview</h2><div class="cards">{cards}</div></section>'
        '<section id="charts"><h2>Who said what</h2><div class="charts">'
        + "".join(chart_html(c) for c in charts(data))
        + "</div></section>"
        f"<section><h2>Most check-worthy claims</h2>{claims_table}</section>"
        '<section><h2>Articles</h2><table id="articles"><thead><tr><th>article</th>'
        '<th>published</th><th class="num">sentences</th><th class="num">attributions</th>'
        f'<th class="num">claims</th></tr></thead><tbody>{article_rows}</tbody></table></section>'
        + errors_section
    )
    return _page("claimflow report", body)


# ---------------------------------------------------------------- article page


def _claim_keys(claims: Iterable[Row]) -> dict[str, str]:
    """Stable short keys (``c0``, ``c1``, ...) per claim, in text order per article."""
    by_doc: dict[str, list[Row]] = defaultdict(list)
    for c in claims:
        by_doc[str(c["doc_id"])].append(c)
    keys = {}
    for rows in by_doc.values():
        rows.sort(key=lambda c: (c.get("start") or 0, c.get("end") or 0, str(c["claim_id"])))
        keys.update({str(c["claim_id"]): f"c{i}" for i, c in enumerate(rows)})
    return keys


def _first_start(a: Row) -> int:
    starts = [s["start"] for role, _ in ROLES for s in (a.get(f"{role}_spans") or [])]
    return min(starts) if starts else 0


def _dl(pairs: Iterable[tuple[str, object]]) -> str:
    return (
        "<dl>"
        + "".join(
            f"<dt>{_esc(k)}</dt><dd>{_esc(str(v))}</dd>" for k, v in pairs if v not in (None, "")
        )
        + "</dl>"
    )


def _attribution_details(key: str, a: Row) -> str:
    speaker = a.get("speaker") or "(unresolved)"
    return (
        f'<div class="item"><b>Attribution {key}</b>'
        + _dl(
            [
                ("speaker", f"{speaker} ({_get(a, 'source_type', '?')})"),
                ("affiliation", a.get("speaker_affiliation")),
                ("source", a.get("source_text")),
                ("cue", f"{_get(a, 'cue_text', '')} ({_get(a, 'cue_lemma', '')})"),
                ("quote", a.get("quote_type")),
                ("content", a.get("content_text")),
                ("confidence", _fmt_score(a.get("confidence"))),
            ]
        )
        + "</div>"
    )


def _claim_details(key: str, c: Row, attribution_key: str | None) -> str:
    flags = [
        name
        for name, on in (
            ("check-worthy", c.get("checkworthy")),
            ("hedged", c.get("hedged")),
            ("negated", c.get("negated")),
        )
        if on
    ]
    return (
        f'<div class="item"><b>Claim {key}</b>'
        + _dl(
            [
                ("type", c.get("claim_type")),
                ("check-worthiness", _fmt_score(c.get("check_worthiness"))),
                ("flags", ", ".join(flags)),
                ("speaker", c.get("speaker")),
                ("stance", c.get("stance")),
                ("attribution", attribution_key),
                ("text", c.get("text")),
            ]
        )
        + "</div>"
    )


_SCRIPT = """<script>
(function () {
  var details = JSON.parse(document.getElementById("details").textContent);
  var panel = document.getElementById("panel-body");
  function show(keys) {
    document.querySelectorAll("#text .sel").forEach(function (s) { s.classList.remove("sel"); });
    keys.forEach(function (k) {
      document.querySelectorAll('#text [data-k~="' + k + '"]').forEach(function (s) {
        s.classList.add("sel");
      });
    });
    panel.innerHTML = keys.map(function (k) { return details[k] || ""; }).join("");
  }
  document.getElementById("text").addEventListener("click", function (e) {
    var s = e.target.closest("span[data-k]");
    if (s) { show(s.getAttribute("data-k").split(" ")); }
  });
  var hash = decodeURIComponent(location.hash.slice(1));
  if (details[hash]) {
    show([hash]);
    var first = document.querySelector('#text [data-k~="' + hash + '"]');
    if (first) { first.scrollIntoView({block: "center"}); }
  }
  document.body.setAttribute("data-ready", "1");
})();
</script>
"""


def article_page(
    doc: Row,
    attributions: Sequence[Row],
    claims: Sequence[Row],
    run: Mapping[str, object],
    index_href: str = "../index.html",
) -> str:
    """One article: its text with attribution roles as coloured backgrounds
    (source, cue, content) and claims underlined (solid when check-worthy);
    hovering a stretch names what covers it, clicking shows the details."""
    text = str(doc.get("text") or "")
    doc_id = str(doc["doc_id"])
    attributions = sorted(attributions, key=lambda a: (_first_start(a), str(a["attribution_id"])))
    akeys = {str(a["attribution_id"]): f"a{i}" for i, a in enumerate(attributions)}
    ckeys = _claim_keys(claims)
    claims = sorted(claims, key=lambda c: int(ckeys[str(c["claim_id"])][1:]))

    # span key "<role>:<key>" -> what covers a stretch of text
    spans: list[tuple[int, int, str]] = []
    titles: dict[str, str] = {}
    for a in attributions:
        key = akeys[str(a["attribution_id"])]
        who = a.get("speaker") or a.get("source_text") or "(no source)"
        for role, _ in ROLES:
            for s in a.get(f"{role}_spans") or []:
                spans.append((int(s["start"]), int(s["end"]), f"{role}:{key}"))
            titles[f"{role}:{key}"] = f"{role} of {key}: {who} — {_get(a, 'cue_text', '')}"
    for c in claims:
        key = ckeys[str(c["claim_id"])]
        if c.get("start") is not None and c.get("end") is not None:
            spans.append((int(c["start"]), int(c["end"]), f"claim:{key}"))
        titles[f"claim:{key}"] = (
            f"claim {key}: {_get(c, 'claim_type', '?')}, check-worthiness "
            f"{_fmt_score(c.get('check_worthiness'))}"
            + (f", {c['speaker']}" if c.get("speaker") else "")
            + (f" ({c['stance']})" if c.get("stance") else "")
        )
    checkworthy = {ckeys[str(c["claim_id"])] for c in claims if c.get("checkworthy")}

    out = []
    for seg in segments(len(text), spans):
        piece = _esc(text[seg.start : seg.end])
        if not seg.keys:
            out.append(piece)
            continue
        roles = {k.split(":", 1)[0] for k in seg.keys}
        ids = sorted({k.split(":", 1)[1] for k in seg.keys}, key=lambda k: (k[0], int(k[1:])))
        classes = [cls for role, cls in ROLES if role in roles]
        if "claim" in roles:
            classes.append("claim")
            if any(k.split(":", 1)[1] in checkworthy for k in seg.keys if k.startswith("claim:")):
                classes.append("cw")
        title = "\n".join(titles[k] for k in sorted(seg.keys, key=lambda k: k.split(":")[::-1]))
        out.append(
            f'<span class="{" ".join(classes)}" data-k="{" ".join(ids)}" '
            f'title="{_esc(title)}">{piece}</span>'
        )

    details = {
        akeys[str(a["attribution_id"])]: _attribution_details(akeys[str(a["attribution_id"])], a)
        for a in attributions
    }
    for c in claims:
        key = ckeys[str(c["claim_id"])]
        details[key] = _claim_details(key, c, akeys.get(str(c.get("attribution_id"))))
    details_json = json.dumps(details, ensure_ascii=False).replace("<", "\\u003c")

    a_rows = "".join(
        f'<tr id="{akeys[str(a["attribution_id"])]}"><td>{akeys[str(a["attribution_id"])]}</td>'
        f"<td>{_esc(str(a.get('speaker') or a.get('source_text') or '–'))}</td>"
        f"<td>{_esc(str(_get(a, 'source_type', '')))}</td>"
        f"<td>{_esc(str(_get(a, 'cue_text', '')))}</td>"
        f"<td>{_esc(str(_get(a, 'quote_type', '')))}</td>"
        f"<td>{_esc(_truncate(str(_get(a, 'content_text', '')), 200))}</td></tr>"
        for a in attributions
    )
    c_rows = "".join(
        f'<tr id="{ckeys[str(c["claim_id"])]}"><td>{ckeys[str(c["claim_id"])]}</td>'
        f'<td class="num">{_fmt_score(c.get("check_worthiness"))}</td>'
        f"<td>{_esc(str(_get(c, 'claim_type', '')))}</td>"
        f"<td>{_esc(str(_get(c, 'speaker', '–')))}</td>"
        f"<td>{_esc(str(_get(c, 'stance', '–')))}</td>"
        f"<td>{_esc(_truncate(str(c.get('text') or ''), 200))}</td></tr>"
        for c in claims
    )
    title = str(doc.get("title") or doc_id)
    meta = " · ".join(
        _esc(str(v)) for v in (doc_id, doc.get("published"), doc.get("source"), doc.get("url")) if v
    )
    body = (
        f'<p class="small"><a href="{_esc(index_href)}">← report</a> · '
        f'<span class="mute">{_esc(_run_line(run))}</span></p>'
        f'<h1>{_esc(title)}</h1><div class="mute small">{meta}</div>'
        '<p class="legend small"><span class="src">source</span><span class="cue">cue</span>'
        '<span class="cnt">content</span><span class="claim cw">check-worthy claim</span>'
        '<span class="claim">other claim</span> <span class="mute">hover a highlighted '
        "stretch for what covers it, click it for the details</span></p>"
        '<div class="article"><div id="text">' + "".join(out) + "</div>"
        '<aside id="panel"><b>Details</b><div id="panel-body" class="mute">'
        "Click a highlighted stretch of the text.</div></aside></div>"
        f"<h2>Attributions ({len(attributions)})</h2>"
        '<table id="attributions"><thead><tr><th></th><th>speaker</th><th>type</th><th>cue</th>'
        f"<th>quote</th><th>content</th></tr></thead><tbody>{a_rows}</tbody></table>"
        f"<h2>Claims ({len(claims)})</h2>"
        '<table id="claims"><thead><tr><th></th><th class="num">score</th><th>type</th>'
        f"<th>speaker</th><th>stance</th><th>claim</th></tr></thead><tbody>{c_rows}</tbody></table>"
        f'<script type="application/json" id="details">{details_json}</script>'
    )
    return _page(f"{title} — claimflow", body, _SCRIPT)


# ---------------------------------------------------------------- plain text


def summary_text(data: ReportData, location: str | None = None, top: int = 5) -> str:
    """The report in a few lines, for the command line."""
    counts = overview(data)
    lines = [
        f"claimflow report of {_run_line(data.run)}",
        "  " + ", ".join(f"{k} {v}" for k, v in counts.items()),
        f"  table versions: {_versions_text(data.run)}",
    ]

    def ranked(title: str, items: list[tuple[str, int]]) -> None:
        if items:
            lines.append(f"  {title}: " + ", ".join(f"{k} ({v})" for k, v in items[:top]))

    ranked("top speakers", voices(data.attributions))
    ranked("source types", count_by(data.attributions, "source_type", missing="(none)"))
    ranked("cue verbs", count_by(data.attributions, "cue_lemma"))
    ranked("quote types", count_by(data.attributions, "quote_type", missing="(none)"))
    ranked("claim types", count_by(data.claims, "claim_type", missing="(none)"))
    best = top_claims(data.claims, top)
    if best:
        lines.append("  most check-worthy claims:")
        for c in best:
            who = f" — {c['speaker']}" if c.get("speaker") else ""
            lines.append(
                f"    {_fmt_score(c.get('check_worthiness'))}  "
                f"{_truncate(' '.join(str(c.get('text') or '').split()), 90)}{who}"
            )
    if location:
        lines.append(f"  report: {location}")
    return "\n".join(lines)
