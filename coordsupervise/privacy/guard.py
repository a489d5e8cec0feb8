"""Privacy guard: reflections describe real consultations, so clients may appear only as anonymous codes.

Before a submit the text is scanned for things that identify a real person: residence card and special permanent
resident certificate numbers, passport numbers, My Number, health insurance, employment insurance, pension and bank
account numbers, phone numbers, e-mail addresses (also written to dodge links), messaging and social IDs, dates of
birth, postal addresses (kanji, 番地, romaji) and personal names (a name with an honorific or a role, a name
announced as such, a romanised full name); identifiers.py and names.py hold the patterns. The scan runs on
NFKC-normalised text, so full-width digits and letters (common from Japanese IMEs) are caught like half-width ones.
A finding blocks the submit until the trainee edits it away or confirms that this span is not about a client
(recorded per version). An organisation's public contact (a partner's switchboard, a desk, an official account, a
postal code naming an area) is set aside: it never holds a submit back, and the redaction panel lists it apart."""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from ..errors import UserError
from . import identifiers, names

KINDS = [*identifiers.KINDS, "client_name"]


@dataclass(frozen=True)
class Finding:
    field: str
    kind: str
    text: str  # as found in the normalised text
    public: bool = False  # an organisation's public contact: listed, never holds anything back


def normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "")


def scan_text(text: str, field: str = "", public: bool = False) -> list[Finding]:
    """Every suspicious span in one text, most specific kind first, overlaps reported once. An organisation's
    public contact (identifiers.is_public) claims its span but is left out, unless `public` asks for it."""
    norm = normalise(text)
    taken = bytearray(len(norm))  # characters already inside an earlier (more specific) finding
    found: dict[Finding, None] = {}  # ordered, each finding once; linear in the number of findings
    spans = [*identifiers.find(norm), *(("client_name", start, end) for start, end in names.find(norm))]
    for kind, start, end in spans:
        if any(taken[start:end]):
            continue
        taken[start:end] = b"\x01" * (end - start)
        is_public = identifiers.is_public(norm, kind, start, end)
        if public or not is_public:
            found.setdefault(Finding(field, kind, norm[start:end].strip(), is_public))
    return list(found)


@lru_cache(maxsize=512)
def _scan_field(text: str, field: str) -> tuple[Finding, ...]:
    """scan_text, public contacts included, remembered: while a draft is typed only the field that changed is read
    again (a field at its 4,000-character limit, dense with identifiers, takes a few milliseconds; an unchanged one
    nothing)."""
    return tuple(scan_text(text, field, public=True))


def scan(fields: dict[str, str], public: bool = False) -> list[Finding]:
    """Findings over several fields, each distinct span once (a confirmation covers every place it appears).
    Organisations' public contacts only when `public` asks for them (they never hold anything back)."""
    out: list[Finding] = []
    seen: set[tuple[str, str]] = set()
    for name, value in fields.items():
        if isinstance(value, str):
            for finding in _scan_field(value, name):
                if (public or not finding.public) and (finding.kind, finding.text) not in seen:
                    seen.add((finding.kind, finding.text))
                    out.append(finding)
    return out


def audit_record(findings: list[Finding], fields: dict[str, str]) -> list[dict]:
    """What the audit log keeps of confirmed findings: the kind, the field, and where the span sits (offset and
    length in the field's NFKC text) — never the span itself, so the log holds no copy of a client's identifier
    for redaction or retention to chase."""
    out = []
    for finding in findings:
        text = normalise(fields.get(finding.field, ""))
        out.append({"kind": finding.kind, "field": finding.field, "start": text.find(finding.text),
                    "length": len(finding.text)})
    return out


def unconfirmed(findings: list[Finding], confirmed: set[tuple[str, str]]) -> list[Finding]:
    """Findings the trainee has not confirmed as 'not about a client' (confirmation = (kind, text)); an
    organisation's public contact never waits for one."""
    return [f for f in findings if not f.public and (f.kind, f.text) not in confirmed]


class PrivacyFindings(UserError):
    """A submit waits: these spans look like a client's identifiers (the text is kept as a draft)."""

    def __init__(self, findings: list[Finding]):
        super().__init__("reflection.privacy_blocked", count=len(findings))
        self.findings = findings
