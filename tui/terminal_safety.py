"""Terminal safety for the TUI: no text on screen can carry a raw control character.

Textual (``Content``) and Rich (``Text``) strip only bell, backspace, VT, FF and CR;
an ESC sequence (OSC 52 clipboard writes, OSC 8 links, window titles), a C1 CSI or a
bidi override in a stored draft or a model's answer would reach the terminal. Every
widget's text goes through one of those two constructors, so :func:`install` points
their control-code filter at :func:`assistant.domain.text_safety.safe_text`, which shows such
characters as visible escapes (``\\x1b``, ``\\u202e``) before layout, keeping widths right.
"""

from __future__ import annotations

from assistant.domain.text_safety import safe_text

_installed = False


def screen_text(text: str, _table: object = None) -> str:
    """What a widget shows for ``text``: CRLF as a newline, every control escaped."""
    return safe_text(text.replace("\r\n", "\n")) if text else text


def install() -> None:
    """Route Textual's and Rich's control-code stripping through :func:`screen_text`."""
    global _installed
    if _installed:
        return
    import rich.text
    import textual.content

    textual.content._strip_control_codes = screen_text  # type: ignore[assignment]
    rich.text.strip_control_codes = screen_text  # type: ignore[assignment]
    _installed = True
