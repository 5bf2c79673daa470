"""SPEC §10: confidence in check-ins scored as forecasts of graded cycles."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from assistant.domain.calibration import (
    OVERCONFIDENT,
    UNDERCONFIDENT,
    Forecast,
    calibrate,
    calibration_lessons,
    forecasts_of,
    kr_owners,
    owner_of,
    succeeded,
    verdict_of,
)
from assistant.domain.cycle import plan_for
from assistant.domain.cycle_status import Checkin, CycleInfo, CycleStatus, build_status
from assistant.io.readers import parse

TEAM = """\
name: Growth
owner: Dana
cycle: 2026-Q1
objectives:
  - title: Win the mid-market
    owner: Ana
    key_results:
      - Raise week-1 activation from 32% to 50%
      - Cut churn from 5% to 3%
      - Grow NPS from 30 to 45
  - title: Keep the lights on
    type: committed
    key_results:
      - text: Keep uptime from 99.0% to 99.9%
        owner: Li
      - Cut p95 latency from 900 ms to 400 ms
"""


def graded(
    grades: dict[str, float | None], confidences: dict[str, list[int | None]], cycle_id: int = 1,
    draft: str = "Growth", label: str = "2026-Q1",
) -> CycleStatus:  # fmt: skip
    okr_set = parse(TEAM, "growth.yaml", "yaml")[0]
    info = CycleInfo(cycle_id, draft, label, date(2026, 1, 1), date(2026, 3, 31), 1, "graded")
    checkins = [
        Checkin(
            kr, date(2026, 1, 5) + timedelta(days=7 * i), 0.0, confidence, id=100 * cycle_id + i
        )
        for kr, given in confidences.items()
        for i, confidence in enumerate(given)
    ]
    return build_status(info, plan_for(okr_set), checkins, date(2026, 4, 2), grades)


OWNERS = kr_owners(parse(TEAM, "growth.yaml", "yaml")[0])


def test_owner_is_the_krs_else_the_objectives_else_the_sets() -> None:
    assert OWNERS == {"O1.KR1": "Ana", "O1.KR2": "Ana", "O1.KR3": "Ana",
                      "O2.KR1": "Li", "O2.KR2": "Dana"}  # fmt: skip
    assert owner_of(None, None, None) == "unassigned"
    assert owner_of("  Li  ", "Ana", "Dana") == "Li"


def test_the_example_of_spec_10_ana_said_9_on_three_krs_that_failed() -> None:
    status = graded(
        {"O1.KR1": 0.3, "O1.KR2": 0.5, "O1.KR3": 0.0, "O2.KR1": 1.0, "O2.KR2": None},
        {"O1.KR1": [9, 9, 9], "O1.KR2": [9, 9, 9], "O1.KR3": [9, 9, 9]},
    )
    result = calibrate(forecasts_of(status, OWNERS))
    assert result.as_json() == {
        "version": 1,
        "by": "owner",
        "groups": [{"owner": "Ana", "forecasts": 9, "krs": 3, "cycles": 1,
                    "brier": 0.81, "bias": 0.9, "verdict": "over-confident"}],
    }  # fmt: skip


def test_success_is_1_for_committed_and_0_7_for_aspirational() -> None:
    assert succeeded(1.0, "committed") and not succeeded(0.9, "committed")
    assert succeeded(0.7, "aspirational") and succeeded(0.7, None)  # aspirational by default
    assert not succeeded(0.6, None)
    # O2 is committed: 0.9 failed; O1 is aspirational by default: 0.7 succeeded.
    status = graded({"O1.KR1": 0.7, "O2.KR1": 0.9}, {"O1.KR1": [6], "O2.KR1": [8]})
    outcomes = {f.kr: (f.p, f.outcome) for f in forecasts_of(status, OWNERS)}
    assert outcomes == {"O1.KR1": (0.6, 1), "O2.KR1": (0.8, 0)}


def test_checkins_without_confidence_and_ungraded_krs_give_no_forecast() -> None:
    status = graded({"O1.KR1": 0.7, "O1.KR2": None}, {"O1.KR1": [None, 7, None]})
    assert [(f.kr, f.p) for f in forecasts_of(status, OWNERS)] == [("O1.KR1", 0.7)]
    open_cycle = CycleStatus(
        CycleInfo(2, "Growth", "2026-Q2", date(2026, 4, 1), date(2026, 6, 30), 1, "open"),
        date(2026, 5, 1), status.key_results, status.objectives, None, "no-data",
    )  # fmt: skip
    assert forecasts_of(open_cycle, OWNERS) == []  # only graded cycles are scored


def _forecasts(owner: str, pairs: list[tuple[int, int]], cycle: int = 1) -> list[Forecast]:
    return [
        Forecast("Growth", f"C{cycle}", cycle, f"O1.KR{i % 3 + 1}", owner, c / 10, o, "text")
        for i, (c, o) in enumerate(pairs)
    ]


@pytest.mark.parametrize(
    ("pairs", "brier", "bias", "verdict"),
    [
        ([(9, 0)] * 9, 0.81, 0.9, "over-confident"),
        ([(2, 1)] * 5, 0.64, -0.8, "under-confident"),
        ([(8, 1), (8, 1), (8, 1), (8, 1), (2, 0)], 0.04, -0.12, "calibrated"),
        ([(9, 0)] * 4, 0.81, 0.9, "too few"),
        # bias exactly 0.15 is not over 0.15: p = 0.95 mean vs o = 0.8
        ([(10, 1)] * 4 + [(10, 0)] + [(9, 1)] * 4 + [(9, 0)], None, 0.15, "calibrated"),
    ],
)  # fmt: skip
def test_brier_bias_and_verdict(
    pairs: list[tuple[int, int]], brier: float | None, bias: float, verdict: str
) -> None:
    group = calibrate(_forecasts("Ana", pairs)).groups[0]
    if brier is not None:
        assert group.brier == pytest.approx(brier)
    assert group.bias == pytest.approx(bias)
    assert group.verdict == verdict


def test_the_edges_of_the_verdicts() -> None:
    assert verdict_of(5, 0.15) == "calibrated"
    assert verdict_of(5, 0.95 - 0.8) == "calibrated"  # 0.1499999… or 0.1500…01 alike
    assert verdict_of(5, 0.151) == "over-confident"
    assert verdict_of(5, -0.15) == "calibrated"
    assert verdict_of(5, -0.151) == "under-confident"
    assert verdict_of(4, 0.9) == "too few"


def test_grouping_by_owner_and_by_draft_across_cycles() -> None:
    forecasts = [
        *_forecasts("Li", [(5, 1)] * 2, cycle=1),
        *_forecasts("unassigned", [(5, 0)], cycle=1),
        *_forecasts("ana", [(7, 1)] * 3, cycle=2),
        *[Forecast("Platform", "C3", 3, "O1.KR1", "Li", 0.9, 0) for _ in range(3)],
    ]
    by_owner = calibrate(forecasts)
    assert [(g.name, g.forecasts, g.krs, g.cycles) for g in by_owner.groups] == [
        ("ana", 3, 3, 1), ("Li", 5, 3, 2), ("unassigned", 1, 1, 1),
    ]  # fmt: skip
    by_draft = calibrate(forecasts, by="draft")
    assert by_draft.as_json()["groups"][0]["draft"] == "Growth"
    assert [(g.name, g.forecasts, g.cycles) for g in by_draft.groups] == [
        ("Growth", 6, 2), ("Platform", 3, 1),
    ]  # fmt: skip


def test_lessons_for_owners_whose_verdict_says_so() -> None:
    status = graded(
        {"O1.KR1": 0.3, "O1.KR2": 0.2, "O1.KR3": 0.1, "O2.KR1": 1.0, "O2.KR2": 1.0},
        {"O1.KR1": [9, 9], "O1.KR2": [8, 9], "O1.KR3": [9],
         "O2.KR1": [6, 5], "O2.KR2": [1, 2, 2, 1, 2]},
    )  # fmt: skip
    cycle = forecasts_of(status, OWNERS)
    calibration = calibrate(cycle)
    verdicts = {g.name: g.verdict for g in calibration.groups}
    assert verdicts == {"Ana": "over-confident", "Dana": "under-confident", "Li": "too few"}
    lessons = calibration_lessons(calibration, cycle)
    assert [(lesson.code, lesson.krs) for lesson in lessons] == [
        (OVERCONFIDENT, ("O1.KR1", "O1.KR2", "O1.KR3")),
        (UNDERCONFIDENT, ("O2.KR2",)),
    ]
    ana = lessons[0]
    assert ana.texts[0] == "Raise week-1 activation from 32% to 50%"
    assert ana.label == "2026-Q1"
    assert ana.message.startswith(
        "In 2026-Q1 Ana's confidence was over-confident (bias +0.88, Brier 0.78 over 5 forecasts"
    )
    assert "averaged 8.8/10 while 0% of those forecasts came true" in ana.message
    assert ana.as_json()["code"] == "LESSON-OVERCONFIDENT"


def test_lessons_use_the_owners_whole_record() -> None:
    # Li was too few in this cycle alone, over-confident over two graded cycles.
    earlier = _forecasts("Li", [(9, 0)] * 4, cycle=1)
    status = graded({"O2.KR1": 0.0}, {"O2.KR1": [9]}, cycle_id=2)
    now = forecasts_of(status, OWNERS)
    assert calibration_lessons(calibrate(now), now) == []
    lessons = calibration_lessons(calibrate([*earlier, *now]), now)
    assert [(lesson.code, lesson.krs) for lesson in lessons] == [(OVERCONFIDENT, ("O2.KR1",))]
    assert "over 5 forecasts in 2 graded cycles" in lessons[0].message
