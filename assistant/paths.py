"""Where okr-coach keeps its data. Nothing here creates a directory at import time."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

APP_NAME = "okr-coach"


def data_home() -> Path:
    """``$OKR_HOME`` if set, else the platform's user data dir (platformdirs:
    ``~/.local/share/okr-coach`` on Linux, honouring ``$XDG_DATA_HOME``)."""
    explicit = os.environ.get("OKR_HOME")
    if explicit:
        return Path(explicit).expanduser()
    from platformdirs import user_data_path

    return user_data_path(APP_NAME, appauthor=False)


def config_path(home: Path | None = None) -> Path:
    """``config.toml`` in ``home`` or ``$OKR_HOME`` when given, else in the platform's
    user config dir (``~/.config/okr-coach`` on Linux, honouring ``$XDG_CONFIG_HOME``)."""
    if home is not None or os.environ.get("OKR_HOME"):
        return (home or data_home()) / "config.toml"
    from platformdirs import user_config_path

    return user_config_path(APP_NAME, appauthor=False) / "config.toml"


def ensure_home(home: Path | None = None) -> Path:
    """Create the data home on first use (never at import)."""
    path = home or data_home()
    path.mkdir(parents=True, exist_ok=True)
    return path


def write_text_atomic(path: str | Path, text: str) -> Path:
    """Write beside ``path``, fsync, then rename over it: never a half-written file."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def write_output(path: str | Path, text: str) -> Path:
    """:func:`write_text_atomic` for a file the user named: a path that cannot be written
    (its parent is a file, no permission, the disk is full) is one ``InputError`` line,
    exit 2, and the old file (if any) is left as it was."""
    from assistant.errors import InputError

    try:
        return write_text_atomic(path, text)
    except OSError as exc:
        reason = exc.strerror or str(exc) or type(exc).__name__
        if isinstance(exc, FileExistsError | NotADirectoryError):
            reason = "a parent of this path is not a directory"
        raise InputError(str(path), f"cannot write the file ({reason})") from None
