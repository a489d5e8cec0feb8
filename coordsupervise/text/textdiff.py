"""What changed between two versions of a text, line by line and, inside a rewritten line, character by character.

A supervisor reading a resubmission (or a reflection revised after it was read) wants to see the few words that
changed, not a patch (`@@ -6 +6,4 @@`). So the lines are compared first (difflib.SequenceMatcher over lines, with
one unchanged line of context around each change); a block of lines replaced by another is then paired line with
line (the most similar pair first, as difflib.Differ pairs them), and each pair is compared again over tokens: an
ASCII word is one token, every other character its own. Japanese has no spaces between words, so a character is
the unit there, while an English word changes as a whole instead of letter by letter.

The result is data (DiffLine), not markup: the screen decides how to show it and escapes the text itself."""
from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher

CONTEXT = 1         # unchanged lines shown around a change
PAIR_CUTOFF = 0.4   # two lines less alike than this read as one removed and one added, not as one rewritten
PAIR_LIMIT = 400    # a replaced block larger than this many line pairs is not searched for pairs (quadratic)
_TOKEN = re.compile(r"[A-Za-z0-9_]+|\s+|.", re.DOTALL)


@dataclass(frozen=True)
class DiffLine:
    """One line of a diff. kind: "same" (context), "removed" (only in the old text), "added" (only in the new one)
    or "gap" (unchanged lines left out). parts: the line as runs of (text, changed); in a rewritten line only the
    characters that differ are changed, in a wholly removed or added line all of it."""
    kind: str
    parts: tuple[tuple[str, bool], ...] = ()

    @property
    def text(self) -> str:
        return "".join(text for text, _ in self.parts)


def line_diff(old: str | None, new: str | None) -> list[DiffLine]:
    """The changes from `old` to `new` with a line of context around each; empty when no line changed."""
    before, after = (old or "").splitlines(), (new or "").splitlines()
    if before == after:
        return []
    matcher = SequenceMatcher(None, before, after, autojunk=False)
    out: list[DiffLine] = []
    groups = list(matcher.get_grouped_opcodes(CONTEXT))
    for number, group in enumerate(groups):
        if number or group[0][1] > 0:
            out.append(DiffLine("gap"))
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                out += [DiffLine("same", ((line, False),)) for line in before[i1:i2]]
            else:
                out += _replaced(before[i1:i2], after[j1:j2])
    if groups and groups[-1][-1][2] < len(before):
        out.append(DiffLine("gap"))
    return out


def _replaced(olds: list[str], news: list[str]) -> list[DiffLine]:
    """A block of old lines replaced by new ones: the most alike pair is shown as one rewritten line (old, then
    new, each with its changed characters), the lines before and after it paired the same way in turn."""
    if not olds or not news or len(olds) * len(news) > PAIR_LIMIT:
        return _whole("removed", olds) + _whole("added", news)
    best, where = PAIR_CUTOFF, None
    for i, old in enumerate(olds):
        for j, new in enumerate(news):
            matcher = SequenceMatcher(None, _tokens(old), _tokens(new), autojunk=False)
            if matcher.real_quick_ratio() > best and matcher.quick_ratio() > best and matcher.ratio() > best:
                best, where = matcher.ratio(), (i, j)
    if where is None:
        return _whole("removed", olds) + _whole("added", news)
    i, j = where
    return [*_replaced(olds[:i], news[:j]), *_rewritten(olds[i], news[j]),
            *_replaced(olds[i + 1:], news[j + 1:])]


def _whole(kind: str, lines: list[str]) -> list[DiffLine]:
    return [DiffLine(kind, ((line, True),) if line else ()) for line in lines]


def _rewritten(old: str, new: str) -> list[DiffLine]:
    """One line and its rewrite, each as runs of unchanged and changed text. A single unchanged token between two
    changes counts as changed: 「今日は相談を受けた」→「昨日も電話を受けた」 reads better as two runs than as five."""
    a, b = _tokens(old), _tokens(new)
    opcodes = SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
    removed: list[tuple[str, bool]] = []
    added: list[tuple[str, bool]] = []
    for index, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        inside = 0 < index < len(opcodes) - 1
        changed = tag != "equal" or (inside and i2 - i1 == 1 and not a[i1].isspace())
        _append(removed, "".join(a[i1:i2]), changed)
        _append(added, "".join(b[j1:j2]), changed)
    return [DiffLine("removed", tuple(removed)), DiffLine("added", tuple(added))]


def _append(runs: list[tuple[str, bool]], text: str, changed: bool) -> None:
    """Add a run, merged with the one before when both are changed or both unchanged."""
    if not text:
        return
    if runs and runs[-1][1] == changed:
        runs[-1] = (runs[-1][0] + text, changed)
    else:
        runs.append((text, changed))


def _tokens(line: str) -> list[str]:
    return _TOKEN.findall(line)
