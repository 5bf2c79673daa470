"""The offline guided interview: from answers files and a scripted prompter, the coach's
follow-up questions, the composed key results and the answers-file errors."""

from __future__ import annotations

import pytest

from assistant.domain.drafting import Interview, Question
from assistant.domain.drafting_checks import compose_kr, deadline_phrase
from assistant.errors import InputError
from assistant.io.answers import parse_answers, read_answers
from assistant.services.drafting import interview

GOOD = """\
objective: Make onboarding effortless for new customers
key_results:
  - metric: week-1 activation
    baseline: 32%
    target: 50%
    deadline: 31 Mar 2026
  - metric: median time to first dashboard
    baseline: 3 days
    target: 1
    deadline: 2026-03-31
"""


def texts(outcome) -> list[str]:
    return [kr.text for kr in outcome.okr_set.objectives[0].key_results]


def test_good_answers_compose_the_key_results_and_score_high(write) -> None:
    outcome = interview(read_answers(str(write("a.yaml", GOOD))))
    assert outcome.okr_set.objectives[0].title == "Make onboarding effortless for new customers"
    assert texts(outcome) == [
        "Raise week-1 activation from 32% to 50% by 31 Mar 2026",
        "Cut median time to first dashboard from 3 days to 1 day by 31 Mar 2026",
    ]
    assert outcome.critique.scores.overall >= 90
    assert outcome.open_questions == ()
    assert outcome.source == "draft:interview"
    # no follow-up was needed: one question per field
    assert not any(turn.question.follow_up for turn in outcome.transcript)


def test_a_vague_metric_triggers_a_follow_up_and_the_next_answer_is_used(write) -> None:
    text = GOOD.replace(
        "metric: week-1 activation", "metric: [better onboarding, week-1 activation]"
    )
    outcome = interview(read_answers(str(write("a.yaml", text))))
    follow_ups = [t.question for t in outcome.transcript if t.question.follow_up]
    assert [q.text for q in follow_ups] == [
        "'better onboarding' is not a measure yet: what would you count?"
    ]
    assert follow_ups[0].code == "KR-VAGUE"
    assert texts(outcome)[0] == "Raise week-1 activation from 32% to 50% by 31 Mar 2026"
    assert outcome.open_questions == ()


def test_a_vague_metric_without_a_follow_up_answer_stays_an_open_question(write) -> None:
    text = GOOD.replace("metric: week-1 activation", "metric: better onboarding")
    path = write("a.yaml", text)
    outcome = interview(read_answers(str(path)))
    [question] = outcome.open_questions
    assert question.text == "'better onboarding' is not a measure yet: what would you count?"
    assert (question.target, question.line, question.code) == ("O1.KR1", 3, "KR-VAGUE")
    assert texts(outcome)[0].startswith("Raise better onboarding from 32% to 50%")


def test_an_answer_with_no_number_leaves_a_placeholder_never_a_guess(write) -> None:
    text = GOOD.replace("baseline: 32%", "baseline: low")
    outcome = interview(read_answers(str(write("a.yaml", text))))
    assert texts(outcome)[0] == "Raise week-1 activation from [baseline] to 50% by 31 Mar 2026"
    [question] = outcome.open_questions
    assert question.text.startswith("'low' is not a number yet: where is week-1 activation today")
    assert (question.target, question.line, question.code) == ("O1.KR1", 4, "KR-NO-NUMBER")
    assert "[baseline]" in outcome.critique.findings[0].evidence or any(
        "[baseline]" in f.message for f in outcome.critique.findings
    )


def test_a_follow_up_answer_fills_the_number(write) -> None:
    text = GOOD.replace("baseline: 32%", "baseline: [low, about 32%]")
    outcome = interview(read_answers(str(write("a.yaml", text))))
    assert texts(outcome)[0] == "Raise week-1 activation from 32% to 50% by 31 Mar 2026"
    asked = [t.question.text for t in outcome.transcript if t.question.follow_up]
    assert asked and asked[0].startswith("'low' is not a number yet")


def test_the_objective_is_checked_with_the_objective_rules(write) -> None:
    text = GOOD.replace(
        "objective: Make onboarding effortless for new customers",
        "objective: [Grow revenue to 5M, Make buying effortless for small teams]",
    )
    outcome = interview(read_answers(str(write("a.yaml", text))))
    first = outcome.transcript[1].question
    assert first.follow_up and first.code == "OBJ-HAS-NUMBER"
    assert "'5M'" in first.text
    assert outcome.okr_set.objectives[0].title == "Make buying effortless for small teams"


def test_a_cycle_makes_the_deadline_optional_and_names_the_set(write) -> None:
    text = (
        "objective: Make onboarding effortless\ncycle: 2026-Q1\nname: Onboarding\nkey_results:\n"
        "  - {metric: week-1 activation, baseline: 32%, target: 50%}\n"
        "  - {metric: reduce support tickets per new account, baseline: 1.5, target: 0.5}\n"
    )
    outcome = interview(read_answers(str(write("a.yaml", text))))
    assert outcome.okr_set.cycle == "2026-Q1" and outcome.okr_set.name == "Onboarding"
    assert texts(outcome) == [
        "Raise week-1 activation from 32% to 50%",
        "Cut support tickets per new account from 1.5 to 0.5",
    ]
    assert outcome.open_questions == ()
    assert outcome.critique.scores.overall >= 90


def test_a_single_key_result_is_noted_as_too_few(write) -> None:
    text = GOOD.split("  - metric: median")[0]
    outcome = interview(read_answers(str(write("a.yaml", text))))
    assert [q.code for q in outcome.open_questions] == ["OBJ-KR-COUNT"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("- a\n- b\n", "a.yaml:1: expected a mapping with 'objective' and 'key_results'"),
        ("key_results: []\n", "a.yaml:1: 'objective' is required"),
        ("objective: x\n", "a.yaml:1: 'key_results' is required"),
        ("objective: x\nkey_results: []\n", "a.yaml:2: 'key_results' must be a non-empty list"),
        ("objective: x\nowner: me\nkey_results: [{metric: a}]\n", "a.yaml:2: unknown key 'owner'"),
        ("objective: x\nkey_results:\n  - baseline: 3\n", "a.yaml:3: key result 1 has no 'metric'"),
        (
            "objective: x\nkey_results:\n  - metric: a\n    goal: 4\n",
            "a.yaml:4: unknown key 'goal' in key result 1",
        ),
        (
            "objective: x\nkey_results:\n  - metric: a\n    target: yes\n",
            "a.yaml:4: 'target' must be text or a number",
        ),
        ("objective: x\nkey_results:\n  - Raise it\n", "a.yaml:3: key result 1 must be a mapping"),
        ("objective: [x\n", "a.yaml:2: invalid YAML"),
    ],
)
def test_answers_file_errors_are_located(text: str, message: str) -> None:
    with pytest.raises(InputError) as info:
        parse_answers(text, "a.yaml")
    assert str(info.value).startswith(message)


def test_more_than_five_key_results_is_an_input_error() -> None:
    items = "".join(f"  - metric: m{i}\n" for i in range(6))
    with pytest.raises(InputError, match=r"a.yaml:8: at most 5 key results"):
        parse_answers("objective: x\nkey_results:\n" + items, "a.yaml")


class Script:
    """A prompter that replies from a list and records every question."""

    def __init__(self, *replies: str) -> None:
        self.replies = list(replies)
        self.asked: list[Question] = []

    def ask(self, question: Question) -> str | None:
        self.asked.append(question)
        return self.replies.pop(0) if self.replies else None


def test_a_terminal_style_interview_ends_on_enter_after_two_key_results() -> None:
    script = Script(
        "Make self-serve buying effortless",
        "trial-to-paid conversion", "about 4%", "6%", "Q2 2026",
        "", "monthly self-serve revenue", "$120k", "$180k", "2026-06-30",
        "",
    )  # fmt: skip
    outcome = interview(script)
    assert texts(outcome) == [
        "Raise trial-to-paid conversion from 4% to 6% by Q2 2026",
        "Raise monthly self-serve revenue from $120k to $180k by 30 Jun 2026",
    ]
    # Enter on KR2's metric is not "finish" (2 KRs are needed): the coach asks again
    assert script.asked[6].follow_up and script.asked[6].kr == 2
    assert script.asked[-1].enter == "finish"
    assert outcome.open_questions == ()


def test_enter_twice_on_a_number_leaves_its_placeholder() -> None:
    script = Script("Make onboarding effortless", "week-1 activation", "", "", "50%", "Q1 2026")
    outcome = interview(script)
    assert texts(outcome)[0] == "Raise week-1 activation from [baseline] to 50% by Q1 2026"
    assert script.asked[3].follow_up and script.asked[3].enter == "leave [baseline]"


def test_repeating_an_answer_keeps_it_despite_a_soft_concern() -> None:
    machine = Interview()
    machine.answer("Make onboarding effortless")
    machine.answer("week-1 activation")
    machine.answer("32%")
    first = machine.answer("33%")
    assert not first.ok and first.code == "KR-LOW-AMBITION"
    again = machine.answer("33%")
    assert again.ok
    nxt = machine.question()
    assert nxt is not None and nxt.field == "deadline"


def test_a_lower_target_cuts_and_a_placeholder_direction_follows_the_metric() -> None:
    assert compose_kr("p95 latency", "900 ms", "300", "by Q3 2026") == (
        "Cut p95 latency from 900 ms to 300 ms by Q3 2026"
    )
    assert compose_kr("monthly churn", None, None, None) == (
        "Cut monthly churn from [baseline] to [target] by [deadline]"
    )
    assert compose_kr("weekly active teams", None, "400", None).startswith("Raise weekly")
    assert deadline_phrase("2026-03-31") == "by 31 Mar 2026"
    assert deadline_phrase("end of June") == "by end of June"
    assert deadline_phrase("in 3 months") == "in 3 months"


def test_the_interview_stops_after_five_key_results() -> None:
    replies = ["Make onboarding effortless"]
    for i in range(6):
        replies += [f"metric number {'abcdef'[i]}", "10", "20", "Q2 2026"]
    outcome = interview(Script(*replies))
    assert len(texts(outcome)) == 5
