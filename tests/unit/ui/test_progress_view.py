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
    assert progress.calendar_legend(statuses, labels) == "■ label-submitted　✕ label-missing　· label-future"


def test_the_calendar_has_a_row_per_week_and_a_cell_per_weekday():
    start = date(2026, 6, 3)  # a Wednesday
    statuses = {start + timedelta(days=i): s for i, s in enumerate(
        ["submitted", "late", "missing", "weekend", "weekend", "off", "open", "future"])}
    table = progress.calendar_table(statuses, list("月火水木金土日"), "週")
    assert table.splitlines()[0] == "| 週 | 月 | 火 | 水 | 木 | 金 |"  # no weekend columns: nothing on a weekend
    first, second = rows(table)
    assert first == ["06/03", "", "", ":blue-background[■\u00a03]", ":orange-background[▲\u00a04]",
                     ":red-background[✕\u00a05]"]
    # a week is named by its first working day: the Monday is off here
    assert second == ["06/09", ":gray-background[－\u00a08]", ":blue-background[□\u00a09]", "·\u00a010", "", ""]


def test_a_reflection_on_a_weekend_brings_the_weekend_columns():
    saturday = date(2026, 6, 6)
    table = progress.calendar_table({saturday: "extra", saturday + timedelta(days=2): "submitted"},
                                    list("月火水木金土日"), "週")
    assert table.splitlines()[0].endswith("| 土 | 日 |")
    assert ":blue-background[◆\u00a06]" in rows(table)[0]


def test_competencies_say_the_level_against_the_pass_level_and_when_nothing_is_scored():
    profile = [{"code": "C1", "rubric_level": 2.5, "self_rating": 3.0},
               {"code": "C2", "rubric_level": None, "self_rating": 2.0},
               {"code": "C3", "rubric_level": 3.0, "self_rating": None}]
    table = progress.competency_table(profile, {"C1": "在留", "C2": "文化", "C3": "相談"})
    assert table.splitlines()[0] == \
        f"| {JA('progress.col_competency')} | {JA('progress.rubric_level')} | {JA('progress.self_rating')} |"
    c1, c2, c3 = rows(table)
    assert c1 == ["C1 在留", f"**2.5** / 4 :orange-badge[{JA('progress.below_pass_level', gap='0.5')}]", "3.0 / 4"]
    assert c2 == ["C2 文化", f":gray-badge[{JA('firsthour.not_yet_scored')}]", "2.0 / 4"]
    assert c3 == ["C3 相談", f"**3.0** / 4 :green-badge[{JA('progress.at_pass_level')}]", "—"]


def test_a_bar_in_a_label_does_not_break_the_table():
    table = progress.stage_table({"online": CALENDAR["online"]}, {"online": "A|B"}, date(2026, 4, 2))
    assert "A\\|B" in table
