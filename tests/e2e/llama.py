"""``scripts/llama_server.py`` as a module (scripts/ is not a package): the e2e tests and
the cassette recorder start the same cached llama-server."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "llama_server.py"


def load_script() -> ModuleType:
    name = "okr_llama_server"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module
