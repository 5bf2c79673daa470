"""What the hostile-input tests share: a draft launched for a cycle, to check in to."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from assistant.cli import main


@pytest.fixture
def launched(tmp_path: Path) -> str:
    """Draft ``plan``, saved and launched for 2026-Q1: O1.KR1 in %, O1.KR2 in days."""
    plan = tmp_path / "plan.yaml"
    plan.write_text(
        "name: plan\ncycle: 2026-Q1\nobjectives:\n  - title: Grow\n    key_results:\n"
        "      - Raise week-1 activation from 32% to 50% by 2026-03-31\n"
        "      - Cut time to first dashboard from 3 days to 1 day\n",
        encoding="utf-8",
    )
    for args in (["save", str(plan), "-m", "plan"], ["launch", "plan"]):
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 0, result.output
    return "plan"
