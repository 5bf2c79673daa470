"""Hanging indent in the editor at 80x24: a long key result's continuation rows start
under its text, and the cursor, clicks, selection and typing follow what is drawn."""

from __future__ import annotations

import inspect

import pytest
from conftest import SIZE, screen_text
from textual import _wrap
from textual.app import App, ComposeResult
from textual.document._document import Document
from textual.geometry import Offset
from textual.widgets import TextArea
from textual.widgets.text_area import DocumentNavigator, Selection, WrappedDocument

from tui.widgets.okr_text_area import (
    MIN_WRAP_WIDTH,
    HangingNavigator,
    HangingWrappedDocument,
    OKRTextArea,
    hanging_indent,
)

LONG_TEXT_KR = (
    "      - text: Grow weekly sign-ups from 100 to 250 by the end of Q2 while keeping"
    " churn under three percent for every cohort we onboard this year"
)
LONG_PLAIN_KR = (
    "      - Launch the new onboarding flow for every customer segment and measure"
    " activation within the first seven days of use"
)
TEXT = "\n".join(
    [
        "objectives:",
        "  - title: Increase revenue by 20%",
        "    key_results:",
        LONG_TEXT_KR,
        LONG_PLAIN_KR,
        "      - Reach 50% of tickets solved on first contact",
        "",
    ]
)
KR_ROW = 3  # document line (and first screen row) of LONG_TEXT_KR
TEXT_INDENT = len("      - text: ")
PLAIN_INDENT = len("      - ")


class WrapApp(App[None]):
    def __init__(self, text: str = TEXT, **options: object) -> None:
        super().__init__()
        self._text = text
        self._options = options

    def compose(self) -> ComposeResult:
        yield OKRTextArea(self._text, soft_wrap=True, **self._options)  # type: ignore[arg-type]


def rows(area: TextArea) -> list[str]:
    """The rendered rows of the text area's content (what the widget draws)."""
    return [area.render_line(y).text for y in range(area.content_size.height)]


def sections(area: OKRTextArea, line: int) -> list[str]:
    return area.wrapped_document.get_sections(line)


def content_offset(area: TextArea, x: int, y: int) -> tuple[int, int]:
    """A click offset (relative to the widget) for content column x, row y."""
    return (area.content_region.x - area.region.x + x, area.content_region.y - area.region.y + y)


async def test_continuation_rows_start_under_the_value() -> None:
    app = WrapApp()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        area = app.query_one(OKRTextArea)
        drawn = rows(area)
        kr = sections(area, KR_ROW)
        plain = sections(area, KR_ROW + 1)
        assert len(kr) >= 2 and len(plain) >= 2
        assert drawn[KR_ROW].startswith(LONG_TEXT_KR[:20])
        for number, section in enumerate(kr[1:], start=1):
            row = drawn[KR_ROW + number]
            assert row.startswith(" " * TEXT_INDENT + section.rstrip()), row
            assert len(row) == area.content_size.width
        first_plain = KR_ROW + len(kr)
        for number, section in enumerate(plain[1:], start=1):
            assert drawn[first_plain + number].startswith(" " * PLAIN_INDENT + section.rstrip())
        # Nothing is added to the text: the sections are the line, cut.
        assert "".join(kr) == LONG_TEXT_KR and "".join(plain) == LONG_PLAIN_KR
        assert area.text == TEXT

        # The terminal shows the same (read back from Textual's screenshot).
        screen = screen_text(app).splitlines()
        left, top = area.content_region.x, area.content_region.y
        shown = screen[top + KR_ROW + 1][left:]
        assert shown.startswith(" " * TEXT_INDENT + kr[1].split()[0]), shown


async def test_the_gutter_stays_and_the_text_moves_after_it() -> None:
    app = WrapApp(show_line_numbers=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        area = app.query_one(OKRTextArea)
        gutter = area.gutter_width
        row = rows(area)[KR_ROW + 1]
        assert row[:gutter].strip() == ""  # no number on a continuation row
        assert row[gutter:].startswith(" " * TEXT_INDENT + sections(area, KR_ROW)[1][:10])
        assert rows(area)[KR_ROW][:gutter].strip() == str(KR_ROW + 1)


async def test_cursor_up_and_down_keep_the_drawn_column() -> None:
    app = WrapApp()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        area = app.query_one(OKRTextArea)
        first_break = area.wrapped_document.get_offsets(KR_ROW)[0]
        area.move_cursor((KR_ROW, 20))
        await pilot.press("down")
        # Column 20 on screen is 20 - indent cells into the continuation row.
        assert area.cursor_location == (KR_ROW, first_break + 20 - TEXT_INDENT)
        assert area.cursor_screen_offset.x == area.content_region.x + 20
        assert area.cursor_screen_offset.y == area.content_region.y + KR_ROW + 1
        await pilot.press("up")
        assert area.cursor_location == (KR_ROW, 20)

        # From the last continuation row down to the next line, same drawn column.
        last_row = KR_ROW + len(sections(area, KR_ROW)) - 1
        area.move_cursor(area.wrapped_document.offset_to_location(Offset(30, last_row)))
        await pilot.press("down")
        assert area.cursor_location == (KR_ROW + 1, 30)
        await pilot.press("up")
        assert area.wrapped_document.location_to_offset(area.cursor_location) == (30, last_row)

        # A cursor placed by setting the selection (as the editor screen does, with no
        # recorded column) also moves up from the column where it is drawn.
        area.move_cursor((0, 0))
        area.selection = Selection.cursor((KR_ROW, first_break + 20))
        await pilot.press("up")
        assert area.cursor_location == (KR_ROW, TEXT_INDENT + 20)

        # An aim left of the indent lands at the start of each continuation row, and
        # the next unindented row gets the aimed column back (the indent does not stick).
        area.move_cursor((2, 3))
        breaks = area.wrapped_document.get_offsets(KR_ROW)
        await pilot.press("down")
        assert area.cursor_location == (KR_ROW, 3)
        for wrap_at in breaks:
            await pilot.press("down")
            assert area.cursor_location == (KR_ROW, wrap_at)
            assert area.cursor_screen_offset.x == area.content_region.x + TEXT_INDENT
        await pilot.press("down")
        assert area.cursor_location == (KR_ROW + 1, 3)
        for _ in range(len(breaks) + 1):
            await pilot.press("up")
        assert area.cursor_location == (KR_ROW, 3)


async def test_home_end_left_and_right_across_wrapped_rows() -> None:
    app = WrapApp()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        area = app.query_one(OKRTextArea)
        first_break = area.wrapped_document.get_offsets(KR_ROW)[0]
        area.move_cursor((KR_ROW, first_break + 5))
        await pilot.press("home")
        assert area.cursor_location == (KR_ROW, first_break)
        assert area.cursor_screen_offset.x == area.content_region.x + TEXT_INDENT
        await pilot.press("left")
        assert area.cursor_location == (KR_ROW, first_break - 1)
        assert area.cursor_screen_offset.y == area.content_region.y + KR_ROW
        await pilot.press("right")
        assert area.cursor_location == (KR_ROW, first_break)
        await pilot.press("end")
        second = area.wrapped_document.get_offsets(KR_ROW)
        expected_end = second[1] - 1 if len(second) > 1 else len(LONG_TEXT_KR)
        assert area.cursor_location == (KR_ROW, expected_end)


async def test_a_click_on_a_continuation_row_lands_on_the_character_drawn_there() -> None:
    app = WrapApp()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        area = app.query_one(OKRTextArea)
        first_break = area.wrapped_document.get_offsets(KR_ROW)[0]
        await pilot.click(area, offset=content_offset(area, TEXT_INDENT + 5, KR_ROW + 1))
        assert area.cursor_location == (KR_ROW, first_break + 5)
        drawn = rows(area)[KR_ROW + 1]
        assert LONG_TEXT_KR[first_break + 5] == drawn[TEXT_INDENT + 5]
        # A click in the indent goes to the start of the row's text.
        await pilot.click(area, offset=content_offset(area, 2, KR_ROW + 1))
        assert area.cursor_location == (KR_ROW, first_break)


async def test_typing_in_a_continuation_row_inserts_where_the_cursor_is_drawn() -> None:
    app = WrapApp()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        area = app.query_one(OKRTextArea)
        first_break = area.wrapped_document.get_offsets(KR_ROW)[0]
        await pilot.click(area, offset=content_offset(area, TEXT_INDENT + 8, KR_ROW + 1))
        await pilot.press("Z", "Z")
        at = first_break + 8
        expected = LONG_TEXT_KR[:at] + "ZZ" + LONG_TEXT_KR[at:]
        assert area.document[KR_ROW] == expected
        assert area.text == TEXT.replace(LONG_TEXT_KR, expected)
        assert "".join(sections(area, KR_ROW)) == expected
        assert area.cursor_location == (KR_ROW, at + 2)


async def test_selection_over_wrapped_rows_is_the_exact_text() -> None:
    app = WrapApp()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        area = app.query_one(OKRTextArea)
        first_break = area.wrapped_document.get_offsets(KR_ROW)[0]
        area.move_cursor((KR_ROW, 20))
        await pilot.press("shift+down")
        end = first_break + 20 - TEXT_INDENT
        assert area.selection == Selection((KR_ROW, 20), (KR_ROW, end))
        assert area.selected_text == LONG_TEXT_KR[20:end]


async def test_edits_keep_the_wrapping_the_same_as_a_fresh_wrap() -> None:
    """The incremental re-wrap after an edit equals wrapping the new text from scratch,
    and the text never gains a space from the wrapping."""
    app = WrapApp()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        area = app.query_one(OKRTextArea)
        area.move_cursor((KR_ROW, 40))
        await pilot.press("enter")
        await pilot.press("backspace")
        area.insert("\n      - text: " + "quite long words " * 8, (KR_ROW + 1, 0))
        area.delete((1, 0), (2, 4))
        await pilot.press("ctrl+z")
        await pilot.pause()
        wrapped = area.wrapped_document
        fresh = HangingWrappedDocument(Document(area.text), wrapped._width, wrapped._tab_width)
        fresh.wrap(wrapped._width)
        assert wrapped._wrap_offsets == fresh._wrap_offsets
        assert wrapped._indents == fresh._indents
        assert wrapped._offset_to_line_info == fresh._offset_to_line_info
        assert wrapped._line_index_to_offsets == fresh._line_index_to_offsets
        for line in range(area.document.line_count):
            assert "".join(wrapped.get_sections(line)) == area.document[line]
        await pilot.resize_terminal(60, 24)
        await pilot.pause()
        assert "".join(area.wrapped_document.get_sections(KR_ROW)) == area.document[KR_ROW]


@pytest.mark.parametrize(
    ("lead", "size", "indent"),
    [
        (30, SIZE, 38),  # the value's column leaves 75 - 38 >= 20 cells
        (50, SIZE, 52),  # the value's column would leave 17: indentation + 2
        (30, (50, 24), 0),  # 45 - 32 < 20: no indent, the row starts at column 0
    ],
)
async def test_narrow_room_falls_back_to_less_indent(
    lead: int, size: tuple[int, int], indent: int
) -> None:
    deep = " " * lead + "- text: " + "word " * 30
    app = WrapApp(text=deep)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        area = app.query_one(OKRTextArea)
        assert area.wrapped_document.indent_of(0) == indent
        drawn = rows(area)
        assert drawn[1].startswith(" " * indent + "word"), drawn[1]
        for section in sections(area, 0)[1:]:
            assert len(section.rstrip()) <= area.wrap_width - indent
        assert "".join(sections(area, 0)) == deep == area.text


def test_hanging_indent_rules() -> None:
    assert hanging_indent("      - text: Grow sign-ups", 75) == TEXT_INDENT
    assert hanging_indent("      - Grow sign-ups", 75) == PLAIN_INDENT
    assert hanging_indent("  - title: Increase revenue", 75) == len("  - title: ")
    assert hanging_indent("    plain continuation", 75) == 6  # indentation + 2
    assert hanging_indent("# a long comment", 75) == 2
    assert hanging_indent("\t- text: tabs", 75) == 0
    # Too wide for the value: indentation + 2; too wide even for that: none.
    assert hanging_indent(" " * 10 + "- text: x", 10 + 8 + MIN_WRAP_WIDTH - 1) == 12
    assert hanging_indent(" " * 10 + "- text: x", 12 + MIN_WRAP_WIDTH - 1) == 0


async def test_the_textual_internals_this_widget_relies_on_are_still_there() -> None:
    """Fails loudly when a Textual upgrade moves what OKRTextArea builds on (see the
    module docstring): then the hanging indent must be re-checked, not silently lost."""
    document = WrappedDocument(Document("a b c d e f g h i j k l m n o p"), width=6)
    for name in (
        "_wrap_offsets",
        "_offset_to_line_info",
        "_line_index_to_offsets",
        "_width",
        "_tab_width",
    ):
        assert hasattr(document, name), f"WrappedDocument.{name} is gone"
    assert document._offset_to_line_info[1] == (0, 1)
    assert document._line_index_to_offsets[0][:2] == [0, 1]
    assert list(inspect.signature(_wrap.compute_wrap_offsets).parameters)[:3] == [
        "text",
        "width",
        "tab_size",
    ]
    assert _wrap.compute_wrap_offsets("aaa bbb ccc", 4, 4) == [4, 8]
    # TextArea renders a row from _offset_to_line_info and moves through the navigator.
    assert "_offset_to_line_info" in inspect.getsource(TextArea._render_line)
    source = inspect.getsource(TextArea)
    for call in ("navigator.get_location_below", "navigator.get_location_above"):
        assert call in source, f"TextArea no longer calls {call}"
    for name in ("get_location_above", "get_location_below", "last_x_offset"):
        assert name in inspect.getsource(DocumentNavigator), name
    # Every document TextArea loads gets the hanging versions (assigned, then swapped).
    app = WrapApp()
    async with app.run_test(size=SIZE) as pilot:
        area = app.query_one(OKRTextArea)
        for load in (lambda: area.load_text(TEXT + "x\n"), lambda: setattr(area, "text", TEXT)):
            load()
            await pilot.pause()
            assert isinstance(area.wrapped_document, HangingWrappedDocument)
            assert isinstance(area.navigator, HangingNavigator)
            assert area.navigator._hanging is area.wrapped_document
            assert area.wrapped_document.document is area.document
            assert area.wrapped_document.indent_of(KR_ROW) == TEXT_INDENT
