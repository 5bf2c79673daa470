"""Drafting from an idea: the guided interview and what a draft comes back with.

The interview is a state machine with no I/O: ``question()`` says what the coach
asks next, ``answer(text)`` checks the reply with the rules (``drafting_checks``)
and either moves on or asks a follow-up. The order is SPEC §8: the outcome (the
objective), then per key result the metric, where it is today, where it should be
and by when. A terminal, an answers file (``ScriptedAnswers``) or the TUI's form all
drive the same machine, so they ask the same questions and compose the same text.

Numbers are never made up: an answer that is not a number leaves ``[baseline]``,
``[target]`` or ``[deadline]`` in the text and an open question for the person.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Literal, Protocol

from assistant.domain.drafting_checks import (
    Check,
    Direction,
    check_deadline,
    check_metric,
    check_objective,
    check_target,
    compose_kr,
    composed_findings,
    read_number,
)
from assistant.model import KeyResult, Objective, OKRSet, Rewrite, RunUsage, Scores, SetCritique

Field = Literal["objective", "metric", "baseline", "target", "deadline"]
FIELDS: tuple[Field, ...] = ("objective", "metric", "baseline", "target", "deadline")
KR_FIELDS: tuple[Field, ...] = ("metric", "baseline", "target", "deadline")
MIN_KRS = 2
MAX_KRS = 5
MAX_FOLLOW_UPS = 2  # per answer: then the last answer (or a placeholder) is kept
OBJECTIVE_PLACEHOLDER = "[what you want to achieve]"
SOURCE_INTERVIEW = "draft:interview"
SOURCE_LLM = "draft:llm"


# --- answers --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    """One reply, with the line of the answers file it came from."""

    text: str
    line: int | None = None


@dataclass(frozen=True)
class KRAnswers:
    """The replies about one key result; each field holds the first answer, then the
    answers to the coach's follow-up questions."""

    metric: tuple[Answer, ...]
    baseline: tuple[Answer, ...] = ()
    target: tuple[Answer, ...] = ()
    deadline: tuple[Answer, ...] = ()
    line: int | None = None


@dataclass(frozen=True)
class Answers:
    """An answers file (SPEC §8): the objective, the key results, optional cycle and name."""

    objective: tuple[Answer, ...]
    key_results: tuple[KRAnswers, ...]
    cycle: str | None = None
    name: str | None = None
    source: str = ""


# --- questions and outcomes -----------------------------------------------------------------


@dataclass(frozen=True)
class Question:
    """What the coach asks: the field it fills, for which key result (0: the objective).
    A follow-up carries the rubric ``code`` that prompted it."""

    field: Field
    kr: int
    text: str
    follow_up: bool = False
    code: str | None = None
    optional: bool = False
    enter: str = ""  # what an empty reply means, for a terminal's hint

    @property
    def target(self) -> str:
        return "O1" if self.kr == 0 else f"O1.KR{self.kr}"


@dataclass(frozen=True)
class Turn:
    """One question, the reply and the verdict: the interview's transcript."""

    question: Question
    answer: str | None
    check: Check


@dataclass(frozen=True)
class OpenQuestion:
    """A question the draft still leaves open (a placeholder to fill, a vague word)."""

    text: str
    target: str | None = None
    line: int | None = None
    code: str | None = None


@dataclass(frozen=True)
class InventedNumber:
    """Numbers the model wrote that the person never did, and where they were replaced."""

    target: str
    tokens: tuple[str, ...]


@dataclass(frozen=True)
class DraftOutcome:
    """A first draft and what is known about it: the rules critique, the questions left
    open, numbers the guard replaced, whether the model revised it, what it cost."""

    okr_set: OKRSet
    critique: SetCritique
    engine: Literal["rules", "llm"]
    open_questions: tuple[OpenQuestion, ...] = ()
    invented: tuple[InventedNumber, ...] = ()
    revised: bool = False
    usage: RunUsage | None = None
    transcript: tuple[Turn, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def source(self) -> str:
        """The version source when it is saved (``okr log`` shows which coach drafted it)."""
        return SOURCE_LLM if self.engine == "llm" else SOURCE_INTERVIEW


@dataclass(frozen=True)
class Improvement:
    """Alternative wordings of one key result, each re-scored by the rules and sorted
    best first (``Rewrite.score_delta``: the change of the whole set's overall score)."""

    target: str
    text: str
    scores: Scores | None
    rewrites: tuple[Rewrite, ...]
    engine: Literal["rules", "llm"]
    usage: RunUsage | None = None


def rank_rewrites(rewrites: Iterable[Rewrite]) -> tuple[Rewrite, ...]:
    """Best first: the biggest gain for the whole set, then the best score of the KR."""
    return tuple(
        sorted(
            rewrites,
            key=lambda r: (
                -(r.score_delta or 0),
                -(r.scores.overall if r.scores is not None else 0),
            ),
        )
    )


@dataclass(frozen=True)
class InterviewResult:
    okr_set: OKRSet
    transcript: tuple[Turn, ...]
    open_questions: tuple[OpenQuestion, ...]


class Prompter(Protocol):
    """Who answers the coach: a terminal, an answers file, a form. ``None`` means no
    answer is available (the file has none): the interview moves on without it."""

    def ask(self, question: Question) -> Answer | str | None: ...


# --- the state machine ------------------------------------------------------------------------


@dataclass
class _KR:
    metric: str = ""
    direction: Direction | None = None
    baseline: str | None = None
    target: str | None = None
    deadline: str | None = None


_NEXT: dict[Field, Field] = {
    "objective": "metric",
    "metric": "baseline",
    "baseline": "target",
    "target": "deadline",
    "deadline": "metric",
}


@dataclass
class Interview:
    """The guided interview, one question at a time (see the module docstring)."""

    cycle: str | None = None
    name: str | None = None
    min_krs: int = MIN_KRS
    max_krs: int = MAX_KRS
    max_follow_ups: int = MAX_FOLLOW_UPS
    objective: str = ""
    key_results: list[str] = field(default_factory=list)
    transcript: list[Turn] = field(default_factory=list)
    open_questions: list[OpenQuestion] = field(default_factory=list)
    _field: Field | None = "objective"
    _kr: int = 0
    _current: _KR = field(default_factory=_KR)
    _metrics: list[str] = field(default_factory=list)
    _follow_ups: int = 0
    _last: str | None = None
    _last_line: int | None = None
    _last_check: Check | None = None
    _composed: Check | None = None
    _pending: Question | None = None

    def __post_init__(self) -> None:
        self._pending = self._fresh_question("objective")

    @property
    def done(self) -> bool:
        return self._field is None

    def question(self) -> Question | None:
        """The next question, or None when the interview is over."""
        return self._pending

    def answer(self, text: str | None, line: int | None = None) -> Check:
        """Check one reply to the current question and move on, or follow up.

        ``None`` means no answer is available (an answers file has none): the field
        keeps what it has (the last answer, or a placeholder) and the question stays
        open in the draft. An empty reply to a follow-up about a number or a date
        leaves its placeholder; repeating a reply keeps it despite a soft concern."""
        question = self._pending
        if self._field is None or question is None:
            raise RuntimeError("the interview is over")
        name = self._field
        if text is None:
            check = self._no_answer(question, line)
        elif not text.strip() and question.follow_up and name in ("baseline", "target", "deadline"):
            check = self._keep_open(question, self._last_check, line)
        else:
            check = self._check(name, text)
            repeated = self._last is not None and _same(text, self._last)
            if check.ok or (check.soft and repeated):
                self._accept(check.value if check.ok else check.value or _clean(text), check)
                check = replace(check, ok=True)  # kept as written; the rules will still say so
            elif self._follow_ups < self.max_follow_ups:
                self._follow_ups += 1
                self._last, self._last_line, self._last_check = text, line, check
                self._pending = Question(
                    name,
                    self._kr,
                    check.follow_up,
                    True,
                    check.code,
                    self._optional(name),
                    self._enter(name, follow_up=True),
                )
            else:
                self._last, self._last_line = text, line
                check = self._keep_open(question, check, line)
        if self._composed is not None:
            check = replace(
                check, composed=self._composed.composed, findings=self._composed.findings
            )
            self._composed = None
        self.transcript.append(Turn(question, text, check))
        return check

    def result(self) -> InterviewResult:
        """The set the answers so far make (one objective and its key results)."""
        objective = Objective(
            title=self.objective or OBJECTIVE_PLACEHOLDER,
            key_results=[KeyResult(text=text) for text in self.key_results],
        )
        okr_set = OKRSet(name=self.name, cycle=self.cycle, objectives=[objective])
        return InterviewResult(okr_set, tuple(self.transcript), tuple(self.open_questions))

    # --- internals -------------------------------------------------------------------------

    def _optional(self, name: Field) -> bool:
        """Whether Enter is a fine answer: finishing, the cycle, or "I don't know yet"."""
        if name == "metric":
            return self._kr > self.min_krs
        if name == "deadline":
            return bool(self.cycle)
        return name in ("baseline", "target")

    def _check(self, name: Field, text: str) -> Check:
        kr = self._current
        if name == "objective":
            return check_objective(text)
        if name == "metric":
            if not text.strip() and self._kr > self.min_krs:
                return Check(ok=True)  # Enter: no more key results
            return check_metric(text, self._metrics, self._kr)
        if name == "baseline":
            return read_number(text, role="baseline", metric=kr.metric)
        if name == "target":
            return check_target(text, metric=kr.metric, baseline=kr.baseline, hint=kr.direction)
        return check_deadline(
            text, metric=kr.metric, target=kr.target or "[target]", cycle=self.cycle
        )

    def _no_answer(self, question: Question, line: int | None) -> Check:
        if self._field == "metric" and not question.follow_up:
            self._end_of_key_results(line)
            return Check(ok=True)
        if self._field == "deadline" and self.cycle and not question.follow_up:
            self._accept("", None)  # the set's cycle is every KR's deadline
            return Check(ok=True)
        return self._keep_open(question, self._last_check, line)

    def _keep_open(self, question: Question, check: Check | None, line: int | None) -> Check:
        """Follow-ups used up (or no answer): words keep the last answer, numbers and
        dates a placeholder; the question is noted as open in the draft."""
        name = self._field
        value = check.value if check is not None and check.soft else ""
        if name == "metric" and not value:
            self._end_of_key_results(line)
            return check or Check(ok=False)
        text = check.follow_up if check is not None else self._missing(name)
        where = line if line is not None else self._last_line
        code = check.code if check is not None else question.code
        self.open_questions.append(OpenQuestion(text, question.target, where, code))
        self._accept(value or (OBJECTIVE_PLACEHOLDER if name == "objective" else ""), check)
        return check or Check(ok=False, follow_up=text, code=code)

    def _missing(self, name: Field | None) -> str:
        metric = self._current.metric
        return {
            "objective": "What outcome do you want to achieve?",
            "baseline": f"Where is {metric} today? Fill in [baseline].",
            "target": f"Where should {metric} be? Fill in [target].",
            "deadline": f"By when should {metric} be there? Fill in [deadline], or give the "
            "set a cycle.",
        }.get(name or "", "")

    def _end_of_key_results(self, line: int | None) -> None:
        if self._kr <= self.min_krs:
            self.open_questions.append(
                OpenQuestion(
                    f"An objective needs {self.min_krs}–{self.max_krs} key results: which "
                    "other measure would show it?",
                    "O1",
                    line,
                    "OBJ-KR-COUNT",
                )
            )
        self._field = None
        self._pending = None

    def _accept(self, value: str, check: Check | None) -> None:
        name = self._field
        kr = self._current
        if name == "objective":
            self.objective = value
        elif name == "metric":
            if not value:
                self._field = self._pending = None
                return
            kr.metric = value
            kr.direction = check.direction if check is not None else None
            self._metrics.append(value)
        elif name == "baseline":
            kr.baseline = value or None
        elif name == "target":
            kr.target = value or None
        elif name == "deadline":
            kr.deadline = value if (value or self.cycle) else None
            text = compose_kr(kr.metric, kr.baseline, kr.target, kr.deadline, kr.direction)
            self.key_results.append(text)
            self._composed = Check(
                ok=True, composed=text, findings=composed_findings(text, self.cycle)
            )
        self._advance()

    def _advance(self) -> None:
        name = self._field
        if name is None:
            return
        nxt: Field | None = _NEXT[name]
        if name in ("objective", "deadline"):
            self._kr += 1
            self._current = _KR()
            if self._kr > self.max_krs:
                nxt = None
        self._field = nxt
        self._follow_ups = 0
        self._last = self._last_line = self._last_check = None
        self._pending = self._fresh_question(nxt) if nxt else None

    def _fresh_question(self, name: Field) -> Question:
        kr = self._current
        if name == "objective":
            text = (
                "What outcome do you want to achieve? One short sentence, in words, no "
                "numbers (e.g. 'Make onboarding effortless for new customers')."
            )
        elif name == "metric":
            text = (
                "Which measure would show that you got there? (e.g. week-1 activation)"
                if self._kr == 1
                else "Which other measure would show it? (another key result)"
            )
        elif name == "baseline":
            text = f"Where is {kr.metric} today? (a number: 32%, 3 days, 120 tickets)"
        elif name == "target":
            text = f"Where should {kr.metric} be? (a number, in the same unit)"
        else:
            text = f"By when should {kr.metric} be at {kr.target or '[target]'}? (31 Mar 2026, Q2 2026)"
        return Question(
            name, self._kr, text, optional=self._optional(name), enter=self._enter(name)
        )

    def _enter(self, name: Field, follow_up: bool = False) -> str:
        """What an empty reply means for ``name`` right now ('' when it is not allowed)."""
        if name == "metric":
            return "finish" if self._kr > self.min_krs else ""
        if name == "deadline" and self.cycle:
            return f"the cycle, {self.cycle}"
        if name in ("baseline", "target", "deadline"):
            return f"leave [{name}]" if follow_up else "you don't know yet"
        return ""


def _clean(text: str) -> str:
    return " ".join(text.split())


def _same(a: str, b: str) -> bool:
    return _clean(a).casefold() == _clean(b).casefold()


class ScriptedAnswers:
    """Answers from a file: per field the first answer, then the follow-up answers in
    order; ``None`` once a field's list is used up."""

    def __init__(self, answers: Answers) -> None:
        self.answers = answers
        self._used: dict[tuple[str, int], int] = {}

    def ask(self, question: Question) -> Answer | None:
        key = (question.field, question.kr)
        index = self._used.get(key, 0)
        self._used[key] = index + 1
        if question.field == "objective":
            replies = self.answers.objective
        elif question.kr > len(self.answers.key_results):
            return None
        else:
            replies = getattr(self.answers.key_results[question.kr - 1], question.field)
        return replies[index] if index < len(replies) else None
