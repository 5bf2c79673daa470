"""The config file: comments survive ``okr config set``, ``OKR_…`` variables override it,
and a value that cannot be saved is refused without touching the file."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from assistant.cli import main
from assistant.config import Settings, dump_settings, load_settings, save_settings
from assistant.errors import InputError

COMMENTED = """\
# my team's settings
engine = "rules"  # offline until the budget is approved

# the model we pay for
[llm]
model = "gpt-4o-mini"  # cheapest that works
timeout = 60
"""


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


@pytest.fixture
def config(okr_home: Path) -> Path:
    path = okr_home / "config.toml"
    path.write_text(COMMENTED, encoding="utf-8")
    return path


def test_config_set_keeps_the_comments_and_the_untouched_lines(config: Path) -> None:
    assert run("config", "set", "llm.model", "gpt-4.1-mini").exit_code == 0
    assert run("config", "set", "llm.prices.gpt-4.1-mini", "0.4,1.6").exit_code == 0
    text = config.read_text(encoding="utf-8")
    assert text.startswith("# my team's settings\n")
    assert 'engine = "rules"  # offline until the budget is approved' in text
    assert "# the model we pay for\n[llm]" in text
    assert 'model = "gpt-4.1-mini"  # cheapest that works' in text
    assert "timeout = 60\n" in text  # not rewritten as 60.0
    assert '[llm.prices."gpt-4.1-mini"]' in text
    assert "concurrency" not in text  # defaults the file leaves out stay out
    settings = load_settings()
    assert (
        settings.llm.model == "gpt-4.1-mini" and settings.llm.prices["gpt-4.1-mini"].output == 1.6
    )


def test_clearing_a_value_removes_its_line(config: Path) -> None:
    assert run("config", "set", "llm.base_url", "http://localhost:8080/v1").exit_code == 0
    assert 'base_url = "http://localhost:8080/v1"' in config.read_text(encoding="utf-8")
    assert run("config", "set", "llm.base_url", "").exit_code == 0
    text = config.read_text(encoding="utf-8")
    assert "base_url" not in text and "# cheapest that works" in text


@pytest.mark.parametrize("model", ["gpt\nengine = 'llm'", "gpt\x1b[31m", "a\x00b"])
def test_a_model_name_with_a_control_character_is_refused(config: Path, model: str) -> None:
    result = run("config", "set", "llm.model", model)
    assert result.exit_code == 2
    assert result.output.strip().count("\n") == 0
    assert result.output.startswith(f"{config}: llm.model: ")
    assert "Traceback" not in result.output
    assert config.read_text(encoding="utf-8") == COMMENTED


def test_save_settings_refuses_an_unwritable_price_name(okr_home: Path) -> None:
    settings = Settings()
    settings.llm.prices["bad\nname"] = Settings().llm.price_for("gpt-4o")  # type: ignore[assignment]
    with pytest.raises(InputError, match=r"llm\.prices\.bad\\nname: a control character"):
        save_settings(settings)
    assert not (okr_home / "config.toml").exists()


def test_a_new_file_holds_every_setting_and_reads_back_the_same(okr_home: Path) -> None:
    settings = Settings(engine="llm", style="questions")
    settings.llm.model = 'quote " and \\ backslash'
    settings.llm.prices["my.model"] = Settings().llm.price_for("gpt-4o")  # type: ignore[assignment]
    path = save_settings(settings)
    text = path.read_text(encoding="utf-8")
    assert text == dump_settings(settings)
    assert "concurrency = 8" in text and '[llm.prices."my.model"]' in text
    assert load_settings() == settings


def test_okr_variables_override_the_file(config: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OKR_LLM__MODEL", "from-env")
    monkeypatch.setenv("OKR_ENGINE", "llm")
    monkeypatch.setenv("OKR_LLM__CONCURRENCY", "3")
    monkeypatch.setenv("OKR_AUTHOR", "ann")  # other OKR_ variables are not settings
    settings = load_settings()
    assert (settings.engine, settings.llm.model, settings.llm.concurrency) == ("llm", "from-env", 3)
    assert settings.llm.timeout == 60  # the file's value where the environment says nothing
    assert load_settings(apply_env=False).llm.model == "gpt-4o-mini"
    shown = run("config", "show").output
    assert 'model = "from-env"' in shown
    assert "OKR_ENGINE, OKR_LLM__CONCURRENCY, OKR_LLM__MODEL" in shown
    assert run("config", "set", "style", "questions").exit_code == 0
    text = config.read_text(encoding="utf-8")
    assert "from-env" not in text and 'engine = "rules"' in text  # never written back


def test_an_okr_variable_beats_openai_base_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", "http://openai-var:1/v1")
    assert load_settings().llm.base_url == "http://openai-var:1/v1"
    monkeypatch.setenv("OKR_LLM__BASE_URL", "http://okr-var:1/v1")
    assert load_settings().llm.base_url == "http://okr-var:1/v1"


@pytest.mark.parametrize(
    ("name", "value", "said"),
    [
        ("OKR_LLM__CONCURRENCY", "lots", "OKR_LLM__CONCURRENCY: Input should be a valid integer"),
        ("OKR_LLM__NONSENSE", "1", "OKR_LLM__NONSENSE: not a setting"),
        ("OKR_ENGINE", "magic", "OKR_ENGINE: Input should be 'auto', 'rules' or 'llm'"),
        ("OKR_LLM", "{not json", 'environment: error parsing value for field "llm"'),
    ],
)
def test_a_bad_okr_variable_is_one_line(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, said: str
) -> None:
    monkeypatch.setenv(name, value)
    result = run("config", "show")
    assert result.exit_code == 2
    assert result.output.startswith(said) and result.output.count("\n") == 1


def test_an_unknown_key_lists_the_known_ones() -> None:
    for key in ("nope.key", "llm.token", "secret_sauce"):
        result = run("config", "set", key, "1")
        assert result.exit_code == 2
        assert f"unknown setting '{key}' (known: " in result.output
        assert "llm.model" in result.output and "OPENAI_API_KEY" not in result.output
    for key in ("key", "llm.key", "llm.api_key", "openai-api-key"):
        refused = run("config", "set", key, "sk-x")
        assert refused.exit_code == 2 and "OPENAI_API_KEY" in refused.output


def test_a_layout_tomlkit_cannot_edit_is_rewritten_whole_and_right(okr_home: Path) -> None:
    path = okr_home / "config.toml"
    path.write_text('llm.model = "x"  # dotted\nengine = "rules"\n', encoding="utf-8")
    assert run("config", "set", "llm.prices.m", "1,2").exit_code == 0
    settings = load_settings()
    assert (settings.engine, settings.llm.model) == ("rules", "x")
    assert settings.llm.prices["m"].output == 2.0


def test_settings_without_a_file_or_variable_import_no_pydantic(tmp_path: Path) -> None:
    """Every ``okr critique`` reads the settings: without a config file they cost no pydantic."""
    import os
    import subprocess
    import sys

    probe = (
        "import sys; from assistant.config import load_settings; load_settings(); "
        "assert 'pydantic' not in sys.modules, sorted(m for m in sys.modules if 'pydantic' in m)"
    )
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith("OKR_")}
    env["OKR_HOME"] = str(tmp_path)
    root = Path(__file__).resolve().parents[2]
    subprocess.run([sys.executable, "-c", probe], env=env, cwd=root, check=True, timeout=60)


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("[llm]\nconcurrency = 0\n", "llm.concurrency: Input should be greater than or equal to 1"),
        (
            "[llm]\nconcurrency = 257\n",
            "llm.concurrency: Input should be less than or equal to 256",
        ),
        ("[llm]\ntimeout = 0\n", "llm.timeout: Input should be greater than 0"),
        (
            "[sources]\ntimeout = 601\n",
            "sources.timeout: Input should be less than or equal to 600",
        ),
        ("[llm.prices.m]\ninput = -1\noutput = 1\n", "llm.prices.m.input: Input should be greater"),
        ("[llm]\nnope = 1\n", "llm.nope: Extra inputs are not permitted"),
        ("llm = 3\n", "llm: Input should be a valid dictionary or instance of LLMSettings"),
        ('engine = "magic"\n', "engine: Input should be 'auto', 'rules' or 'llm'"),
    ],
)
def test_a_bad_config_file_is_one_line_worded_as_ever(okr_home: Path, text: str, said: str) -> None:
    """The settings are dataclasses now; pydantic still checks the file, in the same words."""
    path = okr_home / "config.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_settings()
    assert str(caught.value).startswith(f"{path}: {said}")


def test_a_nested_okr_variable_may_hold_json(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OKR_LLM__PRICES", '{"m": {"input": 1, "output": 2}}')
    monkeypatch.setenv("OKR_SOURCES__TIMEOUT", "5")
    settings = load_settings()
    assert settings.llm.prices["m"].output == 2.0 and settings.sources.timeout == 5.0
    assert type(settings.llm) is type(Settings().llm)  # the record, not pydantic's mirror
