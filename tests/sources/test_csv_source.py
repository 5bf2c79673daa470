"""CSV sources against real files: pick, where, relative paths, and how they fail."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.sources import SourceContext, SourceError, parse_source, read_source

ACTIVATION = """\
day,region,activation,signups
2026-01-05,EU,31.5,120
2026-01-05,US,28,200
2026-01-12,EU,36,140
2026-01-12,US,,210
2026-01-19,EU,41.5,"1,150"
"""


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "metrics").mkdir()
    (tmp_path / "metrics" / "activation.csv").write_text(ACTIVATION, encoding="utf-8")
    return tmp_path


def read(folder: Path, **source: object) -> float:
    spec = parse_source({"csv": "metrics/activation.csv", "column": "activation", **source})
    return read_source(spec, SourceContext(cwd=folder)).value


@pytest.mark.parametrize(
    ("pick", "where", "expected"),
    [
        (None, None, 41.5),  # last non-empty cell
        ("last", {"region": "US"}, 28.0),  # today's US row is still empty
        ("sum", {"region": "EU"}, 109.0),
        ("mean", {"region": "EU"}, 109.0 / 3),
        ("min", None, 28.0),
        ("max", {"region": "US"}, 28.0),
        ("count", {"region": "EU"}, 3.0),
        ("count", {"region": "APAC"}, 0.0),
    ],
)
def test_pick_and_where(
    folder: Path, pick: str | None, where: dict | None, expected: float
) -> None:
    source: dict[str, object] = {}
    if pick:
        source["pick"] = pick
    if where:
        source["where"] = where
    assert read(folder, **source) == pytest.approx(expected)


def test_thousands_separators_and_numeric_where(folder: Path) -> None:
    spec = parse_source(
        {"csv": "metrics/activation.csv", "column": "signups", "where": {"activation": 41.5}}
    )
    assert read_source(spec, SourceContext(cwd=folder)).value == 1150.0


def test_reading_says_where_it_came_from(folder: Path) -> None:
    spec = parse_source({"csv": "metrics/activation.csv", "column": "activation",
                         "where": {"region": "EU"}, "pick": "mean", "unit": "%"})  # fmt: skip
    reading = read_source(spec, SourceContext(cwd=folder))
    assert reading.source == "sync:csv"
    assert (
        reading.provenance
        == "metrics/activation.csv column activation where region = EU: mean of 3 rows"
    )
    assert reading.as_text() == "36.3333333333333%"


def test_relative_paths_start_at_the_current_directory(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(folder / "metrics")
    spec = parse_source({"csv": "activation.csv", "column": "activation"})
    assert read_source(spec).value == 41.5


def test_placeholders_in_the_path(folder: Path) -> None:
    spec = parse_source({"csv": "${METRICS}/activation.csv", "column": "activation"})
    context = SourceContext(cwd=folder, env={"METRICS": "metrics"})
    assert read_source(spec, context).value == 41.5
    with pytest.raises(SourceError, match=r"\$\{METRICS\} is not set in the environment"):
        read_source(spec, SourceContext(cwd=folder, env={}))


def test_semicolon_files(tmp_path: Path) -> None:
    (tmp_path / "eu.csv").write_text("day;nps\n2026-01-05;30\n2026-01-12;33\n", encoding="utf-8")
    spec = parse_source({"csv": "eu.csv", "column": "NPS"})  # header names fold case
    assert read_source(spec, SourceContext(cwd=tmp_path)).value == 33.0


@pytest.mark.parametrize(
    ("source", "content", "message"),
    [
        ({"csv": "nope.csv"}, None, "nope.csv: no such file"),
        ({"column": "activaton"}, ACTIVATION, "no column 'activaton' in the header (columns: day, region, activation, signups)"),
        ({"where": {"regoin": "EU"}}, ACTIVATION, "no column 'regoin'"),
        ({"where": {"region": "APAC"}}, ACTIVATION, "no value in column 'activation' where region = APAC (empty result)"),
        ({}, ACTIVATION + "2026-01-26,EU,n/a,1\n", "metrics/activation.csv:7: column activation is not a number: 'n/a'"),
        ({}, "", "the file is empty"),
        ({}, "day,activation\n2026-01-05,\u00e9\u00e9\n".encode("latin-1"), "not UTF-8 text"),
    ],
)  # fmt: skip
def test_failures_are_one_line(
    folder: Path, source: dict, content: str | bytes | None, message: str
) -> None:
    path = folder / "metrics" / "activation.csv"
    if content is None:
        path.unlink()
    elif isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    spec = parse_source({"csv": "metrics/activation.csv", "column": "activation", **source})
    with pytest.raises(SourceError) as caught:
        read_source(spec, SourceContext(cwd=folder))
    assert message in str(caught.value)
    assert caught.value.exit_code == 3
