"""Attributions: who said what, read off the dependency parse.

An attribution is a source (who), a cue (the word that signals speech or
thought: "said", "according to") and a content (what), following the
PolNeAR conventions summarised in the README: the source keeps the modifiers
and appositions that identify it, the cue is one contiguous span (with its
auxiliaries: "has denied"), the content keeps its complementiser "that".

This first version is rule-based:

* verb cues from a lexicon, with the content as their clausal complement
  (``ccomp``), or as the clause they interrupt or follow ("..., X said"),
  or as an adjacent quotation;
* "according to X" with the rest of the clause as content;
* quotation marks extend a direct quote across the sentences of its
  paragraph, and split content around the cue ("X," he said, "Y.").

Nested attributions are dropped when their cue lies inside the content of
another one (PolNeAR gives a token one role in one attribution).  Speakers
of pronoun and nominal sources are resolved within the article.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import pyarrow as pa
from spacy.tokens import Doc, Span, Token

from transforms.lexicon import words
from transforms.schemas import ATTRIBUTIONS, conform

#: Lemmas of verbs that report speech, writing, thought, perception or
#: intention.  Learned from how news reports attribution; kept as a plain
#: set so that it can be read and argued about.
CUE_VERBS = words(
    """
    say tell state insist report deny confirm add note claim argue explain
    write announce warn suggest believe think know acknowledge admit allege
    assert contend declare estimate expect find hope indicate maintain
    mention predict promise recall reveal show testify tweet urge ask accuse
    agree respond reply comment complain conclude concede fear feel vow
    pledge threaten caution stress emphasize emphasise underline signal tout
    boast reiterate repeat observe remark point predict insist worry doubt
    acknowledge disclose divulge recount describe call counter retort shout
    yell scream whisper joke quip muse wonder speculate guess assume suppose
    suspect realize realise learn hear see understand demand recommend
    propose urge order rule decide determine conclude establish prove
    """
)
#: Verbs whose complement is a content only when it is a clause, never an
#: object noun phrase ("she found the keys" is no attribution).
_CLAUSE_ONLY = frozenset({"find", "see", "know", "hear", "learn", "show", "call"})
_CONTENT_DEPS = frozenset({"ccomp"})
#: Verbs whose direct object is itself the content ("Russia has denied any
#: plans", "the ministry confirmed the strike").
NP_CONTENT_VERBS = words(
    """
    deny confirm announce promise predict reveal report acknowledge admit
    claim dispute reject allege demand propose recommend estimate disclose
    """
)
_SUBJECT_DEPS = frozenset({"nsubj"})
_OPEN_QUOTES = '“"«„‘'
_CLOSE_QUOTES = '”"»“’'
_DOUBLE_QUOTES = '“”"«»„'
_EDGE_PUNCT = ",;:—–-"

PERSON_PRONOUNS = frozenset({"he", "she", "him", "her"})
PLURAL_PRONOUNS = frozenset({"they", "them"})
AUTHOR_PRONOUNS = frozenset({"i", "we"})
MEDIA_WORDS = words(
    """
    newspaper broadcaster network channel outlet magazine paper agency
    newsroom station tabloid daily weekly website blog times post journal
    reuters ap afp bloomberg cnn nbc abc cbs fox msnbc bbc npr politico
    axios breitbart guardian
    """
)
DOCUMENT_WORDS = words(
    """
    report poll survey study analysis record records data statement document
    documents memo letter filing complaint ruling indictment lawsuit
    research figures numbers estimate estimates review audit investigation
    release transcript email emails tweet post
    """
)
PERSON_ROLES = words(
    """
    head chief spokesperson spokesman spokeswoman minister secretary
    president senator governor director official leader chairman chairwoman
    chair ceo founder candidate nominee adviser advisor aide analyst expert
    professor lawyer attorney member representative ambassador general
    commander mayor judge economist author reporter correspondent manager
    strategist pollster writer editor officer agent executive host anchor
    activist deputy
    """
)
ANONYMOUS_WORDS = words(
    """
    source sources official officials aide aides person people insider
    insiders spokesperson spokesman spokeswoman
    """
)


@dataclass
class Attribution:
    """One attribution before it becomes a row: spans as (start, end) pairs."""

    source: list[tuple[int, int]]
    cue: list[tuple[int, int]]
    content: list[tuple[int, int]]
    cue_lemma: str
    source_head: Token | None = None
    confidence: float = 0.7
    speaker: str | None = None
    source_type: str = "none"
    extra: dict = field(default_factory=dict)


# --------------------------------------------------------------- spans


def _token_span(tokens: Sequence[Token]) -> tuple[int, int] | None:
    if not tokens:
        return None
    return tokens[0].idx, tokens[-1].idx + len(tokens[-1].text)


def _trim(doc: Doc, start_i: int, end_i: int, keep_quotes: bool = True) -> list[Token]:
    """Tokens ``doc[start_i:end_i]`` without edge whitespace and punctuation.

    Quotation marks stay (a direct quote keeps its marks) unless unbalanced
    at the edge.
    """
    toks = [t for t in doc[start_i:end_i]]

    quote_marks = _OPEN_QUOTES + _CLOSE_QUOTES

    def droppable(t: Token) -> bool:
        if t.text in quote_marks:
            return not keep_quotes
        return t.is_space or t.is_punct

    while toks and droppable(toks[0]):
        toks.pop(0)
    while toks and droppable(toks[-1]):
        toks.pop()
    return toks


def _subtree_span(token: Token, exclude: Iterable[Token] = ()) -> list[Token]:
    """The contiguous part of ``token``'s subtree around it, minus ``exclude``."""
    banned = set()
    for t in exclude:
        banned.update(x.i for x in t.subtree)
    left, right = token.left_edge.i, token.right_edge.i
    # Cut at the nearest banned token on each side of the head.
    for i in range(token.i - 1, left - 1, -1):
        if i in banned:
            left = i + 1
            break
    for i in range(token.i + 1, right + 1):
        if i in banned:
            right = i - 1
            break
    return _trim(token.doc, left, right + 1)


def source_tokens(head: Token) -> list[Token]:
    """The source noun phrase: the subject's subtree without relative clauses.

    PolNeAR keeps identifying modifiers and appositions ("Sterling Pratt,
    wine director at ...") but not incidental relative clauses.
    """
    relcls = [c for c in head.children if c.dep_ in ("relcl", "acl") and c.i > head.i]
    return _subtree_span(head, relcls)


# --------------------------------------------------------------- quotes


def quote_regions(text: str, paragraph_spans: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """Spans of double-quoted passages, marks included, within paragraphs.

    Curly quotes pair open with close; straight quotes alternate.  A quote
    left open at the end of a paragraph closes there (news style continues
    multi-paragraph quotes by reopening them).
    """
    regions = []
    for p_start, p_end in paragraph_spans:
        open_at = None
        for i in range(p_start, p_end):
            ch = text[i]
            if ch not in _DOUBLE_QUOTES:
                continue
            if open_at is None:
                if ch in '“"«„':
                    open_at = i
            elif ch in '”"»':
                regions.append((open_at, i + 1))
                open_at = None
        if open_at is not None and p_end - open_at > 1:
            regions.append((open_at, p_end))
    return regions


# --------------------------------------------------------------- cues


def _cue_tokens(verb: Token) -> list[Token]:
    """The verb with the auxiliaries and negation directly before it."""
    doc = verb.doc
    start = verb.i
    helpers = {c.i for c in verb.children if c.dep_ in ("aux", "auxpass", "neg")}
    while start - 1 >= 0 and (start - 1) in helpers:
        start -= 1
    return list(doc[start : verb.i + 1])


def _subject(verb: Token) -> Token | None:
    for child in verb.children:
        if child.dep_ in _SUBJECT_DEPS:
            return child
    # "..., he said, adding that ...": the subject of the governing verb.
    if verb.dep_ in ("advcl", "xcomp", "conj") and verb.head.i != verb.i:
        for child in verb.head.children:
            if child.dep_ in _SUBJECT_DEPS:
                return child
    return None


def _is_expletive(token: Token) -> bool:
    return token.lower_ in ("it", "there") and token.dep_ in ("expl", "nsubj", "nsubjpass")


def verb_attributions(sent: Span, quotes: Sequence[tuple[int, int]]) -> list[Attribution]:
    """Attributions cued by a reporting verb in one sentence."""
    out = []
    for verb in sent:
        if verb.pos_ not in ("VERB", "AUX") or verb.lemma_.lower() not in CUE_VERBS:
            continue
        subject = _subject(verb)
        if subject is not None and _is_expletive(subject):
            subject = None
        content = _verb_content(verb, sent, quotes)
        if not content:
            continue
        passive = any(c.dep_ == "nsubjpass" for c in verb.children)
        if (
            subject is None
            and not passive
            and verb.dep_ not in ("advcl", "xcomp", "ROOT", "ccomp", "parataxis")
        ):
            # A cue with neither a source nor a passive construction is
            # usually a participle or an infinitive of no attribution.
            continue
        cue = _token_span(_cue_tokens(verb))
        src = source_tokens(subject) if subject is not None else []
        out.append(
            Attribution(
                source=[_token_span(src)] if src else [],
                cue=[cue],
                content=content,
                cue_lemma=verb.lemma_.lower(),
                source_head=subject,
                confidence=0.85 if subject is not None else 0.6,
            )
        )
    return out


def _verb_content(
    verb: Token, sent: Span, quotes: Sequence[tuple[int, int]]
) -> list[tuple[int, int]]:
    """Content spans for a verb cue, or [] when it reports nothing."""
    doc = verb.doc
    comps = [c for c in verb.children if c.dep_ in _CONTENT_DEPS]
    if comps:
        spans = []
        for comp in comps:
            toks = _subtree_span(comp)
            if toks and toks[0].i < verb.i < toks[-1].i:
                # "what people believe he may do": the complement wraps the
                # cue; only the part after the cue is reported.
                toks = _trim(doc, verb.i + 1, toks[-1].i + 1)
            span = _token_span(toks)
            if span:
                spans.append(span)
        return _extend_with_quotes(spans, quotes, verb.idx)
    # "<clause>, X said": the cue hangs off the clause it reports.
    if verb.dep_ in ("parataxis", "ccomp") and verb.head.i != verb.i and verb.i > verb.head.i:
        head = verb.head
        toks = _subtree_span(head, exclude=[verb])
        span = _token_span(toks)
        if span:
            return _extend_with_quotes([span], quotes, verb.idx)
    if verb.lemma_.lower() in NP_CONTENT_VERBS:
        objs = [c for c in verb.children if c.dep_ == "dobj"]
        if objs:
            span = _token_span(_subtree_span(objs[0]))
            if span:
                return [span]
    if verb.lemma_.lower() in _CLAUSE_ONLY:
        return []
    # A quotation right before or after the cue clause.
    clause = list(verb.subtree)
    c_start, c_end = clause[0].idx, clause[-1].idx + len(clause[-1].text)
    near = [
        q
        for q in quotes
        if not (q[0] <= verb.idx < q[1])
        and (
            (0 <= c_start - q[1] <= 3 and q[0] >= sent.start_char - 400) or (0 <= q[0] - c_end <= 3)
        )
    ]
    if near:
        return sorted(near)
    del doc
    return []


def _extend_with_quotes(
    spans: list[tuple[int, int]],
    quotes: Sequence[tuple[int, int]],
    cue_at: int | None = None,
) -> list[tuple[int, int]]:
    """Grow content spans to the whole quotation they open or close.

    A complement that starts at an opening quote runs to its closing quote
    (possibly sentences later); one that ends at a closing quote starts at
    its opening quote.
    """
    out = []
    for start, end in spans:
        for q_start, q_end in quotes:
            if cue_at is not None and q_start <= cue_at < q_end:
                continue  # a cue inside a quotation: the quote is not its content
            if q_start <= start <= q_start + 1:
                end = max(end, q_end)
            if q_end - 2 <= end <= q_end:
                start = min(start, q_start)
        out.append((start, end))
    return out


def according_to_attributions(sent: Span) -> list[Attribution]:
    """ "According to X, Y" and "Y, according to X"."""
    out = []
    for tok in sent:
        if tok.lower_ != "according" or tok.i + 1 >= sent.end:
            continue
        to = tok.doc[tok.i + 1]
        if to.lower_ != "to":
            continue
        objs = [c for c in to.children if c.dep_ == "pobj"] or [
            c for c in tok.children if c.dep_ == "pobj"
        ]
        if not objs:
            continue
        src = source_tokens(objs[0])
        phrase = list(tok.subtree) + [t for t in to.subtree if t not in tok.subtree]
        p_start = min(t.i for t in phrase)
        p_end = max(t.i for t in phrase) + 1
        doc = tok.doc
        content = []
        # The clause the phrase modifies, not the whole sentence: in "NBC
        # reported that, according to its sources, X", the content is X.
        clause = tok.head if tok.head.i != tok.i else tok
        c_start = max(sent.start, clause.left_edge.i)
        c_end = min(sent.end, clause.right_edge.i + 1)
        if clause is tok or clause.dep_ == "ROOT":
            c_start, c_end = sent.start, sent.end
        before = _trim(doc, c_start, p_start)
        after = _trim(doc, p_end, c_end)
        if before and before[-1].dep_ == "mark" and len(before) == 1:
            before = []
        for part in (before, after):
            span = _token_span(part)
            if span:
                content.append(span)
        if not content:
            continue
        out.append(
            Attribution(
                source=[_token_span(src)] if src else [],
                cue=[_token_span([tok, to])],
                content=content,
                cue_lemma="according to",
                source_head=objs[0],
                confidence=0.9,
            )
        )
    return out


# --------------------------------------------------------------- speakers


def _entity_in(doc: Doc, span: tuple[int, int], labels: set[str], head: Token | None = None):
    """The entity of one of ``labels`` inside ``span``: the one holding the
    head token if any, else the longest."""
    best = None
    for ent in doc.ents:
        if ent.label_ in labels and span[0] <= ent.start_char and ent.end_char <= span[1]:
            if head is not None and ent.start <= head.i < ent.end:
                return ent
            if best is None or len(ent.text) > len(best.text):
                best = ent
    return best


class SpeakerResolver:
    """Resolve pronoun and nominal sources to names, in reading order.

    People are tracked by surname so that "Kirby" maps back to the first full
    mention "John Kirby".  "he"/"she" take the most recent person mentioned
    before them; a nominal source ("the spokesperson") takes the most recent
    person introduced with that role word ("Pentagon spokesperson John
    Kirby"), else the most recent person speaker.
    """

    def __init__(self, doc: Doc) -> None:
        self.doc = doc
        self.full_names: dict[str, str] = {}
        self.mentions: list[tuple[int, str]] = []  # (char offset, canonical name)
        self.roles: list[tuple[int, str, str]] = []  # (offset, role lemma, name)
        for ent in doc.ents:
            if ent.label_ != "PERSON":
                continue
            name = _clean_name(ent.text)
            if not name:
                continue
            canonical = self._canonical(name)
            self.mentions.append((ent.start_char, canonical))
            for tok in _role_words(ent):
                self.roles.append((ent.start_char, tok.lemma_.lower(), canonical))
        self._offsets = [m[0] for m in self.mentions]

    def _canonical(self, name: str) -> str:
        surname = name.split()[-1]
        if len(name.split()) > 1:
            self.full_names.setdefault(surname, name)
        return self.full_names.get(surname, name)

    def person_before(self, offset: int) -> str | None:
        i = bisect.bisect_left(self._offsets, offset) - 1
        return self.mentions[i][1] if i >= 0 else None

    def resolve(self, attr: Attribution, previous: list[Attribution]) -> tuple[str | None, str]:
        """Return (speaker, source_type) for one attribution."""
        if not attr.source:
            return None, "none"
        doc = self.doc
        span = attr.source[0]
        text = doc.text[span[0] : span[1]]
        low = text.lower()
        head = attr.source_head
        person = _entity_in(doc, span, {"PERSON"}, head)
        if person is not None:
            return self._canonical(_clean_name(person.text)), "person"
        named = _apposed_name(doc, span)
        if named is not None and head.lemma_.lower() in PERSON_ROLES:
            return self._canonical(named), "person"
        if low in PERSON_PRONOUNS or low in ("who",):
            return self.person_before(span[0]), "person"
        if low in AUTHOR_PRONOUNS:
            return None, "author"
        head_lemma = head.lemma_.lower() if head is not None else low.split()[-1]
        words = set(re.findall(r"[a-z]+", low))
        if low in PLURAL_PRONOUNS:
            for prev in reversed(previous):
                if prev.speaker and prev.source_type != "person":
                    return prev.speaker, prev.source_type
            return None, "anonymous"
        org = _entity_in(doc, span, {"ORG", "GPE", "NORP"}, head)
        if words & MEDIA_WORDS:
            return (org.text if org is not None else text), "media"
        if head_lemma in DOCUMENT_WORDS:
            return text, "document"
        if org is not None:
            return org.text, "organization"
        if head_lemma in ANONYMOUS_WORDS or words & {"sources", "source"}:
            role = self._by_role(head_lemma, span[0])
            if role and re.match(r"^(the|this|that)\b", low):
                return role, "person"
            return None, "anonymous"
        role = self._by_role(head_lemma, span[0])
        if role:
            return role, "person"
        if head is not None and head.pos_ == "PROPN":
            return text, "organization"
        return None, "anonymous"

    def _by_role(self, lemma: str, offset: int) -> str | None:
        for start, role, name in reversed(self.roles):
            if start < offset and role == lemma:
                return name
        return None


def _role_words(ent: Span) -> list[Token]:
    """Role nouns right before or apposed to a person ("spokesperson John Kirby")."""
    doc = ent.doc
    out = []
    i = ent.start - 1
    while i >= 0 and doc[i].pos_ in ("NOUN", "PROPN") and doc[i].ent_type_ != "PERSON":
        if doc[i].pos_ == "NOUN":
            out.append(doc[i])
        i -= 1
    root = ent.root
    for tok in (root.head,) if root.dep_ == "appos" else ():
        if tok.pos_ == "NOUN":
            out.append(tok)
    for child in root.children:
        if child.dep_ == "appos" and child.pos_ == "NOUN":
            out.append(child)
    return out


def _apposed_name(doc: Doc, span: tuple[int, int]) -> str | None:
    """ "The head of X, Oleksiy Danilov": a proper name in apposition inside
    the source span (the parser may attach it to any noun of the phrase)."""
    piece = doc.char_span(span[0], span[1], alignment_mode="expand")
    if piece is None:
        return None
    for tok in piece:
        if tok.dep_ == "appos" and tok.pos_ == "PROPN":
            names = [tok]
            for left in reversed(list(tok.lefts)):
                if left.dep_ == "compound" and left.pos_ == "PROPN" and left.i == names[0].i - 1:
                    names.insert(0, left)
            return " ".join(t.text for t in names)
    return None


def _clean_name(text: str) -> str:
    text = re.sub(r"['’]s$", "", text.strip())
    return re.sub(r"^(Mr|Mrs|Ms|Dr|President|Sen|Rep|Gov)\.?\s+", "", text)


# --------------------------------------------------------------- assembly


def quote_type(text: str, content: Sequence[tuple[int, int]]) -> str:
    """``direct`` if the content is all quotation, ``mixed`` if partly, else ``indirect``."""
    pieces = [text[s:e].strip().strip(_EDGE_PUNCT + " .").strip() for s, e in content]
    marks = [any(q in p for q in _DOUBLE_QUOTES) for p in pieces]
    if not any(marks):
        return "indirect"
    if all(p and p[0] in _DOUBLE_QUOTES and p[-1] in _DOUBLE_QUOTES for p in pieces):
        return "direct"
    return "mixed"


def _inside(span: tuple[int, int], others: Iterable[tuple[int, int]]) -> bool:
    return any(s <= span[0] and span[1] <= e for s, e in others)


def drop_nested(attrs: list[Attribution]) -> list[Attribution]:
    """Remove attributions whose cue lies inside another one's content.

    PolNeAR gives each token at most one role, so the outer attribution wins
    and the nested one is part of its content.  Duplicates (same cue) keep
    the first found.
    """
    kept = []
    seen_cues = set()
    for a in attrs:
        cue = a.cue[0]
        if cue in seen_cues:
            continue
        others = [s for b in attrs if b is not a for s in b.content]
        if _inside(cue, others):
            continue
        seen_cues.add(cue)
        kept.append(a)
    return kept


def document_attributions(
    doc_id: str,
    doc: Doc,
    sentences: Sequence[tuple[int, int, int, str, int | None]],
) -> list[dict]:
    """Rows of the ``attributions`` table for one parsed document.

    ``sentences`` are the stored sentence rows as ``(sentence_id, start,
    end, kind, paragraph_id)``: attributions are looked for in body
    sentences only, and reported with those sentence ids.
    """
    text = doc.text
    body = [s for s in sentences if s[3] == "body"]
    para_bounds: dict[int, list[int]] = {}
    for _, start, end, _, para in body:
        if para is not None:
            b = para_bounds.setdefault(para, [start, end])
            b[0], b[1] = min(b[0], start), max(b[1], end)
    quotes = quote_regions(text, sorted(tuple(b) for b in para_bounds.values()))
    found: list[Attribution] = []
    for _, start, end, _, _ in body:
        sent = doc.char_span(start, end, alignment_mode="expand")
        if sent is None:
            continue
        found.extend(according_to_attributions(sent))
        found.extend(verb_attributions(sent, quotes))
    found.sort(key=lambda a: a.cue[0])
    found = drop_nested(found)
    resolver = SpeakerResolver(doc)
    starts = [s[1] for s in sentences]
    rows = []
    for n, attr in enumerate(found):
        attr.speaker, attr.source_type = resolver.resolve(attr, found[:n])
        rows.append(_row(doc_id, n, text, attr, sentences, starts))
    return rows


def _row(doc_id, n, text, attr: Attribution, sentences, starts) -> dict:
    def spans(pairs):
        return [{"start": s, "end": e} for s, e in sorted(pairs)]

    def joined(pairs):
        return " … ".join(text[s:e] for s, e in sorted(pairs))

    covered = sorted(attr.source + attr.cue + attr.content)
    sentence_ids = sorted(
        {
            sentences[i][0]
            for s, e in covered
            for i in range(
                max(0, bisect.bisect_right(starts, s) - 1),
                max(0, bisect.bisect_left(starts, e)),
            )
        }
    )
    return {
        "doc_id": doc_id,
        "attribution_id": f"{doc_id}:a{n}",
        "source_text": joined(attr.source) or None,
        "source_spans": spans(attr.source),
        "cue_text": joined(attr.cue),
        "cue_spans": spans(attr.cue),
        "content_text": joined(attr.content),
        "content_spans": spans(attr.content),
        "speaker": attr.speaker,
        "source_type": attr.source_type,
        "cue_lemma": attr.cue_lemma,
        "quote_type": quote_type(text, attr.content),
        "sentence_ids": sentence_ids,
        "confidence": attr.confidence,
    }


def attributions_table(
    parsed: Iterable[tuple[str, Doc, Sequence[tuple[int, int, int, str, int | None]]]],
) -> pa.Table:
    """The ``attributions`` table for a batch of ``(doc_id, doc, sentence rows)``."""
    rows = []
    for doc_id, doc, sentences in parsed:
        rows.extend(document_attributions(doc_id, doc, sentences))
    return conform(rows, ATTRIBUTIONS)
