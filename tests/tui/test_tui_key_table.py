"""README's key table is generated from the bindings (scripts/tui_keys.py): it fails
here when a binding changed and the table was not written again."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

from textual.binding import Binding

ROOT = Path(__file__).resolve().parents[2]


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("tui_keys", ROOT / "scripts" / "tui_keys.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_readme_key_table_is_the_bindings() -> None:
    script = _script()
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert script.with_table(readme) == readme, "run: python scripts/tui_keys.py"
    assert script.main(["--check"]) == 0


def test_the_table_names_every_screens_keys() -> None:
    from tui.screens.cycle import CycleScreen
    from tui.screens.drafts import DraftsScreen

    table = _script().table()
    for binding in (*DraftsScreen.BINDINGS, *CycleScreen.BINDINGS):
        assert isinstance(binding, Binding)
        assert (binding.tooltip or binding.description) in table, binding
    assert "| r | Rename the draft" in table and "| s | Check in the sourced" in table


def test_a_changed_binding_makes_the_check_fail(monkeypatch) -> None:
    script = _script()
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    from tui.screens.drafts import DraftsScreen

    changed = [*DraftsScreen.BINDINGS[:-1]]  # q no longer bound
    monkeypatch.setattr(DraftsScreen, "BINDINGS", changed)
    assert script.with_table(readme) != readme
