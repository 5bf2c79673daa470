"""``okr eval FILE``: a user's labelled file, counted by hand; bad labels refused."""

from __future__ import annotations

import json

import pytest

from .conftest import report

# What the rules say about it (okr critique): OBJ-HAS-NUMBER on O1; KR-NO-NUMBER and
# KR-VAGUE on O1.KR1; nothing on O1.KR2; KR-NO-NUMBER and KR-ACTIVITY on O1.KR3; nothing
# on SET (one objective is fine, and the cycle gives every KR a deadline).
HAND_COUNTED = """\
name: Hand count
cycle: 2026-Q1
expect: [SET-OBJ-COUNT]
objectives:
  - title: Increase revenue by 20%
    expect: [OBJ-HAS-NUMBER]
    key_results:
      - text: Improve customer satisfaction
        expect: [KR-NO-NUMBER]
      - text: Raise NPS from 30 to 45
        expect: [kr-no-baseline]
      - Launch the new onboarding flow
"""
# By hand, target by target:
#   SET      expects SET-OBJ-COUNT, gets nothing           → SET-OBJ-COUNT fn
#   O1       expects and gets OBJ-HAS-NUMBER                → OBJ-HAS-NUMBER tp
#   O1.KR1   expects KR-NO-NUMBER; gets it and KR-VAGUE     → KR-NO-NUMBER tp, KR-VAGUE fp
#   O1.KR2   expects KR-NO-BASELINE, gets nothing           → KR-NO-BASELINE fn
#   O1.KR3   expects nothing; gets KR-NO-NUMBER, ACTIVITY   → KR-NO-NUMBER fp, KR-ACTIVITY fp
BY_HAND = {
    "KR-ACTIVITY": (0, 0, 1, 0),  # labels, tp, fp, fn
    "KR-NO-BASELINE": (1, 0, 0, 1),
    "KR-NO-NUMBER": (1, 1, 1, 0),
    "KR-VAGUE": (0, 0, 1, 0),
    "OBJ-HAS-NUMBER": (1, 1, 0, 0),
    "SET-OBJ-COUNT": (1, 0, 0, 1),
}


def test_a_labelled_file_gives_the_counts_worked_out_by_hand(okr, write) -> None:
    scores = report(okr("eval", str(write("hand.yaml", HAND_COUNTED)), "--format", "json"))
    got = {code: (r["labels"], r["tp"], r["fp"], r["fn"]) for code, r in scores["codes"].items()}
    assert got == BY_HAND
    assert scores["labels"] == 4
    # micro: tp 2, fp 3, fn 2 → precision 0.4, recall 0.5, F1 4/9
    assert scores["micro"] == {"precision": 0.4, "recall": 0.5, "f1": 0.444}
    assert scores["codes"]["KR-NO-NUMBER"]["precision"] == 0.5
    assert scores["codes"]["KR-NO-NUMBER"]["f1"] == 0.667


def test_the_same_labels_in_json_count_the_same(okr, write) -> None:
    import yaml

    data = yaml.safe_load(HAND_COUNTED)
    path = write("hand.json", json.dumps(data, indent=2))
    scores = report(okr("eval", str(path), "--format", "json"))
    assert {c: (r["labels"], r["tp"], r["fp"], r["fn"]) for c, r in scores["codes"].items()} == (
        BY_HAND
    )


def test_the_text_output_is_a_table_per_code_and_a_summary_line(okr, write) -> None:
    result = okr("eval", str(write("hand.yaml", HAND_COUNTED)))
    assert result.exit_code == 0, result.output
    rows = [line for line in result.stdout.splitlines() if "KR-NO-NUMBER" in line]
    assert len(rows) == 1 and "0.500" in rows[0] and "0.667" in rows[0]
    summary = result.stdout.strip().splitlines()[-1]
    assert summary.startswith("micro precision 0.400 · recall 0.500 · F1 0.444")
    assert "requests 0" in summary


def test_expect_labels_change_nothing_in_a_critique(okr, write) -> None:
    labelled = write("labelled.yaml", HAND_COUNTED)
    plain = write("plain.yaml", HAND_COUNTED.replace("expect:", "# expect:"))  # same lines
    a, b = (okr("critique", str(p), "--format", "json") for p in (labelled, plain))
    assert a.exit_code == b.exit_code == 0
    strip = lambda out: json.loads(out.replace("labelled.yaml", "plain.yaml"))  # noqa: E731
    assert strip(a.stdout) == strip(b.stdout)
    assert '"expect"' not in a.stdout and "KR-NO-BASELINE" not in a.stdout


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("expect: KR-NO-NUMBER", "expect must be a list of codes such as [KR-NO-NUMBER], not text"),
        ("expect: [KR-NO-NUMBR]", "unknown code 'KR-NO-NUMBR' in expect"),
        ("expect: [OBJ-BAU]", "OBJ-BAU cannot be expected on a key result"),
        ("expect: [3]", "expect holds codes such as KR-NO-NUMBER, not a number"),
    ],
)
def test_a_bad_expect_is_one_located_line_and_exit_2(okr, write, line, message) -> None:
    text = HAND_COUNTED.replace("expect: [KR-NO-NUMBER]", line)
    path = write("bad.yaml", text)
    result = okr("eval", str(path))
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith(f"{path}:9: {message}")
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


def test_a_bad_expect_in_json_is_located_too(okr, write) -> None:
    path = write(
        "bad.json",
        '{"name": "x",\n "objectives": [\n  {"title": "Grow",\n   "expect": ["KR-VAGUE"],\n'
        '   "key_results": ["a", "b"]}]}\n',
    )
    result = okr("eval", str(path))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"{path}:4: KR-VAGUE cannot be expected on an objective")
    assert result.stderr.count("\n") == 1


@pytest.mark.parametrize(
    "args",
    [(), ("--builtin", "FILE"), ("--engine", "auto", "--builtin")],
    ids=["nothing", "both", "engine"],
)
def test_usage_errors_are_one_line_and_exit_2(okr, write, args) -> None:
    args = tuple(str(write("f.yaml", HAND_COUNTED)) if a == "FILE" else a for a in args)
    result = okr("eval", *args)
    assert result.exit_code == 2, result.output
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


def test_a_missing_file_is_exit_2(okr, tmp_path) -> None:
    result = okr("eval", str(tmp_path / "nope.yaml"))
    assert result.exit_code == 2
    assert result.stderr == f"{tmp_path / 'nope.yaml'}: no such file\n"
