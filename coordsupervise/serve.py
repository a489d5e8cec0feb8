"""Several app processes behind nginx (`python -m coordsupervise serve --processes N`), on PostgreSQL.

Streamlit keeps each browser session's state in the process that serves its websocket, so a browser must stay on
one process. nginx gives each browser a route cookie (`cs_route`, a random 32-hex-digit value it takes from its own
request id on the first visit) and picks the process by a consistent hash of it, so every request and the websocket
of one browser reach the same process, whatever addresses the browsers share (an office behind one NAT, another
proxy in front, or a benchmark on loopback; nginx's `ip_hash` would put all of those on one process). The websocket
upgrade headers are passed through, and a process that stops answering is taken out for a while
(`max_fails`/`fail_timeout`, nginx's passive checks). This command is also the active health check: it polls each
process and starts it again when it has exited, or kills it (SIGKILL) and starts it again when it has failed
HUNG_AFTER health checks in a row once started (hung: a deadlock, a stopped process, a runaway loop that starves
its event loop); its browsers reconnect and get a fresh session (drafts are kept in the database, not in the
process).

nginx also guards what Streamlit leaves open. Streamlit serves a download button's file at `/media/<id>` to whoever
has the address, without a cookie, while the session that drew the button lives: nginx answers 403 there to a
request without the app's login cookie (its presence: a download is asked for by a logged-in page; the app checks
the signature for everything else). And every response carries `X-Content-Type-Options: nosniff`,
`Referrer-Policy: same-origin` and `Content-Security-Policy: frame-ancestors 'self'` (set once, at the server level,
so no location may add a header of its own: nginx would then drop these there).

The whole configuration is written to `<run folder>/nginx.conf` and printed; on several machines, run the app
processes on each and list every `host:port` in the one nginx's `upstream`.

`running()` is the same setup as a context manager (the multi-process benchmark and the browser test that kills an
app process use it, so they measure and test exactly what this command runs).
"""
from __future__ import annotations

import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import tomllib
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from .config import ConfigError, load_settings

ROOT = Path(__file__).resolve().parent.parent
HEALTH_PATH = "/_stcore/health"
HUNG_AFTER = 3  # health checks failed in a row, each waiting HEALTH_TIMEOUT: a busy process still answers in time
HEALTH_TIMEOUT = 10.0
STARTUP_GRACE = 120.0  # seconds a (re)started process has to answer its first health check
MEDIA_PATH = "/media/"  # Streamlit 1.67's media store (streamlit/web/server/server.py, MEDIA_ENDPOINT)
# on every response; Streamlit sends the first itself on some, so its own copies are hidden (one header, not two)
SECURITY_HEADERS = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin",
                    "Content-Security-Policy": "frame-ancestors 'self'"}


@dataclass(frozen=True)
class Plan:
    listen_port: int
    app_ports: list[int]
    run_folder: Path
    listen_address: str = "0.0.0.0"  # noqa: S104 - serve's public face; tests and the benchmark pass 127.0.0.1
    cookie_name: str = "coordsupervise_session"  # the app's login cookie (login_cookie_name), asked for on /media/


def login_cookie_name(env: dict[str, str]) -> str:
    """The login cookie's name as app processes started with `env` read it: their environment, then the secrets
    file beside app.py (they run there), then the default. nginx names it as `$cookie_<name>`, so it may hold
    letters, digits and _ only."""
    secrets_file = ROOT / ".streamlit" / "secrets.toml"
    secrets = tomllib.loads(secrets_file.read_text(encoding="utf-8")) if secrets_file.is_file() else {}
    name = load_settings(env, secrets).cookie_name
    if not re.fullmatch(r"[A-Za-z0-9_]+", name):
        raise ConfigError(f"serve needs a login cookie name of letters, digits and _ only (nginx checks it on "
                          f"{MEDIA_PATH}): COORDSUPERVISE_COOKIE_NAME={name!r}")
    return name


def nginx_config(plan: Plan) -> str:
    """The nginx configuration for the plan: sticky by a route cookie, websockets upgraded, passive health checks,
    the media store only for a browser with the login cookie, and the security headers on every response."""
    run = plan.run_folder
    servers = "\n".join(f"        server 127.0.0.1:{p} max_fails=2 fail_timeout=10s;" for p in plan.app_ports)
    headers = "\n".join(f'        proxy_hide_header {name};\n        add_header {name} "{value}" always;'
                        for name, value in SECURITY_HEADERS.items())
    return f"""# written by python -m coordsupervise serve
worker_processes auto;
pid {run}/nginx.pid;
error_log {run}/nginx-error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    # nothing is written to the temp folders below: run as root, nginx's workers are `nobody` and may not reach a
    # private run folder (a large response then arrived cut short, an upload failed); responses pass through from
    # memory, and an upload up to the size limit is held in memory
    proxy_max_temp_file_size 0;
    client_body_buffer_size 50m;
    client_body_temp_path {run}/body-temp;
    proxy_temp_path {run}/proxy-temp;
    fastcgi_temp_path {run}/fastcgi-temp;
    uwsgi_temp_path {run}/uwsgi-temp;
    scgi_temp_path {run}/scgi-temp;
    map $http_upgrade $connection_upgrade {{
        default upgrade;
        ''      close;
    }}
    # sticky: Streamlit keeps a session's state in one process. A browser's route is its cs_route cookie when it
    # carries a well-formed one, else this request's id (then sent back as the cookie below).
    map $cookie_cs_route $cs_route {{
        "~^[0-9a-f]{{32}}$" $cookie_cs_route;
        default $request_id;
    }}
    upstream coordsupervise {{
        zone coordsupervise 64k;  # every nginx worker sees the same failed processes, so a browser is not split
        hash $cs_route consistent;
{servers}
    }}
    server {{
        listen {plan.listen_address}:{plan.listen_port};
        client_max_body_size 50m;
        proxy_http_version 1.1;
        proxy_set_header Upgrade $http_upgrade;
        proxy_set_header Connection $connection_upgrade;
        proxy_set_header Host $host;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        proxy_set_header X-Forwarded-Proto $scheme;
        proxy_read_timeout 1d;
        add_header Set-Cookie "cs_route=$cs_route; Path=/; HttpOnly; SameSite=Lax" always;
        # on every response, refusals included; a location with an add_header of its own would lose all of these
{headers}
        location / {{
            proxy_pass http://coordsupervise;
            proxy_next_upstream error timeout;
        }}
        # a component's files (the login cookie's) are the same in every process, but a process knows a component
        # only once a session there has run the app: one just started again answers 404 to a browser whose page
        # another process drew meanwhile; the next process has them
        location /component/ {{
            proxy_pass http://coordsupervise;
            proxy_next_upstream error timeout http_404;
        }}
        # a download button's file, which Streamlit hands to anyone with its address: only to a browser that
        # carries the login cookie (^~: no other location takes these addresses; nginx matches the decoded,
        # normalised path, so /x/../media/ and %6Dedia are checked too)
        location ^~ {MEDIA_PATH} {{
            if ($cookie_{plan.cookie_name} = "") {{
                return 403;
            }}
            proxy_pass http://coordsupervise;
            proxy_next_upstream error timeout;
        }}
    }}
}}
"""


# straight to the process: an http_proxy in the environment must not stand between serve and its own processes (a
# health check through a proxy would fail, and a failing process is now killed)
_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def healthy(port: int, timeout: float = 2.0) -> bool:
    try:
        with _DIRECT.open(f"http://127.0.0.1:{port}{HEALTH_PATH}", timeout=timeout) as response:
            return response.status == 200
    except (OSError, http.client.HTTPException):  # refused, timed out, or a half-written answer
        return False


class NginxMissing(RuntimeError):
    """Debian's nginx package is not installed."""


def nginx_binary() -> str:
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(nginx).exists():
        raise NginxMissing("nginx is not installed (Debian: apt-get install nginx)")
    return nginx


def free_port() -> int:
    """A port nothing listens on now (the operating system's choice)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Running:
    """The app processes and nginx of one plan while they run: what the supervision loop, the benchmark and the
    tests look at (which process listens where, their pids) and act on (starting an exited process again)."""
    plan: Plan
    env: dict[str, str]
    script: Path
    log_folder: Path | None
    apps: dict[int, subprocess.Popen] = field(default_factory=dict)
    proxy: subprocess.Popen | None = None
    restarts: int = 0
    failed_checks: dict[int, int] = field(default_factory=dict)  # health checks failed in a row, per port
    stopping: bool = False  # set by stop(): nothing is started after it
    _lock: threading.Lock = field(default_factory=threading.Lock)  # stop() against a revive() in another thread
    started_at: dict[int, float] = field(default_factory=dict)  # time.monotonic() of each port's last start
    answered: set[int] = field(default_factory=set)  # ports whose current process has answered a health check

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.plan.listen_port}"

    def app_pids(self) -> dict[int, int]:
        """Each app port's process id, as it is now."""
        return {port: process.pid for port, process in self.apps.items()}

    def start_app(self, port: int) -> None:
        with self._lock:
            if not self.stopping:
                self._start_app(port)

    def _start_app(self, port: int) -> None:
        log = subprocess.DEVNULL if self.log_folder is None else open(  # noqa: SIM115 - the child keeps it
            self.log_folder / f"app-{port}.log", "ab")
        self.apps[port] = subprocess.Popen(  # noqa: S603 (our own interpreter and arguments)
            [sys.executable, "-m", "streamlit", "run", str(self.script), "--server.port", str(port),
             "--server.address", "127.0.0.1", "--server.headless", "true"],
            cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT if self.log_folder else subprocess.DEVNULL)
        if log is not subprocess.DEVNULL:
            log.close()
        self.started_at[port] = time.monotonic()
        self.failed_checks[port] = 0
        self.answered.discard(port)

    def revive(self, hung_after: int = HUNG_AFTER, timeout: float = HEALTH_TIMEOUT,
               grace: float = STARTUP_GRACE) -> list[int]:
        """Start every app process that has exited again, and kill and start again every one that has failed
        `hung_after` health checks in a row (not counting while it starts: until it first answered, or `grace`
        seconds); the ports whose process was started."""
        started = []
        for port, process in list(self.apps.items()):
            if self.stopping:
                break
            if process.poll() is not None:
                print(f"app process on port {port} exited ({process.returncode}); starting it again", flush=True)
            elif healthy(port, timeout):
                self.answered.add(port)
                self.failed_checks[port] = 0
                continue
            elif port not in self.answered and time.monotonic() - self.started_at.get(port, 0.0) < grace:
                continue
            else:
                self.failed_checks[port] = self.failed_checks.get(port, 0) + 1
                if self.failed_checks[port] < hung_after:
                    continue
                print(f"app process on port {port} failed {hung_after} health checks in a row; killing it and "
                      f"starting it again", flush=True)
                process.kill()
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:  # not yet reaped: its port may still be taken; next round
                    print(f"app process on port {port} did not end after SIGKILL; trying again later", flush=True)
                    continue
            self.start_app(port)
            if self.apps[port] is not process:
                self.restarts += 1
                started.append(port)
        return started

    def supervise(self, stopped: Callable[[], bool], poll_seconds: float = 5.0, **checks) -> int:
        """The active health check, until `stopped()`: an exited or hung app process is started again (`checks`:
        revive()'s thresholds); 1 if nginx exits."""
        while not stopped():
            self.revive(**checks)
            if self.proxy is not None and self.proxy.poll() is not None:
                print("nginx exited", file=sys.stderr)
                return 1
            time.sleep(poll_seconds)
        return 0

    def stop(self) -> None:
        with self._lock:  # a revive() in another thread starts nothing after this
            self.stopping = True
        processes = [*self.apps.values(), *([self.proxy] if self.proxy else [])]
        for process in processes:
            if process.poll() is None:
                process.terminate()
        for process in processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=15)


def _wait(condition: Callable[[], bool], seconds: float, stopped: Callable[[], bool]) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline or stopped():
            return False
        time.sleep(0.5)
    return True


@contextmanager
def running(db_url: str, app_ports: list[int], listen_port: int, run_folder: Path,
            extra_env: dict[str, str] | None = None, script: Path = ROOT / "app.py", logs: bool = False,
            stopped: Callable[[], bool] = lambda: False, ready_seconds: float = 120.0,
            listen_address: str = "0.0.0.0") -> Iterator[Running]:  # noqa: S104 - see Plan
    """N app processes (one per port) and nginx in front, for the length of the block; all stopped after it.
    nginx starts once every process answers its health check (or after `ready_seconds`: nginx then takes the
    late ones in as they come up); the block starts once nginx answers."""
    nginx = nginx_binary()
    run_folder.mkdir(parents=True, exist_ok=True)
    # the processes are reached only through this nginx: the login throttle may trust its X-Forwarded-For
    env = {**os.environ, "COORDSUPERVISE_DB": db_url, "COORDSUPERVISE_BEHIND_PROXY": "1", **(extra_env or {})}
    plan = Plan(listen_port, list(app_ports), run_folder.resolve(), listen_address, login_cookie_name(env))
    config = plan.run_folder / "nginx.conf"
    config.write_text(nginx_config(plan), encoding="utf-8")
    served = Running(plan, env, script, plan.run_folder if logs else None)
    try:
        for port in plan.app_ports:
            served.start_app(port)
        _wait(lambda: all(healthy(p) for p in plan.app_ports), ready_seconds, stopped)
        served.proxy = subprocess.Popen([nginx, "-c", str(config), "-g", "daemon off;"])  # noqa: S603
        if not _wait(lambda: healthy(listen_port), 30, lambda: stopped() or served.proxy.poll() is not None) \
                and not stopped():
            raise RuntimeError(f"nginx did not answer on port {listen_port}; see {plan.run_folder}/nginx-error.log")
        yield served
    finally:
        served.stop()


def serve(db_url: str, processes: int, listen_port: int, first_app_port: int, run_folder: Path,
          poll_seconds: float = 5.0) -> int:
    """Start the app processes and nginx, keep the processes alive until interrupted, then stop everything."""
    stopping = {"now": False}

    def stop(*_):
        stopping["now"] = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    ports = [first_app_port + i for i in range(processes)]
    try:
        with running(db_url, ports, listen_port, run_folder, stopped=lambda: stopping["now"]) as served:
            config = served.plan.run_folder / "nginx.conf"
            print(f"nginx configuration: {config}\n{config.read_text(encoding='utf-8')}")
            print(f"serving on http://0.0.0.0:{listen_port} with {processes} app processes: {ports}", flush=True)
            return served.supervise(lambda: stopping["now"], poll_seconds)
    except (NginxMissing, ConfigError) as exc:
        print(exc, file=sys.stderr)
        return 2
