"""Sentences: document layout and sentence boundaries.

Layout comes first and is decided on the raw text, before parsing: every
non-empty line is a paragraph, the first line is the headline when more text
follows (and does not itself read as several sentences), and lines such as
bylines, datelines, captions and social footers get kinds of their own.
``sentence_starts`` turns layout and punctuation into per-token decisions
(start / no start / parser decides): paragraphs never share a sentence,
non-body lines are one sentence each, abbreviations ("Gov.", "Jan.", "No. 2"),
reference marks ("[17]") and glued closing quotes never open one, and a
capitalised word after a free-standing full stop always does.
``mark_layout`` writes them into a tokenized spaCy ``Doc`` before the one
parse, so the parser builds its trees inside the right sentences; the
parser decides only what the rules leave open.  ``sentence_rows`` reads the
parsed doc back into rows of the ``sentences`` table.

Why rules around the parser rather than another segmenter: the parse is
needed anyway (attributions, claims), a second pass would double the
cost, and the parser alone errs in predictable places (headlines run into
the lede, "and"/"but" after a pause, abbreviations, "[17]" footnotes,
missed splits after a plain full stop) that the rules fix.  Measured with
``claimflow eval sentences`` on UD GUM / EWT dev.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from dataclasses import dataclass

import numpy
import pyarrow as pa
from spacy.attrs import SENT_START
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
    r"\(?(photo|image|picture|video)( credit)?s?\s*(:|by)\s.*",
    r"(reporting|writing|editing|additional reporting) by\b.*",
    r"(tags|topics|filed under|keywords)\s*:.*",
]
_BOILERPLATE = re.compile(r"^(?:" + "|".join(BOILERPLATE_PATTERNS) + r")$", re.IGNORECASE)
#: "By Jane Doe", "By Jane Doe and John Roe, Reuters" on a line of its own.
_BYLINE = re.compile(
    r"^by\s+[A-Z][\w.'’-]*(\s+[A-Z][\w.'’-]*){0,3}"
    r"(\s*(,|and|&)\s*[A-Z][\w.'’-]*(\s+[A-Z][\w.'’-]*){0,3})*\s*$",
    re.IGNORECASE,
)
#: What may follow a dateline's city: a state as AP abbreviates it ("N.H.",
#: "W.Va.", "Calif.", "Iowa"), a date ("Jan. 10", "April 1"), each after a
#: comma, and the agency ("(AP)"): "PASADENA, Calif., Jan. 1 (UPI)".
_DATELINE_TAIL = (
    r"(?:,\s*(?:(?:[A-Z][a-z]*\.){1,3}|[A-Z][a-z]+))?"
    r"(?:,?\s*[A-Z][a-z]{2,8}\.?\s*\d{1,2})?"
    r"(?:\s*\([A-Za-z .]+\))?"
)
#: "KYIV, Jan. 10 (Reuters) -" or "WASHINGTON —" on a line of its own.
_DATELINE = re.compile(r"^[A-Z][A-Z.'’ -]{1,40}" + _DATELINE_TAIL + r"\s*[-–—]+\s*$")

#: A dateline or byline opening a paragraph that goes on with body text:
#: "KYIV, Jan. 10 (Reuters) - Ukraine said ...", "By Jane Doe - The ...".
#: It stays inside the paragraph's first sentence, marked in ``opener``.
_OPENERS_AT_START = {
    "dateline": re.compile(
        r"^(?:[A-Z]{2}[A-Z.'’-]*(?: [A-Z][A-Z.'’-]*){0,3}"
        + _DATELINE_TAIL
        + r"|[A-Z][a-z.'’-]+(?:[ ,]+[A-Z][a-z.'’-]+){0,3}\s*\([A-Z][A-Za-z .]+\))"
        r"\s*[-–—]+(?=\s+[\"“‘(]?[A-Z0-9])"  # "NATO - the alliance ..." is no dateline
    ),
    "byline": re.compile(
        r"^By\s+[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){1,3}"
        r"(?:\s*(?:,|and|&)\s*[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){0,3})*\s*[-–—|]+(?=\s+\S)"
    ),
}


def _words(text: str) -> frozenset[str]:
    """A word list written as one string (easier to read and extend)."""
    return frozenset(text.split())


#: Abbreviations after which a capitalised word never starts a sentence:
#: titles before names, months before days, "Assoc. Dean".  Lowercase, no dot.
TITLE_ABBREVIATIONS = _words(
    """mr mrs ms messrs dr prof gov sen rep reps sens gen lt col capt cpt sgt adm maj cmdr
    cdr rev hon pres supt det insp atty amb st mt ft jan feb mar apr jun jul aug sep
    sept oct nov dec assoc asst dept univ"""
)
#: Abbreviations that may end a sentence ("... Acme Inc. The company ...");
#: after them the parser decides, no rule forces a start.
OTHER_ABBREVIATIONS = _words(
    """inc corp co ltd llc plc jr sr vs etc approx est al fig figs vol vols ed eds pp op cf
    ca avg govt ave blvd rd hwy ph.d calif fla mass wash conn tex ariz mich minn okla
    penn pa va md nev ore wis colo tenn ky ala ga"""
)
_TERMINAL_TOKENS = frozenset({".", "!", "?", "?!", "!?", "!!", "??", "!!!", "???", "?!?"})
_CLOSERS = frozenset({'"', "”", "’", "'", "''", ")", "]", "»"})
_OPENERS = frozenset({'"', "“", "‘", "'", "``", "(", "[", "«"})
_TERMINAL_CHARS = re.compile(r"[.!?…]")
#: Reference marks that belong to the sentence before them: "[17]", "[1]–[11]", "[...]".
_REFERENCE = re.compile(
    r"\[(?:\d+(?:\s*[-–,]\s*\d+)*|\.\.\.|…)\](?:\s*[-–,]\s*\[\d+(?:\s*[-–,]\s*\d+)*\])*"
)
#: A bare footnote number between a sentence end and the next sentence
#: ("... minority rights. 4 Even though ..."): a reference mark too.
_FOOTNOTE = re.compile(r"(?<=[.!?])[\"”’')\]]*\s+(\d{1,2})(?=\s+[A-Z])")
#: A figure or table label opening a caption: "Figure 1.5 Residents of ...".
#: (No ``^``: it is used with ``match`` at a paragraph's offset.)
_CAPTION_LABEL = re.compile(
    r"(?:Figure|Fig\.|Table|Chart|Map|Graph|Exhibit|Image|Photo)\s+[\dIVX]+(?:\.\d+)*[.:]?\s+"
    r"(?=[A-Z])"
)
#: A caption line: "Image caption Rescuers at work", "Pictured: the site".
_CAPTION = re.compile(r"^(?:(?:image|photo|picture|video) caption\b|caption:|pictured:)", re.I)
#: A date-time stamp of an e-mail or forum header: its own sentence.
_TIMESTAMP = re.compile(r"\b\d{1,2}/\d{1,2}/\d{2,4}\s+\d{1,2}:\d{2}(?::\d{2})?\s*(?:AM|PM|am|pm)\b")
#: Words before a time stamp that make it part of the sentence ("Posted at").
_STAMP_INTRO = re.compile(r"\b(?:on|at|sent|dated?:?)\s*$", re.IGNORECASE)
#: A sentence break in raw text: word, terminal punctuation, closers, space,
#: capital (or, after a plain period or question mark, a lowercase word).
_TEXT_BREAK = re.compile(r"(\S*?)(?:[.!?]+[\"”’')\]]*\s+[\"“‘(]?[A-Z]|[.?]\s+[a-z])")


def opening_span(paragraph: str) -> tuple[str, int] | None:
    """``(kind, end)`` of a dateline or byline opening ``paragraph``, or None."""
    for kind, pattern in _OPENERS_AT_START.items():
        if m := pattern.match(paragraph):
            return kind, m.end()
    return None


def opener_length(text: str, start: int = 0) -> int:
    """Characters that a dateline or byline opening a paragraph at ``start``
    takes, with the space after it ("KYIV, Jan. 10 (Reuters) - "); 0 where
    no paragraph starts at ``start`` or none opens it.  The sentence keeps
    its opener (``sentences.opener``); the claims and attributions found in
    it leave the opener out: "WASHINGTON (AP) —" is said by no one."""
    i = start
    while i > 0 and text[i - 1] in " \t":
        i -= 1
    if i > 0 and not LINE_BREAK.match(text[i - 1]):
        return 0
    line = text[start : start + _OPENER_REACH]
    if brk := LINE_BREAK.search(line):
        line = line[: brk.start()]  # "KEY POINTS\n- ...": a heading and a list, no dateline
    opener = opening_span(line)
    if opener is None:
        return 0
    return _skip_space(text, start + opener[1], start + len(line)) - start


#: How far into a paragraph an opener may reach (the longest, a byline of
#: two names with their agency, is under 100 characters).
_OPENER_REACH = 160


@dataclass(frozen=True)
class Paragraph:
    """A paragraph: character span (whitespace-trimmed) and layout kind."""

    start: int
    end: int
    kind: str


#: Line breaks: what ``str.splitlines`` splits at.  Files from old Macs end
#: lines with a lone CR, and JSON strings may hold U+2028/U+2029; the stored
#: text keeps them as they are, so every reader of lines must know them all.
_BREAKS = "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"
LINE_BREAK = re.compile(f"[{_BREAKS}]")
#: A run of text between line breaks.
_LINE = re.compile(f"[^{_BREAKS}]+")


def paragraphs(text: str, headline_end: int | None) -> list[Paragraph]:
    """Split text into paragraphs at line breaks and give each its kind.

    Line breaks (any of :data:`LINE_BREAK`) and blank lines both separate
    paragraphs (scraped news puts one paragraph per line).  Offsets are
    trimmed of surrounding whitespace.
    """
    out = []
    for match in _LINE.finditer(text):
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
    """Layout kind of one stripped line: boilerplate, caption, byline, dateline or body."""
    if _BOILERPLATE.match(line):
        return "boilerplate"
    if _CAPTION_LABEL.match(line) or _CAPTION.match(line):
        return "caption"
    if len(line) <= 80 and _BYLINE.match(line):
        return "byline"
    if len(line) <= 60 and _DATELINE.match(line):
        return "dateline"
    return "body"


def mark_layout(doc: Doc, headline_end: int | None) -> Doc:
    """Set sentence starts from layout and punctuation on a tokenized, unparsed ``Doc``.

    The parser then builds its trees inside these sentences.  Deciding here,
    before the parse, keeps one parse for all stages; ``sentence_rows``
    re-applies the same decisions to the parsed doc, because the parser
    honours a forced start but may still split where a start is forbidden.
    """
    # One array write: setting ``token.is_sent_start`` token by token costs a
    # scan of the whole doc per token in spaCy.
    codes = [1 if m else 0 if m is None else -1 for m in sentence_starts(doc, headline_end)]
    doc.from_array([SENT_START], numpy.array(codes, dtype="int64").astype("uint64")[:, None])
    return doc


def sentence_starts(
    doc: Doc, headline_end: int | None, text: str | None = None
) -> list[bool | None]:
    """Per token: True (starts a sentence), False (cannot), None (parser decides).

    Each paragraph's first token starts a sentence.  Headlines, bylines,
    datelines, boilerplate lines and lines without any sentence-final
    punctuation (tag lines, list items, headings) are single sentences, up
    to :data:`MAX_SENTENCE_TOKENS`.
    Inside body paragraphs the punctuation rules of ``_mark_body`` decide
    where they are sure, and the parser decides the rest.  Only token text
    and spacing are read, so the answer is the same before and after parsing.
    ``text`` is ``doc.text`` if the caller has it (the property rebuilds the
    string on every read).
    """
    marks: list[bool | None] = [None] * len(doc)
    if text is None:
        text = doc.text
    paras = paragraphs(text, headline_end)
    para_at = _paragraph_index(doc, paras)
    first = 0
    while first < len(doc):
        index = para_at[first]
        last = first
        while last + 1 < len(doc) and para_at[last + 1] == index:
            last += 1
        if index is not None:
            para = paras[index]
            marks[first] = True
            if para.kind not in ("body", "caption") or not _TERMINAL_CHARS.search(
                text, para.start, para.end
            ):
                marks[first + 1 : last + 1] = [False] * (last - first)
            else:
                _mark_body(doc, text, first, last + 1, para, marks)
            _bound_length(doc, marks, first, last + 1)
        first = last + 1
    return marks


#: The most tokens a sentence may have.  The longest gold sentence of UD
#: GUM and EWT dev has 90; text that runs on far longer has lost its
#: punctuation, and a sentence is the claim stage's unit of work, which
#: grows with its length times the attributions in it.
MAX_SENTENCE_TOKENS = 200


def _bound_length(doc: Doc, marks: list[bool | None], begin: int, end: int) -> None:
    """Start a sentence where one would run past :data:`MAX_SENTENCE_TOKENS`:
    at the last token of its second half that the rules leave to the parser,
    else at the last one after a space (not inside "do|n't" or "U.S.-|China"),
    else at the limit itself."""
    start = begin
    for i in range(begin + 1, end):
        if marks[i]:
            start = i
        elif i - start >= MAX_SENTENCE_TOKENS:
            window = range(i, start + MAX_SENTENCE_TOKENS // 2, -1)
            start = next(
                (j for j in window if marks[j] is None),
                next((j for j in window if _after_space(doc, j)), i),
            )
            marks[start] = True


def _after_space(doc: Doc, i: int) -> bool:
    return bool(doc[i - 1].whitespace_) and not doc[i].is_space


@dataclass(frozen=True)
class _BodyMarks:
    """Character ranges of one body paragraph that the token rules consult."""

    refs: list[tuple[int, int]]  # reference marks: belong to the sentence before
    inside: list[tuple[int, int]]  # no sentence starts here (openers, time stamps)
    forced: frozenset[int]  # offsets where a sentence must start


def _body_ranges(text: str, para: Paragraph) -> _BodyMarks:
    refs = [(m.start(), m.end()) for m in _REFERENCE.finditer(text, para.start, para.end)]
    refs += [(m.start(1), m.end(1)) for m in _FOOTNOTE.finditer(text, para.start, para.end)]
    inside = list(refs)
    forced = set()
    if label := _CAPTION_LABEL.match(text, para.start, para.end):
        forced.add(label.end())  # "Figure 1.5 | Residents of ..."
    for m in _TIMESTAMP.finditer(text, para.start, para.end):
        # "Kay Mann | 04/26/2001 07:17 AM | Will you ...", but "Posted at <stamp>".
        forced.add(_skip_space(text, m.end(), para.end))
        if not _STAMP_INTRO.search(text, para.start, m.start()):
            forced.add(m.start())
        inside.append((m.start() + 1, m.end()))
    if opener := opening_span(text[para.start : para.end]):
        # The opener and the word after it stay in the paragraph's first sentence.
        inside.append((para.start, _skip_space(text, para.start + opener[1], para.end) + 1))
    return _BodyMarks(refs, inside, frozenset(forced))


def _mark_body(
    doc: Doc, text: str, begin: int, end: int, para: Paragraph, marks: list[bool | None]
) -> None:
    """Sentence-start rules inside one body paragraph (tokens ``begin:end``)."""
    ranges = _body_ranges(text, para)
    for i in range(begin + 1, end):
        marks[i] = _body_start(doc, text, i, begin, ranges)


def _body_start(doc: Doc, text: str, i: int, begin: int, ranges: _BodyMarks) -> bool | None:
    """Whether token ``i`` of a body paragraph starts a sentence (None: parser decides).

    Forbidden starts (the parser's usual over-splits): inside a reference
    mark ("[17]", "[...]"), an opening dateline or a time stamp; after a
    comma or colon ('He said: "We ...'); a token glued to the previous one
    (closing quotes, underscores); a lowercase word not after ``.``/``!``/``?``
    (spoken "and"/"but"); the word after a title or month abbreviation
    ("Gov. Smith", "Jan. 10", "No. 2").  Forced starts (its usual
    under-splits): a capitalised word after a free-standing ``.``/``!``/``?``
    (closing quotes, brackets or a reference mark may sit between) unless an
    abbreviation or initial precedes; a lowercase word right after a
    free-standing ``.`` or ``?`` ("... interested. jill finishes ...").
    """
    token, prev = doc[i], doc[i - 1]
    if any(s <= token.idx < e for s, e in ranges.inside):
        return False
    if token.idx in ranges.forced:
        return True
    if prev.text in {",", ":"}:
        return False
    if _number_sign(doc, i) and prev.is_lower:
        return False  # "Federal mine No. 2 would ...": a name, not a new sentence
    first_char = token.text[0]
    glued = not prev.whitespace_ and not prev.is_space
    if glued and not first_char.isupper():
        return False
    if first_char.islower():
        # "!" is left out of the forced case: "Yahoo! and", "Jeopardy! host".
        after_stop = prev.text in {".", "?"} and bool(prev.whitespace_)
        if after_stop and not _is_abbreviation(doc[i - 2].text if i >= 2 else ""):
            return True
        return None if prev.text in _TERMINAL_TOKENS else False
    if _after_abbreviation(doc, i):
        return False
    if prev.text == ">" and first_char.isupper() and "<" in text[doc[begin].idx : prev.idx]:
        return True  # "<jane@example.com> Groups: ...": a header address ends a line
    if not glued and _starts_like_sentence(doc, i) and _after_terminal(doc, i, begin, ranges.refs):
        return True
    return None


def _skip_space(text: str, offset: int, end: int) -> int:
    while offset < end and text[offset].isspace():
        offset += 1
    return offset


def _starts_like_sentence(doc: Doc, i: int) -> bool:
    """A capitalised word, or an opening quote/bracket before one."""
    token = doc[i]
    if token.text[0].isupper():
        return True
    if token.text in _OPENERS and i + 1 < len(doc):
        nxt = doc[i + 1]
        return not token.whitespace_ and (nxt.text[0].isupper() or nxt.text[0].isdigit())
    return False


def _after_terminal(doc: Doc, i: int, begin: int, refs: list[tuple[int, int]]) -> bool:
    """Whether token ``i`` follows a free-standing ``.``/``!``/``?`` that ends a
    sentence: closing quotes, brackets and reference marks may sit between."""
    j = i - 1
    while j > begin and (doc[j].text in _CLOSERS or any(s <= doc[j].idx < e for s, e in refs)):
        j -= 1
    if j <= begin or doc[j].text not in _TERMINAL_TOKENS:
        return False
    if doc[j].text == "." and (doc[j - 1].whitespace_ == "" and _is_abbreviation(doc[j - 1].text)):
        return False
    return not (doc[j - 1].text.endswith(".") and _is_abbreviation(doc[j - 1].text[:-1]))


def _after_abbreviation(doc: Doc, i: int) -> bool:
    """Whether token ``i`` follows a title or month abbreviation ("Gov.", "Jan.").

    spaCy keeps most of them as one token ("Gov.") but splits some ("Assoc",
    "."), so both shapes are checked.  "No." only counts before a number.
    """
    prev = doc[i - 1]
    if prev.text.endswith(".") and len(prev.text) > 1:
        word = prev.text[:-1]
    elif prev.text == "." and i >= 2 and not doc[i - 2].whitespace_:
        word = doc[i - 2].text
    else:
        return False
    key = word.lower()
    if key == "no":
        return doc[i].text[0].isdigit()
    return key in TITLE_ABBREVIATIONS


def _number_sign(doc: Doc, i: int) -> bool:
    """Whether token ``i`` is "No." before a number ("No. 2", "No.1")."""
    token = doc[i]
    if token.text in ("No.", "no."):
        after = i + 1
    elif token.lower_ == "no" and i + 1 < len(doc) and doc[i + 1].text == ".":
        after = i + 2
    else:
        return False
    return after < len(doc) and doc[after].text[:1].isdigit()


def _is_abbreviation(word: str) -> bool:
    """A word that, before a period, does not end a sentence: a known
    abbreviation, an initial ("A"), or a dotted acronym's body ("U.S")."""
    key = word.lower().rstrip(".")
    if key in TITLE_ABBREVIATIONS or key in OTHER_ABBREVIATIONS:
        return True
    return (len(key) == 1 and key.isalpha()) or ("." in key and key.replace(".", "").isalpha())


def sentence_breaks(line: str) -> int:
    """How many sentence breaks plain punctuation shows inside ``line``.

    Used on raw text (before any parse) to tell a headline from a lede: a
    first line that reads as two or more sentences is body text, not a
    headline.
    """
    count = 0
    for m in _TEXT_BREAK.finditer(line):
        word = m.group(1)
        if word and not _is_abbreviation(word):
            count += 1
    return count


def sentence_rows(doc_id: str, doc: Doc, headline_end: int | None) -> list[dict]:
    """Rows of the ``sentences`` table for one parsed document."""
    text = doc.text
    paras = paragraphs(text, headline_end)
    rows: list[dict] = []
    for sent_start, sent_end in _sentence_spans(doc, text, headline_end):
        for start, end in _split_at_newlines(text, sent_start, sent_end):
            index = _paragraph_of(paras, start)
            kind = paras[index].kind if index is not None else "body"
            opener = None
            if index is not None and start == paras[index].start and kind == "body":
                opener = opening_span(text[start : paras[index].end])
            rows.append(
                {
                    "doc_id": doc_id,
                    "sentence_id": len(rows),
                    "paragraph_id": index,
                    "start": start,
                    "end": end,
                    "text": text[start:end],
                    "kind": kind,
                    "opener": opener[0] if opener else None,
                    "opener_end": start + opener[1] if opener else None,
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


def _sentence_spans(doc: Doc, text: str, headline_end: int | None) -> list[tuple[int, int]]:
    """Character spans of the parsed doc's sentences, layout decisions applied.

    The parser never ignores a forced start but can open a sentence where
    ``sentence_starts`` forbade one ("GEN. | ELIZABETH"); such a sentence
    is joined back to the one before it.
    """
    marks = sentence_starts(doc, headline_end, text)
    spans: list[tuple[int, int]] = []
    for sent in doc.sents:
        if spans and marks[sent.start] is False:
            spans[-1] = (spans[-1][0], sent.end_char)
        else:
            spans.append((sent.start_char, sent.end_char))
    return spans


def _split_at_newlines(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Whitespace-trimmed pieces of ``text[start:end]`` between line breaks.

    A safety net: layout marking keeps sentences inside paragraphs, and this
    guarantees it even if a component upstream ignored the marks.
    """
    pieces = []
    for match in _LINE.finditer(text[start:end]):
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
    i = bisect.bisect_right(paras, offset, key=lambda p: p.start) - 1
    if i >= 0 and paras[i].start <= offset < paras[i].end:
        return i
    return None
