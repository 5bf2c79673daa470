"""``okr eval --builtin``: the labelled set shipped in the package, and the rules on it.

The set is built from tests/data by scripts/build_eval_set.py; these tests check that
the shipped files are the ones it writes, that the conversion keeps every label in the
context it was given, and that the rules engine stays above its floor on it.
"""

from __future__ import annotations

import json
from collections import Counter

import yaml

from assistant.use_cases.evaluation import builtin_sets

from .conftest import ROOT, load_module, report

BUILD = load_module("scripts/build_eval_set.py")
BENCH = load_module("bench/labelled_bench.py")


def _labelled_codes() -> Counter[str]:
    """Every label of the labelled files of tests/data (holdouts included), per code."""
    data = ROOT / "tests" / "data"
    load = lambda name: yaml.safe_load((data / name).read_text(encoding="utf-8"))  # noqa: E731
    counts: Counter[str] = Counter()
    for item in [*load("labelled_krs.yaml"), *load("labelled_objectives.yaml")]:
        counts.update(item["codes"])
    holdouts = [p.name for p in sorted(data.glob("holdout_*.yaml"))]
    for entry in [e for name in ["labelled_sets.yaml", *holdouts] for e in load(name)]:
        counts.update(entry.get("codes", []))
        for objective in entry["objectives"]:
            counts.update(objective["codes"])
            for kr in objective["key_results"]:
                counts.update(kr["codes"])
    return counts


def test_the_shipped_builtin_set_is_the_one_the_script_builds_from_tests_data() -> None:
    shipped = {p.name: p.read_text(encoding="utf-8") for p in BUILD.OUT.glob("*.yaml")}
    assert shipped == BUILD.build(), "stale: run python scripts/build_eval_set.py"


def test_the_rules_engine_on_the_builtin_set_stays_above_its_floor(okr) -> None:
    scores = report(okr("eval", "--builtin", "--format", "json"))
    print(f"\nrules on --builtin: micro-F1 {scores['micro']['f1']} over {scores['labels']} labels")
    assert scores["engine"] == "rules" and scores["model"] is None
    assert scores["micro"]["f1"] >= 0.95, scores["micro"]
    assert scores["requests"] == 0 and scores["cost_usd"] == 0.0 and scores["dropped"] == 0
    assert scores["grounded"] == 1.0  # the rules quote the text exactly


def test_every_label_of_tests_data_is_in_the_builtin_set(okr) -> None:
    scores = report(okr("eval", "--builtin", "--format", "json"))
    expected = _labelled_codes()
    assert {code: row["labels"] for code, row in scores["codes"].items() if row["labels"]} == dict(
        expected
    )
    assert scores["labels"] == sum(expected.values())


def _builtin_tallies() -> dict:
    from assistant.domain.evaluation import RunFacts, ScoredSet, score
    from assistant.rubric.critic import critique_sets

    # bench/labelled_bench.py reads the three labelled files, not the holdouts
    sets = [s for s in builtin_sets() if not (s.source or "").startswith("builtin/holdout-")]
    critiques = critique_sets(sets).sets
    return score(
        [ScoredSet(s, c) for s, c in zip(sets, critiques, strict=True)], RunFacts("rules")
    ).codes


def test_each_target_keeps_the_context_it_was_labelled_in() -> None:
    """The rules find the same labels on the builtin files as bench/labelled_bench.py
    finds on tests/data (key results and objectives labelled alone, sets in context):
    packing the lone ones into sets added no context that changes what they get."""
    bench = BENCH.evaluate().per_code
    ours = _builtin_tallies()
    assert {c: (t.tp, t.fn) for c, t in ours.items() if t.tp or t.fn} == {
        c: (t.tp, t.fn) for c, t in bench.items() if t.tp or t.fn
    }


def test_the_packed_context_adds_no_false_positive() -> None:
    bench = BENCH.evaluate().per_code
    ours = _builtin_tallies()
    assert {c: t.fp for c, t in ours.items() if t.fp} == {c: t.fp for c, t in bench.items() if t.fp}


def test_no_two_key_results_of_a_packed_set_share_a_content_word() -> None:
    """What keeps a lone key result from (near-)duplicating its neighbours (an objective
    labelled with its own key results keeps them as they were)."""
    own = {
        item["title"]
        for item in yaml.safe_load((ROOT / "tests/data/labelled_objectives.yaml").read_text())
        if item.get("key_results")
    }
    packed = [s for s in builtin_sets() if (s.source or "").startswith("builtin/alone-")]
    assert len(packed) >= 20
    for okr_set in packed:
        seen: dict[str, tuple[str, str]] = {}
        for _kid, objective, kr in okr_set.iter_key_results():
            mine: dict[str, tuple[str, str]] = {}
            for word in BUILD.content_words(kr.text):
                other = seen.get(word)
                same_own = other is not None and other[0] == objective.title in own
                assert other is None or same_own, (okr_set.source, kr.text, other)
                mine[word] = (objective.title, kr.text)
            seen.update(mine)


def test_a_sample_is_spread_over_the_builtin_set_and_the_same_every_run(okr) -> None:
    from assistant.use_cases.evaluation import spread

    whole = builtin_sets()
    picked = spread(whole, 8)
    assert len(picked) == 8 and picked == spread(whole, 8)
    assert picked[0] is whole[0] and picked[-1] is not whole[7]  # spread, not the first 8
    assert spread(whole, len(whole) + 5) == whole
    full = json.loads(okr("eval", "--builtin", "--format", "json").stdout)
    sampled = json.loads(okr("eval", "--builtin", "--sample", "8", "--format", "json").stdout)
    assert 0 < sampled["labels"] < full["labels"]
