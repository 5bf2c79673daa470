"""JSON text to located plain data, in one pass with the standard library's decoder.

The decoder's pure-Python scanner is given hooks that note where each object, array
item and string starts, so every mapping, string and list item keeps its line, as the
YAML reader's do. The same pass refuses what a Python ``dict`` would silently accept
or crash on later: duplicate keys, numbers too long to convert, and nesting deeper
than an OKR file needs. Every failure is a located ``InputError``.
"""

from __future__ import annotations

import bisect
import json
import json.decoder
import json.scanner
import re
from collections.abc import Callable
from typing import Any

from assistant.errors import InputError
from assistant.io.line_numbered import MAX_DEPTH, MAX_NUMBER_DIGITS, LDict, LList, lstr, quoted

_Scan = Callable[[str, int], tuple[Any, int]]
_DECODER: Any = json.decoder  # JSONObject, JSONArray, scanstring: not in the stubs
_SCANNER: Any = json.scanner


class _Refused(Exception):
    """A problem found inside the scanner; its line is filled in by the nearest hook."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


class _LocatedDecoder:
    def __init__(self, text: str) -> None:
        self.breaks = [m.start() for m in re.finditer("\n", text)]
        self.depth = 0
        decoder: Any = json.JSONDecoder(parse_int=self._int)  # its hooks are not in the stubs
        decoder.parse_object = self._object
        decoder.parse_array = self._array
        decoder.parse_string = self._string
        decoder.scan_once = _SCANNER.py_make_scanner(decoder)  # the hooks need the Python one
        self.decoder = decoder

    def line(self, position: int) -> int:
        return bisect.bisect_left(self.breaks, position) + 1

    def decode(self, text: str) -> Any:
        return self.decoder.decode(text)

    def _locating(self, scan_once: _Scan, starts: list[int]) -> _Scan:
        """``scan_once`` that notes where each value starts and locates a refusal in it."""

        def scan(s: str, idx: int) -> tuple[Any, int]:
            starts.append(idx)
            try:
                return scan_once(s, idx)
            except _Refused as exc:
                if exc.line is None:
                    exc.line = self.line(idx)
                raise

        return scan

    def _deeper(self, position: int) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise _Refused(f"nested too deeply (more than {MAX_DEPTH} levels)", self.line(position))

    def _object(
        self,
        s_and_end: tuple[str, int],
        strict: bool,
        scan_once: _Scan,
        object_hook: Any,
        object_pairs_hook: Any,
        memo: dict | None = None,
    ) -> tuple[LDict, int]:
        s, end = s_and_end
        self._deeper(end - 1)
        starts: list[int] = []

        def pairs_to_mapping(pairs: list[tuple[str, Any]]) -> LDict:
            result = LDict()
            result.line = self.line(end - 1)
            for index, (key, value) in enumerate(pairs):
                line = self.line(starts[index]) if index < len(starts) else result.line
                if key in result:
                    raise _Refused(f"duplicate key {quoted(key)}", line)
                result[lstr(key, line)] = value
            return result

        try:
            return _DECODER.JSONObject(
                (s, end), strict, self._locating(scan_once, starts), None, pairs_to_mapping, memo
            )
        finally:
            self.depth -= 1

    def _array(self, s_and_end: tuple[str, int], scan_once: _Scan) -> tuple[LList, int]:
        s, end = s_and_end
        self._deeper(end - 1)
        starts: list[int] = []
        try:
            values, after = _DECODER.JSONArray((s, end), self._locating(scan_once, starts))
        finally:
            self.depth -= 1
        items = LList(values)
        items.item_lines = [self.line(start) for start in starts[: len(values)]]
        return items, after

    def _string(self, s: str, end: int, strict: bool = True) -> tuple[str, int]:
        value, after = _DECODER.scanstring(s, end, strict)
        return lstr(value, self.line(end - 1)), after

    @staticmethod
    def _int(digits: str) -> int:
        count = len(digits.lstrip("-"))
        if count > MAX_NUMBER_DIGITS:
            raise _Refused(f"a number of {count:,} digits (at most {MAX_NUMBER_DIGITS:,})")
        return int(digits)


def json_tree(text: str, label: str) -> Any:
    """JSON text → ``LDict``/``LList``/``LStr`` (plus numbers, booleans and None)."""
    decoder = _LocatedDecoder(text)
    try:
        tree = decoder.decode(text)
    except _Refused as exc:
        raise InputError(label, exc.message, exc.line or 1) from None
    except json.JSONDecodeError as exc:
        raise InputError(label, f"invalid JSON: {exc.msg}", exc.lineno) from None
    except RecursionError:  # MAX_DEPTH stops nesting long before Python's own limit
        raise InputError(label, "invalid JSON: nested too deeply") from None
    if isinstance(tree, str):
        return lstr(tree, 1)
    return tree
