"""Precision and recall of the rules engine on the hand-labelled data in tests/data.

    python bench/labelled_bench.py            # per-code table + micro-F1
    python bench/labelled_bench.py --misses   # also every wrong or missing finding
    python bench/labelled_bench.py --json

Three files, one labelling (tests/data/LABELLING.md): key results alone in a set with no
cycle (labelled_krs.yaml), objective titles (labelled_objectives.yaml) and whole sets in
context (labelled_sets.yaml: cycles, several objectives, team files for duplicates).
tests/unit/test_labelled.py asserts a floor on the same figures.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.domain.evaluation import Tally  # noqa: E402
from assistant.model import KeyResult, Objective, OKRSet  # noqa: E402
from assistant.rubric.critic import critique_sets  # noqa: E402
from assistant.rubric.engine import kr_findings, objective_findings  # noqa: E402

DATA = ROOT / "tests" / "data"


@dataclass(frozen=True)
class Label:
    """One labelled target: where it is, its text, and the codes a coach gives it."""

    where: str
    text: str
    codes: frozenset[str]


@dataclass
class Result:
    per_code: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    misses: list[tuple[str, str, list[str], list[str]]] = field(default_factory=list)
    targets: int = 0

    def add(self, label: Label, got: set[str]) -> None:
        self.targets += 1
        for code in got | label.codes:
            hit = code in got and code in label.codes
            one = Tally(tp=1) if hit else Tally(fp=1) if code in got else Tally(fn=1)
            self.per_code[code] = self.per_code[code] + one
        if got != label.codes:
            extra, missing = sorted(got - label.codes), sorted(label.codes - got)
            self.misses.append((label.where, label.text, extra, missing))

    @property
    def micro(self) -> Tally:
        return sum(self.per_code.values(), Tally())


def _load(name: str) -> list:
    return yaml.safe_load((DATA / name).read_text(encoding="utf-8"))


def evaluate_krs(result: Result) -> None:
    for i, item in enumerate(_load("labelled_krs.yaml"), start=1):
        found = kr_findings(KeyResult(text=item["text"]), "O1.KR1", OKRSet(name="eval"))
        label = Label(f"krs#{i}", item["text"], frozenset(item["codes"]))
        result.add(label, {f.code for f in found})


def objective_of(item: dict) -> Objective:
    """The labelled objective with its own key results, or two neutral ones."""
    krs = item.get("key_results") or ["a", "b"]
    return Objective(title=item["title"], key_results=[KeyResult(text=t) for t in krs])


def evaluate_objectives(result: Result) -> None:
    for i, item in enumerate(_load("labelled_objectives.yaml"), start=1):
        found = objective_findings(objective_of(item), "O1")
        label = Label(f"objectives#{i}", item["title"], frozenset(item["codes"]))
        result.add(label, {f.code for f in found})


SETS = "labelled_sets.yaml"


def labelled_files(name: str = SETS) -> list[tuple[list[OKRSet], list[dict]]]:
    """The labelled sets of ``name`` (labelled_sets.yaml or a holdout in its format)
    grouped into files (sets sharing `file` are one team file)."""
    files: dict[str, list[dict]] = {}
    for i, entry in enumerate(_load(name), start=1):
        files.setdefault(entry.get("file") or f"set-{i}", []).append(entry)
    out = []
    for source, entries in files.items():
        sets = [
            OKRSet(
                name=e["name"],
                cycle=e.get("cycle"),
                source=f"{source}.yaml",
                index=index,
                objectives=[
                    Objective(
                        title=o["title"],
                        key_results=[KeyResult(text=k["text"]) for k in o["key_results"]],
                    )
                    for o in e["objectives"]
                ],
            )
            for index, e in enumerate(entries, start=1)
        ]
        out.append((sets, entries))
    return out


def evaluate_sets(result: Result, name: str = SETS) -> None:
    for sets, entries in labelled_files(name):
        report = critique_sets(sets)
        for okr_set, critique, entry in zip(sets, report.sets, entries, strict=True):
            got: dict[str, set[str]] = defaultdict(set)
            for f in critique.findings:
                got[f.target].add(f.code)
            where = f"{name} {okr_set.source}#{okr_set.index}"
            result.add(
                Label(f"{where} SET", entry["name"], frozenset(entry.get("codes", []))), got["SET"]
            )
            for oi, o in enumerate(entry["objectives"], start=1):
                oid = f"O{oi}"
                result.add(Label(f"{where} {oid}", o["title"], frozenset(o["codes"])), got[oid])
                for ki, k in enumerate(o["key_results"], start=1):
                    kid = f"{oid}.KR{ki}"
                    result.add(Label(f"{where} {kid}", k["text"], frozenset(k["codes"])), got[kid])


def evaluate() -> Result:
    result = Result()
    evaluate_krs(result)
    evaluate_objectives(result)
    evaluate_sets(result)
    return result


def counts() -> dict[str, int]:
    """How big the labelled data is: key results and objectives across the three files."""
    sets = _load(SETS)
    return {
        "key_results": len(_load("labelled_krs.yaml"))
        + sum(len(o["key_results"]) for s in sets for o in s["objectives"]),
        "objectives": len(_load("labelled_objectives.yaml"))
        + sum(len(s["objectives"]) for s in sets),
        "sets": len(sets),
        "domains": len({s["domain"] for s in sets}),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--misses", action="store_true", help="print every mismatch")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = evaluate()
    size = counts()
    if args.json:
        rows = {
            code: {"tp": t.tp, "fp": t.fp, "fn": t.fn, "precision": t.precision, "recall": t.recall}
            for code, t in sorted(result.per_code.items())
        }
        print(json.dumps({"size": size, "codes": rows, "micro_f1": result.micro.f1}, indent=2))
        return
    print(
        f"{size['key_results']} key results, {size['objectives']} objectives, "
        f"{size['sets']} sets in {size['domains']} domains; {result.targets} targets scored"
    )
    print(f"{'code':<17} {'tp':>4} {'fp':>4} {'fn':>4} {'prec':>6} {'recall':>6} {'f1':>6}")
    for code, t in sorted(result.per_code.items()):
        print(
            f"{code:<17} {t.tp:>4} {t.fp:>4} {t.fn:>4} "
            f"{t.precision:>6.3f} {t.recall:>6.3f} {t.f1:>6.3f}"
        )
    m = result.micro
    print(
        f"{'micro':<17} {m.tp:>4} {m.fp:>4} {m.fn:>4} {m.precision:>6.3f} {m.recall:>6.3f} {m.f1:>6.3f}"
    )
    if args.misses:
        for where, text, extra, missing in result.misses:
            print(f"  {where}: {text!r}  extra={extra} missing={missing}")


if __name__ == "__main__":
    main()
