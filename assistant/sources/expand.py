"""``${VAR}`` in a source, filled from the environment when the source is read.

The expanded text is used for the one request and never stored or shown: every error
line an adapter builds goes through ``Expansion.hide``, which puts the placeholders
back in place of the values they were filled with.
"""

from __future__ import annotations

from collections.abc import Mapping

from assistant.domain.source_spec import Placeholders
from assistant.sources.reading import SourceError


class Expansion:
    """Fills ``${VAR}`` from ``env`` for one source read and remembers what it filled."""

    def __init__(self, kind: str, env: Mapping[str, str]) -> None:
        self.kind = kind
        self.env = env
        self._filled: dict[str, str] = {}

    def __call__(self, text: str, what: str) -> str:
        template = Placeholders(text)
        missing = [name for name in template.get_identifiers() if name not in self.env]
        if missing:
            raise SourceError(self.kind, f"{what}: ${{{missing[0]}}} is not set in the environment")
        try:
            result = template.substitute(self.env)
        except ValueError:
            raise SourceError(self.kind, f"{what} has a malformed ${{VAR}} placeholder") from None
        for name in template.get_identifiers():
            self._filled[name] = self.env[name]
        return result

    def hide(self, text: str) -> str:
        """``text`` with every value filled in put back as its ``${VAR}``; longest first,
        so a value inside another does not leave half of it behind."""
        for name, value in sorted(self._filled.items(), key=lambda kv: -len(kv[1])):
            if len(value) >= 3:  # "1" or "" would mangle every message
                text = text.replace(value, f"${{{name}}}")
        return text

    def error(self, message: str) -> SourceError:
        return SourceError(self.kind, self.hide(message))
