"""Located plain data to validated ``OKRSet`` objects: one builder for every format.

Aliases (``kr``, ``team``, ``quarter``…), numbers written as text (``32%``, ``$1.2M``)
and team files (``sets:``) are understood here; anything else is a located
``InputError`` naming the field and what was expected.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from datetime import date, datetime
from typing import TYPE_CHECKING

from assistant.domain.evaluation import Level, expect_code
from assistant.domain.text_safety import safe_text
from assistant.errors import InputError
from assistant.io.line_numbered import LDict, line_of, lstr, quoted
from assistant.measure import extract
from assistant.measure.periods import label_problem
from assistant.model import KeyResult, Objective, OKRSet, OKRType

if TYPE_CHECKING:
    from assistant.domain.source_spec import SourceSpec

_FIELD_LIKE = re.compile(r"[a-z_]+")
_PLAIN_NUMBER = re.compile(r"[+-]?\d{1,15}(?:\.\d{1,15})?")


class Builder:
    def __init__(self, label: str) -> None:
        self.label = label
        self.raw_sets: list = []  # a team file's sets, for the line of one that is no mapping

    def fail(self, message: str, where: object = None, line: int | None = None) -> InputError:
        return InputError(self.label, message, line if line is not None else line_of(where))

    def text(self, value: object, what: str, where: object) -> str:
        if isinstance(value, bool) or value is None:
            raise self.fail(f"{what} must be text", where)
        if isinstance(value, int | float | date):
            value = str(value)
        if not isinstance(value, str):
            raise self.fail(f"{what} must be text, not {_a(value)}", where)
        cleaned = " ".join(value.split())
        if not cleaned:
            raise self.fail(f"{what} is empty", where)
        return cleaned

    def optional_text(self, data: dict, key: str, what: str) -> str | None:
        value = data.get(key)
        if value is None:
            return None
        if isinstance(value, date | datetime):
            return value.isoformat()[:10]
        return self.text(value, what, value if line_of(value) else data)

    def okr_type(self, data: dict, what: str) -> OKRType | None:
        value = self.optional_text(data, "type", f"{what} type")
        if value is None:
            return None
        lowered = value.lower()
        if lowered == "committed":
            return "committed"
        if lowered == "aspirational":
            return "aspirational"
        raise self.fail(
            f"{what} type must be 'committed' or 'aspirational', not {quoted(value)}",
            data.get("type") or data,
        )

    def number(self, data: dict, key: str) -> tuple[float | None, str | None]:
        value = data.get(key)
        if value is None:
            return None, None
        if isinstance(value, bool):
            raise self.fail(f"{key} must be a number", data)
        if isinstance(value, int | float):
            try:
                number = float(value)
            except OverflowError:  # a whole number of 400 digits
                raise self.fail(
                    f"{key} is too large a number", data, _key_line(data, key)
                ) from None
            if not math.isfinite(number):
                raise self.fail(f"{key} must be a finite number", data, _key_line(data, key))
            return number, None
        if isinstance(value, str) and _PLAIN_NUMBER.fullmatch(value.strip()):
            return float(value), None  # "2010" from Markdown or CSV is a number, not a year
        if isinstance(value, str):
            m = extract(value)
            if len(m.quantities) == 1:
                q = m.quantities[0]
                if not math.isfinite(q.value):  # "999…9%" from Markdown or CSV
                    raise self.fail(f"{key} is too large a number", value)
                return q.value, (q.unit or None)
        raise self.fail(
            f"{key} must be a number such as 32, 32% or $1.2M, not {quoted(value)}",
            value if line_of(value) else data,
        )

    def check_keys(self, data: dict, allowed: Iterable[str], what: str, hint: str = "") -> None:
        allowed = tuple(allowed)
        for key in data:
            if key not in allowed:
                raise self.fail(
                    f"unknown {what} field {quoted(key)}"
                    + (f": {hint}" if hint else f" (expected one of: {', '.join(allowed)})"),
                    data,
                    _key_line(data, key),
                )

    def key_result(self, raw: object, where: object, line: int | None = None) -> KeyResult:
        if isinstance(raw, str | int | float) and not isinstance(raw, bool):
            return KeyResult(
                text=self.text(raw, "key result", raw), line=line_of(raw) or line_of(where)
            )
        if raw is None:
            raise self.fail("a key result is empty", where, line)
        if not isinstance(raw, dict):
            raise self.fail(f"a key result must be text or a mapping, not {_a(raw)}", where, line)
        data = _aliased(raw, {"kr": "text", "key_result": "text", "parent": "aligns_to"})
        self.check_keys(
            data,
            ("text", "owner", "type", "baseline", "target", "unit", "deadline", "aligns_to")
            + ("source", "expect"),
            "key result",
            _quote_hint(raw, "the key result", "- "),
        )
        if "text" not in data:
            raise self.fail("a key result needs 'text'", raw)
        baseline, base_unit = self.number(data, "baseline")
        target, target_unit = self.number(data, "target")
        return KeyResult(
            text=self.text(
                data["text"], "key result text", data["text"] if line_of(data["text"]) else raw
            ),
            owner=self.optional_text(data, "owner", "owner"),
            type=self.okr_type(data, "key result"),
            baseline=baseline,
            target=target,
            unit=self.optional_text(data, "unit", "unit") or target_unit or base_unit,
            deadline=self.optional_text(data, "deadline", "deadline"),
            aligns_to=self.optional_text(data, "aligns_to", "aligns_to"),
            source=self.source(data),
            line=line_of(raw),
            expect=self.expect(data, "kr"),
        )

    def source(self, data: dict) -> SourceSpec | None:
        """A KR's ``source:`` (SPEC §9), kept as written: ``${VAR}`` is not expanded here.
        Markdown gives it as text holding a YAML flow mapping."""
        raw = data.get("source")
        if raw is None:
            return None
        # Sources are pydantic models: imported for a file that has one, not at start-up.
        from assistant.domain.source_spec import SourceSpecError, parse_source

        line = line_of(raw) or (_item_line(raw, 0) if isinstance(raw, list) else None)
        where = raw if line else data
        if isinstance(raw, str):
            from assistant.io.yaml_reader import yaml_tree

            try:
                raw = yaml_tree(str(raw), self.label)
            except InputError:
                raise self.fail(
                    "source must be a mapping such as {csv: a.csv, column: x}", where, line
                ) from None
        try:
            return parse_source(raw)
        except SourceSpecError as exc:
            raise self.fail(str(exc), where, line) from None

    def expect(self, data: dict, level: Level) -> tuple[str, ...]:
        """The codes an ``okr eval`` label expects here (SPEC §12): a list of rubric codes
        of this level; never scored nor shown by a critique."""
        raw = data.get("expect")
        if raw is None:
            return ()
        if not isinstance(raw, list):
            raise self.fail(
                f"expect must be a list of codes such as [KR-NO-NUMBER], not {_a(raw)}",
                raw if line_of(raw) else data,
            )
        codes: list[str] = []
        for i, item in enumerate(raw):
            line = line_of(item) or _item_line(raw, i) or line_of(data)
            if not isinstance(item, str):
                raise self.fail(
                    f"expect holds codes such as KR-NO-NUMBER, not {_a(item)}", line=line
                )
            code, problem = expect_code(item, level)
            if code is None:
                raise self.fail(problem or "bad code in expect", line=line)
            codes.append(code)
        return tuple(dict.fromkeys(codes))

    def objective(self, raw: object, where: object) -> Objective:
        if not isinstance(raw, dict):
            raise self.fail(
                f"an objective must be a mapping with a title, not {_a(raw)}",
                raw if line_of(raw) else where,
            )
        data = _aliased(raw, {"objective": "title", "name": "title", "krs": "key_results",
                              "key results": "key_results", "parent": "aligns_to"})  # fmt: skip
        self.check_keys(
            data,
            ("title", "type", "owner", "aligns_to", "key_results", "expect"),
            "objective",
            _quote_hint(raw, "the title", "- title: "),
        )
        if "title" not in data:
            raise self.fail("an objective needs a 'title'", raw)
        krs = data.get("key_results") or []
        if not isinstance(krs, list):
            raise self.fail(
                f"key_results must be a list, not {_a(krs)}", raw, _key_line(data, "key_results")
            )
        return Objective(
            title=self.text(
                data["title"], "objective title", data["title"] if line_of(data["title"]) else raw
            ),
            type=self.okr_type(data, "objective"),
            owner=self.optional_text(data, "owner", "owner"),
            aligns_to=self.optional_text(data, "aligns_to", "aligns_to"),
            key_results=[self.key_result(kr, raw, _item_line(krs, i)) for i, kr in enumerate(krs)],
            line=line_of(raw),
            expect=self.expect(data, "objective"),
        )

    def okr_set(self, raw: object, index: int, default_name: str, defaults: dict) -> OKRSet:
        if not isinstance(raw, dict):
            raise self.fail(
                f"a set must be a mapping with 'objectives', not {_a(raw)}",
                raw,
                line_of(raw) or _item_line(self.raw_sets, index - 1) or 1,
            )
        data = _aliased(
            raw, {"team": "name", "title": "name", "quarter": "cycle", "period": "cycle"}
        )
        self.check_keys(data, ("name", "owner", "cycle", "objectives", "expect"), "set")
        objectives = data.get("objectives")
        if objectives is None:
            raise self.fail(
                "expected 'objectives:' (a list of objectives with key_results)",
                raw,
                line_of(raw) or 1,
            )
        if not isinstance(objectives, list):
            raise self.fail(
                f"objectives must be a list, not {_a(objectives)}",
                raw,
                _key_line(data, "objectives"),
            )
        merged = {**defaults, **{k: v for k, v in data.items() if v is not None}}
        cycle = self.optional_text(merged, "cycle", "cycle")
        problem = label_problem(cycle)
        if problem is not None:  # "2026-Q9": shaped like a period, but none
            raise self.fail(problem, merged.get("cycle"), line_of(merged.get("cycle")) or None)
        return OKRSet(
            name=self.optional_text(merged, "name", "name") or default_name,
            owner=self.optional_text(merged, "owner", "owner"),
            cycle=cycle,
            objectives=[self.objective(o, raw) for o in objectives],
            line=line_of(raw) or 1,
            source="stdin" if self.label == "-" else self.label,  # not "-#1" in reports
            index=index,
            expect=self.expect(data, "set"),
        )

    def sets(self, tree: object, stem: str) -> list[OKRSet]:
        if isinstance(tree, list):
            tree = LDict(sets=tree)
        if not isinstance(tree, dict):
            raise self.fail(
                f"expected a mapping with 'objectives:' or 'sets:', not {_a(tree)}", tree, 1
            )
        if "sets" in tree:
            raw_sets = tree["sets"]
            if not isinstance(raw_sets, list):
                raise self.fail(
                    f"sets must be a list, not {_a(raw_sets)}",
                    tree,
                    _key_line(tree, "sets") or line_of(tree) or 1,
                )
            self.raw_sets = raw_sets
            self.check_keys(tree, ("sets", "cycle", "owner", "name"), "team file")
            defaults = {k: tree[k] for k in ("cycle",) if tree.get(k) is not None}
            if not raw_sets:
                raise self.fail("the team file has no sets", tree, line_of(tree) or 1)
            return [
                self.okr_set(raw, i, f"{stem} {i}", defaults)
                for i, raw in enumerate(raw_sets, start=1)
            ]
        return [self.okr_set(tree, 1, stem, {})]


def _item_line(items: list, index: int) -> int | None:
    lines = getattr(items, "item_lines", None)
    return lines[index] if lines and index < len(lines) else None


def _aliased(data: dict, aliases: dict[str, str]) -> dict:
    """Keys lower-cased and aliased (``kr`` → ``text``), each keeping its line."""
    result = LDict()
    result.line = line_of(data)
    for key, value in data.items():
        name = str(key).lower()
        result[lstr(aliases.get(name, name), line_of(key))] = value
    return result


def _key_line(data: dict, key: str) -> int | None:
    """The line of ``key:`` (a YAML or JSON key knows it), else of its value."""
    for candidate in data:
        if candidate == key:
            return line_of(candidate) or line_of(data[candidate])
    return None


def _quote_hint(raw: dict, what: str, prefix: str) -> str:
    """``- Raise NPS: from 30 to 45`` is a one-pair mapping to YAML: say how to keep it
    as the text that was meant (single-quoted, so ``:`` and ``#`` stay words)."""
    if len(raw) != 1:
        return ""
    ((key, value),) = raw.items()
    if _FIELD_LIKE.fullmatch(str(key)):  # "- txt: …" is a misspelt field, not words
        return ""
    if not isinstance(value, str | int | float | date) or isinstance(value, bool):
        return ""
    meant = safe_text(f"{key}: {value}").replace("'", "''")
    return f"put {what} in quotes: {prefix}'{meant}'"


def _a(value: object) -> str:
    """What a value is, in a reader's words: "text", "a number", "a list"…"""
    if isinstance(value, str):
        return "text"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, date):
        return "a date"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return "nothing" if value is None else "a value"
