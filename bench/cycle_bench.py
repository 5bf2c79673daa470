"""Benchmark ``okr status`` with no DRAFT (every open cycle) and the HTML report size.
Prints figures; asserts nothing.

    python bench/cycle_bench.py [--drafts 200] [--krs 20] [--checkins 12]

Target (issue 13): 200 open cycles × 20 KRs × 12 check-ins in under 1 s; the HTML
report of one cycle under 300 KB. The store is seeded directly (one transaction), then
timed through the service + renderer in process and through the real CLI.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.domain.cycle import plan_for  # noqa: E402
from assistant.domain.cycle_status import Checkin  # noqa: E402
from assistant.model import KeyResult, Objective, OKRSet, Scores  # noqa: E402
from assistant.store import repo  # noqa: E402
from assistant.store.store import Store  # noqa: E402

START, END = date(2026, 1, 1), date(2026, 3, 31)
TODAY = date(2026, 3, 20)


def okr_set(i: int, krs: int) -> OKRSet:
    per = 5
    objectives = []
    for o in range(max(1, krs // per)):
        objectives.append(
            Objective(
                title=f"Make area {o + 1} of team {i} effortless",
                type="aspirational" if o % 2 else "committed",
                key_results=[
                    KeyResult(text=f"Raise metric {o}.{k} of team {i} from {10 + k}% to {40 + k}%")
                    for k in range(per)
                ],
            )
        )
    return OKRSet(name=f"team-{i:03d}", cycle="2026-Q1", objectives=objectives)


def seed(home: Path, drafts: int, krs: int, per_kr: int) -> None:
    rng = random.Random(13)
    stamp = repo.timestamp()
    scores = Scores(clarity=4, measurability=4, ambition=3, overall=72)
    store = Store.in_home(home)
    with store.unit_of_work() as uow:
        for i in range(drafts):
            s = okr_set(i, krs)
            draft = uow.drafts.create(s.name or "", stamp)
            uow.versions.append(draft, repo.canonical_json(s.content()), message="v1",
                                author="bench", source="manual", scores=scores,
                                created_at=stamp, expected_head=0)  # fmt: skip
            plan = plan_for(s)
            vid = uow.versions.id_of(draft.id, 1)
            assert vid is not None
            cycle_id = uow.cycles.insert(
                draft_id=draft.id, version_id=vid, label="2026-Q1", start=START, end=END,
                plan=plan.as_json(), findings=[], overall=72, launched_by="bench",
                launched_at=stamp,
            )  # fmt: skip
            for track in plan.tracks:
                for n in range(per_kr):
                    on = START + timedelta(days=6 * n + rng.randint(0, 3))
                    value = (track.baseline or 0) + rng.random() * ((track.target or 1) - (track.baseline or 0)) * (n + 1) / per_kr  # fmt: skip
                    uow.cycles.add_checkin(
                        cycle_id, Checkin(track.id, on, value, rng.randint(3, 9), "ok"),
                        raw=f"{value:.1f}%", author="bench", created_at=stamp,
                    )  # fmt: skip


def timed(fn, repeat: int = 5) -> float:
    runs = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - t0)
    return statistics.median(runs)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--drafts", type=int, default=200)
    parser.add_argument("--krs", type=int, default=20)
    parser.add_argument("--checkins", type=int, default=12)
    args = parser.parse_args()
    from assistant.render.status import render_status, render_team
    from assistant.services import cycle

    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        store = Store.in_home(home)
        t0 = time.perf_counter()
        seed(home, args.drafts, args.krs, args.checkins)
        total = args.drafts * args.krs * args.checkins
        print(f"seeded {args.drafts} open cycles × {args.krs} KRs × {args.checkins} check-ins "
              f"= {total:,} check-ins in {time.perf_counter() - t0:.1f}s")  # fmt: skip
        load = timed(lambda: cycle.team_status(store, TODAY))
        statuses = cycle.team_status(store, TODAY)
        text = timed(lambda: render_team(statuses, TODAY, "text"))
        as_json = timed(lambda: render_team(statuses, TODAY, "json"))
        print(f"in process: load + compute {load * 1000:.0f} ms · text table {text * 1000:.0f} ms"
              f" · json {as_json * 1000:.0f} ms")  # fmt: skip
        env = {**os.environ, "OKR_HOME": str(home)}
        for fmt in ("text", "json"):
            runs = []
            for _ in range(3):
                t0 = time.perf_counter()
                subprocess.run(
                    [sys.executable, "-c", "from assistant.cli import main; main()",
                     "status", "--format", fmt, "--as-of", str(TODAY)],
                    env=env, check=True, stdout=subprocess.DEVNULL, cwd=ROOT,
                )  # fmt: skip
                runs.append(time.perf_counter() - t0)
            print(f"`okr status --format {fmt}` (no DRAFT, whole CLI process): "
                  f"{statistics.median(runs):.2f} s (target < 1 s)")  # fmt: skip
        one = cycle.status(store, "team-000", TODAY)
        html = render_status(one, "html")
        print(f"HTML report of one cycle ({args.krs} KRs × {args.checkins} check-ins): "
              f"{len(html.encode()) / 1024:.0f} KB (target < 300 KB); "
              f"{html.count('<svg')} inline SVG charts, no external URL: "
              f"{'http' not in html}")  # fmt: skip


if __name__ == "__main__":
    main()
