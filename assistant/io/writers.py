"""Writers for YAML (canonical), Markdown and JSON. Reading what they write gives the same model."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

import yaml

from assistant.model import KeyResult, Objective, OKRSet

WRITE_FORMATS = ("yaml", "markdown", "json")
_KR_FIELDS = ("owner", "type", "baseline", "target", "unit", "deadline", "aligns_to")


def _number(value: float) -> int | float:
    return int(value) if value.is_integer() else value


def _kr_data(kr: KeyResult) -> str | dict[str, Any]:
    if kr.is_plain():
        return kr.text
    data: dict[str, Any] = {"text": kr.text}
    for field in _KR_FIELDS:
        value = getattr(kr, field)
        if value is not None:
            data[field] = _number(value) if isinstance(value, float) else value
    if kr.source is not None:
        data["source"] = kr.source.model_dump(mode="json", exclude_none=True)
    return data


def _objective_data(objective: Objective) -> dict[str, Any]:
    data: dict[str, Any] = {"title": objective.title}
    for field in ("type", "owner", "aligns_to"):
        if getattr(objective, field) is not None:
            data[field] = getattr(objective, field)
    data["key_results"] = [_kr_data(kr) for kr in objective.key_results]
    return data


def set_data(okr_set: OKRSet) -> dict[str, Any]:
    """The canonical mapping of SPEC §2 (what YAML and JSON files hold)."""
    data: dict[str, Any] = {}
    for field in ("name", "owner", "cycle"):
        if getattr(okr_set, field) is not None:
            data[field] = getattr(okr_set, field)
    data["objectives"] = [_objective_data(o) for o in okr_set.objectives]
    return data


def _document(sets: Sequence[OKRSet]) -> dict[str, Any]:
    if len(sets) == 1:
        return set_data(sets[0])
    return {"sets": [set_data(s) for s in sets]}


class _Dumper(yaml.SafeDumper):
    """Block style, and strings that YAML would read back as something else stay quoted."""


def to_yaml(sets: Sequence[OKRSet]) -> str:
    return yaml.dump(
        _document(sets),
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        width=10_000,  # a long key result stays on its one line (no re-folding on save)
    )


def to_json(sets: Sequence[OKRSet]) -> str:
    return json.dumps(_document(sets), indent=2, ensure_ascii=False) + "\n"


def _md_value(value: object) -> str:
    return str(_number(value)) if isinstance(value, float) else str(value)


def _md_heading(level: int, title: str) -> str:
    """A heading the reader gives back verbatim: a title ending in a run of #s (or made
    of them) gets a closing ``#``, which the reader strips instead of the title's own."""
    closing = " #" if re.search(r"(?:^|\s)#+$", title) else ""
    return f"{'#' * level} {title}{closing}"


def _md_item(text: str) -> str:
    """A list item whose text starts like a task box (``[x] ``), a fence, HTML or would
    make a rule (``- --``) keeps it: the reader strips one box, so an empty one goes in
    front (the item's words are then plain text to a Markdown parser)."""
    boxed = re.match(r"\[[ xX]\](?:\s|$)|```|~~~|<", text) or re.fullmatch(r"[-\s]*", text)
    return f"- [ ] {text}" if boxed else f"- {text}"


def to_markdown(sets: Sequence[OKRSet]) -> str:
    lines: list[str] = []
    for okr_set in sets:
        lines.append(_md_heading(1, okr_set.name or "OKRs"))
        for field in ("owner", "cycle"):
            if getattr(okr_set, field) is not None:
                lines.append(f"{field.capitalize()}: {getattr(okr_set, field)}")
        lines.append("")
        for objective in okr_set.objectives:
            lines.append(_md_heading(2, objective.title))
            for field in ("type", "owner", "aligns_to"):
                if getattr(objective, field) is not None:
                    lines.append(f"{field}: {getattr(objective, field)}")
            lines.append("")
            for kr in objective.key_results:
                lines.append(_md_item(kr.text))
                for field in _KR_FIELDS:
                    value = getattr(kr, field)
                    if value is not None:
                        lines.append(f"  - {field}: {_md_value(value)}")
                if kr.source is not None:  # a YAML flow mapping (JSON is one) on one line
                    source = kr.source.model_dump(mode="json", exclude_none=True)
                    lines.append(f"  - source: {json.dumps(source, ensure_ascii=False)}")
            lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


def write_sets(sets: Sequence[OKRSet], fmt: str) -> str:
    fmt = {"md": "markdown", "yml": "yaml"}.get(fmt, fmt)
    writers = {"yaml": to_yaml, "json": to_json, "markdown": to_markdown}
    if fmt not in writers:
        raise ValueError(f"unknown output format '{fmt}' (use {', '.join(WRITE_FORMATS)})")
    return writers[fmt](sets)
