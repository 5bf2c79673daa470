"""Load the rubric data shipped in the ``rubrics`` package: the rules (``rules.yaml``) and
the lessons a graded cycle teaches (``lessons.yaml``)."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from importlib import resources
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field


class Rule(BaseModel):
    """One rule: metadata for people plus detection parameters for the engine."""

    model_config = ConfigDict(extra="allow", frozen=True)

    code: str
    target: str
    dimension: str
    severity: str
    title: str
    detects: str
    why: str
    message: str
    question: str
    suggestion: str
    examples: dict[str, str] = Field(default_factory=dict)

    def param(self, name: str, default: Any = None) -> Any:
        extra = self.__pydantic_extra__  # ``model_extra`` without its property call
        return default if extra is None else extra.get(name, default)

    @property
    def caps(self) -> dict[str, float]:
        """The most each named dimension of the target may score with this finding."""
        return {str(k): float(v) for k, v in (self.param("caps") or {}).items()}


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


class Rubric(BaseModel):
    model_config = ConfigDict(frozen=True)

    version: int
    penalty: dict[str, float]
    structure_penalty: int
    rules: tuple[Rule, ...]

    def rule(self, code: str) -> Rule:
        """The rule with ``code`` (any case); KeyError when there is none. Asked once per
        check per target, so looked up in a table built once per rubric."""
        hit = _rule_table(self).get(code)
        return hit if hit is not None else find_rule(self.rules, code)


T = TypeVar("T")


def per_rubric(build: Callable[[Rubric], T]) -> Callable[[Rubric], T]:
    """``build(rubric)`` made once per rubric object and kept (a rubric is frozen, and
    few live at once: the shipped one, a test's own). Rubrics hash by their whole value,
    which is slower than building most of these, so they are kept by identity."""
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
        rules=tuple(Rule.model_validate(r) for r in data["rules"]),
    )


@lru_cache(maxsize=1)
def load_lessons() -> tuple[Rule, ...]:
    """The ``LESSON-…`` codes (``rubrics/lessons.yaml``): what each means, why it matters,
    and the question and suggestion its findings carry."""
    text = resources.files("rubrics").joinpath("lessons.yaml").read_text(encoding="utf-8")
    data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    return tuple(Rule.model_validate(r) for r in data["lessons"])


def known_rules() -> dict[str, Rule]:
    """Every code ``okr explain`` knows: the rubric's rules, the team rules and the
    lessons, by code."""
    from assistant.rubric.team_rules import load_team_rules

    rules = (*load_rubric().rules, *load_team_rules().rules, *load_lessons())
    return {r.code: r for r in rules}
