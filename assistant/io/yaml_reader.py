"""YAML (and JSON) text to located plain data, with libyaml's composer when available.

The tree is composed node by node, so every mapping, string and list item keeps its
line; a node budget refuses alias bombs, and every failure is a located ``InputError``.
"""

from __future__ import annotations

import json
from typing import Any

import yaml

from assistant.errors import InputError
from assistant.io.located import LDict, LList, lstr

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

    def convert(n: yaml.Node) -> Any:
        budget[0] -= 1
        if budget[0] < 0:
            raise InputError(
                label, "document is too large or too deeply aliased", n.start_mark.line + 1
            )
        line = n.start_mark.line + 1
        if isinstance(n, yaml.MappingNode):
            result = LDict()
            result.line = line
            for key_node, value_node in n.value:
                key = convert(key_node)
                if not isinstance(key, str | int | float | bool) or key is None:
                    raise InputError(
                        label, "mapping keys must be plain text", key_node.start_mark.line + 1
                    )
                key = str(key)
                if key in result:
                    raise InputError(label, f"duplicate key '{key}'", key_node.start_mark.line + 1)
                result[key] = convert(value_node)
            return result
        if isinstance(n, yaml.SequenceNode):
            items = LList(convert(item) for item in n.value)
            items.item_lines = [item.start_mark.line + 1 for item in n.value]
            return items
        if n.tag == _STR:  # most scalars: text, kept as written (no constructor call)
            return lstr(n.value, line)
        try:
            value = constructor.construct_object(n, deep=True)
        except (yaml.YAMLError, ValueError, OverflowError) as exc:
            raise InputError(label, f"invalid value: {exc}".splitlines()[0], line) from None
        return lstr(value, line) if isinstance(value, str) else value

    try:
        return convert(node)
    except RecursionError:
        raise InputError(label, "document is nested too deeply") from None


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, str):
        return str(value)
    return value


def json_tree(text: str, label: str) -> Any:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(label, f"invalid JSON: {exc.msg}", exc.lineno) from None
    except RecursionError:
        raise InputError(label, "invalid JSON: nested too deeply") from None
    try:  # JSON is (nearly) YAML: reuse the YAML composer to learn line numbers.
        tree = yaml_tree(text, label)
        if _plain(tree) == data:
            return tree
    except InputError:
        pass
    return data
