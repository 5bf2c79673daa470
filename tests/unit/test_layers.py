"""The layers point down only (README "Architecture"): a module may import its own
layer or the ones below it, never above — lazy imports inside functions included."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# Lowest first. A module's layer is the first prefix that matches its dotted name.
LAYERS: list[tuple[str, tuple[str, ...]]] = [
    ("base", ("assistant.errors", "assistant.paths", "assistant.ids")),
    (
        "domain",
        ("assistant.model", "assistant.measure", "assistant.rubric", "assistant.domain"),
    ),
    ("adapters", ("assistant.config", "assistant.io", "assistant.llm", "assistant.store")),
    ("services", ("assistant.services",)),
    ("renderers", ("assistant.render",)),
    ("entry points", ("assistant.cli", "tui")),
]
RANK = {name: i for i, (name, _prefixes) in enumerate(LAYERS)}


def layer_of(module: str) -> str | None:
    if module == "assistant":
        return "base"  # the package itself: only __version__
    for name, prefixes in LAYERS:
        if any(module == p or module.startswith(p + ".") for p in prefixes):
            return name
    return None


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1] if len(parts) > 1 else parts
    return ".".join(parts)


def imported(tree: ast.AST, package: str) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            names.add(target)
            names.update(f"{target}.{alias.name}" for alias in node.names)
    return names


def sources() -> list[Path]:
    return sorted([*(ROOT / "assistant").rglob("*.py"), *(ROOT / "tui").rglob("*.py")])


@pytest.mark.parametrize("path", sources(), ids=lambda p: str(p.relative_to(ROOT)))
def test_imports_point_down(path: Path) -> None:
    module = module_name(path)
    own = layer_of(module)
    assert own is not None, f"{module} belongs to no layer: add it to LAYERS"
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    upward = sorted(
        name
        for name in imported(ast.parse(path.read_text(encoding="utf-8")), package)
        if (other := layer_of(name)) is not None and RANK[other] > RANK[own]
    )
    assert not upward, f"{module} ({own}) imports from a higher layer: {upward}"


def test_the_llm_adapter_never_imports_services() -> None:
    for path in (ROOT / "assistant" / "llm").rglob("*.py"):
        names = imported(ast.parse(path.read_text(encoding="utf-8")), "assistant.llm")
        assert not [n for n in names if n.startswith("assistant.services")], path


def test_the_tui_reaches_the_store_and_the_llm_only_through_services() -> None:
    for path in (ROOT / "tui").rglob("*.py"):
        names = imported(ast.parse(path.read_text(encoding="utf-8")), "tui")
        direct = [n for n in names if n.startswith(("assistant.store", "assistant.llm"))]
        assert not direct, f"{path.relative_to(ROOT)} imports {direct}"
