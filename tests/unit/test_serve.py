"""serve's active health check (coordsupervise/serve.py, Running.revive): an app process that exited is started
again; one that stops answering its health check (here: SIGSTOP, as a deadlock or a starved event loop looks from
outside) is killed and started again after HUNG_AFTER failed checks in a row; one that is still starting is left to
start. Real `streamlit run` processes of an empty page, no nginx and no database: supervision does not need them."""
from __future__ import annotations

import os
import signal

import pytest

from coordsupervise.bench.processes import _ports
from coordsupervise.serve import Plan, Running, healthy
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
