"""Answers that follow a JSON schema exactly, as a grammar-constrained server's do.

llama.cpp's ``llama-server`` turns the ``json_schema`` of a request into a grammar: the
model can write nothing the schema does not allow, and everything it allows is
possible. ``minimal`` is the least such an answer can say (no optional item, the
shortest strings, null where null is allowed), ``maximal`` the most (every list full,
every string at its ``maxLength``, each list item another ``anyOf`` branch and another
enum value). If the validators accept both, a schema-following server can never be
refused; if the schema left something unbounded, ``maximal`` says so.
"""

from __future__ import annotations

from typing import Any

FILLER = "note the words here "


def sent_schema(body: dict[str, Any]) -> dict[str, Any]:
    """The JSON schema a chat request asked for (``response_format.json_schema``)."""
    return body["response_format"]["json_schema"]["schema"]


def _resolve(root: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = root["$defs"][node["$ref"].rsplit("/", 1)[-1]]
    return node


def minimal(root: dict[str, Any], node: dict[str, Any] | None = None) -> Any:
    node = _resolve(root, root if node is None else node)
    if "anyOf" in node:
        options = [_resolve(root, o) for o in node["anyOf"]]
        if any(o.get("type") == "null" for o in options):
            return None
        return minimal(root, options[0])
    if "enum" in node:
        return node["enum"][0]
    kind = node.get("type")
    if kind == "object":
        return {name: minimal(root, value) for name, value in node["properties"].items()}
    if kind == "array":
        return [minimal(root, node["items"]) for _ in range(node.get("minItems", 0))]
    if kind == "string":
        return "x" * node.get("minLength", 0)
    if kind == "null":
        return None
    raise AssertionError(f"no minimal answer for {node}")


def maximal(root: dict[str, Any], node: dict[str, Any] | None = None, index: int = 0) -> Any:
    node = _resolve(root, root if node is None else node)
    if "anyOf" in node:
        options = [_resolve(root, o) for o in node["anyOf"]]
        options = [o for o in options if o.get("type") != "null"] or options
        return maximal(root, options[index % len(options)], index)
    if "enum" in node:
        return node["enum"][index % len(node["enum"])]
    kind = node.get("type")
    if kind == "object":
        return {name: maximal(root, value, index) for name, value in node["properties"].items()}
    if kind == "array":
        assert "maxItems" in node, f"a list without maxItems: {node}"
        return [maximal(root, node["items"], i) for i in range(node["maxItems"])]
    if kind == "string":
        assert "maxLength" in node, f"a string without maxLength: {node}"
        size = node["maxLength"]
        return (FILLER * (size // len(FILLER) + 1))[:size].rstrip().ljust(size, "x")
    if kind == "null":
        return None
    raise AssertionError(f"no maximal answer for {node}")


def answer_minimal(body: dict[str, Any]) -> dict[str, Any]:
    """A fake server's answer: the least the request's schema allows."""
    return minimal(sent_schema(body))


def answer_maximal(body: dict[str, Any]) -> dict[str, Any]:
    """A fake server's answer: the most the request's schema allows."""
    return maximal(sent_schema(body))
