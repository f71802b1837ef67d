"""Documents: raw article bytes and records in, the ``documents`` table out.

The stored ``text`` is the article exactly as decoded: nothing is stripped
or normalised, because every span offset downstream points into it.  Any
normalisation happens on copies, in the stages that need it.

Real corpora are messy, so every reader here either returns an article or
reports a problem with a specific ``kind`` and a message saying what was
wrong and where; nothing is dropped silently.  Caveats that do not stop an
article (a guessed encoding, control characters kept verbatim, a text that
does not look English) travel with the article as ``warnings``.
"""

from __future__ import annotations

import codecs
import datetime as dt
import hashlib
import json
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import NamedTuple

import pyarrow as pa

from transforms.schemas import DOCUMENTS, conform

METADATA_FIELDS = ("title", "published", "url", "source")

#: Default size limit of one article in bytes (``claimflow run --max-bytes``).
DEFAULT_MAX_BYTES = 5_000_000
#: Articles longer than this many characters are rejected as ``too_large``:
#: it is spaCy's ``max_length``, above which the parser refuses a text (and
#: needs about 1 GB of memory per 100,000 characters on the way there).
MAX_CHARS = 1_000_000

#: Byte-order marks, longest first (the UTF-32-LE mark starts with UTF-16-LE's).
BOMS = (
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)
#: File signatures of formats that are often scraped by mistake.
SIGNATURES = (
    (b"%PDF-", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (or .docx/.xlsx)"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"\x1f\x8b", "gzip-compressed data"),
    (b"\x7fELF", "an executable"),
)
#: Legacy encodings tried, through charset-normalizer, when neither UTF-8
#: nor cp1252 gives plausible text (Cyrillic, Greek, Central European...).
LEGACY_ENCODINGS = [
    "cp1250",
    "cp1251",
    "cp1253",
    "cp1254",
    "cp1255",
    "cp1256",
    "cp1257",
    "koi8_r",
    "iso8859_15",
    "mac_roman",
]
#: Control characters are kept verbatim (with a warning) up to this share of
#: the characters other than spaces, tabs and line breaks; above it the file
#: is binary, not text.
MAX_CONTROL_SHARE = 0.05
#: Control characters that are ordinary layout, never worth a warning.
LAYOUT_CONTROLS = frozenset("\t\n\r\f\v")


@dataclass(frozen=True)
class Article:
    """One input article before it becomes a ``documents`` row."""

    doc_id: str
    text: str
    source_path: str
    line: int | None = None
    title: str | None = None
    published: dt.date | None = None
    url: str | None = None
    source: str | None = None
    #: .txt articles open with a headline line; JSONL records carry the
    #: title as metadata and their text is all body.
    has_headline: bool = False
    #: Caveats of an article that still lands (severity ``warning``).
    warnings: tuple[InputProblem, ...] = field(default=(), compare=False)


@dataclass(frozen=True)
class InputProblem:
    """Something wrong with one input; becomes a row of the ``errors`` table.

    ``severity`` is ``error`` when the article did not land and ``warning``
    when it landed with a caveat (an encoding fallback, say).
    """

    kind: str
    message: str
    source_path: str
    line: int | None = None
    doc_id: str | None = None
    severity: str = "error"
    stage: str = "ingest"


class InputError(ValueError):
    """Raised by the pure readers for an input that cannot become an article."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


class Decoded(NamedTuple):
    """Decoded article text, the encoding used, and why it was not plain UTF-8."""

    text: str
    encoding: str
    #: Set when the encoding was guessed (a warning): what failed first.
    fallback: str | None = None


# ---------------------------------------------------------------- decoding


def decode_text(data: bytes) -> Decoded:
    """Decode article bytes, detecting the encoding; raise ``InputError`` if not text.

    Order, from certain to guessed: a byte-order mark (UTF-8/16/32) is
    trusted; then strict UTF-8 (what nearly all input is); then UTF-16
    without a mark (NUL in every other byte); then cp1252, the superset of
    Latin-1 that holds the curly quotes and dashes of Windows-made pages;
    then, if cp1252 gives implausible text, the best legacy code page
    according to charset-normalizer.  Guessed encodings are reported in
    ``fallback`` so the caller can warn.  Files with a known binary
    signature, NUL bytes, or more than a few percent control characters are
    binary: guessing would only store junk.
    """
    if not data.strip():
        raise InputError("empty", "file is empty or whitespace only")
    # FF FE 00 00 is the UTF-32-LE mark, or the UTF-16-LE one before a NUL:
    # each matching mark is tried, longest first.
    failed: list[str] = []
    for bom, encoding in BOMS:
        if data.startswith(bom):
            try:
                text = data[len(bom) :].decode(encoding)
            except UnicodeDecodeError as exc:
                failed.append(
                    f"starts with a {encoding.upper()} byte-order mark but is not valid "
                    f"{encoding.upper()} (byte {exc.start + len(bom)}: {exc.reason})"
                )
                continue
            return Decoded(_checked_text(text), encoding + ("-sig" if encoding == "utf-8" else ""))
    if failed:
        raise InputError("decode", failed[-1])
    for signature, what in SIGNATURES:
        if data.startswith(signature):
            raise InputError("binary", f"file is {what}, not text")
    if b"\x00" in data:
        guessed = _utf16_without_bom(data)
        if guessed is not None:
            return guessed
        raise InputError(
            "binary",
            f"file contains {data.count(0):,} NUL bytes (first at byte {data.index(0)}): "
            "binary, not text",
        )
    try:
        return Decoded(_checked_text(data.decode("utf-8")), "utf-8")
    except UnicodeDecodeError as exc:
        reason = f"not valid UTF-8 (byte {exc.start}: {exc.reason})"
    mixed = _mostly_utf8(data)
    if mixed is not None:
        text, n_bad = mixed
        return Decoded(
            _checked_text(text),
            "utf-8+cp1252",
            f"{reason}; {n_bad} such byte(s) read as cp1252, the rest as UTF-8",
        )
    text, encoding = _legacy_decode(data)
    return Decoded(_checked_text(text), encoding, reason)


#: A well-formed UTF-8 sequence of two to four bytes (cp1252 text seldom has one).
_UTF8_SEQUENCE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)


def _mostly_utf8(data: bytes) -> tuple[str, int] | None:
    """A UTF-8 file with a few stray legacy bytes (a pasted quote, say).

    Reading the whole file as cp1252 would garble every correct UTF-8
    character ("’" as "â€™"), so when well-formed UTF-8 sequences are at
    least as many as the bad bytes, only the bad bytes are read as cp1252.
    Returns ``(text, number of bad bytes)``, or None for a legacy file.
    """
    n_good = len(_UTF8_SEQUENCE.findall(data))
    if not n_good:
        return None
    bad: list[int] = []

    def as_cp1252(exc: UnicodeDecodeError) -> tuple[str, int]:
        chunk = exc.object[exc.start : exc.end]
        bad.append(len(chunk))
        return "".join(_cp1252_char(b) for b in chunk), exc.end

    codecs.register_error("claimflow-cp1252", as_cp1252)
    text = data.decode("utf-8", errors="claimflow-cp1252")
    return (text, sum(bad)) if sum(bad) <= n_good else None


def _cp1252_char(byte: int) -> str:
    """One byte as cp1252; the five bytes cp1252 leaves undefined as Latin-1."""
    try:
        return bytes([byte]).decode("cp1252")
    except UnicodeDecodeError:
        return chr(byte)


def _utf16_without_bom(data: bytes) -> Decoded | None:
    """UTF-16 text without a byte-order mark: NUL in (nearly) every other byte."""
    if len(data) < 4 or len(data) % 2:
        return None
    even, odd = data[0::2], data[1::2]
    for encoding, zeros, other in (("utf-16-le", odd, even), ("utf-16-be", even, odd)):
        if zeros.count(0) >= 0.4 * len(zeros) and other.count(0) <= 0.01 * len(other):
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError:
                return None
            return Decoded(
                _checked_text(text), encoding, "no byte-order mark, but NUL in every other byte"
            )
    return None


def _legacy_decode(data: bytes) -> tuple[str, str]:
    """Bytes that are not UTF-8: cp1252 when plausible, else the best legacy guess."""
    try:
        text = data.decode("cp1252")
        if _plausible_latin(text):
            return text, "cp1252"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes  # imported here: only messy input needs it

    best = from_bytes(data, cp_isolation=LEGACY_ENCODINGS).best()
    if best is not None:
        return str(best), best.encoding
    # Latin-1 maps every byte to a character: the last resort, and what the
    # control-character check then judges.
    return data.decode("latin-1"), "latin-1"


def _plausible_latin(text: str) -> bool:
    """Mostly ASCII letters: cp1252 read a Latin-script text, not Cyrillic as accents."""
    letters = [c for c in text[:20_000] if c.isalpha()]
    if not letters:
        return True
    return sum(c.isascii() for c in letters) >= 0.7 * len(letters)


def _checked_text(text: str) -> str:
    """The decoded text, unchanged, unless it is mostly control characters or invisible."""
    controls = control_characters(text)
    if controls:
        counted = len(text) - sum(text.count(c) for c in (" ", *LAYOUT_CONTROLS))
        if len(controls) > MAX_CONTROL_SHARE * counted:
            raise InputError(
                "binary",
                f"{len(controls):,} of {counted:,} non-blank characters are control "
                "characters: binary, not text",
            )
    if not any(_visible(c) for c in text):
        raise InputError("empty", "no visible characters (only whitespace or invisible formatting)")
    return text


def _visible(char: str) -> bool:
    return not char.isspace() and unicodedata.category(char) not in ("Cc", "Cf", "Zs")


#: Unicode category Cc is exactly U+0000-U+001F and U+007F-U+009F; the layout
#: controls (tab, line feed, vertical tab, form feed, carriage return) aside.
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")


def control_characters(text: str) -> list[int]:
    """Offsets of control characters other than tab, newlines and form feeds."""
    return [m.start() for m in _CONTROL.finditer(text)]


# ---------------------------------------------------------------- warnings


#: Frequent English function words that are rare as words in other
#: languages written in Latin script ("a", "in", "on", "was", "die" are left out).
# fmt: off
ENGLISH_WORDS = frozenset(
    (
        "the", "and", "of", "to", "that", "for", "with", "as", "by", "at", "from", "it", "he",
        "she", "they", "his", "her", "their", "are", "were", "be", "been", "has", "this", "which",
        "not", "but", "or", "would", "said", "its", "who", "what", "when", "there", "than",
        "after", "about", "more", "into", "one", "two",
    )
)
# fmt: on
#: Below this share of ``ENGLISH_WORDS`` among the first words, a text is
#: flagged.  English news runs at 9-45 % (PolNeAR's 924 articles: median
#: 28 %, lowest 9 %); French, German, Spanish and Dutch news at 0-2 %.
MIN_ENGLISH_SHARE = 0.05
#: Texts with fewer words than this are too short to judge.
MIN_WORDS_TO_JUDGE = 20


def language_warning(text: str) -> str | None:
    """Why ``text`` does not look English, or None.

    A cheap heuristic, no model and no network: the share of ASCII among
    the letters (catches non-Latin scripts), then the share of common
    English function words among the first 500 words (catches other
    Latin-script languages).  The article still lands; the warning lets an
    analyst filter it, since the English model's output on it is noise.
    """
    sample = text[:20_000]
    letters = [c for c in sample if c.isalpha()]
    if len(letters) < 4 * MIN_WORDS_TO_JUDGE:
        return None
    ascii_share = sum(c.isascii() for c in letters) / len(letters)
    if ascii_share < 0.5:
        return f"text looks non-English: only {ascii_share:.0%} of its letters are Latin (ASCII)"
    words = re.findall(r"[a-z]+", sample.lower())[:500]
    if len(words) < MIN_WORDS_TO_JUDGE:
        return None
    share = sum(w in ENGLISH_WORDS for w in words) / len(words)
    if share < MIN_ENGLISH_SHARE:
        return (
            f"text looks non-English: {share:.0%} of its first {len(words)} words are "
            f"common English words (English news: 9-45 %)"
        )
    return None


def text_warnings(
    text: str, source_path: str, line: int | None, doc_id: str
) -> tuple[InputProblem, ...]:
    """Warnings about an article's text that do not stop it from landing."""
    found = []
    controls = control_characters(text)
    if controls:
        names = Counter(f"U+{ord(text[i]):04X}" for i in controls)
        listed = ", ".join(f"{n} ×{k}" if k > 1 else n for n, k in names.most_common(5))
        found.append(
            InputProblem(
                "control_characters",
                f"{len(controls)} control character(s) kept verbatim ({listed}; "
                f"first at char {controls[0]})",
                source_path,
                line,
                doc_id,
                severity="warning",
            )
        )
    why = language_warning(text)
    if why:
        found.append(
            InputProblem("non_english", why, source_path, line, doc_id, severity="warning")
        )
    return tuple(found)


def _fallback_warning(
    decoded: Decoded, source_path: str, line: int | None, doc_id: str | None
) -> tuple[InputProblem, ...]:
    if decoded.fallback is None:
        return ()
    return (
        InputProblem(
            "encoding_fallback",
            f"{decoded.fallback}; decoded as {decoded.encoding}",
            source_path,
            line,
            doc_id,
            severity="warning",
        ),
    )


# ---------------------------------------------------------------- readers


def parse_published(value: object) -> dt.date | None:
    """Read an ISO date ("2022-01-11") or the date of an ISO timestamp
    ("2022-01-11T09:30:00Z"); None if absent.  Anything more or less is
    refused, not cut to ten characters ("2022-01-11 or maybe 2023")."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        pass
    try:
        return dt.datetime.fromisoformat(text).date()
    except ValueError as exc:
        raise InputError("malformed_record", f"'published' is not an ISO date: {text!r}") from exc


#: An ISO date inside a file name, not part of a longer number:
#: "breitbart_2016-01-01_rose-bowl", "2022-01-11-pentagon-briefing".
_NAME_DATE = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")


def date_in_name(path: str) -> dt.date | None:
    """The publication date a ``.txt`` file's name gives, when it has no
    sidecar date: news archives and scrapers name files by it, and dates in
    the text ("Jan. 10", "last week") resolve against it.  The first valid
    date of the name (not of its folders); None where there is none."""
    for match in _NAME_DATE.finditer(PurePath(path).stem):
        try:
            return dt.date(*map(int, match.groups()))
        except ValueError:
            continue  # "2016-13-45" is no date
    return None


def headline_end(text: str) -> int | None:
    """End offset of the headline: the first line, when more text follows.

    A one-line article has no headline: its only line is body text.  Nor has
    an article whose first line reads as two or more sentences: that line is
    a lede paragraph, and taking it for a headline would glue its sentences.
    """
    # the sentence stage's line breaks and punctuation rules
    from transforms.sentences import LINE_BREAK, sentence_breaks

    stripped = text.lstrip()
    offset = len(text) - len(stripped)
    brk = LINE_BREAK.search(stripped)
    if brk is None:
        return None
    first, rest = stripped[: brk.start()], stripped[brk.end() :]
    if not rest.strip() or not first.strip() or sentence_breaks(first):
        return None
    return offset + len(first.rstrip())


def headline_of(text: str) -> str | None:
    """The headline's text (see ``headline_end``), or None."""
    end = headline_end(text)
    return text[:end].strip() if end is not None else None


def article_from_txt(
    doc_id: str, data: bytes, source_path: str, sidecar: dict | None = None
) -> Article:
    """Build an article from a ``.txt`` file and its optional JSON sidecar.

    Raises ``InputError`` for a file that cannot be an article; the
    article's ``warnings`` carry what landed with a caveat.
    """
    decoded = decode_text(data)
    text = decoded.text
    _check_size(text)
    meta = sidecar or {}
    # The .txt is fine; say which file to mend.
    sidecar_name = PurePath(source_path).with_suffix(".json").name
    for key in METADATA_FIELDS:
        _check_metadata(meta.get(key), f"sidecar {sidecar_name}: {key!r}")
    try:
        published = parse_published(meta.get("published"))
    except InputError as exc:
        raise InputError(exc.kind, f"sidecar {sidecar_name}: {exc}") from exc
    if published is None:
        published = date_in_name(source_path)
    return Article(
        doc_id=doc_id,
        text=text,
        source_path=source_path,
        title=_opt_str(meta.get("title")) or headline_of(text),
        published=published,
        url=_opt_str(meta.get("url")),
        source=_opt_str(meta.get("source")),
        has_headline=True,
        warnings=_fallback_warning(decoded, source_path, None, doc_id)
        + text_warnings(text, source_path, None, doc_id),
    )


def articles_from_jsonl(
    data: bytes | Iterable[bytes], source_path: str, max_bytes: int = DEFAULT_MAX_BYTES
) -> Iterator[Article | InputProblem]:
    """Yield one article per JSONL line, or a problem for a line that is bad.

    ``data`` is the whole file or an iterable of its raw lines (a file
    opened in binary mode streams).  A broken line never stops the others:
    it is reported with its 1-based line number.  Lines are split at
    ``\\n`` only (JSON strings may hold U+2028 and other characters that
    ``str.splitlines`` would split at).  Each line is decoded on its own,
    so one line in cp1252 does not change how the others are read.  The
    ``title`` is metadata and is not prepended to ``text``.
    """
    if isinstance(data, bytes | bytearray):
        try:
            lines: Iterable[bytes] = _wide_lines(bytes(data)) or data.split(b"\n")
        except InputError as exc:
            yield InputProblem(exc.kind, str(exc), source_path)
            return
    else:
        lines = data
    seen_content = False
    for number, raw in enumerate(lines, start=1):
        raw = raw.rstrip(b"\n")
        if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        if not raw.strip():
            continue
        seen_content = True
        if len(raw) > max_bytes:
            yield InputProblem(
                "too_large",
                f"record of {len(raw):,} bytes is above the {max_bytes:,}-byte limit "
                "(raise it with --max-bytes)",
                source_path,
                number,
            )
            continue
        try:
            yield record_article(raw, source_path, number)
        except RecordError as exc:
            yield InputProblem(exc.kind, str(exc), source_path, number, exc.doc_id)
    if not seen_content:
        yield InputProblem("empty", "file is empty or whitespace only", source_path)


class RecordError(InputError):
    """A JSONL record that cannot become an article (with its id when known)."""

    def __init__(self, kind: str, message: str, doc_id: str | None = None) -> None:
        super().__init__(kind, message)
        self.doc_id = doc_id


def record_article(raw: bytes, source_path: str, number: int) -> Article:
    """One JSONL line to an article; raise ``RecordError`` naming what is wrong."""
    try:
        decoded = decode_text(raw)
    except InputError as exc:
        raise RecordError(exc.kind, f"line is not text: {exc}") from exc
    try:
        record = json.loads(decoded.text)
    except json.JSONDecodeError as exc:
        raise RecordError(
            "malformed_record", f"invalid JSON: {exc.msg} (column {exc.colno})"
        ) from exc
    except RecursionError as exc:
        raise RecordError("malformed_record", "invalid JSON: nested too deeply") from exc
    if not isinstance(record, dict):
        raise RecordError(
            "malformed_record", f"record is a JSON {type(record).__name__}, not an object"
        )
    raw_id = record.get("id")
    if isinstance(raw_id, bool) or not isinstance(raw_id, str | int | type(None)):
        raise RecordError(
            "malformed_record", f"'id' must be a string or an integer, not {_json_type(raw_id)}"
        )
    doc_id = _opt_str(raw_id)
    missing = [k for k, v in (("id", doc_id), ("text", record.get("text"))) if v in (None, "")]
    if missing:
        raise RecordError(
            "missing_field",
            f"record lacks required field(s): {', '.join(repr(m) for m in missing)}",
            doc_id,
        )
    assert doc_id is not None
    _check_storable(doc_id, "'id'", doc_id)
    text = record["text"]
    if not isinstance(text, str):
        raise RecordError("malformed_record", f"'text' is {_json_type(text)}, not a string", doc_id)
    _check_storable(text, "'text'", doc_id)
    for key in METADATA_FIELDS:
        _check_metadata(record.get(key), repr(key), doc_id)
    try:
        _checked_text(text)
        _check_size(text)
    except InputError as exc:
        raise RecordError(exc.kind, f"'text': {exc}", doc_id) from exc
    try:
        published = parse_published(record.get("published"))
    except InputError as exc:
        raise RecordError(exc.kind, str(exc), doc_id) from exc
    return Article(
        doc_id=doc_id,
        text=text,
        source_path=source_path,
        line=number,
        title=_opt_str(record.get("title")),
        published=published,
        url=_opt_str(record.get("url")),
        source=_opt_str(record.get("source")),
        warnings=_fallback_warning(decoded, source_path, number, doc_id)
        + text_warnings(text, source_path, number, doc_id),
    )


def _wide_lines(data: bytes) -> list[bytes] | None:
    """Lines of a UTF-16/32 file (marked by a BOM) re-encoded as UTF-8; None otherwise.

    Splitting such a file at the byte ``\\n`` would cut characters in half,
    so it is decoded whole first.
    """
    if not any(data.startswith(bom) for bom, enc in BOMS if enc != "utf-8"):
        return None
    text = decode_text(data).text
    return [line.encode("utf-8") for line in text.split("\n")]


def _check_size(text: str) -> None:
    if len(text) > MAX_CHARS:
        raise InputError(
            "too_large",
            f"{len(text):,} characters is above the parser's {MAX_CHARS:,}-character limit",
        )


def _check_metadata(value: object, what: str, doc_id: str | None = None) -> None:
    """Refuse a metadata value that is no string (an array as a title, a
    number as a date): storing ``"['a']"`` or reading ``20210101`` as a date
    would hide the mistake."""
    if value is not None and not isinstance(value, str):
        raise RecordError(
            "malformed_record", f"{what} must be a string, not {_json_type(value)}", doc_id
        )
    _check_storable(value, what, doc_id)


def _check_storable(value: object, what: str, doc_id: str | None = None) -> None:
    """Refuse strings Arrow cannot store: JSON escapes can make lone surrogates."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise RecordError(
                "decode",
                f"{what} holds an unpaired surrogate {value[exc.start]!r} at char {exc.start} "
                "(a broken \\u escape)",
                doc_id,
            ) from exc


def _json_type(value: object) -> str:
    names = {dict: "an object", list: "an array", bool: "a boolean", str: "a string"}
    names |= {int: "a number", float: "a number"}
    return names.get(type(value), "null" if value is None else type(value).__name__)


# ---------------------------------------------------------------- corpus


def drop_duplicate_ids(
    items: Iterable[Article | InputProblem],
) -> tuple[list[Article], list[InputProblem]]:
    """Keep the first article of each ``doc_id``; report the others.

    Ids must be unique across the whole corpus: two files with one id would
    otherwise overwrite each other's rows.  The report names both places.
    "First" is the order of the input (the reader's sorted file order), so
    the same corpus always keeps the same copy.  ``items`` may hold the
    reader's errors in that order too: a first copy that could not be read
    still holds its id, so that a later copy does not quietly take the
    place of the article stored under it.
    """
    seen: dict[str, Article | InputProblem] = {}
    problems = []
    for item in items:
        if isinstance(item, InputProblem):
            if item.doc_id and item.severity == "error":
                seen.setdefault(item.doc_id, item)
            continue
        first = seen.get(item.doc_id)
        if first is None:
            seen[item.doc_id] = item
            continue
        if isinstance(first, InputProblem):
            earlier = f"{_where(first)}, which could not be read ({first.kind})"
            same = ""
        else:
            earlier = _where(first)
            same = " (same text)" if first.text == item.text else " (different text)"
        problems.append(
            InputProblem(
                "duplicate_id",
                f"doc_id {item.doc_id!r} already used by {earlier}; "
                f"this copy at {_where(item)}{same} was not loaded",
                item.source_path,
                item.line,
                item.doc_id,
            )
        )
    return [a for a in seen.values() if isinstance(a, Article)], problems


def with_warnings_as_problems(articles: Iterable[Article]) -> list[InputProblem]:
    """The warnings of landed articles as problem rows (severity ``warning``)."""
    return [w for a in articles for w in a.warnings]


def content_sha256(text: str) -> str:
    """Hash of the stored text: the key that tells a changed article."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def documents_table(articles: Iterable[Article]) -> pa.Table:
    """The ``documents`` table, one row per article, sorted by ``doc_id``."""
    rows = [
        {
            "doc_id": a.doc_id,
            "source_path": a.source_path,
            "line": a.line,
            "title": a.title,
            "published": a.published,
            "url": a.url,
            "source": a.source,
            "text": a.text,
            "content_sha256": content_sha256(a.text),
            "n_chars": len(a.text),
            "headline_end": headline_end(a.text) if a.has_headline else None,
        }
        for a in sorted(articles, key=lambda a: a.doc_id)
    ]
    return conform(rows, DOCUMENTS)


def _opt_str(value: object) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _where(item: Article | InputProblem) -> str:
    if item.line is None:
        return item.source_path
    return f"{item.source_path}:{item.line}"
