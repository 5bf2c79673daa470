"""The score bar (``clarity       ███░░ 3/5``) and the overall line, drawn once for the
CLI report and the TUI panel.

Both are built as styled spans first: the plain-text report joins the spans' text
without loading Rich (the fast path for big files), the Rich report and the TUI
assemble the same spans into a ``Text``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.text import Text

    from assistant.model import Scores

Span = tuple[str, str]  # (text, Rich style); "" is unstyled
LABEL_WIDTH = 14


def level_style(value: int) -> str:
    """A 1-5 dimension score's colour: red up to 2, yellow at 3, green above."""
    return "red" if value <= 2 else "yellow" if value == 3 else "green"


def overall_style(overall: int) -> str:
    """A 0-100 overall score's colour: red under 50, yellow under 75, green above."""
    return "red" if overall < 50 else "yellow" if overall < 75 else "green"


def score_bar_spans(label: str, value: int, maximum: int = 5) -> tuple[Span, ...]:
    """The bar as spans: bold label, filled cells coloured by level, empty cells grey."""
    return (
        (f"{label:<{LABEL_WIDTH}}", "bold"),
        ("█" * value, level_style(value)),
        ("░" * (maximum - value), "grey50"),
        (f" {value}/{maximum}", ""),
    )


def overall_spans(scores: Scores) -> tuple[Span, ...]:
    """``overall       58/100`` as spans, the number coloured by level."""
    return (
        (f"{'overall':<{LABEL_WIDTH}}", "bold"),
        (f"{scores.overall}/100", f"bold {overall_style(scores.overall)}"),
    )


def score_bar(label: str, value: int, maximum: int = 5) -> Text:
    """The bar as Rich ``Text`` (the TUI's score panel, the coloured report)."""
    from rich.text import Text

    return Text.assemble(*score_bar_spans(label, value, maximum))


def overall_text(scores: Scores) -> Text:
    """The overall line as Rich ``Text``."""
    from rich.text import Text

    return Text.assemble(*overall_spans(scores))
