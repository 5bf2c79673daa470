"""Find the measures in free key-result text: quantities, baseline → target and deadlines.

Pure functions over a string. The tricky part is what is *not* a measure:
version numbers (``v2``, ``Windows 11``, ``GPT-4``), ``24/7``, ``top 3 priorities``
and dates or quarters on their own. Those spans are masked before quantities are
looked for, and dates/quarters count as deadlines instead.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from functools import lru_cache
from operator import attrgetter

from assistant.measure.patterns import (
    DATE_RE,
    NON_MEASURE_RE,
    PERIOD_LEADS,
    PERIOD_RE,
    PERIOD_UNITS,
    PRODUCT_SET,
    WORD_THEN_NUMBER_RE,
    CaseFolded,
)

_SCALE = {
    "k": 1e3, "thousand": 1e3, "m": 1e6, "mm": 1e6, "mn": 1e6, "million": 1e6,
    "b": 1e9, "bn": 1e9, "billion": 1e9,
}  # fmt: skip
_CURRENCY = r"[$€£¥]|US\$|USD\s?|EUR\s?|GBP\s?"
_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+"
_UNITS = (
    r"\s?%|\s?percent(?:age points?)?|\s?per\s?cent|\s?pp\b|\s?pts?\b|\s?points?\b|x\b|×"
    r"|\s?(?:ms|milliseconds?|seconds?|secs?|s\b|minutes?|mins?|hours?|hrs?|h\b|days?|d\b|weeks?"
    r"|wks?|months?|mos?|quarters?|years?|yrs?)"
    r"|\s?(?:k|m|mm|mn|b|bn)\b|\s?(?:thousand|million|billion)\b"
    r"|\s?(?:usd|eur|gbp|dollars?|euros?|pounds?)\b"
    r"|\s?(?:gb|mb|tb|kb|rps|qps|tps)\b|(?<=\d)(?:st|nd|rd|th)\b"
)
# A rate is a quantity too: "$50k/month", "€30k/mo", "40/hour", "€20/user", "3/week".
_PER = r"(?:\s?/\s?(?P<per>[a-z]{1,15})\b)"
_PER_UNITS = {
    "mo": "month", "mth": "month", "months": "month", "hr": "hour", "h": "hour", "hours": "hour",
    "wk": "week", "weeks": "week", "yr": "year", "years": "year", "qtr": "quarter", "q": "quarter",
    "d": "day", "days": "day", "users": "user", "seats": "seat", "customers": "customer",
}  # fmt: skip
_QUANTITY_RE = CaseFolded(
    # Where a quantity can start: a sign, a currency, a dot or a digit, or the one space
    # right before a number. A cheap test (a character class first) that spares the full
    # pattern at every other character, blanked runs of spaces included.
    r"(?=[-−$€£¥.\d]|\s[.\d]|us|eur|gbp)"
    # A minus sign is part of the number ("NPS from -10 to 15") where it starts a word.
    r"(?:(?<![\w.,\-−])(?P<sign>[-−])(?=(?:[$€£¥])?\.?\d))?"
    r"(?P<cur>" + _CURRENCY + r")?\s?(?<![\w.,])(?P<num>" + _NUM + r")(?!\d)"
    r"(?:\s?[-–]\s?(?P<range>" + _NUM + r")(?!\d))?"
    r"(?P<unit>" + _UNITS + r")?"
    r"(?:\s?/\s?(?P<outof>\d+(?:\.\d+)?)(?!\d)|" + _PER + r")?"
    r"(?![\w/])"
)
# "1h 10m", "2 h 30 min": one duration, in minutes.
_DURATION_RE = re.compile(
    r"\b(?P<h>\d+(?:\.\d+)?)\s?(?:h|hrs?|hours?)\s+(?P<m>\d+)\s?(?:m|mins?|minutes?)\b",
    re.IGNORECASE,
)
# Any duration in the text: then a bare "25m" means minutes, not millions.
_TIME_UNIT_RE = re.compile(r"\d\s?(?:h|hrs?|hours?|mins?|minutes?)\b", re.IGNORECASE)
_RATIO_RE = re.compile(
    r"(?<![\d.,])\b(?=\w++\s+(?:in|out)\s)(?P<a>\d+|one|two|three|four|five|six|seven|eight|nine|ten)\s+(?:in|out\s+of)\s+"
    r"(?P<b>\d+|two|three|four|five|six|seven|eight|nine|ten|twenty|hundred|a\s+hundred)\b",
    re.IGNORECASE,
)
WORD_NUMBERS = {
    "zero": 0, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20,
    "thirty": 30, "forty": 40, "fifty": 50, "hundred": 100, "a hundred": 100, "dozen": 12,
    "a dozen": 12, "thousand": 1000, "a thousand": 1000, "a million": 1e6, "half": 0.5,
}  # fmt: skip
_WORD_NUMBER_RE = re.compile(
    r"\b(?=["
    + "".join(sorted({w[0] for w in WORD_NUMBERS}))
    + r"])(?:"
    + "|".join(sorted((re.escape(w) for w in WORD_NUMBERS), key=len, reverse=True))
    + r")\b(?:[-\s](?:percent|per\s?cent|days?|weeks?|hours?|minutes?|customers?|users?|"
    r"teams?|markets?|countries|deals?|accounts?|sign-?ups?|hires?|engineers?|people|"
    r"partners?|integrations?|features?|releases?|incidents?|outages?|[a-z]+s\b))?",
    re.IGNORECASE,
)
_WORDS_LONGEST_FIRST = sorted(WORD_NUMBERS.items(), key=lambda kv: -len(kv[0]))
_RUN_RE = re.compile(r"[a-z0-9]+")
# Words one of the written numbers needs (the prefilter of _WORD_NUMBER_RE).
_WORD_NUMBER_RUNS = frozenset(_RUN_RE.findall(w)[-1] for w in WORD_NUMBERS)
MULTIPLIER_WORDS = {
    "double": 2.0, "doubling": 2.0, "twice": 2.0, "triple": 3.0, "tripling": 3.0,
    "quadruple": 4.0, "halve": 0.5, "halving": 0.5, "cut in half": 0.5, "in half": 0.5,
}  # fmt: skip
# Words one of the multipliers needs ("doubl…"/"tripl…" are checked as prefixes).
_MULTIPLIER_STEMS = frozenset(
    "twice quadruple quadrupled quadruples halve halved halves halving half".split()
)
_MULTIPLIER_RE = re.compile(
    r"\b(?=[dtqhcrs])(?:double[sd]?|doubling|twice|triple[sd]?|tripling|quadruple[sd]?|halve[sd]?|halving|"
    r"(?:cut|reduce|slash)\w*\s+(?:\w+\s+){0,4}?in\s+half)\b",
    re.IGNORECASE,
)

# Baseline markers. Each captures the quantity right after (or before) the marker.
_BASELINE_BEFORE = re.compile(
    # The first letters of the markers first: one step that turns most characters
    # away before the alternation (searched at every character of the window).
    r"\b(?=[abcdflnostuvw])(?:from(?:\s+(?:a|the|an?\s+estimated|today's|current|our|its|their))?"
    r"(?:\s+(?:baseline|level|rate|value|average|median)(?:\s+of)?)?"
    r"|up\s+from|down\s+from|currently(?:\s+(?:at|around|about|~))?|today(?:\s+(?:at|is))?"
    r"|baseline(?:\s+(?:of|is|was|at))?\s*:?|was|vs\.?|versus|compared\s+(?:to|with)"
    r"|(?:over|above|below|under|beyond|against|on|than)\s+(?:the\s+|our\s+|last\s+)?"
    r"(?:[\w-]+\s+){0,3}(?:level|baseline|rate|figure|number|result|value|mark)\s+of"
    r"|starting\s+(?:at|from)|now(?:\s+at)?|last\s+(?:quarter|year|cycle|month)(?:'s)?(?:\s+\w+)?"
    r"(?:\s*:)?)\s*[:(~≈]?\s*$",
    re.IGNORECASE,
)
_ARROW_RE = re.compile(r"^\s*(?:→|->|=>|⇒|–>|—>|to)\s*$", re.IGNORECASE)
# The searches below (and _BASELINE_BEFORE) try their pattern at every character of a
# short window; each tests the first characters of its words first (one step).
_TARGET_PREFIX_RE = re.compile(
    r"(?=[abfhlmortu≥≤<>])"
    r"(?:\b(?:to|reach(?:ing)?|hit(?:ting)?|achieve|at\s+least|at\s+most|above|below|under|over|"
    r"beyond|more\s+than|less\s+than|fewer\s+than|under|by|of|≥|<=|>=|≤|<|>)\s*)$",
    re.IGNORECASE,
)


# The words _BASELINE_BEFORE can end with (before its trailing "(", ":" or "~"), or
# "last" somewhere ("last quarter's NPS:"): a cheap test before the search.
_BASELINE_ENDS = (
    "from", "a", "the", "estimated", "today's", "current", "our", "its", "their", "baseline",
    "level", "rate", "value", "average", "median", "of", "currently", "at", "around", "about",
    "today", "is", "was", "vs", "vs.", "versus", "to", "with", "now",
)  # fmt: skip
_TRAILING = " \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f:(~"


def _may_be_baseline(before: str) -> bool:
    """False only when ``_BASELINE_BEFORE`` cannot match ``before`` (ASCII text: there
    case-folding is plain ``lower``; anything else is left to the regex)."""
    if not before.isascii():
        return True
    low = before.lower()
    return "last" in low or low.rstrip(_TRAILING).endswith(_BASELINE_ENDS)


_STRONG_TARGET_RE = re.compile(
    r"(?=[ahrt≥>])(?:\b(?:to|reach(?:ing)?|hit(?:ting)?|achieve)\s*$|(?:≥|>=)\s*$)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Quantity:
    """A measure found in the text: value, unit and the exact span it came from."""

    value: float
    unit: str
    kind: str  # number | percent | money | ratio | multiplier | word
    start: int
    end: int
    text: str


@dataclass
class Measures:
    quantities: list[Quantity] = field(default_factory=list)
    baseline: Quantity | None = None
    target: Quantity | None = None
    baseline_span: tuple[int, int] | None = None
    target_span: tuple[int, int] | None = None
    deadline: str | None = None
    date_spans: list[tuple[int, int]] = field(default_factory=list)
    truncated: bool = False  # only the first SCAN_LIMIT characters were read

    @property
    def has_quantity(self) -> bool:
        return bool(self.quantities)


@lru_cache(maxsize=512)  # a handful of spellings
def _unit_of(unit: str | None, currency: str | None) -> tuple[str, str, float]:
    """Normalise a unit: (unit, kind, scale)."""
    if currency:
        scale = _SCALE.get((unit or "").strip().lower(), 1.0)
        return currency.strip().upper().replace("US$", "$"), "money", scale
    if not unit:
        return "", "number", 1.0
    u = unit.strip().lower()
    if u in ("%", "percent", "per cent", "percentage point", "percentage points", "pp"):
        return "%", "percent", 1.0
    if u in _SCALE:
        return "", "number", _SCALE[u]
    if u in ("x", "×"):
        return "x", "multiplier", 1.0
    if u in ("usd", "dollar", "dollars"):
        return "$", "money", 1.0
    if u in ("eur", "euro", "euros"):
        return "€", "money", 1.0
    if u in ("gbp", "pound", "pounds"):
        return "£", "money", 1.0
    return u, "number", 1.0


def _blanked(text: str, spans: list[tuple[int, int]]) -> str:
    """``text`` with each span (they may overlap) replaced by as many spaces."""
    if not spans:
        return text
    out: list[str] = []
    pos = 0
    for start, end in sorted(spans):
        if end <= pos:
            continue
        start = max(start, pos)
        out.append(text[pos:start])
        out.append(" " * (end - start))
        pos = end
    out.append(text[pos:])
    return "".join(out)


_DIGIT_RE = re.compile(r"\d")
_LETTERS_RE = re.compile(r"[a-z]+")
# Each alternative of PERIOD_RE starts with one of these words, or "eo" (EOQ…).
_PERIOD_WORDS = frozenset(PERIOD_LEADS + PERIOD_UNITS)
# "Windows 11" needs the word "windows" (its letters up to a hyphen: "wi" of "wi-fi").
_PRODUCT_RUNS = frozenset(_LETTERS_RE.findall(w)[0] for w in PRODUCT_SET)


def _masked(text: str) -> tuple[str, list[tuple[int, int]]]:
    """Blank out dates and non-measures; return the masked text and the date spans."""
    masked, date_spans_found, _words = _mask(text)
    return masked, date_spans_found


def _mask(text: str) -> tuple[str, list[tuple[int, int]], frozenset[str] | None]:
    """``_masked``, and the lower-case letter runs of the text (None for non-ASCII text,
    where ``re.IGNORECASE`` folds more than ``lower`` does), for the prefilters.

    Blanked spans start and end at word boundaries, so they never split a run: the
    runs of the masked text are among these ones, and a word the masked text needs
    is in this set too."""
    words = frozenset(_LETTERS_RE.findall(text.lower())) if text.isascii() else None
    date_spans_found = date_spans(text, words)
    masked = _blanked(text, date_spans_found)
    scan, non_measures = NON_MEASURE_RE.scan(masked)
    spans = [m.span() for m in non_measures.finditer(scan)]
    products = words is None or not _PRODUCT_RUNS.isdisjoint(words)
    if products and _DIGIT_RE.search(masked):  # "Windows 11": a word, then a number
        spans += [
            m.span()
            for m in WORD_THEN_NUMBER_RE.finditer(masked)
            if m.group(1).lower() in PRODUCT_SET
        ]
    return _blanked(masked, spans), date_spans_found, words


_PAST_REFERENCE_RE = re.compile(
    r"(?=[bcdflopstuvw])"  # the first letters of the words (see _TARGET_PREFIX_RE)
    r"(?:\b(?:from|since|vs\.?|versus|compared\s+(?:to|with)|than|over|last|previous|prior|"
    r"baseline|was|up\s+from|down\s+from)\s+(?:the\s+|our\s+|its\s+)?)$",
    re.IGNORECASE,
)


_BASELINE_NOUN_RE = re.compile(r"\s*(?:level|baseline|average|rate|figure|result)s?\b", re.I)


def _deadline(
    text: str, spans: list[tuple[int, int]], baseline_span: tuple[int, int] | None
) -> str | None:
    """The first date or period that is not describing the baseline ("the Q2 level of 400")."""
    for start, end in spans:
        if baseline_span and baseline_span[0] <= start < baseline_span[1]:
            continue
        if _PAST_REFERENCE_RE.search(text[max(0, start - 25) : start]):
            continue
        if _BASELINE_NOUN_RE.match(text[end : end + 12]):
            continue
        return text[start:end]
    return None


# Measures are looked for in the first this many characters of a text (a key result is
# a sentence; a pasted essay is cut at a space near here, and ``Measures.truncated`` says so).
SCAN_LIMIT = 2000


def scan_end(text: str) -> int:
    """Where the part of ``text`` that is read for measures ends: all of it up to
    ``SCAN_LIMIT`` characters, else the last space before that (never inside a word)."""
    if len(text) <= SCAN_LIMIT:
        return len(text)
    cut = SCAN_LIMIT
    while cut > SCAN_LIMIT // 2 and not text[cut].isspace():
        cut -= 1
    return cut if cut > SCAN_LIMIT // 2 else SCAN_LIMIT


def extract(text: str) -> Measures:
    """All measures in ``text`` (its first ``SCAN_LIMIT`` characters when longer).
    Cached: the engine and the TUI ask repeatedly."""
    end = scan_end(text)
    if end == len(text):
        return _extract(text)
    head = _extract(text[:end])
    return replace(head, quantities=list(head.quantities), truncated=True)


@lru_cache(maxsize=32768)  # a 5,000-KR file, its objectives and its rewrites
def _extract(text: str) -> Measures:
    masked, date_spans, words = _mask(text)
    quantities: list[Quantity] = []
    digits = _DIGIT_RE.search(masked) is not None
    # A duration ("1h 10m") has an hour unit, so it needs the minutes context.
    minutes_context = digits and bool(_TIME_UNIT_RE.search(masked))
    if minutes_context:
        for m in _DURATION_RE.finditer(masked):
            minutes = float(m.group("h")) * 60 + float(m.group("m"))
            start, end = m.span()
            quantities.append(Quantity(minutes, "min", "number", start, end, text[start:end]))
    low = masked.lower()
    if words is None:  # prefilters: most texts hold none of these
        words = frozenset(_RUN_RE.findall(low))
    if " in " in low or " out " in low:
        for m in _RATIO_RE.finditer(masked):
            a = _word_or_int(m.group("a"))
            b = _word_or_int(m.group("b"))
            start, end = m.span()
            if b and _free(quantities, start, end):
                quantities.append(Quantity(a / b, "ratio", "ratio", start, end, text[start:end]))
    if digits:
        # ASCII: its lower case has the same positions, and is read faster (``_numbers``)
        scan, quantity = (
            (low, _QUANTITY_RE.lower) if low.isascii() else (masked, _QUANTITY_RE.any_case)
        )
        _add_numbers(text, scan, quantity, minutes_context, quantities)
    if not _MULTIPLIER_STEMS.isdisjoint(words) or "doubl" in low or "tripl" in low:
        for m in _MULTIPLIER_RE.finditer(masked):
            word = m.group(0).lower()
            factor = next((v for k, v in MULTIPLIER_WORDS.items() if k in word), 2.0)
            if "half" in word:
                factor = 0.5
            start, end = m.span()
            if _free(quantities, start, end):
                quantities.append(Quantity(factor, "x", "multiplier", start, end, text[start:end]))
    if not _WORD_NUMBER_RUNS.isdisjoint(words):
        for m in _WORD_NUMBER_RE.finditer(masked):
            word = m.group(0).lower().split("-")[0]
            written = next((v for w, v in _WORDS_LONGEST_FIRST if word.startswith(w)), None)
            start, end = m.span()
            if written is not None and _free(quantities, start, end):
                quantities.append(Quantity(float(written), "", "word", start, end, text[start:end]))
    if len(quantities) > 1:
        quantities.sort(key=_START)
    measures = Measures(quantities=quantities, date_spans=date_spans)
    _find_baseline_target(text, measures)
    measures.deadline = _deadline(text, date_spans, measures.baseline_span) if date_spans else None
    return measures


_START = attrgetter("start")


def _free(quantities: list[Quantity], start: int, end: int) -> bool:
    """No quantity found so far overlaps ``[start, end)`` (the first reading of a span wins)."""
    return not any(q.start < end and start < q.end for q in quantities)


def _add_numbers(
    text: str,
    masked: str,
    quantity: re.Pattern[str],
    minutes_context: bool,
    quantities: list[Quantity],
) -> None:
    """The numbers of ``masked`` (with their currency, unit, range or rate) not inside a
    quantity already found; ``quantity``: the form of ``_QUANTITY_RE`` for ``masked``
    (lower-cased when ASCII). One scan's matches never overlap each other, so only those
    found before it need checking."""
    before = len(quantities)
    for m in _numbers(masked, quantity):
        sign, cur, raw, raw_unit, outof, per = m.group("sign", "cur", "num", "unit", "outof", "per")
        start = m.start("sign") if sign else m.start("cur") if cur else m.start("num")
        end = m.end()
        while end > start and text[end - 1].isspace():
            end -= 1
        if before and not _free(quantities[:before], start, end):
            continue
        if minutes_context and not cur and (raw_unit or "").strip().lower() == "m":
            unit, kind, scale = "min", "number", 1.0
        else:
            unit, kind, scale = _unit_of(raw_unit, cur)
        value = float(raw.replace(",", "") if "," in raw else raw) * scale
        if sign:
            value *= -1.0
        if outof:
            kind, unit = "ratio", f"/{outof}"
        elif per:
            per = per.lower()
            unit = f"{unit}/{_PER_UNITS.get(per, per)}"
        quantities.append(Quantity(value, unit, kind, start, end, text[start:end]))


# A number starts at most this far before its first digit: a sign, "USD ", a space, ".".
_LEAD_BEFORE_DIGIT = 7


def _numbers(masked: str, quantity: re.Pattern[str]) -> Iterator[re.Match[str]]:
    """The matches of ``quantity.finditer(masked)``, with the text between numbers
    skipped: the regex is tried at every character, but a match needs a digit within
    ``_LEAD_BEFORE_DIGIT`` characters of where it starts, and a digit is found fast."""
    pos = 0
    while (digit := _DIGIT_RE.search(masked, pos)) is not None:
        # The lookbehinds and \\b of the regex see the text before ``pos`` too.
        m = quantity.search(masked, max(pos, digit.start() - _LEAD_BEFORE_DIGIT))
        if m is None:
            return
        yield m
        pos = m.end()


def _word_or_int(token: str) -> float:
    token = token.lower().replace("a ", "")
    if token.isdigit():
        return float(token)
    return float(WORD_NUMBERS.get(token, 1 if token == "one" else 0))


def _find_baseline_target(text: str, measures: Measures) -> None:
    """Pair a baseline with a target: ``from X to Y``, ``X → Y``, ``up from X``, ``currently X``."""
    qs = measures.quantities
    for i, q in enumerate(qs):
        window = max(0, q.start - 80)  # the 80 characters before (a slice: linear time)
        before = text[window : q.start]
        marker = _BASELINE_BEFORE.search(before) if _may_be_baseline(before) else None
        if not marker:
            continue
        measures.baseline = q
        start = marker.start() + window
        if i + 1 < len(qs) and _ARROW_RE.match(text[q.end : qs[i + 1].start]):
            measures.target = qs[i + 1]
            measures.baseline_span = (start, qs[i + 1].end)
        else:
            measures.baseline_span = (start, q.end)
        break
    if measures.baseline is None:
        for a, b in zip(qs, qs[1:], strict=False):
            between = text[a.end : b.start]
            # "32% → 50%", "8k to 12k" — not "segment 4 to $21k" (a name, then a target)
            if _ARROW_RE.match(between) and b.kind != "multiplier" and a.kind == b.kind:
                measures.baseline, measures.target = a, b
                measures.baseline_span = (a.start, b.end)
                break
    if measures.target is None:
        candidates = [q for q in qs if q is not measures.baseline]
        # "segment 4 to $21k": the quantity after "to"/"reach" is the target, not the name
        marked = next(
            (
                q
                for q in candidates
                if _STRONG_TARGET_RE.search(text[max(0, q.start - 12) : q.start])
            ),
            None,
        )
        if marked or candidates:
            measures.target = marked or candidates[0]
    if measures.target is not None:
        t = measures.target
        prefix = _TARGET_PREFIX_RE.search(text[max(0, t.start - 20) : t.start])
        start = t.start - (len(prefix.group(0)) if prefix else 0)
        measures.target_span = balanced(text, start, t.end)
    if measures.baseline_span is not None:
        measures.baseline_span = balanced(text, *measures.baseline_span)


def balanced(text: str, start: int, end: int) -> tuple[int, int]:
    """``[start, end)`` widened so brackets pair up: "(currently 99.5%)", never "…(currently 99.5%".

    A span wrapped whole in brackets takes them along, so a wider quote built from it
    ("99.95% (currently 99.5%)") stays balanced too.
    """
    if "(" not in text and ")" not in text:  # most texts: nothing to pair up
        return start, end
    opens, closes = text.count("(", start, end), text.count(")", start, end)
    if opens > closes:
        close = text.find(")", end)
        end = close + 1 if close >= 0 else end
    elif closes > opens:
        start = max(0, text.rfind("(", 0, start))
    before, after = text[:start].rstrip(), text[end:].lstrip()
    if before.endswith("(") and after.startswith(")") and opens == closes:
        start, end = len(before) - 1, end + (len(text[end:]) - len(after)) + 1
    return start, end


def relative_change(baseline: float, target: float, unit: str, bounded_from: float) -> float:
    """How far the target moves from the baseline, relative to where it starts.

    Percentages near 100% (availability, success rate, accuracy: both values at or above
    ``bounded_from``) are judged on the remaining gap: 99.5% → 99.95% cuts the gap from
    0.5 to 0.05 points, a tenfold change, not a 0.45% one.
    """
    if unit == "%" and min(baseline, target) >= bounded_from and max(baseline, target) <= 100:
        baseline, target = 100 - baseline, 100 - target
    if baseline:
        return abs(target - baseline) / abs(baseline)
    return 0.0 if target == baseline else math.inf


def date_spans(text: str, words: frozenset[str] | None = None) -> list[tuple[int, int]]:
    """Where the dates and periods are (cheaper than a full :func:`extract`). ``words``:
    the lower-case letter runs of ASCII ``text``, to skip the periods when none can be."""
    scan, dates = DATE_RE.scan(text)
    lowered = dates is DATE_RE.lower  # ``scan`` is the lower-cased text
    periods = PERIOD_RE.lower if lowered else PERIOD_RE.any_case
    found = [m.span() for m in dates.finditer(scan)]
    if (
        words is None
        or not _PERIOD_WORDS.isdisjoint(words)
        or "eo" in (scan if lowered else scan.lower())
    ):
        found += [m.span() for m in periods.finditer(scan)]
    if len(found) < 2:
        return found
    found.sort()
    merged: list[tuple[int, int]] = []
    for start, end in found:  # "by March" and "March 2026" are one deadline: "by March 2026"
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def is_date_only(text: str) -> bool:
    """True when the text is nothing but a date or quarter (no measure)."""
    masked, spans = _masked(text)
    return bool(spans) and not masked.strip(" ,.;:-")
