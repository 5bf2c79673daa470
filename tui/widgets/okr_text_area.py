"""A TextArea whose soft-wrapped lines continue under their own text (hanging indent).

Textual wraps a long line back to column 0, which hides the YAML structure of a long
key result. Here the first row of a line is wrapped as usual and every continuation
row is wrapped ``indent`` cells narrower and drawn ``indent`` cells to the right, where
the line's value starts (``- text: |here``). The text itself never changes: the indent
exists only in the wrapped view, whose x offsets are *screen* columns, so the cursor,
clicks, selection and up/down all agree with what is drawn.

Textual 8.2.8 has no hook for this, so the module leans on a few internals (each is
checked by ``tests/tui/test_tui_wrap.py``, which fails loudly when one changes):

- ``WrappedDocument._wrap_offsets``, ``._offset_to_line_info``,
  ``._line_index_to_offsets``, ``._width``, ``._tab_width`` (read and rebuilt here);
- ``textual._wrap.compute_wrap_offsets`` (to wrap the continuation rows narrower);
- ``TextArea`` reading ``wrapped_document._offset_to_line_info`` to render a row, and
  assigning ``self.wrapped_document`` / ``self.navigator`` when it loads a document
  (both replaced here through properties).
"""

from __future__ import annotations

import re
from bisect import bisect_right

from rich.cells import cell_len
from textual._wrap import compute_wrap_offsets
from textual.document._document import DocumentBase, Location
from textual.geometry import Offset, clamp
from textual.strip import Strip
from textual.widgets.text_area import DocumentNavigator, WrappedDocument

from tui.safe import SafeTextArea

MIN_WRAP_WIDTH = 20
"""Continuation rows narrower than this are not indented (the line wraps at column 0)."""

# Where a line's value starts: after its indentation, any "- " list markers and an
# optional "key: " (a comment's text starts after "# ").
_VALUE_START = re.compile(r"(?P<lead> *)(?:#+ *|(?:- +)*(?:\w[\w .-]*?: +)?)")


def hanging_indent(line: str, width: int) -> int:
    """The cells a continuation row of ``line`` is indented by at wrap ``width``: where
    its value starts, else its indentation + 2, else 0 when fewer than
    ``MIN_WRAP_WIDTH`` cells would be left (and for lines with tabs, whose cell widths
    depend on the column they start at)."""
    if "\t" in line:
        return 0
    match = _VALUE_START.match(line)
    assert match is not None  # every part of the pattern is optional
    lead = len(match["lead"])
    for indent in (max(cell_len(match.group()), lead + 2), lead + 2):
        if width - indent >= MIN_WRAP_WIDTH:
            return indent
    return 0


class HangingWrappedDocument(WrappedDocument):
    """A ``WrappedDocument`` whose continuation rows are wrapped ``indent`` cells
    narrower; its x offsets are the columns where the text is drawn (indent included)."""

    def __init__(self, document: DocumentBase, width: int = 0, tab_width: int = 4) -> None:
        self._indents: list[int] = []
        super().__init__(document, width, tab_width)

    # --- wrapping ----------------------------------------------------------------------

    def wrap(self, width: int, tab_width: int | None = None) -> None:
        super().wrap(width, tab_width)
        self._indents = [0] * len(self._wrap_offsets)
        for line_index, offsets in enumerate(self._wrap_offsets):
            if offsets:
                self._hang(line_index)
        self._rebuild_rows()

    def wrap_range(self, start: Location, old_end: Location, new_end: Location) -> None:
        old_line_count = len(self._wrap_offsets)
        super().wrap_range(start, old_end, new_end)
        # The lines Textual re-wrapped (the same clamping as WrappedDocument.wrap_range).
        old_max, new_max = old_line_count - 1, self.document.line_count - 1
        start_line = clamp(start[0], 0, min(old_max, new_max))
        old_end_line = clamp(old_end[0], 0, old_max)
        new_end_line = clamp(new_end[0], 0, new_max)
        top, old_bottom = sorted((start_line, old_end_line))
        new_bottom = max(start_line, new_end_line)
        self._indents[top : old_bottom + 1] = [0] * (new_bottom - top + 1)
        if len(self._indents) != len(self._wrap_offsets):  # never expected: start over
            self.wrap(self._width)
            return
        # Re-hang the re-wrapped lines and splice their rows in; the rows below shift.
        line_rows = self._line_index_to_offsets
        first_row = line_rows[top][0]
        old_rows = sum(len(rows) for rows in line_rows[top : new_bottom + 1])
        row_info: list[tuple[int, int]] = []
        new_line_rows: list[list[int]] = []
        for line_index in range(top, new_bottom + 1):
            if self._wrap_offsets[line_index]:
                self._hang(line_index)
            row = first_row + len(row_info)
            sections = len(self._wrap_offsets[line_index]) + 1
            row_info.extend((line_index, section) for section in range(sections))
            new_line_rows.append(list(range(row, row + sections)))
        self._offset_to_line_info[first_row : first_row + old_rows] = row_info
        line_rows[top : new_bottom + 1] = new_line_rows
        if shift := len(row_info) - old_rows:
            for line_index in range(new_bottom + 1, len(line_rows)):
                line_rows[line_index] = [row + shift for row in line_rows[line_index]]

    def _hang(self, line_index: int) -> None:
        """Re-wrap a line Textual wrapped at full width: the first row keeps its break,
        the rest of the line is wrapped at ``width - indent``."""
        line = self.document[line_index]
        indent = hanging_indent(line, self._width)
        self._indents[line_index] = indent
        if not indent:
            return
        first = self._wrap_offsets[line_index][0]
        rest = compute_wrap_offsets(line[first:], self._width - indent, self._tab_width)
        self._wrap_offsets[line_index] = [first, *(first + offset for offset in rest)]

    def _rebuild_rows(self) -> None:
        """The row maps (row -> (line, section), line -> rows) from the wrap offsets."""
        row_info: list[tuple[int, int]] = []
        line_rows: list[list[int]] = []
        row = 0
        for line_index, offsets in enumerate(self._wrap_offsets):
            sections = len(offsets) + 1
            row_info.extend((line_index, section) for section in range(sections))
            line_rows.append(list(range(row, row + sections)))
            row += sections
        self._offset_to_line_info = row_info
        self._line_index_to_offsets = line_rows

    # --- queries -----------------------------------------------------------------------

    def indent_of(self, line_index: int) -> int:
        """The indent (cells) of the line's continuation rows; 0 when it has none."""
        return self._indents[line_index]

    def row_info(self, row: int) -> tuple[int, int] | None:
        """(line index, section index) shown at wrapped ``row``, None past the end."""
        return self._offset_to_line_info[row] if 0 <= row < len(self._offset_to_line_info) else None

    def section_of(self, location: Location) -> int:
        """The index of the wrapped section (row of its line) that holds ``location``."""
        line_index, column = location
        return bisect_right(self._wrap_offsets[line_index], column)

    # --- offsets: x is the drawn column ------------------------------------------------

    def location_to_offset(self, location: Location) -> Offset:
        offset = super().location_to_offset(location)
        line_index = clamp(location[0], 0, len(self._indents) - 1)
        if self.section_of((line_index, location[1])):
            return Offset(offset.x + self._indents[line_index], offset.y)
        return offset

    def get_target_document_column(self, line_index: int, x_offset: int, y_offset: int) -> int:
        sections = len(self._wrap_offsets[line_index]) + 1
        section = y_offset if y_offset >= 0 else sections + y_offset
        if section > 0:
            x_offset = max(0, x_offset - self._indents[line_index])
        return super().get_target_document_column(line_index, x_offset, y_offset)


class HangingNavigator(DocumentNavigator):
    """Up/down in drawn columns. Textual aims at ``max(cursor x, last_x_offset)``,
    measuring x from the section's start (off by the indent on continuation rows).
    Here x is the drawn column, and right after an up/down the aim stays the recorded
    one: a row's indent pushes the cursor right, which must not move the column it
    returns to on the next, unindented row."""

    def __init__(self, wrapped_document: HangingWrappedDocument) -> None:
        super().__init__(wrapped_document)
        self._hanging = wrapped_document
        self._arrived: Location | None = None  # where the last up/down went

    def _aim(self, location: Location) -> int:
        if location == self._arrived:
            return self.last_x_offset
        return max(self._hanging.location_to_offset(location).x, self.last_x_offset)

    def get_location_above(self, location: Location) -> Location:
        wrapped = self._hanging
        line_index, _ = location
        section = wrapped.section_of(location)
        aim = self._aim(location)
        if section:
            target = line_index, wrapped.get_target_document_column(line_index, aim, section - 1)
        elif line_index == 0:
            target = 0, 0
        else:
            target = line_index - 1, wrapped.get_target_document_column(line_index - 1, aim, -1)
        self._arrived = target
        return target

    def get_location_below(self, location: Location) -> Location:
        wrapped = self._hanging
        document = wrapped.document
        line_index, _ = location
        section = wrapped.section_of(location)
        aim = self._aim(location)
        if section < len(wrapped.get_offsets(line_index)):
            target = line_index, wrapped.get_target_document_column(line_index, aim, section + 1)
        elif line_index == document.line_count - 1:
            target = line_index, len(document[line_index])
        else:
            target = line_index + 1, wrapped.get_target_document_column(line_index + 1, aim, 0)
        self._arrived = target
        return target


class OKRTextArea(SafeTextArea):
    """A ``TextArea`` whose soft-wrapped continuation rows hang under the line's value
    (and whose text never holds a raw control character: ``tui.safe.SafeTextArea``)."""

    # TextArea assigns these whenever it loads a document; the setters swap in the
    # hanging versions, so every document (load_text, text=, language change) gets them.

    @property
    def wrapped_document(self) -> HangingWrappedDocument:
        return self._hanging_document

    @wrapped_document.setter
    def wrapped_document(self, value: WrappedDocument) -> None:
        if not isinstance(value, HangingWrappedDocument):
            value = HangingWrappedDocument(value.document, value._width, value._tab_width)
        self._hanging_document = value

    @property
    def navigator(self) -> HangingNavigator:
        return self._hanging_navigator

    @navigator.setter
    def navigator(self, value: DocumentNavigator) -> None:
        if not isinstance(value, HangingNavigator):
            value = HangingNavigator(self.wrapped_document)
        self._hanging_navigator = value

    def render_line(self, y: int) -> Strip:
        """Textual's row, with a continuation row's text moved right by its indent (the
        trailing padding cells, styled like the row, move to the front)."""
        strip = super().render_line(y)
        if not self.soft_wrap:
            return strip
        wrapped = self.wrapped_document
        info = wrapped.row_info(self.scroll_offset.y + y)
        if info is None or not info[1]:
            return strip
        indent = wrapped.indent_of(info[0])
        if not indent:
            return strip
        return _shift(strip, self.gutter_width, indent)


def _shift(strip: Strip, gutter_width: int, indent: int) -> Strip:
    """``strip`` with the text after the gutter moved ``indent`` cells to the right."""
    length = strip.cell_length
    gutter, body = strip.crop(0, gutter_width), strip.crop(gutter_width, length)
    keep = body.cell_length - indent
    pad = body.crop(keep, body.cell_length)
    if pad.text.strip() or pad.cell_length != indent:  # not padding: keep the width
        last_style = next((segment.style for segment in reversed(body)), None)
        pad = Strip.blank(indent, last_style)
    return Strip.join([gutter, pad, body.crop(0, max(keep, 0))])
