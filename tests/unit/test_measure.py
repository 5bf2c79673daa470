"""Measure extraction: what counts as a quantity, a baseline → target, and a deadline."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml

from assistant import measure
from assistant.measure import extract, is_date_only, patterns, relative_change
from assistant.measure.periods import LabelProblem, cycle_span, label_problem, outside
from assistant.measure.values import ValueNotRead, read_number


@pytest.mark.parametrize(
    ("text", "quantities"),
    [
        ("Raise activation from 32% to 50%", ["32%", "50%"]),
        ("Grow ARR to $1.2M", ["$1.2M"]),
        ("Sign €40k in new contracts", ["€40k"]),
        ("1 in 5 trial users converts", ["1 in 5"]),
        ("Get 3 out of 4 teams onto the new flow", ["3 out of 4"]),
        ("Double weekly active users", ["Double"]),
        ("Halve the p95 latency", ["Halve"]),
        ("Onboard ten new partners", ["ten"]),
        ("Onboard ten partners", ["ten partners"]),
        ("Reach 2,000 paying customers", ["2,000"]),
        ("Rating of 4.5/5 in the app store", ["4.5/5"]),
        ("Cut p95 latency to 300 ms", ["300 ms"]),
        ("Grow pipeline 3x", ["3x"]),
        ("Zero P1 incidents", ["Zero"]),
        ("Rank in the top 3, up from 11th", ["3", "11th"]),
    ],
)
def test_quantities_are_found_with_their_exact_text(text: str, quantities: list[str]) -> None:
    found = [q.text for q in extract(text).quantities]
    assert found == quantities
    for q in extract(text).quantities:
        assert text[q.start : q.end] == q.text


@pytest.mark.parametrize(
    "text",
    [
        "Ship v2 of the API",
        "Release v1.4.2 to customers",
        "Upgrade all laptops to Windows 11",
        "Evaluate GPT-4 for support triage",
        "Provide 24/7 support",
        "Agree the top 3 priorities with leadership",
        "Deliver the report by Q3",
        "Finish by 31 Mar 2026",
        "Done by 2026-03-31",
        "Complete in Q1 2026",
        "Adopt Python 3.12 everywhere",
        "Support HTTP/2 on the edge",
        "Enable two-factor authentication",
        "Hold 1:1s with every report",
        "Pass the SOC 2 audit",
        "Cut COVID-19 related delays",
        "Move data to S3 and EC2",
        "Grow B2B revenue",
        "Be the #1 planning tool",
    ],
)
def test_things_that_are_not_measures_do_not_count(text: str) -> None:
    assert extract(text).quantities == []


@pytest.mark.parametrize(
    ("text", "baseline", "target"),
    [
        ("Raise activation from 32% to 50% by Q3", 32, 50),
        ("Activation 32% → 50%", 32, 50),
        ("Activation 32%->50%", 32, 50),
        ("Reach 500 weekly users, up from 400", 400, 500),
        ("Cut time to first dashboard to 1 day (currently 3 days)", 3, 1),
        ("Grow signups over the Q2 level of 400 to 600", 400, 600),
        ("Retain 80% of users (baseline: 65%)", 65, 80),
        ("Lower the error rate to 0.5%, down from 2%", 2, 0.5),
        ("Raise win rate from 1 in 5 to 1 in 3", 0.2, 1 / 3),
        ("Grow ARR from $1.2M to $2M", 1_200_000, 2_000_000),
        ("Grow revenue from €40k to €90k", 40_000, 90_000),
    ],
)
def test_baseline_and_target_pairs(text: str, baseline: float, target: float) -> None:
    m = extract(text)
    assert m.baseline is not None and m.target is not None
    assert m.baseline.value == pytest.approx(baseline)
    assert m.target.value == pytest.approx(target)


def test_a_target_alone_has_no_baseline() -> None:
    m = extract("Reach 50% week-1 activation")
    assert m.baseline is None
    assert m.target is not None and m.target.value == 50


@pytest.mark.parametrize(
    ("text", "deadline"),
    [
        ("Ship by 31 Mar 2026", "31 Mar 2026"),
        ("Reach it by Q3", "Q3"),
        ("Reach it by June 30", "by June 30"),
        ("Reach it by end of March", "by end of March"),
        ("Reach it by 2026-06-30", "2026-06-30"),
        ("Reach it this quarter", "this quarter"),
        ("Reach it by March 2026", "by March 2026"),
        ("Reach it in H2 2026", "H2 2026"),
        ("Reach it by EOY", "EOY"),
        ("Reach it in the next 90 days", "in the next 90 days"),
        ("Reach it by next Friday", "by next Friday"),
        ("Reach it by FY26 Q2", "FY26 Q2"),
        ("Reach it by 03/31/2026", "03/31/2026"),
    ],
)
def test_deadlines(text: str, deadline: str) -> None:
    assert extract(text).deadline == deadline


@pytest.mark.parametrize(
    "text",
    [
        "Grow signups over the Q2 level of 400 to 600",
        "Activate within 7 days of signup: 20% to 35%",
        "Retain 80% of users in the first 30 days, up from 65%",
        "Grow MRR from $50k to $80k per month",
    ],
)
def test_baseline_periods_and_metric_windows_are_not_deadlines(text: str) -> None:
    assert extract(text).deadline is None


def test_a_quarter_or_date_alone_is_a_date_not_a_measure() -> None:
    assert is_date_only("Q3")
    assert is_date_only("31 Mar 2026")
    assert not is_date_only("50% by Q3")


@pytest.mark.parametrize(
    ("text", "value", "unit"),
    [
        ("Lower infra cost from $50k/month to $40k/month", 50_000, "$/month"),
        ("Grow revenue from €30k/mo to €45k/mo", 30_000, "€/month"),
        ("Handle 40/hour chats", 40, "/hour"),
        ("Raise ARPU from €20/user to €26/user", 20, "€/user"),
        ("Ship 50/day deployments", 50, "/day"),
        ("Grow pipeline 3x", 3, "x"),
        ("Cut handle time from 1h 10m to 45m", 70, "min"),
        ("Cut logo churn from 6 % to 4.0 %", 6, "%"),
    ],
)
def test_rates_durations_and_spaced_percentages_are_measures(
    text: str, value: float, unit: str
) -> None:
    first = extract(text).quantities[0]
    assert (first.value, first.unit) == (pytest.approx(value), unit)
    assert text[first.start : first.end] == first.text


def test_minutes_next_to_hours_are_not_millions() -> None:
    m = extract("Reduce mean time to restore from 1h 10m to 25m")
    assert m.baseline is not None and m.target is not None
    assert (m.baseline.value, m.target.value) == (70, 25)


def test_a_percentile_names_the_metric_and_is_not_a_target() -> None:
    m = extract("Reduce 95th percentile API latency to 300ms from 800ms")
    assert [q.text for q in m.quantities] == ["300ms", "800ms"]
    assert m.target is not None and m.target.value == 300


def test_spans_keep_brackets_balanced() -> None:
    text = "Raise uptime to 99.95% (currently 99.5%) by Q3"
    m = extract(text)
    assert m.baseline_span is not None
    assert text[slice(*m.baseline_span)] == "(currently 99.5%)"


@pytest.mark.parametrize(
    ("baseline", "target", "unit", "change"),
    [
        (99.5, 99.95, "%", 0.9),  # the downtime gap shrinks tenfold
        (91, 94.5, "%", 3.5 / 9),
        (80, 82, "%", 0.025),  # far from 100%: judged on the value
        (100, 102, "", 0.02),
    ],
)
def test_bounded_percentages_are_judged_on_the_remaining_gap(
    baseline: float, target: float, unit: str, change: float
) -> None:
    assert relative_change(baseline, target, unit, 90) == pytest.approx(change)


def test_a_very_long_text_is_read_up_to_the_scan_limit() -> None:
    from assistant.measure import SCAN_LIMIT

    text = " ".join(str(i % 997) for i in range(500_000))
    m = extract(text)
    assert m.truncated and m.quantities
    assert all(q.end <= SCAN_LIMIT and text[q.start : q.end] == q.text for q in m.quantities)
    assert not extract("Raise NPS from 30 to 45").truncated


# --- issue 21: negative numbers, periods as dates, check-in values ---------------------------


@pytest.mark.parametrize(
    ("text", "baseline", "target"),
    [
        ("Raise NPS from -10 to 15", -10, 15),
        ("Raise NPS from −10 to +15", -10, 15),  # a typographic minus
        ("Cut the monthly loss from -$2M to -$0.5M", -2_000_000, -500_000),
        ("Raise the review score from 8.1 to 8.8 out of 10", 8.1, 8.8),
    ],
)
def test_negative_numbers_and_decimals_keep_their_value(
    text: str, baseline: float, target: float
) -> None:
    m = extract(text)
    assert m.baseline is not None and m.target is not None
    assert (m.baseline.value, m.target.value) == (pytest.approx(baseline), pytest.approx(target))


@pytest.mark.parametrize("text", ["Cut COVID-19 delays", "Raise week-1 activation", "Grow x-5"])
def test_a_hyphen_inside_a_word_is_no_minus_sign(text: str) -> None:
    assert all(q.value >= 0 for q in extract(text).quantities)


@pytest.mark.parametrize(
    ("label", "normal", "first", "last"),
    [
        ("2026-Q1", "2026-Q1", date(2026, 1, 1), date(2026, 3, 31)),
        ("Q3 2026", "2026-Q3", date(2026, 7, 1), date(2026, 9, 30)),
        ("2026-H2", "2026-H2", date(2026, 7, 1), date(2026, 12, 31)),
        ("2026", "2026", date(2026, 1, 1), date(2026, 12, 31)),
        ("2024-02", "2024-02", date(2024, 2, 1), date(2024, 2, 29)),
    ],
)
def test_cycle_labels_are_periods(label: str, normal: str, first: date, last: date) -> None:
    assert cycle_span(label) == (normal, first, last)


@pytest.mark.parametrize("label", ["2026-Q9", "2026-Q0", "2026-H3", "2026-13", "Q5 2026"])
def test_a_label_shaped_like_a_period_that_does_not_exist_is_a_problem(label: str) -> None:
    problem = label_problem(label)
    assert problem is not None and label in problem
    with pytest.raises(LabelProblem):
        cycle_span(label)


def test_a_quarter_with_thousands_of_digits_is_a_problem_not_a_crash() -> None:
    label = "2026-Q" + "9" * 5000
    problem = label_problem(label)
    assert problem is not None and "a quarter is Q1–Q4" in problem
    assert len(problem) < 100


@pytest.mark.parametrize("label", ["FY26 Q2", "Sprint 12", "Spring launch", None, ""])
def test_free_cycle_labels_are_no_problem(label: str | None) -> None:
    assert label_problem(label) is None


@pytest.mark.parametrize(
    ("deadline", "out"),
    [
        ("31 Dec 2025", True),  # before a 2026-Q3 cycle starts
        ("30 Sep 2026", False),
        ("end of Q3", False),
        ("Q4", True),  # no year: read in the cycle's year
        ("March", True),
        ("by 31 Jan 2027", True),
        ("2026-08-15", False),
        ("09/30/2026", False),
        ("this quarter", False),  # no calendar period: never outside
        ("FY26 Q2", False),  # a fiscal year starts when the company says
        ("in the next 90 days", False),
    ],
)
def test_a_deadline_is_outside_the_cycle_when_its_last_day_is(deadline: str, out: bool) -> None:
    assert outside(deadline, date(2026, 7, 1), date(2026, 9, 30)) is out


@pytest.mark.parametrize(
    ("raw", "unit", "value"),
    [
        ("41", "%", 41),
        ("41%", "%", 41),
        ("$1.2M", "$", 1_200_000),
        ("-5", "", -5),
        ("−5", "", -5),
        ("36 hours", "days", 1.5),
        ("1,250", "", 1250),
        ("12 engineers", "", 12),  # the KR's own count noun
    ],
)
def test_check_in_values_read_like_kr_text(raw: str, unit: str, value: float) -> None:
    assert read_number(raw, unit, "Hire 12 support engineers") == pytest.approx(value)


@pytest.mark.parametrize(
    ("raw", "unit", "why"),
    [
        ("2 furlongs", "h", "'furlongs' is not a unit"),
        ("45 users", "%", "'users' is not a unit"),
        ("3 days", "%", "is in 'days' but the KR is in '%'"),
        ("9" * 400, "", "too large"),
        ("1" + "0" * 20, "", "too large"),
        ("soon", "", "not a number"),
        ("3 or 4", "", "more than one number"),
        ("double", "", "is relative"),
    ],
)
def test_check_in_values_that_do_not_convert_are_refused(raw: str, unit: str, why: str) -> None:
    with pytest.raises(ValueNotRead, match=why):
        read_number(raw, unit, "Raise hours saved from 10 to 20")


def _labelled_texts() -> list[str]:
    texts: list[str] = []
    for name in ("labelled_krs.yaml", "labelled_objectives.yaml"):
        items = yaml.safe_load((Path(__file__).parents[1] / "data" / name).read_text("utf-8"))
        texts += [item.get("text") or item["title"] for item in items]
    return texts


_FOLDED = {
    "dates": patterns.DATE_RE,
    "periods": patterns.PERIOD_RE,
    "non-measures": patterns.NON_MEASURE_RE,
    "quantities": measure._QUANTITY_RE,
}


@pytest.mark.parametrize("name", sorted(_FOLDED))
def test_a_folded_regex_finds_in_lower_case_what_the_original_finds_in_any_case(
    name: str,
) -> None:
    """Each key result and title as labelled, upper-cased and title-cased: the fast
    lower-case form on the lower-cased text matches the same spans as the pattern as
    written (a pattern edited so that they differ fails here, not in a user's report)."""
    folded = _FOLDED[name]
    for text in _labelled_texts():
        for variant in (text, text.upper(), text.title()):
            if not variant.isascii():
                continue
            scan, lower = folded.scan(variant)
            assert lower is folded.lower
            fast = [m.span() for m in lower.finditer(scan)]
            assert fast == [m.span() for m in folded.any_case.finditer(variant)], variant


def test_text_that_is_not_ascii_is_read_with_the_pattern_as_written() -> None:
    scan, pattern = patterns.DATE_RE.scan("Lancer en İstanbul by 31 March 2026")
    assert pattern is patterns.DATE_RE.any_case and scan.startswith("Lancer en İ")
    assert extract("Lancer en İstanbul by 31 March 2026").deadline == "31 March 2026"


def test_a_pattern_that_lower_case_would_change_is_refused() -> None:
    with pytest.raises(ValueError, match="not foldable"):
        patterns.CaseFolded(r"\bq\S+")
