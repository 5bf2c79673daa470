"""The offline rubric: rules as data (``rubrics/rules.yaml``), an engine, transparent scores."""

from assistant.rubric.rules import Rubric, Rule, load_rubric

__all__ = ["Rule", "Rubric", "load_rubric"]
