"""``okr draft`` on the command line, offline: answers files, -o and --save, the
terminal rule, Ctrl-C, and the help."""

from __future__ import annotations

import asyncio

import click
import pytest
from click.testing import CliRunner

from assistant.cli import main
from assistant.io import read_path, read_text

ANSWERS = """\
objective: Make onboarding effortless for new customers
cycle: 2026-Q1
key_results:
  - metric: week-1 activation
    baseline: 32%
    target: 50%
  - metric: median time to first dashboard
    baseline: 3 days
    target: 1 day
"""


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_answers_file_prints_spec_yaml_on_stdout(runner, write) -> None:
    path = write("answers.yaml", ANSWERS)
    result = runner.invoke(main, ["draft", "--answers", str(path)])
    assert result.exit_code == 0, result.output
    [okr_set] = read_text(result.stdout, "draft.yaml")
    assert okr_set.cycle == "2026-Q1"
    assert [kr.text for kr in okr_set.objectives[0].key_results] == [
        "Raise week-1 activation from 32% to 50%",
        "Cut median time to first dashboard from 3 days to 1 day",
    ]
    assert "Draft from the guided interview: overall 100/100" in result.stderr


def test_output_file_and_save_as_version_1(runner, write, tmp_path, app) -> None:
    path = write("answers.yaml", ANSWERS)
    out = tmp_path / "okrs.yaml"
    result = runner.invoke(
        main, ["draft", "--answers", str(path), "-o", str(out), "--save", "onboarding"]
    )
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert read_path(str(out))[0].objectives[0].key_results[0].text.startswith("Raise week-1")
    version = asyncio.run(app.version("onboarding"))
    assert (version.number, version.source) == (1, "draft:interview")
    assert version.okr_set.name == "onboarding"  # the set is named after the draft
    again = runner.invoke(main, ["draft", "--answers", str(path), "--save", "onboarding"])
    assert again.exit_code == 2
    assert "draft 'onboarding' already exists" in again.stderr
    assert len(asyncio.run(app.history("onboarding"))) == 1


def test_follow_up_questions_are_reported_with_their_line(runner, write) -> None:
    path = write("answers.yaml", ANSWERS.replace("baseline: 32%", "baseline: low"))
    result = runner.invoke(main, ["draft", "--answers", str(path)])
    assert result.exit_code == 0, result.output
    assert f"{path}:5: 'low' is not a number yet" in result.stderr
    assert "from [baseline] to 50%" in result.stdout


def test_bad_answers_file_is_one_located_line_exit_2(runner, write, tmp_path) -> None:
    path = write("answers.yaml", "objective: x\nkey_results:\n  - baseline: 3\n")
    out = tmp_path / "okrs.yaml"
    result = runner.invoke(main, ["draft", "--answers", str(path), "-o", str(out)])
    assert result.exit_code == 2
    assert result.stderr == f"{path}:3: key result 1 has no 'metric' (which measure?)\n"
    assert not out.exists()


def test_without_a_terminal_or_answers_it_is_a_usage_error(runner, monkeypatch) -> None:
    monkeypatch.setattr("assistant.cli.draft._is_terminal", lambda: False)
    result = runner.invoke(main, ["draft"])
    assert result.exit_code == 2
    assert result.stderr.startswith("okr: the offline interview asks questions on a terminal")
    idea = runner.invoke(main, ["draft", "some idea", "--engine", "rules"])
    assert idea.exit_code == 2 and "--answers FILE" in idea.stderr
    llm = runner.invoke(main, ["draft", "--engine", "llm"])
    assert llm.exit_code == 2 and "needs an IDEA" in llm.stderr


def test_the_interview_on_a_terminal(runner, monkeypatch, tmp_path) -> None:
    monkeypatch.setattr("assistant.cli.draft._is_terminal", lambda: True)
    replies = iter(
        ["Make onboarding effortless", "better onboarding", "week-1 activation", "32%",
         "50%", "31 Mar 2026", "support tickets per new account", "1.5", "0.5", "Q2 2026", ""]
    )  # fmt: skip
    asked: list[str] = []

    def prompt(text, **kwargs):
        asked.append(click.unstyle(text))
        return next(replies)

    monkeypatch.setattr(click, "prompt", prompt)
    out = tmp_path / "okrs.yaml"
    result = runner.invoke(main, ["draft", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert any("'better onboarding' is not a measure yet: what would you count?" in q
               for q in asked)  # fmt: skip
    assert "→ Raise week-1 activation from 32% to 50% by 31 Mar 2026  ✓" in result.stderr
    texts = [kr.text for kr in read_path(str(out))[0].objectives[0].key_results]
    assert texts[1] == "Cut support tickets per new account from 1.5 to 0.5 by Q2 2026"


def test_ctrl_c_keeps_nothing_half_written(runner, monkeypatch, tmp_path, app) -> None:
    monkeypatch.setattr("assistant.cli.draft._is_terminal", lambda: True)
    replies = iter(["Make onboarding effortless", "week-1 activation"])

    def prompt(text, **kwargs):
        try:
            return next(replies)
        except StopIteration:
            raise KeyboardInterrupt from None

    monkeypatch.setattr(click, "prompt", prompt)
    out = tmp_path / "okrs.yaml"
    result = runner.invoke(main, ["draft", "-o", str(out), "--save", "half"])
    assert result.exit_code == 130
    assert result.stderr.strip().splitlines()[-1] == "okr: interrupted; nothing was written"
    assert not out.exists() and not list(tmp_path.glob(".okrs.yaml.*"))
    assert asyncio.run(app.drafts()) == []


def test_rules_engine_improve_uses_the_rules_rewrites(runner, write) -> None:
    plan = write(
        "plan.yaml",
        "objectives:\n  - title: Make onboarding effortless\n    key_results:\n"
        "      - Raise week-1 activation to 50%\n      - Cut churn from 5% to 3% by Q2 2026\n",
    )
    result = runner.invoke(main, ["draft", "--improve", str(plan), "O1.KR1", "--engine", "rules"])
    assert result.exit_code == 0, result.output
    assert "1. Raise week-1 activation from [baseline] to 50%" in result.stdout
    assert "offline: the rules engine's own rewrites" in result.stdout


def test_help_has_examples(runner) -> None:
    result = runner.invoke(main, ["draft", "--help"])
    assert result.exit_code == 0
    for text in ("--answers", "--improve DRAFT KR", "Examples:", "okr draft --answers", "130"):
        assert text in result.stdout
