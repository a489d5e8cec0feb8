"""Redaction: an identifier that got stored anyway (a client's name the trainee confirmed by mistake, a number the
guard did not know) is blanked out everywhere this reflection keeps a copy of it.

Who: the trainee on their own submitted reflection, or an assigned supervisor reading it. Managers see counts only.
Where the span becomes ［伏せ字］, in one transaction: the current text of every field, every frozen version, unsent
edits and reply drafts of this reflection, every message of its feedback thread, flags raised on it, the cases of the
know-how library drawn from it, and the normalised search copies of all of these. The guard's confirmations of the span
are dropped (so it is caught again if it comes back). The audit log is not touched: no audit row holds the free text of
a reflection or a message (a confirmed finding is recorded by kind, offset and length, see privacy.audit_record), so it
never holds a copy to blank. The audit row of the redaction itself names who, which fields of which reflection, when and
how many places — never the text."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass

from ..access import Actor, require_enrolment_read, require_role
from ..errors import AccessDenied, InvalidInput, NotFound
from ..practice.reflections import TEXT_LIMITS
from ..programme.auth import audit
from ..store.db import Database, Transaction
from ..text.readings import searchable
from ..text.textnorm import search_key
from .guard import normalise

MARKER = "［伏せ字］"
SPAN_MIN, SPAN_MAX = 2, 200
ACTION = "reflection.redacted"


@dataclass(frozen=True)
class Redacted:
    places: int                  # stored texts that changed
    confirmations_dropped: int


# what may sit between the characters of a number: spaces (full-width too) and every kind of dash
_SEPARATORS = "\\s\u3000\\-‐‑‒–—―ー−－"
_NUMBER_LIKE = re.compile(r"[0-9A-Za-z+()\s\-‐‑‒–—―ー−]+")
_NOT_KEY = re.compile(r"[^0-9a-z]")


def _width_class(char: str) -> str:
    """`char` (an ASCII letter or digit) in either width and, for a letter, either case."""
    forms = {char, char.upper(), char.lower()}
    return "[" + "".join(sorted(forms | {chr(ord(c) + 0xFEE0) for c in forms})) + "]"


def _respaced(span: str, texts: list[str]) -> set[str]:
    """A number the guard knows (a card, a phone, an account, an insurance or pension number) written elsewhere
    with other spaces or dashes, in any width: AB 1234 5678 CD and ＡＢ１２３４５６７８ＣＤ, 090-1234-5678 and
    09012345678. Only for number-like spans with six digits or more; names and words go by _variants alone."""
    target = normalise(span)
    key = _NOT_KEY.sub("", target.lower())
    if not _NUMBER_LIKE.fullmatch(target) or sum(c.isdigit() for c in key) < 6:
        return set()
    edge = "0-9０-９" if key[0].isdigit() else "0-9A-Za-z０-９Ａ-Ｚａ-ｚ"
    tail = "0-9０-９" if key[-1].isdigit() else "0-9A-Za-z０-９Ａ-Ｚａ-ｚ"
    pattern = re.compile(f"(?<![{edge}])" + f"[{_SEPARATORS}]*".join(map(_width_class, key)) + f"(?![{tail}])")
    return {match.group() for text in texts for match in pattern.finditer(text)}


def _variants(span: str, texts: list[str]) -> list[str]:
    """The span as marked, its NFKC form (what the guard shows), every way it is written in `texts` that
    normalises to the same (ＡＢ１２ for AB12, ｸﾞｴﾝ for グエン, ＝ for =) and, for a number, every spacing of it
    (_respaced), each also in its NFKC form (the guard's confirmations hold that), longest first."""
    target = normalise(span)
    respaced = _respaced(span, texts)
    forms = {span, target, *respaced, *map(normalise, respaced)}
    for text in texts:
        for start in range(len(text)):
            for end in range(start + 1, min(len(text), start + 2 * len(target) + 2) + 1):
                piece = normalise(text[start:end])
                if piece == target:
                    forms.add(text[start:end])
                if not target.startswith(piece[:-1]):  # the last character may still combine (ｸ + ﾞ = グ)
                    break
    return sorted(forms, key=len, reverse=True)


def blank(text: str | None, spans: list[str]) -> str | None:
    """Each span replaced by the marker; a span that begins or ends with a digit only where it is not part of a
    longer number (redacting 1234567 leaves 1234567890 whole, to be marked on its own)."""
    if not text:
        return text
    for span in spans:
        if span[:1].isdigit() or span[-1:].isdigit():
            pattern = ("(?<![0-9０-９])" if span[0].isdigit() else "") + re.escape(span) + \
                ("(?![0-9０-９])" if span[-1].isdigit() else "")
            text = re.sub(pattern, lambda _: MARKER, text)
        else:
            text = text.replace(span, MARKER)
    return text


def _blank_json(value, spans: list[str]):
    """Every string inside a JSON value (a frozen version, a draft), blanked."""
    if isinstance(value, str):
        return blank(value, spans)
    if isinstance(value, list):
        return [_blank_json(v, spans) for v in value]
    if isinstance(value, dict):
        return {k: _blank_json(v, spans) for k, v in value.items()}
    return value


def redactable_fields(db: Database, actor: Actor, reflection_id: int) -> dict[str, str]:
    """The current text of each non-empty field, for the person choosing what to redact."""
    _require_redactor(db, actor, reflection_id)
    row = db.one(f"SELECT {', '.join(TEXT_LIMITS)} FROM reflection WHERE id = ?", [reflection_id])
    return {name: value for name, value in zip(TEXT_LIMITS, row, strict=True) if value}


def _require_redactor(db: Database, actor: Actor, reflection_id: int) -> int:
    row = db.one("SELECT enrolment_id, status FROM reflection WHERE id = ?", [reflection_id])
    if row is None or row[1] != "submitted":
        raise NotFound()
    if not require_enrolment_read(db, actor, row[0]) & {"own", "supervised"}:
        raise AccessDenied()
    return row[0]


def redact(db: Database, actor: Actor, reflection_id: int, field: str | None, span: str) -> Redacted:
    """Blank `span` in every stored copy belonging to this reflection. `field` is where the person saw it; None
    means "wherever it appears" (the span must then appear in at least one field)."""
    _require_redactor(db, actor, reflection_id)
    if field is not None and field not in TEXT_LIMITS:
        raise InvalidInput("redaction.unknown_field")
    span = (span or "").strip()
    if not SPAN_MIN <= len(span) <= SPAN_MAX or MARKER in span:
        raise InvalidInput("redaction.span_length", min=SPAN_MIN, max=SPAN_MAX)

    def run(tx: Transaction) -> Redacted:
        row = tx.one(f"SELECT {', '.join(TEXT_LIMITS)} FROM reflection WHERE id = ?", [reflection_id])
        found = [name for name, value in zip(TEXT_LIMITS, row, strict=True)
                 if value and (normalise(span) in normalise(value) or _respaced(span, [value]))]
        if not found or (field is not None and field not in found):
            raise InvalidInput("redaction.span_not_found")
        messages = [body for (body,) in tx.rows("SELECT body_md FROM feedback WHERE reflection_id = ?",
                                                [reflection_id])]
        spans = _variants(span, [*(v for v in row if v), *messages])
        places = _reflection_row(tx, reflection_id, spans)
        places += _versions(tx, reflection_id, spans)
        places += _drafts(tx, reflection_id, spans)
        places += _feedback(tx, reflection_id, spans)
        places += _flags(tx, reflection_id, spans)
        places += _library_cases(tx, reflection_id, spans)
        dropped = _confirmations(tx, reflection_id, spans)
        audit(tx, actor.id, ACTION, "reflection", reflection_id, None,
              {"field": field or found[0], "fields": found, "places": places, "confirmations_dropped": dropped})
        return Redacted(places, dropped)

    return db.write(run)


def _reflection_row(tx: Transaction, reflection_id: int, spans: list[str]) -> int:
    row = tx.one(f"SELECT {', '.join(TEXT_LIMITS)} FROM reflection WHERE id = ?", [reflection_id])
    before = dict(zip(TEXT_LIMITS, row, strict=True))
    after = {name: blank(value, spans) for name, value in before.items()}
    if after == before:
        return 0
    assignments = ", ".join(f"{name} = ?" for name in TEXT_LIMITS)
    tx.execute(f"UPDATE reflection SET {assignments}, search_text = ? WHERE id = ?",
               [*after.values(), search_key(" ".join(after.values())), reflection_id])
    return 1


def _versions(tx: Transaction, reflection_id: int, spans: list[str]) -> int:
    changed = []
    for version, body in tx.rows("SELECT version, body_json FROM reflection_version WHERE reflection_id = ?",
                                 [reflection_id]):
        new = json.dumps(_blank_json(json.loads(body), spans), ensure_ascii=False)
        if new != body:
            changed.append((new, reflection_id, version))
    tx.executemany("UPDATE reflection_version SET body_json = ? WHERE reflection_id = ? AND version = ?", changed)
    return len(changed)


def _drafts(tx: Transaction, reflection_id: int, spans: list[str]) -> int:
    """The trainee's unsent edit (reflection:<id>) and every supervisor's unsent reply (reply:<id>)."""
    changed = []
    for owner, key, body in tx.rows("SELECT owner_id, draft_key, body_json FROM draft WHERE draft_key IN (?, ?)",
                                    [f"reflection:{reflection_id}", f"reply:{reflection_id}"]):
        new = json.dumps(_blank_json(json.loads(body), spans), ensure_ascii=False)
        if new != body:
            changed.append((new, owner, key))
    tx.executemany("UPDATE draft SET body_json = ? WHERE owner_id = ? AND draft_key = ?", changed)
    return len(changed)


def _feedback(tx: Transaction, reflection_id: int, spans: list[str]) -> int:
    changed = []
    for feedback_id, body in tx.rows("SELECT id, body_md FROM feedback WHERE reflection_id = ?", [reflection_id]):
        new = blank(body, spans)
        if new != body:
            changed.append((new, search_key(new), feedback_id))
    tx.executemany("UPDATE feedback SET body_md = ?, search_text = ? WHERE id = ?", changed)
    return len(changed)


def _flags(tx: Transaction, reflection_id: int, spans: list[str]) -> int:
    changed = []
    for flag_id, reason, note in tx.rows("SELECT id, reason, resolution_note FROM flag WHERE reflection_id = ?",
                                         [reflection_id]):
        new_reason, new_note = blank(reason, spans), blank(note, spans)
        if (new_reason, new_note) != (reason, note):
            changed.append((new_reason, new_note, flag_id))
    tx.executemany("UPDATE flag SET reason = ?, resolution_note = ? WHERE id = ?", changed)
    return len(changed)


_CASE_TEXTS = ("title", "situation", "actions", "partners_note", "outcome", "lessons")


def _library_cases(tx: Transaction, reflection_id: int, spans: list[str]) -> int:
    """Cases of the know-how library drawn from this reflection (library/cases.py) may carry its words: blanked there
    too, their search text with them (a published case stays published, now without the span)."""
    changed = 0
    for case_id, *texts in tx.rows(f"SELECT id, {', '.join(_CASE_TEXTS)} FROM library_case "  # noqa: S608
                                   "WHERE reflection_id = ?", [reflection_id]):
        after = [blank(text, spans) for text in texts]
        if after != texts:
            tx.execute(f"UPDATE library_case SET {', '.join(f'{n} = ?' for n in _CASE_TEXTS)}, "  # noqa: S608
                       "search_text = ?, row_version = row_version + 1 WHERE id = ?",
                       [*after, searchable(*after), case_id])
            changed += 1
    return changed


def _confirmations(tx: Transaction, reflection_id: int, spans: list[str]) -> int:
    """Drop the guard's 'not about a client' confirmations that covered (part of) the span."""
    rows = tx.rows("SELECT version, kind, span_text FROM privacy_confirmation WHERE reflection_id = ?",
                   [reflection_id])
    gone = [(reflection_id, version, kind, text) for version, kind, text in rows
            if any(s in text or text in s for s in spans)]
    tx.executemany("DELETE FROM privacy_confirmation WHERE reflection_id = ? AND version = ? AND kind = ? "
                   "AND span_text = ?", gone)
    return len(gone)


def counts_per_cohort(db: Database, actor: Actor) -> list[dict]:
    """How many redactions each cohort has had (managers and the programme office; no text, no names)."""
    require_role(actor, "manager", "admin", db=db)
    return db.dicts(
        "SELECT c.id AS cohort_id, c.code, c.name_ja, c.name_en, coalesce(x.redactions, 0) AS redactions, "
        "coalesce(x.reflections, 0) AS reflections, x.last_at FROM cohort c LEFT JOIN ("
        "  SELECT e.cohort_id, count(*) AS redactions, count(DISTINCT r.id) AS reflections, "
        "  max(a.occurred_at) AS last_at FROM audit_log a "
        "  JOIN reflection r ON a.entity_id = CAST(r.id AS VARCHAR) JOIN enrolment e ON e.id = r.enrolment_id "
        "  WHERE a.action = ? AND a.entity = 'reflection' GROUP BY e.cohort_id) x ON x.cohort_id = c.id "
        "ORDER BY c.code DESC", [ACTION])
