"""YAML text to located plain data, with libyaml's composer when available.

The tree is composed node by node, so every mapping, string and list item keeps its
line; a node budget refuses alias bombs, a depth limit deep nesting, and only the plain
YAML tags (text, numbers, true/false, dates, null, lists, mappings) are read: every
other tag, and a tagged value that is not what its tag says, is a located
``InputError`` — as is every other failure.
"""

from __future__ import annotations

from typing import Any, cast

import yaml

from assistant.errors import InputError
from assistant.io.line_numbered import MAX_DEPTH, MAX_NUMBER_DIGITS, LDict, LList, lstr, quoted

# libyaml's composer is ~10x faster than the pure-Python one and reports the same marks.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
MAX_YAML_NODES = 2_000_000
_STR = "tag:yaml.org,2002:str"
# Composing never expands an alias (the node is shared), so the budget is checked on
# the composed graph before any expansion: an OKR file has no use for thousands of
# aliases, nor for aliases that multiply into more nodes than a large real file has.
MAX_YAML_ALIASES = 1_000
MAX_EXPANDED_NODES = 500_000


def check_aliases(root: yaml.Node, label: str) -> None:
    """Refuse alias bombs before expanding anything.

    Walks the composed graph once per distinct node (memoised), counting references to
    already-seen nodes (aliases) and the size the tree would have once expanded.
    """
    sizes: dict[int, int] = {}
    seen: set[int] = set()
    aliases = 0
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        if done:
            children = _children(node)
            total = 1 + sum(sizes[id(c)] for c in children)
            if total > MAX_EXPANDED_NODES:
                raise InputError(
                    label,
                    f"aliases would expand to more than {MAX_EXPANDED_NODES:,} nodes "
                    "(an alias bomb?); write the values out instead",
                    node.start_mark.line + 1,
                )
            sizes[key] = total
            continue
        if key in seen:
            if key not in sizes:
                raise InputError(label, "recursive alias", node.start_mark.line + 1)
            aliases += 1
            if aliases > MAX_YAML_ALIASES:
                raise InputError(
                    label,
                    f"too many aliases (more than {MAX_YAML_ALIASES:,}); write the values out",
                    node.start_mark.line + 1,
                )
            continue
        seen.add(key)
        stack.append((node, True))
        stack.extend((child, False) for child in reversed(_children(node)))


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def yaml_tree(text: str, label: str) -> Any:
    try:
        node = yaml.compose(text, Loader=_LOADER)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise InputError(
            label, f"invalid YAML: {problem}", mark.line + 1 if mark else None
        ) from None
    except (ValueError, RecursionError) as exc:
        raise InputError(label, f"invalid YAML: {exc}") from None
    if node is None:
        raise InputError(label, "file is empty", 1)
    if "*" in text:
        check_aliases(node, label)
    constructor = yaml.SafeLoader("")
    budget = [MAX_YAML_NODES]

    def convert(n: yaml.Node, depth: int = 1) -> Any:
        budget[0] -= 1
        line = n.start_mark.line + 1
        if budget[0] < 0:
            raise InputError(label, "document is too large or too deeply aliased", line)
        if depth > MAX_DEPTH:
            raise InputError(label, f"nested too deeply (more than {MAX_DEPTH} levels)", line)
        if isinstance(n, yaml.MappingNode):
            _check_tag(n, _MAPPING_TAGS, label)
            result = LDict()
            result.line = line
            for key_node, value_node in n.value:
                key_line = key_node.start_mark.line + 1
                if key_node.tag == _MERGE:
                    raise InputError(
                        label, "merge keys ('<<') are not supported: write the fields out", key_line
                    )
                key = convert(key_node, depth + 1)
                if not isinstance(key, str | int | float | bool):
                    raise InputError(label, "mapping keys must be plain text", key_line)
                key = lstr(str(key), key_line)
                if key in result:
                    raise InputError(label, f"duplicate key {quoted(key)}", key_line)
                result[key] = convert(value_node, depth + 1)
            return result
        if isinstance(n, yaml.SequenceNode):
            _check_tag(n, _SEQUENCE_TAGS, label)
            items = LList(convert(item, depth + 1) for item in n.value)
            items.item_lines = [item.start_mark.line + 1 for item in n.value]
            return items
        scalar = cast(yaml.ScalarNode, n)
        if n.tag == _STR or (n.tag in _PLAIN_ONLY and scalar.style is None):
            return lstr(n.value, line)  # most scalars: text, kept as written
        _check_tag(n, _SCALAR_TAGS, label)
        return _lstr_or_value(_scalar(constructor, scalar, label), line)

    try:
        return convert(node)
    except RecursionError:  # MAX_DEPTH stops nesting long before Python's own limit
        raise InputError(label, "document is nested too deeply") from None


_YAML = "tag:yaml.org,2002:"
_MERGE = _YAML + "merge"
# Tags the resolver gives plain scalars such as "=" or "<<" that mean nothing in an OKR
# file but their words (a merge key is refused where it acts: as a key).
_PLAIN_ONLY = {_YAML + "value", _YAML + "yaml", _MERGE}
_SCALAR_TAGS = {_YAML + t for t in ("str", "null", "bool", "int", "float", "timestamp")}
_MAPPING_TAGS = {_YAML + "map", _YAML + "set"}
_SEQUENCE_TAGS = {_YAML + "seq", _YAML + "omap", _YAML + "pairs"}
_WHAT = {  # what an explicitly tagged scalar's text must be
    "null": "empty",
    "bool": "true or false",
    "int": "a whole number",
    "float": "a number",
    "timestamp": "a date",
}


def _short(tag: str) -> str:
    return "!!" + tag[len(_YAML) :] if tag.startswith(_YAML) else tag


def _check_tag(node: yaml.Node, allowed: set[str], label: str) -> None:
    """Refuse ``!!python/…``, ``!custom`` and tags that do not fit the node."""
    if node.tag not in allowed:
        raise InputError(
            label,
            f"the tag {quoted(_short(node.tag))} is not supported here: remove it",
            node.start_mark.line + 1,
        )


def _scalar(constructor: yaml.SafeLoader, node: yaml.ScalarNode, label: str) -> Any:
    """A null, bool, int, float or date scalar, checked before PyYAML's constructor sees it
    (``!!bool "maybe"``, ``!!int "-"`` and ``!!timestamp "x"`` crash it)."""
    kind = node.tag[len(_YAML) :]
    line = node.start_mark.line + 1
    value = node.value
    resolved = constructor.resolve(yaml.ScalarNode, value, (True, False))
    fits = {node.tag} | ({_YAML + "int"} if kind == "float" else set())
    if resolved not in fits:
        raise InputError(label, f"{quoted(value)} is not {_WHAT[kind]} ({_short(node.tag)})", line)
    digits = sum(c.isdigit() for c in value) if kind in ("int", "float") else 0
    if digits > MAX_NUMBER_DIGITS:  # int() refuses 4,300 digits; 1:2:3… multiplies
        raise InputError(
            label, f"a number of {digits:,} digits (at most {MAX_NUMBER_DIGITS:,})", line
        )
    try:
        return constructor.construct_object(node, deep=True)
    except (yaml.YAMLError, ValueError, OverflowError) as exc:  # 2026-02-30
        problem = " ".join(str(exc).split())
        raise InputError(label, f"{quoted(value)} is not {_WHAT[kind]} ({problem})", line) from None


def _lstr_or_value(value: Any, line: int) -> Any:
    return lstr(value, line) if isinstance(value, str) else value
