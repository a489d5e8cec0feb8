"""What changed between two versions of a text: the changed lines with a line of context, and inside a rewritten
line only the characters (Japanese) or words (English) that changed, so a supervisor sees the few words a trainee
rewrote instead of a patch."""
from coordsupervise.text.textdiff import DiffLine, line_diff


def changed(line: DiffLine) -> list[str]:
    return [text for text, is_changed in line.parts if is_changed]


def test_nothing_changed_is_no_lines():
    assert line_diff("一行目\n二行目", "一行目\n二行目") == []
    assert line_diff(None, "") == []
    assert line_diff("一行目\n", "一行目") == []  # a trailing line break changes no line


def test_a_rewritten_japanese_line_marks_only_the_characters_that_changed():
    old = "相談者コード K-177: 労働・住まいの2つに切り分け、緊急度で順位づけした。"
    new = "相談者コード K-177: 労働・住まい・医療の3つに切り分け、在留期限を最優先に順位づけした。"
    removed, added = line_diff(old, new)
    assert (removed.kind, added.kind) == ("removed", "added")
    assert removed.text == old and added.text == new
    # 「の」 alone between two changes joins them: 「の2」 became 「・医療の3」
    assert changed(removed) == ["の2", "緊急度で"]
    assert changed(added) == ["・医療の3", "在留期限を最優先に"]
    assert "相談者コード K-177: 労働・住まい" in [text for text, is_changed in added.parts if not is_changed]


def test_a_single_unchanged_character_between_two_changes_joins_them():
    removed, added = line_diff("今日は相談を受けた。", "昨日も電話を受けた。")
    assert changed(removed) == ["今日は相談"] and changed(added) == ["昨日も電話"]


def test_english_changes_word_by_word():
    removed, added = line_diff("The quick brown fox", "The slow brown dog")
    assert changed(removed) == ["quick", "fox"] and changed(added) == ["slow", "dog"]


def test_context_lines_and_gaps_around_a_change():
    old = "\n".join(f"{n}行目" for n in range(1, 10))
    new = old.replace("5行目", "5行目を直した")
    lines = line_diff(old, new)
    assert [line.kind for line in lines] == ["gap", "same", "removed", "added", "same", "gap"]
    assert [lines[1].text, lines[4].text] == ["4行目", "6行目"]
    assert changed(lines[3]) == ["を直した"] and changed(lines[2]) == []


def test_one_line_rewritten_and_lines_added_pairs_the_rewritten_line_with_its_old_self():
    old = "## 見立て\n在留期限が近い。"
    new = "## 見立て\n追加した前置き\n在留期限が三週間後に近い。\n## 改訂\n優先順位を見直した。"
    lines = line_diff(old, new)
    assert [(line.kind, line.text) for line in lines] == [
        ("same", "## 見立て"), ("added", "追加した前置き"), ("removed", "在留期限が近い。"),
        ("added", "在留期限が三週間後に近い。"), ("added", "## 改訂"), ("added", "優先順位を見直した。")]
    assert changed(lines[3]) == ["三週間後に"]
    assert changed(lines[1]) == ["追加した前置き"]  # a line only one side has is changed as a whole


def test_lines_with_nothing_in_common_are_one_removed_and_one_added():
    lines = line_diff("まったく別の文", "Completely different")
    assert [(line.kind, changed(line)) for line in lines] == [
        ("removed", ["まったく別の文"]), ("added", ["Completely different"])]


def test_a_blank_line_added_is_a_line_with_no_text():
    lines = line_diff("一段落目", "一段落目\n\n二段落目")
    assert [(line.kind, line.text) for line in lines] == [("same", "一段落目"), ("added", ""), ("added", "二段落目")]


def test_a_whole_rewrite_of_a_long_text_stays_quick():
    old = "\n".join(f"古い行 {n} の内容" for n in range(400))
    new = "\n".join(f"新しい段落 {n} です" for n in range(400))
    lines = line_diff(old, new)
    assert len(lines) == 800 and {line.kind for line in lines} == {"removed", "added"}
