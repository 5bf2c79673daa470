"""Issue 25, the command line as a newcomer meets it: every `--help` has examples and cites
no SPEC, every hint pastes back as the intended command, nothing asks without a terminal,
Ctrl-C is 130 at every question, files follow the umask, `okr status` rounds in the KR's
unit, counts are singular or plural, reviews are numbered per draft; and the README says
how to run `okr` after installing it."""

from __future__ import annotations

import io
import json
import os
import re
import shlex
import stat
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

from assistant.cli import main
from assistant.domain.commands import okr_command
from assistant.domain.plural import counted

ROOT = Path(__file__).resolve().parents[2]
ANSWERS = ROOT / "bench" / "data" / "answers" / "onboarding.yaml"
NAME = "Sales Team"  # a name a shell splits in two unless it is quoted

ONE_SET = """name: Support
cycle: 2026-Q1
objectives:
  - title: Make support feel effortless for our customers
    key_results:
      - Raise CSAT from 82% to 90% by 31 Mar 2026
      - Cut median first-reply time from 6 hours to 2 hours by 31 Mar 2026
"""
WEAK = """name: Weak Plan
cycle: 2026-Q1
objectives:
  - title: Make onboarding effortless
    key_results:
      - Reach 50% week-1 activation
      - Launch the new onboarding flow
"""


def run(*args: str, input: str | io.BytesIO | None = None) -> Result:
    return CliRunner().invoke(main, list(args), input=input)


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("OKR_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("OKR_AUTHOR", "Dana")
    monkeypatch.chdir(tmp_path)
    old = os.umask(0o022)
    try:
        yield tmp_path / "home"
    finally:
        os.umask(old)


def drafted(name: str = NAME) -> Result:
    """Draft ``name`` from the shipped answers file (O1.KR2: 3 days → 1 day)."""
    result = run("draft", "--answers", str(ANSWERS), "--save", name)
    assert result.exit_code == 0, result.output
    return result


def saved_weak(name: str) -> None:
    """A draft ``name`` whose review suggests rewrites."""
    Path("weak.yaml").write_text(WEAK, encoding="utf-8")
    assert run("save", "weak.yaml", "--draft", name, "-m", "first").exit_code == 0


def graded(name: str = NAME) -> None:
    """``name`` launched for a cycle that has ended, checked in late, and graded."""
    assert run("launch", name, "--cycle", "2026-Q3").exit_code == 0
    late = run("checkin", name, "O1.KR1", "45%", "--confidence", "6")
    assert late.exit_code == 0 and "Late: O1.KR1" in late.stderr, late.output
    assert run("grade", name).exit_code == 0


def one_line(result: Result) -> str:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.output
    assert "Traceback" not in result.output
    return lines[0]


def mode(path: str | Path) -> int:
    return stat.S_IMODE(Path(path).stat().st_mode)


# --- 1. help ------------------------------------------------------------------------------


def every_command(group: click.Group, ctx: click.Context, path: tuple[str, ...] = ()):
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        assert command is not None
        if command.hidden:
            continue
        yield (*path, name)
        if isinstance(command, click.Group):
            yield from every_command(command, click.Context(command), (*path, name))


def test_every_command_has_examples_in_its_help_and_cites_no_spec() -> None:
    commands = list(every_command(main, click.Context(main)))
    assert {("init",), ("examples",), ("rubric",), ("reviews",), ("tui",)} <= set(commands)
    assert ("review", "accept") in commands and ("config", "set") in commands
    missing, cited = [], []
    for path in commands:
        result = run(*path, "--help")
        assert result.exit_code == 0, (path, result.output)
        if "Examples:" not in result.output:
            missing.append(" ".join(path))
        if "SPEC" in result.output:
            cited.append(" ".join(path))
    assert missing == [] and cited == []
    assert "SPEC" not in run("--help").output


# --- 2. hints to paste -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "words", [("critique", "Sales Team"), ("undelete", "Dana's plan"), ("tui", "a;b $HOME `x`")]
)
def test_a_command_hint_splits_back_into_its_words(words: tuple[str, ...]) -> None:
    assert shlex.split(okr_command(*words)) == ["okr", *words]


def test_every_hint_pastes_back_as_the_intended_command(home: Path) -> None:
    saved = drafted()
    nxt = re.search(r"Next: (.*)$", saved.stderr, re.M)
    assert nxt is not None, saved.stderr
    assert [shlex.split(part) for part in nxt.group(1).split(" · ")] == [
        ["okr", "critique", NAME],
        ["okr", "tui", NAME],
    ]
    assert "okr critique Sales Team" not in saved.stderr

    init = run("init", "my okrs.yaml")
    assert shlex.split(init.stdout.split("then run: ")[1]) == ["okr", "critique", "my okrs.yaml"]

    no_cycle = run("status", NAME)  # a service's hint: launch one with `okr launch …`
    assert no_cycle.exit_code == 2
    hint = re.search(r"`(okr launch [^`]*)`", no_cycle.stderr)
    assert hint is not None and shlex.split(hint.group(1)) == ["okr", "launch", NAME]

    missing_value = run("checkin", NAME, "O1.KR1")
    assert shlex.split(one_line(missing_value).split("missing VALUE: ")[1])[:-1] == [
        "okr", "checkin", NAME, "O1.KR1"
    ]  # fmt: skip

    assert run("launch", NAME, "--cycle", "2026-Q3").exit_code == 0
    assert run("checkin", NAME, "O1.KR1", "41%").exit_code == 0
    grade = run("grade", NAME)
    retro = re.search(r"Next: (.*) — what went well", grade.stderr)
    assert retro is not None and shlex.split(retro.group(1)) == ["okr", "retro", NAME]

    saved_weak("Weak Plan")
    review = run("review", "Weak Plan", "--engine", "rules", "--rounds", "1",
                 "--personas", "finance-lead,data-analyst")  # fmt: skip
    accept = re.search(r"accept a change with: (.*) N$", review.stderr, re.M)
    assert accept is not None, review.stderr
    assert shlex.split(accept.group(1)) == ["okr", "review", "accept", "Weak Plan"]

    deleted = run("delete", NAME, "--yes")
    undo = re.search(r"Undo with: (.*) \(kept", deleted.stdout)
    assert undo is not None and shlex.split(undo.group(1)) == ["okr", "undelete", NAME]
    gone = run("log", NAME)  # another service's hint
    hint = re.search(r"`(okr undelete [^`]*)`", gone.stderr)
    assert hint is not None and shlex.split(hint.group(1)) == ["okr", "undelete", NAME]


# --- 3. questions need a terminal; Ctrl-C is 130 -----------------------------------------------


class CtrlC(io.BytesIO):
    """stdin whose first read is the user pressing Ctrl-C."""

    def read(self, size: int | None = -1) -> bytes:
        if size == 0:
            return b""
        raise KeyboardInterrupt

    read1 = readline = read  # type: ignore[assignment]

    def readinto(self, buffer) -> int:  # type: ignore[no-untyped-def, override]
        raise KeyboardInterrupt


def expired_draft(home: Path) -> None:
    """Draft 'Old', deleted 40 days ago (``okr purge`` removes it)."""
    from assistant.services import drafts
    from assistant.store.store import Store

    Path("old.yaml").write_text(ONE_SET.replace("Support", "Old"), encoding="utf-8")
    assert run("save", "old.yaml", "-m", "x").exit_code == 0
    store = Store.in_home(home)
    try:
        drafts.delete(store, "Old", now=datetime.now(UTC) - timedelta(days=40))
    finally:
        store.close()


def questions(home: Path) -> list[tuple[tuple[str, ...], str]]:
    """Each command that asks, set up to ask, and the flag that answers it instead."""
    drafted()
    drafted("Graded")
    graded("Graded")
    drafted("Open")
    assert run("launch", "Open", "--cycle", "2026-Q4").exit_code == 0  # ends after today
    expired_draft(home)
    Path("again.yaml").write_text(ONE_SET.replace("Support", NAME), encoding="utf-8")
    return [
        (("delete", NAME), "pass --yes"),
        (("purge",), "pass --yes"),
        (("grade", "Open"), "pass --yes"),
        (("import", "again.yaml"), "pass --as-version"),
        (("checkin", "Open"), "--from FILE.csv"),
        (("retro", "Graded"), "give --notes FILE"),
        (("draft",), "pass --answers FILE"),
    ]


def test_without_a_terminal_nothing_is_asked(home: Path) -> None:
    for args, flag in questions(home):
        result = run(*args)
        assert result.exit_code == 2, (args, result.output)
        assert flag in one_line(result), (args, result.stderr)
        assert "?" not in result.output and "Aborted" not in result.output, args
    assert f"'{NAME}'" not in run("drafts", "--deleted").stdout  # nothing was deleted
    assert "Old" in run("drafts", "--deleted").stdout  # nor purged
    assert json.loads(run("status", "Open", "-f", "json").stdout)["cycle"]["state"] == "open"
    assert run("tui").exit_code == 2
    assert "needs a terminal" in one_line(run("tui"))
    for asks in ("checkin", "retro", "delete"):  # an unknown draft is said before any question
        assert "unknown draft 'nope'" in one_line(run(asks, "nope"))


def test_ctrl_c_at_any_question_exits_130_and_changes_nothing(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked = questions(home)
    for where in ("drafts.lifecycle", "drafts.backup", "cycle"):
        monkeypatch.setattr(f"assistant.cli.{where}.stdin_is_terminal", lambda: True)
    monkeypatch.setattr("assistant.cli.draft._is_terminal", lambda: True)
    for args, _ in asked:
        result = run(*args, input=CtrlC())
        assert result.exit_code == 130, (args, result.output)
        assert "interrupted" in result.stderr and "Traceback" not in result.output, args
    assert f"'{NAME}'" not in run("drafts", "--deleted").stdout
    assert "Old" in run("drafts", "--deleted").stdout
    assert json.loads(run("status", "Open", "-f", "json").stdout)["cycle"]["state"] == "open"
    assert "1 version" in run("log", NAME).stdout  # the import did not add one


# --- 4. files follow the umask; -o into a missing folder is an error -------------------------


def test_files_you_name_follow_the_umask_and_backups_stay_private(home: Path) -> None:
    Path("one.yaml").write_text(ONE_SET, encoding="utf-8")
    assert run("init", "okrs.yaml").exit_code == 0
    assert run("critique", "one.yaml", "-o", "report.md", "-f", "markdown").exit_code == 0
    drafted()
    assert run("launch", NAME, "--cycle", "2026-Q4").exit_code == 0
    assert run("status", NAME, "-f", "html", "-o", "status.html").exit_code == 0
    assert run("export", NAME, "-o", "plan.yaml").exit_code == 0
    for shared in ("okrs.yaml", "report.md", "status.html", "plan.yaml"):
        assert mode(shared) == 0o644, shared
    assert run("export", "--all", "backup").exit_code == 0
    assert {mode(p) for p in Path("backup").iterdir()} == {0o600}

    os.chmod("report.md", 0o640)  # a file replaced keeps the mode its owner gave it
    assert run("critique", "one.yaml", "-o", "report.md").exit_code == 0
    assert mode("report.md") == 0o640
    os.umask(0o077)
    assert run("init", "mine.yaml").exit_code == 0
    assert mode("mine.yaml") == 0o600


def test_an_output_in_a_missing_folder_is_one_line_and_nothing_is_done(home: Path) -> None:
    Path("one.yaml").write_text(ONE_SET, encoding="utf-8")
    drafted()
    assert run("launch", NAME, "--cycle", "2026-Q3").exit_code == 0
    assert run("checkin", NAME, "O1.KR1", "41%").exit_code == 0
    target = "missing/dir/out.md"
    for args in (
        ("init", target),
        ("critique", "one.yaml", "-o", target),
        ("export", NAME, "-o", target),
        ("status", NAME, "-o", target),
        ("grade", NAME, "-o", target),
        ("review", "one.yaml", "--engine", "rules", "-o", target),
        ("draft", "--answers", str(ANSWERS), "--save", "Never", "-o", target),
    ):
        result = run(*args)
        assert result.exit_code == 2, (args, result.output)
        assert one_line(result) == (
            f"{target}: cannot write the file (the folder missing/dir does not exist)"
        )
    assert not Path("missing").exists()
    assert json.loads(run("status", NAME, "-f", "json").stdout)["cycle"]["state"] == "open"
    assert "Never" not in run("drafts").stdout


# --- 5. numbers and words --------------------------------------------------------------------


def test_status_shows_values_in_the_kr_unit_at_its_precision(home: Path) -> None:
    drafted()
    assert run("launch", NAME, "--cycle", "2026-Q4").exit_code == 0
    assert run("checkin", NAME, "O1.KR2", "40 hours").exit_code == 0  # 1.666… days
    assert run("checkin", NAME, "O1.KR3", "0.8").exit_code == 0
    text = run("status", NAME, "--no-color").stdout
    markdown = run("status", NAME, "-f", "markdown").stdout
    for shown in (text, markdown):
        assert "3 days → 1.7 days → 1 day" in shown, shown
        assert "1.5 → 0.8 → 0.5" in shown
        assert "1.667" not in shown and "1 days" not in shown
    assert json.loads(run("status", NAME, "-f", "json").stdout)["key_results"][1]["value"] == (
        pytest.approx(40 / 24)
    )  # the data keeps every digit


def test_late_check_ins_count_in_the_grade(home: Path) -> None:
    drafted()
    graded()
    grades = json.loads(run("grade", NAME, "-f", "json").stdout)
    first = grades["key_results"][0]
    assert first["value"] == 45 and first["grade"] == pytest.approx(0.7)


def test_counts_are_singular_or_plural(home: Path) -> None:
    Path("one.yaml").write_text(ONE_SET, encoding="utf-8")
    text = run("critique", "one.yaml", "--no-color").stdout
    summary = text.strip().splitlines()[-1]
    assert re.fullmatch(r"1 set · 1 objective · 2 key results · \d+ findings?", summary), summary
    markdown = run("critique", "one.yaml", "-f", "markdown").stdout
    assert "**Summary:** 1 set, 1 objective, 2 key results," in markdown
    assert "(s)" not in text + markdown
    assert counted(1, "finding") == "1 finding" and counted(0, "finding") == "0 findings"
    assert "Backed up 0 drafts" in run("export", "--all", "bk").stdout
    Path("one.yaml").write_text(ONE_SET, encoding="utf-8")
    assert "1 version added" in run("import", "one.yaml").stdout


def test_reviews_are_numbered_per_draft(home: Path) -> None:
    drafted("First")
    saved_weak(NAME)
    panel = ("--engine", "rules", "--rounds", "1", "--personas", "finance-lead,data-analyst")
    assert run("review", "First", *panel).exit_code == 0
    assert run("review", "First", *panel).exit_code == 0
    review = run("review", NAME, *panel, "-f", "markdown")
    assert review.exit_code == 0, review.output
    assert f"Saved as review 1 of {NAME}@1" in review.stderr  # not 3: counted per draft
    assert f"Review 1 of `{NAME}@1`" in review.stdout
    listing = run("reviews", NAME)
    assert listing.stdout.lstrip().startswith("1  v1") and "1 round  " in listing.stdout
    assert [r["id"] for r in json.loads(run("reviews", "First", "-f", "json").stdout)] == [2, 1]
    shown = json.loads(run("reviews", NAME, "1", "-f", "json").stdout)
    assert shown["id"] == 1 and shown["draft"] == NAME
    missing = run("reviews", NAME, "2")
    assert missing.exit_code == 2
    assert one_line(missing) == (
        f"okr: draft '{NAME}' has no review 2 (1 review; see `okr reviews 'Sales Team'`)"
    )
    changes = shown["synthesis"]["top_changes"]
    n = next(i for i, c in enumerate(changes, start=1) if c["rewrite"])
    accepted = run("review", "accept", NAME, str(n), "--review", "1")
    assert accepted.exit_code == 0, accepted.output
    assert f"(Accept review 1 change {n}:" in accepted.stdout
    assert run("review", "accept", NAME, str(n), "--review", "3").exit_code == 2


# --- 6. README ---------------------------------------------------------------------------------


def test_the_readme_says_how_to_run_okr_and_cites_no_spec() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    quick = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    assert "source .venv/bin/activate" in quick and "pipx install ." in quick
    assert ".venv/bin/pip install -q . && .venv/bin/okr critique examples/weak.yaml" in quick
    assert "SPEC" not in readme
    assert "OKR_LLM__MODEL=" in readme and "OKR_HOME" in readme
    cycle = readme.split("## The cycle", 1)[1].split("\n## ", 1)[0]
    assert "okr grade" in cycle and "--yes" in cycle and "**late check-in**" in cycle
