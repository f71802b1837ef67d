"""``claimflow eval sentences``: sentence boundaries against CoNLL-U gold.

Documents are rebuilt from Universal Dependencies ``.conllu`` files the way
the shared reference scorer (``shared/eval/sentence_score.py``) rebuilds them,
because its rebuilt text is what the held-out judge feeds to ``claimflow
run``: a document starts at ``# newdoc``, a paragraph at ``# newpar``,
sentences are joined by one space inside a paragraph and by a blank line
between paragraphs (``--join space``: one space everywhere).

The rebuilt texts then go through the very stages of ``claimflow run``
(``flows.stages.parse_stage`` and ``sentence_stage``) as ``.txt`` articles
(headline rule included), so the figures measure what runs.  A boundary is
the end of every sentence but the last, moved past whitespace; precision,
recall and F1 are micro-averaged over documents.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from transforms.documents import headline_end

PROJECT = Path(__file__).resolve().parents[2]
DEFAULT_GOLD = PROJECT.parent / "shared" / "eval" / "gum" / "en_gum-ud-dev.conllu"

_NEWDOC = re.compile(r"^#\s*newdoc(?:\s+id\s*=\s*(.*?))?\s*$")
_NEWPAR = re.compile(r"^#\s*newpar(?:\s+id\s*=.*)?\s*$")
_TEXT = re.compile(r"^#\s*text\s*=\s?(.*)$")


@dataclass
class GoldDoc:
    """A rebuilt document: its text and the gold sentence spans into it."""

    doc_id: str
    text: str
    sentences: list[tuple[int, int]] = field(default_factory=list)


def read_conllu(path: str | Path) -> list[tuple[str, list[list[str]]]]:
    """``(doc id, paragraphs of sentence texts)`` for every document in a file.

    Only the comment lines matter: ``# newdoc``, ``# newpar`` and ``# text``.
    A file without ``# newdoc`` is one document named after the file, and
    ``# newpar_block`` (GUM layout notes) does not open a paragraph.
    """
    name = Path(path).name
    docs: list[tuple[str, list[list[str]]]] = []
    paras: list[list[str]] | None = None
    new_par = False
    anonymous = 0
    with open(path, encoding="utf-8") as fh:
        for raw in fh:
            line = raw.rstrip("\r\n")
            if not line.startswith("#"):
                continue
            if m := _NEWDOC.match(line):
                anonymous += 1
                paras = []
                docs.append(((m.group(1) or "").strip() or f"{name}#{anonymous}", paras))
                new_par = True
            elif _NEWPAR.match(line):
                new_par = True
            elif m := _TEXT.match(line):
                if paras is None:
                    paras = []
                    docs.append((name, paras))
                    new_par = True
                if new_par or not paras:
                    paras.append([])
                    new_par = False
                paras[-1].append(m.group(1).strip())
    return [(doc_id, p) for doc_id, p in docs if p]


def rebuild(doc_id: str, paragraphs: list[list[str]], join: str = "para") -> GoldDoc:
    """Join sentences into a document's text, recording each sentence's span."""
    doc = GoldDoc(doc_id, "")
    parts: list[str] = []
    pos = 0
    for p_i, para in enumerate(paragraphs):
        for s_i, sent in enumerate(para):
            if p_i or s_i:
                sep = "\n\n" if join == "para" and s_i == 0 else " "
                parts.append(sep)
                pos += len(sep)
            parts.append(sent)
            doc.sentences.append((pos, pos + len(sent)))
            pos += len(sent)
    doc.text = "".join(parts)
    return doc


def load_gold(
    paths: Iterable[str | Path], join: str = "para", prefixes: Sequence[str] = ()
) -> list[GoldDoc]:
    """Rebuilt gold documents of all files, optionally only ids with a prefix."""
    out = []
    for path in paths:
        for doc_id, paras in read_conllu(path):
            if prefixes and not doc_id.startswith(tuple(prefixes)):
                continue
            out.append(rebuild(doc_id, paras, join))
    return out


def boundaries(text: str, spans: Iterable[tuple[int, int]]) -> set[int]:
    """Boundary offsets: each sentence end but the last, moved past whitespace.

    Moving past whitespace makes "A. |B." and "A.| B." one boundary; one at
    the very end of the text is not a boundary.
    """
    ordered = sorted(spans)
    out = set()
    for _, end in ordered[:-1]:
        b = min(max(end, 0), len(text))
        while b < len(text) and text[b].isspace():
            b += 1
        if 0 < b < len(text):
            out.add(b)
    return out


def segment(
    docs: Sequence[GoldDoc], model: str, batch_size: int = 64
) -> tuple[dict[str, list[tuple[int, int]]], dict[str, float]]:
    """Predicted sentence spans per document, by the stages of ``claimflow run``.

    Each text is treated as a ``.txt`` article (its first line is a headline
    when more text follows), exactly as the judge's ``claimflow run`` sees it.
    Returns the spans and the seconds spent in the parse and sentence stages.
    """
    from flows.stages import Item, parse_stage, sentence_stage

    pred: dict[str, list[tuple[int, int]]] = {}
    seconds = {"parse": 0.0, "sentences": 0.0}
    for i in range(0, len(docs), batch_size):
        items = [Item(d.doc_id, d.text, headline_end(d.text)) for d in docs[i : i + batch_size]]
        t0 = time.perf_counter()
        parse_stage(items, model)
        t1 = time.perf_counter()
        table = sentence_stage(items)
        seconds["parse"] += t1 - t0
        seconds["sentences"] += time.perf_counter() - t1
        for row in table.select(["doc_id", "start", "end"]).to_pylist():
            pred.setdefault(row["doc_id"], []).append((row["start"], row["end"]))
    return pred, seconds


def score(docs: Sequence[GoldDoc], pred: dict[str, list[tuple[int, int]]]) -> dict:
    """Micro boundary precision, recall, F1 and the share of perfect documents."""
    tp = fp = fn = perfect = 0
    for doc in docs:
        gold = boundaries(doc.text, doc.sentences)
        got = boundaries(doc.text, pred.get(doc.doc_id, [(0, len(doc.text))]))
        tp += len(gold & got)
        fp += len(got - gold)
        fn += len(gold - got)
        perfect += gold == got
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {
        "docs": len(docs),
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "precision": p,
        "recall": r,
        "f1": f,
        "perfect_docs": perfect,
        "perfect_share": perfect / len(docs) if docs else 0.0,
    }


def errors(
    docs: Sequence[GoldDoc], pred: dict[str, list[tuple[int, int]]], width: int = 40
) -> list[str]:
    """One line per wrong boundary: FP (split not in gold) or FN (missed split)."""
    out = []
    for doc in docs:
        gold = boundaries(doc.text, doc.sentences)
        got = boundaries(doc.text, pred.get(doc.doc_id, [(0, len(doc.text))]))
        for kind, offsets in (("FP", got - gold), ("FN", gold - got)):
            for b in sorted(offsets):
                left = doc.text[max(0, b - width) : b]
                right = doc.text[b : b + width]
                out.append(f"{kind} {doc.doc_id} @{b}: {left!r} || {right!r}")
    return out


# ---------------------------------------------------------------- CLI


def register(
    eval_commands: argparse._SubParsersAction, train_commands: argparse._SubParsersAction
) -> None:
    """Add ``claimflow eval sentences`` (no training: the stage is rules + parser)."""
    del train_commands
    cmd = eval_commands.add_parser(
        "sentences",
        help="sentence boundary P/R/F1 against CoNLL-U gold (UD GUM, EWT)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    cmd.add_argument(
        "--conllu",
        nargs="+",
        default=[str(DEFAULT_GOLD)],
        metavar="FILE",
        help=f"gold .conllu file(s) (default: {DEFAULT_GOLD})",
    )
    cmd.add_argument(
        "--join",
        choices=("para", "space"),
        default="para",
        help="para: blank line between paragraphs (default); space: no layout at all",
    )
    cmd.add_argument(
        "--doc-prefix",
        action="append",
        default=[],
        help="only documents whose id starts with this (repeatable), e.g. GUM_news_",
    )
    cmd.add_argument("--model", default=None, help="spaCy model (default: the pipeline's)")
    cmd.add_argument("--errors", type=int, default=0, metavar="N", help="print N errors")
    cmd.add_argument(
        "--pred-out",
        metavar="FILE",
        help="write predictions as JSONL {doc, sentences} for the reference scorer",
    )
    cmd.add_argument("--json", action="store_true", help="print the result as JSON")
    cmd.set_defaults(handler=cmd_eval_sentences)


def cmd_eval_sentences(args: argparse.Namespace) -> int:
    from flows.nlp import DEFAULT_MODEL

    missing = [f for f in args.conllu if not Path(f).is_file()]
    if missing:
        print(f"claimflow: gold file not found: {', '.join(missing)}", file=sys.stderr)
        return 2
    docs = load_gold(args.conllu, args.join, args.doc_prefix)
    if not docs:
        print("claimflow: no documents found", file=sys.stderr)
        return 2
    pred, seconds = segment(docs, args.model or DEFAULT_MODEL)
    result = score(docs, pred)
    result["seconds"] = seconds
    if args.pred_out:
        with open(args.pred_out, "w", encoding="utf-8") as fh:
            for doc in docs:
                spans = [list(s) for s in pred.get(doc.doc_id, [])]
                fh.write(json.dumps({"doc": doc.doc_id, "sentences": spans}) + "\n")
    if args.json:
        print(json.dumps(result, indent=1))
    else:
        r = result
        print(
            f"docs={r['docs']} gold_boundaries={r['tp'] + r['fn']} "
            f"tp={r['tp']} fp={r['fp']} fn={r['fn']}"
        )
        print(
            f"precision={r['precision']:.4f} recall={r['recall']:.4f} f1={r['f1']:.4f} "
            f"perfect_docs={r['perfect_docs']}/{r['docs']} ({100 * r['perfect_share']:.1f}%)"
        )
        total = seconds["parse"] + seconds["sentences"]
        print(
            f"time: parse {seconds['parse']:.1f} s, sentence rows {seconds['sentences']:.2f} s "
            f"({100 * seconds['sentences'] / total if total else 0:.1f}% of the two)"
        )
    for line in errors(docs, pred)[: args.errors]:
        print(line)
    return 0
