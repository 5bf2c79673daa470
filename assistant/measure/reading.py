"""What a key result measures, read once: metric, direction, baseline, target, unit, deadline.

Every rule of the rubric, the cycle math (progress, status, grade), drafting, duplicates
and lessons take this one reading (SPEC §4), so they cannot disagree about a key result:

- **direction**: ``increase`` or ``decrease`` (from the numbers when both are known, else
  from the verb, else from the kind of metric), ``hold-at-least`` / ``hold-at-most`` for a
  guardrail ("Keep CSAT at or above 90% (currently 92%)"), ``done`` for a milestone with
  no number;
- **baseline** and **target** in one **unit** ("from 2 hours to 30 minutes" is 120 → 30
  min), negative numbers included (NPS −10); a count of new things ("Publish 40 new
  articles", "Hire 2 engineers") starts from an implicit 0;
- **said** and **moved**: what the words ask for and what the numbers do, which
  ``KR-DIRECTION`` compares ("Cut response time from 2 hours to 4 hours").
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal, Protocol

from assistant.measure import Measures, Quantity, _blanked, extract, scan_end
from assistant.measure import units as unit_names
from assistant.measure.patterns import one_of

Direction = Literal["increase", "decrease", "hold-at-least", "hold-at-most", "done"]
DIRECTIONS: tuple[Direction, ...] = (
    "increase",
    "decrease",
    "hold-at-least",
    "hold-at-most",
    "done",
)
Way = Literal["up", "down"]
Move = Literal["up", "down", "same"]

_LEAD = re.compile(
    r"^\s*(?:[-*•]\s*)?(?:(?:we|i)\s+will\s+|to\s+|successfully\s+|fully\s+|"
    r"(?:kr\s*\d*\s*[:.)-]\s*))*",
    re.IGNORECASE,
)
_WORD = re.compile(r"[A-Za-z][A-Za-z'-]*")

# The lead verb says which way the key result wants its number to go.
UP_VERBS = frozenset(
    "increase increases raise raises grow grows lift lifts boost boosts expand expands double "
    "doubles triple triples quadruple accelerate maximise maximize multiply climb".split()
)
DOWN_VERBS = frozenset(
    "reduce reduces cut cuts decrease decreases lower lowers shrink shrinks halve halves drop "
    "shorten shortens trim trims slash slashes minimise minimize lose eliminate "
    "decrease".split()
)
# Two-word verbs: "bring down", "push up", "cut down".
_PHRASAL = {("bring", "down"): "down", ("drive", "down"): "down", ("push", "down"): "down",
            ("bring", "up"): "up", ("push", "up"): "up", ("drive", "up"): "up",
            ("speed", "up"): None, ("cut", "down"): "down", ("scale", "up"): "up"}  # fmt: skip
HOLD_VERBS = frozenset(
    "keep keeps maintain maintains hold holds stay stays remain remains sustain sustains "
    "preserve preserves protect protects".split()
)
# Guardrail thresholds: the side of the number the value must stay on.
_AT_LEAST = (
    r"at\s+or\s+above|at\s+least|above|over|no\s+less\s+than|not\s+less\s+than|not\s+below|"
    r"a\s+minimum\s+of|minimum\s+of|min\.?|≥|>=|>"
)
_AT_MOST = (
    r"at\s+or\s+below|at\s+or\s+under|at\s+most|below|under|no\s+more\s+than|not\s+more\s+than|"
    r"not\s+above|not\s+exceeding|not\s+to\s+exceed|within|a\s+maximum\s+of|maximum\s+of|"
    r"max\.?|less\s+than|fewer\s+than|≤|<=|<"
)
# The first characters of the thresholds: a one-step test before their alternation,
# which is tried at every character of the text before the number.
_THRESHOLD_FIRST = r"(?=[abflmnouw≥≤<>])"
_BEFORE_RE = re.compile(
    _THRESHOLD_FIRST + rf"(?:(?P<least>{_AT_LEAST})|(?P<most>{_AT_MOST}))\s*(?:the\s+)?[~≈]?\s*$",
    re.IGNORECASE,
)
# Verbless thresholds ("Uptime at or above 99.9%") need a comparator that says "hold":
# "Revenue over $2M" is a target, "Churn at most 2%" a guardrail.
_STRONG_RE = re.compile(
    r"(?=[an≥≤<>])"  # the first characters, tested first (see _THRESHOLD_FIRST)
    r"(?:at\s+or\s+(?:above|below|under)|at\s+(?:least|most)|no\s+(?:more|less|fewer)\s+than|"
    r"not\s+(?:more|less|fewer)\s+than|not\s+(?:below|above|exceeding)|never\s+(?:below|above)|"
    r"≥|≤|>=|<=)\s*(?:the\s+)?[~≈]?\s*$",
    re.IGNORECASE,
)
_AFTER_RE = re.compile(
    r"^\s*(?:or\s+(?:more|higher|above|better|greater)(?P<least>)"
    r"|or\s+(?:less|fewer|lower|below|under)(?P<most>))\b",
    re.IGNORECASE,
)
# Metrics where less is better: the direction when only a target is known.
LOWER_IS_BETTER_RE = re.compile(
    r"\b(?:churn|latency|(?<!on[- ])(?<!in[- ])time|times|duration|cost|costs|spend|errors?|"
    r"error\s+rate|incidents?|defects?|bugs?|complaints?|wait|waiting|downtime|outages?|"
    r"backlog|attrition|turnover|bounce|abandonment|delays?|mttr|p9\d|failures?|escalations?|"
    r"refunds?|returns?|cac|lead\s+time|cycle\s+time|drop-?off|crash(?:es)?|"
    r"vulnerabilit(?:y|ies)|debt|burn|losses|waste|emissions|readmissions?|absences?|"
    r"absenteeism|injur(?:y|ies)|accidents?|overdue|late|tickets?\s+per)\b",
    re.IGNORECASE,
)
# A count of new things: these verbs, a count right after, and the count starts at 0.
NEW_THING_VERBS = frozenset(
    "hire recruit onboard sign win close add publish launch open ship release write produce "
    "create build host run hold deliver acquire land book secure enrol enroll certify train "
    "graduate welcome attract plant fund install deploy translate record film print complete "
    "finish send feature earn gain collect organise organize attend interview read visit "
    "meet mentor coach teach donate design develop run hire".split()
)
_MEASURED_AFTER_RE = re.compile(
    r"^\s*(?:km|kms|kilomet(?:er|re)s?|miles?|mi|kg|kilos?|lbs?|steps|laps|met(?:er|re)s?|m)\b",
    re.IGNORECASE,
)
_NEW_AFTER_RE = re.compile(r"^\s*(?:[\w-]+\s+){0,2}?new\b", re.IGNORECASE)
_RATE_AFTER_RE = re.compile(
    r"^\s*(?:[\w-]+\s+){0,3}?(?:a|an|per|each|every)\s+(?:day|week|month|quarter|year|night|"
    r"sprint|shift)\b|^\s*/",
    re.IGNORECASE,
)
_COUNT_KINDS = ("number", "word")
_METRIC_STOP = frozenset(
    "a an the of to by for in on at from and our we our its their with up down".split()
)


class ReadsAsKR(Protocol):
    """What a key result is to the reading: its text and optional structured fields."""

    text: str
    baseline: float | None
    target: float | None
    unit: str | None
    deadline: str | None


@dataclass(frozen=True, slots=True)
class KRReading:
    """The one reading of a key result (see the module docstring)."""

    text: str
    metric: str
    direction: Direction
    baseline: float | None
    target: float | None
    unit: str
    deadline: str | None
    implicit_baseline: bool = False  # a count of new things: the baseline 0 is not written
    said: Way | None = None  # what the words ask for
    moved: Move | None = None  # what the numbers do, baseline → target
    stated_baseline: bool = False  # a starting value is written (text or field)
    stated_target: bool = False  # a target is written (text or field), maybe relative
    comparable: bool = True  # baseline and target share a scale (not "10% → $5k")
    words: int = 0
    truncated: bool = False  # longer than the part the rules read
    measures: Measures = field(default_factory=Measures, compare=False, repr=False)

    @property
    def guardrail(self) -> bool:
        return self.direction in ("hold-at-least", "hold-at-most")

    @property
    def has_number(self) -> bool:
        return self.measures.has_quantity or self.stated_target or self.stated_baseline

    @property
    def has_baseline(self) -> bool:
        """A starting value is known: written, or the implicit 0 of new things."""
        return self.stated_baseline or self.implicit_baseline

    @property
    def contradicts(self) -> bool:
        """The words and the numbers disagree ("Cut … from 2 hours to 4 hours")."""
        return self.said is not None and self.moved in ("up", "down") and self.said != self.moved

    @property
    def tracked(self) -> bool:
        """Whether the cycle can measure it by its number (else: a fraction 0–1 / done)."""
        if self.guardrail:
            return self.target is not None
        return (
            self.baseline is not None
            and self.target is not None
            and self.comparable
            and self.baseline != self.target
            and not self.contradicts
        )


def read(kr: ReadsAsKR) -> KRReading:
    """The reading of a key result (cached per text and structured fields)."""
    if kr.baseline is None and kr.target is None and kr.unit is None and kr.deadline is None:
        return read_kr(kr.text)  # one cache entry per text, whoever asks
    return read_kr(kr.text, kr.baseline, kr.target, kr.unit, kr.deadline)


@lru_cache(maxsize=32768)
def read_kr(
    text: str,
    baseline: float | None = None,
    target: float | None = None,
    unit: str | None = None,
    deadline: str | None = None,
) -> KRReading:
    """The reading of key-result text plus its structured fields (they win over the text)."""
    m = extract(text)
    start = _LEAD.match(text)
    at = start.end() if start else 0
    verb, verb_end, said = _lead_verb(text, at)
    base_q, target_q = m.baseline, m.target
    stated_target = target is not None or target_q is not None
    stated_baseline = baseline is not None or base_q is not None
    b, t, u, comparable = _numbers(base_q, target_q, baseline, target, unit)
    metric = _metric(text, m, verb_end if said or verb in _ANY_VERB else at)
    moved: Move | None = None
    if b is not None and t is not None and comparable:
        moved = "up" if t > b else "down" if t < b else "same"
    direction = _direction(
        text, m, verb, said, metric, b if comparable else None, t, target_q, verb_end
    )
    implicit = False
    if direction in ("increase", "done") and b is None and t is not None and target_q is not None:
        implicit = _new_things(text, target_q, verb, verb_end)
        if implicit:
            b, direction = 0.0, "increase"
    if direction in ("hold-at-least", "hold-at-most") and moved in ("up", "down") and t is not None:
        assert b is not None
        wrong = b < t if direction == "hold-at-least" else b > t
        if wrong:  # you cannot keep what you do not have: it is a move
            direction = "increase" if moved == "up" else "decrease"
    return KRReading(
        text=text,
        metric=metric,
        direction=direction,
        baseline=b,
        target=t,
        unit=u,
        deadline=deadline or m.deadline,
        implicit_baseline=implicit,
        said=said,
        moved=moved,
        stated_baseline=stated_baseline,
        stated_target=stated_target,
        comparable=comparable,
        words=len(text.split()),
        truncated=scan_end(text) < len(text),
        measures=m,
    )


def _lead_verb(text: str, at: int) -> tuple[str, int, Way | None]:
    """The first word (lower case), where it ends, and the way it asks the number to go."""
    first = _WORD.match(text, at)
    if first is None:
        return "", at, None
    verb = first.group(0).lower()
    end = first.end()
    second = _WORD.match(text, end + 1) if text[end : end + 1] == " " else None
    if second is not None and (verb, second.group(0).lower()) in _PHRASAL:
        way = _PHRASAL[(verb, second.group(0).lower())]
        return f"{verb} {second.group(0).lower()}", second.end(), way  # type: ignore[return-value]
    if verb in HOLD_VERBS or verb in ("continue", "continues"):
        # "Keep growing revenue", "Continue to reduce churn": the second verb says the way
        nxt = re.match(r"\s+(?:to\s+|on\s+)?([A-Za-z]+)", text[end:])
        if nxt is not None:
            word = nxt.group(1).lower()
            stem = word[:-3] if word.endswith("ing") else word
            for candidate in (word, stem, stem + "e"):
                if candidate in UP_VERBS:
                    return verb, end, "up"
                if candidate in DOWN_VERBS:
                    return verb, end, "down"
        return verb, end, None
    if verb in UP_VERBS:
        return verb, end, "up"
    if verb in DOWN_VERBS:
        if verb in ("cut", "cuts") and re.match(r"\s+(?:over|ties)\b", text[end:], re.I):
            return verb, end, None
        return verb, end, "down"
    return verb, end, None


def _numbers(
    base_q: Quantity | None,
    target_q: Quantity | None,
    baseline: float | None,
    target: float | None,
    unit: str | None,
) -> tuple[float | None, float | None, str, bool]:
    """Baseline, target and their unit: fields first, then the text; a multiplier of a
    known baseline is a target ("double … from 1,000" is 2,000); durations in one unit.
    The last item is False when the two have no common scale ("10% → $5k")."""
    b = baseline if baseline is not None else (base_q.value if base_q else None)
    t = target
    used: list[Quantity] = [base_q] if baseline is None and base_q is not None else []
    if t is None and target_q is not None and target_q is not base_q:
        if target_q.kind == "multiplier":
            if base_q is not None and base_q.kind != "multiplier" and b is not None:
                t = b * target_q.value
        else:
            t = target_q.value
            used.append(target_q)
    u = unit_names.canonical(unit) if unit else ""
    if not u:
        found = [unit_names.canonical(q.unit) for q in used if q.unit]
        if found:
            u = found[-1]  # the target's unit: check-ins are written like the goal
            if base_q is not None and baseline is None and b is not None and base_q.unit:
                converted = unit_names.convert(b, base_q.unit, u)
                if converted is None and unit_names.canonical(base_q.unit) != u:
                    return b, t, "", False
                b = converted if converted is not None else b
    if t is not None and not math.isfinite(t) or b is not None and not math.isfinite(b):
        return None, None, u, True
    return b, t, u, True


def _threshold(text: str, target_q: Quantity) -> Literal["least", "most"] | None:
    before = _BEFORE_RE.search(text, max(0, target_q.start - 24), target_q.start)
    if before is not None:
        return "least" if before.group("least") is not None else "most"
    after = _AFTER_RE.match(text[target_q.end : target_q.end + 20])
    if after is not None:
        return "least" if after.group("least") is not None else "most"
    return None


@lru_cache(maxsize=4096)  # a file names few metrics, in many key results
def _lower_is_better(metric: str) -> bool:
    return LOWER_IS_BETTER_RE.search(metric) is not None


def _direction(
    text: str,
    m: Measures,
    verb: str,
    said: Way | None,
    metric: str,
    b: float | None,
    t: float | None,
    target_q: Quantity | None,
    verb_end: int,
) -> Direction:
    # "Keep NPS from 40 to 40": a move written as one (from X to Y), not a guardrail
    paired = (
        m.baseline_span is not None
        and m.baseline is not None
        and target_q is not None
        and m.baseline.start < target_q.start
        and m.baseline_span[1] >= target_q.end
    )
    if said is None and target_q is not None and target_q.kind != "multiplier" and not paired:
        side = _threshold(text, target_q)
        hold_verb = verb in HOLD_VERBS
        verbless = not verb or verb not in _ANY_VERB
        # "Hold 4 workshops": a count right after the verb is work, not a threshold
        counted = (
            target_q.kind in _COUNT_KINDS
            and not target_q.unit
            and (text[verb_end : target_q.start].strip() == "")
        )
        strong = side is not None and (
            _STRONG_RE.search(text, max(0, target_q.start - 24), target_q.start) is not None
            or _AFTER_RE.match(text[target_q.end : target_q.end + 20]) is not None
        )
        if (hold_verb and not counted) or (verbless and strong):
            if side is None:
                side = "most" if _lower_is_better(metric) else "least"
            return "hold-at-least" if side == "least" else "hold-at-most"
    if b is not None and t is not None and b != t:
        return "increase" if t > b else "decrease"
    if said is not None:
        return "increase" if said == "up" else "decrease"
    if t is not None or m.target is not None:
        if m.target is not None and m.target.kind == "percent" and _share(text, m.target):
            return "increase"
        return "decrease" if _lower_is_better(metric) else "increase"
    return "done"


def _share(text: str, q: Quantity) -> bool:
    """ "90% of tickets within 4 hours": a share of things done well (more is better)."""
    return re.match(r"\s*of\b", text[q.end : q.end + 5]) is not None


def _new_things(text: str, target_q: Quantity, verb: str, verb_end: int) -> bool:
    """A count of new things: "Publish 40 new articles", "Hire 2 engineers", "Launch in 3
    new countries" — not a level ("Reach 2,000 customers"), a share or a rate ("3 a week")."""
    if target_q.kind not in _COUNT_KINDS or target_q.unit not in ("",):
        return False
    after = text[target_q.end : target_q.end + 60]
    if _RATE_AFTER_RE.match(after) or _MEASURED_AFTER_RE.match(after):
        return False
    if _NEW_AFTER_RE.match(after):
        return True
    gap = text[verb_end : target_q.start]
    return verb in NEW_THING_VERBS and _NEW_GAP_RE.fullmatch(gap) is not None


# Between the verb and the count: "Launch in 3 …", "Hire and onboard 5 …", "Sign at least 4 …".
_NEW_GAP_RE = re.compile(
    r"\s*(?:and\s+[a-z]+\s+)?(?:in|into|at\s+least|another|an\s+additional|additional|"
    r"more\s+than)?\s*",
    re.IGNORECASE,
)


# Lead verbs the metric is not part of (any other first word starts the metric: "Churn
# below 2%", "Uptime at or above 99.9%").
_ANY_VERB = (
    UP_VERBS
    | DOWN_VERBS
    | HOLD_VERBS
    | NEW_THING_VERBS
    | frozenset(
        "reach hit achieve get attain bring move take drive improve make ensure resolve answer "
        "respond handle serve convert retain sign win save collect score rank pass be become "
        "have see generate earn sell sustain implement migrate develop design roll set "
        "introduce organize organise start conduct integrate document redesign refactor update "
        "upgrade install finalize finalise perform rewrite replace evaluate research explore "
        "investigate interview schedule plan automate adopt decommission deprecate present "
        "review audit post announce continue offer provide speed shorten enable switch "
        "transition port consolidate standardise standardize retire sunset equip support "
        "process fix clean reach obtain receive gain expand".split()
    )
)


_METRIC_END = re.compile(
    # A bracket or comparator, or a space before one of these words: one character class
    # first (the regex engine skips to it fast), then the word when it was a space.
    r"[(,;:≥≤<>\s](?:(?<=[(,;:≥≤<>])|"
    + one_of(
        "by", "from", "to", "up", "down", "while", "with", "so", r"vs\.?", "versus", "at",
        "above", "below", "under", "over", "within", "or", "no", "not", "never",
    )
    + r"\s)",
    re.IGNORECASE,
)  # fmt: skip


def _metric(text: str, m: Measures, verb_end: int) -> str:
    """The words that name what is measured ("week-1 activation"): the text after the lead
    verb with its numbers, baseline and target phrases and dates taken out."""
    end = scan_end(text)
    spans = [(q.start, q.end) for q in m.quantities] + list(m.date_spans)
    spans += [s for s in (m.baseline_span, m.target_span) if s is not None]
    body = _blanked(text[:end], spans)
    stop = _METRIC_END.search(body, verb_end)  # the pattern looks at nothing before
    words = body[verb_end : stop.start() if stop else len(body)].split()
    while words and words[0].lower() in _METRIC_STOP:
        words.pop(0)
    while words and words[-1].lower() in _METRIC_STOP:
        words.pop()
    return " ".join(words)[:120]
