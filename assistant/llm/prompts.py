"""Prompt files (``prompts/<name>.md``) and the one function that fills them.

A prompt file has YAML front matter with an ``id`` (its version, part of the cache key),
then sections marked ``<!-- system -->``, ``<!-- user -->`` and ``<!-- style:NAME -->``.
The user section holds ``${name}`` placeholders. :func:`fill` substitutes them in one
pass (``string.Template``), so text from the user's OKRs that looks like a placeholder
(``$findings``, ``${okrs}``, ``{{findings}}``) is copied literally, never expanded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from string import Template
from typing import Any

import yaml

_SECTION_RE = re.compile(r"^<!-- (system|user|style:[a-z]+) -->\s*$", re.MULTILINE)


@dataclass(frozen=True)
class PromptTemplate:
    """A prompt file: version id, static system text, style lines, user template."""

    id: str
    system: str
    user: str
    styles: dict[str, str]

    def messages(self, **values: str) -> list[dict[str, Any]]:
        """The static system message first (provider prompt caching), then the user
        message with its placeholders filled."""
        return [
            {"role": "system", "content": self.system},
            {"role": "user", "content": fill(self.user, **values)},
        ]


@lru_cache(maxsize=8)
def load_prompt(name: str = "critique") -> PromptTemplate:
    """Read ``prompts/<name>.md`` (front matter with ``id``, then marked sections)."""
    text = resources.files("prompts").joinpath(f"{name}.md").read_text(encoding="utf-8")
    _, front, body = text.split("---\n", 2)
    meta = yaml.safe_load(front)
    parts = _SECTION_RE.split(body)
    sections = {parts[i]: parts[i + 1].strip() for i in range(1, len(parts) - 1, 2)}
    styles = {k.split(":", 1)[1]: v for k, v in sections.items() if k.startswith("style:")}
    return PromptTemplate(str(meta["id"]), sections["system"], sections["user"], styles)


def fill(template: str, **values: str) -> str:
    """``template`` with each ``${name}`` (or ``$name``) replaced by ``values[name]``, in
    one pass: the inserted text is never scanned again. ``$$`` is a literal dollar.

    A placeholder without a value, or a value the template does not use, is a
    programming error (a prompt file and its caller drifted apart): ``ValueError``.
    """
    compiled = Template(template)
    wanted = set(compiled.get_identifiers())
    if not compiled.is_valid():
        raise ValueError("the prompt has a '$' that is not a placeholder (write '$$')")
    missing, unused = wanted - values.keys(), values.keys() - wanted
    if missing or unused:
        raise ValueError(
            f"prompt placeholders do not match: missing {sorted(missing)}, unused {sorted(unused)}"
        )
    return compiled.substitute(values)


def prompt_messages(name: str, **values: str) -> list[dict[str, Any]]:
    """The messages of prompt ``name`` with its user placeholders filled (peer review)."""
    return load_prompt(name).messages(**values)
