"""Item 7 of issue 11: alias expansion is budgeted on the composed graph, before any
value is expanded, so alias bombs are refused fast and small."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from assistant.errors import InputError
from assistant.io import read_path, read_text

HERE = Path(__file__).parent


def test_billion_laughs_is_refused_fast() -> None:
    start = time.perf_counter()
    with pytest.raises(InputError, match="aliases would expand to more than"):
        read_path(str(HERE / "billion_laughs.yaml"))
    assert time.perf_counter() - start < 0.5


def test_billion_laughs_stays_small_in_a_fresh_process() -> None:
    code = (
        "import sys\n"
        "from assistant.io import read_path\n"
        "from assistant.errors import InputError\n"
        f"try: read_path({str(HERE / 'billion_laughs.yaml')!r})\n"
        "except InputError: pass\n"
        "else: sys.exit(1)\n"
        # VmHWM is this process's own peak (ru_maxrss would include the forking parent's)
        "print([l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM')][0])\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert int(out.stdout.strip()) < 100 * 1024  # KiB on Linux


def test_tens_of_thousands_of_aliases_are_refused_not_expanded() -> None:
    with pytest.raises(InputError, match=r"many_aliases\.yaml:\d+: too many aliases"):
        read_path(str(HERE / "many_aliases.yaml"))


def test_recursive_alias_is_refused() -> None:
    with pytest.raises(InputError, match="recursive alias"):
        read_path(str(HERE / "recursive_alias.yaml"))


def test_a_few_ordinary_aliases_still_work() -> None:
    text = (
        "defaults: &owner {owner: Ana}\n"
        "objectives:\n"
        "  - title: Grow revenue\n"
        "    <<: *owner\n"
        "    key_results:\n"
        "      - text: Reach 10 paying customers by 2026-06-30\n"
        "      - text: Raise NPS from 20 to 40 by 2026-06-30\n"
    )
    try:
        sets = read_text(text, "ok.yaml")
    except InputError as exc:  # merge keys or unknown fields may be refused: not by the budget
        assert "alias" not in str(exc)
    else:
        assert sets[0].objectives[0].key_results[1].text.startswith("Raise NPS")
