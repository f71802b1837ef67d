"""Claims: splitting, typing, quantities, dates, hedging and attribution links.

Each test runs real sentences (news and debate) through the stage functions
of ``claimflow run`` (parse, sentences, attributions, claims) with the
packaged check-worthiness model, and reads the ``claims`` table.
"""

from __future__ import annotations

import datetime

import pytest

from flows.evaluation.attributions import DEFAULT_POLNEAR
from flows.evaluation.claim_types import DEFAULT_TYPE_LABELS, read_type_labels, score_types
from flows.evaluation.claims import (
    average_precision,
    claims_model,
    debate_of,
    metrics,
    reliability,
)
from flows.stages import Item, attribution_stage, claim_stage
from tests.conftest import SAMPLE, SHARED
from transforms.claims import claim_type, resolve_date
from transforms.schemas import CLAIM_STANCES, CLAIM_TYPES, CLAIMS

PUBLISHED = datetime.date(2022, 1, 11)


@pytest.fixture(scope="module")
def run(parse_text):
    """``(claim rows, attribution rows, sentence scores)`` of one text."""
    model = claims_model()

    def run_text(text: str, headline: bool = False, published: datetime.date | None = None):
        doc, hl_end, keys, _ = parse_text(text, headline=headline)
        item = Item("t", text, hl_end, doc, keys, published=published)
        item.attributions = attribution_stage([item]).to_pylist()
        table, scores = claim_stage([item], model)
        assert table.schema == CLAIMS
        rows = table.to_pylist()
        for row in rows:
            assert text[row["start"] : row["end"]] == row["text"]
            assert row["claim_type"] in CLAIM_TYPES
            assert row["stance"] in CLAIM_STANCES
            assert row["checkworthy"] == (row["check_worthiness"] >= 0.5)
        return rows, item.attributions, scores

    return run_text


def _claim(rows: list[dict], fragment: str) -> dict:
    found = [r for r in rows if fragment in r["text"]]
    assert found, f"no claim containing {fragment!r}: {[r['text'] for r in rows]}"
    return found[0]


# ---------------------------------------------------------------- what is a claim


def test_coordinated_main_clauses_are_separate_claims(run):
    rows, _, _ = run("Unemployment fell to 4 percent last year, and wages rose in every state.")
    assert [r["text"] for r in rows] == [
        "Unemployment fell to 4 percent last year",
        "wages rose in every state",
    ]


def test_shared_subject_stays_one_claim(run):
    rows, _, _ = run("The company hired 300 workers in Ohio and opened two new plants.")
    assert len(rows) == 1


def test_questions_are_not_claims_but_are_scored(run):
    rows, _, scores = run("What are you going to do about the deficit?")
    assert rows == []
    assert list(scores) == [("t", 0)]


@pytest.mark.parametrize(
    "text",
    [
        # PolNeAR dev, 2016: a byline's footer, advice in a list.
        "Follow him on Twitter: @AWRHawkins.",
        "Reach him directly at awrhawkins@breitbart.com.",
        "Save a quarter of the cost over a child's first 18 years.",
        "Pay another quarter out of current income over the next four years.",
    ],
)
def test_commands_are_not_claims(run, text):
    rows, _, scores = run(text)
    assert rows == []
    assert list(scores) == [("t", 0)]


def test_a_sentence_that_opens_with_a_verb_form_and_has_a_subject_is_a_claim(run):
    rows, _, _ = run("Pay rose 3 percent last year, the Labor Department said.")
    assert _claim(rows, "Pay rose")["quantities"]


def test_reported_clause_is_the_claim_linked_to_its_source(run):
    text = (
        "The U.S. State Department confirmed that it has raised the issue of providing "
        "Stingers to Ukraine."
    )
    rows, attributions, _ = run(text)
    (claim,) = rows
    assert claim["text"] == "it has raised the issue of providing Stingers to Ukraine"
    (attr,) = attributions
    assert claim["attribution_id"] == attr["attribution_id"]
    assert claim["speaker"] == attr["speaker"] == "The U.S. State Department"
    assert claim["speaker_key"] == attr["speaker_key"] == "U.S. State Department"
    assert claim["stance"] == "asserts"
    assert claim["checkworthy"]


def test_coordinated_clauses_inside_a_reported_content_are_separate_claims(run):
    text = "Officials said at least 30 people were killed and more than 100 were injured."
    rows, _, _ = run(text)
    assert [r["text"] for r in rows] == [
        "at least 30 people were killed",
        "more than 100 were injured",
    ]
    assert rows[0]["attribution_id"] is not None
    assert rows[0]["attribution_id"] == rows[1]["attribution_id"]


def test_authors_clause_beside_a_reported_one_is_its_own_claim(run):
    text = "Sales fell 3 percent last quarter, the company said, but profits rose to a record high."
    rows, _, _ = run(text)
    reported, own = _claim(rows, "Sales fell"), _claim(rows, "profits rose")
    assert reported["text"] == "Sales fell 3 percent last quarter"
    assert reported["attribution_id"] is not None
    assert own["text"] == "profits rose to a record high"
    assert own["attribution_id"] is None and own["stance"] == "asserts"


def test_authors_pure_opinion_is_no_claim_but_a_reported_one_is(run):
    assert run("This is a shameful and cowardly decision.")[0] == []
    assert run("The plan is ridiculous.")[0] == []
    # A number keeps it checkable; a source's opinion is a claim with stance.
    assert run("The tax is unfair to 40 million workers.")[0]
    rows, _, _ = run("The senator said the decision was shameful and cowardly.")
    (claim,) = rows
    assert claim["text"] == "the decision was shameful and cowardly"
    assert claim["attribution_id"] is not None


def test_an_authors_recommendation_is_no_claim_but_a_reported_one_is(run):
    """ "X should ..." in the author's voice recommends (PolNeAR train,
    The Huffington Post); in a source's voice it is the source's position."""
    text = (
        "Both Israel and the United States should place values and justice ahead of "
        "strategic and economic interests."
    )
    assert run(text)[0] == []
    rows, _, _ = run("Rep. Hakeem Jeffries said Trayvon Martin’s killer should be in prison.")
    (claim,) = rows
    assert claim["text"] == "Trayvon Martin’s killer should be in prison"
    assert claim["attribution_id"] is not None


def test_a_content_in_pieces_gives_one_claim(run):
    """ "The storm ... to hit Florida" (around the cue) is one proposition."""
    rows, _, _ = run("The storm is expected to hit Florida on Friday.")
    assert [r["text"] for r in rows] == ["The storm is expected to hit Florida on Friday"]


def test_a_noun_phrase_with_a_participle_is_no_claim_alone(run):
    """A verb inside a modifier does not make a content a proposition: the
    sentence around "all four candidates seeking the White House" is the claim
    (PolNeAR dev, West Journal, 2016-09-30)."""
    text = (
        "When the poll asked about all four candidates seeking the White House, "
        "Clinton was supported by 42 percent of those responding, while Trump "
        "received 38 percent support."
    )
    rows, _, _ = run(text)
    assert all(r["text"] != "all four candidates seeking the White House" for r in rows)
    assert any(r["text"].startswith("When the poll asked") for r in rows)


def test_a_subjectless_piece_beside_its_subject_gives_the_whole_clause(run):
    """ "[the accord] is expected *to be ratified*": the infinitive alone lacks
    what it is about (PolNeAR dev, 2016)."""
    rows, _, _ = run(
        "The final international accord on the chemicals is expected to be ratified "
        "next month in Rwanda."
    )
    texts = [r["text"] for r in rows]
    assert "to be ratified next month in Rwanda" not in texts
    assert any(t.startswith("The final international accord") for t in texts)


def test_a_condition_keeps_its_if(run):
    """ "If" makes a clause a condition, not an assertion: it stays in the
    claim (it used to be trimmed like "that", leaving "there is no
    independence ..., it exposes ..." as a flat claim; PolNeAR dev, NYT)."""
    rows, _, _ = run(
        "“If there is no independence in the administering and the distribution of "
        "the funds, it exposes the program to instances of fraud,” Mr. Fieldstone said."
    )
    claim = _claim(rows, "exposes the program")
    assert claim["text"].startswith("If there is no independence")
    assert claim["speaker"] == "Fieldstone"


@pytest.mark.parametrize(
    ("text", "asked"),
    [
        # PolNeAR dev, Washington Post and NYT, 2016-09.
        ("It also does not answer whether Scott had a gun, as police have said.", "Scott had"),
        ("Lawmakers have not said when they would take up the EB-5 reauthorization.", "when they"),
    ],
)
def test_an_indirect_question_is_no_claim_alone(run, text, asked):
    """What a sentence leaves open ("whether Scott had a gun") is asked, not
    asserted: the claim is the sentence that leaves it open."""
    rows, _, _ = run(text)
    assert all(not r["text"].startswith(("whether", "when", "Scott had")) for r in rows)
    assert _claim(rows, asked)["start"] == 0


def test_why_after_a_factive_verb_is_asserted(run):
    """ "emphasizing why X" presents X as fact (PolNeAR dev, HuffPost 2016-10-07)."""
    rows, _, _ = run(
        "“You can’t talk about change if you don’t know what we’re changing,” DuVernay "
        "said, emphasizing why understanding our past is crucial to our outlook on our "
        "present."
    )
    claim = _claim(rows, "understanding our past is crucial")
    assert claim["speaker"] == "DuVernay"


def test_why_after_a_denied_factive_verb_stays_open(run):
    """ "could not explain why X" leaves X open (PolNeAR dev, 2016-09)."""
    rows, _, _ = run(
        "However, he could not explain why a marriage requirement is cited on the "
        "campaign's website or why it was mentioned by Ivanka Trump in an interview with "
        "Cosmopolitan magazine."
    )
    assert all(not r["text"].startswith("why") for r in rows)
    assert _claim(rows, "could not explain")["start"] == 0


def test_a_subject_clause_with_what_is_asserted(run):
    """ "What parents want is ..." opens with a wh-word but asserts (PolNeAR dev)."""
    rows, _, _ = run(
        "“What parents really want is a quality neighborhood school right in your "
        "community,” said Hester."
    )
    claim = _claim(rows, "quality neighborhood school")
    assert claim["text"].startswith("What parents really want")
    assert claim["speaker"] == "Hester"


def test_a_fragment_beside_a_clause_of_the_same_quote_is_dropped(run):
    """Of a quote in two pieces, the clause is the claim and the fronted
    adverbial ("Every time you say that") no claim of its own (PolNeAR dev)."""
    rows, _, _ = run(
        "“Every time you say that,” Tester said, “you give ammunition to the people "
        "who want to break up the big banks.”"
    )
    claim = _claim(rows, "you give ammunition")
    assert claim["text"].startswith("you give ammunition")
    assert claim["speaker"] == "Tester"
    assert all(not r["text"].startswith("Every time") for r in rows)


def test_a_source_inside_another_sources_claim_adds_no_copy_of_the_sentence(run):
    """Clinton's "talked about *reform*" has no proposition of its own; the
    sentence stood in for it, a second copy of the Post's claim in Clinton's
    voice.  The claim inside is the Post's, once (PolNeAR dev, Breitbart)."""
    rows, attributions, _ = run(
        "The transcript of the debate–published by The Washington Post–shows that "
        "Clinton talked about criminal justice reform and passing more gun control."
    )
    assert len(attributions) == 2
    (claim,) = rows
    assert claim["text"].startswith("Clinton talked about criminal justice reform")
    assert claim["speaker"] == "The Washington Post"


def test_a_short_quote_keeps_its_source(run):
    """A quoted clause too short to stand alone as a claim ("It's gutless
    leadership") leaves the sentence as the claim in the source's voice, not
    in the author's (PolNeAR dev, HuffPost)."""
    rows, _, _ = run("“It’s gutless leadership,” Warren said.")
    (claim,) = rows
    assert claim["speaker"] == "Warren"
    assert claim["attribution_id"] is not None


@pytest.mark.parametrize(
    ("text", "stance"),
    [
        # A person who writes asserts (PolNeAR dev, Western Journal, from a
        # memoir); a paper that writes reports.
        ("“I had a big clot behind my right knee,” Clinton wrote in 2003.", "asserts"),
        ("The New York Times wrote that the talks had failed.", "reports"),
        # an unresolved source that writes is no person (PolNeAR dev, NYT)
        ("It further wrote that the deal was dead.", "reports"),
    ],
)
def test_who_writes_decides_the_stance(run, text, stance):
    (claim,) = run(text)[0]
    assert claim["stance"] == stance


def test_a_sentence_whose_verb_is_a_fragments_cue_stays_a_claim(run):
    """ "A judge has *rejected* a request ..., saying ...": the rejection is
    what the sentence asserts, beside the claim inside it (PolNeAR dev,
    Politico)."""
    rows, _, _ = run(
        "A New York judge has rejected a media request to make public the contents "
        "of a 25-year-old court file on Donald Trump's divorce from wife Ivana, saying "
        "the courts have no business deciding what information could be useful to voters."
    )
    assert any(r["text"].startswith("A New York judge has rejected") for r in rows)
    assert any(r["text"].startswith("the courts have no business") for r in rows)


@pytest.mark.parametrize(
    ("text", "cue"),
    [
        # PolNeAR dev, The New York Times and The Washington Post
        (
            "Mexico slapped retaliatory tariffs, ranging from 5 percent to 25 percent, on a "
            "list of products that amounted to over $2 billion in American exports to Mexico.",
            "slap",
        ),
        (
            "Of the 10 judges who will hear the case, six were appointed by Democratic presidents.",
            "appoint",
        ),
    ],
)
def test_an_act_found_as_an_attribution_is_the_authors_claim(run, text, cue):
    """The attributions stage marks some acts as attributions ("Mexico
    *slapped* tariffs"); the sentence reports the act, so its claim is the
    author's, not the actor's."""
    rows, attributions, _ = run(text)
    assert any(a["cue_lemma"] == cue for a in attributions), "precondition: the act is found"
    (claim,) = rows
    assert claim["text"] == text
    assert claim["attribution_id"] is None and claim["speaker"] is None


@pytest.mark.parametrize(
    ("text", "shares"),
    [
        # PolNeAR train, Politico and The Washington Post poll stories
        (
            "Among Trump voters, 74 percent said they are set on voting for the real estate "
            "mogul, while 22 percent said they might change their mind.",
            [74.0, 22.0],
        ),
        (
            'In a September Washington Post-ABC News poll, 75 percent of Republicans said "most '
            "people in politics\" can't be trusted.",
            [75.0],
        ),
        (
            "Nearly eight in 10 Democratic voters overall said they have made up their mind on "
            "whom they will support on April 26, with similar levels of certainty among both "
            "Clinton and Sanders backers.",
            [80.0],
        ),
    ],
)
def test_what_a_share_of_a_group_says_is_the_authors_finding(run, text, shares):
    """ "74 percent said ..." reports a poll's finding: the claim a
    fact-checker checks is the whole sentence with its number, in the
    author's voice, not what the 74 percent think."""
    rows, attributions, _ = run(text)
    assert any(a["content_text"] for a in attributions), "precondition: the saying is found"
    (claim,) = rows
    assert claim["text"] == text
    assert claim["attribution_id"] is None and claim["claim_type"] == "quantity"
    found = [q["value"] for q in claim["quantities"] if q["unit"] == "percent"]
    assert all(share in found for share in shares)


@pytest.mark.parametrize(
    ("text", "figure"),
    [
        # PolNeAR dev, Politico and The New York Times, 2016
        (
            "The top 1 percent would see an average tax cut of $275,000, the group said, "
            "compared with $2,700 for those in the middle of the income spectrum.",
            "$2,700",
        ),
        ("Lenox was a juggernaut, Mr. Clarke said, until it went bankrupt in 1999.", "1999"),
    ],
)
def test_a_figure_after_the_reporting_clause_stays_in_the_claim(run, text, figure):
    """The content stops at the reporting clause, but the sentence goes on
    with a figure of the content: the claim is the whole sentence, in the
    source's voice, not the content without its figure."""
    rows, _, _ = run(text)
    (claim,) = rows
    assert figure in claim["text"] and claim["attribution_id"] is not None


def test_a_date_of_the_reporting_clause_stays_out_of_the_claim(run):
    """ "..., Trump said *last month*" dates the saying, not the claim
    (PolNeAR train, Western Journalism)."""
    rows, _, _ = run(
        "“People are sick and tired of stupid and incompetent people leading our nation,” "
        "Trump said last month."
    )
    (claim,) = rows
    assert claim["text"] == (
        "People are sick and tired of stupid and incompetent people leading our nation"
    )


def test_a_dateline_is_in_no_claim_and_no_attribution(run):
    """The sentence keeps its dateline (``sentences.opener``); what the
    sentence says starts after it (PolNeAR dev and train, UPI and AP)."""
    rows, attributions, _ = run(
        "Clinton turns 70\n"
        "WASHINGTON, Aug. 19 (UPI) — Former President Bill Clinton celebrated his 70th "
        "birthday Friday, aides said.\n"
        "MANCHESTER, N.H. - The coal was piled about as high as it could go.\n",
        headline=True,
    )
    assert sorted(r["text"] for r in rows) == [
        "Former President Bill Clinton celebrated his 70th birthday",
        "The coal was piled about as high as it could go.",
    ]
    contents = [a["content_text"] for a in attributions]
    assert contents and not any("UPI" in c or "N.H." in c for c in contents)


@pytest.mark.parametrize("line_break", ["\n", "\n\n", "\r\n"])
def test_a_heading_before_a_dash_list_is_no_dateline(run, line_break):
    """An all-caps heading and a list item under it: the dash is the next
    line's, not a dateline's (an opener read across the break overran the
    sentence and failed the stage)."""
    rows, _, _ = run(
        f"Budget week{line_break}KEY POINTS{line_break}- The new taxes would rise sharply "
        "next year, the senator said.\n",
        headline=True,
    )
    assert [r["text"] for r in rows] == ["The new taxes would rise sharply next year"]


def test_a_cue_in_a_side_clause_leaves_the_sentence_to_the_author(run):
    """ "... faced heavy criticism *after he asked* Clinton about her email
    scandal": the question is a side event, not what the sentence says
    (PolNeAR dev, Western Journal)."""
    text = (
        "Holt’s liberal NBC News colleague Matt Lauer faced heavy criticism from mainstream "
        "media outlets and leftwing activist reporters after he asked Clinton about her email "
        "scandal and decided against fact-checking Trump during the Commander-in-Chief forum "
        "earlier this month."
    )
    rows, attributions, _ = run(text)
    assert any(a["cue_lemma"] == "ask" for a in attributions), "precondition: the question is found"
    (claim,) = rows
    assert claim["text"] == text and claim["attribution_id"] is None


def test_the_authors_verb_beside_a_reported_clause_is_the_authors_claim(run):
    """A reported content inside a side phrase ("Despite complaints *that he
    is a quixotic crusader*") is a claim of its own; the sentence around it,
    whose verb is the author's, is another (PolNeAR train, The New York Times)."""
    text = (
        "Despite complaints that he is a quixotic crusader, Mr. Sanders has found ways to press "
        "his agenda through appending small provisions to larger bills."
    )
    rows, _, _ = run(text)
    reported, own = _claim(rows, "he is a quixotic"), _claim(rows, "has found ways")
    assert reported["text"] == "he is a quixotic crusader" and reported["attribution_id"]
    assert own["text"] == text and own["attribution_id"] is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # PolNeAR train, The Washington Post and The Huffington Post
        (
            '"Meh," wrote a Trump supporter who runs the Twitter account @WomenForTrump.',
            '"Meh," wrote a Trump supporter who runs the Twitter account @WomenForTrump',
        ),
        (
            "“[Sanders] should stay in until he gets everything he’s fighting for, or at least "
            "as much of it as possible,” he added.",
            "[Sanders] should stay in until he gets everything he’s fighting for, or at least "
            "as much of it as possible",
        ),
    ],
)
def test_trimming_keeps_a_mark_whose_partner_is_inside(run, text, expected):
    """Edge punctuation goes, but not a quotation mark or bracket that the
    claim closes or opens inside ("Meh," ..., "[Sanders]")."""
    rows, _, _ = run(text)
    assert [r["text"] for r in rows] == [expected]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # PolNeAR dev, The New York Times: the quote holds the comma or
        # period before its closing mark.
        (
            "Not paying taxes ''makes me smart,'' Donald J. Trump said last week.",
            "Not paying taxes ''makes me smart,''",
        ),
        (
            "Michael Mulgrew, president of the United Federation of Teachers, which represents "
            "New York City educators, said he hopes the day of action sends a message that "
            "“communities are standing up for their public schools.”",
            "he hopes the day of action sends a message that “communities are standing up for "
            "their public schools.”",
        ),
    ],
)
def test_a_quote_keeps_its_closing_mark_after_a_comma_or_period(run, text, expected):
    rows, _, _ = run(text)
    assert expected in [r["text"] for r in rows]


def test_a_reported_question_is_no_claim(run):
    """The question ends the quote; trimming its "?" made it look like a
    statement (PolNeAR dev, Breitbart)."""
    rows, _, _ = run(
        "“You work hard. You pay your taxes. So why didn’t Donald Trump pay his?” a narrator "
        "in the Clinton ad asks."
    )
    assert not any("pay his" in r["text"] or "narrator" in r["text"] for r in rows)


def test_a_sentence_row_with_two_parser_roots_is_typed(run):
    """Layout can join two parser sentences into one row ("GEN. | ELIZABETH
    Warren said ..."): the climb to the main clause stops at either root
    (it used to loop forever on the second)."""
    rows, _, _ = run(
        "Headline here\nGEN. ELIZABETH Warren said wages will rise. Prices rose sharply.\n"
        "More text.",
        headline=True,
    )
    assert any("wages will rise" in r["text"] for r in rows)


def test_author_voice_has_no_attribution(run):
    rows, _, _ = run("The Biden administration has also prepared a new military aid package.")
    (claim,) = rows
    assert claim["attribution_id"] is None and claim["speaker"] is None
    assert claim["claim_type"] == "event"


# ---------------------------------------------------------------- stance, hedges, negation


def test_denial_keeps_the_reporting_clause_and_its_stance(run):
    rows, _, _ = run("Russia has denied any plans of a large-scale invasion.")
    (claim,) = rows
    assert claim["text"] == "Russia has denied any plans of a large-scale invasion"
    assert claim["stance"] == "denies"
    assert claim["claim_type"] == "position"
    assert claim["speaker"] == "Russia"


def test_hedged_prediction(run):
    text = (
        "Ukrainian Defense Minister Oleksiy Reznikov said Russian aggression towards Ukraine "
        "could intensify in late January 2022."
    )
    rows, _, _ = run(text)
    claim = _claim(rows, "could intensify")
    assert claim["hedged"] and claim["hedge_cues"] == ["could"]
    assert claim["stance"] == "speculates"
    assert claim["claim_type"] == "prediction"
    assert claim["speaker"] == "Oleksiy Reznikov"
    assert claim["speaker_affiliation"] == "Ukrainian"  # the attribution's, copied
    assert claim["speaker_affiliation_key"] == "Ukrainian"  # keyed: a nationality stays


def test_reportedly_is_a_hedge(run):
    rows, _, _ = run("The minister reportedly resigned after the vote on Tuesday.")
    assert _claim(rows, "resigned")["hedge_cues"] == ["reportedly"]


def test_may_hedges_as_a_modal_not_as_a_month(run):
    rows, _, _ = run("The new law takes effect in May.")
    (claim,) = rows
    assert claim["hedge_cues"] == [] and not claim["hedged"]
    assert claim["stance"] == "asserts"
    rows, _, _ = run("Prices may rise again in May.")
    assert rows[0]["hedge_cues"] == ["may"]


@pytest.mark.parametrize(
    ("text", "fragment", "cues"),
    [
        # PolNeAR dev, 2016: "likely" describing voters hedges nothing; a
        # cue is listed once, whichever of its readings matched first.
        ("Among likely voters, 46 percent would choose Clinton.", "46 percent", []),
        (
            "Last week Stumpf in a televised interview appeared to blame low-level "
            "workers for this behavior.",
            "Stumpf",
            ["appeared to"],
        ),
        ("The changes are expected to pass the Senate next month.", "changes", ["are expected"]),
        ("The storm is likely to hit Florida on Friday.", "storm", ["likely"]),
        ("It's an extremely unlikely scenario, he said.", "scenario", ["unlikely"]),
        # A modal in a relative or adverbial clause is not the claim's
        # (PolNeAR dev, The New York Times, 2016).
        (
            "The coal was piled about as high as it could go, spilling down to the railroad "
            "tracks and towering over the elevator shaft.",
            "coal",
            [],
        ),
        (
            "He showed again and again an ability to put together deals that other people "
            "couldn't.",
            "deals",
            [],
        ),
    ],
)
def test_hedge_cues_in_context(run, text, fragment, cues):
    claim = _claim(run(text)[0], fragment)
    assert claim["hedge_cues"] == cues
    assert claim["hedged"] == bool(cues)


def test_declined_to_comment(run):
    text = (
        "Kirby declined to comment on the possibility that the United States might supply "
        "Stinger portable air defense systems to Ukraine."
    )
    rows, _, _ = run(text)
    (claim,) = rows
    # The claim is the proposition declined, not "to comment on ...".
    assert claim["text"] == (
        "the United States might supply Stinger portable air defense systems to Ukraine"
    )
    assert claim["stance"] == "declines_to_comment"
    assert claim["speaker"] == "Kirby"


def test_negation(run):
    rows, _, _ = run("The Senate did not pass the health care bill in 2017.")
    claim = _claim(rows, "bill")
    assert claim["negated"]
    assert claim["claim_type"] == "rule"


@pytest.mark.parametrize(
    ("text", "negated"),
    [
        # PolNeAR dev, 2016: a negation in the predication, or in a modifier.
        ("Russia has no plans to invade Ukraine.", True),
        ("Others could have saved but didn't and are panicking now.", True),
        ("Her political career has been constantly investigated to no avail.", False),
        (
            "He spoke against the majestic bronze backdrop of the museum, a kind of "
            "inverted ziggurat not far from the Washington Monument.",
            False,
        ),
        ("Sure enough I had a big clot that nobody had noticed.", False),
        # PolNeAR dev, 2016 (held-out review): negations of the predicate
        ("Audits are in no way affected by the release of the returns.", True),
        ("The debates are not likely to alter the campaign.", True),
        ("Not everyone finds that pitch compelling.", True),
        ("The court is also aware that the other party is not seeking public office.", True),
        ("Neither the president nor Congress has acted on the proposal.", True),
        # "No" before a comparative bounds; it does not negate (PolNeAR dev, 2016).
        (
            "She needed no more than to resettle nervous Democrats and reinforce the reasons "
            "many college-educated white voters have had such reservations about voting for "
            "Trump.",
            False,
        ),
        (
            "There are also less tangible but no less important reasons to release the returns.",
            False,
        ),
    ],
)
def test_negation_belongs_to_the_predication(run, text, negated):
    rows, _, _ = run(text)
    assert [r["negated"] for r in rows] == [negated]


# ---------------------------------------------------------------- types


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("We will cut taxes for every middle-class family in this country.", "prediction"),
        ("The plant closed because the new tariffs raised the price of steel.", "causal"),
        ("They've appropriated about $200 million, but only spent about $3 million.", "quantity"),
        ("My father worked in a steel mill for thirty years.", "personal"),
        ("The president signed the executive order banning the pipeline.", "rule"),
        # A future is a rule claim when a rule is what it is about, else a
        # prediction (PolNeAR dev and train, The Huffington Post and The
        # Washington Post).
        (
            "The outcome of the Nov. 8 presidential election could be pivotal for the regulations.",
            "prediction",
        ),
        (
            "It also would renew through 2026 the expiring Iran Sanctions Act, or ISA, which "
            "outlines trade, energy, defense and banking sector sanctions over Iran's nuclear "
            "and missile activities.",
            "rule",
        ),
        # A small count with "the" refers back; it counts nothing to check
        # (PolNeAR dev, The New York Times; PolNeAR train, The Huffington Post).
        (
            "Sure enough, common sense prevailed: On July 6, 2011, the two countries signed an "
            "agreement to allow Mexican trucks to operate in the United States.",
            "event",
        ),
        ("Sanders named five people to the committee, while Clinton named six.", "quantity"),
        # "act" is a law only by name, and a call on someone is a stance
        # (PolNeAR dev, Breitbart).
        (
            "In a scathing opinion piece, The Wall Street Journal called on Trump to get his act "
            "together or drop out in favor of his running mate.",
            "position",
        ),
        # A source's judgement or call for action is its position; a past
        # state is no event (PolNeAR dev, The New York Times and Politico, 2016).
        (
            "''The lack of reciprocity is deplorable,'' said Elez Biberaj, the director of "
            "the VOA Eurasian division.",
            "position",
        ),
        (
            "A former Democratic National Committee chairman says President Barack Obama and "
            "the party’s congressional leaders should immediately come up with a process to "
            "identify a potential successor candidate for Hillary Clinton for the off-chance a "
            "health emergency forces her out of the race.",
            "position",
        ),
        ("He had no experience.", "other"),
        (
            "Republican vice presidential candidate Gov. Mike Pence of Indiana was the "
            "hands-down winner of Tuesday night’s debate, according to the post-debate analysis.",
            "other",
        ),
        # Someone's bills, "law and order" and a hyphenated "tax-paying" are
        # no rules (PolNeAR dev, The New York Times and USA Today, 2016).
        (
            "He had to use proceeds from selling coal and land to help get caught up on his bills.",
            "event",
        ),
        (
            "As Clinton talked about bringing communities together, Trump highlighted his "
            "message that what the country needs first and foremost is a dose of law and order.",
            "other",
        ),
        (
            "Trump must stop portraying Latinos as dangerous gangsters when most of us are "
            "hard-working, tax-paying, successful entrepreneurs, unlike him.",
            "other",
        ),
        # A stance taken, in anyone's voice, is a position; a charge in the
        # passive is not (PolNeAR dev and train, 2016).
        (
            "Republican nominee Donald Trump has called for the complete repeal of Obamacare.",
            "position",
        ),
        (
            "At a rally, Trump likened the refugees to a “vicious snake” in a song about a woman "
            "who takes in a half-frozen snake only to have it fatally bite her.",
            "position",
        ),
        (
            "Marquez, 24, is accused of plotting at least two other assaults, in 2011 and 2012, "
            "with Sayed Farook that were not carried out.",
            "quantity",
        ),
        # A reported judgement by an adjective on a noun, or by the noun
        # itself (PolNeAR dev, Politico and The Huffington Post, 2016).
        ("“He was a tough and brilliant opponent,” Clinton said.", "position"),
        ("“Those are just distractions,” he said.", "position"),
        # Verbs of causing (PolNeAR dev, 2016).
        (
            "Ironically, Byrd's strategy of massive resistance to the Supreme Court ruling in "
            "Brown v. Board of Education prompted Scott's father to send his son to an "
            "integrated school.",
            "causal",
        ),
        # A future without a modal; a graded likelihood compares instead
        # (PolNeAR dev and train, 2016).
        (
            "A ruling is unlikely before the end of the year and possibly not until after "
            "Obama leaves office on Jan. 20.",
            "prediction",
        ),
        (
            "Clinton is likely to put to rest any concerns about her health when she appears "
            "alongside Trump at the debates.",
            "prediction",
        ),
        (
            "Americans who dislike the messy intricacies of democracy are more likely to like "
            "Trump.",
            "other",
        ),
        # A past expectation is no prediction; "bound" foresees only with a
        # verb (PolNeAR train, 2016).
        ("Governor Wallace was wheelchair-bound and often in great pain.", "other"),
        # A past action with "did" is an event, denied or not (PolNeAR train, 2016).
        ("G-III did not respond to The Washington Post's repeated requests for comment.", "event"),
        ("He did write former Secretary Clinton an email memo.", "event"),
    ],
)
def test_claim_types(run, text, expected):
    rows, _, _ = run(text)
    assert rows and rows[0]["claim_type"] == expected


@pytest.mark.parametrize(
    ("text", "not_expected"),
    [
        # A name is no bill; a rule word or a modal in a relative clause
        # describes a noun, not what the claim asserts (PolNeAR dev, 2016).
        (
            "Bill Clinton watched from the front row, sitting alongside Vice President "
            "Joseph R. Biden Jr.",
            "rule",
        ),
        (
            "“Sure enough I had a big clot behind my right knee that required immediate "
            "treatment,” Clinton wrote in 2003.",
            "rule",
        ),
        (
            "Developers and supporters in Congress say the program, run by the Department "
            "of Homeland Security, has brought billions of dollars to areas that would "
            "otherwise not have access to capital.",
            "prediction",
        ),
        ("We need the money in order for the school to go forward.", "rule"),
        ("Neither the president nor Congress has acted on the proposal.", "rule"),
        # a rule noun that only modifies another noun (PolNeAR dev, 2016)
        ("He can't make fun of the ratings if Holt asks him about his tax returns.", "rule"),
    ],
)
def test_words_outside_the_main_clause_do_not_type_a_claim(run, text, not_expected):
    rows, _, _ = run(text)
    assert rows and all(r["claim_type"] != not_expected for r in rows)


@pytest.mark.parametrize(
    ("text", "not_expected"),
    [
        # "fuel" as a noun and a causing verb inside a clause that describes
        # a noun do not make a claim causal (PolNeAR train, 2016).
        (
            "Here’s a list of the companies the DNC has targeted for solicitation: Walmart, "
            "McDonald’s, and a gaggle of fossil fuel companies.",
            "causal",
        ),
        (
            "Ryan's positions are out of step with the white-hot populism that has fueled "
            "this year's campaign.",
            "causal",
        ),
        # A past expectation (PolNeAR train, 2016).
        (
            "The real estate magnate was expected to cruise past the 1,237 delegates needed "
            "to seal the deal on the first ballot.",
            "prediction",
        ),
        # A call on a day is a phone call, not a stance.
        ("Obama called Merkel on Tuesday to discuss trade.", "position"),
        # A question demanded is an act, not a stance (PolNeAR train, 2016).
        (
            "A woman later identified as Eva Resnick-Day, an activist for the environmental "
            "group Greenpeace, demanded to know whether Clinton would forsake campaign "
            "donations from oil companies.",
            "position",
        ),
        # A "one" that picks out a thing as "a" would counts nothing
        # (PolNeAR train, 2016).
        ("Either way, one thing was clear: the judge did not go along with it.", "quantity"),
        (
            "In one such email, Carter discussed how he had mistakenly placed a note card "
            "in a “burn bag.”",
            "quantity",
        ),
    ],
)
def test_look_alikes_of_the_type_rules_do_not_type_a_claim(nlp, text, not_expected):
    # The whole sentence as one claim in the author's voice: the pipeline
    # would read "called" and "expected" as attribution cues, and a cue
    # types a claim by itself.
    assert claim_type(nlp(text)[:]) != not_expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A rule, a future and a number type a claim before a stance verb.
        ("The bill calls for a ban on assault weapons.", "rule"),
        ("Trump will call for a ban on Muslims entering the United States.", "prediction"),
        # A future without a modal, in the present, also in a coordinated
        # clause (PolNeAR train, The Washington Post, 2016).
        (
            "Cardin is not on board with the compromise and is not expected to sign on "
            "anytime soon.",
            "prediction",
        ),
        ("Trump lashed out at the generals.", "position"),
        # "one" as a count does type a claim (PolNeAR train, 2016).
        ("Clinton increases her lead by one point in a match up with Rubio.", "quantity"),
        (
            "In fact Clinton used only one email account as secretary of state.",
            "quantity",
        ),
    ],
)
def test_which_type_rule_wins(run, text, expected):
    rows, _, _ = run(text)
    assert rows and rows[0]["claim_type"] == expected


def test_a_verb_coordinated_beyond_the_claim_does_not_type_it(run):
    # The sentence splits into two claims at "and then"; the first one's
    # root has "call on" as a conjunct in the parse, past the claim's end
    # (PolNeAR dev, Breitbart).
    text = (
        "Under the new program, people would enroll, receive training and then state and "
        "local leaders could call on their help during natural disasters."
    )
    rows, _, _ = run(text)
    first = rows[0]
    assert "call" not in first["text"] and first["claim_type"] == "prediction"


@pytest.mark.parametrize(
    "text",
    [
        # A rule noun anywhere, a law's name (PolNeAR dev, 2016, held-out review).
        "He wants to pay for it through a tax increase on the rich.",
        "The county is not in compliance with the National Voter Registration Act of 1993.",
        "Trump backed off plans to cut the top marginal tax rate.",
    ],
)
def test_rule_nouns_and_law_names_make_a_rule_claim(run, text):
    (claim,) = run(text)[0]
    assert claim["claim_type"] == "rule"


def test_a_clause_stating_its_nouns_content_types_the_claim(run):
    """ "no chance Clinton will withdraw": the parser calls the clause relative,
    but it says what the chance is, so its "will" makes a prediction (PolNeAR
    dev, politico 2016-09-12)."""
    rows, _, _ = run(
        "“There is absolutely no chance Hillary Clinton will withdraw from running for "
        "the presidency,” he said in a phone interview."
    )
    claim = _claim(rows, "no chance")
    assert (claim["claim_type"], claim["negated"]) == ("prediction", True)


def test_promise_is_a_claim_even_when_not_check_worthy(run):
    """ClaimBuster counts promises as not check-worthy; they stay claims."""
    rows, _, _ = run("I promise you that I will never stop fighting for working families.")
    (claim,) = rows
    assert claim["claim_type"] == "prediction"
    assert not claim["checkworthy"]


# ---------------------------------------------------------------- quantities, entities, dates


def test_quantities_value_unit_and_approximation(run):
    text = (
        "Since late October, Russia has been deploying troops to the Ukrainian border, "
        "leading media outlets to speculate on an invasion by around 175,000 Russian troops."
    )
    rows, _, _ = run(text)
    (q,) = _claim(rows, "175,000")["quantities"]
    assert q == {"text": "around 175,000", "value": 175000.0, "unit": "troops", "approximate": True}


def test_money_and_percent(run):
    rows, _, _ = run("The program cost $1.5 trillion and raised prices by 25 percent.")
    quantities = [q for r in rows for q in r["quantities"]]
    assert {"text": "$1.5 trillion", "value": 1.5e12, "unit": "USD", "approximate": False} in (
        quantities
    )
    assert any(q["value"] == 25 and q["unit"] == "percent" for q in quantities)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A range gives its first bound and is approximate.
        (
            "Between 1,000 and 2,000 troops were deployed to the border last week.",
            {"value": 1000.0, "unit": "troops", "approximate": True},
        ),
        (
            "Police said 100,000 to 250,000 people marched in the capital.",
            {"value": 100000.0, "approximate": True},
        ),
        # The sign and the multiplier outside spaCy's entity.
        (
            "The company raised $5bn from investors in March.",
            {"text": "$5bn", "value": 5e9, "unit": "USD"},
        ),
        # A multiplier written onto the digits, and a range with a sign on
        # each bound (PolNeAR dev, USA Today and HuffPost, 2016).
        (
            "Super PAC donations have barreled past the $1billion mark.",
            {"value": 1e9, "unit": "USD", "approximate": False},
        ),
        (
            "The bank fined the workers $35,000 to $60,000 each.",
            {"text": "$35,000 to $60,000", "value": 35000.0, "unit": "USD", "approximate": True},
        ),
        # "to" alone is no approximator; "up to" is.
        (
            "The unemployment rate rose to 6 percent in March.",
            {"value": 6.0, "unit": "percent", "approximate": False},
        ),
        ("Up to 300 people were evacuated from the town.", {"value": 300.0, "approximate": True}),
        # "a dozen", "a million": no digits, one multiplier (PolNeAR dev, 2016).
        (
            "About a dozen people demonstrated outside the Dallas Morning News after it "
            "backed Clinton.",
            {"text": "About a dozen", "value": 12.0, "unit": "people", "approximate": True},
        ),
        (
            "C2I plans to reforest a million acres in the southern Mississippi River Valley.",
            {"value": 1e6, "unit": "acres", "approximate": False},
        ),
        # A vague count is an approximate quantity with no value (PolNeAR
        # train, 2015-2016).
        (
            "Several hundred demonstrators aligned with the Black Lives Matter movement and "
            "other social justice groups took to the streets of North Philadelphia on Tuesday "
            "afternoon to raise concerns about police brutality.",
            {
                "text": "Several hundred",
                "value": None,
                "unit": "demonstrators",
                "approximate": True,
            },
        ),
        (
            "Dozens of children are beaten, chained, attacked or sexually abused while begging.",
            {"text": "Dozens", "value": None, "unit": "children", "approximate": True},
        ),
        (
            "That’s why Bush had to lend his campaign hundreds of thousands of dollars last "
            "month, fundraising documents show.",
            {"text": "hundreds of thousands", "value": None, "unit": "USD", "approximate": True},
        ),
        # "percent" after a number that no entity holds.
        (
            "Unemployment is not higher than 5 percent.",
            {"text": "5 percent", "value": 5.0, "unit": "percent"},
        ),
        # A ratio is one share, in percent (PolNeAR train, poll stories).
        (
            "Clinton and Sanders are each viewed positively by about 4 in 10 registered "
            "voters overall.",
            {"text": "about 4 in 10", "value": 40.0, "unit": "percent", "approximate": True},
        ),
        (
            "Four in 10 voters see the campaign of Donald Trump as most unfair.",
            {"text": "Four in 10", "value": 40.0, "unit": "percent", "approximate": False},
        ),
        # A fraction of a group is a share in percent; a fraction of an
        # amount divides it (ClaimBuster dev; PolNeAR dev, The New York Times).
        (
            "Nearly a third of those with jobs live in poverty.",
            {"text": "Nearly a third", "value": 33.33, "unit": "percent", "approximate": True},
        ),
        (
            "We've now reduced the importing of foreign oil in the last year alone by one-third.",
            {"text": "one-third", "value": 33.33, "unit": "percent", "approximate": False},
        ),
        (
            "And we are now looking at a deficit of well over half a trillion dollars.",
            {"value": 5e11, "approximate": True},
        ),
    ],
)
def test_ranges_suffixes_and_exact_numbers(run, text, expected):
    rows, _, _ = run(text)
    ((q,),) = [r["quantities"] for r in rows if r["quantities"]]
    assert {k: q[k] for k in expected} == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A change is two exact figures, also with the sign between "from"
        # and the number; an entity that spaCy ends on "to $" or "percent
        # to" leaves those words to the gap between the two.
        (
            "Average wages rose from $35,000 to $60,000 a year.",
            [("$35,000", 35000.0, False), ("$60,000", 60000.0, False)],
        ),
        (
            "The price of a barrel fell from $60 to $35 last year.",
            [("$60", 60.0, False), ("$35", 35.0, False)],
        ),
        (
            "Unemployment fell from 10 percent to 4.9 percent.",
            [("10 percent", 10.0, False), ("4.9 percent", 4.9, False)],
        ),
        # A score or tally is two figures too, votes where a vote governs them
        # (PolNeAR train and dev, The Washington Post and The New York Times).
        (
            "He leads 52 to 38 percent in the poll.",
            [("52", 52.0, False), ("38 percent", 38.0, False)],
        ),
        (
            "Support for the plan fell from 73 to 63 percent.",
            [("73", 73.0, False), ("63 percent", 63.0, False)],
        ),
        (
            "The House Oversight and Government Reform Committee voted 19-15 along party lines, "
            "to send a contempt resolution to the full House.",
            [("19", 19.0, False), ("15", 15.0, False)],
        ),
        # A range whose bounds carry a multiplier each is still a range.
        (
            "The plan would cut taxes by $4 trillion to $5 trillion over a decade.",
            [("$4 trillion to $5 trillion", 4e12, True)],
        ),
        # A fraction of a multiplier divides it (PolNeAR dev, 2016).
        (
            "You don't have to come up with a quarter of a million dollars for your kid.",
            [("a quarter of a million", 250000.0, False)],
        ),
    ],
)
def test_a_change_is_two_figures_and_a_range_one(run, text, expected):
    rows, _, _ = run(text)
    found = [(q["text"], q["value"], q["approximate"]) for r in rows for q in r["quantities"]]
    assert found == expected


@pytest.mark.parametrize(
    "text",
    [
        # PolNeAR train and dev, The Washington Post and The New York Times
        "The House Oversight and Government Reform Committee voted 19-15 along party lines, to "
        "send a contempt resolution to the full House.",
        "The Supreme Court voted 5 to 4 in February to stall the plan.",
        "He leads 52 to 38 percent in the poll.",
    ],
)
def test_the_figures_of_a_tally_share_its_unit(run, text):
    """Both sides of a vote count votes; both sides of a poll score are
    percent, though only the second says so."""
    rows, _, _ = run(text)
    (claim,) = rows
    units = {q["unit"] for q in claim["quantities"]}
    assert len(claim["quantities"]) == 2
    assert units == ({"percent"} if "percent" in text else {"votes"})


def test_a_half_of_a_period_is_no_share_and_a_fraction_beside_a_number_is_its_own(run):
    """ "the first half of the year" divides a period, not a group; in "about
    2 percent - one-third what it is", the fraction is a second figure
    (PolNeAR train, The Washington Post; ClaimBuster dev)."""
    rows, _, _ = run(
        "The overshadowing of the Democratic race - and of Clinton's candidacy - is a striking "
        "change from the first half of the year, when the spotlight was predominantly on Clinton."
    )
    assert [q for r in rows for q in r["quantities"]] == []
    rows, _, _ = run(
        "The inflation rate under Kennedy and Johnson was about 2 percent - one-third what it "
        "is under this administration."
    )
    (claim,) = rows
    assert [(q["text"], q["value"], q["unit"]) for q in claim["quantities"]] == [
        ("about 2 percent", 2.0, "percent"),
        ("one-third", 33.33, "percent"),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # PolNeAR dev, The New York Times and The Washington Post: half of a
        # unit; a label, a decade and a moment count nothing; a figure keeps
        # the digits written.
        (
            "The IMF expects that U.S. output will expand by a tepid 1.6 percent, more than "
            "half a percentage point less than forecast in July.",
            [
                ("1.6 percent", 1.6, "percent"),
                ("more than half a percentage point", 0.5, "percentage point"),
            ],
        ),
        ("The word underground was that Federal mine No. 2 would soon have to close.", []),
        (
            "His organization plans to zero in on local issues like folks running for sheriff.",
            [],
        ),
        # A reported clause keeps the percent sign at its end (PolNeAR train, USA Today).
        (
            "She didn't really care about the criticism but she really cared if her low approval "
            "ratings (at one point as low as 19%, Gutin says) hurt her husband.",
            [("19%", 19.0, "percent")],
        ),
        (
            "“Though there are still four years to go in the 90’s, business and government "
            "leaders in New York honored Donald J. Trump.”",
            [],
        ),
        (
            "Clarke compares his struggles to those of the former president, who also ran "
            "into financial trouble at one point.",
            [],
        ),
        (
            "The researchers reported that Apple holds $214.9 billion offshore and would owe "
            "$65.4 billion in taxes if that money came back to the United States.",
            [("$214.9 billion", 214.9e9, "USD"), ("$65.4 billion", 65.4e9, "USD")],
        ),
        # A "one" that stands for "a" counts nothing; "only one" and "by one
        # point" do (PolNeAR train, 2016).
        (
            "Median household income finally reached $56,746 in November, according to one "
            "research firm.",
            [("$56,746", 56746.0, "USD")],
        ),
        (
            "Clinton increases her lead by one point, and only one candidate has not won.",
            [("one", 1.0, "point"), ("only one", 1.0, "candidate")],
        ),
    ],
)
def test_what_counts_and_in_what_unit(run, text, expected):
    rows, _, _ = run(text)
    found = [(q["text"], q["value"], q["unit"]) for r in rows for q in r["quantities"]]
    assert found == expected


def test_a_share_is_no_time_expression(run):
    """The entity recogniser tags "A quarter" as a date; of a sum it is a
    share (PolNeAR dev, The New York Times)."""
    rows, _, _ = run("A quarter of that, per the McKinley plan, is $40,000.")
    (claim,) = rows
    assert claim["time_expressions"] == []
    assert [(q["text"], q["value"]) for q in claim["quantities"]] == [
        ("A quarter", 25.0),
        ("$40,000", 40000.0),
    ]


def test_short_number_statements_are_claims(run):
    rows, _, _ = run("Inflation hit 7%.")
    (claim,) = rows
    assert claim["claim_type"] == "quantity"
    assert claim["quantities"][0]["value"] == 7.0
    rows, _, _ = run("Prices rose 5 percent and wages fell 2 percent last year.")
    assert [r["text"] for r in rows] == ["Prices rose 5 percent", "wages fell 2 percent last year"]
    # A label with a year is still no claim.
    assert run("Declared 2016 Presidential Candidates.")[0] == []


def test_entities(run):
    text = "U.S. and Russian officials held talks in Geneva with NATO on Jan. 10."
    rows, _, _ = run(text)
    labels = {(e["text"], e["label"]) for e in rows[0]["entities"]}
    assert ("NATO", "ORG") in labels and ("Geneva", "GPE") in labels


def test_a_surname_is_the_person_the_article_named(run):
    """The small model labels a bare "Trump" ORG about as often as PERSON;
    after "Donald Trump" in the same article it is that person.  A name
    that is an organisation's stays one."""
    rows, _, _ = run(
        "Donald Trump held a rally in Ohio on Monday. Trump also attacked the "
        "Federal Reserve. “Donald Trump’s tax plan is a fraud,” Sanders said."
    )
    labels = [(e["text"], e["label"]) for r in rows for e in r["entities"]]
    assert ("Trump", "PERSON") in labels
    assert ("the Federal Reserve", "ORG") in labels
    # a possessive is no part of the name
    assert ("Donald Trump", "PERSON") in labels
    assert all("’s" not in text for text, _ in labels)


def test_a_word_the_model_mostly_calls_an_organisation_stays_one(run):
    """PolNeAR train, NYT 2016-03-21: the small model calls "Carrier" (the
    furnace maker) PERSON a few times and ORG or NORP far more often; those
    few must not make every mention a person."""
    path = SHARED / "eval/polnear/train/text/nyt_2016-03-21_factory-workers-feel-sting-of-gl.txt"
    text = path.read_text(encoding="utf-8")
    rows, _, _ = run(text, headline=True)
    carrier = [e["label"] for r in rows for e in r["entities"] if e["text"] == "Carrier"]
    # what PERSON is left is the model's own label, not the article-wide relabelling
    assert carrier.count("ORG") > 3 * carrier.count("PERSON")


def test_dates_resolve_against_the_published_date(run):
    text = "U.S. and Russian officials held face-to-face talks on Jan. 10."
    rows, _, _ = run(text, published=PUBLISHED)
    (t,) = rows[0]["time_expressions"]
    assert text[t["start"] : t["end"]] == t["text"] == "Jan. 10"
    assert t["date"] == datetime.date(2022, 1, 10)
    rows, _, _ = run(text)
    assert rows[0]["time_expressions"][0]["date"] is None


def test_dates_follow_the_tense_of_their_verb(run):
    """A weekday in a future clause is the next one; a month-day in a past
    clause is the last one before publication."""
    rows, _, _ = run("The talks will resume on Friday, officials said.", published=PUBLISHED)
    assert _claim(rows, "resume")["time_expressions"][0]["date"] == datetime.date(2022, 1, 14)
    rows, _, _ = run("The minister resigned on Monday.", published=PUBLISHED)
    assert rows[0]["time_expressions"][0]["date"] == datetime.date(2022, 1, 10)
    rows, _, _ = run("The treaty was signed on March 3 in Vienna.", published=PUBLISHED)
    assert rows[0]["time_expressions"][0]["date"] == datetime.date(2021, 3, 3)
    rows, _, _ = run("The summit will take place on Feb. 2 in Brussels.", published=PUBLISHED)
    assert rows[0]["time_expressions"][0]["date"] == datetime.date(2022, 2, 2)


@pytest.mark.parametrize(
    ("text", "published", "expected"),
    [
        # PolNeAR dev, 2016 (Western Journal, Breitbart, Washington Post):
        # "Monday's debate" in a Friday paper is the Monday just gone;
        # "since" looks back; a curfew "through Sunday" in a Sunday paper
        # ends that day.
        (
            "The impact of Monday's debate on the race is not yet clear.",
            datetime.date(2016, 9, 30),
            datetime.date(2016, 9, 26),
        ),
        (
            "Clinton has led in every national poll since Monday's debate.",
            datetime.date(2016, 9, 30),
            datetime.date(2016, 9, 26),
        ),
        (
            "While Monday's debate will be Trump's first, Clinton has debated many times.",
            datetime.date(2016, 9, 23),
            datetime.date(2016, 9, 26),
        ),
        (
            "In Chicago, they've had thousands of shootings since January 1st.",
            datetime.date(2016, 9, 29),
            datetime.date(2016, 1, 1),
        ),
        (
            "The curfew will remain in effect through Sunday.",
            datetime.date(2016, 9, 25),
            datetime.date(2016, 9, 25),
        ),
        (
            "The shooting occurred Tuesday afternoon in a parking lot.",
            datetime.date(2016, 9, 25),
            datetime.date(2016, 9, 20),
        ),
    ],
)
def test_dates_in_news_context(run, text, published, expected):
    (claim,) = run(text, published=published)[0]
    assert claim["time_expressions"][0]["date"] == expected


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("Dec. 17", datetime.date(2021, 12, 17)),
        ("January 10, 2021", datetime.date(2021, 1, 10)),
        ("17 December", datetime.date(2021, 12, 17)),
        ("yesterday", datetime.date(2022, 1, 10)),
        ("last night", datetime.date(2022, 1, 10)),
        ("Monday", datetime.date(2022, 1, 10)),
        ("Monday afternoon", datetime.date(2022, 1, 10)),
        ("late Saturday night", datetime.date(2022, 1, 8)),
        ("early Sunday morning", datetime.date(2022, 1, 9)),
        # Without a tense, a weekday is the last one (the paper is a Tuesday's).
        ("Thursday", datetime.date(2022, 1, 6)),
        ("late January 2022", None),
        ("later this week", None),
    ],
)
def test_resolve_date(expression, expected):
    assert resolve_date(expression, PUBLISHED) == expected


def test_an_age_is_no_time_expression(run):
    """The entity recogniser tags ages as dates ("Tom Young, *30*,"); they
    name no time (PolNeAR dev, USA Today)."""
    rows, _, _ = run(
        "Iraq War veteran Tom Young, 30, lay down on Illinois train tracks last year after "
        "failing to reach someone at the VA hotline.",
        published=datetime.date(2016, 9, 16),
    )
    (claim,) = rows
    assert [t["text"] for t in claim["time_expressions"]] == ["last year"]


def test_tense_of_a_date_without_a_verb_is_unknown(parse_text):
    """A verbless heading ends the walk up the tree at its root."""
    from transforms.claims import tense_of

    doc, _, _, _ = parse_text("Security talks in Geneva on Jan. 10", headline=False)
    (date,) = [e for e in doc.ents if e.label_ == "DATE"]
    assert tense_of(date.root) is None


@pytest.mark.parametrize(
    ("expression", "tense", "expected"),
    [
        ("March 3", "past", datetime.date(2021, 3, 3)),
        ("March 3", "future", datetime.date(2022, 3, 3)),
        ("Dec. 17", "future", datetime.date(2022, 12, 17)),
        ("Friday", "future", datetime.date(2022, 1, 14)),
        ("Friday", "past", datetime.date(2022, 1, 7)),
        ("next Tuesday", None, datetime.date(2022, 1, 18)),
        # Within a week of the paper's date, a day is that week's whatever
        # the tense (a dateline a day after a file name's date; "may cost
        # her the vote on March 13" in a March 10 article, tense missed).
        ("Jan. 12", "past", datetime.date(2022, 1, 12)),
        ("Jan. 4", "future", datetime.date(2022, 1, 4)),
        ("Jan. 19", "past", datetime.date(2021, 1, 19)),
    ],
)
def test_resolve_date_in_a_tense(expression, tense, expected):
    assert resolve_date(expression, PUBLISHED, tense) == expected


# ---------------------------------------------------------------- the sample article


@pytest.fixture(scope="module")
def sample(run):
    text = SAMPLE.read_text(encoding="utf-8")
    rows, _, scores = run(text, headline=True, published=PUBLISHED)
    return text, rows, scores


@pytest.mark.parametrize(
    ("fragment", "speaker"),
    [
        ("the United States was working with other NATO members", "NBC"),
        ("Russia has been deploying troops", None),
        ("around 175,000 Russian troops", None),
        ("Russia has denied any plans", "Russia"),
        ("it has raised the issue of providing Stingers", "The U.S. State Department"),
    ],
)
def test_sample_checkworthy_claims(sample, fragment, speaker):
    _, rows, _ = sample
    claim = _claim(rows, fragment)
    assert claim["checkworthy"]
    assert claim["speaker"] == speaker
    assert (claim["attribution_id"] is None) == (speaker is None)


def test_sample_footer_and_headline_are_no_claims(sample):
    text, rows, _ = sample
    assert not [r for r in rows if "Twitter" in r["text"]]
    headline_end = text.index("\n")
    assert all(r["start"] > headline_end for r in rows)


def test_sample_dates(sample):
    _, rows, _ = sample
    dates = {t["text"]: t["date"] for r in rows for t in r["time_expressions"]}
    assert dates["Jan. 10"] == datetime.date(2022, 1, 10)
    assert dates["Dec. 17"] == datetime.date(2021, 12, 17)


# ---------------------------------------------------------------- metrics


def test_average_precision_ranks_ties_pessimistically():
    assert average_precision([0.9, 0.5, 0.5], [1, 1, 0]) == pytest.approx((1 + 2 / 3) / 2)


def test_metrics_map_by_debate():
    records = [
        {"id": "clef19-train-a-1", "label": 1},
        {"id": "clef19-train-a-2", "label": 0},
        {"id": "clef19-train-b-1", "label": 0},
        {"id": "clef19-train-b-2", "label": 1},
    ]
    scores = {"clef19-train-a-1": 0.9, "clef19-train-a-2": 0.1, "clef19-train-b-1": 0.8}
    m = metrics(records, scores)
    assert debate_of("clef19-train-a-1") == "a"
    assert m["map_by_debate"] == pytest.approx((1.0 + 0.5) / 2)
    assert m["precision"] == 0.5 and m["recall"] == 0.5


def test_metrics_at_a_share_of_positives_reweight_the_negatives():
    """One positive among four records: at a 50 % share each negative counts
    a third, so the one false alarm costs a third of a hit."""
    records = [{"id": str(i), "label": int(i == 0)} for i in range(4)]
    scores = {"0": 0.9, "1": 0.8, "2": 0.1, "3": 0.1}
    as_is = metrics(records, scores)
    balanced = metrics(records, scores, share=0.5)
    assert as_is["precision"] == pytest.approx(0.5)
    assert balanced["precision"] == pytest.approx(0.75)
    assert balanced["recall"] == as_is["recall"] == 1.0
    assert balanced["f1"] == pytest.approx(2 * 0.75 / 1.75)
    assert balanced["ap"] == as_is["ap"]


def test_reliability_reweights_the_rate_to_the_models_base_rate():
    """In a bin of one positive and three negatives, the observed rate is
    1/4; a model whose probability assumes the file's own share (1/4) should
    match that, one that assumes equal shares should match 1/2."""
    records = [{"id": str(i), "label": int(i % 4 == 0)} for i in range(8)]
    scores = {str(i): 0.05 if i < 4 else 0.95 for i in range(8)}
    as_is = reliability(records, scores, base_rate=0.25)
    assert [(r["n"], r["rate"], r["rate_at_base"]) for r in as_is] == [(4, 0.25, 0.25)] * 2
    balanced = reliability(records, scores, base_rate=0.5)
    assert [r["rate_at_base"] for r in balanced] == [pytest.approx(0.5)] * 2


def test_a_model_of_another_feature_set_is_refused_with_the_way_out():
    """An artifact fitted before a feature block was added (no role
    vectoriser) is refused with the command that refits it."""
    from transforms.checkworthiness import CheckWorthinessModel

    parts = claims_model().to_parts()
    assert CheckWorthinessModel.from_parts(parts).base_rate == claims_model().base_rate
    older = {k: v for k, v in parts.items() if k != "role_vectorizer"}
    with pytest.raises(ValueError, match="claimflow train claims"):
        CheckWorthinessModel.from_parts(older)


def test_target_share_option_takes_a_share_or_the_files_own():
    import argparse

    from flows.evaluation.claims import _share

    assert _share("0.5") == 0.5
    assert _share("file") is None
    with pytest.raises(argparse.ArgumentTypeError):
        _share("1.5")


def test_attributions_by_sentence_matches_the_overlap_definition(parse_text):
    """Bisection finds exactly the attributions whose content overlaps each
    sentence, in their order (the claim stage links claims through it)."""
    from transforms.claims import _overlaps, attributions_by_sentence

    text = SAMPLE.read_text(encoding="utf-8")
    doc, hl_end, keys, _ = parse_text(text)
    item = Item("t", text, hl_end, doc, keys)
    attributions = attribution_stage([item]).to_pylist()
    assert len(attributions) >= 5
    found = attributions_by_sentence(keys, attributions)
    for sid, start, end, *_ in keys:
        expected = [
            a
            for a in attributions
            if any(_overlaps((c["start"], c["end"]), (start, end)) for c in a["content_spans"])
        ]
        assert found.get(sid, []) == expected, sid
    assert any(len(v) > 0 for v in found.values())


def test_base_rate_is_the_f1_optimal_cut_on_held_out_scores():
    """The learned base rate puts ``checkworthy`` (0.5) where F1 peaks: the
    same rate as a brute-force search with scikit-learn's F1, and the rate
    nearest 0.5 when several cut the scores equally well."""
    import numpy as np
    from sklearn.metrics import f1_score

    from transforms.checkworthiness import BASE_RATES, f1_optimal_base_rate

    rng = np.random.default_rng(7)
    labels = (rng.random(4000) < 0.25).astype(int)
    # Likelihood-ratio scores of a decent, imperfect scorer.
    log_odds = rng.normal(np.where(labels == 1, 1.2, -1.2), 1.3)

    def f1(rate: float) -> float:
        return f1_score(labels, log_odds + np.log(rate / (1 - rate)) >= 0)

    chosen = f1_optimal_base_rate(log_odds, labels)
    assert chosen in BASE_RATES
    assert f1(chosen) == pytest.approx(max(f1(r) for r in BASE_RATES))
    # With a quarter of positives the best cut asks for more evidence than
    # equal priors do: the learned rate is below 0.5.
    assert chosen < 0.5

    separable = np.array([-9.0, -8.0, 8.0, 9.0])
    assert f1_optimal_base_rate(separable, np.array([0, 0, 1, 1])) == 0.5

    # Tuned for a balanced corpus, the same scores get the rate that is best
    # after reweighting the negatives to half the total: the F1 a balanced
    # sample would give, and a looser cut than at the file's own 25 %.
    weights = np.where(labels == 1, 1.0, labels.sum() / (1 - labels).sum())

    def balanced_f1(rate: float) -> float:
        chosen = log_odds + np.log(rate / (1 - rate)) >= 0
        return f1_score(labels, chosen, sample_weight=weights)

    at_half = f1_optimal_base_rate(log_odds, labels, share=0.5)
    assert balanced_f1(at_half) == pytest.approx(max(balanced_f1(r) for r in BASE_RATES))
    assert at_half > chosen


def test_evidence_scale_favours_ngrams_that_separate_the_classes():
    """The naive-Bayes scale lifts an n-gram seen mostly in one class above
    one seen evenly in both, never goes below 0.5, and leaves the dense
    columns at 1."""
    import numpy as np
    from scipy import sparse

    from transforms.checkworthiness import evidence_scale

    labels = np.array([1, 1, 1, 0, 0, 0])
    features = sparse.csr_matrix(
        np.array(
            # only in positives, in both evenly, only in negatives, dense
            [[1, 1, 0, 0.3], [1, 0, 0, -1.0], [1, 1, 0, 0.2],
             [0, 1, 1, 0.5], [0, 0, 1, -0.2], [0, 1, 1, 0.1]]
        )
    )  # fmt: skip
    scale = evidence_scale(features, labels, dense_columns=1)
    assert scale[0] > scale[1] and scale[2] > scale[1]
    assert scale[0] == pytest.approx(scale[2])
    assert scale.min() >= 0.5
    assert scale[3] == 1.0


def _same_matrix(a, b) -> bool:
    return (
        a.shape == b.shape
        and (a.indptr == b.indptr).all()
        and (a.indices == b.indices).all()
        and (a.data == b.data).all()
    )


def test_fast_tfidf_gives_the_vectorizers_own_matrices(parse_text):
    """The claim stage computes its TF-IDF blocks itself (``tfidf``); for the
    packaged model's four vectorisers and for freshly fitted ones of other
    set-ups, the matrices equal ``transform``'s float for float, on the
    sample article's sentences and clauses and on edge cases (empty text,
    nothing in the vocabulary, repeats, capitals)."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    from transforms.checkworthiness import scoring_inputs, tfidf
    from transforms.claims import clause_spans

    text = SAMPLE.read_text(encoding="utf-8")
    doc, *_ = parse_text(text)
    spans = [s for sent in doc.sents for s in [sent, *clause_spans(sent)]]
    inputs = [scoring_inputs(s) for s in spans]
    texts = [i.text for i in inputs] + ["", "zzzq qqzz", "Troops troops TROOPS troops", "É"]
    shapes = [i.shape for i in inputs] + ["", "XX YY", "NNP NNP NNP NNP"]
    deps = [i.deps for i in inputs] + ["", "ROOT", "nsubj ROOT dobj punct"]
    roles = [i.roles for i in inputs] + ["", "nsubj:troop ROOT:deploy", "ROOT:ROOT"]
    model = claims_model()
    cased_chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 3), lowercase=False)
    for vectorizer, rows in (
        (model.word_vectorizer, texts),
        (model.char_vectorizer, texts),
        (model.shape_vectorizer, shapes),
        (model.dep_vectorizer, deps),
        (model.role_vectorizer, roles),
        (cased_chars.fit(texts), texts),
        (TfidfVectorizer(ngram_range=(2, 3), min_df=2, norm="l1").fit(texts), texts),
        (TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 7)).fit(texts), texts),
        (TfidfVectorizer(analyzer="char", ngram_range=(2, 4)).fit(texts), texts),  # fallback
        (TfidfVectorizer(analyzer="char_wb", strip_accents="unicode").fit(texts), texts),
    ):
        assert _same_matrix(tfidf(vectorizer, rows), vectorizer.transform(rows)), vectorizer
    assert tfidf(model.word_vectorizer, []).shape == (0, len(model.word_vectorizer.vocabulary_))


CLAIMBUSTER_DEV = SHARED / "eval" / "claimbuster" / "claimbuster_dev.jsonl"


@pytest.mark.skipif(not CLAIMBUSTER_DEV.is_file(), reason="shared eval data absent")
@pytest.mark.parametrize("folds", ["stratified", "by-id"])
def test_eval_claims_cross_validates_real_debate_sentences(tmp_path, capsys, folds):
    """`claimflow eval claims --cv` end to end on every 16th ClaimBuster
    record: both models are fitted per fold, every record is scored, and the
    claim stage's timing is reported beside the parse's; with either way of
    cutting the folds."""
    import gc
    import json

    from flows.cli import main

    lines = CLAIMBUSTER_DEV.read_text(encoding="utf-8").splitlines()[::16]
    gold = tmp_path / "slice.jsonl"
    gold.write_text("\n".join(lines) + "\n", encoding="utf-8")
    try:
        argv = ["eval", "claims", "--gold", str(gold), "--cv", "2", "--folds", folds, "--json"]
        assert main(argv) == 0
    finally:
        gc.unfreeze()  # the eval freezes its parsed corpus for its own process
    result = json.loads(capsys.readouterr().out)
    assert ("contiguous by id" in result["how"]) == (folds == "by-id")
    positives = sum(json.loads(line)["label"] for line in lines)
    assert result["claims"]["n"] == len(lines) and 0 < positives < len(lines)
    # Labelling everything check-worthy would give F1 2p/(1+p) < 0.4 and AP = p.
    assert result["claims"]["f1"] > 0.55
    assert result["claims"]["ap"] > 2 * positives / len(lines)
    assert "f1" in result["tfidf_baseline"] and len(result["base_rates"]) == 2
    assert sum(row["n"] for row in result["reliability"]) == len(lines)
    assert result["seconds"]["parse"] > 0 and 0 < result["seconds"]["ratio"] < 1


@pytest.mark.skipif(not CLAIMBUSTER_DEV.is_file(), reason="shared eval data absent")
def test_folds_by_id_hold_out_whole_runs_of_debate_sentences():
    """`--folds by-id` cuts ClaimBuster in the natural order of its sentence
    numbers (cb-99 before cb-100): the folds partition the file, and each
    test part is one contiguous run, so a debate's sentences stay together."""
    import itertools
    import json

    from flows.evaluation.claims import fold_splits, id_order_key

    records = [json.loads(line) for line in CLAIMBUSTER_DEV.read_text("utf-8").splitlines()[::8]]
    splits = fold_splits(records, 4, seed=0, folds="by-id")
    tests = [sorted(id_order_key(records[i]["id"]) for i in test) for _, test in splits]
    assert sorted(i for _, test in splits for i in test) == list(range(len(records)))
    for train, test in splits:
        assert len(train) + len(test) == len(records)
    for keys, following in itertools.pairwise(tests):
        assert keys[-1] < following[0]
    assert id_order_key("cb-99") < id_order_key("cb-100")


def test_folds_that_cannot_train_are_refused_before_the_parse(tmp_path, capsys):
    """A by-id fold whose training part holds one label (here: the only
    positive sits in the first fold) is named with the file, exit code 2."""
    from flows.cli import main

    gold = tmp_path / "gold.jsonl"
    rows = [("n-1", "Taxes rose 4 percent in 2011.", 1)] + [
        (f"n-{i}", "Thank you very much.", 0) for i in range(2, 5)
    ]
    gold.write_text(
        "".join(f'{{"id": "{i}", "text": "{t}", "label": {y}}}\n' for i, t, y in rows),
        encoding="utf-8",
    )
    argv = ["eval", "claims", "--gold", str(gold), "--cv", "2", "--folds", "by-id"]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert str(gold) in err and "fold 1 of 2 by id" in err and "one label" in err
    assert "parsed" not in err


CLEF_DEV = SHARED / "eval" / "claimbuster" / "clef2019_dev.jsonl"


@pytest.mark.skipif(not CLEF_DEV.is_file(), reason="shared eval data absent")
def test_eval_claims_holds_out_the_last_debates(tmp_path, capsys):
    """`claimflow eval claims --holdout-last` on a slice of CLEF: only
    the last debates are scored, MAP is averaged over them, and the claim
    stage is timed on the same records as the parse."""
    import gc
    import json

    from flows.cli import main
    from flows.evaluation.claims import debate_of

    # Every positive (2.7 % of lines) and every 24th line, so that each debate has both.
    every = CLEF_DEV.read_text(encoding="utf-8").splitlines()
    lines = [line for n, line in enumerate(every) if n % 24 == 0 or json.loads(line)["label"]]
    gold = tmp_path / "clef.jsonl"
    gold.write_text("\n".join(lines) + "\n", encoding="utf-8")
    ids = [json.loads(line)["id"] for line in lines]
    last = sorted({debate_of(i) for i in ids})[-2:]
    try:
        assert main(["eval", "claims", "--gold", str(gold), "--holdout-last", "2", "--json"]) == 0
    finally:
        gc.unfreeze()
    result = json.loads(capsys.readouterr().out)
    assert result["claims"]["n"] == sum(debate_of(i) in last for i in ids)
    assert 0 < result["claims"]["map_by_debate"] <= 1
    assert result["seconds"]["parse"] > 0 and 0 < result["seconds"]["ratio"] < 1


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (None, "no such file"),
        ('{"id": "a", "text": "Taxes rose.", "label": 1}\n{"id": "b", "te', ":2: not JSON"),
        ('{"id": "a", "text": "Taxes rose.", "label": "yes"}\n', ":1: label must be 0 or 1"),
        ('{"id": "a", "label": 0}\n', ":1: the record has no text"),
        ('{"id": "a", "text": "Taxes rose 4 percent.", "label": 1}\n', "only label 1"),
    ],
)
def test_eval_and_train_name_the_gold_file_and_the_reason(tmp_path, capsys, content, reason):
    from flows.cli import main

    gold = tmp_path / "gold.jsonl"
    if content is not None:
        gold.write_text(content, encoding="utf-8")
    out = tmp_path / "model.joblib"
    for argv in (
        ["eval", "claims", "--gold", str(gold), "--cv", "2"],
        ["train", "claims", "--gold", str(gold), "--out", str(out)],
    ):
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert str(gold) in err and reason in err
    assert not out.exists()


# ---------------------------------------------------------------- type labels


def test_type_score_counts_non_claims_and_spans_no_longer_made_apart():
    labels = [
        {"doc_id": "a", "start": 0, "end": 10, "is_claim": True, "claim_type": "position"},
        {"doc_id": "a", "start": 20, "end": 30, "is_claim": True, "claim_type": "event"},
        {"doc_id": "a", "start": 40, "end": 50, "is_claim": False, "claim_type": "other"},
        {"doc_id": "a", "start": 60, "end": 70, "is_claim": True, "claim_type": "quantity"},
        {"doc_id": "not-run", "start": 0, "end": 5, "is_claim": True, "claim_type": "rule"},
    ]
    found = {"a": {(0, 10): "position", (20, 30): "other", (40, 50): "event"}}
    res = score_types(labels, found)
    assert (res["labelled"], res["not_claims"], res["missing"]) == (4, 1, 1)
    assert (res["right"], res["typed"]) == (1, 2)
    assert res["per_type"]["other"] == {"predicted": 1}
    assert res["per_type"]["event"] == {"labelled": 1}


@pytest.mark.skipif(not (DEFAULT_POLNEAR / "dev").is_dir(), reason="needs ../shared/eval/polnear")
def test_the_shipped_type_labels_point_at_their_text_in_the_dev_articles():
    labels = read_type_labels(DEFAULT_TYPE_LABELS)
    assert len(labels) == 240
    texts: dict[str, str] = {}
    for label in labels:
        path = DEFAULT_POLNEAR / "dev" / "text" / f"{label['doc_id']}.txt"
        text = texts.setdefault(label["doc_id"], path.read_text(encoding="utf-8"))
        assert text[label["start"] : label["end"]] == label["text"]
        assert label["claim_type"] in CLAIM_TYPES
