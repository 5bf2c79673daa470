"""Terminal safety for Rich output: every console the app prints through is guarded.

Text from a model or a database may carry ESC/OSC sequences, C1 controls, backspaces
or bidi overrides (see :mod:`assistant.domain.text_safety`). :func:`guard` installs a render
hook that shows them as visible escapes in whatever is printed — strings, ``Text``,
tables, panels — while Rich's own styling (emitted after rendering) is untouched.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from assistant.domain.text_safety import is_safe, safe_text

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions, ConsoleRenderable, RenderResult


class SafeRenderable:
    """Renders ``inner`` and escapes control characters in the text of every segment."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        from rich.segment import Segment

        for segment in console.render(self.inner, options):
            if segment.control or is_safe(segment.text):
                yield segment
            else:
                yield Segment(safe_text(segment.text), segment.style)


def safe_renderable(renderable: Any) -> Any:
    """A renderable that cannot put a raw control character on the terminal."""
    from rich.text import Text

    if isinstance(renderable, str):
        return safe_text(renderable)
    if isinstance(renderable, Text) and is_safe(renderable.plain):
        return renderable
    if isinstance(renderable, SafeRenderable):
        return renderable
    return SafeRenderable(renderable)


class _SafeHook:
    def process_renderables(self, renderables: list[ConsoleRenderable]) -> list[ConsoleRenderable]:
        return [safe_renderable(r) for r in renderables]


def guard(console: Console) -> Console:
    """Install the escaping hook on ``console`` (idempotent) and return it."""
    hooks: Iterable[object] = getattr(console, "_render_hooks", [])
    if not any(isinstance(h, _SafeHook) for h in hooks):
        console.push_render_hook(_SafeHook())  # type: ignore[arg-type]
    return console


def safe_console(**kwargs: Any) -> Console:
    """``rich.console.Console(**kwargs)``, guarded."""
    from rich.console import Console

    return guard(Console(**kwargs))


__all__ = ["SafeRenderable", "guard", "safe_console", "safe_renderable"]
