"""Lessons computed from a graded cycle, and the LESSON-… findings they put on the next draft."""

from __future__ import annotations

from datetime import date

from assistant.domain.cycle import plan_for
from assistant.domain.cycle_status import Checkin, CycleInfo, CycleStatus, build_status, grade_krs
from assistant.domain.lessons import Lesson, compute_lessons, lesson_findings
from assistant.io import read_text
from assistant.rubric.critic import critique_set

LAST = """name: Growth
objectives:
  - title: Become the obvious choice for small teams
    type: aspirational
    key_results:
      - Raise trial-to-paid conversion from 10% to 12%
      - Grow weekly active teams from 400 to 420
  - title: Win back the trust of enterprise buyers
    type: aspirational
    key_results:
      - Raise enterprise NPS from 20 to 25
      - Cut onboarding calls from 10 to 9
  - title: Ship what we promised
    type: committed
    key_results:
      - Improve the billing experience significantly
      - Publish the security whitepaper
"""


def _graded() -> CycleStatus:
    okr_set = read_text(LAST, "last.yaml")[0]
    plan = plan_for(okr_set)
    info = CycleInfo(1, "Growth", "2026-Q1", date(2026, 1, 1), date(2026, 3, 31), 1, "open")
    day = date(2026, 3, 31)
    checkins = [
        Checkin("O1.KR1", day, 12, 9, id=1),
        Checkin("O1.KR2", day, 430, 9, id=2),
        Checkin("O2.KR1", day, 25, 8, id=3),
        Checkin("O2.KR2", day, 9, 8, id=4),
        Checkin("O3.KR1", day, 0.2, 8, id=5),  # confident all along, then 0.2
    ]
    grades = grade_krs(build_status(info, plan, checkins, day))
    closed = CycleInfo(1, "Growth", "2026-Q1", info.start, info.end, 1, "graded", graded_at="x")
    return build_status(closed, plan, checkins, day, grades)


def test_lessons_from_a_graded_cycle() -> None:
    status = _graded()
    findings = [("KR-VAGUE", "O3.KR1"), ("KR-NO-NUMBER", "O3.KR2"), ("KR-LOW-AMBITION", "O1.KR1")]
    lessons = {lesson.code: lesson for lesson in compute_lessons(status, findings)}
    assert set(lessons) == {
        "LESSON-CALIBRATION",
        "LESSON-MISSED-COMMITMENT",
        "LESSON-SANDBAGGING",
        "LESSON-NEVER-UPDATED",
        "LESSON-NO-BASELINE",
        "LESSON-FINDING-PREDICTED",
    }
    assert "both aspirational objectives graded 1.0" in lessons["LESSON-SANDBAGGING"].message
    assert lessons["LESSON-CALIBRATION"].krs == ("O3.KR1",)
    assert lessons["LESSON-MISSED-COMMITMENT"].krs == ("O3.KR1", "O3.KR2")
    assert lessons["LESSON-NEVER-UPDATED"].krs == ("O3.KR2",)
    assert lessons["LESSON-NO-BASELINE"].krs == ("O3.KR1", "O3.KR2")
    assert lessons["LESSON-FINDING-PREDICTED"].codes == ("KR-VAGUE",)
    for lesson in lessons.values():
        assert Lesson.from_json(lesson.as_json()) == lesson


def test_lessons_become_findings_on_the_next_draft_where_they_apply() -> None:
    lessons = compute_lessons(_graded(), [("KR-VAGUE", "O3.KR1")])
    nxt = read_text(
        LAST.replace("from 10% to 12%", "from 12% to 20%").replace(
            "Publish the security whitepaper",
            "Publish the security whitepaper and the SOC 2 report",
        )
        + "  - title: Hire well\n    key_results:\n      - Hire 3 engineers\n      - Make support kinder\n",
        "next.yaml",
    )[0]
    own = critique_set(nxt).findings
    found = lesson_findings(nxt, lessons, own)
    by = {(f.code, f.target) for f in found}
    assert ("LESSON-SANDBAGGING", "O1.KR1") in by and ("LESSON-SANDBAGGING", "O2.KR2") in by
    assert ("LESSON-NO-BASELINE", "O4.KR2") in by  # "Make support kinder" has no number
    assert ("LESSON-NO-BASELINE", "O4.KR1") not in by  # "Hire 3 engineers" starts at 0
    assert ("LESSON-MISSED-COMMITMENT", "O3.KR2") in by
    assert ("LESSON-NEVER-UPDATED", "O3.KR2") in by  # same KR as the one never checked in
    assert ("LESSON-FINDING-PREDICTED", "O3.KR1") in by  # KR-VAGUE again
    assert ("LESSON-SANDBAGGING", "O4.KR1") not in by  # not aspirational, nothing similar
    texts = {kr_id: kr.text for kr_id, _, kr in nxt.iter_key_results()}
    for f in found:
        assert f.source == "lessons" and f.code.startswith("LESSON-")
        assert f.evidence == texts[f.target]  # quotes the KR it is about
        assert f.line is not None


def test_a_cycle_without_lessons_adds_nothing() -> None:
    okr_set = read_text(LAST, "x.yaml")[0]
    assert lesson_findings(okr_set, []) == []


def test_a_lesson_goes_to_the_kr_that_measures_the_same_thing_not_one_phrased_alike() -> None:
    """ "Lift onboarding CSAT from 71% to 85% by end of Q1" shares "from … to … by end of"
    with last cycle's churn KR and nothing it measures: the churn lesson is not its."""
    from assistant.model import KeyResult, Objective, OKRSet

    churn = "Reduce first-90-day churn from 9% to 6% by end of March 2026"
    lesson = Lesson(
        code="LESSON-NEVER-UPDATED",
        message="In 2026-Q1 1 KR was never checked in (O2.KR2).",
        krs=("O2.KR2",),
        texts=(churn,),
        label="2026-Q1",
    )
    okr_set = OKRSet(
        name="Growth",
        cycle="2026-Q2",
        objectives=[
            Objective(
                title="Keep the customers we win",
                key_results=[
                    KeyResult(text="Lift onboarding CSAT from 71% to 85% by end of Q2 2026"),
                    KeyResult(text="Cut first 90 day churn from 6% to 4% by end of June 2026"),
                    KeyResult(text="Raise week-1 activation from 32% to 50% by end of June 2026"),
                ],
            )
        ],
    )
    found = lesson_findings(okr_set, [lesson])
    assert [(f.target, f.code) for f in found] == [("O1.KR2", "LESSON-NEVER-UPDATED")]
    assert f"A similar KR last cycle: '{churn}'" in found[0].message
