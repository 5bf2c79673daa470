"""The "learn the framework" step: the primer and good/weak examples with commentary."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import yaml

from assistant.io.builder import Builder
from assistant.model import OKRSet, SetCritique
from assistant.services.critique import critique_set


@dataclass(frozen=True)
class Example:
    slug: str
    kind: str  # good | weak
    title: str
    commentary: str
    okr_set: OKRSet

    @property
    def critique(self) -> SetCritique:
        return critique_set(self.okr_set)


@lru_cache(maxsize=1)
def load_examples() -> tuple[Example, ...]:
    text = resources.files("rubrics").joinpath("examples.yaml").read_text(encoding="utf-8")
    builder = Builder("rubrics/examples.yaml")
    examples = []
    for raw in yaml.safe_load(text)["examples"]:
        okr_set = builder.okr_set(raw["set"], 1, raw["slug"], {})
        okr_set.source = None
        examples.append(Example(raw["slug"], raw["kind"], raw["title"], raw["commentary"], okr_set))
    return tuple(examples)


def example(slug: str) -> Example:
    for candidate in load_examples():
        if candidate.slug == slug:
            return candidate
    raise KeyError(slug)


def primer() -> str:
    """The short OKR primer (Markdown) shown on the Learn screen."""
    return resources.files("rubrics").joinpath("primer.md").read_text(encoding="utf-8")
