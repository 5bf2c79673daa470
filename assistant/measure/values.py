"""A check-in value read against a key result's unit: ``41``, ``41%``, ``$1.2M``, ``-5``,
``36 hours`` for a KR in days.

Read like key-result text (``measure.extract``), so a value means what it would mean in
the KR. Refused, with a sentence saying why: no number, several numbers, a unit that does
not convert into the KR's (``2 furlongs`` for hours, ``45 users`` for a %), and values
that are not finite or absurdly large (a 400-digit number would be stored as Infinity).
"""

from __future__ import annotations

import math
import re

from assistant.measure import extract
from assistant.measure import units as unit_names

# Larger than any value a key result is measured in (revenue in cents of a large company
# is ~1e13); beyond it a value is a typo or an attack, never a reading.
MAX_ABS_VALUE = 1e15

_PLAIN = re.compile(r"^[+\-−]?(?:\d{1,3}(?:,\d{3})+|\d+)?(?:\.\d+)?$")
_TAIL_WORD = re.compile(r"[A-Za-z][A-Za-z.'-]*")


class ValueNotRead(ValueError):
    """A value that cannot be read in the KR's unit; the message says why."""


def _check(value: float, raw: str) -> float:
    if not math.isfinite(value) or abs(value) >= MAX_ABS_VALUE:
        raise ValueNotRead(f"'{_short(raw)}' is too large to be a value of this key result")
    return value


def _short(raw: str, limit: int = 40) -> str:
    return raw if len(raw) <= limit else raw[: limit - 1] + "…"


def _unit_label(unit: str) -> str:
    return f"'{unit}'" if unit else "a plain number (no unit)"


def _named_in(word: str, kr_text: str) -> bool:
    stem = word.rstrip("s")
    return len(stem) > 1 and re.search(rf"\b{re.escape(stem)}", kr_text, re.IGNORECASE) is not None


def read_number(raw: str, unit: str, kr_text: str = "") -> float:
    """``raw`` as a number in ``unit`` (the KR's canonical unit, ``""`` for a count).

    A bare number is taken in the KR's unit. A unit that converts (``36 hours`` for days)
    is converted; any other unit or word after the number is refused, except, for a
    count, a noun of the KR itself ("12 engineers" for "Hire 12 engineers")."""
    text = " ".join(raw.split())
    if not text:
        raise ValueNotRead("the value is empty")
    if len(text) > 1000:
        raise ValueNotRead(f"'{_short(text)}' is too long to be a value")
    if _PLAIN.match(text) and any(ch.isdigit() for ch in text):
        negative = text[0] in "-−"
        body = text.lstrip("+-−").replace(",", "")
        return _check(-float(body) if negative else float(body), text)
    found = extract(text)
    quantities = found.quantities
    if not quantities:
        raise ValueNotRead(f"'{_short(text)}' is not a number")
    if len(quantities) > 1:
        raise ValueNotRead(f"'{_short(text)}' holds more than one number")
    q = quantities[0]
    if q.kind == "multiplier" or (q.kind == "ratio" and unit not in ("ratio", "%")):
        raise ValueNotRead(f"'{_short(text)}' is relative, not a value in {_unit_label(unit)}")
    value = _check(q.value, text)
    rest = (text[: q.start] + " " + text[q.end :]).strip(" .")
    got = unit_names.canonical(q.unit) if q.unit else ""
    if rest:
        word = _TAIL_WORD.match(rest)
        tail = rest.lower()
        if word is None or rest != word.group(0):
            raise ValueNotRead(f"'{_short(text)}' is not one number and its unit")
        if not unit and not got and _named_in(tail, kr_text):
            pass  # "12 engineers" for "Hire 12 engineers": the KR's own count noun
        elif unit_names.is_unit(tail) and not got:
            got = unit_names.canonical(tail)
        else:
            raise ValueNotRead(
                f"'{_short(text)}': '{rest}' is not a unit the KR is measured in "
                f"(the KR is in {_unit_label(unit)})"
            )
    if not got or got == unit:
        return value
    if not unit:
        raise ValueNotRead(f"'{_short(text)}' is in '{got}' but the KR is a plain number (no unit)")
    converted = unit_names.convert(value, got, unit)
    if converted is None:
        raise ValueNotRead(f"'{_short(text)}' is in '{got}' but the KR is in '{unit}'")
    return _check(converted, text)
