"""Screen pieces of the closing stage: the cohort picker shared by /workshop and /certification, the board's
marks, the trainee's result on /progress and the printable certificate."""
from __future__ import annotations

import html
from datetime import date

import pandas as pd
import streamlit as st

from .. import clock
from ..access import Actor
from ..certification import certification
from ..errors import UserError
from ..i18n import translate
from ..text.limits import REASON_LIMIT
from ..text.textnorm import strip_bidi
from ..text.usertext import literal
from . import state
from .cohorts import TTL
from .firsthour import keep_words
from .guard import show_error
from .runtime import content_stamp, database, language, t
from .tables import CERTIFICATE_WIDTH, DECISION_WIDTH, pinned_name
from .widgets import form_done, form_key

MARKS = {True: "○", False: "×", None: "－"}  # the marks a Japanese office uses on a checklist
BEHIND = "△"  # not judged yet, but below the bar today: distinct from "not yet" so a lagging trainee stands out


# One trainee's criteria are the certification board's evidence query for one row: most of its 20-30 ms at 100
# cohorts is DuckDB optimising and scheduling a query of eleven parts, not reading rows. On /trainee it is a figure
# above the tabs, recounted on every click of the profile (a tab, a page of the timeline, each pause in typing a
# note): cached per person, trainee and day for the dashboards' two minutes, keyed first by the content stamp (a day
# off marked on the profile, a threshold changed). The results tab counts it afresh.
@st.cache_data(ttl=TTL, show_spinner=False)
def _checklist(stamp: int, actor: Actor, enrolment, today: date) -> list[certification.Check]:
    return certification.checklist(database(), actor, enrolment, today)


def checklist_lagging(actor: Actor, enrolment, today: date) -> list[certification.Check]:
    """certification.checklist as it was at most two minutes ago (as the at-risk list beside it). The cached answer
    skips the service's access check: call it only after the page has loaded the enrolment for this actor."""
    return _checklist(content_stamp(), actor, enrolment, today)


def cohort_picker(db, actor, page: str) -> dict | None:
    """Pick a cohort (newest first); the choice lives in the address (?cohort=<code>) so a link can be shared."""
    found = certification.cohorts_with_trainees(db, actor)
    if not found:
        st.info(t("certification.no_cohorts"))
        return None
    ja = language() == "ja"
    codes = [c["code"] for c in found]
    wanted = st.query_params.get("cohort", "")
    index = codes.index(wanted) if wanted in codes else _default_index(found, page)
    names = {c["code"]: f"{c['code']} · {c['name_ja'] if ja else c['name_en']}" for c in found}
    chosen = st.selectbox(t("certification.cohort"), codes, index=index, key=f"{page}_cohort",
                          format_func=names.get)
    st.caption(t("certification.default_rule_workshop" if page == "workshop" else "certification.default_rule"))
    if st.query_params.get("cohort") != chosen:
        st.query_params["cohort"] = chosen
    return next(c for c in found if c["code"] == chosen)


def _default_index(found: list[dict], page: str) -> int:
    """The cohort whose workshop (on /workshop) or certification (on /certification) is nearest to today, before or
    after: the one the closing stage is busy with. Ties go to the newest."""
    today = clock.today()
    column = "workshop_on" if page == "workshop" else "certification_on"
    dated = [(abs((c[column] - today).days), i) for i, c in enumerate(found) if c.get(column)]
    return min(dated)[1] if dated else 0


def decision_label(decision: str | None, override: str | None = None) -> str:
    if decision is None:
        return t("certification.undecided")
    label = t(f"certification.decision.{decision}")
    return f"{label} ({t('certification.override')})" if override else label


def board_frame(rows: list[certification.BoardRow]) -> pd.DataFrame:
    """The board as a table: the trainee, the decision and certificate number (what the board is for, in view on a
    desk screen without scrolling), then one mark per criterion."""
    records = []
    for row in rows:
        record = {t("certification.col_trainee"): strip_bidi(row.trainee_name),
                  t("certification.col_decision"): decision_label(row.decision, row.override_reason),
                  t("certification.col_certificate"): (row.certificate_no or "") if not row.certificate_revoked
                  else ""}
        for check in row.checks:
            record[t(f"{check.key}.short")] = BEHIND if check.met is None and check.behind else MARKS[check.met]
        records.append(record)
    return pd.DataFrame(records)


def board_columns() -> dict:
    """The board's column settings: the trainee pinned (it stays in view while the marks scroll on a phone), the
    decision and certificate number at widths that fit their longest value, the marks as wide as their header."""
    return {t("certification.col_trainee"): pinned_name(t("certification.col_trainee")),
            t("certification.col_decision"): st.column_config.TextColumn(width=DECISION_WIDTH),
            t("certification.col_certificate"): st.column_config.TextColumn(width=CERTIFICATE_WIDTH),
            # marks are one character, but the column must be wide enough for its whole header
            **{t(f"{key}.short"): st.column_config.TextColumn(width=None) for key in certification.CRITERIA}}


def result_view(db, actor, enrolment) -> None:
    """The trainee's own certification result with the certificate to print (a self-contained page)."""
    found = certification.result(db, actor, enrolment.id)
    st.subheader(t("certification.result"))
    if found is None:
        st.caption(t("certification.result_none"))
        return
    if found.decision == "certified" and found.certificate_no:
        st.success(t("certification.result_certified", number=found.certificate_no,
                     issued=found.issued_on.isoformat(), until=found.valid_until.isoformat()),
                   icon=":material/workspace_premium:")
        certificate_card(found)
        st.caption(t("firsthour.cert_print_hint"))
        st.download_button(t("firsthour.cert_save_file"), certificate_html(found).encode("utf-8"),
                           file_name=f"{found.certificate_no}.html", mime="text/html", key="progress_certificate",
                           icon=":material/download:")
    elif found.decision == "deferred":
        st.info(t("certification.result_deferred", reason=literal(found.reason)), icon=":material/hourglass_top:")
    else:
        st.warning(t("certification.result_not_certified", reason=literal(found.reason)))


def certificate_card(found: certification.Result) -> None:
    """The certificate on the page itself, ready for the browser's print: Japanese with the English below (an
    employer in Japan reads the first, an embassy or a foreign employer the second), naming the issuing programme.
    The number carries word joiners so a phone never wraps it in the middle."""
    ja, en = (lambda key: translate("ja", key)), (lambda key: translate("en", key))
    lines = [
        ("certification.cert_name", literal(found.trainee_name), literal(found.trainee_name)),
        ("certification.cert_programme", literal(found.programme_ja), literal(found.programme_en)),
        ("certification.cert_cohort", literal(found.cohort_name_ja), literal(found.cohort_name_en)),
        ("certification.cert_number", keep_words(found.certificate_no), keep_words(found.certificate_no)),
        ("certification.cert_issued", found.issued_on.strftime("%Y年%m月%d日"), found.issued_on.isoformat()),
        ("certification.cert_valid_until", found.valid_until.strftime("%Y年%m月%d日"),
         found.valid_until.isoformat()),
    ]
    with st.container(border=True, key="progress_certificate_card"):
        st.markdown(f"## {ja('certification.cert_title')}")
        st.caption(en("certification.cert_title"))
        st.markdown(ja("certification.cert_body"))
        st.caption(en("certification.cert_body"))
        for key, value_ja, value_en in lines:
            same = value_ja == value_en
            st.markdown(f"**{ja(key)}** {value_ja}  \n:gray[{en(key)}]" + ("" if same else f" :gray[{value_en}]"))
        st.markdown(translate("ja", "firsthour.cert_issued_by", programme=literal(found.programme_ja)))
        st.caption(translate("en", "firsthour.cert_issued_by", programme=literal(found.programme_en)))


def certificate_html(found: certification.Result) -> str:
    """A one-page certificate to print or save as PDF, in the reader's language. Every value is escaped."""
    ja = language() == "ja"
    e = html.escape
    lines = [
        ("certification.cert_name", strip_bidi(found.trainee_name)),
        ("certification.cert_programme", found.programme_ja if ja else found.programme_en),
        ("certification.cert_cohort", found.cohort_name_ja if ja else found.cohort_name_en),
        ("certification.cert_number", found.certificate_no),
        ("certification.cert_issued", found.issued_on.isoformat()),
        ("certification.cert_valid_until", found.valid_until.isoformat()),
    ]
    rows = "".join(f"<tr><th>{e(t(key))}</th><td>{e(str(value))}</td></tr>" for key, value in lines)
    return (f"<!doctype html><html lang='{'ja' if ja else 'en'}'><meta charset='utf-8'>"
            f"<title>{e(t('certification.cert_title'))} {e(found.certificate_no)}</title>"
            "<style>@page{size:A4 landscape;margin:18mm}body{font-family:'Noto Serif CJK JP','Hiragino Mincho ProN',"
            "'Yu Mincho',serif;text-align:center;border:6px double #5a4a2a;padding:3em 2em;margin:0}"
            "h1{font-size:2.2em;letter-spacing:.3em;margin:.2em 0 1em}p{font-size:1.15em;line-height:1.9}"
            "table{margin:1.5em auto;border-collapse:collapse;font-size:1.05em}th{text-align:right;padding:.3em 1em;"
            "font-weight:normal;color:#555}td{text-align:left;padding:.3em 1em}</style>"
            f"<h1>{e(t('certification.cert_title'))}</h1>"
            f"<p>{e(t('certification.cert_body'))}</p><table>{rows}</table></html>")


def thresholds_form(db, actor, cohort: dict) -> None:
    """The cohort's criteria thresholds, editable by a manager with a reason (audited)."""
    current = certification.thresholds(db, actor, cohort["id"])
    with st.expander(t("certification.thresholds"), icon=":material/tune:"):
        with st.form(form_key(f"certification_thresholds_{cohort['id']}")):
            columns = st.columns(3)
            values = {}
            for i, (column, (low, high)) in enumerate(certification.THRESHOLDS.items()):
                values[column] = int(columns[i % 3].number_input(
                    t(f"certification.threshold_{column}"), min_value=low, max_value=high, value=current[column],
                    step=1, key=f"certification_threshold_{column}"))
            reason = st.text_input(t("certification.threshold_reason"), key="certification_threshold_reason",
                                   max_chars=REASON_LIMIT)
            saved = st.form_submit_button(t("certification.threshold_save"))
        if saved:
            try:
                changed = certification.update_thresholds(db, actor, cohort["id"], values, reason)
            except UserError as exc:
                show_error(exc)
            else:
                form_done(f"certification_thresholds_{cohort['id']}")
                st.session_state[state.CLOSING_NOTICE] = ("certification.thresholds_saved", {"count": changed})
                st.rerun()
