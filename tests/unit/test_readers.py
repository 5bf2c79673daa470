"""Readers and writers: every format gives the same model; bad input is one located error."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.errors import InputError
from assistant.io import read_path, read_text, write_sets
from assistant.io.readers import decode, parse

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

SPEC_YAML = """\
# one set (a person's or a team's OKRs for one cycle)
name: Platform team          # optional; default: file stem
owner: Dana                  # optional
cycle: 2026-Q1               # optional; a cycle counts as every KR's deadline
objectives:
  - title: Make onboarding effortless for new customers
    type: aspirational       # or committed; optional
    owner: Ana               # optional
    key_results:
      - Raise week-1 activation from 32% to 50% by 31 Mar 2026
      - text: Cut median time-to-first-dashboard from 3 days to 1 day
        owner: Li            # optional; structured fields below are optional too
        baseline: 3
        target: 1
        unit: days
        deadline: 2026-03-31
"""

SPEC_MD = """\
# Platform team
Owner: Dana
Cycle: 2026-Q1

## Make onboarding effortless for new customers
type: aspirational
owner: Ana

- Raise week-1 activation from 32% to 50% by 31 Mar 2026
- Cut median time-to-first-dashboard from 3 days to 1 day
  - owner: Li
  - baseline: 3
  - target: 1
  - unit: days
  - deadline: 2026-03-31
"""

SPEC_CSV = """\
set,objective,key_result,owner,type,baseline,target,unit,deadline
Platform team,Make onboarding effortless for new customers,Raise week-1 activation from 32% to 50% by 31 Mar 2026,,,,,,
Platform team,Make onboarding effortless for new customers,Cut median time-to-first-dashboard from 3 days to 1 day,Li,,3,1,days,2026-03-31
"""


def test_yaml_reader_follows_spec_with_line_numbers() -> None:
    (okr_set,) = read_text(SPEC_YAML, "platform.yaml")
    assert okr_set.name == "Platform team" and okr_set.cycle == "2026-Q1"
    objective = okr_set.objectives[0]
    assert objective.type == "aspirational" and objective.owner == "Ana" and objective.line == 6
    kr1, kr2 = objective.key_results
    assert kr1.line == 10 and kr2.line == 11
    assert (kr2.baseline, kr2.target, kr2.unit, kr2.deadline, kr2.owner) == (
        3,
        1,
        "days",
        "2026-03-31",
        "Li",
    )


def test_markdown_json_and_csv_give_the_same_model_as_yaml() -> None:
    (from_yaml,) = read_text(SPEC_YAML, "platform.yaml")
    (from_md,) = read_text(SPEC_MD, "platform.md")
    (from_json,) = read_text(json.dumps(from_yaml.content()), "platform.json")
    (from_csv,) = read_text(SPEC_CSV, "platform.csv")
    expected = from_yaml.content()
    assert from_md.content() == expected
    assert from_json.content() == expected
    for key in ("owner", "cycle"):
        expected.pop(key)
    expected["objectives"][0].pop("type")
    expected["objectives"][0].pop("owner")
    assert from_csv.content() == expected
    assert from_md.objectives[0].key_results[1].line == 10
    assert from_csv.objectives[0].key_results[1].line == 3


@pytest.mark.parametrize("example", sorted(p.name for p in EXAMPLES.iterdir() if p.is_file()))
@pytest.mark.parametrize("fmt", ["yaml", "markdown", "json"])
def test_round_trip_read_write_read(example: str, fmt: str) -> None:
    sets = read_path(str(EXAMPLES / example))
    written = write_sets(sets, fmt)
    again = read_text(written, f"x.{ {'markdown': 'md'}.get(fmt, fmt) }")
    assert [s.content() for s in again] == [s.content() for s in sets]


def test_team_file_numbers_sets_and_shares_the_cycle() -> None:
    sets = read_path(str(EXAMPLES / "team.yaml"))
    assert [s.index for s in sets] == [1, 2, 3, 4]
    assert all(s.cycle == "2026-Q2" for s in sets)
    assert sets[0].name == "Product"


def test_name_defaults_to_the_file_stem() -> None:
    (okr_set,) = read_text(
        "objectives:\n  - title: Grow\n    key_results: [a, b]\n", "my-okrs.yaml"
    )
    assert okr_set.name == "my-okrs"


def test_stdin_format_is_sniffed(monkeypatch: pytest.MonkeyPatch) -> None:
    import io
    import sys

    class FakeStdin:
        buffer = io.BytesIO(SPEC_MD.encode())

    monkeypatch.setattr(sys, "stdin", FakeStdin)
    (okr_set,) = read_path("-")
    assert okr_set.name == "Platform team" and len(okr_set.objectives[0].key_results) == 2


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("bad.yaml", "objectives:\n  - title: [unclosed\n", "bad.yaml:3: invalid YAML"),
        ("bad.json", '{"objectives": [}', "bad.json:1: invalid JSON"),
        ("types.yaml", "objectives: 12\n", "types.yaml:1: objectives must be a list"),
        (
            "types2.yaml",
            "objectives:\n  - title: Grow\n    key_results: {a: 1}\n",
            "types2.yaml:3: key_results must be a list, not a mapping",
        ),
        (
            "kr.yaml",
            "objectives:\n  - title: Grow\n    key_results:\n      - [1, 2]\n",
            "kr.yaml:4: a key result must be text or a mapping",
        ),
        (
            "type.yaml",
            "objectives:\n  - title: Grow\n    type: stretchy\n",
            "type.yaml:3: objective type must be 'committed' or 'aspirational'",
        ),
        (
            "base.yaml",
            "objectives:\n  - title: Grow\n    key_results:\n      - text: x\n        baseline: lots\n",
            "base.yaml:5: baseline must be a number",
        ),
        (
            "typo.yaml",
            "objectives:\n  - title: Grow\n    key_result: [a]\n",
            "typo.yaml:3: unknown objective field 'key_result' (expected one of",
        ),
        ("empty.yaml", "  \n\n", "empty.yaml:1: file is empty"),
        (
            "blank.yaml",
            "objectives:\n  - title: Grow\n    key_results:\n      - a\n      -\n",
            "blank.yaml:5: a key result is empty",
        ),
        ("list.yaml", "- just\n- a list\n", "list.yaml:1: a set must be a mapping"),
        ("bad.csv", 'objective,kr\n"unclosed,x\n', "bad.csv"),
        (
            "cols.csv",
            "team,goal\nA,B\n",
            "cols.csv:1: CSV header needs columns set,objective,key_result",
        ),
        ("prose.md", "Just some notes\nwith no headings\n", "prose.md:1: no OKRs found"),
        ("dup.yaml", "name: a\nname: b\nobjectives: []\n", "dup.yaml:2: duplicate key 'name'"),
    ],
)
def test_bad_input_is_one_located_error(
    tmp_path: Path, name: str, content: str, expected: str
) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_path(str(path))
    message = str(info.value)
    assert message.startswith(str(tmp_path / expected.split(":")[0]))
    assert expected.split(":", 1)[-1] in message or expected == name
    assert "\n" not in message


def test_binary_non_utf8_huge_and_missing_files(tmp_path: Path) -> None:
    binary = tmp_path / "x.yaml"
    binary.write_bytes(b"name: a\n\x00\x01\x02")
    latin = tmp_path / "latin.yaml"
    latin.write_bytes("name: a\nobjectives:\n  - title: Café\n".encode("latin-1"))
    big = tmp_path / "big.yaml"
    with big.open("wb") as fh:
        fh.truncate(50 * 1024 * 1024)
    cases = {
        binary: f"{binary}:2: not a text file (binary data)",
        latin: f"{latin}:3: not valid UTF-8 (byte 0xe9)",
        big: f"{big}:1: file is too large (52.4 MB",
        tmp_path / "missing.yaml": f"{tmp_path / 'missing.yaml'}: no such file",
        tmp_path: f"{tmp_path}: is a directory",
    }
    for path, expected in cases.items():
        with pytest.raises(InputError) as info:
            read_path(str(path))
        assert str(info.value).startswith(expected)


FORMATS = st.sampled_from(["yaml", "json", "markdown", "csv"])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.text(max_size=400), fmt=FORMATS)
def test_readers_raise_only_input_error_on_arbitrary_text(text: str, fmt: str) -> None:
    try:
        sets = parse(text, "fuzz", fmt)
    except InputError as exc:
        assert str(exc).startswith("fuzz")
    else:
        assert isinstance(sets, list)


@settings(max_examples=200, deadline=None)
@given(data=st.binary(max_size=300))
def test_decode_raises_only_input_error_on_arbitrary_bytes(data: bytes) -> None:
    with contextlib.suppress(InputError):
        decode(data, "fuzz")


YAMLISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "name",
                    "objectives",
                    "title",
                    "key_results",
                    "text",
                    "baseline",
                    "sets",
                    "type",
                    "x",
                ]
            ),
            children,
            max_size=4,
        )
    ),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(doc=YAMLISH)
def test_readers_raise_only_input_error_on_arbitrary_structures(doc: object) -> None:
    text = json.dumps(doc)
    for fmt in ("json", "yaml"):
        with contextlib.suppress(InputError):
            parse(text, "fuzz", fmt)


def test_the_reader_modules_keep_their_public_names() -> None:
    """``io.readers`` is split by format; the names callers import from it still work."""
    from assistant.io import builder, line_numbered, readers, text_readers, yaml_reader

    assert readers.LDict is line_numbered.LDict and readers.line_of is line_numbered.line_of
    assert readers._Builder is readers.Builder is builder.Builder
    tree = yaml_reader.yaml_tree("name: A\nobjectives:\n  - title: T\n", "a.yaml")
    assert line_numbered.line_of(tree["objectives"][0]) == 3
    md = text_readers.markdown_tree("# A\n## T\n- Ship it\n", "a.md")
    assert md["objectives"][0]["key_results"][0]["text"].line == 3


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (  # a KR with a colon is a mapping to YAML: say how to keep the words
            "objectives:\n  - title: Grow\n    key_results:\n      - Raise NPS: from 30 to 45\n",
            "x.yaml:4: unknown key result field 'raise nps': put the key result in quotes:"
            " - 'Raise NPS: from 30 to 45'",
        ),
        (
            "objectives:\n  - title: Grow\n    key_results:\n      - It's NPS: 45\n",
            "x.yaml:4: unknown key result field 'it's nps': put the key result in quotes:"
            " - 'It''s NPS: 45'",
        ),
        (
            "objectives:\n  - Win the market: in Europe\n",
            "x.yaml:2: unknown objective field 'win the market': put the title in quotes:"
            " - title: 'Win the market: in Europe'",
        ),
        (  # a misspelt field is not prose: the fields are listed instead
            "objectives:\n  - title: Grow\n    key_results:\n      - txt: Raise NPS\n",
            "x.yaml:4: unknown key result field 'txt' (expected one of: text, owner,",
        ),
        ("sets:\n  - Growth\n", "x.yaml:2: a set must be a mapping with 'objectives', not text"),
        ("sets:\n  - [a]\n", "x.yaml:2: a set must be a mapping with 'objectives', not a list"),
        ("- 5\n", "x.yaml:1: a set must be a mapping with 'objectives', not a number"),
        ("name: Growth\n\n# soon\nobjectives: 5\n", "x.yaml:4: objectives must be a list, not a number"),
        ("name: Growth\nobjectives:\n  Grow: x\n", "x.yaml:2: objectives must be a list, not a mapping"),
        ("sets: yes\n", "x.yaml:1: sets must be a list, not true/false"),
        (
            "objectives:\n  - title: Grow\n    key_results:\n      - text: x\n\n        target: 1" + "0" * 400 + "\n",
            "x.yaml:6: target is too large a number",
        ),
        ("## T\n- Raise NPS\n  - target: " + "9" * 400 + "%\n", "x.md:3: target is too large a number"),
        ("objective,key_result,target\nT,Raise NPS," + "9" * 400 + "\n", "x.csv:2: target is too large a number"),
    ],
)  # fmt: skip
def test_input_errors_speak_the_users_words_at_the_right_line(content: str, expected: str) -> None:
    label = expected.split(":")[0]
    with pytest.raises(InputError) as info:
        read_text(content, label)
    assert str(info.value).startswith(expected)
    assert "LStr" not in str(info.value) and "LDict" not in str(info.value)


def test_json_keeps_the_lines_of_objectives_key_results_and_keys() -> None:
    text = (
        '{\n  "name": "Growth",\n  "objectives": [\n    {\n      "title": "Grow",\n'
        '      "key_results": [\n        "Raise NPS from 30 to 45",\n'
        '        {"text": "Cut churn from 5% to 3%"}\n      ]\n    }\n  ]\n}\n'
    )
    (okr_set,) = read_text(text, "x.json")
    objective = okr_set.objectives[0]
    assert objective.line == 4
    assert [kr.line for kr in objective.key_results] == [7, 8]
    with pytest.raises(InputError, match=r"^x\.json:3: objectives must be a list, not a number"):
        read_text('{\n  "name": "Growth",\n  "objectives": 5\n}\n', "x.json")
    with pytest.raises(InputError, match=r"^x\.json:4: duplicate key 'name'"):
        read_text('{\n  "name": "a",\n  "objectives": [],\n  "name": "b"\n}\n', "x.json")


@pytest.mark.parametrize(
    ("text", "fmt"),
    [
        ('objectives:\n  - title: "Grow \\e[31m revenue"\n    key_results: [x]\n', "yaml"),
        ('objectives:\n  - title: "Grow \\x1b[31m revenue"\n    key_results: [x]\n', "yaml"),
        ('{"objectives": [{"title": "Grow \\u001b[31m", "key_results": ["x"]}]}', "json"),
        ('{"objectives": [{"title": "Grow \\ud800", "key_results": ["x"]}]}', "json"),
    ],
)
def test_a_control_character_written_as_an_escape_is_refused_at_its_line(
    text: str, fmt: str
) -> None:
    """A file with no control character of its own can still write one as an escape:
    the parsed values are checked whenever the file has a backslash."""
    with pytest.raises(InputError, match=r"^f\.\w+:\d: (control character|a lone surrogate)"):
        parse(text, f"f.{fmt}", fmt)
