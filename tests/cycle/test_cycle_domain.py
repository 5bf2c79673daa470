"""Cycle math (SPEC §7): dates from labels, progress, expected, status, grades, flags."""

from __future__ import annotations

from datetime import date

import pytest

from assistant.domain.cycle import (
    Plan,
    PlanObjective,
    Track,
    ValueProblem,
    cycle_dates,
    expected,
    grade_colour,
    plan_for,
    progress,
    read_value,
    resolve_dates,
    round_grade,
    status_of,
    track_for,
)
from assistant.domain.cycle_status import Checkin, CycleInfo, build_status, grade_krs
from assistant.errors import UsageError
from assistant.model import KeyResult, Objective, OKRSet


def _track(text: str, **fields: object) -> Track:
    return track_for("O1.KR1", "O1", KeyResult(text=text, **fields))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("label", "norm", "start", "end"),
    [
        ("2026-Q1", "2026-Q1", date(2026, 1, 1), date(2026, 3, 31)),
        ("2026-Q2", "2026-Q2", date(2026, 4, 1), date(2026, 6, 30)),
        ("2026-Q3", "2026-Q3", date(2026, 7, 1), date(2026, 9, 30)),
        ("2026-q4", "2026-Q4", date(2026, 10, 1), date(2026, 12, 31)),
        ("Q1 2026", "2026-Q1", date(2026, 1, 1), date(2026, 3, 31)),
        ("2026-H1", "2026-H1", date(2026, 1, 1), date(2026, 6, 30)),
        ("2026-H2", "2026-H2", date(2026, 7, 1), date(2026, 12, 31)),
        ("2026", "2026", date(2026, 1, 1), date(2026, 12, 31)),
        ("2026-03", "2026-03", date(2026, 3, 1), date(2026, 3, 31)),
        ("2024-02", "2024-02", date(2024, 2, 1), date(2024, 2, 29)),  # leap year
        ("2026-2", "2026-02", date(2026, 2, 1), date(2026, 2, 28)),
    ],
)
def test_dates_from_every_label_form(label: str, norm: str, start: date, end: date) -> None:
    dates = cycle_dates(label)
    assert (dates.label, dates.start, dates.end) == (norm, start, end)


@pytest.mark.parametrize("label", ["2026-Q5", "2026-H3", "2026-13", "sprint 7", "", "Q1"])
def test_bad_labels_are_usage_errors(label: str) -> None:
    with pytest.raises(UsageError):
        cycle_dates(label)


def test_start_and_end_override_the_label_and_allow_custom_cycles() -> None:
    d = resolve_dates("2026-Q1", end=date(2026, 3, 15))
    assert (d.start, d.end) == (date(2026, 1, 1), date(2026, 3, 15))
    custom = resolve_dates("sprint-7", date(2026, 5, 4), date(2026, 5, 15))
    assert custom.label == "sprint-7"
    assert (
        resolve_dates(None, date(2026, 5, 4), date(2026, 5, 15)).label == "2026-05-04..2026-05-15"
    )
    with pytest.raises(UsageError, match="before it starts"):
        resolve_dates(None, date(2026, 5, 4), date(2026, 5, 1))
    with pytest.raises(UsageError, match="--cycle"):
        resolve_dates(None)


def test_expected_is_the_elapsed_share_at_the_end_of_the_day() -> None:
    start, end = date(2026, 1, 1), date(2026, 3, 31)  # 90 days
    assert expected(start, end, date(2025, 12, 31)) == 0.0
    assert expected(start, end, date(2026, 1, 1)) == pytest.approx(1 / 90)
    assert expected(start, end, date(2026, 2, 14)) == pytest.approx(45 / 90)
    assert expected(start, end, end) == 1.0
    assert expected(start, end, date(2026, 5, 1)) == 1.0


def test_progress_of_an_increasing_metric() -> None:
    t = _track("Raise week-1 activation from 32% to 50% by 31 Mar 2026")
    assert (t.mode, t.baseline, t.target, t.unit) == ("metric", 32, 50, "%")
    assert progress(t, read_value(t, "41%")) == pytest.approx(0.5)
    assert progress(t, read_value(t, "41")) == pytest.approx(0.5)  # the KR's unit implied
    assert progress(t, 20) == 0.0  # clamped below
    assert progress(t, 70) == 1.0  # clamped above


def test_progress_of_a_decreasing_metric() -> None:
    t = _track("Cut median time-to-first-dashboard from 3 days to 1 day")
    assert (t.baseline, t.target, t.unit) == (3, 1, "days")
    assert progress(t, read_value(t, "2 days")) == pytest.approx(0.5)
    assert progress(t, read_value(t, "36 hours")) == pytest.approx(0.75)  # converted
    assert progress(t, 4) == 0.0
    assert progress(t, 0.5) == 1.0
    latency = _track("Reduce p95 latency from 900ms to 300 ms")
    assert progress(latency, read_value(latency, "600 ms")) == pytest.approx(0.5)


def test_structured_fields_win_and_money_and_multipliers_read_like_kr_text() -> None:
    t = _track("Cut onboarding time", baseline=3, target=1, unit="day")
    assert (t.mode, t.baseline, t.target, t.unit) == ("metric", 3, 1, "days")
    arr = _track("Grow ARR from $800k to $1.2M")
    assert progress(arr, read_value(arr, "$1M")) == pytest.approx(0.5)
    doubled = _track("Double weekly active users from 1,000")
    assert (doubled.baseline, doubled.target) == (1000, 2000)


def test_done_and_fraction_krs() -> None:
    t = _track("Publish the status page")
    assert t.mode == "fraction"
    assert read_value(t, "done") == 1.0
    assert read_value(t, "not done") == 0.0
    assert read_value(t, "0.4") == pytest.approx(0.4)
    assert read_value(t, "40%") == pytest.approx(0.4)
    assert progress(t, 0.4) == pytest.approx(0.4)
    with pytest.raises(ValueProblem, match="fraction 0–1"):
        read_value(t, "3")
    hires = _track("Hire 3 engineers")  # a count of new things starts at 0 (SPEC §4)
    assert (hires.mode, hires.baseline, hires.target) == ("metric", 0, 3)


def test_unit_mismatch_and_non_numbers_are_clear_errors() -> None:
    t = _track("Raise week-1 activation from 32% to 50%")
    with pytest.raises(ValueProblem, match="is in 'days' but the KR is in '%'"):
        read_value(t, "3 days")
    with pytest.raises(ValueProblem, match="not a number"):
        read_value(t, "soon")
    money = _track("Grow ARR from $800k to $1.2M")
    with pytest.raises(ValueProblem, match="'%'"):
        read_value(money, "41%")
    assert read_value(_track("Move NPS from -10 to 20"), "-5") == -5


def test_a_ratio_kr_takes_a_ratio_a_percentage_or_a_fraction_and_reads_back_as_written() -> None:
    from assistant.render.status import kr_value

    t = _track("Grow trial-to-paid conversion from 1 in 12 to 1 in 8 by 31 Mar 2026")
    assert t.unit == "ratio"
    for typed in ("1 in 10", "10%", "0.1"):
        assert read_value(t, typed) == pytest.approx(0.1), typed
    assert progress(t, 0.1) == pytest.approx(0.4)
    assert [kr_value(v, t) for v in (t.baseline, 0.1, t.target)] == ["1 in 12", "1 in 10", "1 in 8"]
    assert (kr_value(0.09, t), kr_value(0.6, t)) == ("9%", "60%")  # no "1 in 1.7"
    with pytest.raises(ValueProblem, match=r"\(e\.g\. 1 in 8\)"):
        read_value(t, "2 apples")
    percent = _track("Raise conversion from 8% to 12%")
    assert read_value(percent, "1 in 10") == pytest.approx(10)


@pytest.mark.parametrize(
    ("progress_", "expected_", "confidence", "status"),
    [
        (None, None, None, "no-data"),
        (0.5, 0.55, None, "on-track"),  # within 0.10 of expected
        (0.5, 0.55, 6, "at-risk"),  # SPEC §7's example: medium confidence
        (0.5, 0.55, 7, "on-track"),
        (0.44, 0.55, 9, "at-risk"),  # more than 0.10 behind
        (0.30, 0.55, 9, "at-risk"),  # exactly 0.25 behind: still at risk
        (0.29, 0.55, 9, "off-track"),  # more than 0.25 behind
        (0.9, 0.5, 3, "off-track"),  # ahead, but the owner does not believe it
        (0.9, 0.5, 4, "at-risk"),
        (1.0, 0.5, 2, "on-track"),  # target reached
    ],
)
def test_status_thresholds(
    progress_: float | None, expected_: float | None, confidence: int | None, status: str
) -> None:
    assert status_of(progress_, expected_, confidence) == status


@pytest.mark.parametrize(
    ("value", "grade", "colour"),
    [
        (0.0, 0.0, "red"),
        (0.25, 0.3, "red"),  # halves round up
        (0.349, 0.3, "red"),
        (0.35, 0.4, "yellow"),
        (0.6, 0.6, "yellow"),
        (0.64, 0.6, "yellow"),
        (0.65, 0.7, "green"),
        (0.95, 1.0, "green"),
        (1.0, 1.0, "green"),
        (1 / 3, 0.3, "red"),
        (2 / 3, 0.7, "green"),
    ],
)
def test_grade_rounding_and_colours(value: float, grade: float, colour: str) -> None:
    assert round_grade(value) == grade
    assert grade_colour(round_grade(value)) == colour
    assert grade_colour(None) is None


def _plan() -> Plan:
    okr_set = OKRSet(
        name="T",
        objectives=[
            Objective(
                title="Stretch",
                type="aspirational",
                key_results=[
                    KeyResult(text="Raise activation from 30% to 50%"),
                    KeyResult(text="Raise retention from 60% to 70%"),
                ],
            ),
            Objective(
                title="Keep promises",
                type="committed",
                key_results=[
                    KeyResult(text="Cut p95 latency from 900 ms to 300 ms"),
                    KeyResult(text="Publish the status page"),
                    KeyResult(text="Cut tickets from 100 to 50"),
                ],
            ),
        ],
    )
    return plan_for(okr_set)


def test_plan_keeps_ids_titles_and_types() -> None:
    plan = _plan()
    assert [t.id for t in plan.tracks] == ["O1.KR1", "O1.KR2", "O2.KR1", "O2.KR2", "O2.KR3"]
    assert plan.objectives[0] == PlanObjective("O1", "Stretch", "aspirational")
    assert plan.tracks[2].type == "committed"
    assert Plan.from_json(plan.as_json()) == plan
    with pytest.raises(UsageError, match="unknown key result 'O3.KR1'"):
        plan.track("O3.KR1")
    assert plan.track("o1.kr2").id == "O1.KR2"


def test_grading_rolls_up_and_flags() -> None:
    plan = _plan()
    info = CycleInfo(1, "T", "2026-Q1", date(2026, 1, 1), date(2026, 3, 31), 1, "open")
    checkins = [
        Checkin("O1.KR1", date(2026, 2, 1), 45, 8, id=1),
        Checkin("O1.KR1", date(2026, 3, 30), 50, 9, id=2),  # supersedes
        Checkin("O1.KR2", date(2026, 3, 30), 71, 9, id=3),
        Checkin("O2.KR1", date(2026, 3, 30), 420, 7, id=4),
        Checkin("O2.KR2", date(2026, 3, 30), 1.0, 10, id=5),
    ]
    status = build_status(info, plan, checkins, date(2026, 4, 2))
    grades = grade_krs(status)
    assert grades == {"O1.KR1": 1.0, "O1.KR2": 1.0, "O2.KR1": 0.8, "O2.KR2": 1.0, "O2.KR3": None}
    closed = CycleInfo(1, "T", "2026-Q1", info.start, info.end, 1, "graded", graded_at="x")
    graded = build_status(closed, plan, checkins, date(2026, 4, 2), grades)
    by_id = {kr.track.id: kr for kr in graded.key_results}
    assert "committed-below-1.0" in by_id["O2.KR1"].flags
    assert {"never-checked-in", "committed-below-1.0"} <= set(by_id["O2.KR3"].flags)
    assert "done-or-not-only" in by_id["O2.KR2"].flags
    assert graded.objectives[0].flags == ("aspirational-all-1.0",)
    assert graded.objectives[0].grade == 1.0
    assert graded.objectives[1].grade == 0.9  # mean(0.8, 1.0); the KR never checked in has none
    assert graded.grade == 1.0  # mean(1.0, 0.9) = 0.95 → 1.0
    assert graded.as_of == date(2026, 3, 31)


def test_status_supersedes_same_day_and_calls_out_stale_krs() -> None:
    plan = _plan()
    info = CycleInfo(1, "T", "2026-Q1", date(2026, 1, 1), date(2026, 3, 31), 1, "open")
    checkins = [
        Checkin("O1.KR1", date(2026, 2, 1), 35, 5, id=1),
        Checkin("O1.KR1", date(2026, 2, 1), 40, 7, id=2),
        Checkin("O1.KR2", date(2026, 2, 20), 62, 5, id=3),
    ]
    status = build_status(info, plan, checkins, date(2026, 2, 25))
    kr1, kr2 = status.key_results[0], status.key_results[1]
    assert len(kr1.points) == 1 and kr1.value == 40 and kr1.confidence == 7
    assert kr1.stale and kr1.days_since_update == 24
    assert not kr2.stale and kr2.confidence_trend is None
    assert status.key_results[2].status == "no-data" and status.key_results[2].stale
    assert kr1.expected == pytest.approx(32 / 90)
    assert kr1.expected_now == pytest.approx(56 / 90)
    assert status.objectives[0].progress == pytest.approx((0.5 + 0.2) / 2)
