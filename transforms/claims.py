"""Claims: the propositions an article asserts or reports, scored for checking.

A claim is a declarative clause of the article's body: either the content of
an attribution (linked by ``attribution_id``, in the source's voice) or a
clause in the author's own voice.  Questions, boilerplate and headlines are
not claims.  Coordinated main clauses with their own subjects become
separate claims.

Whether a text *is* a claim and whether it is *worth checking* are separate
decisions.  The first is made by the rules below (a declarative clause with
a verb); the second by a trained model
(:class:`~transforms.checkworthiness.CheckWorthinessModel`), so a
promise is a claim of type ``prediction`` even when the model, trained on
ClaimBuster's view that promises cannot be checked, scores it low.  The
model scores sentences, the unit its annotators judged; each claim carries
the score of its sentence (see :func:`claims_tables` for why).

Each claim also carries what a fact-checker reads off it before checking:
its type (after Full Fact's scheme), who says it and how firmly (stance,
hedges, negation), and the quantities, entities and dates it mentions.

This module is pure: the model arrives as an object (``flows`` loads it from
``transforms/models/claims.joblib``), and the published date of each article
arrives with its parse.
"""

from __future__ import annotations

import bisect
import calendar
import collections
import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
from spacy.attrs import (
    DEP,
    ENT_TYPE,
    IS_ALPHA,
    IS_PUNCT,
    IS_SPACE,
    LEMMA,
    LIKE_NUM,
    LOWER,
    POS,
    TAG,
)
from spacy.strings import get_string_id
from spacy.symbols import AUX, NUM, VERB
from spacy.tokens import Doc, Span, Token

from transforms.attributions import (
    CUE_VERBS,
    NOUN_CUES,
    NP_CONTENT_VERBS,
    UNIT_SIGNS,
    affiliation_key,
    entities_within,
    of_object,
    speaker_key,
)
from transforms.checkworthiness import (
    CheckWorthinessModel,
    ScoringInput,
    scoring_inputs,
    span_text,
    token_columns,
)
from transforms.lexicon import words
from transforms.schemas import CLAIMS, conform
from transforms.sentences import opener_length

#: ``checkworthy`` is ``check_worthiness >= CHECKWORTHY_THRESHOLD``: the
#: threshold the evaluation and any consumer use.
CHECKWORTHY_THRESHOLD = 0.5

# ---------------------------------------------------------------- lexicons

_NUMERIC_ENTS = frozenset({"CARDINAL", "MONEY", "PERCENT", "QUANTITY"})
_TIME_ENTS = frozenset({"DATE", "TIME"})
_TIME_ENT_IDS = frozenset(get_string_id(label) for label in _TIME_ENTS)
#: Entity labels reported in ``entities``: the named things a claim is
#: about.  Numbers and dates have their own structured columns.
_NAMED_ENTS = frozenset(
    {"PERSON", "NORP", "FAC", "ORG", "GPE", "LOC", "PRODUCT", "EVENT", "WORK_OF_ART", "LAW"}
)
_RULE_WORDS = words(
    """
    law ban bill policy regulation rule legislation act statute order
    sanction require prohibit mandate legal illegal constitution tax tariff
    veto legalize outlaw
    """
)
_CAUSAL = re.compile(
    r"\b(because|due to|caused?|causing|leads? to|leading to|led to|result(ed|s)? in|"
    r"as a result|thanks to|owing to|responsible for)\b",
    re.IGNORECASE,
)
_PREDICTION_CUES = words("promise pledge vow predict expect plan intend forecast warn threaten")
_POSITION_CUES = words(
    """
    deny confirm insist believe think argue claim reject dispute support
    oppose agree disagree feel doubt
    """
)
_FUTURE_MODALS = frozenset({"will", "would", "shall", "'ll", "going"})
#: Modals of possibility: a hedge, and a possible future ("could intensify").
_POSSIBILITY_MODALS = frozenset({"could", "may", "might"})
_FIRST_PERSON = frozenset({"i", "me", "my", "mine", "myself"})
_PERSONAL_NOUNS = words(
    """
    father mother dad mom wife husband son daughter brother sister family
    grandfather grandmother parents kids children grew born childhood
    """
)

#: Stance of a source towards what it is reported to say, by cue lemma.
_DENY_CUES = words("deny dispute reject refute rebut contradict")
_SPECULATE_CUES = words("speculate guess suppose suspect wonder fear assume predict estimate")
_REPORT_CUES = words("report according cite publish reveal disclose write")
#: Cues that report only when the source is no person: a paper that
#: "wrote" reports, a person who wrote (a memoir, a letter) asserts.
_WRITE_CUES = words("write")
_DECLINE_VERBS = words("decline refuse")
_DECLINE_IDS = frozenset(get_string_id(w) for w in _DECLINE_VERBS)

#: Hedges: words that make a claim less than a flat assertion.  Multi-word
#: cues are matched on lowercased token sequences.
HEDGE_CUES: tuple[tuple[str, ...], ...] = tuple(
    tuple(cue.split())
    for cue in (
        "could",
        "may",
        "might",
        "reportedly",
        "allegedly",
        "alleged",
        "apparently",
        "possibly",
        "perhaps",
        "probably",
        "likely",
        "unlikely",
        "expected to",
        "is expected",
        "are expected",
        "believed to",
        "thought to",
        "is said to",
        "are said to",
        "was said to",
        "were said to",
        "appears to",
        "appear to",
        "appeared to",
        "seems to",
        "seem to",
        "seemed to",
        "seemingly",
        "suggests",
        "suggested",
        "possible",
        "potentially",
        "unconfirmed",
        "rumored",
        "rumoured",
        "estimated",
        "as i understand it",
        "roughly speaking",
    )
)
_NEGATIONS = frozenset({"never", "nobody", "nothing", "none", "neither", "nor", "no"})
#: The same words and labels as spaCy string ids, as ``token_columns`` gives them.
_NEGATION_IDS = frozenset(get_string_id(w) for w in _NEGATIONS)
_NEG, _INTJ = get_string_id("neg"), get_string_id("intj")
_DOZEN = get_string_id("dozen")
_SUBJECT_IDS = frozenset(
    get_string_id(d) for d in ("nsubj", "nsubjpass", "csubj", "csubjpass", "expl")
)

#: Words that make a number approximate ("around 175,000", "between 10 and
#: 20"), and phrases that do only as a whole ("more than 40", "up to 300":
#: "to" alone is no hedge, "rose to 6 percent" is exact).
_APPROXIMATORS = words(
    """
    about around approximately roughly nearly almost some estimated over
    under upwards between circa
    """
)
_APPROXIMATE_PHRASES = tuple(
    tuple(p.split())
    for p in ("more than", "less than", "fewer than", "up to", "at least", "at most", "close to")
)
_NUMBER_WORDS = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
_MULTIPLIERS = {
    "hundred": 1e2,
    "thousand": 1e3,
    "million": 1e6,
    "billion": 1e9,
    "trillion": 1e12,
    "k": 1e3,
    "m": 1e6,
    "bn": 1e9,
    "dozen": 12.0,
}
#: Words that count without a number ("*several* hundred troops", "*dozens* of
#: lawmakers", "*hundreds of thousands* of jobs"): a quantity is claimed, but
#: no value a fact-checker could compare, so its ``value`` stays null.
_VAGUE_COUNTS = words(
    """
    several couple few dozens scores tens hundreds thousands millions
    billions trillions
    """
)
_CURRENCIES = {"$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY"}
_CURRENCY_WORDS = {
    "dollar": "USD",
    "dollars": "USD",
    "euro": "EUR",
    "euros": "EUR",
    "pound": "GBP",
    "pounds": "GBP",
    "yen": "JPY",
}


_VERB_POS = frozenset({int(VERB), int(AUX)})
_NUM = int(NUM)
_CC, _MARK = get_string_id("cc"), get_string_id("mark")
#: The subordinator a trimmed clause drops: "that" only introduces what it
#: marks.  "If", "whether", "unless", "although" carry meaning (a condition
#: is no assertion) and stay.
_THAT = get_string_id("that")
#: Words that open an indirect question ("did not say *when* they would",
#: "asked *whether* Scott had a gun"): what follows is asked, not asserted.
_QUESTION_OPENERS = frozenset(
    get_string_id(w) for w in words("whether if when why how who what which where")
)
_WH_TAGS = frozenset(get_string_id(tag) for tag in ("WRB", "WP", "WDT"))
_REASON_OPENERS = frozenset(get_string_id(w) for w in ("why", "how"))
#: Verbs that present what follows as fact (factives and their kin).
_FACTIVE_IDS = frozenset(
    get_string_id(w)
    for w in words(
        """
        emphasize emphasise explain show reveal demonstrate illustrate detail
        describe highlight underscore stress prove recount document outline
        """
    )
)
#: Dependents that make a non-verbal head a predicate: its auxiliary or copula.
_AUX_DEP_IDS = frozenset(get_string_id(label) for label in ("aux", "auxpass", "cop"))


def is_proposition(span: Span) -> bool:
    """Whether the span is a clause with its own subject, so it says
    something checkable without the sentence around it.

    A verb somewhere inside is not enough: "all four candidates *seeking*
    the White House" and "reports *that* Trump called her names" are noun
    phrases whose verbs sit in a modifier, and "[the accord is expected] *to
    be ratified next month*" lacks what it is about.  The head is a verb or
    a predicate with its auxiliary ("Obama *was prepared* to face
    emergencies"); the subject counts only inside the span ("My hope," he
    said, "*is that* ...").
    """
    root = span.root
    children = [c.dep for c in root.children if span.start <= c.i < span.end]
    return (
        (root.pos in _VERB_POS or any(dep in _AUX_DEP_IDS for dep in children))
        and any(dep in _SUBJECT_IDS for dep in children)
        and not is_indirect_question(span)
    )


def is_indirect_question(span: Span) -> bool:
    """A clause that opens with "whether", "if" or a wh-word: "Lawmakers
    have not said *when they would take it up*", "does not answer *whether
    Scott had a gun*".  It is what someone asks or leaves open, not what
    anyone asserts.  The opener belongs to the clause's own head: in "*What
    parents want* is a good school" it belongs to a subject clause, and the
    sentence asserts.  "Why" and "how" after a verb that presents its
    content as fact ("*emphasizing why* understanding our past is crucial",
    "*showed how* the money was spent") assert the clause, not ask it."""
    first = span[0]
    return (
        first.lower in _QUESTION_OPENERS
        and (first.dep == _MARK or first.tag in _WH_TAGS)
        and first.head == span.root
        and not _presented_as_fact(first, span.root.head)
    )


def _presented_as_fact(opener: Token, governor: Token) -> bool:
    """ "why"/"how" after an affirmed factive verb ("explained why ...").
    "could not explain why ...", "*No one* has explained why ..." leave the
    reason open and stay questions; a clause with no verb above it
    ("Why Trump stressed the economy") is no content of a factive verb."""
    return (
        opener.lower in _REASON_OPENERS
        and governor.lemma in _FACTIVE_IDS
        and governor.i != opener.head.i
        and not _denied(governor)
    )


def _denied(verb: Token) -> bool:
    """A verb with a negation of its own or a negative subject ("not", "never",
    "nobody", "no one")."""
    for child in verb.children:
        if child.dep == _NEG or child.lower in _NEGATION_IDS:
            return True
        if child.dep in _SUBJECT_IDS and any(
            t.lower in _NEGATION_IDS for t in (child, *child.children)
        ):
            return True
    return False


# ---------------------------------------------------------------- what is a claim


def is_question(span: Span, doc_text: str | None = None) -> bool:
    """Whether the span is a direct question: it ends with "?", before any
    closing quotation mark."""
    return span_text(span, doc_text).strip().rstrip("”\"’' ").endswith("?")


def is_statement(span: Span, doc_text: str | None = None) -> bool:
    """A declarative clause with a verb, not a question, a command or a fragment.

    ``doc_text`` is the document's text when the caller has it at hand.
    """
    if not span_text(span, doc_text).strip() or is_question(span, doc_text) or is_command(span):
        return False
    columns = token_columns(span, [POS, IS_ALPHA, LIKE_NUM, ENT_TYPE, DEP])
    if not any(pos in _VERB_POS for pos, *_ in columns):
        return False
    n_words = sum(is_alpha for _, is_alpha, *_ in columns)
    if n_words >= 4:
        return True
    # Three tokens do when one is a count or amount and the verb has a
    # subject: the shortest check-worthy claims there are ("Inflation hit
    # 7%").  A year or a clock time does not count, and a label has no
    # subject ("Declared 2016 Presidential Candidates").
    n_numbers = sum(
        like_num and not is_alpha and ent not in _TIME_ENT_IDS
        for _, is_alpha, like_num, ent, _ in columns
    )
    has_subject = any(dep in _SUBJECT_IDS for *_, dep in columns)
    return bool(n_numbers) and n_words + n_numbers >= 3 and has_subject


_VB = get_string_id("VB")
#: What may come before a command's verb: "*Please* read ...", "*So* pay ...".
_BEFORE_COMMAND = frozenset(get_string_id(d) for d in ("intj", "discourse", "advmod", "cc"))


def is_command(span: Span) -> bool:
    """An imperative: a bare verb that opens the clause, with no subject or
    auxiliary ("Follow him on Twitter", "Save a quarter of the cost",
    "Let's break them down").  It tells the reader to do something and
    asserts nothing checkable."""
    root = span.root
    if root.tag != _VB:
        return False
    if any(c.dep in _SUBJECT_IDS or c.dep in _AUX_DEP_IDS for c in root.children):
        return False
    return all(t.is_punct or t.dep in _BEFORE_COMMAND for t in span.doc[span.start : root.i])


def clause_spans(span: Span) -> list[Span]:
    """Split a sentence (or a reported content) at coordinated clauses that
    have their own subject, at every level.

    "Prices rose and wages fell" holds two checkable propositions; "Prices
    rose and fell" holds one (the second verb shares the subject).  "Sales
    fell, the company said, but profits rose and the CEO resigned" holds
    three: the split repeats inside each piece.
    """
    root = span.root
    cuts = []
    for conj in root.children:
        if (
            conj.dep_ == "conj"
            and conj.pos_ in ("VERB", "AUX")
            and any(c.dep_ in ("nsubj", "nsubjpass") for c in conj.children)
            and span.start < conj.left_edge.i < span.end
        ):
            left = conj.left_edge.i
            cc = [c for c in root.children if c.dep_ == "cc" and span.start <= c.i < left]
            cuts.append(cc[-1].i if cc else left)
    if not cuts:
        return [span]
    pieces, start = [], span.start
    for cut in sorted(cuts):
        pieces.append(span.doc[start:cut])
        start = cut
    pieces.append(span.doc[start : span.end])
    return [
        clause
        for piece in (_trimmed(p) for p in pieces)
        if piece is not None
        for clause in (clause_spans(piece) if len(piece) < len(span) else [piece])
    ]


def _trimmed(span: Span) -> Span | None:
    """``span`` without edge punctuation and spaces, and without a leading
    coordinating conjunction or "that" ("and", "that ...").

    A quotation mark or bracket stays when its partner is inside
    (:func:`_balanced`), and a question mark stays, so that a quoted
    question is still seen as one."""
    columns = token_columns(span, [IS_PUNCT, IS_SPACE, DEP, LOWER])
    first, last = 0, len(columns)
    while first < last and (
        any(columns[first][:2])
        or columns[first][2] == _CC
        or (columns[first][2] == _MARK and columns[first][3] == _THAT)
    ):
        first += 1
    while (
        last > first and any(columns[last - 1][:2]) and columns[last - 1][3] not in _KEPT_AT_THE_END
    ):
        last -= 1
    if first == last:
        return None
    first, last = _balanced(span, [c[3] for c in columns], first, last)
    return span.doc[span.start + first : span.start + last]


_QUESTION = get_string_id("?")
#: Marks a claim keeps at its end: a question's, and a number's unit sign.
_KEPT_AT_THE_END = frozenset({_QUESTION} | {get_string_id(s) for s in UNIT_SIGNS})
#: Marks that open and close a quotation or an insertion, as string ids.
_PAIRED_MARKS = tuple((get_string_id(o), get_string_id(c)) for o, c in ("“”", "()", "[]", "«»"))
#: Marks that open and close alike: which one a lone mark is, its spacing says.
_SAME_MARKS = frozenset(get_string_id(m) for m in ('"', "''"))


def _balanced(span: Span, marks: list[int], first: int, last: int) -> tuple[int, int]:
    """``[first, last)`` widened by the mark just outside it whose partner
    is inside: trimming edge punctuation must not leave ``It's
    heartbreaking," Ryan said`` or ``[I]f it was left up to Hillary``
    (``marks`` are the span's lowercase token ids).  A closing mark may sit
    past the span's end, after a comma or period that the quote holds
    (``Not paying taxes ''makes me smart,'' Trump said``)."""
    inner = marks[first:last]
    for opening, closing in _PAIRED_MARKS:
        opens, closes = inner.count(opening), inner.count(closing)
        if closes > opens and first > 0 and marks[first - 1] == opening:
            first -= 1
        elif opens > closes and (end := _closed_at(span, last, closing)) is not None:
            last = end
    for mark in _SAME_MARKS:
        if inner.count(mark) % 2 == 0:
            continue
        # The lone mark opens a quotation when a space (or nothing) comes
        # before it: then its closing partner is missing, else its opening one.
        lone = span.doc[span.start + first + inner.index(mark)]
        opens = lone.i == 0 or bool(lone.doc[lone.i - 1].whitespace_)
        if opens and (end := _closed_at(span, last, mark)) is not None:
            last = end
        elif not opens and first > 0 and marks[first - 1] == mark:
            first -= 1
    return first, last


#: Punctuation a quotation holds before its closing mark ("smart*,*''").
_HELD_BY_QUOTES = frozenset({",", "."})


def _closed_at(span: Span, last: int, mark: int) -> int | None:
    """The end (relative to ``span``) just past a closing ``mark`` at token
    ``last`` of the span, or right after a comma or period there, even
    beyond the span; None when neither is there."""
    doc, k = span.doc, span.start + last
    if k < len(doc) and doc[k].text in _HELD_BY_QUOTES:
        k += 1
    if k < len(doc) and doc[k].lower == mark:
        return k + 1 - span.start
    return None


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def attributions_by_sentence(
    sentences: Sequence[tuple], attributions: Sequence[dict]
) -> dict[int, list[dict]]:
    """The attributions whose content overlaps each sentence, in their order.

    Sentences do not overlap, so their starts and ends sort alike and each
    content span finds its sentences by bisection: a long article costs
    sentences + attributions, not their product.
    """
    ordered = sorted((start, end, sid) for sid, start, end, *_ in sentences)
    starts = [s for s, _, _ in ordered]
    ends = [e for _, e, _ in ordered]
    out: dict[int, list[dict]] = {}
    for attr in attributions:
        for c in attr["content_spans"]:
            first = bisect.bisect_right(ends, c["start"])
            last = bisect.bisect_left(starts, c["end"])
            for _, _, sid in ordered[first:last]:
                linked = out.setdefault(sid, [])
                if not linked or linked[-1] is not attr:
                    linked.append(attr)
    return out


@dataclass
class Candidate:
    """One claim before it is scored: its span, sentence and attribution."""

    span: Span
    sentence_id: int
    attribution: dict | None = None


def sentence_candidates(
    doc: Doc,
    sentence_id: int,
    start: int,
    end: int,
    attributions: Sequence[dict],
    doc_text: str | None = None,
) -> list[Candidate]:
    """The claims of one body sentence, unscored.

    Attribution contents in the sentence become claims in their source's
    voice, split at coordinated clauses ("said *30 people were killed* and
    *100 were injured*"); the author's own clauses beside them ("..., the
    company said, but *profits rose*") are claims in the author's voice.  A
    sentence without any (or whose contents are fragments, "what people
    believe *he may do*") becomes one or more claims in the author's voice,
    split at coordinated main clauses.  A content that is no clause with its
    own subject ("Russia has denied *any plans*", "is expected *to be
    ratified*") is no proposition alone: unless another piece of the same
    content is one, the whole reporting clause becomes the claim, still in
    the source's voice, when the cue is one of taking a stand on its main
    line (:func:`_voices`, :func:`_reports_in`); else the sentence is the
    author's.  An author's clause whose verb lies outside every reported
    span is the author's claim even when a reported one sits inside it
    ("Despite complaints *that he is a quixotic crusader*, Mr. Sanders
    has found ways ...").  ``doc_text`` is
    ``doc.text`` when the caller has it (``Doc.text`` joins every token).
    """
    # A dateline or byline opening the paragraph is the sentence's, no claim's.
    skip = opener_length(doc_text if doc_text is not None else doc.text, start)
    sent = doc.char_span(start + skip, end, alignment_mode="expand") if start + skip < end else None
    if sent is None or not is_statement(sent, doc_text):
        return []
    linked = [
        a
        for a in attributions
        if any(_overlaps((c["start"], c["end"]), (start, end)) for c in a["content_spans"])
        and not _a_poll_finding(doc, a)
    ]
    found: list[Candidate] = []
    fallbacks: list[Candidate] = []
    # The attributions that leave the author nothing of their spans: those
    # with a claim of their own.  One whose cue only reports an act ("slapped
    # tariffs", see :func:`_voices`) or sits in a side clause ("began her
    # speech *by slamming* candidates") leaves the sentence to the author.
    holding, questions = [], []
    tails: list[Candidate] = []
    for attr in linked:
        pieces = [declined_proposition(p) or p for p in content_pieces(doc, attr, start, end)]
        own = [
            Candidate(clause, sentence_id, attr)
            for piece in pieces
            if is_proposition(piece)
            for clause in clause_spans(piece)
            if is_statement(clause, doc_text)
        ]
        reports: list[Candidate] = []
        tail = False
        asked = bool(pieces) and all(is_question(p, doc_text) for p in pieces)
        if asked:
            # A reported question ("“So why didn't Donald Trump pay his?” a
            # narrator asks") is no claim, neither is the sentence around it.
            questions.append(attr)
        elif pieces and _voices(attr) and (not own or (tail := _figures_after(attr, sent, linked))):
            # Only noun phrases, subjectless fragments or clauses too short
            # to stand alone ("denied *any plans*", "is expected *to be
            # ratified*", "“*It's gutless leadership*,” Warren said"), or a
            # tail after the reporting clause that holds a figure ("...,
            # the group said, *compared with $2,700* for ..."): the
            # reporting clause is the claim, in the source's voice.
            whole = _trimmed(sent)
            reports = [
                Candidate(clause, sentence_id, attr)
                for clause in (clause_spans(whole) if whole is not None else [])
                if _reports_in(attr, clause, sent) and is_statement(clause, doc_text)
            ]
        if own or reports:
            holding.append(attr)
        if tail:
            found += reports  # it says more than its frame: the figure
            tails += reports
        else:
            fallbacks += reports
        found += own
    found += [f for f in fallbacks if not _only_a_frame(f, found, linked)]
    # The author's clauses: all of them when no reported claim was found;
    # beside reported ones ("..., the company said, but profits rose"),
    # those that touch no reported span, or whose verb is outside them all.
    taken = [
        (part["start"], part["end"])
        for attr in (holding if found else []) + questions
        for key in ("content_spans", "source_spans", "cue_spans")
        for part in attr[key]
    ]
    for piece in clause_spans(sent):
        verb = (piece.root.idx, piece.root.idx + len(piece.root))
        if (
            not any(_overlaps(verb, t) for t in taken)
            # the sentence itself passed ``is_statement`` above
            and (piece == sent or is_statement(piece, doc_text))
            and not is_opinion(piece)
        ):
            found.append(Candidate(piece, sentence_id))
    # One claim per span: two attributions can fall back to the same
    # sentence; and a piece inside a larger claim of the same attribution
    # ("The storm ... *to hit Florida*" of "The storm is expected to hit
    # Florida") is part of it, not another claim.
    unique: dict[tuple[int, int], Candidate] = {}
    for cand in found:
        unique.setdefault((cand.span.start_char, cand.span.end_char), cand)
    # A reporting clause kept for a figure of its content is the sentence;
    # the author's copy of it (with its final period) goes.
    if tails:
        kept = {_bounds_without_final_marks(c.span) for c in tails}
        unique = {
            key: cand
            for key, cand in unique.items()
            if cand.attribution is not None or _bounds_without_final_marks(cand.span) not in kept
        }
    return [
        cand
        for cand in unique.values()
        if not any(
            other is not cand
            and other.attribution is cand.attribution
            and other.span.start <= cand.span.start
            and cand.span.end <= other.span.end
            for other in unique.values()
        )
    ]


def _bounds_without_final_marks(span: Span) -> tuple[int, int]:
    """A claim's character bounds without its closing punctuation: the
    author's whole sentence ("... income scale.") and the source's
    reporting clause ("... income scale") cover the same words."""
    end = span.end
    while end > span.start + 1 and span.doc[end - 1].is_punct:
        end -= 1
    return span.start_char, span.doc[end - 1].idx + len(span.doc[end - 1])


#: Verbs (and nouns) by which a source takes a stand on what follows them,
#: even when that is only a noun phrase: it says, denies, predicts, judges
#: or wants it ("denied *any plans*", "slammed *the deal*", "called for
#: *a ban*").  An attribution found on another verb ("Mexico *slapped*
#: retaliatory tariffs", "six were *appointed* by Democratic presidents")
#: reports an act, which is the author's claim, not the actor's.
_VOICING_CUES = (
    CUE_VERBS
    | NP_CONTENT_VERBS
    | NOUN_CUES
    | _POSITION_CUES
    | _PREDICTION_CUES
    | _DENY_CUES
    | _SPECULATE_CUES
    | _REPORT_CUES
    | _DECLINE_VERBS
    | words(
        """
        accord continue criticize criticise slam blast attack praise defend
        decry condemn denounce lament applaud hail welcome dismiss question
        challenge mock ridicule blame credit thank apologize chastise scold
        rebuke lambaste castigate trash back endorse protest quote cite
        reply respond charge describe highlight stress emphasize request
        seek want hope wish call push plead appeal remark proclaim utter
        chant post email tweet deem consider brush recognize :
        """
    )
)
#: Phrasal cues of saying whose verb alone says nothing ("he *went on*").
_VOICING_PHRASES = frozenset({"go on", "lay out", "point out", "weigh in", "speak out"})
#: Clauses a cue can sit in without being what its sentence says: a
#: reporting verb inside one ("..., *after he asked* Clinton about her
#: emails", "insert himself *by calling out* Trump") frames a side event.
_FRAMING_CLAUSES = frozenset({"relcl", "acl", "advcl", "pcomp"})


def _voices(attr: dict) -> bool:
    """Whether the attribution's cue is one by which its source takes a
    stand (:data:`_VOICING_CUES`), so that a sentence whose content is only
    a noun phrase can be the source's claim."""
    cue = attr.get("cue_lemma") or ""
    return cue in _VOICING_PHRASES or any(word in _VOICING_CUES for word in cue.split())


#: Heads of a source that is a share of a group ("63 *percent*", "a
#: *majority* of Republicans", "*most* of them").
_SHARE_HEADS = words("percent % pct majority minority plurality half third thirds quarter most")


def is_share_of_group(source: Span) -> bool:
    """Whether a source is a share of a group, as polls report them: "63
    percent", "About 4 in 10 voters", "a majority of Republicans", "Most
    Americans", "two-thirds of voters"."""
    root = source.root
    if root.lower_ in _SHARE_HEADS:
        return True
    if any(c.lower_ == "most" and c.dep_ in ("amod", "det") for c in root.children):
        return True
    # A ratio ("4 in 10") needs a number: most sources have none.
    return any(t.like_num for t in source) and any(
        q["unit"] == "percent" for q in quantities(source)
    )


def _a_poll_finding(doc: Doc, attr: dict) -> bool:
    """Whether the attribution reports what a share of a group said or
    thinks ("*63 percent* said Clinton was justified").

    What such a group says is no claim of its own: the claim is the finding,
    the whole sentence, in the author's voice (or in the voice of the poll
    it is attributed to, "..., according to a Gallup poll").  Taking only
    the content would lose the number a fact-checker checks.
    """
    for part in attr["source_spans"][:1]:
        source = doc.char_span(part["start"], part["end"], alignment_mode="expand")
        return source is not None and is_share_of_group(source)
    return False


def _figures_after(attr: dict, sent: Span, linked: Sequence[dict]) -> bool:
    """Whether the sentence goes on after the attribution's last span with
    a number or date that belongs to its content ("..., the group said,
    *compared with $2,700* for those in the middle"; "..., Mr. Clarke said,
    *until it went bankrupt in 1999*"): a claim of the content alone would
    lose it.  A figure of the reporting clause ("..., Trump said *last
    month*") or of another attribution's content does not count: it hangs
    from the cue, or sits in that content."""

    def within(key: str, attrs: Sequence[dict]) -> list[tuple[int, int]]:
        return [(p["start"], p["end"]) for a in attrs for p in a[key]]

    own = within("content_spans", [attr])
    cues = within("cue_spans", [attr])
    parts = [
        p
        for p in own + cues + within("source_spans", [attr])
        if _overlaps(p, (sent.start_char, sent.end_char))
    ]
    if not parts:
        return False
    tail_start = max(end for _, end in parts)
    others = within("content_spans", [a for a in linked if a is not attr])

    def inside(token: Token, spans: list[tuple[int, int]]) -> bool:
        return any(s <= token.idx < e for s, e in spans)

    for token in sent:
        if token.idx < tail_start or inside(token, others):
            continue
        if not (token.like_num or token.ent_type_ in _NUMERIC_ENTS | _TIME_ENTS):
            continue
        for ancestor in [token, *token.ancestors]:  # the content's, or the cue's?
            if inside(ancestor, cues) or _a_clause_of_its_own(ancestor):
                break
            if ancestor is not token and inside(ancestor, own):
                return True
    return False


def _a_clause_of_its_own(token: Token) -> bool:
    """Whether ``token`` heads a coordinated clause with its own subject
    ("..., and *the top 10 percent paid* 69 percent"): a claim of its own."""
    return token.dep_ == "conj" and any(c.dep in _SUBJECT_IDS for c in token.children)


def _reports_in(attr: dict, clause: Span, sent: Span) -> bool:
    """Whether ``clause`` of the sentence ``sent`` is the attribution's report.

    It is when the cue is in the clause on its main line ("Russia has
    *denied* any plans"), or in another sentence, whose quote runs on into
    this one; it is not when the cue is in a side clause ("..., *after he
    asked* Clinton about her emails") or in another clause of the sentence.
    """
    doc = clause.doc
    in_sentence = False
    for part in attr["cue_spans"]:
        if not _overlaps((part["start"], part["end"]), (sent.start_char, sent.end_char)):
            continue
        in_sentence = True
        start, end = max(part["start"], clause.start_char), min(part["end"], clause.end_char)
        cue = doc.char_span(start, end, alignment_mode="expand") if start < end else None
        if cue is not None and any(_in_main_clause(t, clause, _FRAMING_CLAUSES) for t in cue):
            return True
    return not in_sentence


#: Words a reporting clause may keep beyond its attributions and the claims
#: inside it and still be only their frame ("published by", "then", "also").
_FRAME_WORDS = 2


def _only_a_frame(fallback: Candidate, claims: Sequence[Candidate], linked: Sequence[dict]) -> bool:
    """Whether a reporting clause that stands in for a fragmentary content
    says nothing beyond the other claims inside it and the attributions'
    sources, cues and contents.

    In "The transcript shows that Clinton talked about reform", Clinton's
    fragment ("reform") made the sentence a claim in Clinton's voice, a
    second copy of the transcript's claim inside it: only a frame is left
    ("The transcript ... shows").  A sentence whose own verb is the
    fragment's cue asserts that act: "A judge has *rejected* a request to
    unseal the records, saying the courts have no business ..." stays a
    claim beside the one inside it.
    """
    span, doc = fallback.span, fallback.span.doc
    if not any(span.start <= c.span.start and c.span.end <= span.end for c in claims):
        return False

    def tokens(parts: Sequence[dict]) -> set[int]:
        """The tokens of ``parts`` inside the span (a content may run on
        for sentences: only this one's part matters)."""
        out: set[int] = set()
        for part in parts:
            start, end = max(part["start"], span.start_char), min(part["end"], span.end_char)
            if start < end and (piece := doc.char_span(start, end, alignment_mode="expand")):
                out.update(range(piece.start, piece.end))
        return out

    if span.root.i in tokens(fallback.attribution["cue_spans"]):
        return False
    covered = {i for c in claims for i in range(c.span.start, c.span.end)}
    for attr in linked:
        for key in ("source_spans", "cue_spans", "content_spans"):
            covered |= tokens(attr[key])
    if span.root.i not in covered:
        return False  # its own verb asserts something else
    left = [t for t in span if t.i not in covered and t.is_alpha and not t.is_stop]
    return len(left) <= _FRAME_WORDS


def content_pieces(doc: Doc, attr: dict, start: int, end: int) -> list[Span]:
    """The parts of an attribution's contents inside the sentence
    ``[start, end)``, trimmed of edge punctuation and conjunctions."""
    pieces = []
    for c in attr["content_spans"]:
        if _overlaps((c["start"], c["end"]), (start, end)):
            s, e = max(c["start"], start), min(c["end"], end)
            piece = doc.char_span(s, e, alignment_mode="contract")
            trimmed = _trimmed(piece) if piece is not None else None
            if trimmed is not None:
                pieces.append(trimmed)
    return pieces


#: Verbs whose refusal ("declined *to comment on* the possibility that X")
#: leaves X as the proposition a source declines to take a stand on.
_COMMENT_VERBS = frozenset({"comment", "say", "confirm", "discuss"})


def declined_proposition(piece: Span) -> Span | None:
    """The "that"/"whether" clause of an infinitival comment content: "to
    comment on the possibility *that the United States might supply
    Stingers*" → the clause, which is the claim; None otherwise."""
    if piece[0].lower_ != "to" or piece.root.lemma_ not in _COMMENT_VERBS:
        return None
    for token in piece:
        if token.dep_ not in ("acl", "ccomp"):
            continue
        for mark in token.children:
            if mark.dep_ == "mark" and mark.lower_ in ("that", "whether", "if"):
                # The clause after its subordinator: the proposition itself.
                start, end = max(token.left_edge.i, mark.i + 1), token.right_edge.i + 1
                if piece.start <= start and end <= piece.end:
                    return _trimmed(piece.doc[start:end])
    return None


#: Adjectives that judge rather than describe; an author's clause that only
#: applies one of them ("This is a shameful decision") is an opinion.
_EVALUATIVE = words(
    """
    shameful cowardly disgraceful outrageous ridiculous absurd silly stupid
    foolish idiotic pathetic laughable wonderful terrific fantastic amazing
    awesome brilliant marvelous splendid terrible horrible awful appalling
    disgusting despicable deplorable contemptible shocking scandalous sad
    unfair unacceptable irresponsible reckless disastrous hypocritical
    excellent outstanding superb incredible unbelievable dishonest corrupt
    unfit unqualified crazy insane dumb
    """
)


#: Nouns that judge what they are said of: "it was *a mistake*", "Those
#: are just *distractions*", "a *fraud*".  Not nouns as often descriptive
#: ("heart *failure*", "the worst natural *disaster*").
_EVALUATIVE_NOUNS = words(
    """
    mistake blunder disgrace embarrassment fraud liar lie joke farce sham
    travesty fiasco hero genius visionary idiot fool clown distraction
    meltdown nonsense hoax
    """
)


#: Modals by which an author recommends rather than reports.
_RECOMMENDING = frozenset({"should", "ought"})


def is_opinion(span: Span) -> bool:
    """A clause whose only assertion is a judgement: a copula with an
    evaluative adjective ("The plan is ridiculous", "This is a shameful and
    cowardly decision") or a recommendation ("Both Israel and the United
    States *should* place values and justice ahead of ... interests"), and
    no number to check."""
    root = span.root
    if any(c.dep_ == "aux" and c.lower_ in _RECOMMENDING for c in root.children):
        return not any(t.like_num for t in span)
    if root.lemma_ != "be":
        return False
    predicates = [c for c in root.children if c.dep_ in ("acomp", "attr")]
    judged = any(
        p.lemma_.lower() in _EVALUATIVE
        or any(a.dep_ in ("amod", "conj") and a.lemma_.lower() in _EVALUATIVE for a in p.children)
        for p in predicates
    )
    return judged and not any(t.like_num for t in span)


# ---------------------------------------------------------------- what a claim says


_AUX_DEP = get_string_id("aux")


def claim_type(
    span: Span,
    cue_lemma: str | None = None,
    numbers: list[dict] | None = None,
    doc_text: str | None = None,
) -> str:
    """Full Fact-style type of one claim; the first matching rule wins.

    The order puts the most specific reading first: a denial, and a
    reported claim that is its source's stance (:func:`_a_stance`), is a
    ``position`` whatever it is about; a causal claim is ``causal`` even
    when it is about a law or cites a number (the cause is what needs
    checking); a sentence about a law that mentions a number is a ``rule`` claim.  A
    future about a rule is a ``rule`` claim when the rule is what acts ("The
    bill *would prohibit* ...", see :func:`_a_rule_acts`), else a
    ``prediction`` ("The election *could be* pivotal for the regulations").
    A claim that tells of a stance taken ("Trump *has called for* the
    repeal", see :func:`_takes_a_stance`) is a ``position`` in anyone's
    voice, unless a rule, a future or a number typed it first ("The bill
    calls for a ban" is a rule claim, "32 percent opposed the tax" a
    quantity).  ``numbers`` are the span's :func:`quantities` when already computed;
    ``doc_text`` is the document's text when at hand.
    """
    # Token attributes as integer rows: Token objects only where a rule
    # needs the tree (a modal's verb, a gerund's auxiliaries).
    strings = span.doc.vocab.strings
    columns = token_columns(span, [LEMMA, LOWER, TAG, DEP])
    lemmas = {strings[lemma].lower() for lemma in {c[0] for c in columns}}
    lowers = {strings[lower] for lower in {c[1] for c in columns}}
    tokens = [span.doc[span.start + i] for i, c in enumerate(columns) if c[3] == _AUX_DEP]
    verbs = _main_verbs(span)
    if cue_lemma in _DENY_CUES or (cue_lemma is not None and _a_stance(span, cue_lemma)):
        return "position"
    if _CAUSAL.search(span_text(span, doc_text)) or (lemmas & _CAUSING_VERBS and _causes(span)):
        return "causal"
    future = (
        cue_lemma in _PREDICTION_CUES
        or any(_is_future(t) and _in_main_clause(t, span) for t in tokens)
        or _foreseen(verbs)
    )
    if lemmas & _RULE_WORDS and _about_a_rule(span) and (not future or _a_rule_acts(span)):
        return "rule"
    if future:
        return "prediction"
    if cue_lemma in _POSITION_CUES - {"confirm"}:
        return "position"
    if lowers & _FIRST_PERSON and (lowers & _PERSONAL_NOUNS or lemmas & {"bear", "grow"}):
        return "personal"
    numbers = numbers if numbers is not None else quantities(span)
    if numbers and not all(_names_known_things(q, span) for q in numbers):
        return "quantity"
    if _takes_a_stance(verbs):
        return "position"
    if _happened(verbs):
        return "event"
    return "other"


#: Verbs of causing, as verbs only: "the ruling *prompted* Scott's father
#: to ...", not "a *prompt* reply", "jet *fuel*" or "Sparks said".
_CAUSING_VERBS = frozenset({"prompt", "trigger", "spark", "fuel"})


def _causes(span: Span) -> bool:
    """Whether a verb of causing is the claim's own ("Byrd's strategy
    *prompted* Scott's father to send his son ..."), not one of a clause
    that describes a noun ("a state *that has fueled* comebacks")."""
    return any(
        t.pos_ == "VERB" and t.lemma_ in _CAUSING_VERBS and _in_main_clause(t, span) for t in span
    )


#: Verbs of a state, not an action: "He *had* no experience", "Pence *was*
#: the winner" are no events.
_STATIVE = frozenset({"be", "have", "seem", "remain", "appear", "own", "know", "consist"})


def _main_verbs(span: Span) -> list[Token]:
    """The span's root and the conjuncts of it that the span holds (a
    clause cut at "and" keeps the root's conjuncts beyond the cut in the
    parse)."""
    root = span.root
    return [root, *(v for v in root.conjuncts if span.start <= v.i < span.end)]


def _happened(verbs: list[Token]) -> bool:
    """Whether the claim's main verb, or one coordinated with it, tells of
    something that happened or is happening: a past or perfect action
    ("police *arrested* two men", "has *raised* $50 million") or one in
    progress ("the White House *is looking* at options").  A past state is
    not an event.  ``verbs`` are the claim's :func:`_main_verbs`."""
    for v in verbs:
        obliged = any(c.dep_ == "xcomp" for c in v.children)  # "He *had to* use proceeds"
        if v.lemma_ in _STATIVE and not (v.lemma_ == "have" and obliged):
            continue
        if v.tag_ in ("VBD", "VBN"):
            return True
        if v.tag_ == "VB" and any(c.dep_ == "aux" and c.lower_ == "did" for c in v.children):
            return True  # "she did not send", "He did write"
        if v.tag_ == "VBG" and any(c.dep_ == "aux" for c in v.children):
            return True
    return False


#: Determiners that make a small count refer back, not count anew.
_DEFINITE = frozenset({"the", "these", "those"})


def _names_known_things(quantity: dict, span: Span) -> bool:
    """Whether a quantity only picks out things already known: a small
    count in words right after a definite determiner ("*the two* countries
    signed an agreement", "*the two* did not discuss"), which no one would
    check; "the last six elections" counts."""
    word = quantity["text"].lower()
    if _NUMBER_WORDS.get(word, 11) > 10:
        return False
    return any(
        t.lower_ == word and t.i > span.start and t.doc[t.i - 1].lower_ in _DEFINITE for t in span
    )


#: Clauses that describe a noun or set a scene rather than say what the
#: claim asserts: a rule word or a modal inside one ("a clot *that required
#: treatment*", "donors *who will occupy* ...") does not type the claim.
_SIDE_CLAUSES = frozenset({"relcl", "acl", "advcl"})
#: Nouns whose clause states their content ("the *chance* she will win").
#: Only nouns that rarely head a true relative clause: "the promise he will
#: make" or "the risk they will take" are relative clauses with "that" left out.
_CONTENT_NOUNS = words(
    """
    chance possibility likelihood probability sign indication hope fear
    expectation prospect belief idea doubt
    """
)


#: Cues whose content is the source's stance, whatever it is about:
#: "arguing that Trump lashed out", "called on Obama to retaliate".
_STANCE_CUES = words(
    """
    argue insist believe think feel agree disagree support oppose doubt
    criticize criticise praise urge call accuse condemn blast slam defend
    endorse applaud welcome lament complain
    """
)
#: Modals of obligation: what a source says someone should do is their stance.
_OBLIGATION_MODALS = frozenset({"should", "must", "ought"})


def _a_stance(span: Span, cue_lemma: str) -> bool:
    """Whether a reported claim is its source's stance rather than a
    report of fact: a cue of stance ("argued", "urged"), a call for action
    ("Obama *should* come up with a process", "We *have to* let this
    investigation unfold"), an opinion opened as one ("*I think* Clinton
    is the superior candidate"), or a judgement of something by an
    adjective ("The lack of reciprocity *is deplorable*", "His body
    language *was excellent*").  A position is a claim too, but what is
    checked is whose it is and whether they hold it."""
    if cue_lemma in _STANCE_CUES:
        return True
    root = span.root
    words_ = [t.lower_ for t in span[:4] if not t.is_punct]  # '"I think ...'
    if words_[:2] in (["i", "think"], ["i", "believe"], ["i", "feel"]):
        return True
    for child in root.children:
        if child.dep_ != "aux":
            continue
        if child.lower_ in _OBLIGATION_MODALS:
            return True
    if root.lemma_ in ("have", "need") and any(
        c.dep_ == "xcomp" and any(g.lower_ == "to" for g in c.children) for c in root.children
    ):
        return True
    if root.lemma_ == "be" and not any(t.like_num for t in span):
        return any(_judged(c) for c in root.children)
    return False


def _judged(predicate: Token) -> bool:
    """Whether a copula's complement judges: an adjective that does
    ("*deplorable*") or a noun an adjective that does qualifies ("a tough
    and *brilliant* opponent")."""
    if predicate.dep_ == "acomp":
        return _judges(predicate)
    if predicate.dep_ != "attr":
        return False
    if predicate.lemma_.lower() in _EVALUATIVE_NOUNS and not any(
        c.dep_ == "compound" for c in predicate.children
    ):
        return True  # "a *mistake*", not "a *Hoax* Act"
    modifiers = [a for a in predicate.children if a.dep_ == "amod"]
    return any(_judges(a) for m in modifiers for a in (m, *m.conjuncts))


#: Verbs whose subject takes a stance on their object: "Trump *has called
#: for* the repeal", "Reid *criticized* ...", "Trump *likened* the refugees
#: to a snake".  Only verbs that always judge: "attack", "defend" or
#: "reject" also tell of armies, borders and courts.
_STANCE_VERBS = words(
    """
    criticize criticise condemn praise urge accuse blast slam denounce
    applaud lambaste decry liken endorse oppose demand blame disparage
    deride mock ridicule castigate rebuke
    """
)

#: Verbs that take a stance only with a particle: "called *for* a repeal",
#: "called *on* Obama to retaliate", "lashed *out*".  ("went after" is as
#: often a hunt as an attack.)
_PHRASAL_STANCES = {"call": frozenset({"for", "on"}), "lash": frozenset({"out"})}


def _takes_a_stance(verbs: list[Token]) -> bool:
    """Whether the claim's main verb, or one coordinated with it, is a
    stance taken ("*called for* the complete repeal of
    Obamacare", "*criticized* the plan"): the claim is then about a
    position, whoever reports it, and what is checked is whether it was
    taken.  ``verbs`` are the claim's :func:`_main_verbs`."""
    for v in verbs:
        # Active voice only: "Marquez *is accused of* plotting" is a
        # charge, not a stance its subject took.
        if v.pos_ != "VERB" or any(c.dep_ in ("auxpass", "nsubjpass") for c in v.children):
            continue
        particles = {
            c.lower_: c for c in v.children if c.dep_ in ("prep", "prt") and not _a_time(c)
        }
        if v.lemma_ in _STANCE_VERBS:
            # "*demanded to know* whether ...", "a truck *slammed into* a crowd"
            if "into" in particles or any(c.lemma_ == "know" for c in v.children):
                continue
            return True
        if set(particles) & _PHRASAL_STANCES.get(v.lemma_, frozenset()):
            return True
    return False


def _a_time(preposition: Token) -> bool:
    """Whether a preposition only dates its verb ("called Merkel *on
    Tuesday*"): its object is a date or a time."""
    return any(o.dep_ == "pobj" and o.ent_type_ in ("DATE", "TIME") for o in preposition.children)


#: Adverbs that make an adjective a judgement: "*very* good", "*pretty* cynical".
_INTENSIFIERS = words(
    "very so really truly absolutely totally utterly extremely incredibly pretty too quite"
)


def _judges(adjective: Token) -> bool:
    """Whether a predicate adjective judges rather than describes: one of
    :data:`_EVALUATIVE` ("deplorable") or any adjective an intensifier grades
    ("*very* good on reaction").  "Crime is high", "the company was
    profitable" describe; an adjective that frames a clause of its own ("is
    *likely to* put to rest") leaves the claim to that clause."""
    if adjective.tag_ != "JJ" or any(c.dep_ in ("xcomp", "ccomp") for c in adjective.children):
        return False
    return adjective.lemma_.lower() in _EVALUATIVE or any(
        c.dep_ == "advmod" and c.lower_ in _INTENSIFIERS for c in adjective.children
    )


def _in_main_clause(token: Token, span: Span, side_clauses: frozenset[str] = _SIDE_CLAUSES) -> bool:
    """Whether no relative, adnominal or adverbial clause inside the span
    (or other ``side_clauses``) holds ``token``.  A clause that completes a
    noun with its own subject ("no chance *Clinton will withdraw*", "some
    thought *that enthusiasm might not be there*") is part of what the claim
    says."""
    # A sentence row may hold two parser roots (layout joined them): stop at
    # a root, which is its own head.
    while token.i != span.root.i and token.head.i != token.i and span.start <= token.i < span.end:
        if token.dep_ in side_clauses and not _completes_its_noun(token):
            return False
        token = token.head
    return True


def _completes_its_noun(clause: Token) -> bool:
    """A clause with its own subject that says what its noun holds: an
    ``acl`` ("some thought that enthusiasm might not be there"), or a
    ``relcl`` without a relative word on a noun of content ("no *chance*
    Clinton will withdraw"; the parser takes it for a relative clause)."""
    if not any(c.dep in _SUBJECT_IDS for c in clause.children):
        return False
    if clause.dep_ == "acl":
        return True
    return (
        clause.dep_ == "relcl"
        and clause.head.lemma_.lower() in _CONTENT_NOUNS
        and not any(c.tag in _WH_TAGS or c.lower == _THAT for c in clause.children)
    )


#: Nouns a rule word modifies to name a policy ("*tax* rate", "*tax* cuts");
#: before any other noun it names something else ("*tax* returns").
_POLICY_HEADS = words(
    "rate code cut hike increase break credit reform plan proposal system bracket regime change"
    " relief overhaul burden loophole exemption deduction"
)
#: Rule words that name a law even inside a name ("the Voting Rights *Act*").
_LAW_NAMES = frozenset({"act", "law", "constitution", "statute"})


def _about_a_rule(span: Span) -> bool:
    """Whether a rule word of the span is about a rule.

    A rule noun or adjective anywhere ("the aggressive *laws*", "a *tax*
    increase", "*illegal*"), but not a name ("*Bill* Clinton", "the *Tax*
    Policy Center"; a law's name is one: "the Affordable Care *Act*") and
    not "in *order* to".  A rule verb only in the main clause: "a clot that
    *required* treatment" does not make a claim about a rule, "the law
    *requires* ..." does.
    """
    for token in span:
        lemma = token.lemma_.lower()
        if lemma not in _RULE_WORDS:
            continue
        if token.pos_ == "PROPN" and token.ent_type_ != "LAW" and lemma not in _LAW_NAMES:
            continue
        if (lemma == "order" and token.head.lower_ == "in") or (
            # "Congress has *acted*", "get his *act* together": only a law's name
            lemma == "act" and token.pos_ != "PROPN" and token.ent_type_ != "LAW"
        ):
            continue
        head = token.head.lemma_.lower()
        if token.dep_ == "compound" and head not in _RULE_WORDS | _POLICY_HEADS:
            continue  # "*tax* returns", "*Law* School": a modifier of something else
        if _not_a_rule_here(token, lemma):
            continue
        if token.pos_ not in ("VERB", "AUX") or _in_main_clause(token, span):
            return True
    return False


#: Possessives that make "bills" someone's invoices ("caught up on *his* bills").
_PERSONAL_POSSESSIVES = words("my your his her our their")


def _not_a_rule_here(token: Token, lemma: str) -> bool:
    """Uses of a rule word that are about no rule: the first part of a
    hyphenated modifier ("*tax*-paying entrepreneurs", "*law*-abiding"),
    someone's bills ("caught up on *his* bills") and "*law* and order"."""
    doc = token.doc
    if token.i + 2 < len(doc) and doc[token.i + 1].text == "-" and not doc[token.i].whitespace_:
        return True
    if lemma == "bill" and any(
        c.dep_ == "poss" and c.lower_ in _PERSONAL_POSSESSIVES for c in token.children
    ):
        return True
    if lemma == "order":
        return token.dep_ == "conj" and token.head.lower_ == "law"
    return lemma == "law" and any(c.dep_ == "conj" and c.lower_ == "order" for c in token.children)


#: The arguments of a verb that say what a claim is about.
_ARGUMENTS = frozenset({"nsubj", "nsubjpass", "dobj", "attr"})


def _a_rule_acts(span: Span) -> bool:
    """Whether a rule is what the claim is about: its main verb is a rule
    verb ("the proposal would *prohibit* ..."), or a rule noun is one of its
    arguments ("The new *law* will require ...", "would renew the Iran
    Sanctions *Act*", "to pass a renewal *of the* ... *Act*"), not a word
    in an adjunct ("could be pivotal *for the regulations*", "an audience
    of supporters *of the ban*")."""
    root = span.root
    if root.lemma_.lower() in _RULE_WORDS:
        return True
    verbs = [root] + [c for c in root.children if c.dep_ == "xcomp"]
    for argument in (c for v in verbs for c in v.children if c.dep_ in _ARGUMENTS):
        heads = [argument] + [
            o for p in argument.children if p.lower_ == "of" for o in p.children if o.dep_ == "pobj"
        ]
        for head in heads:
            for t in [head, *(c for c in head.children if c.dep_ in ("compound", "amod"))]:
                if t.lemma_.lower() in _RULE_WORDS:
                    return True
    return False


def _is_future(token: Token) -> bool:
    """A modal or "going to" that puts its verb in the future ("will", "could intensify")."""
    if token.dep_ != "aux":
        return False
    if token.lower_ in _FUTURE_MODALS:
        return True
    # "could/may/might" + bare verb, not "could have ...": a possible future.
    return token.lower_ in _POSSIBILITY_MODALS and not any(
        c.lower_ == "have" and c.dep_ == "aux" for c in token.head.children
    )


#: Predicate adjectives that foresee: "Clinton *is likely to* put to rest
#: any concerns", "A ruling *is unlikely* before the end of the year".
_FORESEEING_ADJECTIVES = frozenset({"likely", "unlikely", "bound"})
#: Passive verbs that schedule or expect: "The vote *is expected to* take
#: place Tuesday", "He *is set to* announce".
_FORESEEING_PASSIVES = frozenset({"expect", "set", "poise", "schedule", "slate"})


def _foreseen(verbs: list[Token]) -> bool:
    """Whether the claim's main predicate foresees what it says: a future
    stated without a modal, in the present ("is likely to", "is expected
    to"; "was expected to cruise past" tells of a past expectation).  A
    graded likelihood compares groups rather than foresees ("voters who
    dislike ... are *more likely* to like Trump"), and "bound" foresees
    only with its verb ("is bound to fail", not "was wheelchair-bound").
    ``verbs`` are the claim's :func:`_main_verbs`."""
    for verb in verbs:
        children = list(verb.children)
        if verb.lemma_ == "be" and verb.tag_ in ("VBZ", "VBP"):
            for c in children:
                if c.dep_ != "acomp" or c.lower_ not in _FORESEEING_ADJECTIVES:
                    continue
                if any(g.lower_ in ("more", "less", "most", "least") for g in c.children):
                    continue
                if c.lower_ != "bound" or any(g.dep_ == "xcomp" for g in c.children):
                    return True
        elif (
            verb.lemma_ in _FORESEEING_PASSIVES
            and any(c.dep_ == "xcomp" for c in children)
            and any(c.dep_ == "auxpass" and c.tag_ in ("VBZ", "VBP") for c in children)
        ):
            return True
    return False


#: Hedge cues by their first word, so that matching looks at each token
#: once; as spaCy string ids, the form ``token_columns`` gives words in.
_HEDGES_BY_FIRST: dict[int, list[tuple[int, ...]]] = {}
for _cue in HEDGE_CUES:
    _ids = tuple(get_string_id(w) for w in _cue)
    _HEDGES_BY_FIRST.setdefault(_ids[0], []).append(_ids)


#: Cues that hedge only as modal verbs: "may" (not the month), "might" (not
#: the noun), "could".
_MODAL_HEDGES = frozenset(get_string_id(w) for w in _POSSIBILITY_MODALS)
_MD = get_string_id("MD")


#: Cues that hedge only as predicates: "is *likely* to", not "*likely*
#: voters" (but "an *unlikely* scenario" hedges).
_PREDICATE_HEDGES = frozenset({get_string_id("likely")})
_AMOD = get_string_id("amod")


def hedge_cues(span: Span) -> list[str]:
    """The hedging expressions in ``span``, as they appear in the text; of
    overlapping cues ("are expected", "expected to") the first.  A modal
    hedges only in the claim's main clause: in "He made deals that other
    people couldn't", "couldn't" says nothing of the claim's certainty."""
    columns = token_columns(span, [LOWER, TAG, DEP])
    lowers = [lower for lower, _, _ in columns]
    found = []
    free_from = 0  # the first token after the last cue found
    for i, (word, tag, dep) in enumerate(columns):
        if i < free_from or (word in _MODAL_HEDGES and tag != _MD):
            continue
        if word in _MODAL_HEDGES and not _in_main_clause(span.doc[span.start + i], span):
            continue  # "deals that other people *couldn't*": not the claim's modality
        if word in _PREDICATE_HEDGES and dep == _AMOD:
            continue
        for cue in _HEDGES_BY_FIRST.get(word, ()):
            if tuple(lowers[i : i + len(cue)]) == cue:
                found.append(span.doc[span.start + i : span.start + i + len(cue)].text)
                free_from = i + len(cue)
                break
    return found


#: Dependents of a predicate that a negative determiner negates it through
#: ("*no* plans", "*No* one was hurt").
_CORE_ARGS = frozenset({"nsubj", "nsubjpass", "dobj", "attr"})
#: Dependents whose negation negates the claim: what its head takes ("did
#: not want *to go*", "said *he would not run*"), adds ("could have saved
#: *but didn't*") or predicates ("are *not likely* to alter").
_NEGATED_THROUGH = frozenset({"xcomp", "ccomp", "conj", "acomp", "attr"})
#: Clauses that complete a predicate noun or adjective: "is *aware* that X
#: is not ...", "there is *no chance* (that) X will ...".
_COMPLEMENTS = frozenset({"ccomp", "acl", "xcomp"})


def _predication(span: Span) -> set[int]:
    """The positions of the claim's predication: its head, the dependents
    in :data:`_NEGATED_THROUGH`, and the clauses that complete a predicate
    noun or adjective."""
    root = span.root
    heads = {root.i}
    for child in root.children:
        if child.dep_ in _NEGATED_THROUGH:
            heads.add(child.i)
            if child.dep_ in ("acomp", "attr"):
                heads.update(c.i for c in child.children if c.dep_ in _COMPLEMENTS)
    return heads


def is_negated(span: Span) -> bool:
    """Whether the claim's proposition is negated: "did *not* pass", "has
    *never* been", "has *no* plans", "*Nobody* was hurt", "*Not* everyone
    agrees", "are *in no way* affected".

    "No" before a comparative bounds a figure rather than negating ("*no*
    more than 500 people", "*no* less than $20 billion").  The negation
    must belong to the predication the claim makes
    (:func:`_predication`), directly or through a core argument it
    determines: a negation inside a modifier leaves the claim positive
    ("*not* far from the Monument", "to *no* avail", "which the police have
    *not* done").
    """
    columns = token_columns(span, [DEP, LOWER])
    if not any(dep == _NEG or lower in _NEGATION_IDS for dep, lower in columns):
        return False  # most claims: no Token objects needed
    heads = _predication(span)
    for token in span:
        if not (token.dep == _NEG or (token.lower in _NEGATION_IDS and token.dep != _INTJ)):
            continue
        head = token.head
        after = token.doc[token.i + 1 : token.i + 2]
        if token.lower_ == "no" and any(t.tag_ in ("JJR", "RBR") for t in after):
            continue  # a bound, not a negation: "*no* more than 500", "*no* later than May"
        if head.dep_ in _CORE_ARGS and token.dep_ in ("det", "neg", "advmod", "preconj"):
            head = head.head  # "*no* plans", "*Not* everyone", "*Neither* X nor Y"
        elif head.lower_ == "way" and head.head.lower_ == "in":
            head = head.head.head  # "in no way"
        if head.i in heads:
            return True
    return False


def stance(attr: dict | None, span: Span, hedged: bool) -> str:
    """How the claim's source stands to it.

    ``denies``/``reports``/``speculates`` follow the attribution's cue
    ("has denied", "reported", "speculate"); a hedged content ("could
    intensify") makes its source ``speculates``; an author's or source's
    flat statement ``asserts``.  ``declines_to_comment`` is read from the
    sentence ("declined to comment on the possibility that ...").
    """
    sent = span.sent
    # Most sentences hold no "decline"/"refuse": look at their tokens only then.
    declines = any(lemma in _DECLINE_IDS for (lemma,) in token_columns(sent, [LEMMA]))
    for t in sent if declines else ():
        if (
            t.lemma_ in _DECLINE_VERBS
            and any(
                c.dep_ == "xcomp" and c.lemma_ in ("comment", "say", "confirm", "discuss")
                for c in t.children
            )
            and (span.start >= t.i or attr is None)
        ):
            return "declines_to_comment"
    if attr is not None:
        cue = attr["cue_lemma"]
        if cue in _DENY_CUES:
            return "denies"
        if cue in _SPECULATE_CUES:
            return "speculates"
        source_type = attr.get("source_type")
        by_a_person = cue in _WRITE_CUES and source_type == "person"
        if (cue in _REPORT_CUES and not by_a_person) or source_type in ("media", "document"):
            return "reports"
    if hedged:
        return "speculates"
    return "asserts"


#: Digits with a multiplier written onto them: "5bn", "2.5m", "$1billion".
_NUMERAL = re.compile(r"(\d+(?:\.\d+)?)(k|m|bn|thousand|million|billion|trillion)?")


def _number_value(tokens: Sequence[Token]) -> float | None:
    """The numeric value of number tokens: "175,000", "1.5 trillion", "$5bn",
    "two", "one hundred and five", "25%".

    Number words add up ("twenty five"); a second numeral starts another
    number, so a range ("between 1,000 and 2,000") gives its first bound.
    """
    value: float | None = None
    numeral_seen = False
    for t in tokens:
        raw = t.lower_.replace(",", "").strip("$€£¥%")
        if m := _NUMERAL.fullmatch(raw):
            if numeral_seen:
                break
            numeral_seen = True
            number = float(m.group(1)) * (_MULTIPLIERS[m.group(2)] if m.group(2) else 1)
            value = number if value is None else value + number
        elif raw in _NUMBER_WORDS:
            value = _NUMBER_WORDS[raw] if value is None else value + _NUMBER_WORDS[raw]
        elif raw in _MULTIPLIERS and (value is not None or _one_of(t)):
            value = _MULTIPLIERS[raw] * (1 if value is None else value)  # "two dozen", "a dozen"
        elif value is not None and raw not in ("and", "-"):
            break
    # 65.4 * 1e9 is 65400000000.00001 in binary: keep the digits written.
    return None if value is None else float(f"{value:.12g}")


def _counted_noun(count: Token) -> Token | None:
    """The noun a count word takes with "of": "dozens of *lawmakers*",
    "hundreds of thousands of *jobs*" (through the inner count)."""
    for _ in range(3):
        noun = of_object(count)
        if noun is None or noun.pos_ not in ("NOUN", "PROPN", "NUM"):
            return None
        if noun.lower_ not in _VAGUE_COUNTS and noun.pos_ != "NUM":
            return noun
        count = noun
    return None


def _one_of(multiplier: Token) -> bool:
    """Whether a multiplier with no number before it counts one: "*a*
    million acres", "about *a* dozen", but not "a quarter *of a* million"
    nor "several hundred"."""
    doc, i = multiplier.doc, multiplier.i
    return i > 0 and doc[i - 1].lower_ in ("a", "an") and not (i > 1 and doc[i - 2].lower_ == "of")


def _a_dozen(token: Token, span: Span) -> list[Token]:
    """The tokens of "dozen" or "a dozen" counting a noun, which spaCy
    gives no entity ("no more than *a dozen* protesters"); empty for any
    other token."""
    if token.lower_ != "dozen" or token.dep_ != "nummod":
        return []
    before = token.doc[token.i - 1] if token.i > span.start else None
    return [before, token] if before is not None and before.lower_ == "a" else [token]


def _numeral(token: Token) -> bool:
    """A number written in digits, with a multiplier suffix or not ("5bn")."""
    return _NUMERAL.fullmatch(token.lower_.replace(",", "").strip("$€£¥%")) is not None


def _with_symbol_and_multiplier(group: list[Token], span: Span) -> list[Token]:
    """A number's tokens with a currency sign just before and a multiplier
    and "percent" just after, inside the claim: spaCy's entity often leaves
    them out ("$" before "5bn", "m" after "2.5", "percent" after "5")."""
    doc = span.doc
    first, last = group[0].i, group[-1].i
    if first > span.start and doc[first - 1].text in _CURRENCIES:
        group = [doc[first - 1], *group]
    if last + 1 < span.end and doc[last + 1].lower_ in _MULTIPLIERS:
        group = [*group, doc[last + 1]]
        last += 1
    if last + 1 < span.end and doc[last + 1].lower_ in _PERCENT_WORDS:
        group = [*group, doc[last + 1]]  # "5 percent" that no entity holds
    return group


_PERCENT_WORDS = frozenset({"percent", "%", "pct"})


_RANGE_WORDS = ("to", "-", "–")
#: Verbs before "from" that make "from X to Y" a range, not a change.
_RANGE_VERBS = words("range vary anywhere")


def _range_bounds(low: Sequence[Token], joint: Token, high: Sequence[Token]) -> bool:
    """Whether ``low joint high`` ("100,000 to 250,000", "10-15", "$4 trillion
    to $5 trillion") reads as a range: two numbers written in digits joined by
    "to" or a dash, the second larger (so not a score or ratio, "52 to 38",
    "3-1"), and not a change ("fell from 73 to 63", "rose from $35,000 to
    $60,000"; but "ranged from 10 to 20" is a range)."""
    if joint.lower_ not in _RANGE_WORDS:
        return False
    if not (any(_numeral(t) for t in low) and any(_numeral(t) for t in high)):
        return False
    if (_number_value(low) or 0) >= (_number_value(high) or 0):
        return False
    doc = low[0].doc
    before = low[0].i - 1
    while before >= 0 and doc[before].text in _CURRENCIES:
        before -= 1
    if before >= 0 and doc[before].lower_ == "from":
        return before > 0 and doc[before - 1].lemma_.lower() in _RANGE_VERBS
    return True


def _last_number(group: Sequence[Token]) -> list[Token]:
    """The group's last number in digits with what follows it ("5 trillion"
    of "$4 trillion to $5 trillion"), or the whole group if it has none."""
    starts = [k for k, t in enumerate(group) if _numeral(t)]
    return list(group[starts[-1] :]) if starts else list(group)


def _without_dangling_ends(group: list[Token]) -> list[Token]:
    """A number group without the range word or currency sign that spaCy's
    entity sometimes ends on ("$60 to $" before "35", "10 percent to"):
    they belong between this number and the next."""
    end = len(group)
    while end > 1 and (group[end - 1].lower_ in _RANGE_WORDS or group[end - 1].text in _CURRENCIES):
        end -= 1
    return group[:end]


def _joined_ranges(groups: list[list[Token]]) -> list[list[Token]]:
    """Number groups with a range's two bounds in one, where spaCy left them
    as two numbers ("100,000 to 250,000", "$35,000 to $60,000")."""
    out: list[list[Token]] = []
    for group in groups:
        prev = out[-1] if out else None
        if prev is not None:
            doc = group[0].doc
            between = doc[prev[-1].i + 1 : group[0].i]
            joint = [t for t in between if t.text not in _CURRENCIES]
            if (
                len(joint) == 1
                and all(t.i == joint[0].i or t.text in _CURRENCIES for t in between)
                and _range_bounds(_last_number(prev), joint[0], group)
            ):
                out[-1] = [*prev, *between, *group]
                continue
        out.append(group)
    return out


def _ratio_after(count: Token) -> list[list[Token]]:
    """The ratios that could start at ``count``: "one in / of / out of" and
    the next token."""
    doc = count.doc
    return [doc[count.i : count.i + n + 2] for n in (1, 2) if count.i + n + 2 <= len(doc)]


def _joined_ratios(groups: list[list[Token]]) -> list[list[Token]]:
    """Number groups with a ratio's two counts in one ("eight | of | 10")."""
    out: list[list[Token]] = []
    for group in groups:
        if out:
            prev = out[-1]
            joined = [*prev, *group[0].doc[prev[-1].i + 1 : group[0].i], *group]
            if _ratio_bounds(joined):
                out[-1] = joined
                continue
        out.append(group)
    return out


def _ratio_bounds(group: Sequence[Token]) -> tuple[float, float] | None:
    """The two counts of a ratio ("eight of 10", "1 in 4", "nine out of
    ten"), the first no larger than the second; None for anything else."""
    words = [t.lower_ for t in group]
    for joint in (["out", "of"], ["of"], ["in"]):
        for k in range(1, len(words) - len(joint) + 1):
            if words[k : k + len(joint)] != joint:
                continue
            left, right = group[:k], group[k + len(joint) :]
            if not right or not all(t.like_num or t.lower_ in _NUMBER_WORDS for t in right):
                return None
            a, b = _number_value(left), _number_value(right)
            if a is None or b is None or not 0 < a <= b:
                return None
            return a, b
    return None


#: Fraction words and their denominators ("two-*thirds*", "a *quarter*").
_FRACTIONS = {
    "half": 2,
    "third": 3,
    "thirds": 3,
    "quarter": 4,
    "quarters": 4,
    "fifth": 5,
    "fifths": 5,
    "tenth": 10,
    "tenths": 10,
}
_FRACTION_IDS = frozenset(get_string_id(w) for w in _FRACTIONS)
#: Words "half" takes a share of without "of" ("half *the* country").
_AFTER_HALF = words("the a an his her their its our my your this that these those")
#: Words before "half" that make it a part of a period or a whole, not a
#: share ("*the first* half of the year", "*the other* half").
_PERIOD_HALVES = words("the first second last latter other")
#: What may stand between a fraction and the amount it divides ("a quarter
#: *of a* million").
_FRACTION_LINKS = ("of", "a", "an")


def _fraction(token: Token) -> tuple[int, float] | None:
    """Where a fraction ending at ``token`` starts and its value: "half",
    "a third", "two-thirds", "three quarters" → 1/2, 1/3, 2/3, 3/4.

    A hyphenated fraction ("one-third", "two-thirds") is one wherever it
    stands.  Otherwise only one that takes a share of something counts:
    "of" follows ("a quarter *of* respondents"), or for "half" a determiner
    ("half *the* country", "half *a* million").  So ordinals ("the third
    quarter", "a third term") are no fractions, nor is a third or quarter
    without a numerator, nor a half of a period ("the first half of the
    year").
    """
    denominator = _FRACTIONS.get(token.lower_)
    if denominator is None:
        return None
    doc = token.doc
    before = token.i - 1
    hyphenated = before >= 0 and doc[before].text in ("-", "‐")
    if hyphenated:
        before -= 1
    word = doc[before].lower_ if before >= 0 else ""
    numerator = 1 if word in ("a", "an", "one") else _NUMBER_WORDS.get(word)
    if numerator is not None and not 0 < numerator < denominator:
        numerator = None
    if hyphenated and numerator is not None:
        return before, numerator / denominator
    after = doc[token.i + 1].lower_ if token.i + 1 < len(doc) else ""
    if not (after == "of" or (denominator == 2 and after in _AFTER_HALF)):
        return None
    if numerator is not None:
        return before, numerator / denominator
    adjective = before >= 0 and doc[before].pos_ == "ADJ"
    if denominator == 2 and word not in _PERIOD_HALVES and not adjective:
        return token.i, 0.5  # "half of", "nearly half the country"
    return None


def _fraction_groups(span: Span) -> list[list[Token]]:
    """The fractions in ``span`` as number groups, each with the amount or
    unit it divides after "a" ("half *a million*", "a quarter *of a
    billion*", "half *a percentage point*")."""
    doc, groups = span.doc, []
    # Only fraction words can end a fraction: find them by string id (this
    # runs for every claim) before looking at any Token.
    columns = token_columns(span, [LOWER])
    for i in (k for k, (lower,) in enumerate(columns) if lower in _FRACTION_IDS):
        token = doc[span.start + i]
        found = _fraction(token)
        if found is None or found[0] < span.start or _divides_time(token):
            continue  # "half an hour" is a time expression
        end = token.i + 1
        while end < span.end and doc[end].lower_ in _FRACTION_LINKS:
            end += 1
        divided = _divided(doc[token.i + 1 : end], doc[end]) if end < span.end else None
        if divided is None:
            end = token.i  # a share of a group, not of an amount or unit
        elif divided == "unit":
            unit = doc[end]
            while unit.dep_ in ("compound", "amod") and unit.i < unit.head.i < span.end:
                unit = unit.head  # "a *percentage* point"
            end = unit.i
        groups.append(list(doc[found[0] : end + 1]))
    return groups


def _divided(links: Span, word: Token) -> str | None:
    """What a fraction divides when ``links`` ("a", "of a") lead to
    ``word``: "multiplier" for an amount ("half *a million*"), "unit" for
    one of something ("half *a* percentage *point*"), None for a share of a
    group ("half *of the* voters")."""
    if word.lower_ in _MULTIPLIERS:
        return "multiplier"
    if links and links[-1].lower_ in ("a", "an") and word.pos_ in ("NOUN", "ADJ"):
        return "unit"
    return None


def _fraction_value(group: Sequence[Token]) -> tuple[float, float | None, str | None] | None:
    """A fraction group's fraction, the multiplier it divides and the unit
    it divides: "half a million" → 0.5, 1e6, None; "half a percentage
    point" → 0.5, None, "percentage point"; "two-thirds of voters" → 2/3,
    None, None (a share); None for a group without a fraction."""
    for token in group:
        if (found := _fraction(token)) is None:
            continue
        times = next((_MULTIPLIERS[t.lower_] for t in group if t.lower_ in _MULTIPLIERS), None)
        article = next((t for t in group if t.i > token.i and t.lower_ in ("a", "an")), None)
        if times is None and article is not None and group[-1].i > article.i:
            unit = article.doc[article.i + 1 : group[-1].i + 1]
            return found[1], None, unit.text.lower()
        return found[1], times, None
    return None


def _score_sides(group: Sequence[Token]) -> tuple[list[Token], list[Token]] | None:
    """The two figures of a tally, score or change held in one number group
    ("19-15", "52 to 38 percent", "fell from 73 to 63 percent"): numbers in
    digits joined by a dash or "to" that are no range ("10-15", see
    :func:`_range_bounds`); None for anything else."""
    for k, joint in enumerate(group):
        if not (0 < k < len(group) - 1 and joint.lower_ in _RANGE_WORDS):
            continue
        left, right = list(group[:k]), list(group[k + 1 :])
        if not (any(_numeral(t) for t in left) and any(_numeral(t) for t in right)):
            return None
        if _range_bounds(_last_number(left), joint, right):
            return None
        return left, right
    return None


_VOTE = "vote"


def _tally_unit(number: Token) -> str | None:
    """``votes`` for a number a vote governs ("*voted* 52 to 48", "by a
    *vote* of 227-203"), within three steps up the tree; None otherwise."""
    token = number
    for _ in range(3):
        if token.head is token:
            break
        token = token.head
        if token.lemma_.lower() == _VOTE:
            return "votes"
    return None


def _is_range(group: Sequence[Token]) -> bool:
    """Whether a number group holds a range (see :func:`_range_bounds`)."""
    return any(
        _range_bounds(_last_number(group[:k]), t, group[k + 1 :])
        for k, t in enumerate(group)
        if 0 < k < len(group) - 1 and t.lower_ in _RANGE_WORDS
    )


def _is_approximate(group: Sequence[Token]) -> bool:
    """Whether a number's own words or the two words before it hedge it."""
    doc = group[0].doc
    before = [t.lower_ for t in doc[max(0, group[0].i - 2) : group[0].i]]
    words_in = [t.lower_ for t in group]
    if set(words_in) & _APPROXIMATORS or (before and before[-1] in _APPROXIMATORS):
        return True
    context = before + words_in
    return any(
        tuple(context[i : i + len(p)]) == p
        for p in _APPROXIMATE_PHRASES
        for i in range(len(context) - len(p) + 1)
    )


#: Signs before a number that make it a label ("mine *No.* 2", "*#* 3").
_NUMBER_SIGNS = frozenset({"no.", "nos.", "#"})
#: Words before "one" that make it a count: "*only* one Republican voted
#: for it", "leads *by* one point", "*more than* one", "a *mere* one-point
#: difference".
_ONE_COUNTS = frozenset(
    {"only", "just", "by", "than", "least", "most", "exactly", "merely", "mere", "nearly", "almost"}
)


def _no_count(group: Sequence[Token]) -> bool:
    """Whether a number group counts nothing a claim could be checked on:
    "*One* of the key demands" (a pronoun; "one in five" is a count), a
    "one" that stands for "a" ("*one* thing was clear", "in *one* such
    email", "at *one* point"; "*only* one", "by *one* point" and "a
    *one*-point lead" count, see :data:`_ONE_COUNTS`), a label ("mine No.
    *2*"), a decade ("the *90*’s") or a verb ("*zero* in on").

    On 900 PolNeAR articles a "one" standing for "a" was all that made 215
    of 3,631 claims ``quantity`` claims.
    """
    first, last, doc = group[0], group[-1], group[0].doc
    before = doc[first.i - 1] if first.i > 0 else None
    after = doc[last.i + 1] if last.i + 1 < len(doc) else None
    if len(group) == 1 and first.lower_ == "zero" and after is not None and after.lower_ == "in":
        return True  # "plans to zero in on local issues": a verb
    if len(group) == 1 and first.lower_ == "one":
        if any(_ratio_bounds(r) for r in _ratio_after(first)):
            return False  # "one in five voters"
        if first.dep_ != "nummod":
            return True  # a pronoun
        counted = before is not None and before.lower_ in _ONE_COUNTS
        return not counted and (after is None or after.text != "-")
    if before is not None:
        sign = before.lower_
        if sign == "." and first.i >= 2 and not doc[first.i - 2].whitespace_:
            sign = doc[first.i - 2].lower_ + "."  # "No" "." as spaCy may split it
        if sign in _NUMBER_SIGNS:
            return True
        if sign == "the" and after is not None and after.text in ("’s", "'s"):
            return not last.whitespace_  # "the 90’s"
    return False


def quantities(span: Span, ents: Sequence[Span] | None = None) -> list[dict]:
    """Numbers in a claim, with value, unit and whether they are approximate.

    Numbers come from spaCy's numeric entities (and bare numeric tokens
    outside any entity, excluding dates and ordinals).  The unit is the
    currency for money, ``percent`` for percentages, and otherwise the noun
    the number counts ("175,000 Russian troops" → ``troops``).  ``ents`` are
    the span's entities when already at hand (``span.ents`` otherwise).
    A vague count ("several hundred troops", "dozens of lawmakers") is a
    quantity too, approximate and with a null ``value``: the claim is about
    a number, but no figure is given to check against.
    """
    ents = span.ents if ents is None else ents
    groups: list[list[Token]] = [list(e) for e in ents if e.label_ in _NUMERIC_ENTS]
    covered = {t.i for g in groups for t in g}
    for i, (like_num, ent_type, pos, lower) in enumerate(
        token_columns(span, [LIKE_NUM, ENT_TYPE, POS, LOWER]), start=span.start
    ):
        if like_num and not ent_type and i not in covered and pos == _NUM:
            groups.append([span.doc[i]])
        elif lower == _DOZEN and not ent_type and (dozen := _a_dozen(span.doc[i], span)):
            groups.append(dozen)
    groups = [g for g in groups if not _no_count(g)]
    for fraction in _fraction_groups(span):
        # A fraction takes over the entities it overlaps ("Nearly half",
        # "half a million dollars"), but not another number before it
        # ("about 2 percent - one-third"), which stays a group of its own.
        first, held = fraction[0].i, {t.i for t in fraction}
        kept = []
        for g in groups:
            if not held & {t.i for t in g}:
                kept.append(g)
                continue
            before = [t for t in g if t.i < first]
            if any(_numeral(t) or t.lower_ in _NUMBER_WORDS for t in before):
                kept.append(before)
            else:
                held |= {t.i for t in before}
            held |= {t.i for t in g if t.i > first}
        groups = [*kept, [span.doc[i] for i in range(min(held), max(held) + 1)]]
    out = []
    groups = [_without_dangling_ends(g) for g in sorted(groups, key=lambda g: g[0].i)]
    for group in _joined_ratios(_joined_ranges(groups)):
        fraction = _fraction_value(group)
        if fraction is not None and fraction[1] is None:
            # "two-thirds of voters", "nearly half the country": a share;
            # "half a percentage point": a part of one unit.
            share, _, unit = fraction
            out.append(
                {
                    "text": span.doc[group[0].i : group[-1].i + 1].text,
                    "value": round(share if unit else 100 * share, 2),
                    "unit": unit or "percent",
                    "approximate": _is_approximate(group),
                }
            )
            continue
        if sides := _score_sides(group):
            # "voted 19-15", "leads 52 to 38 percent": two figures.
            percent = group[0].ent_type_ == "PERCENT" or any(
                t.lower_ in _PERCENT_WORDS for t in group
            )
            for side in sides:
                out.append(
                    {
                        "text": span.doc[side[0].i : side[-1].i + 1].text,
                        "value": _number_value(side),
                        "unit": "percent" if percent else _tally_unit(side[0]),
                        "approximate": _is_approximate(side),
                    }
                )
            continue
        if ratio := _ratio_bounds(group):
            # "eight of 10 avocados", "nearly one in three voters": a share.
            out.append(
                {
                    "text": span.doc[group[0].i : group[-1].i + 1].text,
                    "value": round(100 * ratio[0] / ratio[1], 2),
                    "unit": "percent",
                    "approximate": _is_approximate(group),
                }
            )
            continue
        group = _with_symbol_and_multiplier(group, span)
        numbers = [t for t in group if t.like_num or t.lower_ in _MULTIPLIERS or _numeral(t)]
        value = _number_value(numbers)
        if fraction is not None and fraction[1] is not None:
            value = fraction[0] * fraction[1]  # "half a million", not a million
        vague = [t for t in group if t.lower_ in _VAGUE_COUNTS]
        if value is None and not vague:
            continue  # "a quarter of a million": no count of its own
        if value is None:
            numbers = numbers or vague
        words_in = {t.lower_ for t in group}
        approximate = value is None or _is_approximate(group) or _is_range(group)
        label = group[0].ent_type_
        unit = None
        if label == "MONEY" or any(t.text in _CURRENCIES for t in group):
            unit = next(
                (_CURRENCIES[t.text] for t in group if t.text in _CURRENCIES),
                next((_CURRENCY_WORDS[w] for w in words_in if w in _CURRENCY_WORDS), "money"),
            )
        elif label == "PERCENT" or words_in & _PERCENT_WORDS:
            unit = "percent"
        else:
            last = numbers[-1]
            while last.dep_ == "conj" and last.head.i < last.i and last.head.like_num:
                # "between 100,000 and *250,000* people", "two or *three* things";
                # not to a noun ("his wife and *dozens* of officials")
                last = last.head
            head = last.head
            if last.dep_ in ("nummod", "quantmod", "compound") and head.pos_ in ("NOUN", "PROPN"):
                unit = head.lower_
            elif group[-1] is not last and group[-1].pos_ == "NOUN":
                unit = group[-1].lower_
            elif counted := _counted_noun(last):
                # "dozens *of lawmakers*", "hundreds of thousands *of dollars*"
                unit = _CURRENCY_WORDS.get(counted.lower_, counted.lower_)
            else:
                unit = _tally_unit(last)
            if unit is not None and not unit[:1].isalpha():
                unit = None  # "No. 2." leaves "." as the next word, "’s" after "90"
        out.append(
            {
                "text": span.doc[group[0].i : group[-1].i + 1].text,
                "value": value,
                "unit": unit,
                "approximate": approximate,
            }
        )
    return out


#: A possessive ending that spaCy often leaves inside an entity ("Donald Trump's").
_POSSESSIVE = re.compile(r"['’]s$")
#: Labels the small model gives a person's bare surname about as often as
#: PERSON ("Trump" is ORG in 41 of 91 mentions in 25 PolNeAR dev articles).
_PERSON_LOOKALIKES = frozenset({"ORG", "NORP"})


def person_names(ents: Sequence[Span]) -> frozenset[str]:
    """The names an article gives its people, whole and by surname ("Donald
    Trump", "Trump").  Within one article a name is one person, so a later
    "Trump" labelled ORG is that person (see :func:`entities`).  A single
    word counts only where the model calls it a person at least as often as
    anything else: "Carrier", a few times PERSON and far more often ORG in
    an article about the furnace maker, stays an organisation."""
    labels: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    for e in ents:
        if name := _POSSESSIVE.sub("", e.text):
            labels[name][e.label_] += 1
    names: set[str] = set()
    for name, counts in labels.items():
        if counts["PERSON"] and (len(name.split()) > 1 or counts["PERSON"] == max(counts.values())):
            names.update((name, name.split()[-1]))
    return frozenset(names)


def entities(
    span: Span, ents: Sequence[Span] | None = None, people: frozenset[str] = frozenset()
) -> list[dict]:
    """Named entities a claim is about (people, organisations, places, ...).

    Texts lose a trailing possessive ("Donald Trump's" → "Donald Trump"), so
    that mentions count together; a name in ``people`` (the article's
    :func:`person_names`) labelled ORG or NORP is a PERSON.
    """
    ents = span.ents if ents is None else ents
    out = []
    for e in ents:
        if e.label_ not in _NAMED_ENTS:
            continue
        text = _POSSESSIVE.sub("", e.text) or e.text
        label = "PERSON" if e.label_ in _PERSON_LOOKALIKES and text in people else e.label_
        out.append({"text": text, "label": label})
    return out


_MONTHS = {
    name.lower(): i
    for i in range(1, 13)
    for name in (calendar.month_name[i], calendar.month_abbr[i], calendar.month_abbr[i] + ".")
}
_MONTHS["sept"] = _MONTHS["sept."] = 9
_MONTH_RE = "|".join(sorted((re.escape(m) for m in _MONTHS), key=len, reverse=True))
_MONTH_DAY = re.compile(
    rf"\b(?P<month>{_MONTH_RE})\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\b(?:,?\s+(?P<year>\d{{4}}))?",
    re.IGNORECASE,
)
_DAY_MONTH = re.compile(
    rf"\b(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<month>{_MONTH_RE})(?:,?\s+(?P<year>\d{{4}}))?",
    re.IGNORECASE,
)
_ISO = re.compile(r"\b(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})\b")
_WEEKDAYS = {name.lower(): i for i, name in enumerate(calendar.day_name)}
_RELATIVE_DAYS = {
    "today": 0,
    "yesterday": -1,
    "tomorrow": 1,
    "tonight": 0,
    "last night": -1,
    "this morning": 0,
}
#: A part of the day that may follow a weekday ("Monday afternoon").
_DAY_PART = r"( (morning|afternoon|evening|night))?"


#: How near ``published`` a day named without a year is taken as the same
#: week's rather than in the year its verb's tense points to.
SAME_WEEK_DAYS = 7


def resolve_date(text: str, published: dt.date | None, tense: str | None = None) -> dt.date | None:
    """The calendar day a time expression names, if it names one.

    A day without a year ("Jan. 10") is taken in the year that fits the
    verb's ``tense``: in a past-tense clause the latest such day on or
    before ``published``, in a future one the first on or after it, and
    otherwise the one closest to it (news reports the recent past and the
    near future: "Dec. 17" in a January 2022 article is 2021-12-17).  A day
    within :data:`SAME_WEEK_DAYS` of ``published`` is that week's whatever
    the tense: a date a year away would carry its year, and a clause whose
    tense is missed ("may cost her the vote on March 13") or an article
    dated a day early (a file name's crawl date before the dateline's "Dec.
    8") is likelier than a year-old day named without one.
    Weekdays: the next one for the future ("talks will resume on Friday",
    the day itself included), else the latest on or before ``published``
    (news mostly reports the days just gone: "Monday's debate" in a Friday
    paper); "early" or "late" and a part of the day change nothing ("late
    Saturday night").  "Yesterday", "last night" and "today" count from it.  Without
    ``published``, only expressions with an explicit year resolve.  Vaguer
    expressions ("late January", "later this week") stay unresolved.
    """
    lower = text.lower()
    for pattern in (_ISO, _MONTH_DAY, _DAY_MONTH):
        m = pattern.search(text)
        if not m:
            continue
        month = m.group("month")
        month = int(month) if month.isdigit() else _MONTHS.get(month.lower())
        day = int(m.group("day"))
        if m.group("year"):
            candidates = [int(m.group("year"))]
        elif published is not None:
            candidates = [published.year - 1, published.year, published.year + 1]
        else:
            return None
        dates = []
        for year in candidates:
            try:
                dates.append(dt.date(year, month, day))
            except (ValueError, TypeError):
                continue
        if not dates:
            return None
        if published is None or len(dates) == 1:
            return dates[0]
        if near := [d for d in dates if abs((d - published).days) <= SAME_WEEK_DAYS]:
            return near[0]
        if tense == "past" and (before := [d for d in dates if d <= published]):
            return max(before)
        if tense == "future" and (after := [d for d in dates if d >= published]):
            return min(after)
        return min(dates, key=lambda d: abs((d - published).days))
    if published is None:
        return None
    for word, offset in _RELATIVE_DAYS.items():
        if re.search(rf"\b{word}\b", lower):
            return published + dt.timedelta(days=offset)
    for name, weekday in _WEEKDAYS.items():
        m = re.fullmatch(
            rf"(on |last |next |this |early |late )?{name}(?:'s)?{_DAY_PART}", lower.strip()
        )
        if not m:
            continue
        ahead = (weekday - published.weekday()) % 7
        back = (published.weekday() - weekday) % 7
        if m.group(1) == "next ":
            return published + dt.timedelta(days=ahead or 7)
        if tense == "future" and m.group(1) != "last ":
            return published + dt.timedelta(days=ahead)
        return published - dt.timedelta(days=back)
    return None


_PAST_AUX = frozenset({"had", "has", "have", "was", "were", "did", "'d", "'ve"})


def _path_to_the_verb(token: Token) -> list[Token]:
    """The token and its heads up to the nearest verb (the last, unless the
    tree has none above the token).  Token objects are views made anew on
    each access: positions are compared, not objects."""
    path = [token]
    while path[-1].pos_ not in ("VERB", "AUX") and path[-1].head.i != path[-1].i:
        path.append(path[-1].head)
    return path


def tense_of(token: Token) -> str | None:
    """``"past"``, ``"future"`` or None: the tense of the verb governing ``token``.

    The nearest verb up the dependency tree decides: a future modal
    ("will", "would", "'ll", "going to") makes it future; a past form
    ("held", "was passed", "has denied") past; anything else (a present, a
    participle clause: "despite issuing on Dec. 17") says nothing.  "Since"
    makes it past ("has risen since Jan. 1", "since Monday's debate").
    """
    *below, verb = _path_to_the_verb(token)
    if any(t.lower_ == "since" and t.dep_ == "prep" for t in below):
        return "past"  # "since January 1st", "since Monday's debate"
    if verb.pos_ not in ("VERB", "AUX"):
        return None
    aux = [c for c in verb.children if c.dep_ in ("aux", "auxpass")]
    if any(a.dep_ == "aux" and a.lower_ in _FUTURE_MODALS for a in aux):
        return "future"
    if verb.tag_ == "VBD" or any(a.lower_ in _PAST_AUX for a in aux):
        return "past"
    return None


def time_expressions(
    span: Span, published: dt.date | None, ents: Sequence[Span] | None = None
) -> list[dict]:
    """Dates and times in a claim, each resolved to a day when possible
    (against ``published``, in the tense of the verb they modify)."""
    ents = span.ents if ents is None else ents
    return [
        {
            "text": e.text,
            "start": e.start_char,
            "end": e.end_char,
            "date": resolve_date(e.text, published, tense_of(e.root)),
        }
        for e in ents
        if e.label_ in _TIME_ENTS and not is_age(e) and not is_share(e)
    ]


_AGE = re.compile(r"\d+[- ]years?[- ]old|(at )?age[sd]? \d{1,3}", re.IGNORECASE)


def is_age(ent: Span) -> bool:
    """Whether a DATE entity is a person's age, which the entity recogniser
    tags as a date: "Tom Young, *30*,", "a *24-year-old* man", "*29 years
    old*", "died at *age 94*"."""
    text = ent.text
    if text.isdigit() and len(text) <= 3 and ent.root.dep_ == "appos":
        return True
    return bool(_AGE.fullmatch(text))


#: Units of time a fraction can divide ("half *an hour*", "a quarter *of a
#: century*"), which make it a time expression after all.
_TIME_UNITS = words(
    """
    second seconds minute minutes hour hours day days week weeks month months
    year years decade decades century centuries term season
    """
)


def is_share(ent: Span) -> bool:
    """Whether a DATE entity is a fraction of something other than time,
    which the entity recogniser sometimes tags as a date: "*A quarter* of
    respondents", but not "half an hour"."""
    for token in ent:
        if _fraction(token) is not None:
            return not _divides_time(token)
    return False


def _divides_time(fraction: Token) -> bool:
    """Whether a fraction word divides a unit of time ("half *an hour*")."""
    after = fraction.doc[fraction.i + 1 : fraction.i + 4]
    return any(t.lower_ in _TIME_UNITS for t in after)


# ---------------------------------------------------------------- rows


def claim_row(
    doc_id: str,
    n: int,
    cand: Candidate,
    score: float,
    published: dt.date | None,
    doc_ents: Sequence[Span],
    doc_text: str | None = None,
    people: frozenset[str] = frozenset(),
) -> dict:
    """One row of the ``claims`` table (``doc_ents``: the document's entities;
    ``doc_text``: its text, when at hand; ``people``: its :func:`person_names`)."""
    span, attr = cand.span, cand.attribution
    cues = hedge_cues(span)
    ents = entities_within(doc_ents, span.start, span.end)
    numbers = quantities(span, ents)
    return {
        "doc_id": doc_id,
        "claim_id": f"{doc_id}:c{n}",
        "sentence_id": cand.sentence_id,
        "start": span.start_char,
        "end": span.end_char,
        "text": span_text(span, doc_text),
        "check_worthiness": round(float(score), 4),
        "checkworthy": bool(score >= CHECKWORTHY_THRESHOLD),
        "claim_type": claim_type(span, attr["cue_lemma"] if attr else None, numbers, doc_text),
        "attribution_id": attr["attribution_id"] if attr else None,
        "speaker": attr["speaker"] if attr else None,
        "speaker_key": speaker_key(attr["speaker"], attr.get("source_type")) if attr else None,
        # (``get``: attributions stored before the column existed lack it.)
        "speaker_affiliation": attr.get("speaker_affiliation") if attr else None,
        # Keyed here, not copied: attribution rows written before the key
        # existed (a `rerun claims` reads them) have none.
        "speaker_affiliation_key": (
            affiliation_key(attr.get("speaker_affiliation")) if attr else None
        ),
        "stance": stance(attr, span, bool(cues)),
        "hedged": bool(cues),
        "hedge_cues": cues,
        "negated": is_negated(span),
        "quantities": numbers,
        "entities": entities(span, ents, people),
        "time_expressions": time_expressions(span, published, ents),
    }


def claims_tables(
    parsed: Iterable[tuple[str, Doc, Sequence[tuple], Sequence[dict], dt.date | None, str]],
    model: CheckWorthinessModel,
) -> tuple[pa.Table, dict[tuple[str, int], float]]:
    """The ``claims`` table for a batch, and body-sentence scores keyed by (doc, id).

    ``parsed`` holds ``(doc_id, doc, sentence rows, attribution rows,
    published, text)`` per article, sentence rows as ``(sentence_id, start,
    end, kind, paragraph_id)``; ``text`` is the article's text (``doc.text``,
    which spaCy would join anew from every token: spans are sliced from it).

    A claim's ``check_worthiness`` is the score of its sentence.  The model
    learned from whole sentences, the unit annotators judge; scored alone,
    a clause or a reported content loses the context that makes it worth
    checking ("*NBC reported that* ..."), and ranking suffers (average
    precision 0.81 instead of 0.86 on a ClaimBuster fold).  All sentences of
    the batch are scored in one call: vectorising row by row would cost
    more than the parse.
    """
    articles = []
    keys: list[tuple[str, int]] = []
    inputs: list[ScoringInput] = []
    for doc_id, doc, sentences, attributions, published, text in parsed:
        by_sentence = attributions_by_sentence(sentences, attributions)
        cands: list[Candidate] = []
        for sentence_id, start, end, kind, _ in sentences:
            if kind != "body":
                continue
            sent = doc.char_span(start, end, alignment_mode="expand")
            if sent is None:
                continue
            keys.append((doc_id, sentence_id))
            inputs.append(scoring_inputs(sent, text))
            linked = by_sentence.get(sentence_id, [])
            cands.extend(sentence_candidates(doc, sentence_id, start, end, linked, text))
        ents = list(doc.ents)
        articles.append((doc_id, published, cands, ents, text, person_names(ents)))
    scores = dict(zip(keys, np.round(model.probability(inputs), 4).tolist(), strict=True))
    rows = [
        claim_row(
            doc_id, n, cand, scores[(doc_id, cand.sentence_id)], published, ents, text, people
        )
        for doc_id, published, cands, ents, text, people in articles
        for n, cand in enumerate(cands)
    ]
    return conform(rows, CLAIMS), scores


def with_sentence_scores(sentences: pa.Table, scores: dict[tuple[str, int], float]) -> pa.Table:
    """The sentences table with ``check_worthiness`` filled in (null: non-body)."""
    values = [
        scores.get((d, i))
        for d, i in zip(
            sentences.column("doc_id").to_pylist(),
            sentences.column("sentence_id").to_pylist(),
            strict=True,
        )
    ]
    index = sentences.schema.get_field_index("check_worthiness")
    return sentences.set_column(index, "check_worthiness", pa.array(values, type=pa.float64()))
