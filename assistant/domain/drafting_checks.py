"""The interview's checks on each answer, and how a key result is composed from them.

Every check returns a ``Check``: the answer as it will be used, or the coach's
follow-up question and the rubric code behind it. The checks reuse the rules engine
(``rubric.engine``) and the measure parser (``measure.extract``), so the interview
asks about exactly what ``okr critique`` would flag later. Pure functions.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from assistant.measure import Quantity, date_spans, extract, is_date_only
from assistant.measure.reading import DOWN_VERBS, LOWER_IS_BETTER_RE, UP_VERBS, read
from assistant.measure.units import convert
from assistant.model import Finding, KeyResult, Objective, OKRSet
from assistant.rubric.engine import (
    check_activity,
    check_vague,
    kr_findings,
    objective_findings,
)
from assistant.rubric.rules import Rule, load_rubric

Direction = str  # "up" | "down" | "same"
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True)
class Check:
    """The verdict on one answer.

    ``ok``: the answer is used as ``value``. Otherwise ``follow_up`` is what the coach
    asks next and ``code`` the rubric rule behind it. ``soft`` problems may be kept when
    the person repeats the answer (a wording choice); hard ones never (a baseline that
    is not a number becomes ``[baseline]``). ``composed`` is the key result written
    once its last answer is in, with the rules findings still on it.
    """

    ok: bool
    value: str = ""
    follow_up: str = ""
    code: str | None = None
    soft: bool = False
    direction: Direction | None = None
    composed: str | None = None
    findings: tuple[Finding, ...] = field(default=())


@lru_cache(maxsize=1)
def _rules() -> dict[str, Rule]:
    return {rule.code: rule for rule in load_rubric().rules}


def _clean(text: str | None) -> str:
    return " ".join((text or "").split()).strip()


_UNKNOWN_RE = re.compile(
    r"^(?:\?+|n/?a|none|unknown|not sure|no idea|don'?t know|do not know|tbd|tbc|-+)$",
    re.IGNORECASE,
)


# --- the objective -------------------------------------------------------------------------


def check_objective(text: str | None) -> Check:
    """An outcome in words: the objective rules (number, business as usual, length…)."""
    title = _clean(text).rstrip(".")
    if not title:
        return Check(
            ok=False,
            follow_up="What outcome do you want to achieve? One short sentence, in words "
            "(e.g. 'Make onboarding effortless for new customers').",
            code=None,
        )
    probe = Objective(title=title, key_results=[KeyResult(text="x"), KeyResult(text="y")])
    findings = [f for f in objective_findings(probe, "O1") if f.code != "OBJ-KR-COUNT"]
    if findings:
        first = min(findings, key=lambda f: f.severity != "error")
        return Check(
            ok=False,
            value=title,
            follow_up=f"{first.message} {first.question}",
            code=first.code,
            soft=True,
        )
    return Check(ok=True, value=title)


# --- the metric ----------------------------------------------------------------------------

# The verbs of the one reading of a key result (``measure.reading``): the way a metric
# should go, named before its numbers are known.
_UP = "|".join(sorted(UP_VERBS, key=len, reverse=True))
_DOWN = "|".join(sorted(DOWN_VERBS, key=len, reverse=True))
_VERB_RE = re.compile(
    rf"^(?:to\s+)?(?:(?P<up>{_UP})|(?P<down>{_DOWN}))\s+(?:the\s+|our\s+|its\s+)?",
    re.IGNORECASE,
)
# Measures where less is better (the reading's list): the verb while the numbers are unknown.
_LOWER_IS_BETTER = LOWER_IS_BETTER_RE


def _lower_first(text: str) -> str:
    """'Week-1 activation' → 'week-1 activation'; acronyms (NPS, CSAT) stay."""
    words = text.split()
    first = words[0] if words else ""
    named = any(w[:1].isupper() for w in words[1:])  # "Net Promoter Score" is a name
    if len(first) > 1 and first[0].isupper() and first[1:] == first[1:].lower() and not named:
        return text[0].lower() + text[1:]
    return text


_STOP = frozenset("a an the of to by for in on and our we per its their all new rate".split())


def _metric_tokens(metric: str) -> frozenset[str]:
    """The words that name a measure, for spotting the same one asked twice."""
    words = re.findall(r"[a-z0-9][a-z0-9'-]*", metric.lower())
    return frozenset(w.rstrip("s") if len(w) > 3 else w for w in words if w not in _STOP)


def check_metric(text: str | None, earlier: Sequence[str] = (), kr: int = 1) -> Check:
    """A measure someone can count: not vague, not a task, no numbers yet, not repeated."""
    metric = _clean(text).rstrip(".")
    direction: Direction | None = None
    verb = _VERB_RE.match(metric)
    if verb and len(metric) > verb.end():
        direction = "up" if verb.group("up") else "down"
        metric = metric[verb.end() :]
    metric = _lower_first(metric)
    if not metric:
        which = "other measure" if kr > 1 else "measure"
        return Check(
            ok=False,
            follow_up=f"Which {which} would show it? Name something you can count or read "
            "off a dashboard (e.g. week-1 activation, median time to first dashboard).",
        )
    probe = KeyResult(text=metric)
    reading = read(probe)
    rules = _rules()
    if reading.measures.has_quantity:
        return Check(
            ok=False,
            value=metric,
            follow_up=f"'{metric}' already holds a number: name only the measure "
            "(e.g. 'week-1 activation'); where it is today and where it should be come next.",
            code="KR-COMPOUND",
            soft=True,
            direction=direction,
        )
    if check_activity(rules["KR-ACTIVITY"], probe, "O1.KR1", reading):
        return Check(
            ok=False,
            value=metric,
            follow_up=f"'{metric}' is a task, not a measure: once it is done, what would "
            "you count to see that it worked?",
            code="KR-ACTIVITY",
            soft=True,
            direction=direction,
        )
    if check_vague(rules["KR-VAGUE"], probe, "O1.KR1", reading):
        return Check(
            ok=False,
            value=metric,
            follow_up=f"'{metric}' is not a measure yet: what would you count?",
            code="KR-VAGUE",
            soft=True,
            direction=direction,
        )
    tokens = _metric_tokens(metric)
    for index, other in enumerate(earlier, start=1):
        other_tokens = _metric_tokens(other)
        union = tokens | other_tokens
        if union and len(tokens & other_tokens) / len(union) >= 0.8:
            return Check(
                ok=False,
                value=metric,
                follow_up=f"KR{index} already measures '{other}': which other measure would "
                "show the outcome?",
                code="SET-DUPLICATE",
                soft=True,
                direction=direction,
            )
    return Check(ok=True, value=metric, direction=direction)


# --- baseline and target -------------------------------------------------------------------

_LEADING_FILLER = re.compile(
    r"^(?:(?:it\s+is|it's|we\s+are\s+at|we're\s+at|currently|today|now|about|around|roughly|"
    r"approximately|approx\.?|circa|ca\.?|~|≈|at)\s*:?\s*)+",
    re.IGNORECASE,
)


def _quantity_text(answer: str, q: Quantity) -> str:
    """The number as written, with a short unit word after it ('120 tickets')."""
    tail = re.split(r"[(,;]|\s[-–—]\s", answer[q.end :], maxsplit=1)[0].strip()
    if tail and len(tail.split()) <= 2 and not extract(tail).has_quantity:
        return f"{answer[q.start : q.end]} {tail}".strip()
    return answer[q.start : q.end]


def read_number(text: str | None, *, role: str, metric: str) -> Check:
    """One number (with its unit) for ``role`` (baseline or target)."""
    answer = _LEADING_FILLER.sub("", _clean(text)).strip()
    where = "today" if role == "baseline" else "by the deadline"
    example = "32%, 3 days, 120 tickets" if role == "baseline" else "50%, 1 day, 80 tickets"
    if not answer or _UNKNOWN_RE.match(answer):
        ask = (
            f"Where is {metric} today, roughly? Without a starting point nobody can tell "
            "progress. A number, even a rough one."
            if role == "baseline"
            else f"Where should {metric} be {where}? A number, in the unit of today's value."
        )
        return Check(ok=False, follow_up=ask, code="KR-NO-BASELINE" if role == "baseline" else None)
    if is_date_only(answer):
        return Check(
            ok=False,
            follow_up=f"'{answer}' is a date: where is {metric} {where}, as a number ({example})?",
            code="KR-NO-NUMBER",
        )
    quantities = extract(answer).quantities
    if not quantities:
        return Check(
            ok=False,
            follow_up=f"'{answer}' is not a number yet: where is {metric} {where}, "
            f"as a number ({example})?",
            code="KR-NO-NUMBER",
        )
    if len(quantities) > 1:
        return Check(
            ok=False,
            follow_up=f"'{answer}' holds several numbers: which one is {metric} {where}?",
            code="KR-COMPOUND",
        )
    return Check(ok=True, value=_quantity_text(answer, quantities[0]))


def _affixes(value: str) -> tuple[str, str, str] | None:
    """``'$1.2M'`` → ``('$', '1.2', 'M')``; None when there is no number."""
    match = re.search(r"[-−]?(?:\d[\d,]*(?:\.\d+)?|\.\d+)", value)
    if match is None:
        return None
    return value[: match.start()], match.group(0), value[match.end() :]


def _bare(value: str) -> bool:
    return bool(re.fullmatch(r"[-−]?[\d,]*\.?\d+", value.strip()))


def _with_unit(bare: str, model: str) -> str:
    """A bare number written in the unit of ``model`` ('1' with '3 days' → '1 day')."""
    parts = _affixes(model)
    if parts is None or not _bare(bare):
        return bare
    prefix, _number, suffix = parts
    if suffix.startswith(" ") and suffix.endswith("s") and float(bare.replace(",", "")) == 1:
        suffix = suffix[:-1]
    return f"{prefix}{bare}{suffix}"


def same_units(baseline: str, target: str) -> tuple[str, str]:
    """Baseline and target in one unit: a bare number takes the other side's unit."""
    if _bare(target) and not _bare(baseline):
        target = _with_unit(target, baseline)
    elif _bare(baseline) and not _bare(target):
        baseline = _with_unit(baseline, target)
    return baseline, target


def _unit(q: Quantity) -> str:
    """'days' and 'day' are one unit."""
    unit = q.unit.lower()
    return unit[:-1] if len(unit) > 3 and unit.endswith("s") else unit


def _value(text: str) -> Quantity | None:
    quantities = extract(text).quantities
    return quantities[0] if quantities else None


def direction_of(
    metric: str, baseline: str | None, target: str | None, hint: Direction | None = None
) -> Direction:
    """up, down or same: from the numbers when both are known, else the hint or the metric."""
    b = _value(baseline) if baseline else None
    t = _value(target) if target else None
    if b is not None and t is not None and b.kind != "multiplier" and t.kind != "multiplier":
        # "2 hours" → "30 minutes" goes down: durations compared in one unit
        goal = convert(t.value, t.unit, b.unit) if b.unit and t.unit else None
        goal = t.value if goal is None else goal
        if goal > b.value:
            return "up"
        if goal < b.value:
            return "down"
        return "same"
    if hint:
        return hint
    return "down" if _LOWER_IS_BETTER.search(metric) else "up"


def check_target(
    text: str | None, *, metric: str, baseline: str | None, hint: Direction | None
) -> Check:
    """A number for where it should be, compared with today: direction, units, ambition."""
    read = read_number(text, role="target", metric=metric)
    if not read.ok or not baseline:
        return read
    base, goal = same_units(baseline, read.value)
    b, t = _value(base), _value(goal)
    if t is not None and t.kind == "multiplier":
        return Check(
            ok=False,
            follow_up=f"'{goal}' is relative: where should {metric} be, as a number in the "
            f"unit of today's {base}?",
            code="KR-NO-NUMBER",
        )
    if b is not None and t is not None and b.unit and t.unit and _unit(b) != _unit(t):
        return Check(
            ok=False,
            value=goal,
            follow_up=f"Today is {base} but the target is {goal}: where should {metric} be, "
            f"in the unit of {base}?",
            code="KR-LOW-AMBITION",
            soft=True,
        )
    direction = direction_of(metric, base, goal)
    if hint and direction not in (hint, "same"):
        said = "raise" if hint == "up" else "reduce"
        return Check(
            ok=False,
            value=goal,
            follow_up=f"You want to {said} {metric}, but {goal} is "
            f"{'below' if direction == 'down' else 'above'} today's {base}: where should it be?",
            code=None,
            soft=True,
        )
    composed = compose_kr(metric, base, goal, "by the end of the cycle", hint)
    low = [f for f in composed_findings(composed, None) if f.code == "KR-LOW-AMBITION"]
    if low:
        return Check(
            ok=False,
            value=goal,
            follow_up=f"{low[0].message} {low[0].question} (Give {goal} again to keep it.)",
            code="KR-LOW-AMBITION",
            soft=True,
        )
    return Check(ok=True, value=goal)


# --- the deadline --------------------------------------------------------------------------

_KEEP_PREPOSITION = re.compile(
    r"^(?:by|before|until|till|in|within|during|over|no\s+later\s+than|on)\b", re.IGNORECASE
)
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def deadline_phrase(text: str) -> str:
    """'2026-03-31' → 'by 31 Mar 2026'; 'Q2 2026' → 'by Q2 2026'; 'in 3 months' stays."""
    text = _clean(text).rstrip(".")
    iso = _ISO_DATE.match(text)
    if iso:
        try:
            day = date(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
            text = f"{day.day} {_MONTHS[day.month - 1]} {day.year}"
        except ValueError:
            pass
    if _KEEP_PREPOSITION.match(text):
        return text[0].lower() + text[1:]
    return f"by {text}"


def check_deadline(text: str | None, *, metric: str, target: str, cycle: str | None) -> Check:
    """A date, quarter or period; optional when the set has a cycle."""
    answer = _clean(text)
    if not answer or _UNKNOWN_RE.match(answer):
        if cycle:
            return Check(ok=True, value="")
        return Check(
            ok=False,
            follow_up=f"By when should {metric} be at {target or 'the target'}? A date or a "
            "quarter (e.g. 31 Mar 2026, Q2 2026).",
            code="KR-NO-DEADLINE",
        )
    phrase = deadline_phrase(answer)
    if not date_spans(phrase):
        return Check(
            ok=False,
            follow_up=f"'{answer}' is not a date yet: by when exactly? "
            "(e.g. 31 Mar 2026, end of Q2 2026, 2026-06-30)",
            code="KR-NO-DEADLINE",
        )
    return Check(ok=True, value=phrase)


# --- composing -----------------------------------------------------------------------------

_VERBS = {"up": "Raise", "down": "Cut"}


def compose_kr(
    metric: str,
    baseline: str | None,
    target: str | None,
    deadline: str | None,
    hint: Direction | None = None,
) -> str:
    """'Raise week-1 activation from 32% to 50% by 31 Mar 2026': the verb from baseline
    against target (or the hint, or the kind of metric while a number is unknown);
    missing numbers become ``[baseline]``, ``[target]``, ``[deadline]``."""
    base = baseline or "[baseline]"
    goal = target or "[target]"
    if baseline and target:
        base, goal = same_units(baseline, target)
    direction = direction_of(metric, baseline, target, hint)
    if direction == "same":
        text = f"Keep {metric} at {goal} (today: {base})"
    else:
        text = f"{_VERBS[direction]} {metric} from {base} to {goal}"
    when = deadline if deadline is not None else "by [deadline]"
    return f"{text} {when}".strip()


def composed_findings(text: str, cycle: str | None) -> tuple[Finding, ...]:
    """What the rules engine still says about a composed key result."""
    probe = OKRSet(cycle=cycle, objectives=[Objective(title="x", key_results=[])])
    return tuple(kr_findings(KeyResult(text=text), "O1.KR1", probe))
