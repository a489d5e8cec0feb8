"""A mail in the person's language: subject, plain text and a simple HTML alternative, every line from the
catalogues (reminders.json), every link built on the configured base URL to the screen that answers it.

What goes in is only what due.Item carries (counts, dates, programme data, a trainee's name); every value is
escaped in the HTML. The footer links to /account, where the person turns reminders off."""
from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlencode

from ..i18n import translate
from .due import Due

MAX_NAMES = 30  # trainees listed by name in one cohort's section; more are counted


@dataclass(frozen=True)
class Composed:
    subject: str
    text: str
    html: str


@dataclass(frozen=True)
class Line:
    """One line of a mail, with its link (or none) and lines below it."""

    text: str
    url: str = ""
    below: tuple[Line, ...] = ()


def link(base_url: str, route: str, query: dict | None = None) -> str:
    """The address of a screen on this deployment, e.g. https://host/scoring?state=to_score."""
    return f"{base_url.rstrip('/')}/{route}" + (f"?{urlencode(query)}" if query else "")


def day_text(language: str, day: date) -> str:
    if language == "ja":
        return translate(language, "reminders.date", y=day.year, m=day.month, d=day.day)
    return translate(language, "reminders.date", y=day.year, m=f"{day.month:02d}", d=f"{day.day:02d}")


def _title(language: str, fields: dict) -> str:
    return fields["title_ja"] if language == "ja" else fields["title_en"]


def _trainee_lines(due: Due, say, base: str) -> list[Line]:
    lang = due.recipient.language
    lines = []
    for item in due.items:
        f = item.fields
        url = link(base, item.route, item.query)
        if item.topic == "reflection_missing":
            lines.append(Line(say("reminders.item.reflection_missing", count=f["n"],
                                  day=day_text(lang, f["day"])), url))
        elif item.topic == "feedback_unread" and f["shown"]:
            lines.append(Line(say("reminders.item.feedback_unread", count=f["n"]), url))
        elif item.topic == "revision_requested":
            lines.append(Line(say("reminders.item.revision_requested", code=f["code"], title=_title(lang, f)), url))
        elif item.topic == "assignment_due":
            key = "reminders.item.assignment_overdue" if f["overdue"] else "reminders.item.assignment_soon"
            lines.append(Line(say(key, code=f["code"], title=_title(lang, f), day=day_text(lang, f["day"])), url))
        elif item.topic == "workshop_soon":
            lines.append(Line(say("reminders.item.workshop_soon", day=day_text(lang, f["day"])), url))
    return lines


def _reasons(say, reasons) -> str:
    return say("reminders.reason_separator").join(say(f"risk.reason.{rule}", n=n, detail=detail)
                                                   for rule, n, detail in reasons)


def _supervisor_lines(due: Due, say, base: str, reply_hours: int) -> list[Line]:
    digest = next(item for item in due.items if item.topic == "supervisor_digest")
    f = digest.fields
    lines = []
    if f["replies"]:
        lines.append(Line(say("reminders.item.replies", count=f["replies"], hours=reply_hours),
                          link(base, "inbox", {"noreply": "1"})))
    if f["to_score"]:
        lines.append(Line(say("reminders.item.to_score", count=f["to_score"]),
                          link(base, "scoring", {"state": "to_score"})))
    if f["second"]:
        lines.append(Line(say("reminders.item.second", count=f["second"]),
                          link(base, "scoring", {"state": "to_second_mark"})))
    if f["at_risk"]:
        people = tuple(Line(f"{item.fields['name']}: {_reasons(say, item.fields['fresh'])}",
                            link(base, item.route, item.query))
                       for item in due.items if item.topic == "supervisor_at_risk" and item.fields["shown"])
        lines.append(Line(say("reminders.item.at_risk", count=f["at_risk"]), link(base, "trainee"), people))
    return lines


def _manager_lines(due: Due, say, base: str) -> list[Line]:
    lang = due.recipient.language
    lines = []
    for item in due.items:
        f = item.fields
        below = []
        named = tuple(Line(f"{name}: {_reasons(say, reasons)}", link(base, "trainee", {"e": str(enrolment_id)}))
                      for name, reasons, enrolment_id in f["at_risk"][:MAX_NAMES])
        if len(f["at_risk"]) > MAX_NAMES:
            named += (Line(say("reminders.cohort.more", count=len(f["at_risk"]) - MAX_NAMES)),)
        below.append(Line(say("reminders.cohort.at_risk", count=len(f["at_risk"])), "", named))
        if f["disagreements"]:
            below.append(Line(say("reminders.cohort.disagreements", count=f["disagreements"]),
                              link(base, "moderation")))
        if f.get("rate") is not None:
            rate = say("reminders.cohort.rate", rate=f"{f['rate']:.1f}", day_no=f["day_no"])
            if "previous_rate" in f:
                rate += say("reminders.cohort.rate_compare", code=f["previous_code"], rate=f"{f['previous_rate']:.1f}")
            below.append(Line(rate))
        else:
            below.append(Line(say("reminders.cohort.no_rate")))
        name = f["name_ja"] if lang == "ja" else f["name_en"]
        lines.append(Line(f"{f['code']} {name}", link(base, item.route, item.query), tuple(below)))
    return lines


def compose(due: Due, base_url: str, reply_hours: int = 24) -> Composed:
    """The mail for one Due, in its recipient's language."""
    lang = due.recipient.language

    def say(key, **params):
        return translate(lang, key, **params)

    today = next((i.fields["day"] for i in due.items if i.topic in ("supervisor_digest", "manager_digest")), None)
    if due.kind == "trainee":
        lines = _trainee_lines(due, say, base_url)
        subject = say("reminders.subject.trainee", count=len(lines), name=due.recipient.display_name)
    elif due.kind == "supervisor":
        lines = _supervisor_lines(due, say, base_url, reply_hours)
        subject = say("reminders.subject.supervisor", day=day_text(lang, today))
    else:
        lines = _manager_lines(due, say, base_url)
        subject = say("reminders.subject.manager", day=day_text(lang, today))
    return _render(lang, subject, due.recipient.display_name, say(f"reminders.intro.{due.kind}"), lines, base_url)


def compose_test(language: str, display_name: str, base_url: str) -> Composed:
    """The admin's test mail: proves the settings work, links to the app."""
    say = lambda key, **p: translate(language, key, **p)  # noqa: E731
    return _render(language, say("reminders.subject.test"), display_name, say("reminders.intro.test"),
                   [Line(say("reminders.item.test"), link(base_url, "admin"))], base_url)


def _render(lang: str, subject: str, name: str, intro: str, lines: list[Line], base_url: str) -> Composed:
    say = lambda key, **p: translate(lang, key, **p)  # noqa: E731
    greeting = say("reminders.greeting", name=name)
    footer = say("reminders.footer", url=link(base_url, "account"))

    def text_of(line: Line, depth: int) -> list[str]:
        indent = "  " * depth
        out = [f"{indent}・{line.text}" if lang == "ja" else f"{indent}- {line.text}"]
        if line.url:
            out.append(f"{indent}  {line.url}")
        for child in line.below:
            out += text_of(child, depth + 1)
        return out

    body = [greeting, "", intro, ""]
    for line in lines:
        body += text_of(line, 0) + [""]
    body += ["--", footer, ""]

    def html_of(line: Line) -> str:
        e = html.escape
        text = f'<a href="{e(line.url, quote=True)}">{e(line.text)}</a>' if line.url else e(line.text)
        children = "".join(html_of(child) for child in line.below)
        return f"<li>{text}{f'<ul>{children}</ul>' if children else ''}</li>"

    footer_html = html.escape(footer).replace(
        html.escape(link(base_url, "account")),
        f'<a href="{html.escape(link(base_url, "account"), quote=True)}">{html.escape(link(base_url, "account"))}</a>')
    page = (f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>{html.escape(subject)}</title>'
            '</head><body style="font-family: sans-serif; line-height: 1.6">'
            f"<p>{html.escape(greeting)}</p><p>{html.escape(intro)}</p>"
            f"<ul>{''.join(html_of(line) for line in lines)}</ul>"
            f'<hr><p style="color: #555; font-size: small">{footer_html}</p></body></html>')
    return Composed(subject, "\n".join(body), page)

