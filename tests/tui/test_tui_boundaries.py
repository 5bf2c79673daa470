"""The layering rules: ``assistant`` never imports Textual; ``okr tui`` is wired in."""

from __future__ import annotations

import pkgutil
import re
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

import assistant
from assistant.cli import COMMAND_MODULES, main

ROOT = Path(__file__).resolve().parents[2]
TEXTUAL_IMPORT = re.compile(r"^\s*(?:from\s+textual[\s.]|import\s+textual\b)", re.MULTILINE)


def test_assistant_source_never_imports_textual() -> None:
    offenders = [
        str(path.relative_to(ROOT))
        for path in sorted((ROOT / "assistant").rglob("*.py"))
        if path.name != "tui.py" and TEXTUAL_IMPORT.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
    # The CLI command imports the app lazily, inside the command function only.
    command = (ROOT / "assistant" / "cli" / "tui.py").read_text(encoding="utf-8")
    assert not re.search(r"^(?:from|import)\s+(?:textual|tui)\b", command, re.MULTILINE)


def test_importing_every_assistant_module_loads_no_textual() -> None:
    modules = sorted(
        name for _, name, _ in pkgutil.walk_packages(assistant.__path__, prefix="assistant.")
    )
    assert "assistant.services.drafts" in modules and "assistant.cli.tui" in modules
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "from assistant.cli import main\n"
        "main(['--help'], standalone_mode=False)\n"
        "bad = sorted(m for m in sys.modules if m == 'textual' or m.startswith(('textual.', 'tui')))\n"
        "print('LOADED', bad)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert "LOADED []" in result.stdout


def test_okr_tui_is_registered_and_rejects_unknown_targets() -> None:
    assert "tui" in COMMAND_MODULES
    runner = CliRunner()
    shown = runner.invoke(main, ["tui", "--help"])
    assert shown.exit_code == 0 and "[FILE | DRAFT]" in shown.output
    missing = runner.invoke(main, ["tui", "no-such-draft"])
    assert missing.exit_code == 2
    assert missing.output.strip().splitlines()[-1] == (
        "okr: no-such-draft: no such file or draft (see `okr drafts`)"
    )


def test_okr_tui_with_a_bad_file_is_a_one_line_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("objectives:\n  - title: [unclosed\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["tui", str(bad)])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"{bad}:") and "invalid YAML" in lines[0]
