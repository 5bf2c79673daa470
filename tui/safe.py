"""Terminal safety for the TUI: where untrusted text enters a widget, it is made safe here.

Draft text, findings, names, version messages, model answers, server errors and file
names may carry terminal controls (OSC 52 clipboard writes, OSC 8 links, a C1 CSI,
bidi overrides) or Rich/Textual markup. Textual strips only a few control codes, so
every piece of such text reaches a widget through this module: controls become visible
escapes (``\\x1b``, ``\\u202e``; :func:`assistant.domain.text_safety.safe_text`, the
one rule of the project) and markup is never parsed (``Text``/``Content`` built
literally). :class:`SafeStatic` checks whatever it is given once more, so a text
built elsewhere cannot slip through a ``Static``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.style import Style
from rich.text import Text
from textual.content import Content, Span
from textual.widgets import Input, Static, TextArea
from textual.widgets.text_area import Edit, EditResult

from assistant.domain.text_safety import escape_char, is_safe, safe_text
from assistant.render.safe import safe_renderable

if TYPE_CHECKING:
    from textual.visual import VisualType

__all__ = [
    "SafeInput",
    "SafeStatic",
    "SafeTextArea",
    "literal",
    "safe",
    "safe_content",
    "safe_rich_text",
    "shown",
]


def shown(text: str) -> str:
    """``text`` as it may be shown: CRLF as a newline, every control as a visible escape."""
    if not text:
        return text
    return safe_text(text.replace("\r\n", "\n"))


def literal(text: str, style: str | Style = "") -> Text:
    """User text as a Rich ``Text``: never read as markup, no raw control character."""
    return Text(shown(text), style=style)


def _cuts(plain: str) -> list[int]:
    """The offsets around every unsafe character (each becomes a piece of its own)."""
    cuts: set[int] = set()
    for index, char in enumerate(plain):
        if not is_safe(char):
            cuts.update((index, index + 1))
    return sorted(cuts)


def safe_rich_text(text: Text) -> Text:
    """``text`` with each control character shown as its escape, its styles kept."""
    if is_safe(text.plain):
        return text
    result = text.blank_copy()
    for piece in text.divide(_cuts(text.plain)):
        if len(piece) == 1 and not is_safe(piece.plain):
            escaped = Text(escape_char(piece.plain), style=piece.style)
            for span in piece.spans:
                escaped.stylize(span.style, 0, len(escaped))
            piece = escaped
        result.append_text(piece)
    return result


def safe_content(content: Content) -> Content:
    """Textual ``Content`` with each control character shown as its escape, styles kept."""
    if is_safe(content.plain):
        return content
    pieces = []
    for piece in content.divide(_cuts(content.plain)):
        if len(piece) == 1 and not is_safe(piece.plain):
            escaped = escape_char(piece.plain)
            piece = Content(escaped, [Span(0, len(escaped), span.style) for span in piece.spans])
        pieces.append(piece)
    return Content("").join(pieces)


def safe(content: Any) -> Any:
    """What a widget may be given for ``content``: a string as literal ``Content`` (no
    markup), a ``Text`` or ``Content`` with its controls escaped, any other Rich
    renderable (a diff table) rendered through the project's escaping renderable."""
    if isinstance(content, str):
        return Content(shown(content))
    if isinstance(content, Text):
        return safe_rich_text(content)
    if isinstance(content, Content):
        return safe_content(content)
    return safe_renderable(content)


class SafeStatic(Static):
    """A ``Static`` that shows any content it is given safely (see :func:`safe`)."""

    def __init__(self, content: VisualType = "", **kwargs: Any) -> None:
        kwargs.setdefault("markup", False)
        super().__init__(safe(content), **kwargs)

    def update(self, content: VisualType = "", *, layout: bool = True) -> None:
        super().update(safe(content), layout=layout)


class SafeInput(Input):
    """An ``Input`` whose value never holds a raw control character (a pasted or given
    value shows them as escapes): Textual's reactive validation, ``validate_value``."""

    def validate_value(self, value: str) -> str:
        return shown(value.replace("\r", " ").replace("\n", " "))


class SafeTextArea(TextArea):
    """A ``TextArea`` whose document never holds a raw control character: a loaded text
    or an edit (a paste) shows them as escapes, so nothing the editor draws can act on
    the terminal. Tabs and newlines stay; a lone CR is a line end."""

    def __init__(self, text: str = "", **kwargs: Any) -> None:
        super().__init__(_editable(text), **kwargs)

    def load_text(self, text: str) -> None:
        super().load_text(_editable(text))

    def edit(self, edit: Edit) -> EditResult:
        if not is_safe(edit.text):
            edit = Edit(
                _editable(edit.text),
                edit.from_location,
                edit.to_location,
                edit.maintain_selection_offset,
            )
        return super().edit(edit)


def _editable(text: str) -> str:
    return shown(text.replace("\r\n", "\n").replace("\r", "\n"))
