"""The privacy guard measured on the labelled sentences of tests/data/: recall (an identifying sentence is held back
with the kind it was labelled with) and false alarms (a harmless sentence is held back at all), per set and per
kind, and the time to scan a 2,000-character reflection. Run: python3 scripts/measure_privacy_guard.py [--show]
(--show lists the misses and false alarms of the tuned set; the held-out sets only ever print their figures, so
that nothing is tuned on them). The same figures are asserted in tests/unit/privacy/test_privacy_guard_identifiers.py;
the time is a row of the benchmark (python -m coordsupervise bench --parts guard)."""
from __future__ import annotations

import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from coordsupervise.bench import guard as bench_guard  # noqa: E402
from coordsupervise.privacy import guard  # noqa: E402

DATA = ROOT / "tests" / "data"
SETS = {
    "labelled (tuned)": [DATA / "privacy_labelled.tsv"],
    "held-out, names (batches 1-2)": [DATA / "privacy_heldout.tsv"],
    "held-out, identifiers": [DATA / "privacy_heldout_identifiers.tsv"],
}


def rows(*files: Path) -> list[tuple[str, str]]:
    return [tuple(line.split("\t", 1)) for path in files for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")]


def figures(labelled: list[tuple[str, str]]) -> dict:
    """recall, false alarms, per-kind counts, the sentences that went wrong, and what the public-contact rule did:
    harmless sentences it spared, identifying ones it let through (a client's contact taken for an organisation's)."""
    positives: Counter = Counter()
    caught: Counter = Counter()
    wrong, alarms, spared, misread, negatives = [], 0, 0, 0, 0
    for kind, text in labelled:
        everything = guard.scan_text(text, public=True)
        kinds = [f.kind for f in everything if not f.public]
        if kind == "none":
            negatives += 1
            alarms += bool(kinds)
            spared += not kinds and any(f.public for f in everything)
            if kinds:
                wrong.append(("false alarm", text, kinds))
        else:
            positives[kind] += 1
            caught[kind] += kind in kinds
            misread += kind not in kinds and any(f.public and f.kind == kind for f in everything)
            if kind not in kinds:
                wrong.append((f"missed {kind}", text, kinds))
    return {"sentences": len(labelled), "positives": sum(positives.values()), "negatives": negatives,
            "recall": sum(caught.values()) / max(1, sum(positives.values())),
            "false_alarms": alarms / max(1, negatives),
            "false_alarms_without_rule": (alarms + spared) / max(1, negatives),
            "per_kind": {k: (caught[k], n) for k, n in positives.items()}, "spared": spared, "misread": misread,
            "wrong": wrong}


def main(show: bool) -> None:
    for name, files in SETS.items():
        found = figures(rows(*files))
        print(f"{name:32s} {found['sentences']:4d} sentences ({found['positives']} identifying, "
              f"{found['negatives']} harmless): recall {found['recall']:.1%}, false alarms {found['false_alarms']:.1%}")
        print(f"    organisations' public contacts set aside: {found['spared']} harmless sentences spared (false "
              f"alarms without the rule {found['false_alarms_without_rule']:.1%}), {found['misread']} identifying "
              f"sentences let through")
        print("    " + ", ".join(f"{k} {c}/{n}" for k, (c, n) in sorted(found["per_kind"].items())))
        if show and name.startswith("labelled"):
            for what, text, kinds in found["wrong"]:
                print(f"    {what}: {text}  -> {kinds}")
    reflection = bench_guard.reflection(2000)
    timings = []
    for _ in range(50):  # the best of 50: the machine is shared
        started = time.perf_counter()
        guard.scan_text(reflection)
        timings.append(time.perf_counter() - started)
    print(f"a {len(reflection):,}-character reflection scanned in {min(timings) * 1000:.1f} ms (best of 50), "
          f"median {sorted(timings)[len(timings) // 2] * 1000:.1f} ms")


if __name__ == "__main__":
    main("--show" in sys.argv)
