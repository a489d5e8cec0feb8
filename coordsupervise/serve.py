"""Several app processes behind nginx (`python -m coordsupervise serve --processes N`), on PostgreSQL.

Streamlit keeps each browser session's state in the process that serves its websocket, so a browser must stay on
one process. nginx gives each browser a route cookie (`cs_route`, a random 32-hex-digit value it takes from its own
request id on the first visit) and picks the process by a consistent hash of it, so every request and the websocket
of one browser reach the same process, whatever addresses the browsers share (an office behind one NAT, another
proxy in front, or a benchmark on loopback; nginx's `ip_hash` would put all of those on one process). The websocket upgrade headers are
passed through, and a process that stops answering is taken out for a while (`max_fails`/`fail_timeout`, nginx's
passive checks). This command is also the active health check: it polls each process's `/_stcore/health` and
starts a process again when it has exited; its browsers reconnect and get a fresh session (drafts are kept in the
database, not in the process).

The whole configuration is written to `<run folder>/nginx.conf` and printed; on several machines, run the app
processes on each and list every `host:port` in the one nginx's `upstream`.
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEALTH_PATH = "/_stcore/health"


@dataclass(frozen=True)
class Plan:
    listen_port: int
    app_ports: list[int]
    run_folder: Path


def nginx_config(plan: Plan) -> str:
    """The nginx configuration for the plan: sticky by a route cookie, websockets upgraded, passive health checks."""
    run = plan.run_folder
    servers = "\n".join(f"        server 127.0.0.1:{p} max_fails=2 fail_timeout=10s;" for p in plan.app_ports)
    return f"""# written by python -m coordsupervise serve
worker_processes auto;
pid {run}/nginx.pid;
error_log {run}/nginx-error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
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
        hash $cs_route consistent;
{servers}
    }}
    server {{
        listen {plan.listen_port};
        client_max_body_size 50m;
        location / {{
            proxy_pass http://coordsupervise;
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_read_timeout 1d;
            proxy_next_upstream error timeout;
            add_header Set-Cookie "cs_route=$cs_route; Path=/; HttpOnly; SameSite=Lax" always;
        }}
    }}
}}
"""


def healthy(port: int, timeout: float = 2.0) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{HEALTH_PATH}", timeout=timeout) as response:  # noqa: S310
            return response.status == 200
    except OSError:
        return False


def _start_app(port: int, env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(  # noqa: S603 (our own interpreter and arguments)
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def serve(db_url: str, processes: int, listen_port: int, first_app_port: int, run_folder: Path,
          poll_seconds: float = 5.0) -> int:
    """Start the app processes and nginx, keep the processes alive until interrupted, then stop everything."""
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(nginx).exists():
        print("nginx is not installed (Debian: apt-get install nginx)", file=sys.stderr)
        return 2
    run_folder.mkdir(parents=True, exist_ok=True)
    plan = Plan(listen_port, [first_app_port + i for i in range(processes)], run_folder.resolve())
    config = run_folder / "nginx.conf"
    config.write_text(nginx_config(plan), encoding="utf-8")
    print(f"nginx configuration: {config}\n{config.read_text(encoding='utf-8')}")
    env = {**os.environ, "COORDSUPERVISE_DB": db_url}
    apps = {port: _start_app(port, env) for port in plan.app_ports}
    proxy = None
    stopping = {"now": False}

    def stop(*_):
        stopping["now"] = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        deadline = time.monotonic() + 120
        while not all(healthy(p) for p in apps) and time.monotonic() < deadline and not stopping["now"]:
            time.sleep(1)
        proxy = subprocess.Popen([nginx, "-c", str(config.resolve()), "-g", "daemon off;"])  # noqa: S603
        print(f"serving on http://0.0.0.0:{listen_port} with {processes} app processes: {plan.app_ports}")
        while not stopping["now"]:
            for port, process in list(apps.items()):
                if process.poll() is not None:
                    print(f"app process on port {port} exited ({process.returncode}); starting it again")
                    apps[port] = _start_app(port, env)
            if proxy.poll() is not None:
                print("nginx exited", file=sys.stderr)
                return 1
            time.sleep(poll_seconds)
        return 0
    finally:
        for process in [*apps.values(), *([proxy] if proxy else [])]:
            if process.poll() is None:
                process.terminate()
        for process in [*apps.values(), *([proxy] if proxy else [])]:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
