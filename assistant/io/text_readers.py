"""Markdown and CSV text to located plain data (the same shape the YAML reader gives).

Markdown: ``# Set``, ``## Objective``, ``- key result`` with indented ``field: value``
items. CSV: one row per key result, columns ``set,objective,key_result`` plus optional
fields. Every failure is a located ``InputError``.
"""

from __future__ import annotations

import csv
import io
import re
from typing import Any

from assistant.errors import InputError
from assistant.io.located import LDict, lstr

# A closing run of #s is stripped only after whitespace (CommonMark): "Ship C#" keeps its #.
_MD_HEADING = re.compile(r"^(#{1,6})\s+(.*?)(?:\s+#+)?\s*$")
_MD_ITEM = re.compile(r"^(\s*)(?:[-*+]|\d+[.)])\s+(?:\[[ xX]\]\s+)?(.*\S)\s*$")
_MD_META = re.compile(r"^\s*(owner|cycle|type|aligns_to|parent)\s*:\s*(.+?)\s*$", re.I)
_KR_FIELDS = ("owner", "type", "baseline", "target", "unit", "deadline", "aligns_to", "parent")


def markdown_tree(text: str, label: str) -> Any:
    sets: list[LDict] = []
    current_set: LDict | None = None
    objective: LDict | None = None
    kr: LDict | None = None
    in_code = False

    def new_set(name: str | None, line: int) -> LDict:
        s = LDict(objectives=[])
        s.line = line
        if name:
            s["name"] = lstr(name, line)
        sets.append(s)
        return s

    for number, raw in enumerate(text.splitlines(), start=1):
        if raw.lstrip().startswith("```"):
            in_code = not in_code
            continue
        if in_code or not raw.strip() or raw.lstrip().startswith("<!--"):
            continue
        heading = _MD_HEADING.match(raw)
        if heading:
            level, title = len(heading.group(1)), heading.group(2)
            if level == 1:
                current_set, objective, kr = new_set(title, number), None, None
            elif level == 2:
                if current_set is None:
                    current_set = new_set(None, number)
                objective = LDict(title=lstr(title, number), key_results=[])
                objective.line = number
                current_set["objectives"].append(objective)
                kr = None
            continue
        item = _MD_ITEM.match(raw)
        if item and objective is not None:
            indent, body = len(item.group(1).expandtabs(4)), item.group(2)
            meta = re.match(r"^([a-z_]+)\s*:\s*(.+)$", body)
            if indent >= 2 and kr is not None and meta and meta.group(1).lower() in _KR_FIELDS:
                kr[meta.group(1).lower()] = lstr(meta.group(2), number)
            elif indent < 2:
                kr = LDict(text=lstr(body, number))
                kr.line = number
                objective["key_results"].append(kr)
            continue
        meta = _MD_META.match(raw)
        if meta and (objective is not None or current_set is not None) and kr is None:
            key = meta.group(1).lower()
            holder = objective if objective is not None else current_set
            if holder is not None and (
                key in ("type", "owner", "aligns_to", "parent") or objective is None
            ):
                holder[key] = lstr(meta.group(2), number)
    if not sets or not any(s.get("objectives") or s.get("name") for s in sets):
        raise InputError(
            label,
            "no OKRs found: expected '## Objective' headings with '- key result' list items",
            1,
        )
    if len(sets) == 1:
        return sets[0]
    return LDict(sets=sets)


_CSV_ALIASES = {
    "key_result": ("key_result", "key result", "kr", "keyresult", "key_results"),
    "objective": ("objective", "objective_title", "objective title"),
    "set": ("set", "team", "set_name"),
}


def csv_tree(text: str, label: str) -> Any:
    try:
        reader = csv.reader(io.StringIO(text, newline=""), strict=True)
        header = next(reader)
    except (csv.Error, StopIteration) as exc:
        raise InputError(label, f"invalid CSV: {exc}", 1) from None
    columns = [h.strip().lower().replace("-", "_") for h in header]
    index: dict[str, int] = {}
    for i, name in enumerate(columns):
        canonical = next((k for k, names in _CSV_ALIASES.items() if name in names), name)
        index.setdefault(canonical, i)
    missing = [c for c in ("objective", "key_result") if c not in index]
    if missing:
        raise InputError(
            label,
            f"CSV header needs columns set,objective,key_result (missing: {', '.join(missing)})",
            1,
        )
    sets: dict[str, LDict] = {}
    objectives: dict[tuple[str, str], LDict] = {}
    try:
        for row in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in row):
                continue

            def cell(name: str, row: list[str] = row) -> str:
                i = index.get(name)
                return row[i].strip() if i is not None and i < len(row) else ""

            set_name = cell("set")
            if set_name not in sets:
                s = LDict(objectives=[])
                s.line = line
                if set_name:
                    s["name"] = lstr(set_name, line)
                if cell("cycle"):
                    s["cycle"] = lstr(cell("cycle"), line)
                sets[set_name] = s
            title = cell("objective")
            if not title:
                raise InputError(label, "the objective column is empty", line)
            key = (set_name, title)
            if key not in objectives:
                obj = LDict(title=lstr(title, line), key_results=[])
                obj.line = line
                for column, field in (
                    ("objective_type", "type"),
                    ("objective_owner", "owner"),
                    ("objective_aligns_to", "aligns_to"),
                ):
                    if cell(column):
                        obj[field] = lstr(cell(column), line)
                objectives[key] = obj
                sets[set_name]["objectives"].append(obj)
            text_cell = cell("key_result")
            if not text_cell:
                continue
            kr = LDict(text=lstr(text_cell, line))
            kr.line = line
            for field in ("owner", "type", "baseline", "target", "unit", "deadline", "aligns_to"):
                if cell(field):
                    kr[field] = lstr(cell(field), line)
            objectives[key]["key_results"].append(kr)
    except csv.Error as exc:
        raise InputError(label, f"invalid CSV: {exc}", reader.line_num) from None
    if not sets:
        raise InputError(label, "CSV has a header but no rows", 1)
    if len(sets) == 1:
        return next(iter(sets.values()))
    return LDict(sets=list(sets.values()))
