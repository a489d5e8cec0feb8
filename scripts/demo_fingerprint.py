"""Fingerprint of the small demo (cohorts=3, trainees_per_cohort=8, seed=7, a fixed day): per table, the row count
and an order-independent checksum of whole rows, ids included. Two builds of the same code give the same fingerprint
when run with the same PYTHONHASHSEED (the discussion groups' planner iterates a set of region names), so a change to
how the demo is written can be checked to leave what it contains untouched:

    git stash; PYTHONHASHSEED=0 python scripts/demo_fingerprint.py /tmp/before.json; git stash pop
    PYTHONHASHSEED=0 python scripts/demo_fingerprint.py /tmp/after.json --compare /tmp/before.json

Left out: columns whose value is the moment of the build (a `now()` default, flag.raised_at, audit_log.occurred_at,
discussion_group.created_at, schema_version.applied_at, the demo_built setting) and the password hash (salted)."""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from coordsupervise.demo.build import build_demo  # noqa: E402
from coordsupervise.store.db import Database  # noqa: E402
from coordsupervise.store.engine import open_database  # noqa: E402

MOMENT_OF_BUILD = {("app_user", "password_hash"), ("flag", "raised_at"), ("audit_log", "occurred_at"),
                   ("app_setting", "value"), ("discussion_group", "created_at"), ("schema_version", "applied_at")}
DAY = date(2026, 11, 28)


def fingerprint(db: Database) -> dict[str, list]:
    out = {}
    for (table,) in db.rows("SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' "
                            "AND table_type = 'BASE TABLE' ORDER BY 1"):
        columns = [name for name, default in db.rows(
            "SELECT column_name, coalesce(column_default, '') FROM information_schema.columns WHERE table_name = ? "
            "ORDER BY ordinal_position", [table])
            if (table, name) not in MOMENT_OF_BUILD and "now" not in default.lower()
            and "current_" not in default.lower()]
        digest = "sum(hash(" + ", ".join(f'"{c}"' for c in columns) + "))::VARCHAR" if columns else "'-'"
        out[table] = list(db.one(f'SELECT count(*), {digest} FROM "{table}"'))  # noqa: S608 (catalogue names)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", help="write the fingerprint here (JSON)")
    parser.add_argument("--compare", help="a fingerprint to compare with; exit 1 when a table differs")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        db = open_database(Path(folder) / "demo.duckdb")
        started = time.monotonic()
        build_demo(db, cohorts=3, trainees_per_cohort=8, seed=7, today=DAY)
        print(f"built in {time.monotonic() - started:.1f} s")
        found = fingerprint(db)
        db.close()
    Path(args.out).write_text(json.dumps(found, indent=1, sort_keys=True), encoding="utf-8")
    if not args.compare:
        return 0
    before = json.loads(Path(args.compare).read_text(encoding="utf-8"))
    differ = sorted(t for t in before.keys() | found.keys() if before.get(t) != found.get(t))
    for table in differ:
        print(f"{table}: before {before.get(table)}, now {found.get(table)}")
    print(f"{len(found)} tables, {sum(n for n, _ in found.values())} rows; "
          + ("identical" if not differ else f"{len(differ)} differ"))
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
