"""Leave-one-source-out (LOSO) over train+dev: what Tierwall learns, scored on a source it never saw.

    python packaging/loso.py [--json build/loso.json] [--only GROUP ...]

The dev split shares templates with train, so dev figures flatter anything
lexical. Here each attack source and each benign kind is held out in turn;
the learned parts are built again without it, the tier-1 band is chosen on
what is left, and only then is the held-out group scored: recall for an
attack group (an attack source is held out whole, and its own benign rows,
if it has any, give an FPR too), false-positive rate for a benign one.
Decisions about models, features and bands are to be made on these figures.
The first row holds nothing out (learned on train, band and figures on dev):
the in-distribution figure they are to be read against.

Per fold, with G the held-out group:
- learned again on train.csv without G: tier 0's lexical prior (build_tier0.fit_lexicon), and
  5 more out-of-fold priors for the head's lexical feature; tier 0's signature store
  (build_tier0.build_signatures); tier 1's head, a class-balanced logistic regression (with
  --hidden N an MLP of N units) over the window embedding, the lexical-prior logit and the rule
  score, texts tier 0 is unsure of weighted x3 (build_tier1's recipe without its exemplar banks);
- chosen on dev.csv without G: tier 1's allow_below, the lowest that keeps FPR <= 1 % there;
- fixed: the hand-written rules, normalisation, the embedding model, tier 0's bands, tier 2 (not run).
  Tier 0 learns its known words too, so that it sends text it cannot read to tier 1 as shipped.
Window embeddings do not depend on the fold: they are computed once with the shipped int8
encoder (build_tier1.embed_all, up to 16 windows a text as the build embeds them) and cached
under build/cache. A run takes about 10 minutes on two cores (plus 3 the first time, for the
embeddings); --hidden 64 about 15.

A text counts as flagged when the engine would not allow it with tiers 0 and 1: tier 0 blocks,
finds a secret or personal data, or is unsure and tier 1 scores it at or above the band.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "packaging"))

from build_tier0 import STRIDE, WINDOW, build_signatures, fit_lexicon, known_words  # noqa: E402
from build_tier1 import FOLDS, HARD_WEIGHT, embed_all  # noqa: E402
from learn import balanced_weights, fit_logistic, fit_mlp  # noqa: E402
from training_data import DEFAULT_TRAIN, is_english  # noqa: E402

from engine.bands import Bands  # noqa: E402
from engine.evaluate import Row, read_dataset  # noqa: E402
from engine.lexicon import Lexicon  # noqa: E402
from engine.logistic import logit, sigmoid  # noqa: E402
from engine.normalize import Normalized, normalize  # noqa: E402
from engine.rules import RuleSet  # noqa: E402
from engine.signatures import SignatureStore  # noqa: E402
from engine.tiers.embedding import MODEL_DIR  # noqa: E402
from engine.tiers.tier0 import Tier0  # noqa: E402
from engine.tiers.tier1 import MAX_EXTRA_VIEWS  # noqa: E402
from engine.tokens import token_hashes, words  # noqa: E402
from engine.verdict import SENSITIVE_CATEGORIES  # noqa: E402

TARGET_FPR = 0.01
MULTILINGUAL = "tierwall-gen:multilingual"
GETTEXT = "gettext (non-English UI text)"
REFERENCE = "(none held out: dev)"
HEAD_L2 = 1e-4
HEAD_EPOCHS = 300
MLP_EPOCHS = 200
SEED = 20261206


def attack_group(source: str, language: str = "") -> str:
    """The group an attack source is held out with.

    Generated obfuscations (obf-<transform>:<source>) are grouped by transform: the
    question is whether a transform never seen is caught, and each pair is tiny. The
    garak-multilingual probes are one author's 56 rows in four files: one group. The
    project's own multilingual rows (data/attacks) are held out a language at a time:
    is an attack in a language never trained on caught?
    """
    if source == MULTILINGUAL and language:
        return f"lang:{language}"
    if source.startswith("obf-"):
        return source.split(":", 1)[0]
    if source.startswith("garak-multilingual:"):
        return "garak-multilingual"
    return source


def benign_group(row: Row) -> str:
    """The benign kind a label-0 row is held out with: its category, gettext UI strings apart.

    The gettext catalogs (15 languages) are one group rather than fifteen: their rows are one
    kind of text (short UI strings with placeholders) and a language held out while fourteen
    others of the same kind stay in training would measure little. UD prose and non-Latin
    Arena prompts remain "benign_nonenglish".
    """
    if row.source.startswith("gettext:"):
        return GETTEXT
    return row.category or "benign"


@dataclass(frozen=True, slots=True)
class Group:
    name: str
    kind: str  # "attack" or "benign"
    held: np.ndarray  # bool per row: left out of learning and band choice
    scored: np.ndarray  # bool per row: its label's rows (recall or FPR; tier 0's shares are of these)


def make_groups(rows: list[Row]) -> list[Group]:
    """Every attack group (its whole source held out, both labels) and every benign kind (its label-0 rows)."""
    labels = np.array([r.label for r in rows])
    attack_of_source = np.array([attack_group(r.source, r.language) for r in rows])
    attack_names = sorted({attack_of_source[i] for i in np.flatnonzero(labels == 1)})
    groups = []
    for name in attack_names:
        held = attack_of_source == name
        groups.append(Group(name, "attack", held, held & (labels == 1)))
    kind = np.array([benign_group(r) if r.label == 0 else "" for r in rows])
    for name in sorted(set(kind) - {""}):
        held = kind == name
        groups.append(Group(name, "benign", held, held))
    return groups


@dataclass(slots=True)
class Corpus:
    """What does not depend on the fold, computed once."""

    rows: list[Row]
    split: np.ndarray  # "train" / "dev"
    labels: np.ndarray
    norms: list[Normalized]
    tokens: list[list[str]]  # main view's words, as build_tier0 learns from them
    rule_score: np.ndarray  # tier 0's rules alone (what tier 1's head sees)
    vectors: np.ndarray  # (windows, dim) float64: main-view window embeddings
    doc: np.ndarray  # text index of each window
    vectors_extra: np.ndarray  # windows of decoded / respelled views (scored, never learned from, as in build_tier1)
    doc_extra: np.ndarray


def load_corpus(train: list[Path], dev: list[Path], cache: Path, rules: RuleSet, bands: Bands,
                encoder: Path = ROOT / "assets" / "models" / MODEL_DIR) -> Corpus:  # fmt: skip
    """Read both splits, normalise, score the rules and embed every window (embeddings cached)."""
    rows_train = [r for path in train for r in read_dataset(path)]
    rows_dev = [r for path in dev for r in read_dataset(path)]
    rows = rows_train + rows_dev
    split = np.array(["train"] * len(rows_train) + ["dev"] * len(rows_dev))
    norms = [normalize(r.text[: bands.max_scan_chars]) for r in rows]
    tier0 = Tier0(rules, None, None, bands)  # type: ignore[arg-type]  # only its rule findings are used here
    rule_score = np.array([bands.attack_score(tier0.rule_findings(n)) for n in norms])
    model_dir = encoder
    vectors, doc = embed_all([n.main.folded for n in norms], cache, model_dir)
    extra = [(i, v.folded) for i, n in enumerate(norms) for v in n.views[1 : 1 + MAX_EXTRA_VIEWS]]
    if extra:
        vectors_extra, which = embed_all([t for _, t in extra], cache, model_dir)
        doc_extra = np.array([i for i, _ in extra], dtype=np.int64)[which]
    else:
        vectors_extra, doc_extra = np.zeros((0, vectors.shape[1]), np.float32), np.zeros(0, np.int64)
    labels = np.array([r.label for r in rows])
    tokens = [words(n.main.folded) for n in norms]
    return Corpus(rows, split, labels, norms, tokens, rule_score, vectors.astype(np.float64), doc,
                  vectors_extra.astype(np.float64), doc_extra)  # fmt: skip


def learn_lexicon(corpus: Corpus, idx: np.ndarray, *, gate: bool = False) -> Lexicon:
    """Tier 0's lexical prior learned from these rows, as build_tier0 learns it from train.csv.

    gate=True also learns its known words, so that tier 0 sends text it cannot read to tier 1, as shipped.
    """
    tokens = [corpus.tokens[i] for i in idx]
    bias, table = fit_lexicon(corpus.labels[idx].tolist(), tokens, log=None)
    if not gate:
        return Lexicon(bias, table, WINDOW, STRIDE)
    english = [is_english(corpus.rows[i].language, corpus.rows[i].category) for i in idx]
    return Lexicon(bias, table, WINDOW, STRIDE, np.array(known_words(tokens, english)))


def out_of_fold_lexical(corpus: Corpus, learn: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The lexical prior's probability of each `learn` row from a prior that did not see it (NaN elsewhere).

    As in build_tier1: the head must learn how far to trust the prior on texts it has not seen.
    """
    idx = np.flatnonzero(learn)
    folds = rng.integers(0, FOLDS, size=len(idx))
    out = np.full(len(corpus.rows), np.nan)
    for k in range(FOLDS):
        lexicon = learn_lexicon(corpus, idx[folds != k])
        for i in idx[folds == k]:
            out[i] = lexicon.score(corpus.tokens[i], token_hashes(corpus.tokens[i])).probability
    return out


def fit_tier0(corpus: Corpus, learn: np.ndarray, rules: RuleSet, bands: Bands, workdir: Path) -> Tier0:
    """Tier 0 with its lexical prior and signature store learned from the `learn` rows only."""
    idx = np.flatnonzero(learn)
    lexicon = learn_lexicon(corpus, idx, gate=True)
    attack_rows = [(corpus.rows[i].text, 1, corpus.rows[i].category) for i in idx if corpus.labels[i] == 1]
    # build_signatures writes the store as the build does; its source argument only names a file in the metadata
    store_dir = workdir / "signatures"
    with contextlib.redirect_stdout(io.StringIO()):  # its one-line report, once per fold, would bury the table
        build_signatures(attack_rows, [corpus.tokens[i] for i in idx if corpus.labels[i] == 1], store_dir,
                         [Path(__file__)])  # fmt: skip
    return Tier0(rules, SignatureStore.load(store_dir), lexicon, bands)


Head = Callable[[np.ndarray, np.ndarray], np.ndarray]  # (window embeddings, their text indices) -> logits


def fit_head(
    corpus: Corpus, learn: np.ndarray, lexical: np.ndarray, bands: Bands, hidden: int, lexical_feature: bool = True
) -> Head:
    """Tier 1's head learned from the main-view windows of the `learn` rows.

    Its inputs are the window embedding, the text's lexical-prior logit and its rule score
    (standardised); texts tier 0 is unsure of weigh HARD_WEIGHT times more, as in build_tier1.
    `lexical` is the prior's probability per text: out-of-fold for the learn rows. lexical_feature=False
    leaves the prior out of the head (an English-only prior pulls every foreign text down).
    """

    def extras(doc: np.ndarray) -> np.ndarray:
        lex = logit(lexical[doc]) if lexical_feature else np.zeros(len(doc))
        return np.stack([lex, corpus.rule_score[doc]], axis=1)

    sel = learn[corpus.doc]
    doc = corpus.doc[sel]
    extra = extras(doc)
    mean, std = extra.mean(axis=0), extra.std(axis=0) + 1e-6
    emb_mean, emb_std = corpus.vectors[sel].mean(axis=0), corpus.vectors[sel].std(axis=0) + 1e-6  # as build_tier1
    x = np.hstack([(corpus.vectors[sel] - emb_mean) / emb_std, (extra - mean) / std])
    y = corpus.labels[doc].astype(np.float64)
    per_doc = np.bincount(doc, minlength=len(corpus.rows))[doc]  # a long text counts as much as a short one
    hard = (corpus.rule_score >= bands.unsure_at) | (lexical >= bands.lexical_unsure_at)
    weight = balanced_weights(y, np.where(hard[doc], HARD_WEIGHT, 1.0) / per_doc)
    if hidden > 0:
        w1, b1, w2, b2 = fit_mlp(x, y, weight, hidden=hidden, l2=HEAD_L2, epochs=MLP_EPOCHS, seed=SEED, log=None)

        def predict(v: np.ndarray) -> np.ndarray:
            return np.maximum(v @ w1 + b1, 0) @ w2 + b2
    else:
        w, b = fit_logistic(x.shape[1], lambda w: x @ w, lambda g: x.T @ g, y, weight, l2=HEAD_L2,
                            epochs=HEAD_EPOCHS, log=None)  # fmt: skip

        def predict(v: np.ndarray) -> np.ndarray:
            return v @ w + b

    return lambda vectors, d: predict(np.hstack([(vectors - emb_mean) / emb_std, (extras(d) - mean) / std]))


def head_scores(corpus: Corpus, head: Head, wanted: np.ndarray) -> np.ndarray:
    """Tier 1's score of each wanted text: its worst window over the main and extra views (NaN elsewhere)."""
    out = np.full(len(corpus.rows), -np.inf)
    for vectors, doc in ((corpus.vectors, corpus.doc), (corpus.vectors_extra, corpus.doc_extra)):
        sel = wanted[doc]
        if sel.any():
            np.maximum.at(out, doc[sel], head(vectors[sel], doc[sel]))
    return np.where(wanted, sigmoid(out), np.nan)


def tier0_outcomes(corpus: Corpus, tier0: Tier0, wanted: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per wanted text: tier 0's decision ("" elsewhere), whether it found a secret or personal data, and the
    lexical prior's probability (its worst view, what tier 1 is handed at run time)."""
    decision = np.full(len(corpus.rows), "", dtype=object)
    sensitive = np.zeros(len(corpus.rows), dtype=bool)
    lexical = np.full(len(corpus.rows), np.nan)
    for i in np.flatnonzero(wanted):
        r0 = tier0.read(corpus.norms[i])
        decision[i] = r0.opinion
        sensitive[i] = any(f.category in SENSITIVE_CATEGORIES for f in r0.findings)
        lexical[i] = r0.lexical
    return decision, sensitive, lexical


def choose_band(t0: np.ndarray, forced: np.ndarray, t1: np.ndarray, benign: np.ndarray,
                target: float = TARGET_FPR) -> float:  # fmt: skip
    """The lowest tier-1 allow_below that keeps the FPR of the `benign` rows at or under target.

    Rows tier 0 blocks or that carry a secret are flagged whatever the band; when they alone
    exceed the target, the band is 1.0 (tier 1 flags nothing; the FPR stays above target).
    """
    n = int(benign.sum())
    if n == 0:
        return 0.5
    budget = int(np.floor(target * n)) - int((benign & (forced | (t0 == "block"))).sum())
    if budget < 0:
        return 1.0
    escalated = np.sort(t1[benign & ~forced & (t0 == "unsure")])[::-1]
    if budget >= len(escalated):
        return 0.0
    # flag strictly above the (budget+1)-th highest benign score; ties go unflagged with it
    return float(np.nextafter(escalated[budget], 1.0))


def flagged(t0: np.ndarray, forced: np.ndarray, t1: np.ndarray, band: float) -> np.ndarray:
    """Not allowed by tiers 0 and 1 at this band."""
    with np.errstate(invalid="ignore"):
        return forced | (t0 == "block") | ((t0 == "unsure") & (t1 >= band))


@dataclass(frozen=True, slots=True)
class Variant:
    """What a run changes from the shipped recipe, to compare choices on this protocol."""

    hidden: int = 0  # tier-1 head: 0 logistic regression, N an MLP of N units
    lexical_feature: bool = True  # the head reads tier 0's lexical-prior logit
    escalate_all: bool = False  # tier 0 never allows: every text it does not block goes to tier 1 (the gate's cost)


def run_fold(corpus: Corpus, group: Group | None, rules: RuleSet, bands: Bands, variant: Variant,
             workdir: Path) -> dict[str, Any]:  # fmt: skip
    """Learn without the group, choose the band on the rest of dev, score the group (None: the reference)."""
    started = time.perf_counter()
    held = group.held if group is not None else np.zeros(len(corpus.rows), dtype=bool)
    learn = (corpus.split == "train") & ~held
    rest = (corpus.split == "dev") & ~held
    scored = group.scored if group is not None else corpus.split == "dev"
    measured = held | scored  # an attack source's own benign rows are unseen too: their FPR is shown
    wanted = rest | measured
    tier0 = fit_tier0(corpus, learn, rules, bands, workdir)
    t0, sensitive, lexical = tier0_outcomes(corpus, tier0, wanted)
    if variant.escalate_all:
        t0[t0 == "allow"] = "unsure"
    oof = out_of_fold_lexical(corpus, learn, np.random.default_rng(SEED))
    lexical[learn] = oof[learn]
    head = fit_head(corpus, learn, lexical, bands, variant.hidden, variant.lexical_feature)
    t1 = head_scores(corpus, head, wanted)
    band = choose_band(t0, sensitive, t1, rest & (corpus.labels == 0))
    hit = flagged(t0, sensitive, t1, band)
    y = corpus.labels

    def rate(mask: np.ndarray) -> float | None:
        return round(float(hit[mask].mean()), 4) if mask.any() else None

    out: dict[str, Any] = {
        "group": group.name if group is not None else REFERENCE,
        "kind": group.kind if group is not None else "reference",
        "n_held": int(held.sum()),
        "n_attack": int((measured & (y == 1)).sum()),
        "n_benign": int((measured & (y == 0)).sum()),
        "recall": rate(measured & (y == 1)),
        "fpr": rate(measured & (y == 0)),
        "band": round(band, 4),
        "rest_fpr": rate(rest & (y == 0)),
        "rest_recall": rate(rest & (y == 1)),
        "tier0_allowed": round(float((t0[scored] == "allow").mean()), 4),
        "tier0_blocked": round(float((t0[scored] == "block").mean()), 4),
        "secret_or_pii": round(float(sensitive[scored].mean()), 4),  # flagged whatever the models say
        "seconds": round(time.perf_counter() - started, 1),
    }
    return out


def _mean(values: list[float]) -> float | None:
    return round(float(np.mean(values)), 4) if values else None


def summary(results: list[dict[str, Any]]) -> dict[str, Any]:
    """Means over groups (each group counts once, whatever its size), and the worst groups.

    The six generated obfuscation groups are transforms of attacks whose source stays in
    training, so the mean is also given without them; the pooled figure weighs groups by rows.
    """
    attacks = [r for r in results if r["kind"] == "attack"]
    benign = [r for r in results if r["kind"] == "benign"]
    rows = sum(r["n_attack"] for r in attacks)
    sources = [r["recall"] for r in attacks if not r["group"].startswith("obf-")]
    return {
        "mean_attack_recall": _mean([r["recall"] for r in attacks]),
        "mean_attack_recall_without_generated": _mean(sources),
        "pooled_attack_recall": round(sum(r["recall"] * r["n_attack"] for r in attacks) / rows, 4) if rows else None,
        "mean_benign_fpr": _mean([r["fpr"] for r in benign]),
        "attack_groups_below_60pct": [r["group"] for r in attacks if r["recall"] < 0.6],
        "worst_attack_groups": [r["group"] for r in sorted(attacks, key=lambda r: r["recall"])[:5]],
        "worst_benign_groups": [r["group"] for r in sorted(benign, key=lambda r: -r["fpr"])[:3]],
    }


def _pct(x: float | None) -> str:
    return "      -" if x is None else f"{100 * x:6.2f}%"


def describe(results: list[dict[str, Any]], totals: dict[str, Any]) -> str:
    """The per-group table and the means, as printed."""
    out = [f"{'group':<32} {'kind':<9} {'n':>6} {'recall':>8} {'FPR':>8} {'band':>6} {'dev FPR':>8} "
           f"{'t0 allow':>8} {'t0 block':>8} {'key/PII':>8}"]  # fmt: skip
    for r in results:
        n = r["n_benign"] if r["kind"] == "benign" else r["n_attack"]
        out.append(f"{r['group']:<32} {r['kind']:<9} {n:>6} {_pct(r['recall']):>8} {_pct(r['fpr']):>8} "
                   f"{r['band']:>6.3f} {_pct(r['rest_fpr']):>8} {_pct(r['tier0_allowed']):>8} "
                   f"{_pct(r['tier0_blocked']):>8} {_pct(r['secret_or_pii']):>8}")  # fmt: skip
    out.append(f"mean recall over attack groups: {_pct(totals['mean_attack_recall']).strip()}"
               f"   mean FPR over benign groups: {_pct(totals['mean_benign_fpr']).strip()}")  # fmt: skip
    out.append(f"mean recall without the generated obfuscations: "
               f"{_pct(totals['mean_attack_recall_without_generated']).strip()}"
               f"   pooled recall (by rows): {_pct(totals['pooled_attack_recall']).strip()}")  # fmt: skip
    out.append(f"attack groups below 60 %: {', '.join(totals['attack_groups_below_60pct']) or 'none'}")
    return "\n".join(out) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    data = ROOT.parent / "shared" / "eval"
    parser.add_argument(
        "--train",
        type=Path,
        nargs="+",
        default=list(DEFAULT_TRAIN),
        help="training files (default: packaging/training_data.DEFAULT_TRAIN)",
    )
    dev = [data / "dev.csv", ROOT / "data" / "attacks" / "dev.csv"]
    parser.add_argument(
        "--dev",
        type=Path,
        nargs="+",
        default=dev,
        help="files the bands are chosen on (default: the shared dev split and data/attacks/dev.csv)",
    )
    parser.add_argument("--cache", type=Path, default=ROOT / "build" / "cache")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON here")
    parser.add_argument(
        "--encoder",
        type=Path,
        default=ROOT / "assets" / "models" / MODEL_DIR,
        help="the encoder's folder (another one is read from the embedding cache only)",
    )
    parser.add_argument("--only", nargs="+", metavar="GROUP", help="run only these groups")
    parser.add_argument("--hidden", type=int, default=0, help="tier-1 head: 0 logistic regression, N an MLP of N units")
    parser.add_argument(
        "--no-lexical-feature",
        action="store_true",
        help="tier-1 head without tier 0's lexical-prior logit (embedding and rule score only)",
    )
    parser.add_argument(
        "--escalate-all",
        action="store_true",
        help="tier 0 never allows (every text it does not block goes to tier 1): what the gate costs",
    )
    parser.add_argument("--no-reference", action="store_true", help="skip the fold that holds nothing out")
    args = parser.parse_args()
    started = time.perf_counter()
    rules, bands = RuleSet.load(), Bands.load()
    corpus = load_corpus(args.train, args.dev, args.cache, rules, bands, args.encoder)
    print(f"{len(corpus.rows)} rows, {len(corpus.vectors)} windows ready in {time.perf_counter() - started:.0f} s",
          file=sys.stderr)  # fmt: skip
    groups = make_groups(corpus.rows)
    if args.only:
        unknown = set(args.only) - {g.name for g in groups}
        if unknown:
            parser.error(f"no such group: {', '.join(sorted(unknown))}; groups: {', '.join(g.name for g in groups)}")
        groups = [g for g in groups if g.name in args.only]
    variant = Variant(args.hidden, not args.no_lexical_feature, args.escalate_all)
    folds: list[Group | None] = ([] if args.no_reference else [None]) + groups
    results = []
    with tempfile.TemporaryDirectory(prefix="loso-") as tmp:
        for k, group in enumerate(folds, 1):
            result = run_fold(corpus, group, rules, bands, variant, Path(tmp))
            print(f"fold {k}/{len(folds)} {result['group']}: recall {result['recall']} fpr {result['fpr']} "
                  f"({result['seconds']} s)", file=sys.stderr, flush=True)  # fmt: skip
            results.append(result)
    totals = summary([r for r in results if r["kind"] != "reference"])
    seconds = round(time.perf_counter() - started, 1)
    sys.stdout.write(describe(results, totals))
    print(f"run time {seconds:.0f} s")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        head = f"MLP, {args.hidden} hidden units" if args.hidden else "logistic regression"
        args.json.write_text(json.dumps({
            "protocol": "leave one group out of train+dev; learn on train minus it, choose tier 1's allow_below "
                        f"on dev minus it (benign FPR <= {TARGET_FPR:.0%}), score the group (tiers 0 and 1)",
            "relearned_per_fold": ["tier 0 lexical prior (and 5 out-of-fold priors for the head)",
                                   "tier 0 signature store",
                                   f"tier 1 head ({head}: embedding, lexical logit, rule score; no exemplar banks)",
                                   "tier 1 allow_below"],
            "fixed": ["rules", "normalisation", "embedding model", "tier 0 bands", "tier 2 (not run)"],
            "variant": {"lexical_feature": variant.lexical_feature, "escalate_all": variant.escalate_all},
            "groups": results, **totals, "seconds": seconds,
        }, indent=1) + "\n", encoding="utf-8")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
