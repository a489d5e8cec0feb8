"""The load-everything pandas approaches the benchmark compares the services with: what a first version might do
(read whole tables into DataFrames, then filter, join and group in Python). Each computes the same answer as the
service it stands against; tests/unit/bench/test_bench.py checks that on the demo, so the ratio compares like
with like."""
from __future__ import annotations

from datetime import date

import pandas as pd

from ..certification import certification
from ..certification.certification import BoardRow
from ..dashboards import risk
from ..practice.inbox import PAGE_SIZE
from ..programme.cohorts import days_off
from ..store.db import Database


def whole(db: Database, *tables: str) -> list[pd.DataFrame]:
    """Whole tables into DataFrames, as a first version reads them (the names are this module's own constants)."""
    return [db.frame(f"SELECT * FROM {table}") for table in tables]  # noqa: S608 - table names, never input


def inbox_page(db: Database, supervisor_id: int):
    """What a first version might do: load everything, then filter and sort in pandas."""
    reflections, enrolments, reads = whole(db, "reflection", "supervision", "reflection_read")
    mine = reflections[reflections["enrolment_id"].isin(
        enrolments.loc[enrolments["supervisor_id"] == supervisor_id, "enrolment_id"])]
    mine = mine[mine["status"] == "submitted"]
    read = reads[reads["reader_id"] == supervisor_id].set_index("reflection_id")["read_version"]
    unread = mine["version"] > mine["id"].map(read).fillna(0)
    return mine.assign(unread=unread).sort_values(["unread", "practice_date"], ascending=False).head(PAGE_SIZE)


def cohort_dashboards(db: Database, cohort_id: int, today) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The same figures as bench.ours_dashboard the way a first version might get them: every table into pandas,
    practice days laid out per enrolment in pandas, then grouped."""
    stages = db.frame("SELECT * FROM cohort_stage WHERE stage = 'practical'")
    enrolments, cohorts, reflections, own_off, feedback, decisions = whole(
        db, "enrolment", "cohort", "reflection", "day_off", "feedback", "certification_decision")
    today_ts = pd.Timestamp(today)
    people = enrolments.merge(stages, on="cohort_id").merge(cohorts[["id", "reflection_cutoff_days"]],
                                                               left_on="cohort_id", right_on="id", suffixes=("", "_c"))
    days = _working_days(people, "id", today_ts)
    days = days.merge(reflections[["enrolment_id", "practice_date", "status", "late"]], how="left",
                      left_on=["id", "day"], right_on=["enrolment_id", "practice_date"])
    off = own_off.assign(off=True)
    days = days.merge(off[["enrolment_id", "day", "off"]], how="left", left_on=["id", "day"],
                      right_on=["enrolment_id", "day"], suffixes=("", "_o"))
    done = (days["status"] == "submitted") & days["off"].isna()
    due = days["day"] + pd.to_timedelta(days["reflection_cutoff_days"].astype(int), unit="D") < today_ts
    days["done"], days["expected"] = done, done | (due & days["off"].isna())
    rates = days.groupby("cohort_id")[["done", "expected"]].sum()
    first = feedback.merge(reflections[["id", "enrolment_id", "submitted_at"]], left_on="reflection_id",
                           right_on="id").merge(enrolments[["id", "trainee_id", "cohort_id"]], left_on="enrolment_id",
                                                right_on="id")
    first = first[first["author_id"] != first["trainee_id"]].groupby(["cohort_id", "reflection_id"]).agg(
        at=("created_at", "min"), submitted=("submitted_at", "first"))
    turn = ((first["at"] - first["submitted"]).dt.total_seconds() / 3600).groupby(level=0).median()
    latest = decisions.sort_values("decided_at").groupby("enrolment_id").tail(1).merge(
        enrolments[["id", "cohort_id"]], left_on="enrolment_id", right_on="id")
    certified = latest.groupby("cohort_id")["decision"].apply(lambda d: (d == "certified").mean())
    per_cohort = rates.assign(turnaround=turn, certified=certified)
    one = days[days["cohort_id"] == cohort_id].groupby("day")[["done", "expected"]].sum()
    return per_cohort, one


def _working_days(people: pd.DataFrame, key: str, today_ts: pd.Timestamp) -> pd.DataFrame:
    """People (`key`, cohort_id, starts_on, ends_on, reflection_cutoff_days) laid out in pandas as one row per
    working day of their practical stage up to today."""
    people = people.assign(last=people["ends_on"].where(people["ends_on"] <= today_ts, today_ts))
    people = people[people["starts_on"] <= people["last"]]
    people = people.assign(day=[pd.date_range(s, e) for s, e in zip(people["starts_on"], people["last"],
                                                                    strict=True)])
    days = people[[key, "cohort_id", "day", "reflection_cutoff_days"]].explode("day")
    days["day"] = pd.to_datetime(days["day"])
    return days[days["day"].dt.weekday < 5]


def _day_status(db: Database, enrolments: pd.DataFrame, today: date) -> pd.DataFrame:
    """One row per enrolment and working practice day up to today with its status, laid out in pandas."""
    stages = db.frame("SELECT * FROM cohort_stage WHERE stage = 'practical'")
    cohorts = db.frame("SELECT id AS cohort_id, reflection_cutoff_days FROM cohort")
    reflections, own_off = whole(db, "reflection", "day_off")
    first, last = stages["starts_on"].min(), stages["ends_on"].max()
    holidays = {pd.Timestamp(d) for d in days_off(db, first.date(), last.date())} if len(stages) else set()
    today_ts = pd.Timestamp(today)
    people = enrolments.merge(stages[["cohort_id", "starts_on", "ends_on"]], on="cohort_id").merge(cohorts,
                                                                                                 on="cohort_id")
    days = _working_days(people, "enrolment_id", today_ts)
    days = days.merge(reflections[["enrolment_id", "practice_date", "status", "late"]], how="left",
                      left_on=["enrolment_id", "day"], right_on=["enrolment_id", "practice_date"])
    days = days.merge(own_off[["enrolment_id", "day"]].assign(own_off=True), how="left", on=["enrolment_id", "day"])
    future = days["day"] + pd.to_timedelta(days["reflection_cutoff_days"].astype(int), unit="D") >= today_ts
    submitted = days["status"] == "submitted"
    days["state"] = "missing"
    days.loc[future, "state"] = "future"
    days.loc[submitted, "state"] = "submitted"
    days.loc[submitted & days["late"].fillna(False).astype(bool), "state"] = "late"
    days.loc[days["own_off"].notna() | days["day"].isin(holidays), "state"] = "off"
    return days


def at_risk(db: Database, today: date) -> set[tuple[int, str, int]]:
    """Every (enrolment, rule, n) of risk.at_risk for a manager, from whole tables in pandas."""
    today_ts = pd.Timestamp(today)
    enrolments = db.frame("SELECT id AS enrolment_id, cohort_id, trainee_id, status FROM enrolment")
    cohorts, stages, decisions = whole(db, "cohort", "cohort_stage", "certification_decision")
    still = stages.groupby("cohort_id")["ends_on"].max()
    latest = decisions.sort_values(["decided_at", "id"]).groupby("enrolment_id").tail(1)
    certified = set(latest.loc[latest["decision"] == "certified", "enrolment_id"])
    people = enrolments[(enrolments["status"] == "active") & ~enrolments["enrolment_id"].isin(certified)
                        & (enrolments["cohort_id"].map(still) >= today_ts)]
    people = people.merge(cohorts.rename(columns={"id": "cohort_id"}), on="cohort_id")
    th = {pid: risk.thresholds(db, int(pid)) for pid in people["programme_id"].unique()}
    for key in risk.DEFAULTS:
        people[key] = people["programme_id"].map(lambda p, k=key: th[p][k])
    out: set[tuple[int, str, int]] = set()

    def add(frame: pd.DataFrame, rule: str, column: str) -> None:
        out.update((int(e), rule, int(n)) for e, n in zip(frame["enrolment_id"], frame[column], strict=True))

    days = _day_status(db, people[["enrolment_id", "cohort_id"]], today)
    done_days = days[days["state"].isin(["submitted", "late"])]
    per = pd.DataFrame({"last_day": done_days.groupby("enrolment_id")["day"].max(),
                        "done": done_days.groupby("enrolment_id").size(),
                        "expected": days[days["state"].isin(["submitted", "late", "missing"])]
                        .groupby("enrolment_id").size()}).fillna({"done": 0}).reset_index()
    per = per.merge(people, on="enrolment_id")
    missing = days[days["state"] == "missing"].merge(per[["enrolment_id", "last_day"]], on="enrolment_id")
    silent = missing[missing["last_day"].isna() | (missing["day"] > missing["last_day"])].groupby(
        "enrolment_id").size().rename("n").reset_index().merge(people, on="enrolment_id")
    add(silent[silent["n"] >= silent["silent_days"]], "silent", "n")
    low = per[(per["expected"] >= per["rate_min_days"]) & (100.0 * per["done"] / per["expected"] < per["min_rate_pct"])]
    add(low.assign(n=(100.0 * low["done"] / low["expected"]).round()), "low_rate", "n")

    quiz = db.frame("SELECT * FROM quiz_attempt").groupby(["enrolment_id", "module_id"], as_index=False)[
        "score_pct"].max().merge(people, on="enrolment_id")
    online_ends = stages[stages["stage"] == "online"].set_index("cohort_id")["ends_on"]
    quiz = quiz[quiz["cohort_id"].map(online_ends) < today_ts]  # retakes stay open until the online stage ends
    failing = quiz[quiz["score_pct"] < quiz["module_pass_pct"]].groupby("enrolment_id").size().rename("n")
    add(failing.reset_index(), "quiz_failed", "n")
    tests = db.frame("SELECT * FROM test_attempt")
    overall = tests[tests["kind"] == "overall"].groupby("enrolment_id", as_index=False)["score_pct"].max().merge(
        people, on="enrolment_id")
    overall = overall[overall["score_pct"] < overall["overall_test_pass_pct"]]
    add(overall.assign(n=overall["score_pct"].round()), "overall_failed", "n")

    submissions = db.frame("SELECT id AS submission_id, enrolment_id, assignment_id, status FROM submission")
    scores = db.frame("SELECT id AS score_id, submission_id, status, released_at FROM score")
    marks = db.frame("SELECT score_id, criterion_id, level FROM score_criterion")
    criteria = db.frame("SELECT id AS criterion_id, competency FROM rubric_criterion")
    released = scores[scores["status"] == "released"].merge(submissions[["submission_id", "enrolment_id"]]).merge(
        marks).merge(criteria)
    levels = released.sort_values("released_at").groupby(["enrolment_id", "competency"]).tail(1).merge(
        people, on="enrolment_id")
    add(levels[levels["level"] < levels["report_min_level"]].groupby("enrolment_id").size().rename("n")
        .reset_index(), "below_pass", "n")

    assignments = db.frame("SELECT id AS assignment_id, cohort_id, due_on FROM assignment")
    handed = submissions[submissions["status"].isin(["submitted", "revision_requested", "approved", "scored"])]
    owed = people.merge(assignments, on="cohort_id").merge(handed[["enrolment_id", "assignment_id"]]
                                                            .drop_duplicates().assign(handed=True),
                                                            how="left", on=["enrolment_id", "assignment_id"])
    owed = owed[owed["handed"].isna() & (owed["due_on"] + pd.to_timedelta(owed["overdue_grace_days"], unit="D")
                                         < today_ts)]
    add(owed.groupby("enrolment_id").size().rename("n").reset_index(), "overdue", "n")

    flags = db.frame("SELECT * FROM flag")
    add(flags[flags["resolved_at"].isna() & flags["enrolment_id"].isin(people["enrolment_id"])]
        .groupby("enrolment_id").size().rename("n").reset_index(), "open_flag", "n")

    reflections = db.frame("SELECT id AS reflection_id, enrolment_id FROM reflection")
    feedback = db.frame("SELECT id AS feedback_id, reflection_id, author_id, created_at AS sent_at FROM feedback")
    reads = db.frame("SELECT feedback_id, reader_id FROM feedback_read")
    mail = feedback.merge(reflections).merge(people, on="enrolment_id")
    mail = mail[(mail["author_id"] != mail["trainee_id"])
                & (mail["sent_at"] + pd.to_timedelta(mail["feedback_unread_days"], unit="D") < today_ts)]
    mail = mail.merge(reads.assign(read=True), how="left", left_on=["feedback_id", "trainee_id"],
                      right_on=["feedback_id", "reader_id"])
    add(mail[mail["read"].isna()].groupby("enrolment_id").size().rename("n").reset_index(), "feedback_unread", "n")
    return out


def certification_board(db: Database, cohort_id: int, today: date) -> dict[int, list]:
    """Each trainee's eight checks of certification.board for a manager, the evidence gathered from whole tables
    in pandas (the checks themselves come from the same pure function, certification._checks)."""
    r = certification.rules(db, cohort_id)
    due, still_open = certification._practice_days(db, r, today)
    due, still_open = {pd.Timestamp(d) for d in due}, {pd.Timestamp(d) for d in still_open}
    (enrolments, cohorts, modules, quiz, tests, submissions, assignments, reflections, own_off, scores, marks,
     criteria, attendance) = whole(db, "enrolment", "cohort", "module", "quiz_attempt", "test_attempt", "submission",
                                   "assignment", "reflection", "day_off", "score", "score_criterion",
                                   "rubric_criterion", "workshop_attendance")
    people = enrolments[(enrolments["cohort_id"] == cohort_id) & (enrolments["status"] != "withdrawn")]
    ids = set(people["id"])
    programme = cohorts.loc[cohorts["id"] == cohort_id, "programme_id"].iloc[0]
    seqs = sorted(modules.loc[modules["programme_id"] == programme, ["id", "seq"]].itertuples(index=False),
                  key=lambda m: m.seq)
    cohort_assignments = assignments[assignments["cohort_id"] == cohort_id].sort_values("seq")
    latest = submissions[submissions["enrolment_id"].isin(ids)].sort_values("version").groupby(
        ["enrolment_id", "assignment_id"]).tail(1).merge(assignments[["id", "code"]], left_on="assignment_id",
                                                         right_on="id", suffixes=("", "_a"))
    out = {}
    for enrolment_id in people["id"]:
        mine = quiz[quiz["enrolment_id"] == enrolment_id].groupby("module_id")["score_pct"].max()
        failing = ", ".join(str(m.seq) for m in seqs if mine.get(m.id, -1) < r.module_pass_pct) or None
        my_tests = tests[tests["enrolment_id"] == enrolment_id]
        overall, cert = my_tests[my_tests["kind"] == "overall"], my_tests[my_tests["kind"] == "certification"]
        my_latest = latest[latest["enrolment_id"] == enrolment_id].set_index("code")["status"]
        others = ", ".join(c for c in cohort_assignments["code"] if c not in ("A1", "A8")
                           and my_latest.get(c, "") not in ("scored", "approved")) or None
        off = {pd.Timestamp(d) for d in own_off.loc[own_off["enrolment_id"] == enrolment_id, "day"]}
        mine_r = reflections[(reflections["enrolment_id"] == enrolment_id)]
        mine_r = mine_r[~mine_r["practice_date"].isin(off)]
        done = int(((mine_r["status"] == "submitted") & mine_r["practice_date"].isin(due | still_open)).sum())
        open_written = int((mine_r["status"].isin(["submitted", "draft"]) & mine_r["practice_date"].isin(still_open))
                           .sum())
        expected = len(due) - len(off & due) + open_written
        report_subs = latest_all = submissions[(submissions["enrolment_id"] == enrolment_id)]
        report_subs = latest_all.merge(cohort_assignments[cohort_assignments["code"] == "A8"][["id"]],
                                       left_on="assignment_id", right_on="id", suffixes=("", "_a"))
        report = scores[(scores["status"] == "released") & scores["submission_id"].isin(report_subs["id"])].merge(
            marks, left_on="id", right_on="score_id").merge(criteria, left_on="criterion_id", right_on="id")
        levels = ",".join(f"{c}:{lvl}" for c, lvl in zip(report["competency"], report["level"], strict=True)) or None
        days = attendance[attendance["enrolment_id"] == enrolment_id].set_index("day")["status"]
        out[int(enrolment_id)] = certification._checks(
            r, today, failing, overall["score_pct"].max() if len(overall) else None, len(overall),
            my_latest.get("A1"), done, expected, levels, others, days.get(1), days.get(2),
            cert["score_pct"].max() if len(cert) else None, len(cert))
    return out


def board_as_checks(rows: list[BoardRow]) -> dict[int, list]:
    return {row.enrolment_id: row.checks for row in rows}
