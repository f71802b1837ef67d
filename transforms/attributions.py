"""Attributions: who said what, read off the dependency parse.

An attribution is a source (who), a cue (the word that signals speech or
thought: "said", "according to") and a content (what), following the
PolNeAR conventions summarised in the README: the source keeps the modifiers
and appositions that identify it, the cue is one contiguous span (with its
auxiliaries: "has denied"), the content keeps its complementiser "that".

With a trained model (``claimflow train attributions``, PolNeAR train only;
loaded by ``flows.models`` and passed in as a dict), extraction is learned
over the parse:

* a logistic cue model scores every candidate token as the anchor of a cue
  (lemma, syntax, arguments and context features: "said", "according",
  "shows", "hopes", "criticized", noun cues ...);
* a logistic role model labels the syntactic neighbours of each anchor (its
  children's subtrees, its governing clause, its governor's subject) as
  source, content or neither, so "<clause>, he said", "wants to X", passives
  and "according to X" come out of one decision;
* quotation marks then stretch a content to whole quotations, across
  sentences and around the cue ('"X," he said, "Y." "Z."');
* layout rules add headline colons ("Trump: ..."), transcript speaker labels
  ("PENCE: ...") and signed posts ('"..." ― Jane Doe').

Without a model, the first rule-based version runs: verb cues from a lexicon
with their clausal complement, "according to X", and adjacent quotations.

Nested attributions are dropped when their cue lies inside the content of
another one (PolNeAR gives a token one role in one attribution).  Speakers
of pronoun and nominal sources are resolved within the article.
"""

from __future__ import annotations

import bisect
import collections
import itertools
import math
import re
import weakref
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import TypeVar

import numpy as np
import pyarrow as pa
from spacy.attrs import LOWER
from spacy.strings import get_string_id
from spacy.tokens import Doc, Span, Token

from transforms.lexicon import (
    AFFILIATION_ALIASES,
    AP_STATES,
    FEMALE_NAMES,
    MALE_NAMES,
    THE_NAMES,
    words,
)
from transforms.schemas import ATTRIBUTIONS, conform
from transforms.sentences import LINE_BREAK, opener_length

T = TypeVar("T")

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

PERSON_PRONOUNS = frozenset({"he", "she", "him", "her", "his"})
#: Last words of a name that make it a company's or body's, which the small
#: model sometimes calls a PERSON ("Patriot *Coal*", "the John Birch
#: *Society*"): "he" must not go to them.
BODY_NAME_ENDINGS = words(
    """
    coal oil energy society company co corp corporation inc llc ltd foundation
    association institute group party committee council fund bank university
    college center centre agency league union alliance network club
    industries holdings partners motors airlines
    """
)
RELATIVE_PRONOUNS = frozenset({"who", "which", "that"})
GIVEN_NAMES = FEMALE_NAMES | MALE_NAMES
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
#: Nouns that report what their owner says, thinks or wants ("his concern is
#: that ...", "in Mr. Smith's view, ..."): few in PolNeAR train, so a rule.
NOUN_CUES = words(
    """
    concern view belief claim argument position hope fear assessment opinion
    warning promise conclusion suspicion contention message worry expectation
    understanding estimate assertion insistence point judgment
    """
)
#: People who speak for a body: "a State Department spokesman" is the department's voice.
SPOKESPEOPLE = words("spokesperson spokesman spokeswoman")
#: What speaks for the person whose it is ("Trump’s *campaign*"), and staff
#: who speak for themselves ("Trump’s campaign *manager*"): see
#: ``SpeakerResolver._owner``.
_SPEAKS_FOR = SPOKESPEOPLE | words("campaign lawyer attorney")
_STAFF = words("manager aide adviser advisor strategist chairman chairwoman pollster")
#: Nouns by which an article refers back to an organisation it named ("the
#: group", "the union").
BODY_NOUNS = words(
    """
    group organization organisation company firm union fund agency commission
    committee department bank council board institute foundation center centre
    association
    """
)
ANONYMOUS_WORDS = SPOKESPEOPLE | words(
    """
    source sources official officials aide aides person people insider
    insiders
    """
)
#: Nouns for a person by what they do ("spokesperson", "adviser", "official").
ROLE_NOUNS = PERSON_ROLES | ANONYMOUS_WORDS
#: Nouns for people, which a group adjective or a name describes but does
#: not name ("*Republican* voters", "*McConnell* aides").
PEOPLE_NOUNS = ROLE_NOUNS | words(
    """
    voter lawmaker legislator supporter critic resident citizen diplomat
    staffer insider strategist politician people man woman student worker
    delegate donor elector socialist conservative liberal observer advocate
    developer investor scholar historian scientist researcher owner employee
    parent immigrant farmer protester demonstrator opponent proponent backer
    ally fan rival associate confidant booster loyalist surrogate operative
    follower admirer detractor defender friend colleague prosecutor
    investigator negotiator volunteer hard-liner hardliner fundraiser
    """
)
#: More nouns that describe one person the article names ("the NFL
#: *legend*", "the Slovenia-born former *model*"), for definite descriptions.
DESCRIBED_PEOPLE = words(
    """
    legend star model businessman businesswoman congressman congresswoman
    billionaire mogul veteran hopeful frontrunner front-runner incumbent
    challenger lawmaker politician actor actress singer rapper comedian
    athlete coach champion player
    """
)
ONE_PERSON_NOUNS = PEOPLE_NOUNS | DESCRIBED_PEOPLE
#: People who speak for the body their source names ("*Kremlin* officials",
#: "members of *Congress*"), unlike those only from or about it ("observers
#: in *Virginia*", "critics of *the White House*"): see :func:`_speaks_for`.
BODY_VOICES = SPOKESPEOPLE | words(
    """
    official leader member aide representative minister officer executive
    staffer diplomat ambassador lawmaker legislator delegate authority
    """
)
#: Pronouns that stand for a group of people as a source ("*others* in the
#: community", "*some* in the party").
GROUP_PRONOUNS = words("others some many several few")
#: Words that count or share out a group before "of" ("a *number* of GOP
#: delegates", "*two* of his aides", "*most* of the candidates"): the
#: people who speak are the group after "of" (see :func:`_counted_group`).
SHARE_WORDS = GROUP_PRONOUNS | words(
    """
    number majority minority handful lot group dozens hundreds thousands
    millions half third thirds quarter percent most all none both one each
    any either neither more plenty couple bunch
    """
)
#: Role nouns that say a person's gender ("his wife, Melania", "spokeswoman
#: Jane Doe"): evidence for which person a later "he" or "she" can be.  Job
#: titles in "-man" are left out: women hold them too ("spokesman Hope Hicks").
GENDERED_ROLES = {
    **dict.fromkeys(
        words(
            """
            wife mother daughter sister widow grandmother aunt niece girlfriend
            spokeswoman congresswoman chairwoman businesswoman actress queen
            princess lady woman girl
            """
        ),
        "f",
    ),
    **dict.fromkeys(
        words(
            """
            husband father son brother widower grandfather uncle nephew
            boyfriend king prince man boy
            """
        ),
        "m",
    ),
}


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
    #: The organisation, group or place the source ties its person to.
    affiliation: str | None = None
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
        return t.is_space or (t.is_punct and t.text not in UNIT_SIGNS)

    while toks and droppable(toks[0]):
        toks.pop(0)
    end = len(toks)
    while end and droppable(toks[end - 1]):
        end -= 1
    # A bracket stays when its partner is inside: "Jason Chaffetz (R-Utah)".
    while end < len(toks) and toks[end].text in _CLOSE_BRACKETS:
        opening = _CLOSE_BRACKETS[toks[end].text]
        texts = [t.text for t in toks[:end]]
        if texts.count(opening) <= texts.count(toks[end].text):
            break
        end += 1
    return toks[:end]


#: Signs spaCy calls punctuation that belong to the number before them
#: ("as low as 19*%*").
UNIT_SIGNS = frozenset({"%", "‰"})
#: Closing brackets and their opening partners.
_CLOSE_BRACKETS = {")": "(", "]": "["}


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


#: A double quotation mark; some newswires write it as two apostrophes.
_QUOTE_MARK = re.compile("''|[\u201c\u201d\"\u00ab\u00bb\u201e]")


def quote_regions(text: str, paragraph_spans: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """Spans of double-quoted passages, marks included, within paragraphs.

    Curly quotes pair open with close and nest ('“... what he calls “hell”
    than ...”' is one passage); a closing mark where nothing is open that
    runs straight into a word ('”Mr. Trump embodies ...”') opens one, as its
    typist meant.  Straight quotes (and ``''``) alternate.  A quote left
    open at the end of a paragraph closes there (news style continues
    multi-paragraph quotes by reopening them).
    """
    regions = []
    for p_start, p_end in paragraph_spans:
        open_at, depth = None, 0
        for mark in _QUOTE_MARK.finditer(text, p_start, p_end):
            ch, at = mark.group(), mark.start()
            if open_at is None:
                starts_word = at + 1 < p_end and text[at + 1].isalnum()
                after_space = at == p_start or not text[at - 1].isalnum()
                if ch in ("“", '"', "«", "„", "''") or (ch == "”" and starts_word and after_space):
                    open_at, depth = at, 1
            elif ch in ("“", "„") and text[open_at] in ("“", "„", "”"):
                depth += 1
            elif ch in ("”", '"', "»", "''"):
                depth -= 1
                if depth == 0 or ch != "”":
                    regions.append((open_at, mark.end()))
                    open_at, depth = None, 0
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


#: Each document's named entities as ``(start, end, label)`` token offsets,
#: read once (see :func:`_entities`).  Offsets, not ``Span`` objects: a span
#: holds its ``Doc``, which would then never leave this cache.
_DOC_ENTS: weakref.WeakKeyDictionary[Doc, list[tuple[int, int, int]]] = weakref.WeakKeyDictionary()


def entities_within(doc_ents: Sequence[Span], start: int, end: int) -> list[Span]:
    """The entities of ``doc_ents`` (a document's, in order) inside the
    tokens ``[start, end)``: what ``Span.ents`` gives, found by bisection.

    ``Span.ents`` walks every entity of the document on each call, so a
    long document paid for its entities once per mention: a 415,000-character
    article spent 12 of its 13 s of attribution stage there.
    """
    return _ordered_within(doc_ents, start, end, lambda e: (e.start, e.end))


def _ordered_within(
    items: Sequence[T], start: int, end: int, bounds: Callable[[T], tuple[int, int]]
) -> list[T]:
    """The ``items`` (ordered, not overlapping) whose bounds lie in ``[start, end)``."""
    first = bisect.bisect_left(items, start, key=lambda item: bounds(item)[0])
    following = itertools.islice(items, first, None)
    return [
        i
        for i in itertools.takewhile(lambda i: bounds(i)[0] < end, following)
        if bounds(i)[1] <= end
    ]


def _entities(doc: Doc, span: tuple[int, int]) -> list[Span]:
    """The named entities inside the tokens of a character span (none for a
    span that holds no token)."""
    tokens = doc.char_span(*span, alignment_mode="expand")
    if tokens is None:
        return []
    if (ents := _DOC_ENTS.get(doc)) is None:
        ents = _DOC_ENTS[doc] = [(e.start, e.end, e.label) for e in doc.ents]
    inside = _ordered_within(ents, tokens.start, tokens.end, lambda e: (e[0], e[1]))
    return [Span(doc, start, end, label=label) for start, end, label in inside]


def _is_group_adjective(ent: Span) -> bool:
    """A party or nationality used as an adjective ("*Republican* insiders")."""
    return ent.label_ == "NORP" and ent.root.dep_ == "amod"


def _entity_in(doc: Doc, span: tuple[int, int], labels: set[str], head: Token | None = None):
    """The entity of one of ``labels`` inside ``span``: the one holding the
    head token if any, else the longest.  Some entities only describe the
    people who speak, they do not name them, and are passed over: a group
    adjective ("*Republican* insiders", "*Democratic* senators"; on an
    institution, "the *Turkish* government", it stands for the country and
    stays), a person's name on a group of people ("*McConnell* aides",
    "supporters of *Sanders*", "*Trump's* rivals": the aides speak, not
    McConnell) unless it names a member (:func:`_named_member`), and a body
    or place that a group of people is from or about but does not speak for
    (see :func:`_speaks_for`)."""
    people = head is not None and head.lemma_.lower() in PEOPLE_NOUNS
    group = head is not None and (
        (people and head.tag_ in ("NNS", "NNPS")) or head.lower_ in GROUP_PRONOUNS
    )
    best = None
    for ent in _entities(doc, span):
        if ent.label_ in labels and span[0] <= ent.start_char and ent.end_char <= span[1]:
            if head is not None and ent.start <= head.i < ent.end:
                return ent
            if people and _is_group_adjective(ent):
                continue
            if (
                ent.label_ == "PERSON"
                and head is not None
                and people
                and head.tag_ in ("NNS", "NNPS")
                and not _named_member(ent.root, head)
            ):
                continue  # many speak; one person's name only says whose they are
            if (
                group
                and ent.label_ != "PERSON"
                and not _speaks_for(ent, head)
                # "Proponents, including *the Conference of Mayors*"; but "many
                # of them conservative *Catholics*" only describes them.
                and (ent.label_ == "NORP" or not _named_member(ent.root, head))
            ):
                continue
            if _only_where(ent, head):
                continue
            if best is None or len(ent.text) > len(best.text):
                best = ent
    return best


def _only_where(ent: Span, head: Token | None) -> bool:
    """Whether a place in a source only says where a group is ("A handful
    of skywriters *in Pasadena, Calif.*", "political outsiders *in New
    Hampshire*"): a place under "in" or "at" in the phrase of a plural or
    counted common noun that does not speak for it (officials, spokesmen:
    see :data:`BODY_VOICES`).  One person "in Manchester" is described by
    the place (:func:`_one_person_described`); a report "in Politico"
    names its medium."""
    if head is None or head.pos_ != "NOUN" or ent.label_ not in ("GPE", "LOC", "FAC"):
        return False
    lemma = head.lemma_.lower()
    if head.tag_ != "NNS" and head.lower_ not in SHARE_WORDS:
        return False
    if lemma in BODY_VOICES or lemma in DOCUMENT_WORDS or lemma in MEDIA_WORDS:
        return False
    root = ent.root
    while root.dep_ == "appos" and root.head.i != root.i:
        root = root.head  # "Pasadena, *Calif.*"
    return root.dep_ == "pobj" and root.head.lower_ in ("in", "at")


def _speaks_for(ent: Span, people: Token) -> bool:
    """Whether a group of people speaks for a body or place its source names.

    Officials, leaders and members speak for the body their phrase names
    ("*Kremlin* officials", "officials in *Beijing*", "members of *Congress*"),
    so it is the speaker.  Other people are only from it or about it
    ("observers in *Virginia*", "critics of *the White House*", "*Flint*
    residents"): they are unnamed, and the body is their affiliation.  A
    body further down the phrase is about something else ("leaders of
    ethnic communities in *the U.S.*", "officials at HSI, a division of
    *ICE*")."""
    if people.lemma_.lower() not in BODY_VOICES:
        return False
    tok = ent.root
    while tok.dep_ in _NOUN_MODIFIERS and tok.head.i != people.i and tok.head.i != tok.i:
        tok = tok.head  # "*House* panel" in "members of the House panel"
    if tok.head.i == people.i:
        return tok.dep_ in _NOUN_MODIFIERS
    preposition = tok.head
    return tok.dep_ == "pobj" and preposition.dep_ == "prep" and preposition.head.i == people.i


_NOUN_MODIFIERS = frozenset({"compound", "amod", "nmod", "poss"})


def of_object(token: Token) -> Token | None:
    """The object of the token's "of": "*Democrats*" in "a number of
    Democrats", "*lawmakers*" in "dozens of lawmakers"."""
    of = next((c for c in token.children if c.dep_ == "prep" and c.lower_ == "of"), None)
    return None if of is None else next((c for c in of.children if c.dep_ == "pobj"), None)


def _counted_group(head: Token | None) -> Token | None:
    """The group a share of it stands for: "*Democrats*" in "a number of
    Democrats", "*aides*" in "one of his senior aides".  A share speaks as
    its group does, so the group's noun decides who the speaker is: "a
    number of GOP delegates" are unnamed delegates of the GOP, as "GOP
    delegates" are, not the GOP; "both of Trump's rivals" are not Trump."""
    for _ in range(3):
        if head is None or not (head.lower_ in SHARE_WORDS or head.like_num):
            break
        group = of_object(head)
        if group is None or not _can_speak(group):
            break  # "some of his *advertising*": the share word stays the head
        if any(c.dep_ == "conj" for c in group.children):
            break  # "a group of Republicans and Democrats": no one part speaks for it
        head = group
    return head


def _counted(head: Token | None, source_head: Token | None) -> bool:
    """Whether a group of people is counted or shared out, so that only some
    of them speak: through "of" ("*two of* the Republicans", see
    :func:`_counted_group`) or with a count before it ("*some* Democrats",
    "*three* Republicans")."""
    if head is None:
        return False
    if head is not source_head:
        return True
    return any(
        c.dep_ in ("det", "amod", "nummod") and (c.lower_ in SHARE_WORDS or c.like_num)
        for c in head.children
    )


def _can_speak(noun: Token) -> bool:
    """Whether a noun after "a share of" names something that can be a
    source: people ("aides", "Democrats"), or documents ("a number of
    *studies*").  Other nouns ("some of his *advertising*", "a handful of
    *states*") leave the share word as the head, so they stay unnamed."""
    lemma = noun.lemma_.lower()
    named = noun.pos_ == "PROPN" and noun.ent_type_ != ""  # not a mis-tagged "rabbis"
    return named or lemma in PEOPLE_NOUNS or lemma in DOCUMENT_WORDS


def _named_member(name: Token, group: Token) -> bool:
    """Whether a name inside a phrase about a group names one of its members
    ("candidates, *including* Hillary Clinton"; "the other candidates --
    Jeb Bush, John Kasich", an apposition to the group) rather than whose the
    group is ("McConnell aides", "aides to the majority leader, Mitch
    McConnell", "officials in Ms. Merkel's government").  What decides is
    the word that attaches the name's phrase to the group."""
    if any(c.lower_ in _MEMBER_WORDS and c.i < name.i for c in group.children):
        # "Some observers, *including* University of North Carolina
        # professor Zeynep Tufekci", even where the parser hangs the name on
        # a later preposition.
        return True
    tok = name
    for _ in range(8):
        if tok.head.i == group.i:
            return tok.dep_ == "appos"
        if tok.head.i == tok.i:
            return False
        if tok.dep_ == "appos" and tok.head.is_ancestor(group):
            return True  # "*One* of his advisers, Tad Devine": a share of the group
        tok = tok.head
    return False


_MEMBER_WORDS = frozenset({"including", "like", "as", "among"})


class SpeakerResolver:
    """Resolve pronoun and nominal sources to names, in reading order.

    People are tracked by surname so that "Kirby" maps back to the full name
    the article uses most ("John Kirby").  "he"/"she" take the most recent
    person who was the subject of a clause (subjects are what later pronouns
    refer to; "Obama said after meeting Putin. He ..." is Obama), skipping
    people of the other gender; a nominal source ("the spokesperson") takes
    the most recent person introduced with that role word ("Pentagon
    spokesperson John Kirby").

    A person's gender comes from a title ("Mrs.", "Mr."), else from a
    common given name ("Donald Trump"), else from a role noun ("his wife,
    Melania").  Without it, "She said ..." after "Donald Trump and his wife
    Melania" went to Donald Trump, the last subject.  A bare surname after a
    title takes the full name of that gender ("Mrs. Clinton" is Hillary
    Clinton, even where Bill Clinton is named more often).
    """

    def __init__(self, doc: Doc, quotes: Sequence[tuple[int, int]] = ()) -> None:
        self.doc = doc
        self._quotes = _merged(quotes)
        self._orgs: list[Span] | None = None  # see _bodies_named
        self.text = doc.text  # Doc.text joins the tokens on every access
        self._bodies = _body_names(doc.ents)
        named = [
            (e, _clean_name(e.text))
            for e in doc.ents
            if e.label_ == "PERSON" and not self._a_body(e)
        ]
        #: each person mention with its cleaned name and the gender its title gives
        people = [(e, name, _title_gender(e)) for e, name in named if name]
        self.full_names, self.by_given_name = _full_names_by_use(name for _, name, _ in people)
        #: surname, case-folded ("PENCE" in a transcript) -> as the article spells it
        self._surnames = {surname.casefold(): surname for surname in self.full_names}
        #: surname -> the gender of at least three in four titles on it ("Mr.
        #: Obama" throughout, "Mrs. Obama" once: a bare "Obama" or "President
        #: Obama" is not the "Michelle Obama" named once)
        title_genders: dict[str, collections.Counter[str]] = collections.defaultdict(
            collections.Counter
        )
        for _, name, title in people:
            if title:
                title_genders[name.split()[-1]][title] += 1
        self._surname_gender = {
            n: g.most_common(1)[0][0]
            for n, g in title_genders.items()
            if g.most_common(1)[0][1] >= 3 * (g.total() - g.most_common(1)[0][1])
        }
        #: (offset, full name) of each full name given as a clause's subject,
        #: in reading order: which of two people of one surname a bare
        #: surname means (see :meth:`_canonical`)
        self._subjects_named = [
            (e.start_char, n) for e, n, _ in people if len(n.split()) > 1 and _is_subject(e)
        ]
        self.mentions: list[Mention] = []
        #: (offset, role lemma, name, the mention that gave the role)
        self.roles: list[tuple[int, str, str, Span]] = []
        titled: dict[str, str] = {}  # name -> gender by a title ("Mrs.")
        described: dict[str, str] = {}  # name -> gender by a role noun ("his wife")
        for ent, name, title in people:
            canonical = self._canonical(name, title, ent.start_char)
            self.mentions.append(Mention(ent.start_char, canonical, _is_subject(ent)))
            role_words = _role_words(ent)
            if title:
                titled.setdefault(canonical, title)
            for t in role_words:
                if t.lower_ in GENDERED_ROLES:
                    described.setdefault(canonical, GENDERED_ROLES[t.lower_])
            for role in [t.lemma_.lower() for t in role_words] + _title_roles(ent):
                self.roles.append((ent.start_char, role, canonical, ent))
        self.mentions.extend(self._untagged_mentions())
        self.mentions.sort(key=lambda m: m.offset)
        for m in self.mentions:
            m.quoted = _in_a_region(m.offset, self._quotes)
        self._offsets = [m.offset for m in self.mentions]
        #: "m", "f" or absent per person: a title, else the given name, else
        #: a role noun (a woman may be a "spokesman": the name knows better).
        self.gender = {
            m.name: g
            for m in self.mentions
            if (g := titled.get(m.name) or given_name_gender(m.name) or described.get(m.name))
        }

    def _untagged_mentions(self) -> list[Mention]:
        """Mentions of people the entity recogniser missed: a proper noun
        that is the surname of someone the article names in full ("Ham"
        after "Gen. Norman Ham"; the small model calls "Trump" an ORG).
        Without them a pronoun skips back past the person the paragraph is
        about to the last one the recogniser tagged.  A surname inside a
        larger name ("the Clinton campaign", "Clinton Foundation") or after
        an article ("the Hill") mentions no one."""
        lower = self.doc.to_array([LOWER])
        ids = np.asarray([get_string_id(s) for s in self._surnames], dtype=np.uint64)
        found = []
        for i in np.flatnonzero(np.isin(lower, ids)).tolist():
            token = self.doc[i]
            if (
                token.pos_ != "PROPN"
                or token.ent_type_ == "PERSON"
                or token.dep_ == "compound"
                or (token.i > 0 and token.nbor(-1).dep_ == "det")
            ):
                continue
            spelled = self._surnames.get(token.text.casefold())
            if spelled is None or self._acronym(spelled):
                continue
            title = _title_gender(self.doc[token.i : token.i + 1])
            canonical = self._canonical(spelled, title, token.idx)
            found.append(Mention(token.idx, canonical, _is_subject(token)))
        return found

    def _a_body(self, ent: Span) -> bool:
        """Whether a PERSON entity names a company or body ("Patriot Coal",
        or "Patriot" where the article names "Patriot Coal")."""
        return ent[-1].lower_ in BODY_NAME_ENDINGS or ent.text in self._bodies

    def _canonical(self, name: str, gender: str | None = None, offset: int | None = None) -> str:
        """The full name a mention stands for; ``gender`` (from a title)
        passes over full names of the other gender; a bare surname without
        one takes the gender the article's titles give it.

        Where the article names two people of the surname, a bare surname at
        ``offset`` is the one last named in full as a clause's subject before
        it ("Patricia Smith, mother of Benghazi victim Sean Smith, rejected
        Clinton's claim. ... Smith said" is Patricia Smith), else the one
        named most."""
        if gender is None and len(name.split()) == 1:
            gender = self._surname_gender.get(name)
        known = self.full_names.get(name.split()[-1])
        if known is None and name.lower() in GIVEN_NAMES:
            # A given name alone ("Hillary") stands for the full name it opens.
            known = self.by_given_name.get(name)
        fitting = [
            full
            for full in known or ()
            if gender is None or given_name_gender(full) in (gender, None)
        ]
        if not fitting:
            return name
        best = fitting[0]
        if offset is not None and len(name.split()) == 1 and _different_people(fitting):
            before = [
                n
                for at, n in self._subjects_named
                if offset - SURNAME_REACH <= at < offset and n in fitting
            ]
            # "Clinton began to find *her* voice": not the man named last.
            said = self._clause_gender(offset)
            if before and said in (None, given_name_gender(before[-1])):
                best = before[-1]
        if len(name.split()) == 1 or name in best or best in name:
            return best
        return name  # another person of the same surname

    def _clause_gender(self, offset: int) -> str | None:
        """The gender the pronouns of the clause of the mention at
        ``offset`` give it ("Clinton *herself*", "Clinton began to find *her*
        voice"): "f", "m", or None where they give none or both."""
        token = _token_at(self.doc, offset)
        found = set()
        if token is not None:
            clause = token.head if token.dep_ in ("nsubj", "nsubjpass") else token
            found = {_PRONOUN_GENDER.get(t.lower_) for t in clause.subtree} - {None}
        return found.pop() if len(found) == 1 else None

    def _owner(self, head: Token | None) -> tuple[str | None, str] | None:
        """(speaker, source_type) of a source that is someone's campaign,
        spokesperson or staff member, or None.

        A campaign, spokesperson or lawyer speaks for the person whose it is
        ("Trump’s campaign", "Cameron’s spokesman": that person); a staff
        member is someone else, unnamed ("Sanders's campaign manager").  The
        recogniser tags many such possessors ORG ("Cameron’s"), so the
        owner is the person the article names in full with that surname.
        """
        if head is None or head.tag_ not in ("NN", "NNP"):
            return None
        lemma = head.lemma_.lower()
        if lemma not in _SPEAKS_FOR and lemma not in _STAFF:
            return None
        owner = next((c for c in head.children if c.dep_ == "poss"), None)
        name = None if owner is None else self._named_person(owner) or self._person_of(owner)
        if name is None:
            return None
        return (name, "person") if lemma in _SPEAKS_FOR else (None, "person")

    def _person_of(self, token: Token) -> str | None:
        """The canonical name of the PERSON entity ``token`` heads, if any."""
        ent = next((e for e in self.doc.ents if e.start <= token.i < e.end), None)
        if ent is None or ent.label_ != "PERSON" or self._a_body(ent):
            return None
        name = _clean_name(ent.text)
        return self._canonical(name, _title_gender(ent), ent.start_char)

    def _named_person(self, head: Token | None) -> str | None:
        """The full name of a person the article names, where the source is
        that person's surname (or full name) but the entity recogniser
        labelled it otherwise or not at all: the small model often calls
        "Trump" an ORG, and gives "Lynch", "DuVernay" or a transcript's
        "PENCE" no entity.  Only a proper noun heading the source counts
        ("the Trump campaign" stays the campaign), and only names the
        article gives in full as a person.  A name right after "the" is a
        title ("The Hill", "the Guardian"); "the more moderate Kasich" is
        still Kasich."""
        # (A possessor the tagger calls a noun counts: "*Trump*’s campaign".)
        if head is None or head.ent_type_ == "PERSON":
            return None
        if head.pos_ != "PROPN" and not (head.dep_ == "poss" and head.is_title):
            return None
        words: list[Token] = []  # the name's words before the head, contiguous
        for left in reversed(list(head.lefts)):
            if left.dep_ != "compound" or left.pos_ != "PROPN" or left.i != head.i - len(words) - 1:
                break
            words.insert(0, left)
        first = words[0] if words else head
        if first.i > 0 and first.nbor(-1).dep_ == "det" and first.nbor(-1).head == head:
            return None
        name = _clean_name(" ".join(t.text for t in [*words, head]))
        *given, surname = name.split() or [""]
        spelled = self._surnames.get(surname.casefold())
        if spelled is None or self._acronym(spelled):
            return None
        if given:  # a full name: only as the article gives it
            folded = name.casefold()
            return next((f for f in self.full_names[spelled] if f.casefold() == folded), None)
        title = _title_gender(self.doc[first.i : head.i + 1])
        full = self._canonical(spelled, title, head.idx)  # "Mr. Obama": Barack, not Michelle
        return full if full != spelled else None

    def _acronym(self, surname: str) -> bool:
        """A short capitalised "surname" in a full name not itself in
        capitals is an acronym: "the SVP" is the party, not "Junge SVP"
        misread as a person ("CRUZ" in a transcript naming "TED CRUZ" is
        Ted Cruz)."""
        return (
            surname.isupper()
            and len(surname) <= 4
            and any(not full.isupper() for full in self.full_names[surname])
        )

    def person_before(self, offset: int, pronoun: str = "") -> str | None:
        """The person a pronoun at ``offset`` most likely refers to."""
        wrong = {"he": "f", "she": "m", "him": "f", "her": "m", "his": "f"}.get(pronoun)
        i = bisect.bisect_left(self._offsets, offset) - 1
        fits = [
            m
            for m in reversed(self.mentions[: i + 1])
            if (wrong is None or self.gender.get(m.name) != wrong)
            and not m.quoted
            and offset - m.offset < PRONOUN_REACH
        ]
        subjects = [m for m in fits if m.subject]
        best = subjects[0] if subjects else fits[0] if fits else None
        return best.name if best else None

    def without_possessive(self, name: str | None) -> str | None:
        """A name without the possessive its mention carried ("*Cameron’s*
        spokesman", "*USA TODAY's* reporting", "*Bernie Sanders'* plan"),
        where the article also writes it bare: "McDonald's" keeps its "'s"."""
        if name is None:
            return None
        bare = re.sub(r"\s*(['’]s?|'')$", "", name)
        if bare == name or not bare:
            return name
        return bare if re.search(rf"{re.escape(bare)}(?!['’])", self.text) else name

    def resolve(self, attr: Attribution, previous: list[Attribution]) -> tuple[str | None, str]:
        """Return (speaker, source_type) for one attribution."""
        if not attr.source:
            return None, "none"
        doc = self.doc
        span = attr.source[0]
        text = self.text[span[0] : span[1]]
        low = text.lower()
        head = _counted_group(attr.source_head)
        if head is not None and head.idx >= span[1]:
            head = attr.source_head  # the group lies outside the phrase ("who" → "a handful")
        person = _entity_in(doc, span, {"PERSON"}, head)
        if person is not None and self._a_body(person):
            return person.text, "organization"  # "Patriot Coal", tagged PERSON
        if person is not None:
            name = _clean_name(person.text)
            return self._canonical(name, _title_gender(person), person.start_char), "person"
        named = _apposed_name(doc, span)
        if named is not None and _names_one_person(head):
            return self._canonical(named), "person"
        if (known := self._named_person(head)) is not None:
            return known, "person"
        if (owner := self._owner(head)) is not None:
            return owner  # after the names: "Trump's campaign manager, Corey Lewandowski"
        if low in RELATIVE_PRONOUNS:
            antecedent = _relative_antecedent(head)
            if antecedent is not None:
                phrase = (antecedent.left_edge.idx, antecedent.idx + len(antecedent))
                return self.resolve(
                    replace(attr, source=[phrase], source_head=antecedent), previous
                )
            if low == "who":
                # No clause to follow: "who" is someone, but the last person
                # named is as often a wrong guess as a right one.
                return None, "person"
        if low in PERSON_PRONOUNS:
            return self.person_before(span[0], low), "person"
        if low in AUTHOR_PRONOUNS:
            return None, "author"
        head_lemma = head.lemma_.lower() if head is not None else low.split()[-1]
        words = set(re.findall(r"[a-z]+", low))
        if low in PLURAL_PRONOUNS:
            group = _plural_antecedent(head)
            if group is not None:
                phrase = (group.left_edge.idx, group.idx + len(group))
                return self.resolve(replace(attr, source=[phrase], source_head=group), previous)
            if (group := _last_group(previous, span[0])) is not None:
                return group.speaker, group.source_type
            return None, "anonymous"
        org = _entity_in(doc, span, {"ORG", "GPE", "NORP"}, head)
        if words & MEDIA_WORDS and (
            org is not None or head_lemma not in PEOPLE_NOUNS | GROUP_PRONOUNS
        ):
            # Not "sources who spoke to Fox News": people, not the medium.
            return (org.text if org is not None else text), "media"
        if head_lemma in DOCUMENT_WORDS:
            return text, "document"
        if words & {"sources", "source"}:
            return None, "anonymous"  # "sources among U.S. officials": unnamed people
        generic = head_lemma in ANONYMOUS_WORDS
        described = None if org is None else _one_person_described(org, head, low)
        if described == "indefinite" and head_lemma not in SPOKESPEOPLE:
            # "a White House official", "a New York judge": someone unnamed,
            # of that body or place (their ``speaker_affiliation``).  A
            # spokesperson speaks for the body and keeps it.
            return None, "anonymous" if generic else "person"
        if described == "definite":
            # "The Florida senator", "the NFL legend": the place or body only
            # describes someone named before, by role if the article gave it
            # with the same place or body ("Florida Sen. Marco Rubio").
            if role := self._by_role(head_lemma, span[0], org.text):
                return role, "person"
            if org.root.text.casefold() in self._surnames:
                return None, "anonymous"  # "the Trump aide": someone of Trump's
            if not generic:  # "the State Department spokesman" keeps the department
                return None, "person"
        if org is not None and org.label_ == "NORP" and _counted(head, attr.source_head):
            # "some Republicans", "a handful of Democrats": a few people of
            # the party (their ``speaker_affiliation``), not its voice.
            return None, "anonymous"
        if org is not None:
            return org.text, "organization"
        if _refers_back(head, low, generic) and (
            role := self._by_role(head_lemma, span[0], _group_adjective(doc, span))
        ):
            return role, "person"
        if (
            head_lemma in BODY_NOUNS
            and re.fullmatch(r"the \w+", low)
            and (body := self._body_before(head_lemma, span[0])) is not None
        ):
            return body, "organization"
        if generic:
            return None, "anonymous"
        if head is not None and head.pos_ == "PROPN":
            return text, "organization"
        return None, "anonymous"

    def _bodies_named(self) -> list[Span]:
        """The organisations the article names outside quotations, in order."""
        if self._orgs is None:
            self._orgs = [
                e
                for e in self.doc.ents
                if e.label_ == "ORG" and not _in_a_region(e.start_char, self._quotes)
            ]
        return self._orgs

    def _body_before(self, noun: str, offset: int) -> str | None:
        """The organisation "the group", "the union" or "the fund" refers
        back to: the last organisation named before ``offset`` whose name
        ends in that noun ("the Tax Policy *Center*" for "the center"), else
        the last one that was the subject of a clause in the sentence before
        or its own ("The Tax Policy Center ... came to a similar conclusion.
        ..., the group said")."""
        sent = self.doc.char_span(offset, offset + 1, alignment_mode="expand")
        if sent is None:
            return None
        here = sent.sent
        before = self.doc[here.start - 1].sent if here.start > 0 else here
        bodies = [e for e in self._bodies_named() if e.end_char <= offset]
        for ent in reversed(bodies):
            if offset - ent.start_char > PRONOUN_REACH:
                break
            if len(ent) > 1 and ent[-1].lemma_.lower() == noun:
                return ent.text
        for ent in reversed(bodies):
            if ent.start < before.start:
                break
            if _is_subject(ent):
                return ent.text
        return None

    def affiliation(self, attr: Attribution) -> str | None:
        """The organisation, group or place a person's source ties them to.

        An anonymous source is often all its affiliation ("a White House
        official", "one GOP source in the room"), and a named one is often
        introduced with it ("Michael O'Hanlon, a foreign policy expert at
        the Brookings Institution"): analysts count voices by the body they
        speak for.  Only for people, named or not; an organisation, a
        medium or a document is its own affiliation.  None when the source
        names no such entity besides the speaker, or only a surname the
        recogniser took for an organisation ("McCrory's opponent").
        """
        if attr.source_type not in ("person", "anonymous"):
            return None
        found = [
            ent
            for start, end in attr.source
            for ent in _entities(self.doc, (start, end))
            if ent.label_ in AFFILIATION_LABELS
            and start <= ent.start_char
            and ent.end_char <= end
            and (attr.speaker is None or ent.text not in attr.speaker)
            and ent.root.text.casefold() not in self._surnames
            and _describes_the_person(ent, start)
        ]
        party = next(
            (
                m
                for start, end in attr.source
                if (m := _PARTY_TAG.search(self.text, start, end)) is not None
            ),
            None,
        )
        if party is not None and not any(e.label_ == "ORG" for e in found):
            # "Jason Chaffetz (R-Utah)": the party, not the state.
            return PARTY_NAMES[party.group(1)]
        if not found:
            return None
        best = min(found, key=lambda e: (AFFILIATION_LABELS.index(e.label_), -e.start))
        return re.sub(r"['’]s$", "", best.text)

    def _by_role(self, lemma: str, offset: int, modifier: str | None = None) -> str | None:
        """The last person before ``offset`` introduced with role ``lemma``
        (and, given a ``modifier``, with it in the same sentence)."""
        for start, role, name, mention in reversed(self.roles):
            if start >= offset or role != lemma:
                continue
            if not modifier or _mentions(mention.sent.text.lower(), modifier):
                return name
        return None


def affiliation_key(affiliation: str | None) -> str | None:
    """The affiliation as analysts count voices: one name for "GOP",
    "Republicans" and "Republican", for "Fla." and "Florida", for "the
    White House" and "White House" (see :data:`AFFILIATION_ALIASES` and
    :data:`AP_STATES`).

    A copy for grouping: ``speaker_affiliation`` keeps the article's words.
    An affiliation without an alias keeps its spelling, less a lowercase
    leading "the".
    """
    if not affiliation:
        return affiliation
    name = affiliation.strip()
    article, _, rest = name.partition(" ")
    if article.casefold() == "the" and rest.casefold() in THE_NAMES:
        return f"The {rest}"  # "the Bahamas", "The Bahamas"
    # Only a lowercase "the": a capital one may be the name's ("The Hill",
    # the newspaper, is not Capitol Hill).
    if article == "the" and rest:
        name = rest
    folded = name.casefold()
    return AP_STATES.get(folded) or AFFILIATION_ALIASES.get(folded.replace(".", ""), name)


def speaker_key(speaker: str | None, source_type: str | None) -> str | None:
    """The speaker as analysts count voices: one name for "The State
    Department" (a source opening a sentence), "the State Department" and
    "State Department", one for "The poll", "the poll" and "Poll".

    A copy for grouping, like :func:`affiliation_key`: ``speaker`` keeps the
    article's words.  A person's name is already one spelling (the full
    name the article uses most); a body's loses a leading "the" of either
    case (except "The Hague"-like names, :data:`THE_NAMES`) and takes its
    alias; a document's kind opening the phrase ("Poll", "The report") is
    lower case ("Gallup poll" keeps its name).
    """
    if not speaker or not speaker.strip():
        return None
    name = " ".join(speaker.split())  # runs of spaces, no-break spaces
    if source_type == "person":
        return name
    article, _, rest = name.partition(" ")
    if article.casefold() == "the" and rest and rest.casefold() not in THE_NAMES:
        name = rest
    key = affiliation_key(name) or name
    first, _, others = key.partition(" ")
    if source_type == "document" and _singular(first.casefold()) in DOCUMENT_WORDS:
        key = f"{first.casefold()} {others}".strip()  # "Poll", "EMAIL" open a sentence
    return key


def _singular(word: str) -> str:
    return word[:-1] if word.endswith("s") and word[:-1] in DOCUMENT_WORDS else word


#: The letter a party takes after a US politician's name ("Sen. Elizabeth
#: Warren (*D*-Mass.)", "Sen. Richard Burr (*R*-N.C.)").
PARTY_LETTERS = {"democratic": "d", "democrat": "d", "republican": "r", "gop": "r"}
#: A lawmaker's party and state, after the name: "(R-Utah)", ", D-N.Y.,".
_PARTY_TAG = re.compile(r"(?<![\w-])([DRI])\s?[-–]\s?[A-Z][A-Za-z.]*")
PARTY_NAMES = {"D": "Democratic", "R": "Republican", "I": "Independent"}


#: Entity labels an affiliation is read from, the most telling first: an
#: organisation ("an expert at *the Brookings Institution*") before a group
#: ("a *Republican* strategist") before a place ("a senior *U.S.* official").
AFFILIATION_LABELS = ("ORG", "NORP", "GPE")

#: Prepositions that tie a person to a body or place ("Gov. Tomblin *of*
#: West Virginia", "a professor *at* Princeton", "the top Democrat *on* the
#: committee"), unlike "a consultant *on* Burma" for a place.
_ORG_PREPOSITIONS = frozenset({"of", "from", "in", "at", "for", "with", "on"})
_PLACE_PREPOSITIONS = frozenset({"of", "from", "in", "at", "for"})


def _describes_the_person(ent: Span, source_start: int) -> bool:
    """Whether a body, group or place in a source says whom the person
    belongs to, not what they did: outside a clause, only under a
    preposition that ties ("an expert *at* Brookings", not "a consultant *on*
    Burma"); inside one ("who ..."), only a body they work at or head
    ("who studies tax policy *at* the American Enterprise Institute", "who
    heads *the Center*"), not where they went ("who accompanied her to
    Burma"), what they wrote about ("a book analyzing *GOP* debates") or
    where a thing happened ("a speech she delivered at *New York
    University*")."""
    root = ent.root
    org = ent.label_ == "ORG"
    under_preposition = root.dep_ == "pobj"
    ties = _ORG_PREPOSITIONS if org else _PLACE_PREPOSITIONS
    if under_preposition and root.head.lower_ not in ties:
        return False
    clauses = []
    tok = root
    while tok.head.i != tok.i and tok.head.idx >= source_start:
        if tok.dep_ in ("relcl", "acl", "advcl") or tok.pos_ == "VERB":
            clauses.append(tok)
        tok = tok.head
    if not clauses:
        return True
    clause = clauses[0]
    if not org or (clause.dep_ == "relcl" and not _said_of_the_person(clause)):
        return False
    # "teaching *at* New York University", "who heads *the Center*"; not
    # "one of the states suing *the EPA*".
    return under_preposition or (root.dep_ == "dobj" and clause.dep_ == "relcl")


def _said_of_the_person(clause: Token) -> bool:
    """Whether a clause in a source is about the person ("*who* heads the
    Center"), not about a thing the source names ("a speech *Mrs. Clinton*
    delivered at New York University", "a book analyzing ...")."""
    return any(c.dep_ == "nsubj" and c.lower_ in ("who", "that") for c in clause.children)


def _relative_antecedent(pronoun: Token | None) -> Token | None:
    """The noun a relative pronoun stands for ("Jane Doe, *who* said ..." →
    Doe): the head of the relative clause it opens.  Where the clause hangs
    on an apposition ("Doe, a spokeswoman, who said"), the noun apposed to.
    None when the parse has no relative clause above the pronoun."""
    if pronoun is None:
        return None
    tok = pronoun.head
    for _ in range(3):
        if tok.dep_ == "relcl":
            antecedent = tok.head
            if pronoun.lower_ == "who":
                antecedent = _person_antecedent(antecedent, pronoun)
            elif antecedent.dep_ == "appos" and antecedent.head.pos_ in ("NOUN", "PROPN"):
                antecedent = antecedent.head
            return antecedent if antecedent.pos_ in ("NOUN", "PROPN") else None
        if tok.dep_ not in ("conj", "xcomp", "ccomp", "aux"):
            return None
        tok = tok.head
    return None


def _mentions(sentence: str, words: str) -> bool:
    """Whether lower-cased ``sentence`` holds ``words`` as whole words, or
    the party letter that stands for them ("(d-mass.)" for "Democratic")."""
    if re.search(rf"(?<!\w){re.escape(words.lower())}(?!\w)", sentence):
        return True
    letter = PARTY_LETTERS.get(words.lower())
    return letter is not None and re.search(rf"\(\s*{letter}\s*[-–)]", sentence) is not None


def _one_person_described(entity: Span, head: Token | None, low: str) -> str | None:
    """Whether a source describes one person that an entity only modifies,
    and how: ``"definite"`` for someone named before ("*The Florida*
    senator", "the *NFL* legend", "*the Senate Democratic* leader"),
    ``"indefinite"`` for someone new ("a *White House* official", "a *New
    York* judge", a headline's "Senator from *Texas*"); None for the entity
    itself or a group of its people ("E.U. leaders")."""
    if head is None or entity.start <= head.i < entity.end or head.tag_ not in ("NN", "NNP"):
        return None
    if head.lemma_.lower() not in ONE_PERSON_NOUNS:
        return None
    if head.tag_ == "NN" and re.match(r"^(the|this|that)\b", low):
        return "definite"
    if head.tag_ == "NN" and re.match(r"^(a|an|another|one)\b", low):
        return "indefinite"
    if head.left_edge.i == head.i and entity.root.dep_ == "pobj":
        # A headline's bare "Senator from *Texas*": no determiner, nothing
        # before the noun, the place under a preposition on it.
        return "indefinite" if entity.root.head.head.i == head.i else None
    return None


def _group_adjective(doc: Doc, span: tuple[int, int]) -> str | None:
    """A party or nationality describing the source ("the *Republican*
    nominee"): the person it refers back to was introduced with it."""
    for ent in _entities(doc, span):
        if _is_group_adjective(ent):
            return ent.text
    return None


def _refers_back(head: Token | None, low: str, generic: bool) -> bool:
    """Whether a role noun can stand for a person named before: singular and
    not introduced as new ("the senator", not "a longtime adviser" or
    "candidates").  A ``generic`` word ("spokesperson", "official", any of
    :data:`ANONYMOUS_WORDS`) needs a definite determiner: "the spokesperson"
    is the one named before, "a spokesperson" or "officials" nobody known."""
    if head is not None and head.tag_ in ("NNS", "NNPS"):
        return False
    if generic:
        return re.match(r"^(the|this|that)\b", low) is not None
    return not re.match(r"^(a|an|another|one|some|any)\b", low)


def _plural_antecedent(pronoun: Token | None) -> Token | None:
    """The group "they" most likely stands for: the nearest plural subject
    before it in its own sentence, not of what they say ("Republicans tie
    her to an administration that *they* view as ineffective"), else the last
    plural subject of the sentence before, a subject of its main verb first
    ("*Republicans* say Democrats are trying to distract. They say ...").
    None when there is none (the caller falls back)."""
    if pronoun is None:
        return None
    sent = pronoun.sent
    # Not the subject of what "they" say: in '"Democrats are desperate," they
    # said' the reported clause hangs on the pronoun's own verb.
    own = [
        t
        for t in sent
        if t.i < pronoun.i
        and _plural_subject(t)
        and not (t.head.head.i == pronoun.head.i and t.head.dep_ in ("ccomp", "parataxis"))
    ]
    if own:
        return own[-1]
    if sent.start == 0:
        return None
    before = pronoun.doc[sent.start - 1].sent
    subjects = [t for t in before if _plural_subject(t)]
    main = [t for t in subjects if t.head == before.root]
    return (main or subjects or [None])[-1]


def _last_group(previous: Sequence[Attribution], offset: int) -> Attribution | None:
    """The group a "they" with no plural subject near it continues: the last
    attribution, near enough, whose source was a plural noun naming the
    group that speaks ("*Republicans* say ...", later "They are also
    focused on ..."), or a "they" already resolved to such a group.

    Not one person or place found inside a group ("candidates like Marco
    Rubio", "the chairs from Jefferson"), not a document ("polls").  The
    rule before, the last speaker not a person whatever its source, was
    right for about one such "they" in eight on PolNeAR's training
    articles (77 guesses); this one for about eight in thirteen, and the
    others stay anonymous."""
    for prev in reversed(previous):
        if not prev.source:
            continue
        if offset - prev.source[0][0] > PRONOUN_REACH:
            return None
        if _names_a_group(prev):
            return prev
    return None


def _names_a_group(attr: Attribution) -> bool:
    """Whether an attribution's speaker is a group its source names: a
    plural noun that is the speaker itself ("Republicans", "These
    Republicans"), or a "they" resolved to a group before."""
    head = attr.source_head
    if not attr.speaker or attr.source_type != "organization" or head is None:
        return False
    if head.lower_ in PLURAL_PRONOUNS:
        return True
    return head.tag_ in ("NNS", "NNPS") and head.text.casefold() in attr.speaker.casefold()


def _plural_subject(tok: Token) -> bool:
    return (
        tok.dep_ in ("nsubj", "nsubjpass")
        and tok.tag_ in ("NNS", "NNPS")
        and tok.lower_ not in PLURAL_PRONOUNS
    )


def _person_antecedent(noun: Token, who: Token) -> Token:
    """The person "who" refers to, from the noun its clause hangs on.

    The parser often hangs the clause on the nearest noun of a place or
    organisation ("Tim Hess, a developer in *Virginia*, who introduced ...")
    or of the person a role is held for ("a longtime adviser to *Trump*,
    who declined to be identified"); such a noun passes the clause up to the
    noun it describes.  An apposition passes it to its name ("a developer"
    → Hess), unless it is a name itself ("his wife, Laura, who spoke").  In a list of names the
    clause goes to the name right before it ("Will Smith, Patti LaBelle and
    Stevie Wonder, who joked").
    """
    for _ in range(4):
        described = noun.head.head
        if (
            noun.dep_ == "pobj"
            and described.pos_ in ("NOUN", "PROPN")
            and (
                noun.ent_type_ in ("GPE", "LOC", "FAC", "ORG")
                or described.lemma_.lower() in ROLE_NOUNS
            )
        ):
            noun = described
        elif (
            noun.dep_ == "appos"
            and noun.ent_type_ != "PERSON"
            and noun.head.pos_ in ("NOUN", "PROPN")
        ):
            noun = noun.head
        else:
            break
    names = [c for c in (noun, *noun.conjuncts) if c.ent_type_ == "PERSON" and c.i < who.i]
    if len(names) > 1 and noun.ent_type_ == "PERSON":
        return max(names, key=lambda c: c.i)
    return noun


def _merged(regions: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Regions sorted, overlapping or nested ones merged into one."""
    out: list[tuple[int, int]] = []
    for start, end in sorted(regions):
        if out and start < out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def _in_a_region(offset: int, regions: Sequence[tuple[int, int]]) -> bool:
    """Whether ``offset`` lies in one of the sorted, non-overlapping
    ``regions`` (quotations)."""
    i = bisect.bisect_right(regions, (offset, math.inf)) - 1
    return i >= 0 and regions[i][0] <= offset < regions[i][1]


#: How far back (characters) a pronoun looks for the person it refers to.
PRONOUN_REACH = 2500
#: Pronouns that give their person's gender.
_PRONOUN_GENDER = {
    **dict.fromkeys(("she", "her", "herself", "hers"), "f"),
    **dict.fromkeys(("he", "him", "himself", "his"), "m"),
}
#: How far back (characters) a full name given as a subject decides which of
#: two people of one surname a bare surname means (see ``_canonical``);
#: further back, the person the article names most.
SURNAME_REACH = 600


@dataclass
class Mention:
    """A person named in the article."""

    offset: int
    name: str
    subject: bool
    #: Named inside a quotation: "'Obama and Michelle ...,' she said" is not
    #: about Obama, and the speaker of a quote is not named in it.
    quoted: bool = False


def _full_names_by_use(
    names: Iterable[str],
) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """The multi-word names an article gives, most used first (first seen
    first on ties): by surname, and by the given name they open with."""
    counts = collections.Counter(n for n in names if len(n.split()) > 1)
    by_surname: dict[str, list[str]] = {}
    by_given: dict[str, list[str]] = {}
    for name in sorted(counts, key=lambda n: -counts[n]):
        by_surname.setdefault(name.split()[-1], []).append(name)
        by_given.setdefault(name.split()[0], []).append(name)
    return by_surname, by_given


def _different_people(names: Sequence[str]) -> bool:
    """Whether full names of one surname are different people, not one
    person's variants ("Loretta E. Lynch", "AG Mukasey", "Billionaire Donald
    Trump", "Ken" and "Kenneth Starr"): each opens with a known given name,
    none the start of another."""
    firsts = [n.split()[0].lower() for n in names]
    return (
        len(names) > 1
        and all(map(given_name_gender, names))
        # "Ken" and "Kenneth", "Pete" and "Peter": one person's short name
        and not any(a.startswith(b) for a, b in itertools.permutations(firsts, 2))
    )


def given_name_gender(name: str) -> str | None:
    """ "f" or "m" when a multi-word name opens with a given name of one
    gender (:data:`~transforms.lexicon.FEMALE_NAMES`), else None."""
    parts = name.split()
    if len(parts) < 2:
        return None
    first = parts[0].lower()
    return "f" if first in FEMALE_NAMES else "m" if first in MALE_NAMES else None


def _is_subject(ent: Span | Token) -> bool:
    """Whether a name is (or is in apposition to) the subject of a clause;
    a name that only modifies a noun ("the Clinton campaign took") is not."""
    root = ent.root if isinstance(ent, Span) else ent
    if root.dep_ == "appos" or (root.dep_ == "compound" and root.head.pos_ == "PROPN"):
        root = root.head
    return root.dep_ in ("nsubj", "nsubjpass")


def _title_words(ent: Span) -> list[str]:
    """Where a title stands: the word before a name and its first word,
    lower-cased without the abbreviation's full stop ("Mrs.", "Sen.")."""
    words = [ent.doc[ent.start - 1].text] if ent.start > 0 else []
    return [w.rstrip(".").lower() for w in [*words, ent[0].text]]


def _title_gender(ent: Span) -> str | None:
    """ "m" or "f" when a title gives the person's gender ("Mrs. Clinton")."""
    for title in _title_words(ent):
        if title == "mr":
            return "m"
        if title in ("mrs", "ms"):
            return "f"
    return None


#: Titles that say a role ("Sen. Marco Rubio" is "the Florida senator",
#: "President Obama" "the president", "Mayor Bill de Blasio" "the mayor").
TITLE_ROLES = {
    "sen": ("senator",),
    "senator": ("senator",),
    "rep": ("representative", "congressman", "congresswoman", "lawmaker"),
    "gov": ("governor",),
    "governor": ("governor",),
    "president": ("president",),
    "mayor": ("mayor",),
    "secretary": ("secretary",),
    "minister": ("minister",),
    "chancellor": ("chancellor",),
    "judge": ("judge",),
    "ambassador": ("ambassador",),
    "gen": ("general",),
    "general": ("general",),
}


def _title_roles(ent: Span) -> list[str]:
    """The roles a title before or opening a name gives ("Sen.", "Gov.");
    none where a word before the title makes it another office ("Vice
    President Joseph R. Biden Jr." is not "the president")."""
    doc, roles = ent.doc, []
    # The title stands before the name or opens it ("President" inside the
    # entity "President Joe Biden"); either way the word before it counts.
    for i in (ent.start - 1, ent.start) if ent.start > 0 else (ent.start,):
        title = doc[i].text.rstrip(".").lower()
        if title in TITLE_ROLES and not (i > 0 and doc[i - 1].lower_ in LESSER_TITLES):
            roles.extend(TITLE_ROLES[title])
    return roles


#: Words that make a title another office: "Vice President", "Deputy Secretary".
LESSER_TITLES = frozenset({"vice", "deputy", "assistant", "under", "acting"})


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


#: Entity labels of proper nouns that describe a person rather than name one.
_NOT_NAMES = frozenset({"NORP", "GPE", "LOC"})


def _apposed_name(doc: Doc, span: tuple[int, int]) -> str | None:
    """ "The head of X, Oleksiy Danilov": a proper name in apposition inside
    the source span (the parser may attach it to any noun of the phrase)."""
    piece = doc.char_span(span[0], span[1], alignment_mode="expand")
    if piece is None:
        return None
    for tok in piece:
        # "One voter, a lifelong *Democrat*": a party or a place describes.
        if tok.dep_ == "appos" and tok.pos_ == "PROPN" and tok.ent_type_ not in _NOT_NAMES:
            names = [tok]
            for left in reversed(list(tok.lefts)):
                if left.dep_ == "compound" and left.pos_ == "PROPN" and left.i == names[0].i - 1:
                    names.insert(0, left)
            return " ".join(t.text for t in names)
    return None


def _names_one_person(head: Token | None) -> bool:
    """Whether a source's head noun is one person a name in apposition can
    name: a role ("the head of X, Oleksiy Danilov") or any singular noun for
    a person ("One Republican presidential *hopeful*, Carly Fiorina", where
    the small model tags the name ORG); not a group ("his rivals, Jeb Bush
    and John Kasich": the name is one of them)."""
    if head is None:
        return False
    lemma = head.lemma_.lower()
    return lemma in PERSON_ROLES or (head.tag_ in ("NN", "NNP") and lemma in ONE_PERSON_NOUNS)


def _body_names(ents: Iterable[Span]) -> frozenset[str]:
    """The short forms of the article's company and body names: "Patriot"
    for "Patriot Coal", so that a bare "Patriot", which the small model
    may call a PERSON, is not taken for one.  A short form that is also a
    person's surname in the article ("Clinton" of "Hillary Clinton" beside
    the "Clinton Foundation") stays a person's."""
    ents = list(ents)
    bodies = [
        e
        for e in ents
        if e.label_ in ("PERSON", "ORG") and len(e) > 1 and e[-1].lower_ in BODY_NAME_ENDINGS
    ]
    surnames = {
        e[-1].text
        for e in ents
        if e.label_ == "PERSON" and len(e) > 1 and not any(e is b for b in bodies)
    }
    return frozenset(e[0].text for e in bodies) - surnames


def _clean_name(text: str) -> str:
    text = re.sub(r"['’]s$", "", text.strip())
    return re.sub(r"^(Mr|Mrs|Ms|Dr|President|Sen|Rep|Gov)\.?\s+", "", text)


# --------------------------------------------------------------- learned model
#
# Two small linear models, trained on PolNeAR train (``claimflow train
# attributions``) and passed in as a plain dict ``{"cue": ..., "role": ...}``:
#
# * the cue model scores every candidate token as the *anchor* of a cue (the
#   token of the cue span that governs the others: "said" in "has said",
#   "according" in "according to");
# * the role model labels the syntactic neighbours of an anchor (its
#   children's subtrees, its governor's clause, the governor's subject) as
#   ``source``, ``content`` or ``none``.
#
# The parse proposes the boundaries, the models decide; quotation marks then
# stretch a content to its whole quotation.  Features are strings so the
# weights stay readable and the artifact is a small JSON file.

#: Parts of speech that can anchor a cue (verbs, "according", noun cues such
#: as "statement" or "view", ":" in "Trump: ...").
CUE_POS = frozenset({"VERB", "AUX", "NOUN", "ADJ", "ADP", "PUNCT", "ADV", "PROPN"})
_NOT_ARGUMENT = frozenset({"aux", "auxpass", "neg", "punct", "prt", "cc", "dep", "case"})
ROLE_LABELS = ("none", "source", "content")


def is_cue_candidate(tok: Token) -> bool:
    """Tokens the cue model looks at: content words, "according", ":"."""
    if tok.pos_ == "PUNCT":
        return tok.text in (":", "—")
    return tok.pos_ in CUE_POS and tok.is_alpha


def cue_features(tok: Token, in_quote: bool) -> list[str]:
    """Features of a candidate cue anchor: its word, its syntax, its arguments."""
    lemma = tok.lemma_.lower()
    deps = sorted({c.dep_ for c in tok.children})
    feats = [
        "bias",
        f"l={lemma}",
        f"w={tok.lower_}",
        f"p={tok.pos_}",
        f"t={tok.tag_}",
        f"d={tok.dep_}",
        f"l|t={lemma}|{tok.tag_}",
        f"l|d={lemma}|{tok.dep_}",
        f"hl={tok.head.lemma_.lower()}",
        f"hd={tok.head.dep_}|{tok.dep_}",
        f"q={in_quote}",
        f"l|q={lemma}|{in_quote}",
        f"nw={_next(tok).lower_}",
        f"pw={_prev(tok).lower_}",
        f"l|nw={lemma}|{_next(tok).lower_}",
        f"l|pw={lemma}|{_prev(tok).lower_}",
    ]
    for dep in deps:
        feats.append(f"c={dep}")
        feats.append(f"l|c={lemma}|{dep}")
    feats.append(f"l|cs={lemma}|{'+'.join(d for d in deps if d in _ARG_DEPS)}")
    if lemma in CUE_VERBS:
        feats.append("lex")
    feats.extend(_argument_features(tok, lemma))
    return feats


def _argument_features(tok: Token, lemma: str) -> list[str]:
    """What the candidate's subject and complement look like: a person as
    subject and a "that" clause as complement make a cue likely."""
    feats = []
    for child in tok.children:
        if child.dep_ in ("nsubj", "nsubjpass"):
            kind = child.ent_type_ or ("PRON" if child.pos_ == "PRON" else child.pos_)
            feats += [f"subj={kind}", f"l|subj={lemma}|{kind}"]
        elif child.dep_ in ("ccomp", "xcomp"):
            first = child.left_edge
            feats += [f"comp1={child.dep_}|{first.lower_}", f"compt={child.dep_}|{child.tag_}"]
            feats.append(f"l|comp1={lemma}|{child.dep_}|{first.lower_ == 'that'}")
        elif child.dep_ == "dobj":
            feats.append(f"l|obj={lemma}|{child.ent_type_ or child.pos_}")
    return feats


_ARG_DEPS = frozenset({"nsubj", "nsubjpass", "ccomp", "xcomp", "dobj", "prep", "advcl", "dative"})


def _next(tok: Token) -> Token:
    return tok.doc[tok.i + 1] if tok.i + 1 < len(tok.doc) else tok


def _prev(tok: Token) -> Token:
    return tok.doc[tok.i - 1] if tok.i > 0 else tok


def learned_cue_tokens(anchor: Token) -> list[Token]:
    """The cue span around an anchor: its auxiliaries and negation before it,
    a particle or "to" right after it ("called for", "according to")."""
    tokens = _cue_tokens(anchor)
    nxt = _next(anchor)
    if nxt.head == anchor and (
        nxt.dep_ == "prt" or (anchor.lower_ == "according" and nxt.lower_ == "to")
    ):
        tokens.append(nxt)
    return tokens


@dataclass
class Candidate:
    """A syntactic neighbour of a cue anchor that may be its source or content."""

    kind: str  # "child", "governor" or "gov_subject"
    head: Token
    tokens: list[Token]
    #: The phrase's relation to the anchor where ``head`` no longer carries
    #: it (see :func:`_past_the_dateline`); empty: read it off ``head``.
    relation: str = ""

    @property
    def rel(self) -> str:
        """How the phrase hangs off the anchor: its head's dependency label
        for a child, else the kind of neighbour it is."""
        if self.relation:
            return self.relation
        return self.kind if self.kind != "child" else self.head.dep_


def argument_candidates(anchor: Token, cue: Sequence[Token]) -> list[Candidate]:
    """Children's subtrees, the governing clause and the governor's subject.

    "according to X": the children of "to" stand in for those of the anchor.
    """
    cue_ids = {t.i for t in cue}
    heads = [anchor] + [t for t in cue if t.i != anchor.i and t.head == anchor]
    out = []
    for head in heads:
        for child in head.children:
            if child.i in cue_ids or child.dep_ in _NOT_ARGUMENT:
                continue
            toks = _subtree_span(child)
            if toks:
                out.append(Candidate("child", child, toks))
    gov = anchor.head
    if gov.i != anchor.i:
        toks = [t for t in _subtree_span(gov, exclude=[anchor]) if t.i not in cue_ids]
        if toks:
            out.append(Candidate("governor", gov, _trim(anchor.doc, toks[0].i, toks[-1].i + 1)))
        if not any(c.dep_ in _SUBJECT_DEPS for c in anchor.children):
            for child in gov.children:
                if child.dep_ in ("nsubj", "nsubjpass") and child.i not in cue_ids:
                    out.append(Candidate("gov_subject", child, _subtree_span(child)))
    return [c for c in out if c.tokens]


def role_features(anchor: Token, cand: Candidate) -> list[str]:
    """Features of one candidate argument of one cue anchor."""
    lemma = anchor.lemma_.lower()
    head = cand.head
    side = "L" if cand.tokens[0].i < anchor.i else "R"
    first = cand.tokens[0]
    rel = cand.rel
    return [
        "bias",
        f"r={rel}",
        f"r|s={rel}|{side}",
        f"r|ad={rel}|{anchor.dep_}",
        f"r|l={rel}|{lemma}",
        f"r|p={rel}|{head.pos_}",
        f"r|t={rel}|{head.tag_}",
        f"r|hl={rel}|{head.lemma_.lower()}",
        f"r|f={rel}|{first.lower_ if not first.is_alpha or first.is_stop else first.pos_}",
        f"r|len={rel}|{min(len(cand.tokens), 6)}",
        f"r|ap={rel}|{anchor.pos_}",
        f"l={lemma}",
        f"ad={anchor.dep_}",
        f"r|quote={rel}|{any(t.text in _DOUBLE_QUOTES for t in cand.tokens)}",
    ]


def _score(weights: dict[str, float], feats: Iterable[str]) -> float:
    return sum(weights.get(f, 0.0) for f in feats)


def cue_probability(model: dict, tok: Token, in_quote: bool) -> float:
    """Probability that ``tok`` anchors a cue (logistic model)."""
    z = model["cue"]["intercept"] + _score(model["cue"]["weights"], cue_features(tok, in_quote))
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


def role_scores(model: dict, anchor: Token, cand: Candidate) -> list[float]:
    """Linear scores of each role label for a candidate (higher is likelier)."""
    feats = role_features(anchor, cand)
    role = model["role"]
    return [
        role["intercept"][k] + _score(role["weights"][k], feats) for k in range(len(ROLE_LABELS))
    ]


def learned_attribution(
    anchor: Token, prob: float, model: dict, quotes: Sequence[tuple[int, int]], text: str
) -> Attribution | None:
    """The attribution anchored at a predicted cue, or None without a content."""
    cue = learned_cue_tokens(anchor)
    sources, content = [], []
    for cand in map(_past_the_dateline, argument_candidates(anchor, cue)):
        scores = role_scores(model, anchor, cand)
        label = ROLE_LABELS[max(range(len(scores)), key=scores.__getitem__)]
        if cand.head.dep_ == "acomp":
            continue  # "felt tired" describes a person, it reports nothing
        if label == "content" and _is_cue_preposition(cand, cue):
            # "called for X", "referring to X": the preposition joins the cue.
            cue.append(cand.head)
            content.append(_token_span(cand.tokens[1:]))
        elif label == "content" and (kept := _without_dateline(cand.tokens)):
            content.append(_token_span(kept))  # (a dateline alone is no content)
        elif label == "source" and _without_dateline(_learned_source(cand)):
            sources.append((scores[1] - scores[0], cand))  # (a dateline is no source)
    content = _merge_adjacent(text, sorted(content))
    introduced = _quote_after_colon(anchor, quotes, text)
    if content:
        content = _extend_with_quotes(content, quotes, anchor.idx)
        content = _quote_after_own_colon(content, quotes, text)
        if introduced and all(e <= introduced[0] for _, e in content):
            content.append(introduced)  # "made the following comment: “...”"
    else:
        content = _adjacent_quotes(anchor, quotes, text) or ([introduced] if introduced else [])
    if not content:
        return None
    content = _continued_quotes(anchor, content, quotes, text)
    source, head = [], None
    # A token has one role: a source candidate inside the content is no source.
    sources = [c for c in sources if not _overlaps(_token_span(c[1].tokens), content)]
    if sources:
        cand = max(sources, key=lambda s: s[0])[1]
        head = cand.head
        src = _closing_bracket(_without_dateline(_learned_source(cand)))
        if src and head.i not in {t.i for t in src}:
            head = _root_of(src)  # "by" of a passive agent: the object is the phrase
        if src and not _is_expletive(head):
            source = [_token_span(src)]
    if not source and (split := _source_after_quote(content, cue, quotes, text)):
        content, src = split
        source, head = [_token_span(src)], _root_of(src)
    if not source and prob < model.get("sourceless_threshold", 0.0):
        return None  # a passive "is scheduled" needs a surer cue than "X said"
    return Attribution(
        source=source,
        cue=[_token_span(cue)],
        content=content,
        cue_lemma=" ".join(t.lemma_.lower() for t in cue if t.dep_ not in ("aux", "auxpass")),
        source_head=head,
        confidence=round(prob, 3),
    )


def _overlaps(span: tuple[int, int], spans: Iterable[tuple[int, int]]) -> bool:
    return any(span[0] < e and s < span[1] for s, e in spans)


def _learned_source(cand: Candidate) -> list[Token]:
    """The source phrase of a candidate: the passive agent without its "by"."""
    if cand.head.dep_ == "agent":
        objects = [c for c in cand.head.children if c.dep_ == "pobj"]
        return _subtree_span(objects[0]) if objects else []
    return cand.tokens


def _without_dateline(tokens: list[Token]) -> list[Token]:
    """Drop a leading dateline ("WASHINGTON —", "FLINT, Mich., Oct. 4 (UPI)
    —" opening a paragraph) from a span."""
    if not tokens:
        return tokens
    first = tokens[0]
    doc = first.doc
    if first.i == 0 or LINE_BREAK.search(doc[first.i - 1].text_with_ws):
        # A paragraph starts here.  Its opening words suffice to find its
        # opener: Doc.text would join every token of the article.
        opening = "".join(t.text_with_ws for t in doc[first.i : first.i + _OPENER_TOKENS])
        if skip := opener_length(opening):
            return _trim(doc, _first_token_from(doc, first.idx + skip, first.i), tokens[-1].i + 1)
    for k, tok in enumerate(tokens[:4]):
        if tok.text in ("—", "―", "--", "–", "-") and k > 0:
            if all(t.is_upper or not t.is_alpha for t in tokens[:k]):
                return _trim(tok.doc, tok.i + 1, tokens[-1].i + 1)
            break
    return tokens


#: Heads a speaker's phrase can have (see :func:`_source_after_quote`).
_PHRASE_HEADS = frozenset({"PROPN", "NOUN", "PRON"})


def _source_after_quote(
    content: list[tuple[int, int]],
    cue: Sequence[Token],
    quotes: Sequence[tuple[int, int]],
    text: str,
) -> tuple[list[tuple[int, int]], list[Token]] | None:
    """The quotation and the speaker's phrase of a content that swallowed
    the phrase between a quotation and its cue, or None.

    In '“We were tremendously wrong,” Ramos, 58, told AFP' the parser may
    hang the long subject under the quotation, so its subtree, taken as the
    content, runs up to the cue and no candidate is left for the source.
    The content is the quotation, the phrase after it the source, when the
    phrase is a noun phrase that ends where the cue begins.
    """
    if len(content) != 1:
        return None
    start, end = content[0]
    cue_start = cue[0].idx
    if end > cue_start or text[end:cue_start].strip(" ,\u00a0"):
        return None
    closing = next((qe for qs, qe in quotes if qs == start and qe < end), None)
    if closing is None:
        return None
    doc = cue[0].doc
    phrase = [t for t in doc[_first_token_from(doc, closing) : cue[0].i] if t.idx + len(t) <= end]
    while phrase and phrase[0].is_punct:
        phrase = phrase[1:]
    while phrase and phrase[-1].is_punct:
        phrase = phrase[:-1]
    if not phrase or _root_of(phrase).pos_ not in _PHRASE_HEADS:
        return None
    return [(start, closing)], phrase


def _closing_bracket(tokens: list[Token]) -> list[Token]:
    """A phrase that stops inside a bracket it opened, run on to the ")".

    The parser hangs the last "." and ")" of "Sen. Bernie Sanders (I-Vt.)"
    on the verb, so the subject's subtree ends at "Vt"; on 900 PolNeAR
    articles 24 sources ended so.  Only punctuation may stand between the
    phrase and its ")".
    """
    if not tokens or sum(t.text == "(" for t in tokens) <= sum(t.text == ")" for t in tokens):
        return tokens
    doc = tokens[0].doc
    for j in range(tokens[-1].i + 1, len(doc)):
        if doc[j].text == ")":
            return list(doc[tokens[0].i : j + 1])
        if not doc[j].is_punct or doc[j].text in _DOUBLE_QUOTES:
            break
    return tokens


def _past_the_dateline(cand: Candidate) -> Candidate:
    """A candidate that opens a paragraph with its dateline, as the phrase
    after it.

    The parser often hangs the opening sentence on the dateline's city
    ("WASHINGTON, Aug. 19 (UPI) — Former President Carter said": the subject
    is *WASHINGTON*, Carter its apposition), and the role model, which has
    learnt that a city heading a subject is no source, would drop the
    speaker.  Scored from the phrase's own head ("Carter"), with the
    relation the whole phrase had ("nsubj"), the candidate reads as the
    subject it is.  Only at scoring time: the model is trained on the
    parser's candidates as they come.
    """
    kept = _without_dateline(cand.tokens)
    if not kept or len(kept) == len(cand.tokens) or cand.head.i >= kept[0].i:
        return cand
    return Candidate(cand.kind, _root_of(kept), kept, relation=cand.rel)


def _root_of(tokens: Sequence[Token]) -> Token:
    """The token of a contiguous phrase whose head lies outside it."""
    first, last = tokens[0].i, tokens[-1].i
    return next((t for t in tokens if not first <= t.head.i <= last or t.head.i == t.i), tokens[0])


#: Tokens enough to hold any dateline or byline (see :func:`_without_dateline`).
_OPENER_TOKENS = 40


def _first_token_from(doc: Doc, offset: int, i: int = 0) -> int:
    """The index of the first token from ``i`` on that starts at or after ``offset``."""
    while i < len(doc) and doc[i].idx < offset:
        i += 1
    return i


def _is_cue_preposition(cand: Candidate, cue: Sequence[Token]) -> bool:
    """A preposition right after the cue that introduces its content."""
    return (
        cand.kind == "child"
        and cand.head.dep_ == "prep"
        and cand.head.i == cue[-1].i + 1
        and len(cand.tokens) > 1
        and cand.tokens[0].i == cand.head.i
    )


def _continued_quotes(
    anchor: Token, content: list[tuple[int, int]], quotes: Sequence[tuple[int, int]], text: str
) -> list[tuple[int, int]]:
    """Add the quotations that carry on a quoted content around the cue.

    '"X," he told the host, "Y." "Z."': the speaker goes on in the quotations
    before and after, as long as only the cue's own clause and punctuation
    stand in between (within one paragraph).
    """
    touched = [q for q in quotes if any(q[0] < e and s < q[1] for s, e in content)]
    if not touched:
        return content
    out = list(content) + touched
    end = max(e for _, e in out)
    for q_start, q_end in quotes:
        if q_end <= end:
            continue
        if q_start > end and not _only_cue_clause(anchor, end, q_start, text):
            break
        out.append((q_start, q_end))
        end = q_end
    start = min(s for s, _ in out)
    for q_start, q_end in reversed(quotes):
        if q_start >= start:
            continue
        if q_end < start and not _only_cue_clause(anchor, q_end, start, text):
            break
        out.append((q_start, q_end))
        start = q_start
    return _union(out)


def _only_cue_clause(anchor: Token, start: int, end: int, text: str) -> bool:
    """Whether ``text[start:end]`` holds only punctuation and the cue's own
    clause ("said Peter Morgan, a lawyer who has ...,"), within one paragraph,
    with no other reporting verb."""
    if LINE_BREAK.search(text, start, end):
        return False
    gap = anchor.doc.char_span(start, end, alignment_mode="expand")
    clause = {t.i for t in anchor.subtree}
    return gap is not None and all(
        t.is_punct or t.is_space or (t.i in clause and not _another_cue(t, anchor)) for t in gap
    )


def _another_cue(tok: Token, anchor: Token) -> bool:
    """A reporting verb other than the anchor ("..., he said, adding ...")."""
    return tok != anchor and tok.pos_ == "VERB" and tok.lemma_.lower() in CUE_VERBS


def _union(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted spans with overlapping ones merged."""
    out: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(end, out[-1][1]))
        else:
            out.append((start, end))
    return out


def headline_colon_attributions(sent: Span) -> list[Attribution]:
    """Headline "Graham: Trump's Rhetoric Destroying GOP's Chance": a short
    name before the colon is the source, what follows is the content."""
    colon = next((t for t in sent if t.text == ":"), None)
    if colon is None:
        return []
    doc = sent.doc
    left = _trim(doc, sent.start, colon.i)
    right = _trim(doc, colon.i + 1, sent.end)
    if not right or not left or len(left) > 6:
        return []
    if not any(t.pos_ == "PROPN" or t.lemma_.lower() in DOCUMENT_WORDS for t in left):
        return []
    return [
        Attribution(
            source=[_token_span(left)],
            cue=[_token_span([colon])],
            content=[_token_span(right)],
            cue_lemma=":",
            source_head=max(left, key=lambda t: len(list(t.subtree))),
            confidence=0.8,
        )
    ]


#: The dash and name that sign an embedded post or an epigraph.
_SIGNATURE = re.compile(r"[ \t\u00a0]*(—|―|--)[ \t\u00a0]*((?:[A-Z][\w.'’-]*[ \u00a0]?){1,5})")
#: A speaker label opening a transcript paragraph: "PENCE: Well, look, ...".
_SPEAKER_LABEL = re.compile(r"[\"“]?([A-Z][A-Za-z.'’ ]{1,30}?)(:)[ \t]+\S")


def signature_attributions(doc: Doc, quotes: Sequence[tuple[int, int]]) -> list[Attribution]:
    """'“No sympathy, no integrity.” ― Jane Doe (@jdoe) July 5': a quotation
    signed after a dash is the signer's."""
    out = []
    text = doc.text
    for q_start, q_end in quotes:
        m = _SIGNATURE.match(text, q_end)
        if m is None:
            continue
        name_end = m.start(2) + len(m.group(2).rstrip())
        out.append(
            Attribution(
                source=[(m.start(2), name_end)],
                cue=[m.span(1)],
                content=[(q_start, q_end)],
                cue_lemma=m.group(1),
                source_head=_token_at(doc, name_end - 1),
                confidence=0.8,
            )
        )
    return out


def transcript_attributions(
    doc: Doc, sentences: Sequence[tuple[int, int, int, str, int | None]]
) -> list[Attribution]:
    """Transcript paragraphs ("PENCE: Well, look, ..."): the labelled speaker
    says the rest of the paragraph."""
    paragraphs: dict[int, list[int]] = {}
    for _, start, end, kind, para in sentences:
        if kind == "body" and para is not None:
            bounds = paragraphs.setdefault(para, [start, end])
            bounds[1] = max(bounds[1], end)
    out = []
    text = doc.text
    for start, end in paragraphs.values():
        m = _SPEAKER_LABEL.match(text, start, end)
        label = m.group(1).strip() if m else ""
        if not m or not all(w[:1].isupper() for w in label.split()):
            continue
        content = _token_span(_trim(doc, *_token_range(doc, m.end(2), end)))
        if content is None:
            continue
        out.append(
            Attribution(
                source=[(m.start(1), m.start(1) + len(label))],
                cue=[m.span(2)],
                content=[content],
                cue_lemma=":",
                source_head=_token_at(doc, m.start(1)),
                confidence=0.8,
            )
        )
    return out


def _token_at(doc: Doc, offset: int) -> Token | None:
    span = doc.char_span(offset, offset + 1, alignment_mode="expand")
    return span[0] if span is not None and len(span) else None


def _token_range(doc: Doc, start: int, end: int) -> tuple[int, int]:
    span = doc.char_span(start, end, alignment_mode="expand")
    return (span.start, span.end) if span is not None else (0, 0)


def _merge_adjacent(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Join spans separated only by whitespace and punctuation."""
    out: list[tuple[int, int]] = []
    for start, end in spans:
        if out and not text[out[-1][1] : start].strip(" \n,;:—–-"):
            out[-1] = (out[-1][0], max(end, out[-1][1]))
        else:
            out.append((start, end))
    return out


def _adjacent_quotes(
    anchor: Token, quotes: Sequence[tuple[int, int]], text: str
) -> list[tuple[int, int]]:
    """The quotations right before and after the cue, with only the cue's
    own clause in between ('"...," said Peter Morgan, a lawyer.')."""
    cue_end = anchor.idx + len(anchor.text)
    before = [q for q in quotes if q[1] <= anchor.idx]
    after = [q for q in quotes if q[0] >= cue_end]
    out = []
    if before and _only_cue_clause(anchor, before[-1][1], anchor.idx, text):
        out.append(before[-1])
    if after and _only_cue_clause(anchor, cue_end, after[0][0], text):
        out.append(after[0])
    return out


def _quote_after_own_colon(
    content: list[tuple[int, int]], quotes: Sequence[tuple[int, int]], text: str
) -> list[tuple[int, int]]:
    """'she has the quality a president needs: "Steadiness -- ..."': a
    quotation that a colon or dash hangs on the content belongs to it."""
    end = content[-1][1]
    for q_start, q_end in quotes:
        if q_start >= end:
            if text[end:q_start].strip() in (":", "--", "—", "–"):
                return [*content[:-1], (content[-1][0], q_end)]
            break
    return content


def _quote_after_colon(
    anchor: Token, quotes: Sequence[tuple[int, int]], text: str
) -> tuple[int, int] | None:
    """The quotation a cue's sentence introduces with a final colon, even in
    the next paragraph ('Caddell continued:' / '"The health issue ..."')."""
    sent = anchor.sent
    last = next((t for t in reversed(sent) if not t.is_space), None)
    if last is None or last.text != ":" or last.i <= anchor.i:
        return None
    colon_end = last.idx + 1
    after = next((q for q in quotes if q[0] >= colon_end), None)
    if after is None or text[colon_end : after[0]].strip():
        return None
    return after


def noun_cue_attributions(sent: Span) -> list[Attribution]:
    """Noun cues with an owner: "His concern is that Congress will block the
    deal." (the noun is the subject of "is" + a clause), "Trump's claim that
    there have been thousands of shootings" (a "that" clause of the noun) and
    "In Mr. Smith's view, the deal is dead." (the rest of the clause)."""
    out = []
    for tok in sent:
        if tok.pos_ != "NOUN" or tok.lemma_.lower() not in NOUN_CUES:
            continue
        owner = next((c for c in tok.children if c.dep_ == "poss"), None)
        if owner is None:
            continue
        head = tok.head
        own_clause = next(
            (
                c
                for c in tok.children
                if c.dep_ in ("acl", "ccomp")
                and any(m.dep_ == "mark" and m.lower_ == "that" for m in c.children)
            ),
            None,
        )
        if own_clause is not None:
            content = _subtree_span(own_clause)
        elif tok.dep_ == "nsubj" and head.lemma_ == "be":
            clause = next(
                (c for c in head.children if c.dep_ in ("ccomp", "attr") and c.i > head.i), None
            )
            if clause is None or not any(t.dep_ == "mark" for t in clause.children):
                continue
            content = _subtree_span(clause)
        elif tok.dep_ == "pobj" and head.lower_ == "in" and head.head.pos_ in ("VERB", "AUX"):
            content = _subtree_span(head.head, exclude=[head])
        else:
            continue
        source = list(owner.subtree)  # PolNeAR keeps the "'s": "Stumpf's"
        if not content or not source:
            continue
        out.append(
            Attribution(
                source=[_token_span(source)],
                cue=[_token_span([tok])],
                content=[_token_span(content)],
                cue_lemma=tok.lemma_.lower(),
                source_head=owner,
                confidence=0.6,
            )
        )
    return out


def learned_attributions(
    sent: Span, model: dict, quotes: Sequence[tuple[int, int]], text: str
) -> list[Attribution]:
    """Attributions of one sentence: predicted cue anchors with their arguments."""
    out = []
    threshold = model.get("threshold", 0.5)
    for tok in sent:
        if not is_cue_candidate(tok):
            continue
        in_quote = any(s < tok.idx < e for s, e in quotes)
        prob = cue_probability(model, tok, in_quote)
        if prob < threshold:
            continue
        attr = learned_attribution(tok, prob, model, quotes, text)
        if attr is not None:
            out.append(attr)
    return out


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


def drop_nested(
    attrs: list[Attribution], nested_threshold: float | None = None
) -> list[Attribution]:
    """Remove attributions whose cue lies inside another one's content,
    unless their cue probability reaches ``nested_threshold``.

    PolNeAR annotates nested attributions ("NBC reported that, according to
    its sources, ..." is two), but a cue inside a quotation or a reported
    clause is more often just a word of it: a nested attribution needs a
    surer cue than a top-level one.  Without a threshold (the rules) the
    outer one alone is kept.  Duplicates (same cue) keep the first found.
    """
    kept = []
    seen_cues = set()
    for a in attrs:
        cue = a.cue[0]
        if cue in seen_cues:
            continue
        others = [s for b in attrs if b is not a for s in b.content]
        if _inside(cue, others) and (nested_threshold is None or a.confidence < nested_threshold):
            continue
        seen_cues.add(cue)
        kept.append(a)
    return kept


def continue_quotations(
    found: Sequence[Attribution],
    quotes: Sequence[tuple[int, int]],
    sentences: Sequence[tuple[int, int, int, str, int | None]],
    doc: Doc,
) -> None:
    """Carry a speaker on into the quotations that follow (in place).

    News style lets one cue serve several passages::

        "Subpoenas are not optional," Chaffetz said after the hearing.
        "Mr. Pagliano is a crucial fact witness."

        "You know, I love Larry," he said, but "when it comes to energy ..."

        The administration may be reluctant to act, Schiff said. "The
        other factor the administration may be considering is ..."

        "No one is writing songs for Hillary," he said.

        "Right now, the vote is against Trump."

    A quotation continues the attribution before it when it opens a
    sentence of the same paragraph, follows the cue's clause with only a
    conjunction in between, or makes up the whole of the next paragraph,
    and no other speaker is cued in between.  A quotation that is already
    another attribution's content stops the run.  Runs after speaker
    resolution, so that "He didn't suggest retaliation." between two
    quotations of Obama's does not interrupt him.
    """
    text = doc.text
    bounds: dict[int, list[int]] = {}
    for _, start, end, _, para in sentences:
        b = bounds.setdefault(-1 if para is None else para, [start, end])
        b[0], b[1] = min(b[0], start), max(b[1], end)
    paragraphs = sorted(tuple(b) for b in bounds.values())
    para_starts = [p[0] for p in paragraphs]
    sentence_starts = {s[1] for s in sentences}

    def paragraph_of(offset: int) -> int:
        return max(0, bisect.bisect_right(para_starts, offset) - 1)

    def opens_sentence(q_start: int) -> bool:
        i = q_start
        while i > 0 and text[i - 1] in " \t\u00a0":
            i -= 1
        return i in sentence_starts or q_start in sentence_starts

    def only_joiners(attr: Attribution, start: int, end: int) -> bool:
        """'," he said, but "': the gap holds the cue, its source, punctuation, and/or."""
        gap = doc.char_span(start, end, alignment_mode="expand")
        own = attr.cue + attr.source
        return gap is not None and all(
            t.is_punct or t.is_space or t.pos_ == "CCONJ" or _overlaps(_token_span([t]), own)
            for t in gap
        )

    def whole_paragraph(q: tuple[int, int], para: int) -> bool:
        p_start, p_end = paragraphs[para]
        return not text[p_start : q[0]].strip() and not text[q[1] : p_end].strip(" \t\u00a0.,;")

    def who(a: Attribution) -> str | None:
        return a.speaker or " ".join(text[s:e] for s, e in a.source) or None

    for attr in found:
        end = max(e for _, e in attr.content)
        para = paragraph_of(end - 1)
        for q in quotes:
            if q[0] < end or _overlaps(q, attr.source):
                # Before the content, already (partly) in it, or a name in
                # the source ("wearing “Ted Cruz” campaign pins, said").
                continue
            if any(b is not attr and _overlaps(q, b.content) for b in found):
                break
            cued = [b for b in found if b is not attr and end <= b.cue[0][0] < q[0]]
            if any(who(b) not in (None, who(attr)) for b in cued):
                break  # someone else speaks in between
            q_para = paragraph_of(q[0])
            if q_para == para:
                if not (opens_sentence(q[0]) or only_joiners(attr, end, q[0])):
                    break
            elif q_para != para + 1 or not whole_paragraph(q, q_para):
                break
            attr.content = _union([*attr.content, q])
            end, para = q[1], q_para


def attribution_sentences(
    sentences: Sequence[tuple[int, int, int, str, int | None]],
) -> list[tuple[int, int, int, str, int | None]]:
    """The sentence rows attributions are looked for in: headline and body."""
    return [s for s in sentences if s[3] in ("body", "headline")]


def document_quotes(
    text: str, sentences: Sequence[tuple[int, int, int, str, int | None]]
) -> list[tuple[int, int]]:
    """Quotation regions of a document, paired within each paragraph."""
    para_bounds: dict[int, list[int]] = {}
    for _, start, end, _, para in sentences:
        # Without paragraph ids (one-block text) the whole text is one paragraph.
        b = para_bounds.setdefault(-1 if para is None else para, [start, end])
        b[0], b[1] = min(b[0], start), max(b[1], end)
    return quote_regions(text, sorted(tuple(b) for b in para_bounds.values()))


def document_attributions(
    doc_id: str,
    doc: Doc,
    sentences: Sequence[tuple[int, int, int, str, int | None]],
    model: dict | None = None,
) -> list[dict]:
    """Rows of the ``attributions`` table for one parsed document.

    ``sentences`` are the stored sentence rows as ``(sentence_id, start,
    end, kind, paragraph_id)``: attributions are looked for in the headline
    ("Trump: ...") and body sentences, and reported with those sentence ids.
    With a trained ``model`` the learned cue and role decisions are used;
    without one, the rules.
    """
    text = doc.text
    body = attribution_sentences(sentences)
    quotes = document_quotes(text, body)
    found: list[Attribution] = []
    for _, start, end, kind, _ in body:
        sent = doc.char_span(start, end, alignment_mode="expand")
        if sent is None:
            continue
        if model is not None:
            if kind == "headline":
                found.extend(headline_colon_attributions(sent))
            found.extend(learned_attributions(sent, model, quotes, text))
            found.extend(noun_cue_attributions(sent))
        else:
            found.extend(according_to_attributions(sent))
            found.extend(verb_attributions(sent, quotes))
    if model is not None:
        found = signature_attributions(doc, quotes) + transcript_attributions(doc, body) + found
    found.sort(key=lambda a: a.cue[0])
    found = drop_nested(found, None if model is None else model.get("nested_threshold"))
    resolver = SpeakerResolver(doc, quotes)
    for n, attr in enumerate(found):
        speaker, attr.source_type = resolver.resolve(attr, found[:n])
        attr.speaker = resolver.without_possessive(speaker)
        attr.affiliation = resolver.without_possessive(resolver.affiliation(attr))
    share_affiliations(found)
    if model is not None:
        continue_quotations(found, quotes, body, doc)
    starts = [s[1] for s in sentences]
    return [_row(doc_id, n, text, attr, sentences, starts) for n, attr in enumerate(found)]


def share_affiliations(found: Sequence[Attribution]) -> None:
    """Give each person the affiliation their source stated once in all
    their attributions of the article: "Pentagon spokesperson John Kirby"
    is of the Pentagon when later "Kirby said" or "he said", so that
    counting voices by body counts all of his."""
    stated: dict[str, str] = {}
    for attr in found:
        if attr.source_type == "person" and attr.speaker and attr.affiliation:
            stated.setdefault(attr.speaker, attr.affiliation)
    for attr in found:
        if attr.source_type == "person" and attr.speaker and attr.affiliation is None:
            attr.affiliation = stated.get(attr.speaker)


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
        "speaker_key": speaker_key(attr.speaker, attr.source_type),
        "source_type": attr.source_type,
        "speaker_affiliation": attr.affiliation,
        "speaker_affiliation_key": affiliation_key(attr.affiliation),
        "cue_lemma": attr.cue_lemma,
        "quote_type": quote_type(text, attr.content),
        "sentence_ids": sentence_ids,
        "confidence": attr.confidence,
    }


def attributions_table(
    parsed: Iterable[tuple[str, Doc, Sequence[tuple[int, int, int, str, int | None]]]],
    model: dict | None = None,
) -> pa.Table:
    """The ``attributions`` table for a batch of ``(doc_id, doc, sentence rows)``."""
    rows = []
    for doc_id, doc, sentences in parsed:
        rows.extend(document_attributions(doc_id, doc, sentences, model))
    return conform(rows, ATTRIBUTIONS)
