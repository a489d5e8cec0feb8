"""Screen pieces of the know-how library (/library) and the partner directory (/partners), and the trainee's
consent requests (/account, with a notice on /reflection and /library).

Filters, the open case or partner and the open view live in the address, so a search can be bookmarked and
survives a reload; identity never does. A widget bound to an address parameter takes the address's value whenever
the address changed since the previous run (a link, the back button, a bookmark), and writes its own value back
otherwise. Everything people wrote is shown through usertext.literal (titles, names) or as plain text (st.text)."""
from __future__ import annotations

from datetime import datetime

import streamlit as st

from ..certification import workshop
from ..errors import StaleWrite, UserError
from ..library import audience, case_search, cases, client_codes, consent, domains, partner_import, partners
from ..library.case_search import CaseFilter
from ..library.cases import CaseInput
from ..library.domains import PREFECTURES, REGIONS
from ..library.partners import PartnerFilter, PartnerInput
from ..office import exports
from ..privacy.guard import PrivacyFindings
from ..privacy.redaction import MARKER
from ..text.limits import QUERY_LIMIT, REASON_LIMIT
from ..text.usertext import literal
from .admin import preview_view
from .firsthour import plain
from .guard import show_error
from .reading import competency_tags
from .runtime import language, t
from .widgets import form_done, form_key, jst, link

CONTRIBUTORS = ("supervisor", "manager", "graduate")
FINDINGS = "library_findings"      # session key: (form id, findings) of the last refused proposal or publication


# -- the address ---------------------------------------------------------------------------------------------------
def keep_address() -> None:
    """A link to the same page (a case from the list, the way back) runs it with the link's parameters, but
    Streamlit 1.67 rewrites the browser's address only when the page changes: the address would keep the old
    parameters, and the next click or a reload would run with them. Saying the parameters again writes them to the
    address."""
    current = st.query_params.to_dict()
    if current:
        st.query_params.from_dict(current)


def param_int(name: str) -> int | None:
    try:
        return int(st.query_params.get(name, ""))
    except ValueError:
        return None


def _bind(key: str, param: str, options: list[str] | None = None) -> None:
    """Before a widget bound to `param` is drawn: when the address changed since the last run, the widget takes its
    value (an unknown option falls back to the first)."""
    value = st.query_params.get(param, "")
    if options is not None and value not in options:
        value = options[0]
    if st.session_state.get(f"{key}__param") != value or key not in st.session_state:
        st.session_state[key] = value
        st.session_state[f"{key}__param"] = value


def _settle(key: str, param: str, value: str | None) -> None:
    """After the widget: its value goes to the address (empty leaves the parameter out)."""
    value = value or ""
    if value:
        if st.query_params.get(param) != value:
            st.query_params[param] = value
    elif param in st.query_params:
        del st.query_params[param]
    st.session_state[f"{key}__param"] = value


def view_picker(page: str, views: list[str]) -> str:
    """The open view of a page (?view=…), first one the default."""
    key = f"{page}_view"
    _bind(key, "view", views)
    if len(views) == 1:
        return views[0]
    chosen = st.segmented_control(t(f"{page}.views"), views, key=key, format_func=lambda v: t(f"{page}.view.{v}"),
                                  label_visibility="collapsed", required=True) or views[0]
    st.session_state[f"{key}__param"] = chosen
    if chosen != views[0]:
        if st.query_params.get("view") != chosen:
            st.query_params["view"] = chosen
    elif "view" in st.query_params:
        del st.query_params["view"]
    return chosen


def _open(params: dict[str, str | int | None]) -> None:
    """Move to another state of the same page (the address says which), dropping what the form had drawn."""
    for name, value in params.items():
        if value in (None, ""):
            st.query_params.pop(name, None)
        else:
            st.query_params[name] = str(value)
    st.rerun()


# -- names ---------------------------------------------------------------------------------------------------------
def _domain_names(db, actor) -> dict[str, str]:
    ja = language() == "ja"
    return {d.code: d.name_ja if ja else d.name_en for d in domains.domains(db, actor, include_retired=True)}


def region_name(code: str | None) -> str:
    return t(f"library.region.{code}") if code else t("library.region_any")


def prefecture_name(code: str | None) -> str:
    return t(f"library.pref.{code}") if code else t("library.prefecture_any")


def _badges(names: list[str], colour: str = "blue") -> str:
    return " ".join(f":{colour}-badge[{literal(n)}]" for n in names)


def _when(value) -> str:
    if value is None or value != value:
        return ""
    if isinstance(value, datetime):
        return jst(value)[:10]
    return str(value)[:10]


# -- the trainee's consent and the graduate's place ----------------------------------------------------------------
def consent_notice(db, actor) -> None:
    """A notice on the person's own screens when a case drawn from their reflection waits for their answer, with a
    link to /account, where they read it and answer."""
    waiting = consent.pending_count(db, actor)
    if waiting:
        st.info(t("library.consent_waiting", count=waiting), icon=":material/front_hand:")
        link("account", t("library.consent_open_account"), ":material/manage_accounts:")


def consent_requests(db, actor) -> None:
    """On /account: every case drawn from the person's reflections, as it reads now, with yes and no."""
    requests = consent.my_requests(db, actor)
    if not requests:
        return
    st.subheader(t("library.consent_title"))
    st.caption(t("library.consent_intro"))
    for request in requests:
        with st.container(border=True):
            st.markdown(f"**{literal(request.texts['title'])}**")
            st.caption(" · ".join([
                t(f"library.consent.{request.status}"),
                t("library.consent_from_day", day=str(request.practice_date)),
                t("library.consent_by", name=literal(request.author_name)),
                t(f"library.status.{request.case_status}")]))
            with st.expander(t("library.consent_read"), expanded=request.status == "pending"):
                for name, text in request.texts.items():
                    if name != "title" and text:
                        st.markdown(f"**{t(f'library.field.{name}')}**")
                        st.text(text)
            yes, no = st.columns(2)
            answer = None
            if yes.button(t("library.consent_yes"), key=f"account_consent_yes_{request.case_id}",
                          disabled=request.status == "accepted", icon=":material/check:"):
                answer = True
            if no.button(t("library.consent_no"), key=f"account_consent_no_{request.case_id}",
                         disabled=request.status == "declined", icon=":material/block:"):
                answer = False
            if answer is not None:
                try:
                    consent.answer(db, actor, request.case_id, answer)
                except UserError as exc:
                    show_error(exc)
                else:
                    st.session_state["account_consent_notice"] = "library.consent_saved"
                    st.rerun()
    notice = st.session_state.pop("account_consent_notice", None)
    if notice:
        st.success(t(notice), icon=":material/check_circle:")


def graduate_line(db, actor) -> None:
    """A graduate's certificate, at the top of the library: why they still have a place here."""
    if not actor.has("graduate"):
        return
    for found in audience.certificates(db, actor)[:1]:
        st.caption(t("library.graduate_line", number=literal(found["certificate_no"]),
                     until=str(found["valid_until"])))


# -- the library: search -------------------------------------------------------------------------------------------
def library_views(actor) -> list[str]:
    views = ["search"]
    if actor.has(*CONTRIBUTORS):
        views += ["write", "mine"]
    if actor.has("manager"):
        views += ["review", "domains"]
    return views


def _case_filter(db, actor) -> CaseFilter:
    names = _domain_names(db, actor)
    live = [d.code for d in domains.domains(db, actor)]
    c1, c2, c3, c4 = st.columns([3, 2, 1, 2])
    _bind("library_q", "q")
    query = c1.text_input(t("library.search"), key="library_q", max_chars=QUERY_LIMIT,
                          placeholder=t("library.search_hint"), help=t("library.search_help"))
    _settle("library_q", "q", (query or "").strip())
    domain_options = ["", *live]
    _bind("library_domain", "domain", domain_options)
    domain = c2.selectbox(t("library.domain"), domain_options, key="library_domain",
                          format_func=lambda c: names.get(c, c) if c else t("library.domain_any"))
    _settle("library_domain", "domain", domain)
    competency_options = ["", "C1", "C2", "C3", "C4"]
    _bind("library_c", "c", competency_options)
    competency = c3.selectbox(t("library.competency"), competency_options, key="library_c",
                              format_func=lambda c: c or t("library.competency_any"))
    _settle("library_c", "c", competency)
    region_options = ["", *REGIONS]
    _bind("library_region", "region", region_options)
    region = c4.selectbox(t("library.region"), region_options, key="library_region", format_func=region_name)
    _settle("library_region", "region", region)
    return CaseFilter(query=query or "", domain=domain or None, competency=competency or None, region=region or None)


def search_view(db, actor) -> None:
    flt = _case_filter(db, actor)
    names = _domain_names(db, actor)
    page = max(1, param_int("page") or 1)
    found, total = case_search.search_cases(db, actor, flt, page)
    if not total:
        st.info(t("library.none_found"))
        return
    st.caption(t("library.found", count=total))
    kept = {k: st.query_params.get(k) for k in ("q", "domain", "c", "region") if st.query_params.get(k)}
    for row in found:
        with st.container(border=True):
            link("library", f"**{literal(row['title'])}**", ":material/article:", {**kept, "case": row["id"]})
            tags = [names.get(d, d) for d in row["domains"]] + [f"{c} {t(f'competency.short.{c}')}"
                                                                 for c in row["competencies"]]
            line = _badges(tags)
            if row["region"]:
                line += " " + _badges([region_name(row["region"])], "gray")
            st.markdown(line)
            cut = "…" if len(row["excerpt"]) >= case_search.EXCERPT else ""
            st.caption(f"{literal(' '.join(row['excerpt'].split()))}{cut} · {_when(row['published_at'])}")
    pages = -(-total // case_search.PAGE_SIZE)
    if pages > 1:
        chosen = st.number_input(t("library.page", pages=pages), min_value=1, max_value=pages, value=min(page, pages),
                                 key="library_page")
        if chosen != page:
            _open({"page": chosen if chosen > 1 else None})


# -- the library: one case -----------------------------------------------------------------------------------------
def case_page(db, actor, case_id: int) -> None:
    """One case: tags, texts, partners, related cases, the printable page, and what this person may do with it."""
    kept = {k: st.query_params.get(k) for k in ("q", "domain", "c", "region") if st.query_params.get(k)}
    link("library", t("library.back"), ":material/arrow_back:", kept)
    try:
        view = cases.case(db, actor, case_id)
    except UserError as exc:
        show_error(exc)
        return
    _case_notice(view)
    names = _domain_names(db, actor)
    content = view.content
    st.header(literal(content.title))
    line = _badges([names.get(d, d) for d in content.domains])
    if content.region:
        line += " " + _badges([region_name(content.region)], "gray")
    st.markdown(line)
    competency_tags(list(content.competencies))
    facts = []
    if view.status != "published":
        facts.append(t(f"library.status.{view.status}"))
    if view.published_at is not None:
        facts.append(t("library.published_on", day=_when(view.published_at)))
    if view.author_name:
        facts.append(t("library.author", name=literal(view.author_name)))
    if view.consent:
        facts.append(t(f"library.consent.{view.consent}"))
    elif view.from_reflection and view.author_name and view.status in ("draft", "returned"):
        facts.append(t("library.consent_on_proposal"))
    st.caption(" · ".join(facts))
    if view.return_reason and view.status == "returned":
        st.warning(t("library.returned_because", reason=literal(view.return_reason)), icon=":material/undo:")
    for name in ("situation", "actions", "partners_note", "outcome", "lessons"):
        text = getattr(content, name)
        if name == "partners_note":
            if view.partners or text:
                st.markdown(f"**{t('library.field.partners')}**")
                for p in view.partners:
                    link("partners", f"{literal(p['name'])} ({prefecture_name(p['prefecture'])})",
                         ":material/handshake:", {"partner": p["id"]})
                if text:
                    st.text(text)
            continue
        st.markdown(f"**{t(f'library.field.{name}')}**")
        st.text(text or "—")
    _case_actions(db, actor, view)
    if view.status == "published":
        related = case_search.related_cases(db, actor, case_id)
        if related:
            st.markdown(f"**{t('library.related')}**")
            for row in related:
                link("library", literal(row["title"]), ":material/article:", {**kept, "case": row["id"]})
    st.download_button(t("library.print"), lambda: exports.printable_page(*_printable(view, names)).encode("utf-8"),
                       file_name=f"case-{view.id}.html", mime="text/html", key="library_print", icon=":material/print:",
                       on_click="ignore")


def _case_notice(view) -> None:
    """What the person's last action on this case did, at the top of the case (a proposal drawn from a reflection
    says what comes next, in order: the trainee's answer, then a manager's decision)."""
    notice = st.session_state.pop("library_notice", None)
    if not notice:
        return
    if notice == "library.proposed" and view.from_reflection and view.consent != "accepted":
        notice = "library.proposed_from_reflection"
    st.success(t(notice), icon=":material/check_circle:")


def _printable(view, names: dict[str, str]) -> tuple[str, list]:
    """The printable page's title and sections (exports.printable_page escapes every value)."""
    content = view.content
    tags = [names.get(d, d) for d in content.domains] + list(content.competencies)
    facts = [(t("library.tags"), " / ".join(tags)),
             (t("library.region"), region_name(content.region) if content.region else t("library.region_none"))]
    if view.partners:
        facts.append((t("library.field.partners"),
                      "\n".join(f"{p['name']} ({prefecture_name(p['prefecture'])})" for p in view.partners)))
    texts = [(t(f"library.field.{n}"), getattr(content, n)) for n in cases.TEXT_LIMITS if n != "title"
             and getattr(content, n)]
    return content.title, [(t("library.print_facts"), facts), (t("library.print_case"), texts)]


def _findings_panel(form_id: str) -> bool:
    """The privacy guard's findings of the last refused proposal or publication of this form, and the button that
    replaces them with the marker. True when findings are shown."""
    held = st.session_state.get(FINDINGS)
    if not held or held[0] != form_id:
        return False
    with st.container(border=True):
        st.warning(t("library.privacy_blocked", count=len(held[1])), icon=":material/privacy_tip:")
        for finding in held[1]:
            kind = t("library.client_code") if finding.kind == client_codes.KIND else t(f"privacy.{finding.kind}")
            st.markdown(t("library.privacy_item", kind=kind,
                          field=t(f"library.field.{finding.field}"), text=plain(finding.text)))
        st.caption(t("library.privacy_howto", marker=MARKER))
    return True


def _case_actions(db, actor, view) -> None:
    form_id = f"case{view.id}"
    if view.may_edit:
        link("library", t("library.edit"), ":material/edit:", {"view": "write", "edit": view.id})
    mine = view.author_id == actor.id
    failed = st.session_state.pop("library_redact_error", None)
    if failed is not None:
        show_error(failed)
    if _findings_panel(form_id) and view.may_edit:
        st.button(t("library.redact"), key="library_redact_case", icon=":material/auto_fix_high:",
                  on_click=_redact_saved, args=(db, actor, view))

    def attempt(write, notice: str) -> None:
        try:
            write()
        except PrivacyFindings as exc:
            st.session_state[FINDINGS] = (form_id, exc.findings)
            st.rerun()
        except UserError as exc:
            show_error(exc)
        else:
            st.session_state.pop(FINDINGS, None)
            st.session_state["library_notice"] = notice
            st.rerun()

    if mine and view.status in ("draft", "returned") and st.button(
            t("library.propose"), key="library_propose", type="primary", icon=":material/send:"):
        attempt(lambda: cases.propose_case(db, actor, view.id, view.row_version), "library.proposed")
    if view.may_decide and view.status == "proposed":
        waiting = view.from_reflection and view.consent != "accepted"  # the service refuses it too
        if st.button(t("library.publish"), key="library_publish", type="primary", icon=":material/publish:",
                     disabled=waiting):
            attempt(lambda: cases.publish_case(db, actor, view.id, view.row_version), "library.published")
        if waiting:
            st.caption(t("library.publish_needs_consent" if view.consent != "declined"
                         else "library.publish_consent_declined"))
        with st.form(form_key(f"library_return_{view.id}")):
            reason = st.text_area(t("library.return_reason"), key="library_return_reason", max_chars=REASON_LIMIT,
                                  height=80)
            if st.form_submit_button(t("library.return")):
                form_done(f"library_return_{view.id}")
                attempt(lambda: cases.return_case(db, actor, view.id, reason, view.row_version), "library.returned")
    if (view.may_decide or (mine and view.status in ("draft", "proposed", "returned"))) \
            and view.status != "withdrawn":
        with st.expander(t("library.withdraw"), icon=":material/delete:"), \
                st.form(form_key(f"library_withdraw_{view.id}")):
            reason = st.text_area(t("library.withdraw_reason"), key="library_withdraw_reason",
                                  max_chars=REASON_LIMIT, height=80)
            if st.form_submit_button(t("library.withdraw_button")):
                form_done(f"library_withdraw_{view.id}")
                attempt(lambda: cases.withdraw_case(db, actor, view.id, reason, view.row_version),
                        "library.withdrawn")


def _redact_saved(db, actor, view) -> None:
    """Replace the guard's findings in a saved case and save it (the person reads the result on the page)."""
    try:
        cases.save_case(db, actor, view.id, cases.redacted(view.content), view.row_version)
    except UserError as exc:
        st.session_state["library_redact_error"] = exc
    else:
        st.session_state.pop(FINDINGS, None)


# -- the library: writing ------------------------------------------------------------------------------------------
def write_view(db, actor) -> None:
    """A new case (written, or drawn from a reflection: ?from=<id>) or an edit of one (?edit=<id>)."""
    edit_id, source_id = param_int("edit"), param_int("from")
    if edit_id is not None:
        try:
            view = cases.case(db, actor, edit_id)
        except UserError as exc:
            show_error(exc)
            return
        if not view.may_edit:
            st.info(t("library.not_editable"))
            return
        st.subheader(t("library.editing", title=literal(view.content.title)))
        _case_form(db, actor, f"edit{edit_id}", view.content, case_id=edit_id, row_version=view.row_version,
                   may_propose=view.author_id == actor.id and view.status in ("draft", "returned"))
        return
    start = CaseInput()
    if source_id is not None:
        try:
            start = cases.from_reflection(db, actor, source_id)
        except UserError as exc:
            show_error(exc)
            return
        st.info(t("library.drawn_from_reflection", marker=MARKER), icon=":material/info:")
    elif actor.has("supervisor"):
        _source_picker(db, actor)
    _case_form(db, actor, f"from{source_id}" if source_id else "new", start, reflection_id=source_id,
               may_propose=True)


def _source_picker(db, actor) -> None:
    sources = cases.reflection_sources(db, actor)
    if not sources:
        return
    with st.expander(t("library.from_reflection"), icon=":material/library_add:"):
        st.caption(t("library.from_reflection_help"))
        labels = {s["id"]: f"{s['practice_date']} · {s['trainee_name']} · {s['excerpt']}" for s in sources}
        chosen = st.selectbox(t("library.reflection"), list(labels), key="library_source",
                              format_func=labels.get, placeholder=t("library.reflection_hint"), index=None)
        if st.button(t("library.start_from_reflection"), key="library_start_from", disabled=chosen is None):
            _open({"view": "write", "from": chosen})


def _form_keys(form_id: str) -> dict[str, str]:
    return {name: f"library_{form_id}_{name}" for name in
            (*cases.TEXT_LIMITS, "domains", "competencies", "region", "partners")}


def _fill(keys: dict[str, str], content: CaseInput) -> None:
    for name in cases.TEXT_LIMITS:
        st.session_state.setdefault(keys[name], getattr(content, name))
    st.session_state.setdefault(keys["domains"], list(content.domains))
    st.session_state.setdefault(keys["competencies"], list(content.competencies))
    st.session_state.setdefault(keys["region"], content.region or "")
    st.session_state.setdefault(keys["partners"], list(content.partner_ids))


def _typed(keys: dict[str, str]) -> CaseInput:
    state = st.session_state
    return CaseInput(**{name: state.get(keys[name]) or "" for name in cases.TEXT_LIMITS},
                     domains=tuple(state.get(keys["domains"]) or ()),
                     competencies=tuple(state.get(keys["competencies"]) or ()),
                     region=state.get(keys["region"]) or None, partner_ids=tuple(state.get(keys["partners"]) or ()))


def _redact_typed(keys: dict[str, str]) -> None:
    cleaned = cases.redacted(_typed(keys))
    for name in cases.TEXT_LIMITS:
        st.session_state[keys[name]] = getattr(cleaned, name)
    st.session_state.pop(FINDINGS, None)


def _case_form(db, actor, form_id: str, start: CaseInput, *, case_id: int | None = None, row_version: int = 0,
               reflection_id: int | None = None, may_propose: bool = False) -> None:
    keys = _form_keys(form_id)
    _fill(keys, start)
    names = _domain_names(db, actor)
    live = [d.code for d in domains.domains(db, actor)]
    choices = {p["id"]: f"{p['name']} ({prefecture_name(p['prefecture'])})"
               for p in partners.partner_choices(db, actor)}
    if _findings_panel(form_id):
        st.button(t("library.redact"), key=f"library_redact_{form_id}", icon=":material/auto_fix_high:",
                  on_click=_redact_typed, args=(keys,))
    with st.form(f"library_form_{form_id}", border=True):
        st.text_input(t("library.field.title"), key=keys["title"], max_chars=cases.TEXT_LIMITS["title"])
        for name in ("situation", "actions", "partners_note", "outcome", "lessons"):
            st.text_area(t(f"library.field.{name}"), key=keys[name], max_chars=cases.TEXT_LIMITS[name],
                         height=80 if name == "partners_note" else 140, help=t(f"library.field_help.{name}"))
        c1, c2 = st.columns(2)
        c1.multiselect(t("library.domains"), [*live, *[d for d in st.session_state[keys["domains"]] if d not in live]],
                       key=keys["domains"], format_func=lambda c: names.get(c, c), placeholder=t("library.choose"))
        c2.multiselect(t("library.competencies"), ["C1", "C2", "C3", "C4"], key=keys["competencies"],
                       format_func=lambda c: f"{c} {t(f'competency.short.{c}')}", placeholder=t("library.choose"))
        c3, c4 = st.columns(2)
        c3.selectbox(t("library.region"), ["", *REGIONS], key=keys["region"],
                     format_func=lambda c: region_name(c) if c else t("library.region_none"))
        c4.multiselect(t("library.partners_used"), list(choices), key=keys["partners"], format_func=choices.get,
                       placeholder=t("library.choose"), help=t("library.partners_used_help"))
        b1, b2 = st.columns(2)
        save = b1.form_submit_button(t("library.save_draft" if case_id is None or may_propose else "library.save"),
                                     icon=":material/save:")
        propose = b2.form_submit_button(t("library.save_and_propose"), type="primary", icon=":material/send:") \
            if may_propose else False
    if not (save or propose):
        return
    content = _typed(keys)
    try:
        if case_id is None:
            case_id = cases.new_case(db, actor, content, reflection_id=reflection_id)
            row_version = 1
        else:
            row_version = cases.save_case(db, actor, case_id, content, row_version)
        if propose:
            cases.propose_case(db, actor, case_id, row_version)
    except PrivacyFindings as exc:  # saved as a draft, not proposed: go on editing it with the findings shown
        st.session_state[FINDINGS] = (f"edit{case_id}", exc.findings)
        if form_id != f"edit{case_id}":
            for key in keys.values():
                st.session_state.pop(key, None)
        _open({"view": "write", "edit": case_id, "from": None})
    except UserError as exc:
        show_error(exc)
        return
    for key in keys.values():
        st.session_state.pop(key, None)
    st.session_state.pop(FINDINGS, None)
    st.session_state["library_notice"] = "library.proposed" if propose else "library.saved"
    _open({"view": None, "edit": None, "from": None, "case": case_id})


# -- the library: the writer's and the managers' lists -------------------------------------------------------------
def mine_view(db, actor) -> None:
    rows = cases.my_cases(db, actor)
    if not rows:
        st.info(t("library.mine_none"))
        return
    for row in rows:
        with st.container(border=True):
            link("library", f"**{literal(row['title'])}**", ":material/article:", {"case": row["id"]})
            facts = [t(f"library.status.{row['status']}"), _when(row["updated_at"])]
            if row["consent"]:
                facts.append(t(f"library.consent.{row['consent']}"))
            st.caption(" · ".join(facts))
            if row["status"] == "returned" and row["return_reason"]:
                st.caption(t("library.returned_because", reason=literal(row["return_reason"])))


def review_view(db, actor) -> None:
    rows = cases.review_queue(db, actor)
    st.caption(t("library.review_help"))
    if not rows:
        st.info(t("library.review_none"))
        return
    for row in rows:
        with st.container(border=True):
            link("library", f"**{literal(row['title'])}**", ":material/article:", {"case": row["id"]})
            facts = [t("library.author", name=literal(row["author_name"])), _when(row["proposed_at"])]
            if row["from_reflection"]:
                facts.append(t(f"library.consent.{row['consent'] or 'pending'}"))
            if row["flagged"]:
                facts.append(t("library.flagged", count=row["flagged"]))
            st.caption(" · ".join(facts))


def domains_view(db, actor) -> None:
    """Managers: the programme's domains (names in both languages, order, retired), one save."""
    st.caption(t("library.domains_help"))
    current = domains.domains(db, actor, include_retired=True)
    seen_key = "library_domains_seen"
    seen = st.session_state.setdefault(seen_key, current)
    rows = [{"code": d.code, "name_ja": d.name_ja, "name_en": d.name_en, "retired": d.retired} for d in seen]
    edited = st.data_editor(
        rows, key="library_domains_editor", num_rows="dynamic", hide_index=True, width="stretch",
        column_config={"code": st.column_config.TextColumn(t("library.domain_code"), disabled=True),
                       "name_ja": st.column_config.TextColumn(t("library.domain_ja"), required=True,
                                                              max_chars=domains.DOMAIN_NAME_LIMIT),
                       "name_en": st.column_config.TextColumn(t("library.domain_en"), required=True,
                                                              max_chars=domains.DOMAIN_NAME_LIMIT),
                       "retired": st.column_config.CheckboxColumn(t("library.domain_retired"))})
    if st.button(t("library.domains_save"), key="library_domains_save", type="primary", icon=":material/save:"):
        try:
            changed = domains.save_domains(db, actor, [domains.Domain(r.get("code") or "", r.get("name_ja") or "",
                                                                      r.get("name_en") or "", bool(r.get("retired")))
                                                       for r in edited], seen)
        except StaleWrite as exc:  # another manager saved meanwhile: start again from their list
            st.session_state.pop(seen_key, None)
            st.session_state.pop("library_domains_editor", None)
            show_error(exc)
            return
        except UserError as exc:
            show_error(exc)
            return
        st.session_state.pop(seen_key, None)
        st.session_state.pop("library_domains_editor", None)
        st.session_state["library_notice"] = "library.domains_saved" if changed else "library.domains_unchanged"
        st.rerun()
    notice = st.session_state.pop("library_notice", None)
    if notice:
        st.success(t(notice), icon=":material/check_circle:")


# -- the partner directory -----------------------------------------------------------------------------------------
def partner_views(actor) -> list[str]:
    views = ["search"]
    if actor.has(*CONTRIBUTORS):
        views += ["propose", "mine"]
    if actor.has("manager"):
        views += ["review", "import"]
    return views


def _partner_filter(db, actor) -> PartnerFilter:
    names = _domain_names(db, actor)
    live = [d.code for d in domains.domains(db, actor)]
    c1, c2 = st.columns([3, 2])
    _bind("partners_q", "q")
    query = c1.text_input(t("partners.search"), key="partners_q", max_chars=QUERY_LIMIT,
                          placeholder=t("partners.search_hint"), help=t("partners.search_help"))
    _settle("partners_q", "q", (query or "").strip())
    field_options = ["", *live]
    _bind("partners_field", "field", field_options)
    field = c2.selectbox(t("partners.field"), field_options, key="partners_field",
                         format_func=lambda c: names.get(c, c) if c else t("library.domain_any"))
    _settle("partners_field", "field", field)
    c3, c4 = st.columns(2)
    region_options = ["", *REGIONS]
    _bind("partners_region", "region", region_options)
    region = c3.selectbox(t("library.region"), region_options, key="partners_region", format_func=region_name)
    _settle("partners_region", "region", region)
    pref_options = ["", *[c for c, r in PREFECTURES.items() if not region or r == region]]
    _bind("partners_pref", "pref", pref_options)
    prefecture = c4.selectbox(t("partners.prefecture"), pref_options, key="partners_pref", format_func=prefecture_name)
    _settle("partners_pref", "pref", prefecture)
    return PartnerFilter(query=query or "", field=field or None, region=region or None, prefecture=prefecture or None)


def partner_search_view(db, actor) -> None:
    flt = _partner_filter(db, actor)
    names = _domain_names(db, actor)
    page = max(1, param_int("page") or 1)
    found, total = partners.search_partners(db, actor, flt, page)
    if not total:
        st.info(t("partners.none_found"))
    else:
        st.caption(t("partners.found", count=total))
        kept = {k: st.query_params.get(k) for k in ("q", "field", "region", "pref") if st.query_params.get(k)}
        for row in found:
            with st.container(border=True):
                link("partners", f"**{literal(row['name'])}**", ":material/handshake:", {**kept, "partner": row["id"]})
                st.markdown(_badges([names.get(f, f) for f in row["fields"]]) + " "
                            + _badges([prefecture_name(row["prefecture"])], "gray"))
                details = [literal(" ".join(row["helps_with"].split()))] if row["helps_with"] else []
                if row["languages"]:
                    details.append(t("partners.languages_line", languages=literal(row["languages"])))
                if row["cases"]:
                    details.append(t("partners.cases_count", count=row["cases"]))
                if details:
                    st.caption(" · ".join(details))
        pages = -(-total // partners.PAGE_SIZE)
        if pages > 1:
            chosen = st.number_input(t("library.page", pages=pages), min_value=1, max_value=pages,
                                     value=min(page, pages), key="partners_page")
            if chosen != page:
                _open({"page": chosen if chosen > 1 else None})
    _export_buttons(db, actor)


def _export_buttons(db, actor) -> None:
    lang = language()
    d1, d2 = st.columns(2)
    sheet = t("nav.partners")
    d1.download_button(t("partners.export_csv"), lambda: exports.csv_bytes(partner_import.export_partners(db, actor,
                                                                                                         lang)),
                       file_name="partners.csv", mime="text/csv", key="partners_csv", icon=":material/download:",
                       on_click="ignore")
    d2.download_button(t("partners.export_xlsx"),
                       lambda: exports.xlsx_bytes(partner_import.export_partners(db, actor, lang), sheet),
                       file_name="partners.xlsx", key="partners_xlsx", icon=":material/download:",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", on_click="ignore")


def partner_page(db, actor, partner_id: int) -> None:
    kept = {k: st.query_params.get(k) for k in ("q", "field", "region", "pref") if st.query_params.get(k)}
    link("partners", t("partners.back"), ":material/arrow_back:", kept)
    try:
        view = partners.partner(db, actor, partner_id)
    except UserError as exc:
        show_error(exc)
        return
    names = _domain_names(db, actor)
    content = view.content
    st.header(literal(content.name))
    st.markdown(_badges([names.get(f, f) for f in content.fields]) + " "
                + _badges([prefecture_name(content.prefecture), region_name(view.region)], "gray"))
    if view.proposer_name:
        st.caption(" · ".join([t(f"library.status.{view.status}"),
                               t("partners.proposed_by", name=literal(view.proposer_name))]))
    if view.return_reason and view.status == "returned":
        st.warning(t("library.returned_because", reason=literal(view.return_reason)), icon=":material/undo:")
    for name in ("helps_with", "languages", "contact", "hours", "notes"):
        text = getattr(content, name)
        if text:
            st.markdown(f"**{t(f'partners.field.{name}')}**")
            st.text(text)
    if view.cases:
        st.markdown(f"**{t('partners.cases')}**")
        for row in view.cases:
            link("library", literal(row["title"]), ":material/article:", {"case": row["id"]})
    _partner_actions(db, actor, view)


def _partner_actions(db, actor, view) -> None:
    def attempt(write, notice: str) -> None:
        try:
            write()
        except UserError as exc:
            show_error(exc)
        else:
            st.session_state["partners_notice"] = notice
            st.rerun()

    if view.may_decide and view.status in ("proposed", "returned") and st.button(
            t("partners.publish"), key="partners_publish", type="primary", icon=":material/publish:"):
        attempt(lambda: partners.publish_partner(db, actor, view.id, view.row_version), "partners.published")
    if view.may_edit:
        with st.expander(t("partners.edit"), icon=":material/edit:"):
            _partner_form(db, actor, f"edit{view.id}", view.content, partner_id=view.id, row_version=view.row_version)
    if view.may_decide and view.status == "proposed":
        with st.form(form_key(f"partners_return_{view.id}")):
            reason = st.text_area(t("library.return_reason"), key="partners_return_reason", max_chars=REASON_LIMIT,
                                  height=80)
            if st.form_submit_button(t("library.return")):
                form_done(f"partners_return_{view.id}")
                attempt(lambda: partners.return_partner(db, actor, view.id, reason, view.row_version),
                        "partners.returned")
    if view.may_decide:
        with st.expander(t("partners.withdraw"), icon=":material/delete:"), \
                st.form(form_key(f"partners_withdraw_{view.id}")):
            reason = st.text_area(t("library.withdraw_reason"), key="partners_withdraw_reason",
                                  max_chars=REASON_LIMIT, height=80)
            if st.form_submit_button(t("library.withdraw_button")):
                form_done(f"partners_withdraw_{view.id}")
                attempt(lambda: partners.withdraw_partner(db, actor, view.id, reason, view.row_version),
                        "partners.withdrawn")
    notice = st.session_state.pop("partners_notice", None)
    if notice:
        st.success(t(notice), icon=":material/check_circle:")


def _partner_form(db, actor, form_id: str, start: PartnerInput, *, partner_id: int | None = None,
                  row_version: int = 0) -> None:
    names = _domain_names(db, actor)
    live = [d.code for d in domains.domains(db, actor)]
    with st.form(form_key(f"partners_form_{form_id}"), border=partner_id is None):
        name = st.text_input(t("partners.field.name"), value=start.name, max_chars=partners.TEXT_LIMITS["name"],
                             key=f"partners_{form_id}_name")
        c1, c2 = st.columns(2)
        prefectures = list(PREFECTURES)
        known = start.prefecture in prefectures
        prefecture = c1.selectbox(t("partners.prefecture"), prefectures,
                                  index=prefectures.index(start.prefecture) if known else None,
                                  format_func=prefecture_name, key=f"partners_{form_id}_pref",
                                  placeholder=t("library.choose"))
        fields = c2.multiselect(t("partners.fields"), [*live, *[f for f in start.fields if f not in live]],
                                default=list(start.fields), format_func=lambda c: names.get(c, c),
                                key=f"partners_{form_id}_fields", placeholder=t("library.choose"))
        texts = {}
        for field in ("helps_with", "languages", "contact", "hours", "notes"):
            limit = partners.TEXT_LIMITS[field]
            widget = st.text_area if limit > 300 else st.text_input
            texts[field] = widget(t(f"partners.field.{field}"), value=getattr(start, field), max_chars=limit,
                                  key=f"partners_{form_id}_{field}", help=t(f"partners.field_help.{field}"))
        submitted = st.form_submit_button(t("partners.save" if partner_id else "partners.propose"), type="primary",
                                          icon=":material/send:")
    if not submitted:
        return
    content = PartnerInput(name=name, prefecture=prefecture or "", fields=tuple(fields), **texts)
    try:
        if partner_id is None:
            partner_id = partners.propose_partner(db, actor, content)
            notice = "partners.proposed"
        else:
            partners.save_partner(db, actor, partner_id, content, row_version)
            notice = "partners.saved"
    except UserError as exc:
        show_error(exc)
        return
    form_done(f"partners_form_{form_id}")
    st.session_state["partners_notice"] = notice
    _open({"view": None, "partner": partner_id})


def partner_propose_view(db, actor) -> None:
    st.caption(t("partners.propose_help"))
    _partner_form(db, actor, "new", PartnerInput())


def partner_mine_view(db, actor) -> None:
    rows = partners.my_partners(db, actor)
    if not rows:
        st.info(t("partners.mine_none"))
        return
    for row in rows:
        with st.container(border=True):
            link("partners", f"**{literal(row['name'])}**", ":material/handshake:", {"partner": row["id"]})
            facts = [t(f"library.status.{row['status']}"), prefecture_name(row["prefecture"]), _when(row["updated_at"])]
            st.caption(" · ".join(facts))
            if row["status"] == "returned" and row["return_reason"]:
                st.caption(t("library.returned_because", reason=literal(row["return_reason"])))


def partner_review_view(db, actor) -> None:
    rows = partners.partner_queue(db, actor)
    if not rows:
        st.info(t("partners.review_none"))
        return
    names = _domain_names(db, actor)
    for row in rows:
        with st.container(border=True):
            link("partners", f"**{literal(row['name'])}**", ":material/handshake:", {"partner": row["id"]})
            fields = " / ".join(names.get(f, f) for f in row["fields"])
            st.caption(" · ".join([prefecture_name(row["prefecture"]), literal(fields),
                                   t("partners.proposed_by", name=literal(row["proposer_name"]))]))


def partner_import_view(db, actor) -> None:
    """Managers: the directory from a CSV or XLSX (a template in either language), every row checked, all or none."""
    st.caption(t("partners.import_help"))
    t1, t2 = st.columns(2)
    t1.download_button(t("partners.template_ja"), partner_import.template_csv("ja"),
                       file_name="連携先_テンプレート.csv", mime="text/csv", key="partners_template_ja",
                       icon=":material/download:")
    t2.download_button(t("partners.template_en"), partner_import.template_csv("en"),
                       file_name="partners-template.csv", mime="text/csv", key="partners_template_en",
                       icon=":material/download:")
    upload = st.file_uploader(t("partners.import_file"), type=["csv", "xlsx"], key="partners_upload")
    if upload is None:
        return
    data = upload.getvalue()
    preview = partner_import.preview_partners(db, actor, data, upload.name)
    preview_view(preview, {"name": "partners.field.name", "prefecture": "partners.prefecture",
                           "fields": "partners.fields"})
    if not preview.committable:
        st.error(t("partners.import_refused"))
        return
    counts = preview.counts
    if st.button(t("partners.import_commit", count=counts["created"] + counts["updated"]), type="primary",
                 key="partners_import_commit", disabled=not preview.changes):
        try:
            done = partner_import.commit_partners(db, actor, data, upload.name)
        except UserError as exc:
            show_error(exc)
            return
        st.success(t("partners.imported", count=done["created"] + done["updated"]), icon=":material/check_circle:")


# -- the workshop's case set (on /workshop) ------------------------------------------------------------------------
def workshop_case_set(db, actor, cohort: dict, day: int) -> list[dict]:
    """The library cases the day's discussion groups work on: managers choose them from the published library (in
    order); the programme office sees the list. Returns the set (for the printed group lists)."""
    chosen = workshop.case_set(db, actor, cohort["id"], day)
    st.markdown(f"**{t('library.case_set')}**")
    if actor.has("manager"):
        everything = case_search.published_titles(db, actor)
        with st.form(form_key(f"workshop_cases_{day}")):
            picked = st.multiselect(t("library.case_set_pick"), list(everything), default=[c["id"] for c in chosen],
                                    format_func=everything.get, key=f"workshop_cases_pick_{day}",
                                    max_selections=workshop.CASE_SET_LIMIT, placeholder=t("library.choose"),
                                    help=t("library.case_set_help"))
            if st.form_submit_button(t("library.case_set_save"), icon=":material/save:"):
                try:
                    workshop.set_case_set(db, actor, cohort["id"], day, picked)
                except UserError as exc:
                    show_error(exc)
                else:
                    form_done(f"workshop_cases_{day}")
                    st.rerun()
    if not chosen:
        st.caption(t("library.case_set_none"))
    for row in chosen:
        if actor.has("manager"):
            link("library", literal(row["title"]), ":material/article:", {"case": row["id"]})
        else:
            st.markdown(f"- {literal(row['title'])}")
    return chosen
