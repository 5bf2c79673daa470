"""The answers file of ``okr draft --answers FILE`` (SPEC §8), read into ``Answers``.

```yaml
objective: Make onboarding effortless
cycle: 2026-Q1                    # optional
name: Onboarding                  # optional
key_results:
  - metric: week-1 activation     # which measure shows the outcome
    baseline: 32%                 # where it is today
    target: 50%                   # where it should be
    deadline: 31 Mar 2026         # optional when the set has a cycle
```

Any answer may also be a list: the first answer, then the answers to the coach's
follow-up questions, in order. Every problem is a located ``InputError``
(``path:line: what is wrong``); judging the answers is the interview's job.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

from assistant.domain.drafting import MAX_KRS, Answer, Answers, KRAnswers
from assistant.errors import InputError
from assistant.io.line_numbered import LList, check_controls, line_of, quoted
from assistant.io.readers import MAX_INPUT_BYTES, decode, read_bytes
from assistant.io.yaml_reader import yaml_tree

TOP_KEYS = ("objective", "key_results", "cycle", "name")
KR_KEYS = ("metric", "baseline", "target", "deadline")


def read_answers(path: str) -> Answers:
    """Read and check an answers file; ``-`` reads stdin."""
    if path == "-":
        import sys

        data = sys.stdin.buffer.read(MAX_INPUT_BYTES + 1)
    else:
        data = read_bytes(path)
    return parse_answers(decode(data, path), path)


def parse_answers(text: str, label: str) -> Answers:
    """Answers from YAML text; ``label`` names the file in error messages."""
    tree = yaml_tree(text, label)
    check_controls(tree, label)
    lines = text.splitlines()

    def key_line(key: str, start: int) -> int:
        """The line of ``key:`` at or after ``start`` (keys carry no line of their own)."""
        pattern = re.compile(rf"^\s*(?:-\s+)?['\"]?{re.escape(key)}['\"]?\s*:")
        for number in range(max(start, 1), len(lines) + 1):
            if pattern.match(lines[number - 1]):
                return number
        return start

    if not isinstance(tree, dict):
        raise InputError(label, "expected a mapping with 'objective' and 'key_results'", 1)
    top = line_of(tree) or 1
    for key in tree:
        if key not in TOP_KEYS:
            raise InputError(
                label,
                f"unknown key {quoted(key)} (expected: {', '.join(TOP_KEYS)})",
                line_of(key) or key_line(key, top),
            )
    if tree.get("objective") is None:
        raise InputError(label, "'objective' is required: the outcome you want", top)
    objective = _replies(tree["objective"], "objective", label, key_line("objective", top))
    items = tree.get("key_results")
    if items is None:
        raise InputError(label, "'key_results' is required: a list of metric/baseline/…", top)
    if not isinstance(items, list) or not items:
        raise InputError(
            label, "'key_results' must be a non-empty list", key_line("key_results", top)
        )
    starts: list[int | None] = list(items.item_lines) if isinstance(items, LList) else []
    key_results = []
    for index, item in enumerate(items):
        where = (starts[index] if index < len(starts) else None) or line_of(item) or top
        if index >= MAX_KRS:
            raise InputError(
                label, f"at most {MAX_KRS} key results per objective (OBJ-KR-COUNT)", where
            )
        key_results.append(_key_result(item, index + 1, label, where, key_line))
    return Answers(
        objective=objective,
        key_results=tuple(key_results),
        cycle=_scalar(tree.get("cycle"), "cycle", label, key_line("cycle", top)),
        name=_scalar(tree.get("name"), "name", label, key_line("name", top)),
        source=label,
    )


def _key_result(
    item: Any, number: int, label: str, where: int, key_line: Callable[[str, int], int]
) -> KRAnswers:
    if not isinstance(item, dict):
        raise InputError(
            label,
            f"key result {number} must be a mapping with {', '.join(KR_KEYS)}",
            where,
        )
    for key in item:
        if key not in KR_KEYS:
            raise InputError(
                label,
                f"unknown key {quoted(key)} in key result {number}"
                f" (expected: {', '.join(KR_KEYS)})",
                line_of(key) or key_line(key, where),
            )
    if item.get("metric") is None:
        raise InputError(label, f"key result {number} has no 'metric' (which measure?)", where)
    fields = {
        key: _replies(item[key], key, label, key_line(key, where))
        if item.get(key) is not None
        else ()
        for key in KR_KEYS
    }
    return KRAnswers(line=where, **fields)


def _text(value: Any, key: str, label: str, line: int) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int | float | dt.date):
        raise InputError(label, f"'{key}' must be text or a number", line)
    if isinstance(value, dt.date):
        return value.isoformat()[:10]
    if isinstance(value, float):
        return f"{value:g}"
    return " ".join(str(value).split())


def _replies(value: Any, key: str, label: str, line: int) -> tuple[Answer, ...]:
    """One answer, or a list of them (the first, then the follow-up answers)."""
    values = value if isinstance(value, list) else [value]
    if not values:
        raise InputError(label, f"'{key}' is an empty list", line_of(value) or line)
    replies = []
    item_lines = list(getattr(value, "item_lines", [])) if isinstance(value, LList) else []
    for index, item in enumerate(values):
        where = line_of(item) or (item_lines[index] if index < len(item_lines) else None) or line
        if item is None:
            raise InputError(label, f"'{key}' has an empty answer in its list", where)
        replies.append(Answer(_text(item, key, label, where), where))
    return tuple(replies)


def _scalar(value: Any, key: str, label: str, line: int) -> str | None:
    if value is None:
        return None
    text = _text(value, key, label, line_of(value) or line)
    return text or None
