"""The layers of DESIGN.md hold: the import-linter contracts in pyproject.toml pass, and a
contract that is broken on purpose is caught (so the check cannot pass vacuously)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT = Path(sys.executable).with_name("lint-imports")

pytestmark = pytest.mark.skipif(not LINT.exists(), reason="import-linter is not installed")


def lint(cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT), "--no-cache"], cwd=cwd, capture_output=True, text=True, check=False
    )


def test_the_contracts_hold() -> None:
    result = lint(ROOT)
    assert result.returncode == 0, result.stdout[-3000:]
    assert "BROKEN" not in result.stdout


def test_an_upward_import_breaks_the_layers(tmp_path: Path) -> None:
    copy = tmp_path / "tree"
    for name in ("assistant", "tui", "prompts", "rubrics"):
        shutil.copytree(ROOT / name, copy / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", copy / "pyproject.toml")
    # The domain reaching up into the store: what the layers forbid.
    model = copy / "assistant" / "ids.py"
    model.write_text(model.read_text(encoding="utf-8") + "\nimport assistant.store.db\n")
    result = subprocess.run(
        [str(LINT), "--no-cache"],
        cwd=copy,
        capture_output=True,
        text=True,
        check=False,
        env={"PYTHONPATH": str(copy), "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode != 0
    assert "assistant.ids -> assistant.store.db" in result.stdout
