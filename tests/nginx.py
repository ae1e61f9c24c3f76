"""Real nginx (from apt) in front of real app hosts, with deploy/nginx's configuration."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SITE_CONF = ROOT / "deploy" / "nginx" / "comments_widget.conf"
CACHE_CONF = ROOT / "deploy" / "nginx" / "comments_widget_cache.conf"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def require_nginx() -> None:
    """Skip without nginx on a developer's machine; in CI its absence is a failure."""
    if not os.path.exists(NGINX):
        if os.environ.get("CI"):
            pytest.fail("nginx is required in CI (apt-get install nginx)")
        pytest.skip("nginx is not installed (apt-get install nginx)")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Nginx:
    """nginx with the documented configuration, its upstreams replaced by `upstreams`
    (base URLs), its cache and logs in `folder`. Access log lines: cache status, upstream."""

    def __init__(self, folder: Path, upstreams: list[str]) -> None:
        shutil.rmtree(folder, ignore_errors=True)  # an empty cache, every time
        folder.mkdir(parents=True)
        self.folder, self.port = folder, _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.cache = folder / "cache"
        self.access_log = folder / "access.log"
        servers = "\n".join(f"    server {url.removeprefix('http://')};" for url in upstreams)
        site = SITE_CONF.read_text()
        site = site.replace("    server 127.0.0.1:8000;\n    server 127.0.0.1:8001;", servers)
        site = site.replace("/var/cache/nginx/comments_widget", str(self.cache))
        site = site.replace("listen 80;", f"listen 127.0.0.1:{self.port};")
        assert str(self.cache) in site and servers in site and str(self.port) in site
        (folder / "comments_widget.conf").write_text(site)
        shutil.copy(CACHE_CONF, folder / "comments_widget_cache.conf")
        for temp in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (folder / "temp" / temp).mkdir(parents=True, exist_ok=True)
        user = "user root;" if os.geteuid() == 0 else ""
        (folder / "nginx.conf").write_text(f"""
{user}
worker_processes 1;
daemon off;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 512; }}
http {{
    log_format cache '$upstream_cache_status $upstream_addr $status $request_uri';
    access_log {self.access_log} cache;
    log_subrequest on;  # the cache's background updates reach the app too: count them
    client_body_temp_path {folder}/temp/body;
    proxy_temp_path {folder}/temp/proxy;
    fastcgi_temp_path {folder}/temp/fastcgi;
    uwsgi_temp_path {folder}/temp/uwsgi;
    scgi_temp_path {folder}/temp/scgi;
    include comments_widget.conf;
}}
""")
        with (folder / "stderr.log").open("ab") as stderr:
            self.process = subprocess.Popen(
                [NGINX, "-p", str(folder), "-c", str(folder / "nginx.conf")],
                stdout=subprocess.DEVNULL, stderr=stderr)
        self._wait_until_up()

    def _wait_until_up(self, timeout: float = 20) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.errors()
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.05)
        raise AssertionError(f"nginx did not start:\n{self.errors()}")

    def errors(self) -> str:
        return "\n".join(path.read_text(errors="replace") for path in
                         (self.folder / "error.log", self.folder / "stderr.log") if path.exists())

    def log_lines(self) -> list[str]:
        return self.access_log.read_text().splitlines() if self.access_log.exists() else []

    def cached_bytes(self) -> bytes:
        """Everything in the cache folder, concatenated (to look for what must not be there)."""
        return b"".join(path.read_bytes() for path in self.cache.rglob("*") if path.is_file())

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


def get(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    """(status, headers, body) of one GET, errors included."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, dict(error.headers), error.read()
