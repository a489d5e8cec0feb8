"""A throwaway PostgreSQL cluster for the tests: Debian's postgresql binaries, `initdb` into a temporary folder,
a free port on 127.0.0.1, durability switched off (it is thrown away), stopped and deleted at the end.

PostgreSQL refuses to run as root, so when the tests run as root (CI) the cluster runs as the `postgres` user
that Debian's package creates."""
from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path


def _bin(name: str) -> str:
    found = shutil.which(name) or next(iter(sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)),
                                       None)
    if found is None:
        raise RuntimeError(f"{name} not found: install Debian's postgresql package (scripts/test.sh does)")
    return found


def _scratch_folder() -> str | None:
    """Where the cluster's files go: memory (/dev/shm) when it has room. Every clone of a template database creates
    a few hundred files, and on a disk that many tests fill and empty, ext4's search for free inodes made each
    `CREATE DATABASE` take half a second of CPU (perf: recently_deleted, find_inode_bit); in memory it takes a few
    hundredths. None: the system's temporary folder."""
    shm = "/dev/shm"  # noqa: S108 (a throwaway cluster, the whole point is a scratch place in memory)
    try:
        usage = shutil.disk_usage(shm)
    except OSError:
        return None
    return shm if usage.free >= SHM_NEEDED and os.access(shm, os.W_OK) else None


SHM_NEEDED = 2 * 1024**3  # a worker's cluster holds the two templates and a few clones at once: tens of MB


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    def __init__(self):
        self.folder = Path(tempfile.mkdtemp(prefix="coordsupervise-pg-", dir=_scratch_folder()))
        self.data = self.folder / "data"
        self.port = _free_port()
        self._as_root = os.geteuid() == 0
        if self._as_root:
            shutil.chown(self.folder, "postgres", "postgres")

    def _run(self, *args: str) -> None:
        command = list(args)
        if self._as_root:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, text=True)

    def start(self) -> Cluster:
        options = (f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off "
                   "-c synchronous_commit=off -c full_page_writes=off -c max_connections=300")
        try:
            self._run(_bin("initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                      "--locale=C.UTF-8")
            self._run(_bin("pg_ctl"), "-D", str(self.data), "-o", options, "-l", str(self.folder / "log"), "-w",
                      "start")
        except BaseException:
            log = self.folder / "log"
            if log.exists():  # the server's own account of why it did not start, before the folder goes
                print(log.read_text(errors="replace")[-4000:], file=sys.stderr)
            shutil.rmtree(self.folder, ignore_errors=True)  # in memory (/dev/shm), a leftover would hold RAM
            raise
        return self

    def url(self, dbname: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{dbname}"

    def stop(self) -> None:
        try:
            self._run(_bin("pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)
