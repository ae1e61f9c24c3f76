"""Pieces of the benchmark: servers under gunicorn on loopback, wrk runs and their numbers."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WRK_DIR = ROOT / "bench" / "wrk"


@dataclass(frozen=True)
class Result:
    name: str
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    non_2xx: int
    extra: str = ""


def wait_until_up(url: str, timeout: float = 60) -> None:
    """Poll until the server answers (any HTTP status), bounded in time."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {timeout} s")


@contextmanager
def gunicorn(python: Path, app: str, env: dict[str, str], workers: int = 2,
             log: Path | None = None, cwd: Path = ROOT) -> Iterator[str]:
    """Serve a WSGI app with `workers` sync workers on a free port of 127.0.0.1; stopped on exit.

    The port is bound here and handed to gunicorn (fd://), so no other process can take it
    between choosing it and serving it."""
    log_file = (log or Path(os.devnull)).open("a")
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(128)
        process = subprocess.Popen(
            [str(python), "-m", "gunicorn", "-w", str(workers), "-b", f"fd://{listener.fileno()}",
             "--log-level", "warning", app],
            env={**os.environ, **env}, stdout=log_file, stderr=subprocess.STDOUT, cwd=cwd,
            pass_fds=[listener.fileno()])
        base = f"http://127.0.0.1:{listener.getsockname()[1]}"
    try:
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        log_file.close()


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _ms(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", value).groups()
    return float(number) * _UNITS[unit]


def wrk(name: str, url: str, duration: int, connections: int, script: str | None = None,
        headers: dict[str, str] | None = None, env: dict[str, str] | None = None,
        warmup: bool = True) -> Result:
    """Run wrk against one URL and read requests/s, p50 and p99 from its report.

    A short unmeasured run first warms what a server in service would have warm: the
    database's and the OS's caches, and each worker's.
    """
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install wrk")
    if warmup:
        wrk(name, url, min(3, duration), connections, script, headers, env, warmup=False)
    command = ["wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--latency", "--timeout",
               "10s"]
    for key, value in (headers or {}).items():
        command += ["-H", f"{key}: {value}"]
    if script:
        command += ["-s", str(WRK_DIR / script)]
    output = subprocess.run(command + [url], capture_output=True, text=True, check=True,
                            env={**os.environ, **(env or {})},
                            timeout=duration + 60).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    p50 = _ms(re.search(r"50%\s+([\d.]+\w+)", output).group(1))
    p99 = _ms(re.search(r"99%\s+([\d.]+\w+)", output).group(1))
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    created = re.search(r"created (\d+)", output)
    return Result(name, rps, p50, p99, int(non_2xx.group(1)) if non_2xx else 0,
                  f"created {created.group(1)}" if created else "")


def fetch(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict, bytes]:
    """One request with urllib: (status, headers, body)."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def post_json(url: str, body: bytes, headers: dict[str, str] | None = None) -> int:
    """POST a JSON body; the status code."""
    request = urllib.request.Request(url, data=body, method="POST", headers={
        "Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
