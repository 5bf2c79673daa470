"""Where data and config live: $OKR_HOME wins, else the platform dirs (XDG on Linux)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from assistant.paths import config_path, data_home

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="XDG dirs")


def test_okr_home_holds_data_and_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OKR_HOME", str(tmp_path / "okr"))
    assert data_home() == tmp_path / "okr"
    assert config_path() == tmp_path / "okr" / "config.toml"
    assert config_path(tmp_path / "other") == tmp_path / "other" / "config.toml"


@linux_only
def test_linux_defaults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OKR_HOME")
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert data_home() == tmp_path / ".local" / "share" / "okr-coach"
    assert config_path() == tmp_path / ".config" / "okr-coach" / "config.toml"
    assert not (tmp_path / ".local").exists() and not (tmp_path / ".config").exists()


@linux_only
def test_xdg_variables_are_honoured(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OKR_HOME")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "conf"))
    assert data_home() == tmp_path / "data" / "okr-coach"
    assert config_path() == tmp_path / "conf" / "okr-coach" / "config.toml"


def test_importing_and_asking_creates_nothing(tmp_path: Path) -> None:
    probe = textwrap.dedent(
        """
        import assistant.config, assistant.paths
        assistant.paths.data_home(); assistant.paths.config_path()
        assistant.config.load_settings()
        """
    )
    env = {"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"}
    root = Path(__file__).resolve().parents[2]
    subprocess.run([sys.executable, "-c", probe], env=env, cwd=root, check=True, timeout=60)
    assert list(tmp_path.iterdir()) == []
