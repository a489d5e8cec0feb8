"""serve's active health check (coordsupervise/serve.py, Running.revive): an app process that exited is started
again; one that stops answering its health check (here: SIGSTOP, as a deadlock or a starved event loop looks from
outside) is killed and started again after HUNG_AFTER failed checks in a row; one that is still starting is left to
start. Real `streamlit run` processes of an empty page, no nginx and no database: supervision does not need them.

And the nginx configuration `serve` writes guards what Streamlit leaves open: `/media/` (a download button's file,
served by Streamlit to whoever has its address) only with the login cookie, and the security headers on every
response, checked through a real nginx in front of a stand-in app."""
from __future__ import annotations

import http.server
import os
import signal
import subprocess
import threading
import urllib.error
import urllib.request

import pytest

from coordsupervise.bench.processes import _ports
from coordsupervise.config import ConfigError
from coordsupervise.serve import (
    MEDIA_PATH,
    NginxMissing,
    Plan,
    Running,
    free_port,
    healthy,
    login_cookie_name,
    nginx_binary,
    nginx_config,
)
from tests.conftest import wait_for


@pytest.fixture
def served(tmp_path):
    script = tmp_path / "empty_app.py"
    script.write_text("import streamlit as st\nst.write('ok')\n", encoding="utf-8")
    port = _ports(1)[0]
    running = Running(Plan(0, [port], tmp_path), {**os.environ}, script, tmp_path)
    running.start_app(port)
    try:
        assert wait_for(lambda: healthy(port), 60), "the empty app did not start"
        yield running, port
    finally:
        for process in running.apps.values():
            process.send_signal(signal.SIGCONT)
        running.stop()


# a stopped process never answers, so the hung checks fail whatever the timeout; a live one gets a generous one (a
# busy two-core machine may take seconds to answer)
PATIENT = 10.0


def test_a_hung_process_is_killed_and_started_again_after_failed_checks_in_a_row(served):
    running, port = served
    assert running.revive(hung_after=2, timeout=PATIENT) == [] and port in running.answered
    hung = running.apps[port]
    hung.send_signal(signal.SIGSTOP)  # alive, but answers nothing
    assert running.revive(hung_after=2, timeout=1) == []  # one failed check is not yet a hang
    assert running.failed_checks[port] == 1 and running.apps[port] is hung
    assert running.revive(hung_after=2, timeout=1) == [port]
    assert hung.poll() == -signal.SIGKILL and running.apps[port] is not hung and running.restarts == 1
    assert wait_for(lambda: healthy(port), 60), "the restarted process did not answer"
    assert running.revive(hung_after=2, timeout=PATIENT) == [] and running.failed_checks[port] == 0


def test_nothing_is_started_once_stop_began(served):
    running, port = served
    running.stop()
    running.apps[port].wait()
    assert running.revive(hung_after=1, timeout=1) == [] and running.apps[port].poll() is not None


def test_an_exited_process_is_started_again_and_a_starting_one_is_left_to_start(served):
    running, port = served
    exited = running.apps[port]
    exited.kill()
    exited.wait()
    assert running.revive(hung_after=1, timeout=1) == [port] and running.restarts == 1
    # just started, it has not answered yet: failed checks do not count during its start-up grace
    starting = running.apps[port]
    starting.send_signal(signal.SIGSTOP)
    assert running.revive(hung_after=1, timeout=1, grace=60) == [] and running.apps[port] is starting
    assert running.failed_checks[port] == 0
    # past the grace, a process that never answered is hung like any other
    assert running.revive(hung_after=1, timeout=1, grace=0) == [port] and running.restarts == 2


# -- what nginx guards ---------------------------------------------------------------------------------------------
HEADERS = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin",
           "Content-Security-Policy": "frame-ancestors 'self'"}


def test_the_configuration_asks_for_the_login_cookie_on_media_and_sets_the_headers_once_for_every_location(tmp_path):
    assert MEDIA_PATH == "/media/"  # Streamlit 1.67's media store
    from streamlit.web.server.server import MEDIA_ENDPOINT

    assert MEDIA_PATH == MEDIA_ENDPOINT + "/"  # fails loudly if an upgrade moves it
    config = nginx_config(Plan(8500, [8701], tmp_path, "127.0.0.1", "office_login"))
    media = config[config.index("location ^~ /media/"):]
    media = media[:media.index("proxy_next_upstream")]
    assert 'if ($cookie_office_login = "") {' in media and "return 403;" in media
    server = config[config.index("    server {"):config.index("        location")]
    for name, value in HEADERS.items():
        assert f'add_header {name} "{value}" always;' in server and f"proxy_hide_header {name};" in server
    # an add_header inside a location would drop the server's ones there: none has one
    directives = [line.strip() for line in config.splitlines() if line.strip().startswith("add_header ")]
    assert len(directives) == len(HEADERS) + 1 and all(d in server for d in directives)  # + the route cookie
    assert login_cookie_name({"COORDSUPERVISE_COOKIE_NAME": "office_login"}) == "office_login"
    assert login_cookie_name({}) == "coordsupervise_session"
    with pytest.raises(ConfigError):  # nginx could not name it
        login_cookie_name({"COORDSUPERVISE_COOKIE_NAME": "office-login"})


class _StandIn(http.server.BaseHTTPRequestHandler):
    """An app process as nginx sees it: answers every address, with Streamlit's own nosniff."""

    def do_GET(self):  # noqa: N802 - http.server's name
        body = f"app {self.path}".encode()
        self.send_response(200)
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def nginx_in_front(tmp_path):
    try:
        nginx = nginx_binary()
    except NginxMissing:
        if os.environ.get("CI", "").lower() == "true":
            raise
        pytest.skip("nginx is not installed (scripts/test.sh installs Debian's nginx)")
    app = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _StandIn)
    threading.Thread(target=app.serve_forever, daemon=True).start()
    listen = free_port()
    config = tmp_path / "nginx.conf"
    config.write_text(nginx_config(Plan(listen, [app.server_address[1]], tmp_path, "127.0.0.1")), encoding="utf-8")
    proxy = subprocess.Popen([nginx, "-c", str(config), "-g", "daemon off;"])  # noqa: S603
    try:
        assert wait_for(lambda: healthy(listen), 30), (tmp_path / "nginx-error.log").read_text(encoding="utf-8")
        yield f"http://127.0.0.1:{listen}"
    finally:
        proxy.terminate()
        proxy.wait(timeout=15)
        app.shutdown()


_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def _get(url: str, cookie: str | None = None):
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})  # noqa: S310 - loopback
    try:
        with _DIRECT.open(request, timeout=30) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as refused:
        return refused.code, refused.headers, b""


def test_through_nginx_media_needs_the_login_cookie_and_every_answer_has_the_headers(nginx_in_front):
    cookie = "cs_route=0123456789abcdef0123456789abcdef; coordsupervise_session=eyJ.signed.token"
    answers = {
        "page": _get(nginx_in_front + "/inbox"),
        "media without a cookie": _get(nginx_in_front + "/media/0a1b2c.csv"),
        "media, another cookie only": _get(nginx_in_front + "/media/0a1b2c.csv", "cs_route=x; other=1"),
        "media, the cookie empty": _get(nginx_in_front + "/media/0a1b2c.csv", "coordsupervise_session="),
        "media by a detour": _get(nginx_in_front + "/static/../media/0a1b2c.csv"),
        "media percent-encoded": _get(nginx_in_front + "/%6Dedia/0a1b2c.csv"),
        "media with the cookie": _get(nginx_in_front + "/media/0a1b2c.csv", cookie),
    }
    assert {what: status for what, (status, _, _) in answers.items()} == {
        "page": 200, "media without a cookie": 403, "media, another cookie only": 403, "media, the cookie empty": 403,
        "media by a detour": 403, "media percent-encoded": 403, "media with the cookie": 200}
    assert answers["media with the cookie"][2] == b"app /media/0a1b2c.csv"
    for what, (_, headers, _) in answers.items():
        for name, value in HEADERS.items():
            assert headers.get_all(name) == [value], (what, name)  # once: Streamlit's own copy is hidden
