"""Sentences: document layout and sentence boundaries.

Layout comes first and is decided on the raw text, before parsing: every
non-empty line is a paragraph, the first line is the headline when more text
follows, and lines such as social footers are boilerplate.  ``mark_layout``
writes those decisions into a tokenized spaCy ``Doc`` as sentence starts,
and the parser then respects them, so no sentence (and no dependency arc)
ever crosses a paragraph break.  ``sentence_rows`` reads the parsed doc back
into rows of the ``sentences`` table.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from dataclasses import dataclass

import pyarrow as pa
from spacy.tokens import Doc

from transforms.schemas import SENTENCES, conform

#: Whole-line patterns that mark a paragraph as page furniture, not article
#: text.  Matched case-insensitively against the stripped line.
BOILERPLATE_PATTERNS = [
    r"follow us on\b.*",
    r"(read|see|click) (the rest|more|the full (story|article|report))\b.*",
    r"click here\b.*",
    r"(subscribe|sign up|register)( now)? (to|for)\b.*",
    r"(share|like) (this|us)( on)?\b.*",
    r"(related|read also|also read|more)( stories| articles| coverage)?\s*:.*",
    r"(©|\(c\)|copyright)\s.*",
    r"all rights reserved\.?",
    r"advertisement",
    r"(photo|image|picture|video)( credit)?s?\s*(:|by)\s.*",
    r"(reporting|writing|editing|additional reporting) by\b.*",
]
_BOILERPLATE = re.compile(r"^(?:" + "|".join(BOILERPLATE_PATTERNS) + r")$", re.IGNORECASE)
#: "By Jane Doe", "By Jane Doe and John Roe, Reuters" on a line of its own.
_BYLINE = re.compile(
    r"^by\s+[A-Z][\w.'’-]*(\s+[A-Z][\w.'’-]*){0,3}"
    r"(\s*(,|and|&)\s*[A-Z][\w.'’-]*(\s+[A-Z][\w.'’-]*){0,3})*\s*$",
    re.IGNORECASE,
)
#: "KYIV, Jan. 10 (Reuters) -" or "WASHINGTON —" on a line of its own.
_DATELINE = re.compile(
    r"^[A-Z][A-Z.'’ -]{1,40}(,\s*[A-Z][\w.]*\.?\s*\d{1,2})?"
    r"(\s*\([A-Za-z .]+\))?\s*[-–—]+\s*$"
)


@dataclass(frozen=True)
class Paragraph:
    """A paragraph: character span (whitespace-trimmed) and layout kind."""

    start: int
    end: int
    kind: str


def paragraphs(text: str, headline_end: int | None) -> list[Paragraph]:
    """Split text into paragraphs at line breaks and give each its kind.

    Line breaks and blank lines both separate paragraphs (scraped news puts
    one paragraph per line).  Offsets are trimmed of surrounding whitespace.
    """
    out = []
    for match in re.finditer(r"[^\n]+", text):
        line = match.group()
        stripped = line.strip()
        if not stripped:
            continue
        start = match.start() + (len(line) - len(line.lstrip()))
        end = start + len(stripped)
        if headline_end is not None and end <= headline_end:
            kind = "headline"
        else:
            kind = line_kind(stripped)
        out.append(Paragraph(start, end, kind))
    return out


def line_kind(line: str) -> str:
    """Layout kind of one stripped line: boilerplate, byline, dateline or body."""
    if _BOILERPLATE.match(line):
        return "boilerplate"
    if len(line) <= 80 and _BYLINE.match(line):
        return "byline"
    if len(line) <= 60 and _DATELINE.match(line):
        return "dateline"
    return "body"


def mark_layout(doc: Doc, headline_end: int | None) -> Doc:
    """Set sentence starts from layout on a tokenized, unparsed ``Doc``.

    Each paragraph's first token starts a sentence.  Headlines, bylines,
    datelines and boilerplate lines are single sentences: their other tokens
    are marked as non-starts so the parser cannot split them.  Inside body
    paragraphs the parser decides.
    """
    paras = paragraphs(doc.text, headline_end)
    para_at = _paragraph_index(doc, paras)
    for token in doc:
        index = para_at[token.i]
        if index is None:
            continue
        para = paras[index]
        first_of_para = token.idx == para.start or (token.i > 0 and para_at[token.i - 1] != index)
        if first_of_para:
            token.is_sent_start = True
        elif para.kind != "body" and token.i > 0:
            token.is_sent_start = False
    return doc


def sentence_rows(doc_id: str, doc: Doc, headline_end: int | None) -> list[dict]:
    """Rows of the ``sentences`` table for one parsed document."""
    text = doc.text
    paras = paragraphs(text, headline_end)
    rows: list[dict] = []
    for sent in doc.sents:
        for start, end in _split_at_newlines(text, sent.start_char, sent.end_char):
            index = _paragraph_of(paras, start)
            kind = paras[index].kind if index is not None else "body"
            rows.append(
                {
                    "doc_id": doc_id,
                    "sentence_id": len(rows),
                    "paragraph_id": index,
                    "start": start,
                    "end": end,
                    "text": text[start:end],
                    "kind": kind,
                    "check_worthiness": None,
                }
            )
    return rows


def sentences_table(parsed: Iterable[tuple[str, Doc, int | None]]) -> pa.Table:
    """The ``sentences`` table for a batch of ``(doc_id, doc, headline_end)``."""
    rows = []
    for doc_id, doc, hl_end in parsed:
        rows.extend(sentence_rows(doc_id, doc, hl_end))
    return conform(rows, SENTENCES)


def _split_at_newlines(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Whitespace-trimmed pieces of ``text[start:end]`` between line breaks.

    A safety net: layout marking keeps sentences inside paragraphs, and this
    guarantees it even if a component upstream ignored the marks.
    """
    pieces = []
    for match in re.finditer(r"[^\n]+", text[start:end]):
        piece = match.group()
        if not piece.strip():
            continue
        s = start + match.start() + (len(piece) - len(piece.lstrip()))
        pieces.append((s, s + len(piece.strip())))
    return pieces


def _paragraph_index(doc: Doc, paras: list[Paragraph]) -> list[int | None]:
    """For each token, the index of the paragraph holding it (None: whitespace)."""
    out: list[int | None] = [None] * len(doc)
    j = 0
    for token in doc:
        while j < len(paras) and paras[j].end <= token.idx:
            j += 1
        if j < len(paras) and paras[j].start <= token.idx < paras[j].end:
            out[token.i] = j
    return out


def _paragraph_of(paras: list[Paragraph], offset: int) -> int | None:
    i = bisect.bisect_right([p.start for p in paras], offset) - 1
    if i >= 0 and paras[i].start <= offset < paras[i].end:
        return i
    return None
