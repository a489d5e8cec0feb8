"""Privacy guard: reflections describe real consultations, so clients may appear only as anonymous codes.

Before a submit the text is scanned for things that identify a real person: residence card numbers, passport
numbers, My Number, phone numbers, e-mail addresses, dates of birth, postal addresses and personal names (a name
with an honorific or a role, a name announced as such, a romanised full name). The scan runs on NFKC-normalised text, so
full-width digits and letters (common from Japanese IMEs) are caught like half-width ones. A finding blocks the
submit until the trainee edits it away or confirms that this span is not about a client (recorded per version)."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from ..errors import UserError
from . import names

# each pattern runs on NFKC text; digits are ASCII there
_DASH_CHARS = r"\-‐‑‒–—―ー−"
_DASH = f"[{_DASH_CHARS}]"
PATTERNS: list[tuple[str, re.Pattern]] = [
    ("residence_card", re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{2}\s?\d{8}\s?[A-Za-z]{2}(?![A-Za-z0-9])")),
    ("passport", re.compile(
        # announced: 旅券 / パスポート / passport, optionally "番号" / "No." / "number", then any 6-10 letters+digits
        r"(?:旅券|パスポート|passport)\s*(?:番号|no\.?|number|#)?\s*[::は(（]?\s*(?=[A-Za-z0-9]*\d)[A-Za-z0-9]{6,10}"
        r"(?![A-Za-z0-9])"
        # or a bare number in a passport's shape: Japan TK1234567, China E12345678, Viet Nam C1234567,
        # Philippines P1234567A, Korea M12345678, Brazil FA123456
        r"|(?<![A-Za-z0-9\-])[A-Za-z]{1,2}\d{6,8}[A-Za-z]?(?![A-Za-z0-9\-])", re.I)),
    ("email", re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")),
    ("my_number", re.compile(rf"(?<!\d)\d{{4}}(?:\s|{_DASH})?\d{{4}}(?:\s|{_DASH})?\d{{4}}(?!\d)")),
    ("phone", re.compile(
        rf"(?<![\d{_DASH_CHARS}])(?:\+81(?:\s|{_DASH})?\d{{1,4}}|0\d{{1,4}})(?:\s|{_DASH}|\(|\))?\d{{1,4}}"
        rf"(?:\s|{_DASH}|\))?\d{{3,4}}(?![\d])")),
    ("birth_date", re.compile(
        r"(?:(?:19|20)\d{2}\s*[年/.-]\s*\d{1,2}\s*[月/.-]\s*\d{1,2}\s*日?|(?:昭和|平成|令和|S|H|R)\s*\d{1,2}\s*年"
        r"\s*\d{1,2}\s*月\s*\d{1,2}\s*日)\s*(?:生まれ|生|誕生)"
        r"|(?:生年月日|誕生日|DOB|date of birth)\s*[::は]?\s*(?:(?:19|20)\d{2}|(?:昭和|平成|令和)\s*\d{1,2})"
        r"\s*[年/.-]\s*\d{1,2}\s*[月/.-]\s*\d{1,2}\s*日?", re.I)),
    ("postal_address", re.compile(
        r"〒?\s?(?<!\d)\d{3}-\d{4}(?!\d)"
        r"|[^\s、。,]{1,10}[市区町村郡][^\s、。,]{0,12}?\d{1,4}\s*(?:丁目|-)\s*\d{1,4}(?:\s*(?:番地?|-)\s*\d{1,4}\s*号?)?")),
]
KINDS = [*(kind for kind, _ in PATTERNS), "client_name"]


@dataclass(frozen=True)
class Finding:
    field: str
    kind: str
    text: str  # as found in the normalised text


def normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "")


def scan_text(text: str, field: str = "") -> list[Finding]:
    """Every suspicious span in one text, most specific kind first, overlaps reported once."""
    norm = normalise(text)
    taken = bytearray(len(norm))  # characters already inside an earlier (more specific) finding
    found: dict[Finding, None] = {}  # ordered, each finding once; linear in the number of findings
    spans = [(kind, match.span()) for kind, pattern in PATTERNS for match in pattern.finditer(norm)]
    spans += [("client_name", span) for span in names.find(norm)]
    for kind, (start, end) in spans:
        if any(taken[start:end]):
            continue
        taken[start:end] = b"\x01" * (end - start)
        found.setdefault(Finding(field, kind, norm[start:end].strip()))
    return list(found)


@lru_cache(maxsize=512)
def _scan_field(text: str, field: str) -> tuple[Finding, ...]:
    """scan_text, remembered: while a draft is typed only the field that changed is read again (a field at its
    4,000-character limit, dense with identifiers, takes a few milliseconds; an unchanged one nothing)."""
    return tuple(scan_text(text, field))


def scan(fields: dict[str, str]) -> list[Finding]:
    """Findings over several fields, each distinct span once (a confirmation covers every place it appears)."""
    out: list[Finding] = []
    seen: set[tuple[str, str]] = set()
    for name, value in fields.items():
        if isinstance(value, str):
            for finding in _scan_field(value, name):
                if (finding.kind, finding.text) not in seen:
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
    """Findings the trainee has not confirmed as 'not about a client' (confirmation = (kind, text))."""
    return [f for f in findings if (f.kind, f.text) not in confirmed]


class PrivacyFindings(UserError):
    """A submit waits: these spans look like a client's identifiers (the text is kept as a draft)."""

    def __init__(self, findings: list[Finding]):
        super().__init__("reflection.privacy_blocked", count=len(findings))
        self.findings = findings
