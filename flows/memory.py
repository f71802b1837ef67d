"""Hand memory freed by a batch back to the operating system.

A batch parses about a hundred articles and drops them when done; glibc's
allocator and Arrow's (mimalloc) keep most of what was freed for reuse, so
a long-lived worker's resident memory ratchets up to the largest batch it
has met and stays there.  Measured on a worker after a batch of 100 PolNeAR
articles: 735 MB resident without a release, 335 MB with one.  A release
costs a few tens of milliseconds against seconds of work per batch.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import functools
import gc
from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

import pyarrow as pa


@functools.cache
def _malloc_trim() -> ctypes._CFuncPtr | None:  # type: ignore[name-defined]
    """glibc's ``malloc_trim``; None on other C libraries (musl, macOS, Windows)."""
    name = ctypes.util.find_library("c")
    if not name:
        return None
    try:
        return ctypes.CDLL(name).malloc_trim
    except (OSError, AttributeError):
        return None


def release_memory() -> None:
    """Collect cyclic garbage, then return free heap and Arrow pool memory to the OS."""
    gc.collect()
    pa.default_memory_pool().release_unused()
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@contextlib.contextmanager
def frozen_heap() -> Iterator[None]:
    """Spare :func:`release_memory` from walking what already exists.

    Objects alive on entry (models, a run's plan) are moved out of the cycle
    collector's reach until exit, so the collection that ends each batch
    walks only what the batch created.
    """
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


#: Characters of text per batch at most.  A worker holds its batch's parsed
#: docs until the batch is done, so its memory follows the batch's text, not
#: its article count: a hundred long articles side by side (a corpus sorted
#: so that long ones cluster) took a worker well above a hundred average
#: ones.  200,000 characters are about forty-five average news articles;
#: measured on 1,200 articles of the benchmark corpus in one process, the
#: peak per batch ranged 496-554 MB at 200,000 characters and 491-602 MB
#: at 400,000, at the same speed.
BATCH_CHARS = 200_000


T = TypeVar("T")


def bounded_chunks(
    items: Iterable[T], size: Callable[[T], int], max_items: int, max_size: int
) -> Iterator[list[T]]:
    """``items`` cut in order, lazily, into runs of at most ``max_items``
    items and ``max_size`` total ``size``; an item larger than ``max_size``
    goes alone.

    What a batch holds in memory follows its size (characters, tokens), not
    its count: bounding both keeps a run's memory independent of which items
    happen to be neighbours.
    """
    chunk: list[T] = []
    total = 0
    for item in items:
        n = size(item)
        if chunk and (len(chunk) == max_items or total + n > max_size):
            yield chunk
            chunk, total = [], 0
        chunk.append(item)
        total += n
    if chunk:
        yield chunk
