"""Units of a measure: one spelling per unit, and which units convert into which.

``3 days`` and ``72 hours`` are one duration; ``%`` and ``users`` are not one unit, and
``furlongs`` is no unit a key result is read in. The reading of a key result
(``measure.reading``), check-in values (``measure.values``) and the cycle math use these.
"""

from __future__ import annotations

_TIME: dict[str, tuple[str, float]] = {}
for _names, _canon, _seconds in (
    (("ms", "millisecond", "milliseconds"), "ms", 0.001),
    (("s", "sec", "secs", "second", "seconds"), "s", 1.0),
    (("min", "mins", "minute", "minutes", "m"), "min", 60.0),
    (("h", "hr", "hrs", "hour", "hours"), "h", 3600.0),
    (("d", "day", "days"), "days", 86400.0),
    (("wk", "wks", "week", "weeks"), "weeks", 604800.0),
):
    for _name in _names:
        _TIME[_name] = (_canon, _seconds)
_OTHER = {
    "month": "months", "months": "months", "mo": "months", "mos": "months",
    "year": "years", "years": "years", "yr": "years", "yrs": "years",
    "quarter": "quarters", "quarters": "quarters",
    "percent": "%", "per cent": "%", "pp": "%", "percentage points": "%", "percentage point": "%",
    "pts": "points", "pt": "points", "point": "points", "points": "points",
    "usd": "$", "dollar": "$", "dollars": "$", "us$": "$", "eur": "€", "euro": "€",
    "euros": "€", "gbp": "£", "pound": "£", "pounds": "£",
}  # fmt: skip
# Units a value can carry at all (besides time units, %, money and the ones above).
KNOWN = frozenset(
    {"%", "$", "€", "£", "¥", "x", "points", "months", "years", "quarters", "gb", "mb", "tb",
     "kb", "rps", "qps", "tps", "ratio", "/5", "/10", "/100", "bpm", "km", "kg", "steps"}
)  # fmt: skip


def canonical(unit: str | None) -> str:
    """One spelling per unit: ``day``/``days``/``d`` → ``days``, ``percent`` → ``%``."""
    u = (unit or "").strip()
    low = u.lower()
    if low in _TIME:
        return _TIME[low][0]
    return _OTHER.get(low, u)


def is_time(unit: str) -> bool:
    return canonical(unit) in ("ms", "s", "min", "h", "days", "weeks")


def convert(value: float, unit: str, to: str) -> float | None:
    """``value`` in ``unit`` expressed in ``to``; None when the two do not convert."""
    a, b = canonical(unit), canonical(to)
    if a == b:
        return value
    ta, tb = _TIME.get(a), _TIME.get(b)
    if ta and tb:
        return value * ta[1] / tb[1]
    if {a, b} == {"%", "ratio"}:  # 1 in 8 is 12.5%
        return value / 100 if a == "%" else value * 100
    return None


def is_unit(word: str) -> bool:
    """Whether ``word`` names a unit at all (``hours``, ``%``, ``usd``; not ``furlongs``)."""
    low = word.strip().lower()
    return low in _TIME or low in _OTHER or low in KNOWN or canonical(low) in KNOWN
