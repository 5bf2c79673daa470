"""A KR's ``source:`` as read from OKR files: typed, located errors, stored as written."""

from __future__ import annotations

import pytest

from assistant.domain.source_spec import (
    CommandSource,
    CsvSource,
    JsonSource,
    SourceSpecError,
    SqlSource,
    parse_source,
)
from assistant.errors import InputError
from assistant.io.readers import parse
from assistant.io.writers import write_sets
from assistant.model import OKRSet

SOURCED = """\
name: Platform
cycle: 2026-Q1
objectives:
  - title: Make onboarding effortless
    key_results:
      - text: Raise week-1 activation from 32% to 50%
        source: {csv: metrics/activation.csv, column: activation, where: {region: EU, year: 2026}, pick: last}
      - text: Cut p95 API latency from 900 ms to 400 ms
        source:
          sql: "postgresql://okr:${PGPASSWORD}@db/metrics"
          query: select p95_ms from latency order by day desc limit 1
      - text: Raise NPS from 30 to 45
        source: {json: "https://metrics.example/api/nps", pointer: /data/nps, headers: {Authorization: "Bearer ${NPS_TOKEN}"}}
      - text: Cut tickets per 100 accounts from 12 to 8
        source: {command: [./scripts/tickets.sh, --team, "${TEAM}"], unit: tickets, timeout: 5}
"""


def _sets(text: str = SOURCED, fmt: str = "yaml") -> list[OKRSet]:
    return parse(text, f"okrs.{'md' if fmt == 'markdown' else fmt}", fmt)


def test_each_kind_is_read_into_its_typed_value() -> None:
    krs = [kr for _id, _o, kr in _sets()[0].iter_key_results()]
    assert [type(kr.source) for kr in krs] == [CsvSource, SqlSource, JsonSource, CommandSource]
    csv, sql, js, cmd = (kr.source for kr in krs)
    assert isinstance(csv, CsvSource) and csv.where == {"region": "EU", "year": "2026"}
    assert csv.pick == "last" and csv.column == "activation"
    assert isinstance(sql, SqlSource) and sql.query.startswith("select p95_ms")
    assert isinstance(js, JsonSource) and js.pointer == "/data/nps"
    assert isinstance(cmd, CommandSource) and cmd.unit == "tickets" and cmd.timeout == 5


def test_stored_content_keeps_placeholders_unexpanded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NPS_TOKEN", "tok-123456")
    monkeypatch.setenv("PGPASSWORD", "pw-987654")
    content = _sets()[0].content()
    text = repr(content)
    assert "tok-123456" not in text and "pw-987654" not in text
    krs = content["objectives"][0]["key_results"]
    assert krs[1]["source"]["sql"] == "postgresql://okr:${PGPASSWORD}@db/metrics"
    assert krs[2]["source"]["headers"] == {"Authorization": "Bearer ${NPS_TOKEN}"}
    # The kind's key comes first, as people write it; nothing unset is added.
    assert list(krs[0]["source"]) == ["csv", "column", "where", "pick"]
    assert krs[3]["source"] == {
        "command": ["./scripts/tickets.sh", "--team", "${TEAM}"],
        "unit": "tickets",
        "timeout": 5.0,
    }
    assert OKRSet.model_validate(content).content() == content  # a stored version reads back


@pytest.mark.parametrize("fmt", ["yaml", "json", "markdown"])
def test_sources_survive_every_writer(fmt: str) -> None:
    sets = _sets()
    back = parse(write_sets(sets, fmt), f"x.{'md' if fmt == 'markdown' else fmt}", fmt)
    assert back[0].content() == sets[0].content()


def test_markdown_takes_a_flow_mapping() -> None:
    md = "## Grow\n- Raise NPS from 30 to 45\n  - source: {csv: nps.csv, column: nps, pick: max}\n"
    kr = _sets(md, "markdown")[0].objectives[0].key_results[0]
    assert kr.source == CsvSource.model_validate({"csv": "nps.csv", "column": "nps", "pick": "max"})


@pytest.mark.parametrize(
    ("old", "new", "line", "message"),
    [
        ("column: activation", "colum: activation", 7, "source: unknown field 'colum' for a csv"),
        ("pick: last", "pick: median", 7, "source pick: must be one of last, sum, mean"),
        ("pointer: /data/nps", "pointer: data/nps", 13, "is not a JSON pointer (RFC 6901"),
        ('sql: "postgresql://', 'sql: "postgresql:', 10, "must be a SQLAlchemy URL"),
        ("unit: tickets, timeout: 5", "timeout: -1", 15, "source timeout: must be greater than 0"),
        ("Bearer ${NPS_TOKEN}", "Bearer ${NPS_TOKEN", 13, "malformed ${VAR} placeholder"),
        ("{csv: metrics/activation.csv,", "{csv: a.csv, sql: 'x://y',", 7, "names csv and sql"),
        ("https://metrics.example", "ftp://metrics.example", 13, "http:// or https:// URL"),
    ],
)
def test_bad_sources_are_one_located_line(old: str, new: str, line: int, message: str) -> None:
    assert old in SOURCED
    with pytest.raises(InputError) as caught:
        _sets(SOURCED.replace(old, new))
    assert caught.value.line == line
    assert message in str(caught.value)
    assert str(caught.value).startswith(f"okrs.yaml:{line}: source")
    assert "\n" not in str(caught.value)


def test_a_source_that_is_not_a_mapping() -> None:
    with pytest.raises(InputError, match=r"okrs.yaml:7: source must be a mapping"):
        _sets(
            SOURCED.replace("source: {csv", "source: [csv").replace(
                "2026}, pick: last}", "2026}, pick: last]"
            )
        )


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({}, "source needs one of: csv, sql, command, json"),
        ({"csv": "a.csv"}, "source column: is required"),
        ({"sql": "sqlite:///m.db"}, "source query: is required"),
        ({"command": "  "}, "source: command is empty"),
        ({"csv": "a.csv", "column": "x", "where": {"a": [1, 2]}}, "where.a must be a single value"),
        ({"json": "https://x", "headers": {"Bad Name": "v"}}, "header name 'Bad Name'"),
    ],
)
def test_parse_source_messages(raw: dict, message: str) -> None:
    with pytest.raises(SourceSpecError) as caught:
        parse_source(raw)
    assert message in str(caught.value)
