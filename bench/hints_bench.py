"""Benchmark of the TUI's live hints: prints figures, asserts nothing.

    .venv/bin/python bench/hints_bench.py [--runs 200]

Live hints run on every pause in typing: parse the editor's YAML and critique it
with the rules engine (``tui.hints.compute_hints``). Target: under 50 ms for a
draft of 5 objectives and 20 key results. The set mixes strong and weak key
results so most rules fire. Also timed: the same draft with one character changed
per run (what typing does), and the whole in-app refresh — hints plus redrawing
the critique panel — in a headless Textual app at 80x24.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.app import bootstrap  # noqa: E402
from assistant.io import read_text, write_sets  # noqa: E402
from assistant.services import drafts  # noqa: E402
from tui.hints import compute_hints  # noqa: E402

KRS = [
    "Raise week-1 activation from 32% to 50% by 31 Mar 2026",
    "Launch the new onboarding flow",
    "Significantly improve customer satisfaction",
    "Grow MRR to $80k and NPS to 45",
    "Cut median time to first dashboard from 3 days to 1 day",
    "Keep sign-ups from 100 to 102 this quarter",
    "Reduce change failure rate from 18% to 10%",
    "Implement a robust, world-class monitoring stack",
]
TITLES = [
    "Make onboarding effortless for new customers",
    "Increase revenue by 20%",
    "Maintain our support quality",
    "Give every team a fast, boring release pipeline",
    "Become the obvious choice for mid-size retailers in every region we sell to today",
]


def draft_text() -> str:
    """5 objectives × 4 key results, as the editor shows it."""
    lines = ["name: Bench team", "owner: Dana", "objectives:"]
    for oi, title in enumerate(TITLES):
        lines += [f"- title: {title}", "  key_results:"]
        lines += [f"  - {KRS[(oi * 4 + k) % len(KRS)]} (team {oi + 1})" for k in range(4)]
    text = "\n".join(lines) + "\n"
    okr_set = read_text(text, "bench.yaml", "yaml")[0]
    assert len(okr_set.objectives) == 5
    assert sum(len(o.key_results) for o in okr_set.objectives) == 20
    return write_sets([okr_set], "yaml")


def timed(fn, runs: int) -> list[float]:
    samples = []
    for i in range(runs):
        start = time.perf_counter()
        fn(i)
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def report(label: str, samples: list[float]) -> None:
    ordered = sorted(samples)
    p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)]
    print(
        f"{label:<44} median {statistics.median(samples):6.2f} ms   "
        f"p95 {p95:6.2f} ms   max {max(samples):6.2f} ms   (n={len(samples)})"
    )


async def in_app(text: str, runs: int) -> dict[str, list[float]]:
    """Hints + critique panel redraw inside a headless app (what a pause in typing costs):
    typing inside a key result (the same findings, cards updated in place), and an edit
    that makes findings come and go (cards mounted and removed)."""
    from tui.app import create_app
    from tui.screens.editor import EditorScreen

    edits = {
        "typing inside a KR": lambda i: text.replace(
            "onboarding flow (team 1)", f"onboarding flow{'x' * (i + 1)} (team 1)", 1
        ),
        "findings come and go": lambda i: text.replace(
            "Launch the new onboarding flow (team 1)",
            "Launch the new onboarding flow (team 1)"
            if i % 2
            else "Raise activation from 30% to 40% by 31 Mar 2026",
            1,
        ),
    }
    samples: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        okr_set = read_text(text, "bench.yaml", "yaml")[0]
        core = bootstrap(home)
        drafts.save(core.store, "bench", okr_set, "bench", author="b")
        app = create_app(core, target="bench")
        async with app.run_test(size=(80, 24)) as pilot:
            while not isinstance(app.screen, EditorScreen):
                await pilot.pause(0.01)
            editor = app.screen
            await pilot.pause(0.5)
            for label, edit in edits.items():
                samples[label] = []
                for i in range(runs):
                    editor.editor.load_text(edit(i))
                    start = time.perf_counter()
                    editor._sync_hints()
                    await editor._redraw_panel()
                    samples[label].append((time.perf_counter() - start) * 1000)
                    await pilot.pause()
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    text = draft_text()
    hints = compute_hints(text, "bench")
    print(
        f"draft: 5 objectives, 20 key results, {len(text.splitlines())} lines, "
        f"{len(hints.critique.findings)} findings"
    )
    report("compute_hints, same text (warm)", timed(lambda i: compute_hints(text), args.runs))
    report(
        "compute_hints, one character changed per run",
        timed(lambda i: compute_hints(text.replace("Dana", f"Dana{i}")), args.runs),
    )
    runs = max(10, args.runs // 10)
    for label, samples in asyncio.run(in_app(text, runs)).items():
        report(f"in-app hints + panel, {label}", samples)
    print("target: compute_hints under 50 ms")


if __name__ == "__main__":
    main()
