"""Reviewer personas for ``okr review``: data files, validated, built-in and the user's own.

Built-in personas ship in ``rubrics/personas/*.yaml``; users add their own in a personas
directory (the App's ``paths.personas``: ``$OKR_HOME/personas/*.yaml``); a user persona
with a built-in's name replaces it. A bad file is an :class:`InputError` pointing at
``path:line``.
"""

from __future__ import annotations

import re
import string
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from assistant.errors import InputError, UsageError
from assistant.rubric.rules import load_rubric
from assistant.rubric.team_rules import TEAM_CODES

LENSES: tuple[str, ...] = ("jargon", "data_source", "guardrail")
# Codes of the points the lenses raise (offline engine); personas may weigh them too.
LENS_CODES: dict[str, str] = {
    "jargon": "REVIEW-JARGON",
    "data_source": "REVIEW-DATA-SOURCE",
    "guardrail": "REVIEW-GUARDRAIL",
}
TEMPLATE_FIELDS = frozenset(
    {"evidence", "text", "target", "message", "question", "suggestion", "title"}
)
AGREE_FIELDS = frozenset({"other", "target", "point", "evidence", "text"})
COUNTER_FIELDS = frozenset({"other", "target", "evidence", "text"})
DEFAULT_WEIGHT = 1.0
LENS_WEIGHT = 3.0


class Persona(BaseModel):
    """One reviewer: who they are, what they weigh, and how they say it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$", max_length=40)
    display_name: str = Field(min_length=1, max_length=80)
    role: str = Field(min_length=1, max_length=120)
    focus: str = Field(min_length=1, max_length=1200)
    tone: str = Field(min_length=1, max_length=300)
    default: bool = True
    weights: dict[str, float] = Field(default_factory=dict)
    questions: list[str] = Field(min_length=1, max_length=12)
    say: dict[str, str] = Field(default_factory=dict)
    agree: str = "I agree with {other} on {target}: {point}"
    counterpoints: dict[str, str] = Field(default_factory=dict)
    lenses: list[Literal["jargon", "data_source", "guardrail"]] = Field(default_factory=list)
    known_terms: list[str] = Field(default_factory=list)

    def weight(self, code: str | None) -> float:
        """How much this reviewer weighs a rule; the points of their own lenses default
        higher (they are what this reviewer is there for)."""
        if code is None:
            return DEFAULT_WEIGHT
        if code in self.weights:
            return self.weights[code]
        own = {LENS_CODES[lens] for lens in self.lenses}
        return LENS_WEIGHT if code in own else DEFAULT_WEIGHT

    def card(self) -> str:
        """The persona as the model sees it (LLM engine)."""
        heavy = sorted(self.weights.items(), key=lambda kv: (-kv[1], kv[0]))
        cares = ", ".join(code for code, w in heavy if w >= 2) or "(no particular rules)"
        ignores = ", ".join(code for code, w in heavy if w == 0)
        lines = [
            f"Reviewer id: {self.name}",
            f"Name: {self.display_name}",
            f"Role: {self.role}",
            f"Focus: {' '.join(self.focus.split())}",
            f"Tone: {self.tone}",
            f"Weighs most: {cares}",
        ]
        if ignores:
            lines.append(f"Does not care about: {ignores}")
        lines.append("Typical questions:")
        lines += [f"- {q}" for q in self.questions]
        return "\n".join(lines)


@dataclass(frozen=True)
class PersonaEntry:
    """A loaded persona and where it came from (``okr personas`` shows both)."""

    persona: Persona
    origin: Literal["built-in", "user"]
    path: str
    overrides: bool = False


def known_codes() -> frozenset[str]:
    return frozenset(
        {r.code for r in load_rubric().rules} | set(TEAM_CODES) | set(LENS_CODES.values())
    )


# --- reading a file with line numbers for errors ---------------------------------------------


def _line_for(node: yaml.Node | None, loc: Sequence[Any]) -> int | None:
    """The 1-based line of the YAML node at ``loc`` (the deepest one that exists)."""
    line = node.start_mark.line + 1 if node is not None else None
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            found = next(
                (
                    (k, v)
                    for k, v in node.value
                    if isinstance(k, yaml.ScalarNode) and k.value == str(part)
                ),
                None,
            )
            if found is None:
                return line
            key, node = found
            line = (
                key.start_mark.line + 1
                if not isinstance(node, yaml.ScalarNode)
                else node.start_mark.line + 1
            )
        elif (
            isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value)
        ):
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            return line
    return line


def _template_problem(template: str, allowed: frozenset[str]) -> str | None:
    try:
        fields = [
            name
            for _lit, name, _spec, _conv in string.Formatter().parse(template)
            if name is not None
        ]
    except ValueError as exc:
        return f"bad template ({exc}); write literal braces as {{{{ and }}}}"
    for name in fields:
        if name not in allowed:
            return f"unknown placeholder {{{name}}} (use: {', '.join(sorted(allowed))})"
    return None


def parse_persona(text: str, label: str) -> Persona:
    """Validate one persona file's text; errors are ``label:line: message``."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise InputError(
            label, f"invalid YAML: {problem}", mark.line + 1 if mark else None
        ) from None
    if not isinstance(data, dict):
        raise InputError(label, "a persona file is a mapping with name, display_name, role, …", 1)
    try:
        persona = Persona.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        loc = [p for p in error["loc"] if p not in ("literal_error",)]
        where = ".".join(str(p) for p in loc) or "persona"
        message = error["msg"]
        if error["type"] == "extra_forbidden":
            message = f"unknown field (expected: {', '.join(Persona.model_fields)})"
        elif error["type"] == "missing":
            message = "is required"
        elif error["type"] == "string_pattern_mismatch" and loc == ["name"]:
            message = (
                "must be a slug id: lowercase letters, digits and hyphens (e.g. 'security-lead')"
            )
        raise InputError(label, f"{where}: {message}", _line_for(root, loc)) from None
    codes = known_codes()

    def fail(loc: Sequence[Any], message: str) -> InputError:
        return InputError(label, message, _line_for(root, loc))

    for code, weight in persona.weights.items():
        if code not in codes:
            raise fail(("weights", code), f"weights: unknown rule code '{code}' (see `okr rubric`)")
        if not 0 <= weight <= 5:
            raise fail(
                ("weights", code), f"weights.{code}: must be between 0 and 5, not {weight:g}"
            )
    for code, template in persona.say.items():
        if code != "default" and code not in codes:
            raise fail(("say", code), f"say: unknown rule code '{code}' (or 'default')")
        problem = _template_problem(template, TEMPLATE_FIELDS)
        if problem:
            raise fail(("say", code), f"say.{code}: {problem}")
    for code, template in persona.counterpoints.items():
        if code not in codes:
            raise fail(("counterpoints", code), f"counterpoints: unknown rule code '{code}'")
        problem = _template_problem(template, COUNTER_FIELDS)
        if problem:
            raise fail(("counterpoints", code), f"counterpoints.{code}: {problem}")
    problem = _template_problem(persona.agree, AGREE_FIELDS)
    if problem:
        raise fail(("agree",), f"agree: {problem}")
    return persona


def _read(path: Path, label: str) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InputError(label, "not valid UTF-8; save the file as UTF-8", 1) from None
    except OSError as exc:
        raise InputError(label, f"cannot read ({exc.strerror or exc})") from None


@lru_cache(maxsize=1)
def builtin_personas() -> tuple[PersonaEntry, ...]:
    """The personas shipped with okr-coach, in a stable order (defaults first)."""
    folder = resources.files("rubrics").joinpath("personas")
    entries = []
    for item in sorted(folder.iterdir(), key=lambda p: p.name):
        if not item.name.endswith((".yaml", ".yml")):
            continue
        label = f"rubrics/personas/{item.name}"
        entries.append(
            PersonaEntry(parse_persona(item.read_text(encoding="utf-8"), label), "built-in", label)
        )
    return tuple(_ordered(entries))


_ORDER = (
    "finance-lead",
    "engineering-manager",
    "customer-advocate",
    "data-analyst",
    "new-team-member",
)


def _ordered(entries: list[PersonaEntry]) -> list[PersonaEntry]:
    rank = {name: i for i, name in enumerate(_ORDER)}
    return sorted(entries, key=lambda e: (rank.get(e.persona.name, len(rank)), e.persona.name))


def persona_source(entry: PersonaEntry) -> str:
    """The YAML text a persona was loaded from (a starting point for your own)."""
    if entry.origin == "built-in":
        name = entry.path.rsplit("/", 1)[-1]
        folder = resources.files("rubrics").joinpath("personas")
        return folder.joinpath(name).read_text(encoding="utf-8")
    return _read(Path(entry.path), entry.path)


def load_personas(folder: Path | None) -> list[PersonaEntry]:
    """Built-in personas, then the user's (``folder/*.yaml``, none when ``folder`` is None);
    a user persona with a built-in's name replaces it. Any bad user file stops with
    ``path:line:``."""
    entries = {e.persona.name: e for e in builtin_personas()}
    order = [e.persona.name for e in builtin_personas()]
    if folder is not None and folder.is_dir():
        seen: dict[str, str] = {}
        for path in sorted(folder.iterdir()):
            if path.suffix.lower() not in (".yaml", ".yml") or not path.is_file():
                continue
            label = str(path)
            text = _read(path, label)
            if not text.strip():
                continue  # e.g. `okr personas x --yaml > personas/new.yaml` while it is written
            persona = parse_persona(text, label)
            if persona.name in seen:
                line = _line_for(yaml.compose(text, Loader=yaml.SafeLoader), ("name",))
                raise InputError(
                    label,
                    f"name: persona '{persona.name}' is already defined in {seen[persona.name]}",
                    line,
                )
            seen[persona.name] = label
            overrides = persona.name in entries and entries[persona.name].origin == "built-in"
            if persona.name not in entries:
                order.append(persona.name)
            entries[persona.name] = PersonaEntry(persona, "user", label, overrides)
    return [entries[name] for name in order]


def select_personas(names: Sequence[str] | None, folder: Path | None) -> list[Persona]:
    """The panel: the named personas in the given order, or every default persona
    (``folder``: the user's personas directory, see :func:`load_personas`)."""
    entries = load_personas(folder)
    by_name = {e.persona.name: e.persona for e in entries}
    if not names:
        return [e.persona for e in entries if e.persona.default]
    panel: list[Persona] = []
    for raw in names:
        name = raw.strip().lower()
        if not name:
            continue
        if name not in by_name:
            known = ", ".join(by_name)
            raise UsageError(f"unknown persona '{raw}' (known: {known}; see `okr personas`)")
        if by_name[name] not in panel:
            panel.append(by_name[name])
    if not panel:
        raise UsageError("--personas names no persona")
    return panel


def split_names(value: str | None) -> list[str] | None:
    """``"a, b,c"`` → ``["a", "b", "c"]``; None or empty → None (the default panel)."""
    if value is None:
        return None
    names = [n for n in re.split(r"[\s,]+", value) if n]
    return names or None
