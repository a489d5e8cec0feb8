"""Several app processes behind nginx (issue 15): a browser's app process is killed with SIGKILL while the trainee
has a draft open; the other process keeps answering through nginx, `serve`'s supervision starts the killed one
again, and the browser, reloaded as a person would when the page stops answering, lands on a live process with a
fresh session, still logged in by its cookie, with the draft in its box (drafts live in the database, not in the
process).

One setup for the file: a PostgreSQL copy of the demo on the test cluster, two app processes and nginx started by
`serve.running()` (what `python -m coordsupervise serve` runs) with its supervision loop in a thread. Runs when
PostgreSQL is among --engines (always with CI=true) and nginx is installed (scripts/test.sh installs it)."""
from __future__ import annotations

import re
import secrets
import signal
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import expect

from coordsupervise.bench.processes import _established, _ports
from coordsupervise.i18n import translate
from coordsupervise.serve import HEALTH_PATH, free_port, healthy, running

from ..conftest import pg_demo_behind_nginx, wait_for
from .conftest import demo_trainee_free_days, login, wait_idle

JA = lambda key, **p: translate("ja", key, **p)  # noqa: E731
DRAFT = "プロセス停止の前に書いた下書き:在留カードの更新手続き"


@pytest.fixture(scope="module")
def served(request, tmp_path_factory):
    env = {"COORDSUPERVISE_COOKIE_KEY": secrets.token_urlsafe(32), "COORDSUPERVISE_MODE": "demo"}
    stop = threading.Event()
    with pg_demo_behind_nginx(request) as url, \
            running(url, _ports(2), free_port(), tmp_path_factory.mktemp("serve"), env, logs=True,
                    listen_address="127.0.0.1") as setup:
        supervision = threading.Thread(target=setup.supervise, args=(stop.is_set, 1.0), daemon=True)
        supervision.start()
        try:
            setup.day = demo_trainee_free_days(url)[0].isoformat()
            yield setup
        finally:
            stop.set()
            supervision.join(timeout=30)


def _websocket_port(setup) -> int | None:
    """The app port holding this browser's websocket, if one does: nginx keeps no other connection to the app
    processes open (ordinary requests, the frontend's health checks included, are closed once answered), so it is
    the one port that has an open connection in every one of several looks."""
    seen = None
    for _ in range(6):
        ports = {port for port, _ in _established(set(setup.apps))}
        seen = ports if seen is None else seen & ports
        time.sleep(0.3)
    return seen.pop() if seen and len(seen) == 1 else None


def _serving_port(setup) -> int:
    port = _websocket_port(setup)
    assert port is not None, "expected one app process holding the browser's websocket"
    return port


def _through_nginx(setup) -> int:
    """A new visitor's health check through nginx (no route cookie yet: any process may be picked)."""
    with urllib.request.urlopen(setup.url + HEALTH_PATH, timeout=30) as response:  # noqa: S310 - loopback
        return response.status


def test_an_upload_and_a_download_reach_the_process_of_the_browsers_session(served, page, tmp_path):
    """Beside the websocket, a page sends plain HTTP requests that only its own process can answer: an upload goes
    to the session's uploaded-file store, a download is served from the process's media store. The route cookie
    nginx set on the first response rides on both, so with two processes neither lands on the other one (which
    would refuse it about half the time)."""
    login(page, served.url, "demo-trainee", "/assignments?a=A5")
    assert any(c["name"] == "cs_route" for c in page.context.cookies())
    page.get_by_role("textbox", name=JA("assignment.body")).fill("## 連携先マップ\n市役所・法テラス")
    page.get_by_text(JA("assignment.attach")).first.click()  # leave the text box
    wait_idle(page)
    for n in range(1, 4):  # three uploads, three downloads: a coin flip each without the route cookie
        pdf = tmp_path / f"連携記録{n}.pdf"
        pdf.write_bytes(b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n" + str(n).encode())
        page.locator("input[type=file]").set_input_files(str(pdf))
        wait_idle(page)
        button = page.get_by_role("button", name=re.compile(f"^連携記録{n}\\.pdf"))
        expect(button).to_be_visible()
        with page.expect_download() as download:
            button.click()
        assert Path(download.value.path()).read_bytes() == pdf.read_bytes(), n
        assert page.locator("[data-testid=stException]").count() == 0


def test_killing_the_browsers_app_process_keeps_its_draft_and_the_other_process_serving(served, page):
    login(page, served.url, "demo-trainee", f"/reflection?day={served.day}")
    box = page.get_by_role("textbox", name=JA("reflection.field.event"))
    box.fill(DRAFT)
    page.get_by_role("textbox", name=JA("reflection.field.feelings")).click()  # leaving the box commits the text
    wait_idle(page)
    expect(page.get_by_text(JA("reflection.draft_saved", at="")[:6])).to_be_visible(timeout=30000)

    port = _serving_port(served)
    victim = served.apps[port]
    victim.send_signal(signal.SIGKILL)
    victim.wait(timeout=30)
    # the other process keeps answering, through nginx and on its own
    assert all(_through_nginx(served) == 200 for _ in range(6))
    assert all(healthy(other, timeout=30) for other in served.apps if other != port)

    # the browser's page reconnects by itself (Streamlit's frontend): it holds a websocket to a live process again
    assert wait_for(lambda: _websocket_port(served) is not None, 120, 0.5), "the page did not reconnect"
    # serve's supervision starts the killed process again, on its port
    assert wait_for(lambda: served.apps[port].pid != victim.pid and healthy(port), 180, 0.5), \
        f"the killed app process was not started again; see {served.plan.run_folder}/app-{port}.log"
    assert served.restarts >= 1
    # a person reloads the page (what it shows now was drawn by the killed process): a live process, a fresh
    # session, logged in by the cookie, the draft in its box (read from PostgreSQL, not from a process's memory)
    page.reload()
    wait_idle(page)
    expect(page.get_by_role("textbox", name=JA("reflection.field.event"))).to_have_value(DRAFT, timeout=60000)
    now_serving = _serving_port(served)
    assert served.apps[now_serving].poll() is None and served.apps[now_serving].pid != victim.pid
