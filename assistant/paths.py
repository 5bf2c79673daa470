"""Where okr-coach keeps its data. Nothing here creates a directory at import time."""

from __future__ import annotations

import os
import stat
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


# Files okr writes into its data home (backups of it included) hold every draft's history:
# only their owner reads them. Files a user names (``-o FILE``, ``okr init``) are theirs to
# share, so they get the mode any other program gives a new file: 0o666 less the umask.
PRIVATE_MODE = 0o600
SHARED_MODE = 0o666


def write_text_atomic(
    path: str | Path, text: str, *, private: bool = True, parents: bool = True
) -> Path:
    """Write beside ``path``, fsync, then rename over it: never a half-written file.

    ``private``: mode 0600 (the data home's files and its backups). Otherwise a new file
    is created with 0o666 and the kernel applies the umask (0644 under umask 022), and a
    file that is replaced keeps its mode. ``parents``: create missing folders first;
    without it a missing folder is ``FileNotFoundError``.
    """
    target = Path(path)
    if parents:
        target.parent.mkdir(parents=True, exist_ok=True)
    mode = PRIVATE_MODE if private else SHARED_MODE
    keep: int | None = None
    if not private:
        try:
            keep = stat.S_IMODE(target.stat().st_mode)
        except OSError:
            keep = None  # a new file: the umask decides
    fd, tmp = _create_beside(target, mode)
    try:
        if keep is not None:
            os.fchmod(fd, keep)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def _create_beside(target: Path, mode: int) -> tuple[int, str]:
    """A new temporary file next to ``target`` (``O_EXCL``, a random name) with ``mode``
    less the umask: ``tempfile.mkstemp`` would always make it 0600."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    for _ in range(100):
        tmp = str(target.parent / f".{target.name}.{os.urandom(4).hex()}.tmp")
        try:
            return os.open(tmp, flags, mode), tmp
        except FileExistsError:
            continue
    raise FileExistsError(f"{target.parent}: no free temporary file name")


def write_output(
    path: str | Path, text: str, *, private: bool = False, parents: bool = False
) -> Path:
    """:func:`write_text_atomic` for a file the user named (``-o FILE``, ``okr init``): its
    mode follows the umask, and its folder must exist — ``-o missing/dir/x`` is one line
    saying so, not folders made silently. Any path that cannot be written (its parent is a
    file, no permission, the disk is full) is one ``InputError`` line, exit 2, and the old
    file (if any) is left as it was. ``private``/``parents``: the config file (0600, its
    folder made on first save)."""
    from assistant.errors import InputError

    target = Path(path)
    if not parents:
        check_output(path)
    try:
        return write_text_atomic(target, text, private=private, parents=parents)
    except OSError as exc:
        reason = exc.strerror or str(exc) or type(exc).__name__
        if isinstance(exc, FileExistsError | NotADirectoryError):
            reason = "a parent of this path is not a directory"
        raise InputError(str(path), f"cannot write the file ({reason})") from None


def check_output(path: str | Path) -> None:
    """``-o FILE`` checked before any work is done (a grade, an LLM call): its folder must
    exist. One ``InputError`` line (exit 2) otherwise; okr never makes folders for it."""
    from assistant.errors import InputError

    folder = Path(path).parent
    if folder.is_dir():
        return
    existing = next((p for p in folder.parents if p.exists()), None)
    if folder.exists() or (existing is not None and not existing.is_dir()):
        reason = "a parent of this path is not a directory"
    else:
        reason = f"the folder {folder} does not exist"
    raise InputError(str(path), f"cannot write the file ({reason})")
