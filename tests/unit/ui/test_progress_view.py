"""Where a trainee stands, as text tables (ui/progress.py): the stages with the current one, the practice calendar
with a mark per status and a legend, the competencies against the pass level."""
from datetime import date, timedelta

from coordsupervise.i18n import translate
from coordsupervise.ui import progress

CALENDAR = {"online": (date(2026, 4, 1), date(2026, 5, 31)), "practical": (date(2026, 6, 1), date(2026, 8, 31)),
            "certification": (date(2026, 9, 5), date(2026, 9, 5))}
LABELS = {"online": "オンライン", "practical": "実践研修", "certification": "認証"}


def JA(key, **params):
    return translate("ja", key, **params)


def rows(markdown: str) -> list[list[str]]:
    """The body rows of a Markdown table, cell by cell."""
    return [[c.strip() for c in line.strip("|").split(" | ")] for line in markdown.splitlines()[2:]]


def test_each_stage_says_whether_it_is_over_on_today_or_to_come():
    table = progress.stage_table(CALENDAR, LABELS, date(2026, 6, 10))
    online, practical, certification = rows(table)
    assert online == ["オンライン", "2026/04/01 – 2026/05/31", f":gray-badge[{JA('progress.stage_done')}]"]
    assert practical[0] == "**実践研修**"  # today's stage stands out
    assert practical[2] == f":blue-badge[{JA('progress.stage_now')}] {JA('progress.days_left', count=82)}"
    assert certification == ["認証", "2026/09/05", JA("progress.stage_next")]  # a one-day stage: one date


def test_the_stage_of_today_gives_its_day_and_length_and_none_between_stages():
    assert progress.stage_day(CALENDAR, date(2026, 6, 1)) == ("practical", 1, 92)
    assert progress.stage_day(CALENDAR, date(2026, 8, 31)) == ("practical", 92, 92)
    assert progress.stage_day(CALENDAR, date(2026, 9, 2)) is None


def test_every_day_status_has_its_own_mark_and_the_legend_names_each_shown():
    marks = [mark for status, (mark, _colour) in progress.DAY_MARKS.items() if status != "weekend"]
    assert len(set(marks)) == len(marks) and all(marks)  # the mark alone tells every status apart
    # done, late and missing: a filled square, a triangle, a cross; never green against red
    assert [progress.DAY_MARKS[s] for s in ("submitted", "late", "missing")] == \
        [("■", "blue"), ("▲", "orange"), ("✕", "red")]
    statuses = {date(2026, 6, 1): "submitted", date(2026, 6, 2): "missing", date(2026, 6, 3): "future"}
    labels = {s: f"label-{s}" for s in progress.DAY_MARKS}
    assert progress.calendar_legend(statuses, labels) == \
        "■\u00a0label-submitted　✕\u00a0label-missing　·\u00a0label-future"
    assert progress.DAY_MARKS["open"][1] != progress.DAY_MARKS["submitted"][1]  # still open: not a done day's tint


def test_the_calendar_has_a_row_per_week_and_a_cell_per_weekday():
    start = date(2026, 6, 3)  # a Wednesday
    statuses = {start + timedelta(days=i): s for i, s in enumerate(
        ["submitted", "late", "missing", "weekend", "weekend", "off", "open", "future"])}
    table = progress.calendar_table(statuses, list("月火水木金土日"))
    assert table.splitlines()[0] == "| 月 | 火 | 水 | 木 | 金 |"  # no weekend columns: nothing on a weekend
    first, second = rows(table)
    glue = progress.GLUE
    assert first == ["", "", f":blue-background[■{glue}6/3]", f":orange-background[▲{glue}4]",
                     f":red-background[✕{glue}5]"]  # the first day says its month
    assert second == [f":gray-background[－{glue}8]", f":yellow-background[□{glue}9]", f"·{glue}10", "", ""]


def test_the_first_of_a_month_says_its_month():
    statuses = {date(2026, 6, 30): "submitted", date(2026, 7, 1): "future"}
    table = progress.calendar_table({date(2026, 6, 29): "submitted", **statuses}, list("月火水木金土日"))
    assert rows(table)[0][:3] == [f":blue-background[■{progress.GLUE}6/29]", f":blue-background[■{progress.GLUE}30]",
                                  f"·{progress.GLUE}7/1"]


def test_a_reflection_on_a_weekend_brings_the_weekend_columns():
    saturday = date(2026, 6, 6)
    table = progress.calendar_table({saturday: "extra", saturday + timedelta(days=2): "submitted"},
                                    list("月火水木金土日"))
    assert table.splitlines()[0].endswith("| 土 | 日 |")
    assert f":blue-background[◆{progress.GLUE}6/6]" in rows(table)[0]


def test_competencies_give_the_mean_level_and_say_when_nothing_is_scored():
    """No pass mark beside a mean: certification judges the report (the checklist says), and a mean over every
    assignment below 3 must not read as failing a certified trainee."""
    profile = [{"code": "C1", "rubric_level": 2.5, "self_rating": 3.0},
               {"code": "C2", "rubric_level": None, "self_rating": 2.0},
               {"code": "C3", "rubric_level": 3.0, "self_rating": None}]
    table = progress.competency_table(profile, {"C1": "在留", "C2": "文化", "C3": "相談"})
    assert table.splitlines()[0] == \
        f"| {JA('progress.col_competency')} | {JA('progress.rubric_level')} | {JA('progress.self_rating')} |"
    assert rows(table) == [["C1 在留", "**2.5** / 4", "3.0 / 4"],
                           ["C2 文化", f":gray-badge[{JA('firsthour.not_yet_scored')}]", "2.0 / 4"],
                           ["C3 相談", "**3.0** / 4", "—"]]
    assert "badge" not in "".join(r[1] for r in rows(table) if "未採点" not in r[1])


def test_behind_says_how_many_reflections_the_bar_still_needs():
    monday = date(2026, 6, 1)
    days = [monday + timedelta(days=i) for i in range(14) if (monday + timedelta(days=i)).weekday() < 5]  # 10 days
    statuses = {d: s for d, s in zip(days, ["submitted", "missing", "missing", "submitted", "late"] + ["future"] * 5,
                                     strict=True)}
    assert progress.behind(statuses, 80) == (5, 5)  # 3 of 5 so far; 80 % of 10 days is 8: 5 more of the 5 left
    assert progress.behind(statuses, 50) is None  # 60 % so far: not behind
    statuses[days[5]] = "missing"
    assert progress.behind(statuses, 80) == (5, 4)  # out of reach: 5 needed, 4 left


def test_a_competency_name_is_literal_text_in_its_cell():
    table = progress.competency_table([{"code": "C1", "rubric_level": None, "self_rating": None}],
                                      {"C1": "在留|支援 ![x](https://example.com/a.png)"})
    cell = rows(table)[0][0]
    assert "\\|" in cell and "\\!\\[x\\]" in cell  # escaped: shown as written, never an image


def test_a_bar_in_a_label_does_not_break_the_table():
    table = progress.stage_table({"online": CALENDAR["online"]}, {"online": "A|B"}, date(2026, 4, 2))
    assert "A\\|B" in table
