"""The authorization matrix: every public service function that takes an `actor` (found by introspection) called
as every role on its own and on other people's items. Allowed calls pass the access gate; denied calls raise
AccessDenied (or NotFound where hiding existence is the design) and change nothing in the database, the audit log
and the login-failure log included. A new service function without a row here fails
`test_every_service_function_has_a_row`.

Items ("whose is it?"), seen from the world built once per module from the demo:
- mine: demo-trainee's enrolment (supervised by demo-supervisor),
- peer: another trainee of the same cohort, also supervised by demo-supervisor,
- other_sup: a trainee of the same cohort supervised by another supervisor only,
- other_cohort: a trainee of another cohort where demo-supervisor supervises nobody.
Cohort-level functions use the cohort of mine / other_cohort; functions without an item use "-".

Roles: trainee (demo-trainee), supervisor (demo-supervisor), manager (demo-manager, also a supervisor but of none of
these trainees), admin (demo-admin), graduate (demo-graduate, certified, with the trainee role of the finished cohort
taken away: a graduate and nothing else), deactivated (a copy of demo-supervisor with the same caseload, active =
FALSE).
The session layer hands no Actor to a deactivated account (`test_a_deactivated_account_gets_no_session`), and the
services refuse one themselves (access.require_active, run by require_role and the enrolment checks): the
deactivated column is denied everything. And every allowed (role, item) is tried once more with that person's own
account switched off just before the call: refused, nothing changed. A graduate's access to the library and the
directory comes from a certificate that is not revoked: each such allowed call is tried once more with the
certificate revoked (the Actor still saying "graduate", as an open tab's would): refused, nothing changed.

Library items: a published case (demo-manager's), a draft of demo-supervisor's, demo-graduate's proposal, the
proposal drawn from demo-trainee's reflection waiting for demo-trainee's answer; a published partner
(demo-manager's) and demo-graduate's proposed one.

Every case runs on the world built once per module: denied calls and allowed reads on one shared copy, each allowed
write on its own copy of the world's file (in memory-backed /dev/shm when there is one: a file copy, not a rebuild).
"""
from __future__ import annotations

import importlib
import inspect
import os
import pkgutil
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

import coordsupervise
from coordsupervise.access import Actor
from coordsupervise.certification import certification, workshop, workshop_import
from coordsupervise.clock import now_utc, real_now_utc
from coordsupervise.config import MailSettings
from coordsupervise.dashboards import cohort_scope, dashboard, risk
from coordsupervise.errors import AccessDenied, InvalidInput, NotFound, StaleWrite
from coordsupervise.library import audience, case_search, cases, consent, domains, partner_import, partners
from coordsupervise.office import backup, exports, imports
from coordsupervise.practice import assignments, inbox, progress, reflections, supervision
from coordsupervise.privacy import readlog, redaction, retention
from coordsupervise.programme import auth, caseload, cohorts, curriculum, enrolments, people
from coordsupervise.reminders import due, outbox, subscriptions
from coordsupervise.scoring import moderation, rubrics, scoring
from coordsupervise.store.db import Database
from tests.conftest import DEMO_TODAY, actor_of

# modules, or packages (every module below them), that are not services
NOT_SERVICES = {"ui", "i18n", "migrations", "__main__", "bench", "bench_browser", "bench_naive", "bench_pages",
                "bench_writes", "demo"}
ROLES = ("trainee", "supervisor", "manager", "admin", "graduate", "deactivated")
ITEMS = ("mine", "peer", "other_sup", "other_cohort")
COHORT_ITEMS = ("mine", "other_cohort")
NO_ITEM = ("-",)
USERNAMES = {"trainee": "demo-trainee", "supervisor": "demo-supervisor", "manager": "demo-manager",
             "admin": "demo-admin", "graduate": "demo-graduate", "deactivated": "former-supervisor"}


def service_functions() -> dict[str, Callable]:
    """Every public function defined in a service module whose signature has a parameter named `actor`, in every
    package of coordsupervise, keyed `module.function` by the module's own (last) name."""
    found = {}
    for info in pkgutil.walk_packages(coordsupervise.__path__, prefix="coordsupervise."):
        names = info.name.split(".")[1:]
        if NOT_SERVICES & set(names):
            continue
        module = importlib.import_module(info.name)
        for name, fn in inspect.getmembers(module, inspect.isfunction):
            if not name.startswith("_") and fn.__module__ == module.__name__ \
                    and "actor" in inspect.signature(fn).parameters:
                key = f"{names[-1]}.{name}"
                assert key not in found, f"{key}: two service modules share the name {names[-1]}"
                found[key] = fn
    return found


# -- the world ------------------------------------------------------------------------------------------------------
@dataclass
class World:
    """Ids of the items each row acts on, keyed by item name, and the actors keyed by role."""

    path: object
    actors: dict[str, Actor]
    user: dict[str, int]
    enrolment: dict[str, int]
    enr: dict[str, enrolments.Enrolment]
    cohort: dict[str, int]
    reflection: dict[str, int]
    submission: dict[str, int]
    flag: dict[str, int]
    attachment: dict[str, int]
    practice_day: dict[str, date]
    comment: dict[str, int]
    moderation: int
    rubric: int
    assignment: dict[str, int]
    programme: int
    group: dict[str, int]
    draft: dict[str, tuple[int, int, int]]     # item -> (assignment, draft submission, attachment on that draft)
    sheet: dict[str, int]                      # item -> an approval sheet waiting for the supervisor
    username: dict[str, str]                   # item -> the trainee's login id (for import files)
    case: dict[str, int] = field(default_factory=dict)      # library items (see the module's docstring)
    partner: dict[str, int] = field(default_factory=dict)

    def of(self, mapping: dict, item: str):
        return mapping["mine" if item == "-" else item]


def _fix_world(db: Database) -> None:
    """Make the four kinds of item exist: a trainee of demo-supervisor's cohort goes to supervisor-01 only, and
    demo-supervisor and demo-manager leave the other cohort; add a deactivated copy of demo-supervisor."""
    def run(tx):
        ids = dict(tx.rows("SELECT username, id FROM app_user"))
        mine_cohort = tx.value("SELECT e.cohort_id FROM enrolment e WHERE e.trainee_id = ?", [ids["demo-trainee"]])
        other_cohort = tx.value("SELECT e.cohort_id FROM enrolment e WHERE e.trainee_id = ?", [ids["demo-graduate"]])
        other_sup = tx.value("SELECT max(e.id) FROM enrolment e WHERE e.cohort_id = ?", [mine_cohort])
        tx.execute("DELETE FROM supervision WHERE enrolment_id = ?", [other_sup])
        tx.execute("INSERT INTO supervision (enrolment_id, supervisor_id, is_lead) VALUES (?, ?, TRUE)",
                   [other_sup, ids["supervisor-01"]])
        tx.execute("UPDATE supervision SET supervisor_id = ? WHERE supervisor_id IN (?, ?) AND enrolment_id IN "
                   "(SELECT id FROM enrolment WHERE cohort_id = ?)",
                   [ids["supervisor-02"], ids["demo-supervisor"], ids["demo-manager"], other_cohort])
        password_hash = tx.value("SELECT password_hash FROM app_user WHERE id = ?", [ids["demo-supervisor"]])
        former = auth.insert_user(tx, "former-supervisor", "元 指導者", password_hash, ("supervisor",))
        tx.execute("INSERT INTO supervision (enrolment_id, supervisor_id, is_lead) SELECT enrolment_id, ?, FALSE "
                   "FROM supervision WHERE supervisor_id = ?", [former, ids["demo-supervisor"]])
        tx.execute("UPDATE app_user SET active = FALSE WHERE id = ?", [former])
        # the graduate column is a graduate only: the finished cohort's trainee role goes
        tx.execute("DELETE FROM user_role WHERE user_id = ? AND role = 'trainee'", [ids["demo-graduate"]])
        for owner in ("demo-supervisor", "supervisor-01"):
            tx.execute("INSERT INTO comment_bank (owner_id, title, body_md, updated_at) VALUES (?, ?, ?, ?)",
                       [ids[owner], "定型文", "よく書けています。", now_utc()])
    db.write(run)


def _build_world(db: Database, path) -> World:
    actors = {role: actor_of(db, name) for role, name in USERNAMES.items()}
    manager = actors["manager"]
    ids = dict(db.rows("SELECT username, id FROM app_user"))
    mine = db.value("SELECT id FROM enrolment WHERE trainee_id = ?", [ids["demo-trainee"]])
    mine_cohort = db.value("SELECT cohort_id FROM enrolment WHERE id = ?", [mine])
    other_sup = db.value("SELECT max(id) FROM enrolment WHERE cohort_id = ?", [mine_cohort])
    peer = db.value("SELECT min(e.id) FROM enrolment e JOIN supervision s ON s.enrolment_id = e.id "
                    "WHERE e.cohort_id = ? AND s.supervisor_id = ? AND e.id <> ?",
                    [mine_cohort, ids["demo-supervisor"], mine])
    other_cohort = db.value("SELECT cohort_id FROM enrolment WHERE trainee_id = ?", [ids["demo-graduate"]])
    other = db.value("SELECT min(e.id) FROM enrolment e WHERE e.cohort_id = ? AND EXISTS "
                     "(SELECT 1 FROM reflection r WHERE r.enrolment_id = e.id AND r.status = 'submitted') AND EXISTS "
                     "(SELECT 1 FROM submission s WHERE s.enrolment_id = e.id)", [other_cohort])
    enrolment = {"mine": mine, "peer": peer, "other_sup": other_sup, "other_cohort": other}
    cohort = {"mine": mine_cohort, "peer": mine_cohort, "other_sup": mine_cohort, "other_cohort": other_cohort}
    reflection = {k: db.value("SELECT max(id) FROM reflection WHERE enrolment_id = ? AND status = 'submitted'", [e])
                  for k, e in enrolment.items()}
    practice_day = {k: db.value("SELECT practice_date FROM reflection WHERE id = ?", [r])
                    for k, r in reflection.items()}
    # first marking only: the named second marker of a submission is a second, legitimate reader of it
    submission = {k: db.value("SELECT max(s.id) FROM submission s JOIN assignment a ON a.id = s.assignment_id "
                              "WHERE s.enrolment_id = ? AND s.status IN ('submitted', 'scored') AND a.kind = 'scored' "
                              "AND NOT EXISTS (SELECT 1 FROM score sc JOIN moderation m ON m.score_id = sc.id "
                              "WHERE sc.submission_id = s.id)", [e])
                  for k, e in enrolment.items()}
    assignment = {k: db.value("SELECT assignment_id FROM submission WHERE id = ?", [s])
                  for k, s in submission.items()}

    def extras(tx):
        flags, files = {}, {}
        for k, e in enrolment.items():
            flags[k] = tx.value("INSERT INTO flag (enrolment_id, reflection_id, raised_by, severity, reason, "
                                "raised_at) VALUES (?, ?, ?, 'medium', '確認', ?) RETURNING id",
                                [e, reflection[k], ids["supervisor-01"], now_utc()])
            files[k] = tx.value("INSERT INTO attachment (submission_id, filename, media_type, size_bytes, sha256, "
                                "content) VALUES (?, 'memo.txt', 'text/plain', 2, 'x', 'ok'::BLOB) RETURNING id",
                                [submission[k]])
        # the trainee's own work in progress: a draft with a file on an assignment nobody has started yet
        fresh = {}
        for c in set(cohort.values()):
            fresh[c] = tx.value("INSERT INTO assignment (cohort_id, seq, code, title_ja, title_en, kind, rubric_id, "
                                "due_on) SELECT cohort_id, max(seq) + 1, 'A-R', '相談記録の振り返り', 'Case review', "
                                "'scored', max(rubric_id), max(due_on) FROM assignment WHERE cohort_id = ? "
                                "GROUP BY cohort_id RETURNING id", [c])
        drafts, sheets = {}, {}
        for k, e in enrolment.items():
            a = fresh[cohort[k]]
            sub = tx.value("INSERT INTO submission (assignment_id, enrolment_id, version, body_md, status, "
                           "updated_at) VALUES (?, ?, 1, '面談の記録を振り返りました。', 'draft', ?) RETURNING id",
                           [a, e, now_utc()])
            pdf = tx.value("INSERT INTO attachment (submission_id, filename, media_type, size_bytes, sha256, "
                           "content) VALUES (?, 'memo.pdf', 'application/pdf', 9, 'x', '%PDF-1.4\n'::BLOB) "
                           "RETURNING id", [sub])
            drafts[k] = (a, sub, pdf)
            sheet_of = tx.value("SELECT min(id) FROM assignment WHERE cohort_id = ? AND kind = 'approval'",
                                [cohort[k]])
            sheets[k] = tx.value("INSERT INTO submission (assignment_id, enrolment_id, version, body_md, status, "
                                 "submitted_at, updated_at) SELECT ?, ?, coalesce(max(version), 0) + 1, 'シート', "
                                 "'submitted', ?, ? FROM submission WHERE assignment_id = ? AND enrolment_id = ? "
                                 "RETURNING id", [sheet_of, e, now_utc(), now_utc(), sheet_of, e])
        return flags, files, drafts, sheets
    flag, attachment, draft, sheet = db.write(extras)
    cohorts.add_programme_day_off(db, actors["admin"], date(DEMO_TODAY.year + 1, 1, 2), "年始休み", "New Year")
    groups = {}
    for k in COHORT_ITEMS:
        workshop.make_groups(db, manager, cohort[k], 1, 7)
        groups[k] = workshop.groups(db, manager, cohort[k], 1)[0].id
    return World(
        path=path, actors=actors, user={**{r: a.id for r, a in actors.items()}, "other": ids["supervisor-01"]},
        enrolment=enrolment, enr={k: enrolments.load(db, manager, e) for k, e in enrolment.items()},
        cohort=cohort, reflection=reflection, submission=submission, flag=flag, attachment=attachment,
        practice_day=practice_day,
        comment={"mine": db.value("SELECT id FROM comment_bank WHERE owner_id = ?", [ids["demo-supervisor"]]),
                 "other": db.value("SELECT id FROM comment_bank WHERE owner_id = ?", [ids["supervisor-01"]])},
        moderation=db.value("SELECT min(id) FROM moderation WHERE status = 'disagreed'"),
        rubric=db.value("SELECT min(id) FROM rubric"), assignment=assignment,
        programme=db.value("SELECT min(id) FROM programme"), group=groups, draft=draft, sheet=sheet,
        username={k: db.value("SELECT u.username FROM enrolment e JOIN app_user u ON u.id = e.trainee_id "
                              "WHERE e.id = ?", [e]) for k, e in enrolment.items()},
        case={"published": db.value("SELECT min(id) FROM library_case WHERE status = 'published' AND author_id = ?",
                                    [actors["manager"].id]),
              "draft": cases.new_case(db, actors["supervisor"], cases.CaseInput(
                  title="窓口での聞き取りの工夫", situation="在留期限の確認から始めた。", actions="順序を決めた。",
                  outcome="解決した。", lessons="最初に確かめる。", domains=("residence",))),
              "proposed": db.value("SELECT c.id FROM library_case c JOIN app_user u ON u.id = c.author_id "
                                   "WHERE c.status = 'proposed' AND u.username = 'demo-graduate'"),
              "consent": db.value("SELECT case_id FROM library_consent WHERE status = 'pending' AND trainee_id = ?",
                                  [actors["trainee"].id])},
        partner={"published": _published_partner(db, actors["manager"]),
                 "proposed": db.value("SELECT p.id FROM partner p JOIN app_user u ON u.id = p.proposed_by "
                                      "WHERE p.status = 'proposed' AND u.username = 'demo-graduate'")})


@pytest.fixture(scope="module")
def world(demo_template, tmp_path_factory) -> World:
    path = tmp_path_factory.mktemp("authz") / "world.duckdb"
    shutil.copy(demo_template, path)
    db = Database(path)
    try:
        _fix_world(db)
        built = _build_world(db, path)
    finally:
        db.close()
    return built


def fingerprint(db: Database) -> dict[str, tuple[int, int]]:
    """Row count and an order-independent hash of the rows of every table (audit_log and login_failure included)."""
    tables = [t for (t,) in db.rows("SELECT table_name FROM information_schema.tables "
                                    "WHERE table_schema = 'main' AND table_type = 'BASE TABLE' ORDER BY 1")]
    sql = " UNION ALL ".join(f"SELECT '{t}', count(*), coalesce(sum(hash(x::VARCHAR)), 0) FROM \"{t}\" x"
                             for t in tables)
    return {t: (n, int(h)) for t, n, h in db.rows(sql)}  # noqa: S608 - table names come from the catalogue


# -- the rules ------------------------------------------------------------------------------------------------------
ENROLMENT_READ = "trainee:mine supervisor:mine,peer manager:*"   # access.require_enrolment_read
STAFF_READ = "supervisor:mine,peer manager:*"                    # staff views of an enrolment
OWN = "trainee:mine"                                               # the trainee's own work
SUPERVISOR_OF = "supervisor:mine,peer"                             # the trainee's own supervisor writes
SUPERVISOR_ROLE = "supervisor:* manager:*"                         # demo-manager is also a supervisor
COHORT_READ = "supervisor:mine manager:*"                          # cohort_scope.require_cohort
MANAGER = "manager:*"
ADMIN = "admin:*"
MANAGER_ADMIN = "manager:* admin:*"
ANYONE = "trainee:* supervisor:* manager:* admin:* graduate:*"   # any logged-in person, acting on themselves
READERS = "trainee:* supervisor:* manager:* graduate:*"            # the library and the directory (library/audience.py)
CONTRIBUTORS = "supervisor:* manager:* graduate:*"                 # who writes cases and proposes partners


@dataclass(frozen=True)
class Row:
    """How to call one function on one item as one actor, and who may."""

    call: Callable[[World, Database, Actor, str], object]
    allowed: str
    items: tuple[str, ...] = ITEMS
    writes: bool = False
    personal: bool = False      # the item belongs to demo-supervisor as a person: the deactivated copy is not them

    def allows(self, role: str, item: str) -> bool:
        if role == "deactivated":
            return False
        for part in self.allowed.split():
            who, _, which = part.partition(":")
            if who == role and (which == "*" or item in which.split(",")):
                return True
        return False


def R(call, allowed, items=ITEMS, writes=False, **flags) -> Row:  # noqa: N802 - reads like a table row
    return Row(call, allowed, items, writes, **flags)


def W(call, allowed, items=ITEMS, **flags) -> Row:  # noqa: N802
    return Row(call, allowed, items, True, **flags)


NOW = datetime(DEMO_TODAY.year, DEMO_TODAY.month, DEMO_TODAY.day, 3, 0)
NO_SMTP = MailSettings(None, "office@example.jp", "https://cs.example.jp")


class _AcceptingServer:
    """An SMTP connection that accepts every message (the matrix checks who may send, not the sending)."""

    def __init__(self, url):
        self.url = url

    def send(self, message):
        return None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return None
XLSX_EMPTY = b"not a spreadsheet"
MARK = ({}, {}, "")


def _levels(db, submission_id):
    crits = [c for (c,) in db.rows("SELECT c.id FROM submission s JOIN assignment a ON a.id = s.assignment_id "
                                   "JOIN rubric_criterion c ON c.rubric_id = a.rubric_id WHERE s.id = ?",
                                   [submission_id])]
    return {c: 3 for c in crits}, {c: "" for c in crits}, "よくできています"


def _score_version(db, submission_id):
    return db.value("SELECT coalesce(max(row_version), 0) FROM score WHERE submission_id = ?", [submission_id]) or 0


def _refl_version(db, reflection_id):
    return db.value("SELECT version FROM reflection WHERE id = ?", [reflection_id])


def _thread_len(db, reflection_id):
    return db.value("SELECT count(*) FROM feedback WHERE reflection_id = ?", [reflection_id])


def _mark(fn):
    """A scoring write on the item's submission with its current levels and version."""
    def call(w, db, a, i):
        s = w.of(w.submission, i)
        return fn(db, a, s, *_levels(db, s), _score_version(db, s))
    return call


def _enrolment_and_cohort(w, i):
    return w.of(w.enrolment, i), w.of(w.cohort, i)


MATRIX: dict[str, Row] = {
    # access helpers: the primitives the rows below rely on
    "access.enrolment_relation": R(lambda w, db, a, i: _require_nonempty(
        coordsupervise.access.enrolment_relation(db, a, w.of(w.enrolment, i))), ENROLMENT_READ),
    "access.require_enrolment_read": R(lambda w, db, a, i: coordsupervise.access.require_enrolment_read(
        db, a, w.of(w.enrolment, i)), ENROLMENT_READ),
    "access.require_active": R(lambda w, db, a, i: coordsupervise.access.require_active(db, a), ANYONE, NO_ITEM),
    "access.require_role": R(lambda w, db, a, i: coordsupervise.access.require_role(a, "admin", db=db), ADMIN, NO_ITEM),
    "access.visible_enrolments_sql": R(lambda w, db, a, i: _visible(db, a, w.of(w.enrolment, i)), ENROLMENT_READ),
    # assignments (trainee's own work; staff read)
    "assignments.add_attachment": W(lambda w, db, a, i: assignments.add_attachment(
        db, a, w.of(w.enr, i), w.of(w.draft, i)[0], "../実習メモ.pdf", REAL_PDF), OWN),
    "assignments.attachment_content": R(lambda w, db, a, i: assignments.attachment_content(
        db, a, w.of(w.attachment, i)), ENROLMENT_READ),
    "assignments.for_enrolment": R(lambda w, db, a, i: assignments.for_enrolment(
        db, a, w.of(w.enr, i), DEMO_TODAY), ENROLMENT_READ),
    "assignments.released_score": R(lambda w, db, a, i: assignments.released_score(
        db, a, w.of(w.enr, i), w.of(w.assignment, i)), ENROLMENT_READ),
    "assignments.remove_attachment": W(lambda w, db, a, i: _removed(db, w, a, i), OWN),
    "assignments.revision_request": R(lambda w, db, a, i: assignments.revision_request(
        db, a, w.of(w.enr, i), w.of(w.assignment, i)), ENROLMENT_READ),
    "assignments.save_draft": W(lambda w, db, a, i: assignments.save_draft(
        db, a, w.of(w.enr, i), w.of(w.draft, i)[0], "下書き"), OWN),
    "assignments.submissions": R(lambda w, db, a, i: assignments.submissions(
        db, a, w.of(w.enr, i), w.of(w.assignment, i)), ENROLMENT_READ),
    "assignments.submit": W(lambda w, db, a, i: _submitted(db, w, a, i), OWN),
    # auth: the person's own account, and user administration
    "auth.change_password": W(lambda w, db, a, i: auth.change_password(
        db, a, "coordsupervise-demo", "a-much-longer-new-passphrase-2026"), ANYONE, NO_ITEM),
    "auth.create_user": W(lambda w, db, a, i: auth.create_user(
        db, a, "new-person", "新 人", "a-much-longer-new-passphrase-2026", ("trainee",)), ADMIN, NO_ITEM),
    "auth.find_users": R(lambda w, db, a, i: auth.find_users(db, a), ADMIN, NO_ITEM),
    "auth.set_active": W(lambda w, db, a, i: auth.set_active(db, a, w.user["other"], False), ADMIN, NO_ITEM),
    "auth.set_language": W(lambda w, db, a, i: auth.set_language(db, a, "en"), ANYONE, NO_ITEM),
    "backup.backup_bytes": R(lambda w, db, a, i: backup.backup_bytes(db, a, "a long backup passphrase"), ADMIN,
                             NO_ITEM),
    # caseload (admin assigns supervisors; days off are the trainee's or their supervisor's)
    "caseload.assign": W(lambda w, db, a, i: caseload.assign(
        db, a, [w.of(w.enrolment, i)], [w.user["other"]], replace=True), ADMIN),
    "caseload.caseload": R(lambda w, db, a, i: caseload.caseload(db, a, w.of(w.cohort, i)), ADMIN, COHORT_ITEMS),
    "caseload.history": R(lambda w, db, a, i: caseload.history(db, a, w.of(w.enrolment, i)), ADMIN),
    "caseload.load_by_supervisor": R(lambda w, db, a, i: caseload.load_by_supervisor(
        db, a, w.of(w.cohort, i)), ADMIN, COHORT_ITEMS),
    "caseload.mark_day_off": W(lambda w, db, a, i: caseload.mark_day_off(
        db, a, w.of(w.enrolment, i), w.of(w.practice_day, i) + timedelta(days=1), None, "体調不良"),
        SUPERVISOR_OF),
    "caseload.marked_days_off": R(lambda w, db, a, i: caseload.marked_days_off(
        db, a, w.of(w.enrolment, i)), "supervisor:mine,peer manager:*"),
    "caseload.unassign": W(lambda w, db, a, i: caseload.unassign(
        db, a, [w.of(w.enrolment, i)], [w.user["other"]]), ADMIN, ("other_sup",)),
    # certification
    "certification.board": R(lambda w, db, a, i: _nonempty_list(certification.board(
        db, a, w.of(w.cohort, i), DEMO_TODAY)), COHORT_READ, COHORT_ITEMS),
    "certification.checklist": R(lambda w, db, a, i: certification.checklist(
        db, a, w.of(w.enr, i), DEMO_TODAY), ENROLMENT_READ),
    "certification.cohorts_with_trainees": R(lambda w, db, a, i: certification.cohorts_with_trainees(db, a),
                                              "supervisor:* manager:* admin:*", NO_ITEM),
    "certification.decide": W(lambda w, db, a, i: certification.decide(
        db, a, w.of(w.enrolment, i), "deferred", "実習記録の確認中", DEMO_TODAY,
        seen_decision_id=_last_decision(db, w.of(w.enrolment, i)), confirmed_early=True), MANAGER),
    # staff only: the trainee sees the result, not the deliberation
    "certification.decision_history": R(lambda w, db, a, i: certification.decision_history(
        db, a, w.of(w.enrolment, i)), "supervisor:mine,peer manager:*"),
    "certification.evidence": R(lambda w, db, a, i: certification.evidence(
        db, a, w.of(w.enrolment, i)), STAFF_READ),
    "certification.register": R(lambda w, db, a, i: certification.register(db, a, DEMO_TODAY), MANAGER, NO_ITEM),
    "certification.result": R(lambda w, db, a, i: certification.result(
        db, a, w.of(w.enrolment, i)), ENROLMENT_READ),
    # a cohort's certification thresholds are programme settings, no personal data: any supervisor or manager
    "certification.thresholds": R(lambda w, db, a, i: certification.thresholds(
        db, a, w.of(w.cohort, i)), SUPERVISOR_ROLE, COHORT_ITEMS),
    "certification.update_thresholds": W(lambda w, db, a, i: certification.update_thresholds(
        db, a, w.of(w.cohort, i), {"module_pass_pct": 70}, "見直し"), MANAGER, COHORT_ITEMS),
    # cohorts (programme set-up)
    "cohorts.add_programme_day_off": W(lambda w, db, a, i: cohorts.add_programme_day_off(
        db, a, date(DEMO_TODAY.year + 1, 1, 3), "年始休み", "New Year break"), ADMIN, NO_ITEM),
    "cohorts.assignment_list": R(lambda w, db, a, i: cohorts.assignment_list(
        db, a, w.of(w.cohort, i)), ADMIN, COHORT_ITEMS),
    "cohorts.due_date_moves": R(lambda w, db, a, i: cohorts.due_date_moves(
        db, a, w.of(w.cohort, i), _same_setup(db, w, i).calendar), ADMIN, COHORT_ITEMS),
    "cohorts.due_after_practical": R(lambda w, db, a, i: cohorts.due_after_practical(
        db, a, w.of(w.cohort, i), _same_setup(db, w, i).calendar), ADMIN, COHORT_ITEMS),
    "cohorts.create_cohort": W(lambda w, db, a, i: cohorts.create_cohort(db, a, _new_setup(db, w)), ADMIN, NO_ITEM),
    "cohorts.overview": R(lambda w, db, a, i: cohorts.overview(db, a, DEMO_TODAY), MANAGER_ADMIN, NO_ITEM),
    "cohorts.programme_days_off": R(lambda w, db, a, i: cohorts.programme_days_off(db, a), ADMIN, NO_ITEM),
    "cohorts.remove_programme_day_off": W(lambda w, db, a, i: cohorts.remove_programme_day_off(
        db, a, date(DEMO_TODAY.year + 1, 1, 2)), ADMIN, NO_ITEM),
    "cohorts.copy_summary": R(lambda w, db, a, i: cohorts.copy_summary(db, a, w.of(w.cohort, i)), ADMIN,
                              COHORT_ITEMS),
    "cohorts.setup_of": R(lambda w, db, a, i: cohorts.setup_of(db, a, w.of(w.cohort, i)), ADMIN, COHORT_ITEMS),
    "cohorts.update_cohort": W(lambda w, db, a, i: cohorts.update_cohort(
        db, a, w.of(w.cohort, i), _same_setup(db, w, i)), ADMIN, COHORT_ITEMS),
    "curriculum.init_programme": W(lambda w, db, a, i: _init_programme(db, a), ADMIN, NO_ITEM),
    # cohort_scope: what the dashboards and the at-risk list share (managers every cohort, supervisors their own)
    "cohort_scope.enrolment_scope": R(lambda w, db, a, i: _in_scope(db, a, w.of(w.enrolment, i)), STAFF_READ),
    "cohort_scope.require_cohort": R(lambda w, db, a, i: cohort_scope.require_cohort(db, a, w.of(w.cohort, i)),
                                     COHORT_READ, COHORT_ITEMS),
    # dashboard (managers see every cohort, supervisors the cohorts of their caseload)
    "dashboard.cohort_by_code": R(lambda w, db, a, i: dashboard.cohort_by_code(
        db, a, _cohort_code(db, w.of(w.cohort, i))), COHORT_READ, COHORT_ITEMS),
    "dashboard.cohort_choices": R(lambda w, db, a, i: _contains_cohort(
        dashboard.cohort_choices(db, a), w.of(w.cohort, i)), COHORT_READ, COHORT_ITEMS),
    "dashboard.cohort_list": R(lambda w, db, a, i: dashboard.cohort_list(db, a, DEMO_TODAY), SUPERVISOR_ROLE,
                               NO_ITEM),
    # scoped in SQL, not refused: a supervisor's numbers for another cohort count none of its trainees
    "dashboard.cohort_metrics": R(lambda w, db, a, i: dashboard.cohort_metrics(
        db, a, DEMO_TODAY, [w.of(w.cohort, i)]), SUPERVISOR_ROLE, COHORT_ITEMS),
    "dashboard.cohort_years": R(lambda w, db, a, i: dashboard.cohort_years(db, a), SUPERVISOR_ROLE, NO_ITEM),
    "dashboard.compare_practical": R(lambda w, db, a, i: dashboard.compare_practical(
        db, a, [w.of(w.cohort, i)], DEMO_TODAY), COHORT_READ, COHORT_ITEMS),
    "dashboard.competency_evidence": R(lambda w, db, a, i: _nonempty_frames(dashboard.competency_evidence(
        db, a, w.of(w.enrolment, i), _competency(db))), "supervisor:mine,peer manager:*"),
    "dashboard.competency_grid": R(lambda w, db, a, i: dashboard.competency_grid(
        db, a, w.of(w.cohort, i)), COHORT_READ, COHORT_ITEMS),
    "dashboard.competency_levels": R(lambda w, db, a, i: dashboard.competency_levels(
        db, a, w.of(w.cohort, i)), COHORT_READ, COHORT_ITEMS),
    "dashboard.funnel": R(lambda w, db, a, i: dashboard.funnel(db, a, w.of(w.cohort, i), DEMO_TODAY),
                          COHORT_READ, COHORT_ITEMS),
    "dashboard.online_results": R(lambda w, db, a, i: dashboard.online_results(db, a, w.of(w.cohort, i)),
                                  COHORT_READ, COHORT_ITEMS),
    "dashboard.reflection_grid": R(lambda w, db, a, i: dashboard.reflection_grid(
        db, a, w.of(w.cohort, i), DEMO_TODAY), COHORT_READ, COHORT_ITEMS),
    "dashboard.stage_calendars": R(lambda w, db, a, i: dashboard.stage_calendars(db, a, [w.of(w.cohort, i)]),
                                   COHORT_READ, COHORT_ITEMS),
    "dashboard.submission_rate_by_day": R(lambda w, db, a, i: dashboard.submission_rate_by_day(
        db, a, w.of(w.cohort, i), DEMO_TODAY), COHORT_READ, COHORT_ITEMS),
    "dashboard.turnaround": R(lambda w, db, a, i: dashboard.turnaround(db, a, w.of(w.cohort, i)),
                              COHORT_READ, COHORT_ITEMS),
    # enrolments
    "enrolments.current_for_trainee": R(lambda w, db, a, i: _require_nonempty(
        enrolments.current_for_trainee(db, a)), "trainee:*", NO_ITEM),
    "enrolments.directory": R(lambda w, db, a, i: _has_enrolment(
        enrolments.directory(db, a, limit=1000), w.of(w.enrolment, i)), ENROLMENT_READ),
    "enrolments.load": R(lambda w, db, a, i: enrolments.load(db, a, w.of(w.enrolment, i)), ENROLMENT_READ),
    "enrolments.relation": R(lambda w, db, a, i: enrolments.relation(db, a, w.of(w.enrolment, i)),
                             ENROLMENT_READ),
    "enrolments.visible_cohorts": R(lambda w, db, a, i: _contains_cohort(
        enrolments.visible_cohorts(db, a), w.of(w.cohort, i)), "trainee:mine supervisor:mine manager:*",
        COHORT_ITEMS),
    "exports.trainee_record": R(lambda w, db, a, i: exports.trainee_record(db, a, w.of(w.enrolment, i)),
                                ENROLMENT_READ),
    # imports (admin)
    "imports.cohort_by_code": R(lambda w, db, a, i: imports.cohort_by_code(
        db, a, _cohort_code(db, w.of(w.cohort, i))), ADMIN, COHORT_ITEMS),
    "imports.cohort_for_import": R(lambda w, db, a, i: imports.cohort_for_import(
        db, a, _cohort_code(db, w.of(w.cohort, i)), "roster", DEMO_TODAY), ADMIN, COHORT_ITEMS),
    "imports.cohorts": R(lambda w, db, a, i: imports.cohorts(db, a), ADMIN, NO_ITEM),
    "imports.suggested_cohort": R(lambda w, db, a, i: imports.suggested_cohort(db, a, "quiz", DEMO_TODAY), ADMIN,
                                  NO_ITEM),
    "imports.better_cohort": R(lambda w, db, a, i: imports.better_cohort(
        db, a, _csv(QUIZ_CSV, db, w, i), "quiz.csv", w.of(w.cohort, i)), ADMIN, COHORT_ITEMS),
    "imports.commit_quiz": W(lambda w, db, a, i: imports.commit_quiz(
        db, a, _quiz_csv(db, w, i), "quiz.csv", w.of(w.cohort, i)), ADMIN, COHORT_ITEMS),
    "imports.commit_roster": W(lambda w, db, a, i: imports.commit_roster(
        db, a, _roster_csv(i), "roster.csv", w.of(w.cohort, i)), ADMIN, COHORT_ITEMS),
    "imports.expected_quiz_window": R(lambda w, db, a, i: imports.expected_quiz_window(
        db, a, w.of(w.cohort, i)), ADMIN, COHORT_ITEMS),
    "imports.preview_quiz": R(lambda w, db, a, i: imports.preview_quiz(
        db, a, _csv(QUIZ_CSV, db, w, i), "quiz.csv", w.of(w.cohort, i)), ADMIN, COHORT_ITEMS),
    "imports.preview_roster": R(lambda w, db, a, i: imports.preview_roster(
        db, a, _roster_csv(i), "roster.csv", w.of(w.cohort, i)), ADMIN, COHORT_ITEMS),
    # inbox (a supervisor's own caseload; the actor is the scope)
    "inbox.caseload": R(lambda w, db, a, i: inbox.caseload(db, a), SUPERVISOR_ROLE, NO_ITEM),
    "inbox.counts": R(lambda w, db, a, i: inbox.counts(db, a), SUPERVISOR_ROLE, NO_ITEM),
    "inbox.next_unread": R(lambda w, db, a, i: inbox.next_unread(db, a, inbox.InboxFilter()), SUPERVISOR_ROLE,
                           NO_ITEM),
    "inbox.page": R(lambda w, db, a, i: _has_enrolment_rows(inbox.page(
        db, a, inbox.InboxFilter(enrolment_id=w.of(w.enrolment, i)))), "supervisor:mine,peer"),
    "inbox.workload": R(lambda w, db, a, i: inbox.workload(db, a), SUPERVISOR_ROLE, NO_ITEM),
    # moderation (managers)
    "moderation.agreement": R(lambda w, db, a, i: moderation.agreement(db, a), MANAGER, NO_ITEM),
    "moderation.figures_version": R(lambda w, db, a, i: moderation.figures_version(db, a), MANAGER, NO_ITEM),
    "moderation.keep_resolution_draft": W(lambda w, db, a, i: moderation.keep_resolution_draft(
        db, a, w.moderation, {}, "協議中"), MANAGER, NO_ITEM),
    "moderation.open_disagreements": R(lambda w, db, a, i: moderation.open_disagreements(db, a), MANAGER,
                                       NO_ITEM),
    "moderation.resolution_draft": R(lambda w, db, a, i: moderation.resolution_draft(db, a, w.moderation),
                                     MANAGER, NO_ITEM),
    "moderation.resolve": W(lambda w, db, a, i: _resolve(db, w, a), MANAGER, NO_ITEM),
    "moderation.side_by_side": R(lambda w, db, a, i: moderation.side_by_side(db, a, w.moderation), MANAGER,
                                 NO_ITEM),
    # people (admin)
    "people.person": R(lambda w, db, a, i: people.person(db, a, w.user["other"]), ADMIN, NO_ITEM),
    "people.require_password_change": W(lambda w, db, a, i: people.require_password_change(
        db, a, w.user["other"]), ADMIN, NO_ITEM),
    "people.reset_password": W(lambda w, db, a, i: people.reset_password(db, a, w.user["other"]), ADMIN, NO_ITEM),
    "people.staff": R(lambda w, db, a, i: people.staff(db, a), ADMIN, NO_ITEM),
    "people.update_person": W(lambda w, db, a, i: people.update_person(
        db, a, w.user["other"], display_name="別 名前", kana=None, email=None, roles=("supervisor",)),
        ADMIN, NO_ITEM),
    # programme_edit: the programme in force on /programme, for managers and admins (as rubrics); each write sends
    # what an admin's screen read just before
    "programme_edit.programme_in_force": R(lambda w, db, a, i: importlib.import_module(
        "coordsupervise.programme.programme_edit").programme_in_force(db, a, DEMO_TODAY), MANAGER_ADMIN, NO_ITEM),
    "programme_edit.update_assignment": W(lambda w, db, a, i: (
        pe := importlib.import_module("coordsupervise.programme.programme_edit"),
        a3 := next(x for x in pe.programme_in_force(db, w.actors["admin"], DEMO_TODAY).assignments
                   if x["code"] == "A3"),
        _expect(pe.update_assignment(db, a, "A3", a3["defaults"], pe.AssignmentDefaults(
            a3["title_ja"], a3["title_en"], a3["due_days"] + 1, "all", 10, 0)), "not changed")), MANAGER_ADMIN,
        NO_ITEM),
    "programme_edit.update_module": W(lambda w, db, a, i: (
        pe := importlib.import_module("coordsupervise.programme.programme_edit"),
        m := pe.programme_in_force(db, w.actors["admin"], DEMO_TODAY).modules[0],
        _expect(pe.update_module(db, a, m["id"], m["settings"], pe.ModuleSettings(
            m["title_ja"], "Why coordinators matter", 90), DEMO_TODAY, running_confirmed=True), "not changed")),
        MANAGER_ADMIN, NO_ITEM),
    "programme_edit.update_stages": W(lambda w, db, a, i: (
        pe := importlib.import_module("coordsupervise.programme.programme_edit"),
        v := pe.programme_in_force(db, w.actors["admin"], DEMO_TODAY),
        _expect(pe.update_stages(db, a, v.stages, (*v.stages[:2], type(v.stages[2])(
            "practical", 100, v.stages[2].days_after_previous, v.stages[2].weekday), *v.stages[3:])),
            "not changed")), MANAGER_ADMIN, NO_ITEM),
    "programme_edit.update_thresholds": W(lambda w, db, a, i: (
        pe := importlib.import_module("coordsupervise.programme.programme_edit"),
        v := pe.programme_in_force(db, w.actors["admin"], DEMO_TODAY),
        _expect(pe.update_thresholds(db, a, v.thresholds, {**v.thresholds, "overall_test_pass_pct": 75}),
                "not changed")), MANAGER_ADMIN, NO_ITEM),
    # progress
    "progress.competency_profile": R(lambda w, db, a, i: progress.competency_profile(db, a, w.of(w.enr, i)),
                                     ENROLMENT_READ),
    "progress.module_results": R(lambda w, db, a, i: progress.module_results(db, a, w.of(w.enr, i)),
                                 ENROLMENT_READ),
    "progress.test_result": R(lambda w, db, a, i: progress.test_result(db, a, w.of(w.enr, i), "overall"),
                              ENROLMENT_READ),
    # readlog (who read a reflection)
    # reminders by mail: a person's own choices (the office may change anyone's); the outbox, the runs, the
    # thresholds and the test mail are the office's (the command line acts as it)
    "subscriptions.preferences": R(lambda w, db, a, i: subscriptions.preferences(db, a, w.user["trainee"]),
                                   "trainee:* admin:*", NO_ITEM),
    "subscriptions.save_preferences": W(lambda w, db, a, i: subscriptions.save_preferences(
        db, a, w.user["trainee"], {"feedback_unread": "off"}), "trainee:* admin:*", NO_ITEM),
    "subscriptions.address": R(lambda w, db, a, i: subscriptions.address(db, a, w.user["trainee"]),
                               "trainee:* admin:*", NO_ITEM),
    "due.collect": R(lambda w, db, a, i: due.collect(db, a, DEMO_TODAY, NOW), ADMIN, NO_ITEM),
    "due.programme_thresholds": R(lambda w, db, a, i: due.programme_thresholds(db, a), ADMIN, NO_ITEM),
    "due.save_thresholds": W(lambda w, db, a, i: due.save_thresholds(db, a, w.programme, dict(due.DEFAULTS)),
                             ADMIN, NO_ITEM),
    "outbox.remind": R(lambda w, db, a, i: outbox.remind(db, a, NO_SMTP, DEMO_TODAY, NOW, dry_run=True), ADMIN,
                       NO_ITEM),
    "outbox.recent": R(lambda w, db, a, i: outbox.recent(db, a), ADMIN, NO_ITEM),
    "outbox.failures": R(lambda w, db, a, i: outbox.failures(db, a), ADMIN, NO_ITEM),
    "outbox.send_test_mail": W(lambda w, db, a, i: outbox.send_test_mail(
        db, a, MailSettings("smtp://127.0.0.1:9", "office@example.jp", "https://cs.example.jp"), "office@example.jp",
        connect=_AcceptingServer), ADMIN, NO_ITEM),
    "readlog.readers": R(lambda w, db, a, i: readlog.readers(db, a, w.of(w.reflection, i)), ENROLMENT_READ),
    "readlog.readers_directory": R(lambda w, db, a, i: readlog.readers_directory(db, a), MANAGER, NO_ITEM),
    "readlog.reads_by_person": R(lambda w, db, a, i: readlog.reads_by_person(db, a, w.user["supervisor"]),
                                 MANAGER, NO_ITEM),
    "readlog.reads_of_own": R(lambda w, db, a, i: readlog.reads_of_own(db, a, w.of(w.enrolment, i)), OWN),
    "readlog.record": W(lambda w, db, a, i: readlog.record(
        db, a, coordsupervise.access.require_enrolment_read(db, a, w.of(w.enrolment, i)),
        [w.of(w.reflection, i)]), ENROLMENT_READ),
    # redaction (the trainee or their supervisor blanks a span)
    "redaction.counts_per_cohort": R(lambda w, db, a, i: redaction.counts_per_cohort(db, a), MANAGER_ADMIN,
                                     NO_ITEM),
    "redaction.redact": W(lambda w, db, a, i: redaction.redact(
        db, a, w.of(w.reflection, i), *_span(db, w.of(w.reflection, i))), "trainee:mine supervisor:mine,peer"),
    "redaction.redactable_fields": R(lambda w, db, a, i: redaction.redactable_fields(
        db, a, w.of(w.reflection, i)), "trainee:mine supervisor:mine,peer"),
    # reflections (the trainee writes; readers of the enrolment read)
    "reflections.calendar": R(lambda w, db, a, i: reflections.calendar(db, a, w.of(w.enr, i), DEMO_TODAY),
                              ENROLMENT_READ),
    "reflections.days_with_new_feedback": R(lambda w, db, a, i: reflections.days_with_new_feedback(
        db, a, w.of(w.enr, i)), ENROLMENT_READ),
    "reflections.default_day": R(lambda w, db, a, i: reflections.default_day(db, a, w.of(w.enr, i), DEMO_TODAY),
                                 OWN),
    "reflections.discard_edit": W(lambda w, db, a, i: reflections.discard_edit(
        db, a, w.of(w.enr, i), w.of(w.reflection, i)), OWN),
    "reflections.mark_thread_read": W(lambda w, db, a, i: reflections.mark_thread_read(
        db, a, w.of(w.reflection, i)), ENROLMENT_READ),
    "reflections.open_day": R(lambda w, db, a, i: reflections.open_day(
        db, a, w.of(w.enr, i), w.of(w.practice_day, i)), OWN),
    "reflections.reply": W(lambda w, db, a, i: reflections.reply(
        db, a, w.of(w.reflection, i), "ありがとうございます。"), "trainee:mine supervisor:mine,peer"),
    "reflections.save_draft": W(lambda w, db, a, i: reflections.save_draft(
        db, a, w.of(w.enr, i), w.of(w.practice_day, i), _body(), DEMO_TODAY), OWN),
    "reflections.set_day_off": W(lambda w, db, a, i: reflections.set_day_off(
        db, a, w.of(w.enr, i), _free_day(db, w, i), None), OWN),
    "reflections.submit": W(lambda w, db, a, i: reflections.submit(
        db, a, w.of(w.enr, i), w.of(w.practice_day, i), _body(), _refl_version(db, w.of(w.reflection, i)),
        set(), DEMO_TODAY), OWN),
    "reflections.thread": R(lambda w, db, a, i: reflections.thread(db, a, w.of(w.reflection, i)), ENROLMENT_READ),
    "reflections.threads": R(lambda w, db, a, i: reflections.threads(
        db, a, w.of(w.enrolment, i), [w.of(w.reflection, i)]), ENROLMENT_READ),
    "reflections.unread_feedback_count": R(lambda w, db, a, i: reflections.unread_feedback_count(
        db, a, w.of(w.enr, i)), ENROLMENT_READ),
    "reflections.versions": R(lambda w, db, a, i: reflections.versions(db, a, w.of(w.reflection, i)),
                              ENROLMENT_READ),
    # retention
    "retention.apply": W(lambda w, db, a, i: retention.apply(db, a, DEMO_TODAY), ADMIN, NO_ITEM),
    "retention.due": R(lambda w, db, a, i: retention.due(db, a, DEMO_TODAY), MANAGER_ADMIN, NO_ITEM),
    "retention.programmes": R(lambda w, db, a, i: retention.programmes(db, a), MANAGER_ADMIN, NO_ITEM),
    "retention.schedule": R(lambda w, db, a, i: retention.schedule(db, a, DEMO_TODAY), MANAGER_ADMIN, NO_ITEM),
    "retention.set_years": W(lambda w, db, a, i: retention.set_years(db, a, w.programme, 7), ADMIN, NO_ITEM),
    # risk
    "risk.at_risk": R(lambda w, db, a, i: risk.at_risk(db, a, DEMO_TODAY, w.of(w.cohort, i)), COHORT_READ,
                      COHORT_ITEMS),
    "risk.counts_by_cohort": R(lambda w, db, a, i: _positive_count(risk.counts_by_cohort(
        db, a, DEMO_TODAY, [w.of(w.cohort, i)])), COHORT_READ, ("mine",)),
    "risk.save_thresholds": W(lambda w, db, a, i: risk.save_thresholds(db, a, w.programme, {}), MANAGER, NO_ITEM),
    # rubrics
    "rubrics.cohort_assignments": R(lambda w, db, a, i: rubrics.cohort_assignments(db, a, w.of(w.cohort, i)),
                                    MANAGER_ADMIN, COHORT_ITEMS),
    "rubrics.detail": R(lambda w, db, a, i: rubrics.detail(db, a, w.rubric), MANAGER_ADMIN, NO_ITEM),
    "rubrics.list_rubrics": R(lambda w, db, a, i: rubrics.list_rubrics(db, a), MANAGER_ADMIN, NO_ITEM),
    "rubrics.save": W(lambda w, db, a, i: _save_rubric(db, w, a), MANAGER_ADMIN, NO_ITEM),
    "rubrics.update_assignment": W(lambda w, db, a, i: _update_assignment(db, w, a, i), MANAGER_ADMIN,
                                   COHORT_ITEMS),
    # scoring (the first marker is the trainee's supervisor; managers audit)
    "scoring.audit_trail": R(lambda w, db, a, i: scoring.audit_trail(db, a, w.of(w.submission, i)), MANAGER),
    "scoring.cohorts_in_queue": R(lambda w, db, a, i: scoring.cohorts_in_queue(db, a), SUPERVISOR_ROLE, NO_ITEM),
    "scoring.decide_sheet": W(lambda w, db, a, i: _sheet_decided(db, w, a, i), SUPERVISOR_OF),
    "scoring.discard_work": W(lambda w, db, a, i: scoring.discard_work(db, a, w.of(w.submission, i)),
                              SUPERVISOR_OF),
    "scoring.evidence": R(lambda w, db, a, i: scoring.evidence(db, a, w.of(w.submission, i)), SUPERVISOR_OF),
    "scoring.keep_work": W(_mark(scoring.keep_work), SUPERVISOR_OF),
    "scoring.kept_work": R(lambda w, db, a, i: scoring.kept_work(db, a, w.of(w.submission, i)), SUPERVISOR_OF),
    "scoring.keep_text": W(lambda w, db, a, i: scoring.keep_text(
        db, a, "change_reason", w.of(w.submission, i), "書きかけの理由"), SUPERVISOR_OF),
    "scoring.kept_text": R(lambda w, db, a, i: scoring.kept_text(db, a, "sheet_comment", w.of(w.submission, i)),
                           SUPERVISOR_OF),
    "scoring.next_item": R(lambda w, db, a, i: scoring.next_item(db, a, scoring.QueueFilter(), 0),
                           SUPERVISOR_ROLE, NO_ITEM),
    "scoring.open_item": R(lambda w, db, a, i: scoring.open_item(db, a, w.of(w.submission, i)), SUPERVISOR_OF),
    "scoring.queue": R(lambda w, db, a, i: scoring.queue(db, a, scoring.QueueFilter()), SUPERVISOR_ROLE, NO_ITEM),
    "scoring.queue_counts": R(lambda w, db, a, i: scoring.queue_counts(db, a, scoring.QueueFilter()),
                              SUPERVISOR_ROLE, NO_ITEM),
    "scoring.release": W(_mark(lambda db, a, s, lv, cm, ov, v: scoring.release(db, a, s, lv, cm, ov, v, "再評価")),
                         SUPERVISOR_OF),
    "scoring.request_revision": W(_mark(scoring.request_revision), SUPERVISOR_OF),
    "scoring.save_draft": W(_mark(scoring.save_draft), SUPERVISOR_OF),
    "scoring.scores_frame": R(lambda w, db, a, i: scoring.scores_frame(db, a, w.of(w.cohort, i)),
                              "supervisor:* manager:*", COHORT_ITEMS),
    "scoring.second_mark": W(_mark(scoring.second_mark), ""),
    # supervision (the trainee's supervisor writes; readers of the enrolment read)
    "supervision.add_note": W(lambda w, db, a, i: supervision.add_note(db, a, w.of(w.enrolment, i), "面談メモ"),
                              SUPERVISOR_OF),
    "supervision.comment_bank": R(lambda w, db, a, i: supervision.comment_bank(db, a), SUPERVISOR_ROLE, NO_ITEM),
    "supervision.delete_comment": W(lambda w, db, a, i: supervision.delete_comment(db, a, w.comment[i]),
                                    "supervisor:mine", ("mine", "other"), personal=True),
    "supervision.flags": R(lambda w, db, a, i: supervision.flags(db, a, w.of(w.enrolment, i)), STAFF_READ),
    "supervision.keep_text_draft": W(lambda w, db, a, i: supervision.keep_text_draft(
        db, a, "note", w.of(w.enrolment, i), "書きかけのメモ"), SUPERVISOR_OF),
    "supervision.mark_read": W(lambda w, db, a, i: supervision.mark_read(db, a, w.of(w.reflection, i)),
                               SUPERVISOR_OF),
    "supervision.mark_unread": W(lambda w, db, a, i: supervision.mark_unread(db, a, w.of(w.reflection, i)),
                                 SUPERVISOR_OF),
    "supervision.notes": R(lambda w, db, a, i: supervision.notes(db, a, w.of(w.enrolment, i)), STAFF_READ),
    "supervision.open_reflection": W(lambda w, db, a, i: supervision.open_reflection(
        db, a, w.of(w.reflection, i)), STAFF_READ),
    "supervision.previous_days": R(lambda w, db, a, i: supervision.previous_days(db, a, w.of(w.reflection, i)),
                                   ENROLMENT_READ),
    "supervision.raise_flag": W(lambda w, db, a, i: supervision.raise_flag(
        db, a, w.of(w.enrolment, i), "low", "様子を見る"), SUPERVISOR_OF),
    # a draft is read from the actor's own drafts only (keyed by actor.id): any person, on themselves
    "supervision.reply_draft": R(lambda w, db, a, i: supervision.reply_draft(db, a, w.of(w.reflection, i)),
                                 ANYONE, NO_ITEM),
    "supervision.resolve_flag": W(lambda w, db, a, i: supervision.resolve_flag(
        db, a, w.of(w.flag, i), "面談で確認"), SUPERVISOR_OF),
    "supervision.save_comment": W(lambda w, db, a, i: supervision.save_comment(
        db, a, "定型文", "ありがとう", w.comment[i]), "supervisor:mine", ("mine", "other"), personal=True),
    "supervision.save_reply_draft": W(lambda w, db, a, i: supervision.save_reply_draft(
        db, a, w.of(w.reflection, i), "下書き", _refl_version(db, w.of(w.reflection, i)),
        _thread_len(db, w.of(w.reflection, i))), SUPERVISOR_OF),
    "supervision.send_reply": W(lambda w, db, a, i: supervision.send_reply(
        db, a, w.of(w.reflection, i), "よく振り返っています。", _refl_version(db, w.of(w.reflection, i)),
        _thread_len(db, w.of(w.reflection, i))), SUPERVISOR_OF),
    "supervision.text_draft": R(lambda w, db, a, i: supervision.text_draft(db, a, "flag", w.of(w.enrolment, i)),
                                ANYONE, NO_ITEM),
    "supervision.timeline": R(lambda w, db, a, i: supervision.timeline(db, a, w.of(w.enrolment, i)),
                              STAFF_READ),
    # workshop (managers and admins run the two workshop days)
    "workshop.groups": R(lambda w, db, a, i: workshop.groups(db, a, w.of(w.cohort, i), 1), MANAGER_ADMIN,
                         COHORT_ITEMS),
    "workshop.make_groups": W(lambda w, db, a, i: workshop.make_groups(db, a, w.of(w.cohort, i), 2, 3),
                              MANAGER_ADMIN, COHORT_ITEMS),
    "workshop.move_member": W(lambda w, db, a, i: _move_member(db, w, a, i), MANAGER_ADMIN, COHORT_ITEMS),
    "workshop.record_attendance": W(lambda w, db, a, i: workshop.record_attendance(
        db, a, w.of(w.cohort, i), [workshop.Attendance(_first_enrolment(db, w, i), 1, "present")],
        confirmed_early=True),
        MANAGER_ADMIN, COHORT_ITEMS),
    "workshop.record_test_scores": W(lambda w, db, a, i: workshop.record_test_scores(
        db, a, w.of(w.cohort, i), {_first_enrolment(db, w, i): 80.0}, 1, DEMO_TODAY, confirmed_early=True),
        MANAGER_ADMIN, COHORT_ITEMS),
    "workshop.roster": R(lambda w, db, a, i: workshop.roster(db, a, w.of(w.cohort, i)), MANAGER_ADMIN,
                         COHORT_ITEMS),
    "workshop.set_locked": W(lambda w, db, a, i: workshop.set_locked(
        db, a, w.of(w.cohort, i), w.group[i], True), MANAGER_ADMIN, COHORT_ITEMS),
    "workshop_import.commit_attendance": W(lambda w, db, a, i: workshop_import.commit_attendance(
        db, a, w.of(w.cohort, i), _attendance_csv(db, w, i), "attendance.csv", confirmed_early=True), MANAGER_ADMIN,
        COHORT_ITEMS),
    "workshop_import.commit_test_scores": W(lambda w, db, a, i: workshop_import.commit_test_scores(
        db, a, w.of(w.cohort, i), _scores_csv(db, w, i), "scores.csv", DEMO_TODAY, confirmed_early=True), MANAGER_ADMIN,
        COHORT_ITEMS),
    "workshop_import.preview_attendance": R(lambda w, db, a, i: workshop_import.preview_attendance(
        db, a, w.of(w.cohort, i), _attendance_csv(db, w, i), "attendance.csv"), MANAGER_ADMIN, COHORT_ITEMS),
    "workshop_import.preview_test_scores": R(lambda w, db, a, i: workshop_import.preview_test_scores(
        db, a, w.of(w.cohort, i), _scores_csv(db, w, i), "scores.csv", DEMO_TODAY), MANAGER_ADMIN, COHORT_ITEMS),
    # the know-how library and the partner directory: read by trainees, supervisors, managers and graduates (a
    # graduate through a certificate that is not revoked); drafts by their authors and the managers only; written by
    # supervisors, managers and graduates; decided by managers alone. Items: see the module's docstring.
    "audience.require_reader": R(lambda w, db, a, i: audience.require_reader(db, a), READERS, NO_ITEM),
    "audience.require_contributor": R(lambda w, db, a, i: audience.require_contributor(db, a), CONTRIBUTORS,
                                      NO_ITEM),
    "audience.certificates": R(lambda w, db, a, i: audience.certificates(db, a), ANYONE, NO_ITEM),
    "domains.domains": R(lambda w, db, a, i: _require_nonempty(domains.domains(db, a)), READERS, NO_ITEM),
    "domains.save_domains": W(lambda w, db, a, i: _renamed_domain(db, a), MANAGER, NO_ITEM),
    # a published case for every reader; demo-supervisor's draft for them and the managers; demo-graduate's proposal
    # for them and the managers; a trainee never sees a draft
    "cases.case": R(lambda w, db, a, i: cases.case(db, a, w.case[i]),
                    "trainee:published supervisor:published,draft manager:* graduate:published,proposed",
                    ("published", "draft", "proposed")),
    "cases.my_cases": R(lambda w, db, a, i: cases.my_cases(db, a), CONTRIBUTORS, NO_ITEM),
    "cases.review_queue": R(lambda w, db, a, i: _nonempty_list(cases.review_queue(db, a)), MANAGER, NO_ITEM),
    "cases.reflection_sources": R(lambda w, db, a, i: cases.reflection_sources(db, a), SUPERVISOR_ROLE, NO_ITEM),
    # drawn from a reflection: the trainee's own supervisor or a manager, never the trainee or a graduate
    "cases.from_reflection": R(lambda w, db, a, i: cases.from_reflection(db, a, w.of(w.reflection, i)), STAFF_READ),
    # "-": written without a reflection (any contributor); an item: drawn from that trainee's reflection
    "cases.new_case": W(lambda w, db, a, i: cases.new_case(
        db, a, cases.CaseInput(title="事例", domains=("labour",)),
        reflection_id=None if i == "-" else w.of(w.reflection, i)),
        "supervisor:-,mine,peer manager:* graduate:-", ("-", *ITEMS)),
    "cases.save_case": W(lambda w, db, a, i: _saved_case(db, w, a, i), "supervisor:draft manager:* graduate:proposed",
                         ("draft", "proposed", "published")),
    "cases.propose_case": W(lambda w, db, a, i: _proposed_case(db, w, a), "supervisor:draft", ("draft",)),
    # a supervisor, a trainee and a graduate never publish or return; a manager does
    "cases.publish_case": W(lambda w, db, a, i: _case_decided(db, w, a, "publish"), MANAGER, ("proposed",)),
    "cases.return_case": W(lambda w, db, a, i: _case_decided(db, w, a, "return"), MANAGER, ("proposed",)),
    "cases.withdraw_case": W(lambda w, db, a, i: cases.withdraw_case(db, a, w.case[i], "古い内容のため",
                                                                     _case_version(db, w.case[i])),
                             "supervisor:draft manager:*", ("draft", "published")),
    "case_search.search_cases": R(lambda w, db, a, i: _require_nonempty(case_search.search_cases(
        db, a, case_search.CaseFilter(query="ざいりゅう"))[1]), READERS, NO_ITEM),
    "case_search.related_cases": R(lambda w, db, a, i: case_search.related_cases(db, a, w.case[i]),
                                   "trainee:published supervisor:published,draft manager:* graduate:published",
                                   ("published", "draft")),
    "case_search.published_titles": R(lambda w, db, a, i: _require_nonempty(case_search.published_titles(db, a)),
                                      READERS, NO_ITEM),
    # the trainee whose reflection a case was drawn from, and nobody else, answers
    "consent.my_requests": R(lambda w, db, a, i: consent.my_requests(db, a), ANYONE, NO_ITEM),
    "consent.pending_count": R(lambda w, db, a, i: consent.pending_count(db, a), ANYONE, NO_ITEM),
    "consent.answer": W(lambda w, db, a, i: consent.answer(db, a, w.case["consent"], False), "trainee:consent",
                        ("consent",)),
    "partners.search_partners": R(lambda w, db, a, i: _require_nonempty(partners.search_partners(
        db, a, partners.PartnerFilter(region="kanto"))[1]), READERS, NO_ITEM),
    "partners.partner": R(lambda w, db, a, i: partners.partner(db, a, w.partner[i]),
                          "trainee:published supervisor:published manager:* graduate:*", ("published", "proposed")),
    "partners.my_partners": R(lambda w, db, a, i: partners.my_partners(db, a), CONTRIBUTORS, NO_ITEM),
    "partners.partner_queue": R(lambda w, db, a, i: _nonempty_list(partners.partner_queue(db, a)), MANAGER, NO_ITEM),
    "partners.partner_choices": R(lambda w, db, a, i: _nonempty_list(partners.partner_choices(db, a)), CONTRIBUTORS,
                                  NO_ITEM),
    "partners.propose_partner": W(lambda w, db, a, i: partners.propose_partner(db, a, partners.PartnerInput(
        "みなと外国人相談室", "13", ("other",))), CONTRIBUTORS, NO_ITEM),
    "partners.save_partner": W(lambda w, db, a, i: _saved_partner(db, w, a, i), "manager:* graduate:proposed",
                               ("published", "proposed")),
    "partners.publish_partner": W(lambda w, db, a, i: partners.publish_partner(
        db, a, w.partner["proposed"], _partner_version(db, w.partner["proposed"])), MANAGER, ("proposed",)),
    "partners.return_partner": W(lambda w, db, a, i: partners.return_partner(
        db, a, w.partner["proposed"], "連絡先の確認を", _partner_version(db, w.partner["proposed"])), MANAGER,
        ("proposed",)),
    "partners.withdraw_partner": W(lambda w, db, a, i: partners.withdraw_partner(
        db, a, w.partner["published"], "閉所", _partner_version(db, w.partner["published"])), MANAGER, ("published",)),
    "partner_import.preview_partners": R(lambda w, db, a, i: partner_import.preview_partners(
        db, a, PARTNER_CSV, "partners.csv"), MANAGER, NO_ITEM),
    "partner_import.commit_partners": W(lambda w, db, a, i: _expect(partner_import.commit_partners(
        db, a, PARTNER_CSV, "partners.csv")["created"] == 1, "not imported"), MANAGER, NO_ITEM),
    "partner_import.export_partners": R(lambda w, db, a, i: _require_nonempty(len(partner_import.export_partners(
        db, a))), READERS, NO_ITEM),
    # the workshop's case set: the office sees it, managers (who read the library) choose it
    "workshop.case_set": R(lambda w, db, a, i: workshop.case_set(db, a, w.of(w.cohort, i), 1), MANAGER_ADMIN,
                           COHORT_ITEMS),
    "workshop.set_case_set": W(lambda w, db, a, i: workshop.set_case_set(
        db, a, w.of(w.cohort, i), 1, [w.case["published"]]), MANAGER, COHORT_ITEMS),
}
# rows a graduate may call because of their certificate (not as anyone acting on themselves): revoked, refused
BY_CERTIFICATE = {name for name in MATRIX if name.split(".")[0] in {"audience", "domains", "cases", "case_search",
                                                                    "partners", "partner_import"}} \
    - {"audience.certificates"}
PARTNER_CSV = "団体名,分野,都道府県\nみなと外国人相談室,在留手続;労働,東京都\n".encode("utf-8-sig")


def _published_partner(db, manager):
    """A published entry that demo-supervisor (who proposed the demo's) did not propose."""
    partner_id = partners.propose_partner(db, manager, partners.PartnerInput("ひがし外国人相談室", "13", ("labour",)))
    partners.publish_partner(db, manager, partner_id, 1)
    return partner_id


def _case_version(db, case_id):
    return db.value("SELECT row_version FROM library_case WHERE id = ?", [case_id])


def _partner_version(db, partner_id):
    return db.value("SELECT row_version FROM partner WHERE id = ?", [partner_id])


def _renamed_domain(db, actor):
    current = domains.programme_domains(db)
    edited = [domains.Domain(d.code, d.name_ja + "(改)" if n == 0 else d.name_ja, d.name_en, d.retired)
              for n, d in enumerate(current)]
    _expect(domains.save_domains(db, actor, edited, current) == 1, "nothing changed")


def _saved_case(db, w, actor, item):
    view = cases.case(db, w.actors["manager"], w.case[item])
    cases.save_case(db, actor, w.case[item], view.content, view.row_version)
    _expect(_case_version(db, w.case[item]) == view.row_version + 1, "not saved")


def _proposed_case(db, w, actor):
    draft = w.case["draft"]
    cases.propose_case(db, actor, draft, _case_version(db, draft))
    _expect(db.value("SELECT status FROM library_case WHERE id = ?", [draft]) == "proposed", "not proposed")


def _case_decided(db, w, actor, decision):
    waiting = w.case["proposed"]
    version = _case_version(db, waiting)
    if decision == "publish":
        cases.publish_case(db, actor, waiting, version)
    else:
        cases.return_case(db, actor, waiting, "結果を書き足してください", version)
    _expect(db.value("SELECT status FROM library_case WHERE id = ?", [waiting])
            == {"publish": "published", "return": "returned"}[decision], "not decided")


def _saved_partner(db, w, actor, item):
    view = partners.partner(db, w.actors["manager"], w.partner[item])
    partners.save_partner(db, actor, w.partner[item], view.content, view.row_version)


# -- helpers the rows use -------------------------------------------------------------------------------------------
def _hidden() -> NotFound:
    """A list that leaves the item out hides it: the same as NotFound for the matrix."""
    return NotFound()


def _require_nonempty(value):
    if not value:
        raise _hidden()
    return value


def _nonempty_list(rows):
    return _require_nonempty(list(rows))


def _nonempty_frames(frames):
    if all(len(f) == 0 for f in frames):
        raise _hidden()
    return frames


def _visible(db, actor, enrolment_id):
    condition, params = coordsupervise.access.visible_enrolments_sql(actor)
    found = db.value(f"SELECT count(*) FROM enrolment e WHERE e.id = ? AND {condition}",  # noqa: S608 - fixed SQL
                     [enrolment_id, *params])
    return _require_nonempty(found)


def _in_scope(db, actor, enrolment_id):
    condition = cohort_scope.enrolment_scope(actor)
    found = db.value(f"SELECT count(*) FROM enrolment e WHERE e.id = $enrolment AND {condition}",  # noqa: S608
                     {"enrolment": enrolment_id, "actor": actor.id})
    return _require_nonempty(found)


def _has_enrolment(rows, enrolment_id):
    if not any(r.get("enrolment_id", r.get("id")) == enrolment_id for r in rows):
        raise _hidden()
    return rows


def _has_enrolment_rows(result):
    frame, total = result
    return _require_nonempty(total)


def _contains_cohort(rows, cohort_id):
    records = rows.to_dict("records") if hasattr(rows, "to_dict") else rows
    if not any(r.get("cohort_id", r.get("id")) == cohort_id for r in records):
        raise _hidden()
    return rows


def _positive_count(counts):
    return _require_nonempty(sum(counts.values()))


def _cohort_code(db, cohort_id):
    return db.value("SELECT code FROM cohort WHERE id = ?", [cohort_id])


def _competency(db):
    return db.value("SELECT code FROM competency ORDER BY seq LIMIT 1")


def _last_decision(db, enrolment_id):
    return db.value("SELECT max(id) FROM certification_decision WHERE enrolment_id = ?", [enrolment_id])


def _first_enrolment(db, w, i):
    return db.value("SELECT min(id) FROM enrolment WHERE cohort_id = ?", [w.of(w.cohort, i)])


def _body():
    return reflections.ReflectionBody(goal="相談対応", event="窓口で相談を受けた", feelings="緊張した",
                                      keep_text="傾聴", problem="時間配分", analysis="準備不足", insight="事前確認",
                                      try_text="資料を用意する", competencies=["C1"], self_rating=3)


def _free_day(db, w, i):
    """A day of the enrolment's practical stage with no reflection whose cut-off has not passed (today or later;
    a trainee may mark only such a day off), else the day after its last reflection."""
    enrolment = w.of(w.enr, i)
    start, end = enrolment.practical
    taken = {d for (d,) in db.rows("SELECT practice_date FROM reflection WHERE enrolment_id = ?", [enrolment.id])}
    day = max(start, DEMO_TODAY)
    while day <= end:
        if day not in taken:
            return day
        day += timedelta(days=1)
    return w.of(w.practice_day, i) + timedelta(days=1)


def _span(db, reflection_id):
    event = db.value("SELECT event FROM reflection WHERE id = ?", [reflection_id]) or "x"
    return "event", event[:2]


def _new_setup(db, w):
    setup = cohorts.setup_of(db, w.actors["admin"], w.cohort["mine"])
    return cohorts.CohortSetup(code="2099-A-901", name_ja="試験期", name_en="Test cohort",
                               calendar=setup.calendar)


def _init_programme(db, actor):
    """The world has its programme: an admin's call passes the access check and is then refused as a second
    programme (curriculum.programme_exists), which the row counts as allowed; anyone else is refused first."""
    try:
        curriculum.init_programme(db, curriculum.load(None), actor)
    except curriculum.CurriculumError as exc:
        _expect(exc.key == "curriculum.programme_exists", exc.key)


def _same_setup(db, w, i):
    return cohorts.setup_of(db, w.actors["admin"], w.of(w.cohort, i))


def _resolve(db, w, actor):
    view = moderation.side_by_side(db, w.actors["manager"], w.moderation)
    agreed = {c["id"]: c["first_level"] for c in view["criteria"]}
    moderation.resolve(db, actor, w.moderation, agreed, "協議の上で合意", view["row_version"])
    _expect(db.value("SELECT status FROM moderation WHERE id = ?", [w.moderation]) == "resolved", "not resolved")


def _save_rubric(db, w, actor):
    levels = {n: (f"水準{n}の記述", f"Level {n}") for n in (1, 2, 3, 4)}
    new_id = rubrics.save(db, actor, w.rubric, "面談記録の評価", "Interview record", 3,
                          [rubrics.CriterionInput(_competency(db), "傾聴", "Listening", 1.0, levels)])
    _expect(db.value("SELECT count(*) FROM rubric_criterion WHERE rubric_id = ?", [new_id]) == 1, "no criterion")


# a small but real PDF (header, one empty page, cross-reference table, trailer)
REAL_PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
            b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\nxref\n0 4\n0000000000 65535 f \n"
            b"trailer<</Size 4/Root 1 0 R>>\nstartxref\n0\n%%EOF\n")


def _expect(condition: bool, what: str) -> None:
    """An allowed write must have done what it says (raised as a problem of the row otherwise)."""
    if not condition:
        raise AssertionError(what)


def _removed(db, w, actor, i):
    _assignment, _sub, attachment = w.of(w.draft, i)
    assignments.remove_attachment(db, actor, w.of(w.enr, i), attachment)
    _expect(not db.value("SELECT count(*) FROM attachment WHERE id = ?", [attachment]), "the file is still there")


def _submitted(db, w, actor, i):
    assignment, sub, _file = w.of(w.draft, i)
    assignments.submit(db, actor, w.of(w.enr, i), assignment, 1)
    _expect(db.value("SELECT status FROM submission WHERE id = ?", [sub]) == "submitted", "not submitted")


def _sheet_decided(db, w, actor, i):
    sheet = w.of(w.sheet, i)
    scoring.decide_sheet(db, actor, sheet, True, "")
    _expect(db.value("SELECT status FROM submission WHERE id = ?", [sheet]) == "approved", "not approved")


def _quiz_csv(db, w, i):
    starts_on = db.value("SELECT starts_on FROM cohort_stage WHERE cohort_id = ? AND stage = 'online'",
                         [w.of(w.cohort, i)])
    taken_on = (starts_on + timedelta(days=3)).strftime("%Y/%m/%d")
    return f"ログインID,モジュール,得点,受験回数,受験日\n{w.of(w.username, i)},1,85,9,{taken_on}\n".encode("utf-8-sig")


def _roster_csv(i):
    return (f"ログインID,氏名,ふりがな,メールアドレス,所属機関\nnew-{i.replace('_', '-')},新井 花子,あらい はなこ,"
            f"arai.{i.replace('_', '')}@example.jp,名古屋市国際交流協会\n").encode("utf-8-sig")


def _update_assignment(db, w, actor, i):
    row = db.one("SELECT id, rubric_id, due_on FROM assignment WHERE cohort_id = ? ORDER BY id LIMIT 1",
                 [w.of(w.cohort, i)])
    return rubrics.update_assignment(db, actor, row[0], row[1], row[2], False, "all", 60, 1)


def _move_member(db, w, actor, i):
    member = db.value("SELECT enrolment_id FROM discussion_group_member WHERE group_id = ? LIMIT 1", [w.group[i]])
    return workshop.move_member(db, actor, w.of(w.cohort, i), 1, member, w.group[i])


def _attendance_csv(db, w, i):
    return f"ユーザー名,日目,出欠,備考\n{w.of(w.username, i)},1,出席,\n".encode("utf-8-sig")


def _scores_csv(db, w, i):
    return f"ユーザー名,得点,受験回\n{w.of(w.username, i)},82,1\n".encode("utf-8-sig")


def _csv(text, db, w, i):
    return text.encode("utf-8-sig")


QUIZ_CSV = "ユーザー名,モジュール,得点\n"


# -- the tests ------------------------------------------------------------------------------------------------------
def test_every_service_function_has_a_row():
    functions = set(service_functions())
    assert not functions - set(MATRIX), "service functions without a row in MATRIX"
    assert not set(MATRIX) - functions, "rows for functions that no longer exist"
    assert len(functions) > 150


def test_a_deactivated_account_gets_no_session(world):
    db = Database(world.path)
    try:
        user = auth.load_login_user(db, USERNAMES["deactivated"])
        assert not user.active
        assert not auth.session_is_valid(user, real_now_utc())
        assert auth.session_is_valid(auth.load_login_user(db, USERNAMES["supervisor"]), real_now_utc())
    finally:
        db.close()


def _refused_once_revoked(row, world, shared, items) -> list[str]:
    """Each call the graduate may make because of their certificate, made by the same Actor (still saying
    "graduate") after the certificate was revoked: refused. The certificate is reinstated afterwards."""
    if not items:
        return []
    graduate = world.actors["graduate"]
    revoke = ("UPDATE certificate SET revoked_at = ? WHERE enrolment_id IN (SELECT id FROM enrolment "
              "WHERE trainee_id = ?)")
    shared.write(lambda tx: tx.execute(revoke, [now_utc(), graduate.id]))
    problems = []
    try:
        assert "graduate" not in auth.load_login_user(shared, graduate.username).roles
        for item in items:
            try:
                row.call(world, shared, graduate, item)
            except (AccessDenied, NotFound):
                continue
            except Exception as exc:  # noqa: BLE001
                problems.append(f"graduate/{item} revoked: raised {type(exc).__name__}: {exc}")
            else:
                problems.append(f"graduate/{item} revoked: the call still succeeded")
        return problems
    finally:
        shared.write(lambda tx: tx.execute(revoke, [None, graduate.id]))


def _copy(world, tmp_path, n) -> Database:
    path = tmp_path / f"case{n}.duckdb"
    shutil.copy(world.path, path)
    return Database(path)


@pytest.fixture(scope="module")
def scratch(tmp_path_factory):
    """Where each allowed write gets its copy of the world: memory-backed /dev/shm when the machine has one (a
    50 MB copy there costs a fraction of a disk copy on a busy CI runner), else pytest's temporary folder."""
    shm = Path("/dev/shm")  # noqa: S108 - a private folder made below, removed after the module
    if shm.is_dir() and os.access(shm, os.W_OK):
        folder = Path(tempfile.mkdtemp(prefix="authz-", dir=shm))
        yield folder
        shutil.rmtree(folder, ignore_errors=True)
    else:
        yield tmp_path_factory.mktemp("authz-cases")


@pytest.fixture(scope="module")
def shared(world, scratch) -> Database:
    """One copy of the world for every denied call and every allowed read: a denied call must change nothing, and
    each function's fingerprint is taken afresh, so what an allowed read leaves (a read log) cannot blur it."""
    database = _copy(world, scratch, 0)
    yield database
    database.close()


def _set_active(db: Database, user_ids: set[int], active: bool) -> None:
    db.write(lambda tx: tx.execute("UPDATE app_user SET active = ? WHERE id IN (SELECT unnest(?))",
                                   [active, sorted(user_ids)]))


def _refused_once_deactivated(row, world, shared, allowed) -> list[str]:
    """Each allowed call, made by the same Actor after its account was switched off: refused. (All of the row's
    allowed people are switched off together and back on after; the caller's snapshots show nothing changed.)"""
    people = {world.actors[role].id for role, _item in allowed}
    if not people:
        return []
    problems = []
    _set_active(shared, people, False)
    try:
        for role, item in allowed:
            try:
                row.call(world, shared, world.actors[role], item)
            except (AccessDenied, NotFound):
                continue
            except Exception as exc:  # noqa: BLE001
                problems.append(f"{role}/{item} deactivated: raised {type(exc).__name__}: {exc}")
            else:
                problems.append(f"{role}/{item} deactivated: the call still succeeded")
        return problems
    finally:
        _set_active(shared, people, True)


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_matrix(name, world, shared, scratch):
    """Every denied (role, item) raises and changes nothing; every allowed one works, and is refused once the
    person's account is deactivated."""
    row = MATRIX[name]
    cases = [(role, item) for role in ROLES for item in row.items]
    denied = [c for c in cases if not row.allows(*c)]
    allowed = [c for c in cases if row.allows(*c)]
    problems = []
    before = fingerprint(shared)
    for role, item in denied:
        try:
            row.call(world, shared, world.actors[role], item)
        except (AccessDenied, NotFound):
            pass
        except Exception as exc:  # noqa: BLE001 - any other outcome is reported, not hidden
            problems.append(f"{role}/{item}: denied call raised {type(exc).__name__}: {exc}")
        else:
            problems.append(f"{role}/{item}: denied call succeeded")
    problems += _refused_once_deactivated(row, world, shared, allowed)
    if name in BY_CERTIFICATE:
        problems += _refused_once_revoked(row, world, shared, [item for role, item in allowed if role == "graduate"])
    after = fingerprint(shared)
    changed = sorted(t for t in after if after[t] != before.get(t))
    if changed:
        problems.append(f"denied calls (or calls refused to deactivated accounts) changed {changed}")
    for n, (role, item) in enumerate(allowed, start=1):
        db = _copy(world, scratch, n) if row.writes else shared
        try:
            row.call(world, db, world.actors[role], item)
        except (AccessDenied, NotFound) as exc:
            problems.append(f"{role}/{item}: allowed call refused ({type(exc).__name__})")
        except (InvalidInput, StaleWrite) as exc:
            problems.append(f"{role}/{item}: allowed call raised {type(exc).__name__}: {exc} {exc.params}")
        except Exception as exc:  # noqa: BLE001
            problems.append(f"{role}/{item}: allowed call raised {type(exc).__name__}: {exc}")
        finally:
            if db is not shared:
                db.close()
                for leftover in scratch.glob(f"case{n}.duckdb*"):
                    leftover.unlink()
    assert not problems, "\n".join(problems)
