"""Item 11 of issue 11: the small ones."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from assistant.cli import main
from assistant.model import KeyResult, Objective, OKRSet
from assistant.services import drafts
from assistant.store.store import Store

ROOT = Path(__file__).resolve().parents[2]
HUGE = "9" * 30


def run(*args: str, input: str | bytes | None = None) -> Result:
    return CliRunner().invoke(main, list(args), input=input)


def test_config_accepts_token_settings_and_refuses_only_the_key() -> None:
    assert run("config", "set", "llm.max_output_tokens", "2000").exit_code == 0
    assert run("config", "set", "llm.prices.gpt-token-mini", "0.2,0.8").exit_code == 0
    assert run("config", "set", "llm.prices.key-model", "0.2,0.8").exit_code == 0
    assert run("config", "set", "llm.prices.key-model.output", "0.9").exit_code == 0
    for key in ("llm.api_key", "api_key", "llm.openai_api_key"):
        refused = run("config", "set", key, "sk-x")
        assert refused.exit_code == 2 and "OPENAI_API_KEY" in refused.output
    unknown = run("config", "set", "llm.tokens_per_minute", "1")
    assert unknown.exit_code == 2
    assert "unknown setting 'llm.tokens_per_minute' (known: " in unknown.output
    assert "llm.max_output_tokens" in unknown.output


def test_a_huge_version_number_is_no_such_version(okr_home: Path) -> None:
    okr = OKRSet(name="T", objectives=[Objective(title="O", key_results=[KeyResult(text="k")])])
    drafts.save(Store.in_home(okr_home), "Team", okr, "v1", author="a")
    for args in (("show", f"Team@{HUGE}"), ("diff", "Team", "1", HUGE), ("export", f"Team@{HUGE}")):
        result = run(*args)
        assert result.exit_code == 2, (args, result.output)
        assert "has no version" in result.output
        assert "OverflowError" not in result.output
    assert run("log", "Team", "-n", HUGE).exit_code == 0


def test_an_endless_stream_stops_at_the_size_cap() -> None:
    result = run("critique", "/dev/zero", "--format-in", "yaml")
    assert result.exit_code == 2
    assert result.output.startswith("/dev/zero:1: file is too large")


def test_stdin_reports_are_labelled_stdin() -> None:
    text = (ROOT / "examples" / "weak.yaml").read_text()
    result = run("critique", "-", "--format", "json", input=text)
    assert result.exit_code == 0, result.output
    assert {s["source"] for s in json.loads(result.output)["sets"]} == {"stdin"}
    assert "-#1" not in run("critique", "-", input=text).output


@pytest.mark.parametrize("name", ["evil\u202ename", "bell\x07", "csi\x9b2J"])
def test_draft_names_with_controls_are_refused(name: str, okr_home: Path) -> None:
    okr = OKRSet(name="T", objectives=[Objective(title="O", key_results=[KeyResult(text="k")])])
    from assistant.errors import UsageError

    with pytest.raises(UsageError, match="control characters"):
        drafts.save(Store.in_home(okr_home), name, okr, "v1", author="a")


def test_ctrl_c_before_the_llm_loop_exits_130(monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("assistant.services.lessons.read_targets", interrupted)
    result = run("critique", str(ROOT / "examples" / "weak.yaml"), "--engine", "llm")
    assert result.exit_code == 130
    assert "Aborted!" not in result.output


def test_a_line_break_in_a_column_or_file_name_stays_on_the_error_line(
    tmp_path: Path, launched: str
) -> None:
    numbers = tmp_path / "numbers.csv"
    numbers.write_text('kr,"va\nlue",note\nO1.KR1,45,\n', encoding="utf-8")
    result = run("checkin", launched, "--from", str(numbers))
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"{numbers}:1: unknown column 'va\\nlue' (columns: kr, value, confidence, note, date)"
    ]
    odd = tmp_path / "two\nlines.yaml"
    odd.write_text("name: [", encoding="utf-8")
    result = run("critique", str(odd))
    assert result.exit_code == 2
    assert len(result.stderr.splitlines()) == 1
    assert "two\\nlines.yaml:" in result.stderr


def test_ids_with_thousands_of_digits_are_refused_in_one_line(tmp_path: Path) -> None:
    digits = "9" * 5000  # past Python's int-from-text limit (4,300 digits)
    team = tmp_path / "team.yaml"
    team.write_text(
        "sets:\n  - name: Company\n    objectives:\n      - title: Grow revenue\n"
        "        key_results: [Raise ARR from $3M to $4M]\n"
        "  - name: Sales\n    objectives:\n      - title: Win agencies\n"
        f"        aligns_to: Company O{digits}\n"
        "        key_results: [Close 18 new agency deals, up from 11]\n",
        encoding="utf-8",
    )
    result = run("critique", str(team), "--format", "json")
    assert result.exit_code in (0, 1), result.output[-300:]
    from assistant.ids import TargetId

    with pytest.raises(ValueError, match="is not a target id"):
        TargetId.parse(f"O1.KR{digits}")
