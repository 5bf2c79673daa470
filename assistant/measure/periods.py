"""Periods as dates: a cycle label (``2026-Q1``) and a key result's deadline (``by 31 Dec
2025``, ``by end of Q3``) as the days they cover.

One reading for the cycle math (``domain.cycle``), the readers (an impossible label such
as ``2026-Q9`` is an input error) and the rubric (``KR-OUTSIDE-CYCLE``). Pure functions:
a deadline that names no calendar period ("this quarter", "in the next 90 days", "FY26
Q2") has no dates, and nothing is guessed for it.
"""

from __future__ import annotations

import calendar
import re
from datetime import date

from assistant.measure.patterns import MONTHS

Span = tuple[date, date]

_LABEL_RE = re.compile(
    r"^\s*(?:(?P<y1>\d{4})\s*[-\s]?\s*(?P<p1>[QqHh])(?P<n1>\d+)"
    r"|(?P<p2>[QqHh])(?P<n2>\d+)\s*[-\s]\s*(?P<y2>\d{4})"
    r"|(?P<y3>\d{4})-(?P<m3>\d{1,2})"
    r"|(?P<y4>\d{4}))\s*$"
)


class LabelProblem(ValueError):
    """A cycle label shaped like a calendar period that names none (``2026-Q9``)."""


def cycle_span(label: str) -> tuple[str, date, date] | None:
    """``(normal label, first day, last day)`` of ``2026-Q1``, ``Q1 2026``, ``2026-H2``,
    ``2026`` or ``2026-03``; None for a label that is no calendar period ("FY26 Q2",
    "Sprint 12"). ``LabelProblem`` for one shaped like a period that does not exist."""
    m = _LABEL_RE.match(label)
    if not m:
        return None
    year = int(m.group("y1") or m.group("y2") or m.group("y3") or m.group("y4"))
    period = (m.group("p1") or m.group("p2") or "").upper()
    digits = m.group("n1") or m.group("n2") or "0"
    number = int(digits) if len(digits) <= 4 else 10_000  # Q0000…9: no quarter, no int()
    if len(label) > 40:
        label = label.strip()[:39] + "…"
    if not 1 <= year <= 9999:
        raise LabelProblem(f"cycle '{label}': the year {year} does not exist")
    if period == "Q":
        if not 1 <= number <= 4:
            raise LabelProblem(f"cycle '{label}': a quarter is Q1–Q4")
        first, last, norm = 3 * number - 2, 3 * number, f"{year}-Q{number}"
    elif period == "H":
        if number not in (1, 2):
            raise LabelProblem(f"cycle '{label}': a half is H1 or H2")
        first, last, norm = 6 * number - 5, 6 * number, f"{year}-H{number}"
    elif m.group("m3"):
        month = int(m.group("m3"))
        if not 1 <= month <= 12:
            raise LabelProblem(f"cycle '{label}': a month is 01–12")
        first, last, norm = month, month, f"{year}-{month:02d}"
    else:
        first, last, norm = 1, 12, str(year)
    return norm, date(year, first, 1), date(year, last, calendar.monthrange(year, last)[1])


def label_problem(label: str | None) -> str | None:
    """What is wrong with a set's ``cycle`` label, or None (free labels are fine)."""
    if not label:
        return None
    try:
        cycle_span(label)
    except LabelProblem as exc:
        return str(exc)
    return None


# --- deadlines ----------------------------------------------------------------------------------

_MONTH_NUMBERS = {
    name: i
    for i, names in enumerate(
        (
            ("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"),
            ("may",), ("jun", "june"), ("jul", "july"), ("aug", "august"),
            ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}  # fmt: skip
_YEAR = r"(?P<year>(?:19|20)\d{2})"
_ISO_RE = re.compile(r"\b(?P<y>(?:19|20)\d{2})-(?P<m>[01]\d)-(?P<d>[0-3]\d)\b")
_SLASH_RE = re.compile(r"\b(?P<a>[0-3]?\d)/(?P<b>[0-3]?\d)/(?P<y>(?:19|20)\d{2}|\d{2})\b")
_DAY_MONTH_RE = re.compile(
    r"\b(?P<d>[0-3]?\d)(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<mon>" + MONTHS + r")\.?"
    r"(?:,?\s+" + _YEAR + r")?\b",
    re.IGNORECASE,
)
_MONTH_DAY_RE = re.compile(
    r"\b(?P<mon>" + MONTHS + r")\.?\s+(?P<d>[0-3]?\d)(?:st|nd|rd|th)?(?:,?\s+" + _YEAR + r")?\b",
    re.IGNORECASE,
)
_MONTH_RE = re.compile(r"\b(?P<mon>" + MONTHS + r")\.?(?:,?\s+" + _YEAR + r")?\b", re.IGNORECASE)
_QUARTER_RE = re.compile(
    r"(?<![\w-])(?:(?P<y1>(?:19|20)\d{2})[-\s]?)?(?P<p>[QH])(?P<n>[1-4])\b"
    r"(?:(?:\s+|-|\s*')(?P<y2>(?:19|20)\d{2}|\d{2})\b(?!\s*%))?",
    re.IGNORECASE,
)
_FISCAL_RE = re.compile(r"\bFY\b|\bFY\s?'?\d", re.IGNORECASE)
_HALF_WORDS_RE = re.compile(r"\b(?P<which>first|second|1st|2nd)\s+half\b", re.IGNORECASE)
_BARE_YEAR_RE = re.compile(r"\b(?P<year>20[1-4]\d)\b")


def _year(text: str | None) -> int | None:
    if not text:
        return None
    value = int(text)
    return value + 2000 if value < 100 else value


def _month_span(year: int, first: int, last: int) -> Span:
    return date(year, first, 1), date(year, last, calendar.monthrange(year, last)[1])


def _day(year: int, month: int, day: int) -> Span | None:
    try:
        one = date(year, month, day)
    except ValueError:
        return None
    return one, one


# What a deadline names: one day of a month, or a run of months; the year when written.
_Named = tuple[
    str, int, int, int | None
]  # ("day", month, day, year) | ("months", first, last, year)


def _named(deadline: str) -> _Named | None:
    if _FISCAL_RE.search(deadline):
        return None  # a fiscal year starts when the company says it does
    if m := _ISO_RE.search(deadline):
        return ("day", int(m["m"]), int(m["d"]), int(m["y"]))
    if m := _SLASH_RE.search(deadline):
        a, b = int(m["a"]), int(m["b"])
        day, month = (a, b) if b <= 12 else (b, a)  # 31/03/2026 and 03/31/2026
        return ("day", month, day, _year(m["y"]))
    if m := _QUARTER_RE.search(deadline):
        n, year = int(m["n"]), _year(m["y1"] or m["y2"])
        if m["p"].upper() == "Q":
            return ("months", 3 * n - 2, 3 * n, year)
        return ("months", 6 * n - 5, 6 * n, year) if n <= 2 else None
    for pattern in (_DAY_MONTH_RE, _MONTH_DAY_RE):
        if m := pattern.search(deadline):
            month = _MONTH_NUMBERS[m["mon"].lower().rstrip(".")]
            return ("day", month, int(m["d"]), _year(m["year"]))
    if m := _MONTH_RE.search(deadline):
        month = _MONTH_NUMBERS[m["mon"].lower().rstrip(".")]
        return ("months", month, month, _year(m["year"]))
    bare = _BARE_YEAR_RE.search(deadline)
    if m := _HALF_WORDS_RE.search(deadline):
        half = 1 if m["which"].lower() in ("first", "1st") else 2
        return ("months", 6 * half - 5, 6 * half, _year(bare and bare[0]))
    if bare is not None:
        return ("months", 1, 12, int(bare[0]))
    return None


def deadline_spans(deadline: str, years: tuple[int, ...]) -> list[Span]:
    """The days a deadline can name: one span when it carries its year, one per year of
    ``years`` (the cycle's) when it does not ("by 31 March", "by Q3"); empty when it
    names no calendar period ("this quarter", "in the next 90 days", "FY26 Q2")."""
    named = _named(deadline)
    if named is None:
        return []
    kind, a, b, year = named
    spans: list[Span] = []
    for y in (year,) if year else years:
        if kind == "months":
            spans.append(_month_span(y, a, b))
        elif (one := _day(y, a, b)) is not None:
            spans.append(one)
    return spans


def outside(deadline: str, start: date, end: date) -> bool:
    """Whether a deadline falls outside the cycle ``[start, end]``: the last day it names
    is before the cycle starts or after it ends, whichever year of the cycle it is read
    in. A deadline that names no calendar period is never outside."""
    years = tuple(range(start.year, end.year + 1))
    spans = deadline_spans(deadline, years)
    return bool(spans) and not any(start <= last <= end for _first, last in spans)
