"""The kappa chart draws the kappa programmes usually ask for as a labelled line, and each kappa's band on hover."""
from coordsupervise.dashboards.moderation_charts import kappa_chart

ROWS = [{"label": "A3", "kappa": 0.57, "band": "中程度の一致"}, {"label": "A8", "kappa": 0.74, "band": "かなりの一致"}]
LABELS = {"kappa": "重み付きκ", "group": "課題", "guide": "目安 κ 0.61"}


def test_the_guide_is_a_labelled_line_at_the_kappa_asked_for():
    fig = kappa_chart(ROWS, LABELS, guide=0.61)
    lines = [s for s in fig.layout.shapes if s.type == "line"]
    assert len(lines) == 1 and lines[0].y0 == lines[0].y1 == 0.61
    assert [a.text for a in fig.layout.annotations] == ["目安 κ 0.61"]
    assert list(fig.data[0].customdata) == ["中程度の一致", "かなりの一致"]


def test_without_a_guide_there_is_no_line():
    fig = kappa_chart(ROWS, LABELS)
    assert not fig.layout.shapes and not fig.layout.annotations
