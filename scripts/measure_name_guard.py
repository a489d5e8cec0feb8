"""Pattern-only name finder (coordsupervise/privacy/names.py) against SudachiPy on the labelled set: recall, false
alarms and time per reflection. Run: python3 scripts/measure_name_guard.py (needs `pip install sudachipy==0.7.0
sudachidict-core==20261015`, not a dependency of the app; the figures decided that it should not be)."""
from __future__ import annotations

import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from coordsupervise.privacy import guard as privacy
from coordsupervise.privacy import names  # noqa: E402

LABELLED = Path(__file__).resolve().parents[1] / "tests" / "data" / "privacy_labelled.tsv"
HONORIFICS = {"さん", "さま", "様", "氏", "くん", "君", "ちゃん", "殿"}


def sudachi_finder():
    from sudachipy import Dictionary, SplitMode

    tokenizer = Dictionary(dict="core").create(SplitMode.C)
    pattern_find = names.find

    def find(text: str) -> list[tuple[int, int]]:
        """Person-name tokens (名詞,固有名詞,人名) and any noun directly before an honorific suffix that is not a
        common noun; roles filtered by the same word lists as the patterns."""
        spans = []
        morphemes = list(tokenizer.tokenize(text))
        for i, m in enumerate(morphemes):
            pos = m.part_of_speech()
            is_person = pos[1] == "固有名詞" and pos[2] == "人名"
            before_honorific = (i + 1 < len(morphemes) and morphemes[i + 1].surface() in HONORIFICS
                                and pos[0] == "名詞" and pos[1] != "普通名詞" and pos[1] != "数詞")
            word = m.surface()
            if (is_person or before_honorific) and word not in names.ROLE_WORDS and word not in names.KATAKANA_ROLES \
                    and not (len(word) == 1 and word in names.ROLE_SINGLE):
                spans.append((m.begin(), m.end()))
        # romanised names and announced names: the analyser has no better idea than the patterns
        spans += [s for s in pattern_find(text) if re.search(r"[A-Za-z]", text[s[0]:s[1]])]
        return spans

    return find


def measure(label: str, find) -> None:
    rows = [line.rstrip("\n").split("\t", 1) for line in LABELLED.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")]
    original = names.find
    names.find = find
    try:
        started = time.perf_counter()
        results = [(kind, [f.kind for f in privacy.scan_text(text)]) for kind, text in rows]
        per_sentence = (time.perf_counter() - started) / len(rows)
        reflection = "。".join(text for _, text in rows[:40])  # about 1,000 characters: a long reflection
        timings = []
        for _ in range(20):  # the best of 20: the machine is shared
            started = time.perf_counter()
            privacy.scan_text(reflection)
            timings.append(time.perf_counter() - started)
        per_reflection = min(timings)
    finally:
        names.find = original
    positives = [(k, found) for k, found in results if k != "none"]
    negatives = [found for k, found in results if k == "none"]
    recall = sum(k in found for k, found in positives) / len(positives)
    false_alarms = sum(bool(found) for found in negatives) / len(negatives)
    for (kind, found), (_, text) in zip(results, rows, strict=True):
        if (kind == "none") == bool(found) or (kind != "none" and kind not in found):
            print("   ", "missed" if kind != "none" else "false alarm", text, found)
    print(f"{label:10s} recall {recall:.1%}  false alarms {false_alarms:.1%}  "
          f"{per_sentence * 1000:.2f} ms/sentence  {per_reflection * 1000:.1f} ms per 1,000-character reflection")


if __name__ == "__main__":
    measure("patterns", names.find)
    measure("sudachi", sudachi_finder())
