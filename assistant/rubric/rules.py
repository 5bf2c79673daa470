"""Load the rubric data shipped in the ``rubrics`` package: the rules (``rules.yaml``) and
the lessons a graded cycle teaches (``lessons.yaml``).

Plain frozen dataclasses, not pydantic models: the rubric is loaded by every
``okr critique``, where importing pydantic would cost more than the whole rules engine.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any, TypeVar

import yaml

if TYPE_CHECKING:  # only the names: the model is not needed to load the rubric
    from assistant.model import Dimension, Severity


class RubricDataError(ValueError):
    """A rule in the rubric data lacks a key it needs, or has one of the wrong type."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Rule:
    """One rule: metadata for people plus detection parameters for the engine.

    The detection parameters (``similarity``, ``verbs``, ``caps``…) differ per rule, so
    they are not fields: they live in ``params``, read with :meth:`param`.
    """

    code: str
    target: str
    dimension: Dimension
    severity: Severity
    title: str
    detects: str
    why: str
    message: str
    question: str
    suggestion: str
    examples: dict[str, str] = field(default_factory=dict)
    params: dict[str, Any] = field(default_factory=dict, repr=False)

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> Rule:
        """A rule from its YAML mapping: the named keys become fields, the others params."""
        if not isinstance(data, Mapping):
            raise RubricDataError(f"a rule must be a mapping, not {type(data).__name__}")
        code = data.get("code", "?")
        missing = [name for name in _REQUIRED if name not in data]
        if missing:
            raise RubricDataError(f"rule {code!r} lacks required key(s): {', '.join(missing)}")
        wrong = [name for name in _REQUIRED if not isinstance(data[name], str)]
        if wrong:
            raise RubricDataError(f"rule {code!r}: {', '.join(wrong)} must be text")
        for name, allowed in (("dimension", _DIMENSIONS), ("severity", _SEVERITIES)):
            if data[name] not in allowed:
                raise RubricDataError(
                    f"rule {code!r}: {name} must be one of {', '.join(allowed)}, not {data[name]!r}"
                )
        examples = data.get("examples", {})
        if not isinstance(examples, Mapping) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in examples.items()
        ):
            raise RubricDataError(f"rule {code!r}: examples must map names to text")
        named = {name: data[name] for name in _REQUIRED}
        params = {k: v for k, v in data.items() if k not in _NAMED}
        return cls(**named, examples=dict(examples), params=params)

    def param(self, name: str, default: Any = None) -> Any:
        return self.params.get(name, default)

    def model_copy(self, *, update: Mapping[str, Any] | None = None) -> Rule:
        """A copy with ``update`` applied, as pydantic's ``model_copy`` did for callers
        that vary a rule: names that are not fields update the params."""
        if not update:
            return self
        fields = {k: v for k, v in update.items() if k in _NAMED}
        extra = {k: v for k, v in update.items() if k not in _NAMED}
        if extra:
            fields["params"] = {**self.params, **extra}
        return dataclasses.replace(self, **fields)

    @property
    def caps(self) -> dict[str, float]:
        """The most each named dimension of the target may score with this finding."""
        return {str(k): float(v) for k, v in (self.param("caps") or {}).items()}


_NAMED = frozenset(f.name for f in dataclasses.fields(Rule)) - {"params"}
# The values of ``Dimension`` and ``Severity`` (assistant.model), spelt out so that
# loading the rubric needs no model; a test holds them equal.
_DIMENSIONS = ("clarity", "measurability", "ambition", "structure")
_SEVERITIES = ("error", "warning", "info")
_REQUIRED = tuple(f.name for f in dataclasses.fields(Rule) if f.name not in ("examples", "params"))


def find_rule(rules: tuple[Rule, ...], code: str) -> Rule:
    """The rule with ``code`` (any case); KeyError when there is none."""
    for rule in rules:
        if rule.code == code:
            return rule
    upper = code.upper()
    for rule in rules:
        if rule.code == upper:
            return rule
    raise KeyError(code)


@dataclass(frozen=True, slots=True, kw_only=True)
class Rubric:
    """The rules with the scoring settings of ``rules.yaml``."""

    version: int
    penalty: dict[str, float]
    structure_penalty: int
    rules: tuple[Rule, ...]

    def __post_init__(self) -> None:
        # The coercions pydantic made: YAML's ``error: 2`` is a float penalty.
        object.__setattr__(self, "penalty", {str(k): float(v) for k, v in self.penalty.items()})
        object.__setattr__(self, "rules", tuple(self.rules))

    def rule(self, code: str) -> Rule:
        """The rule with ``code`` (any case); KeyError when there is none. Asked once per
        check per target, so looked up in a table built once per rubric."""
        hit = _rule_table(self).get(code)
        return hit if hit is not None else find_rule(self.rules, code)


T = TypeVar("T")


def per_rubric(build: Callable[[Rubric], T]) -> Callable[[Rubric], T]:
    """``build(rubric)`` made once per rubric object and kept (a rubric is frozen, and
    few live at once: the shipped one, a test's own). Rubrics compare by their whole value
    (and hold dicts, so do not hash), so they are kept by identity."""
    kept: dict[int, tuple[Rubric, T]] = {}

    def once(rubric: Rubric) -> T:
        hit = kept.get(id(rubric))
        if hit is None or hit[0] is not rubric:
            if len(kept) > 16:
                kept.clear()
            hit = kept[id(rubric)] = (rubric, build(rubric))
        return hit[1]

    return once


@per_rubric
def _rule_table(rubric: Rubric) -> dict[str, Rule]:
    return {r.code: r for r in reversed(rubric.rules)}


@lru_cache(maxsize=1)
def load_rubric() -> Rubric:
    text = resources.files("rubrics").joinpath("rules.yaml").read_text(encoding="utf-8")
    data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # libyaml: ~10x
    return Rubric(
        version=data["version"],
        penalty=data["scoring"]["penalty"],
        structure_penalty=data["scoring"]["structure_penalty"],
        rules=tuple(Rule.from_data(r) for r in data["rules"]),
    )


@lru_cache(maxsize=1)
def load_lessons() -> tuple[Rule, ...]:
    """The ``LESSON-…`` codes (``rubrics/lessons.yaml``): what each means, why it matters,
    and the question and suggestion its findings carry."""
    text = resources.files("rubrics").joinpath("lessons.yaml").read_text(encoding="utf-8")
    data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    return tuple(Rule.from_data(r) for r in data["lessons"])


def known_rules() -> dict[str, Rule]:
    """Every code ``okr explain`` knows: the rubric's rules, the team rules and the
    lessons, by code."""
    from assistant.rubric.team_rules import load_team_rules

    rules = (*load_rubric().rules, *load_team_rules().rules, *load_lessons())
    return {r.code: r for r in rules}
