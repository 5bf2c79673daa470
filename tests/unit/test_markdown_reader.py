"""The Markdown reader (markdown-it-py tokens): fences of either kind are skipped whole,
setext headings count, and every objective, key result, field and error names its line."""

from __future__ import annotations

import pytest

from assistant.errors import InputError
from assistant.io import read_text, write_sets
from assistant.model import KeyResult, Objective, OKRSet

FENCED = """\
# Team

## Ship the API
- Publish the v2 endpoints by June

~~~markdown
## Not an objective
- not a key result
~~~

```
## Nor this
```

- Cut p95 latency from 900 ms to 300 ms
  - owner: Li
"""


def test_tilde_and_backtick_fences_are_skipped_with_their_content() -> None:
    (okr_set,) = read_text(FENCED, "team.md")
    assert [o.title for o in okr_set.objectives] == ["Ship the API"]
    krs = okr_set.objectives[0].key_results
    assert [kr.text for kr in krs] == [
        "Publish the v2 endpoints by June",
        "Cut p95 latency from 900 ms to 300 ms",
    ]
    assert [kr.line for kr in krs] == [4, 15]
    assert krs[1].owner == "Li"


def test_a_file_whose_only_headings_are_in_a_fence_has_no_okrs() -> None:
    with pytest.raises(InputError) as caught:
        read_text("Notes\n\n~~~\n## Objective\n- KR\n~~~\n", "notes.md")
    assert str(caught.value).startswith("notes.md:1: no OKRs found")


def test_an_unclosed_fence_runs_to_the_end() -> None:
    (okr_set,) = read_text("## Grow\n- Reach 10 customers\n~~~\n- not read\n", "open.md")
    assert [kr.text for kr in okr_set.objectives[0].key_results] == ["Reach 10 customers"]


def test_setext_headings_are_sets_and_objectives() -> None:
    text = (
        "Platform team\n"
        "=============\n"
        "Owner: Dana\n"
        "\n"
        "Make onboarding effortless\n"
        "--------------------------\n"
        "type: aspirational\n"
        "\n"
        "- Raise week-1 activation from 32% to 50%\n"
        "\n"
        "## Keep the lights on\n"
        "- Hold uptime at 99.9%\n"
    )
    (okr_set,) = read_text(text, "platform.md")
    assert okr_set.name == "Platform team" and okr_set.owner == "Dana"
    first, second = okr_set.objectives
    assert (first.title, first.type, first.line) == (
        "Make onboarding effortless",
        "aspirational",
        5,
    )
    assert first.key_results[0].line == 9
    assert (second.title, second.line, second.key_results[0].line) == ("Keep the lights on", 11, 12)


def test_lines_are_reported_after_fences_comments_and_crlf() -> None:
    text = (
        "# Team\r\n"
        "<!--\r\n"
        "## commented out\r\n"
        "-->\r\n"
        "## Grow\r\n"
        "```\r\n"
        "- code\r\n"
        "```\r\n"
        "- Reach 10 customers\r\n"
        "  - target: 10\r\n"
        "- Reach \x1b[31m20\r\n"
    )
    with pytest.raises(InputError) as caught:
        read_text(text, "crlf.md")
    assert str(caught.value) == "crlf.md:11: control character U+001B in key result text"
    (okr_set,) = read_text(text.replace("\x1b[31m", ""), "crlf.md")
    objective = okr_set.objectives[0]
    assert (objective.title, objective.line) == ("Grow", 5)
    assert [(kr.text, kr.line) for kr in objective.key_results] == [
        ("Reach 10 customers", 9),
        ("Reach 20", 11),
    ]
    assert objective.key_results[0].target == 10


def test_a_nul_in_a_heading_is_refused_not_replaced() -> None:
    with pytest.raises(InputError) as caught:
        read_text("# Team\n\n## Gr\x00ow\n- KR\n", "nul.md")
    assert str(caught.value) == "nul.md:3: control character U+0000 in objective title"


@pytest.mark.parametrize("kr_text", ["```", "~~~ x", "<div>", "--", "- -", "---", "> quote"])
def test_key_results_that_look_like_markdown_blocks_round_trip(kr_text: str) -> None:
    okr = OKRSet(
        name="T",
        objectives=[
            Objective(
                title="O", key_results=[KeyResult(text=kr_text, owner="Li"), KeyResult(text="b")]
            )
        ],
    )
    (again,) = read_text(write_sets([okr], "markdown"), "out.md")
    krs = again.objectives[0].key_results
    assert [(kr.text, kr.owner) for kr in krs] == [(kr_text, "Li"), ("b", None)]
