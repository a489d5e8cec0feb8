"""What people typed, as the app hands it to Streamlit's Markdown: Markdown someone wrote keeps its layout but loses
every way to load something from elsewhere (each CommonMark image form, raw HTML, links to other schemes); names and
other text show as typed. Each output is parsed again as a CommonMark renderer would read it."""
import random
import re

import pytest
from markdown_it import MarkdownIt

from coordsupervise.text.textnorm import BIDI_CONTROLS, strip_bidi
from coordsupervise.text.usertext import WORD_JOINER, literal, markdown

# how a renderer reads what the app passes on: raw HTML on (Streamlit drops it, but it must not be there at all)
READER = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
PLAIN_READER = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])


def _tokens(text: str):
    for token in READER.parse(text):
        yield token
        yield from token.children or []


def _what_could_load(text: str) -> list[str]:
    """Everything in `text` a Markdown renderer would turn into an image, raw HTML or a link to another scheme."""
    found = []
    for token in _tokens(text):
        if token.type == "image":
            found.append(f"image {token.attrs.get('src')}")
        elif token.type in ("html_inline", "html_block"):
            found.append(f"html {token.content!r}")
        elif token.type == "link_open" and not str(token.attrs.get("href", "")).startswith(
                ("http://", "https://", "mailto:")):
            found.append(f"link {token.attrs.get('href')}")
    return found


def _links(text: str) -> list[str]:
    return [str(t.attrs["href"]) for t in _tokens(text) if t.type == "link_open"]


EVERY_IMAGE_FORM = {
    "inline": "前 ![図](http://h.example/a.png) 後",
    "inline with title": '![図](http://h.example/a.png "title")',
    "angle-bracket address": "![図](<http://h.example/a b.png>)",
    "reference": "![x][r]\n\n[r]: http://h.example/a.png",
    "reference defined first": "[r]: http://h.example/a.png\n\n本文 ![x][r]",
    "collapsed": "![r][]\n\n[r]: http://h.example/a.png",
    "shortcut": "![r]\n\n[r]: http://h.example/a.png",
    "case-folded reference": "![R]\n\n[r]: <http://h.example/a.png>",
    "escaped bracket in alt": "![a\\]](http://h.example/a.png)",
    "nested brackets in alt": "![a [b] c](http://h.example/a.png)",
    "image inside a link": "[![x](http://h.example/a.png)](https://ok.example/)",
    "reference image inside a link": "[![x][r]](https://ok.example/)\n\n[r]: http://h.example/a.png",
    "data URI": "![x](data:image/png;base64,iVBORw0KGgo=)",
    "protocol-relative": "![x](//h.example/a.png)",
    "in a list": "- 項目 ![x](http://h.example/a.png)\n  - ![y][r]\n\n[r]: http://h.example/b.png",
    "in a quote": "> ![x](http://h.example/a.png)",
    "in a table": "| a |\n| - |\n| ![x](http://h.example/a.png) |",
    "in a heading": "# 見出し ![x](http://h.example/a.png)",
    "in emphasis": "**![x](http://h.example/a.png)**",
    "entity bang": "&#33;[x](http://h.example/a.png) &excl;[y](http://h.example/b.png)",
    "bang before a link from alt text": "![hi!](x)[t](http://h.example/a.png)",
    "bang ending the text before a link": "見て！!\\![t](http://h.example/a.png)",
    "raw HTML img": '<img src="http://h.example/a.png">',
    "raw HTML block": '<div>\n<img src="http://h.example/a.png" onerror="alert(1)">\n</div>',
    "raw HTML inline in text": '本文 <img src=http://h.example/a.png> 本文',
    "picture": '<picture><source srcset="http://h.example/a.png"></picture>',
    "autolink to an image": "<http://h.example/a.png>",
}


@pytest.mark.parametrize("form", EVERY_IMAGE_FORM)
def test_no_image_form_survives(form):
    shown = markdown(EVERY_IMAGE_FORM[form])
    assert _what_could_load(shown) == [], shown
    # an image's address never becomes anything but (at most) a plain link to open on purpose
    assert all(t.type != "image" for t in _tokens(shown))


def test_an_image_becomes_its_alt_text():
    assert markdown("前 ![図1](http://h.example/a.png) 後") == "前 図1 後"
    assert markdown("![x][r]\n\n[r]: http://h.example/a.png") == "x"
    assert markdown("![r]\n\n[r]: http://h.example/a.png") == "r"
    assert markdown("![a\\]](http://h.example/a.png)") == "a\\]"
    assert markdown("[![x](http://h.example/a.png)](https://ok.example/)") == "[x](<https://ok.example/>)"
    assert markdown("![二行の\n説明](http://h.example/a.png)") == "二行の 説明"


@pytest.mark.parametrize("text", [
    "[x](javascript:alert(1))", "[x](JaVaScRiPt:alert(1))", "[x](<javascript:alert(1)>)",
    "[x](java&#115;cript:alert(1))", "[x](&#106;avascript:alert(1))", "[x](vbscript:msgbox(1))",
    "[x](data:text/html;base64,PHNjcmlwdD4=)", "[x](file:///etc/passwd)", "[x](/admin)", "[x](../inbox)",
    "[x](#top)", "[x][r]\n\n[r]: javascript:alert(1)", "[r]\n\n[r]: data:text/html,x", "<javascript:alert(1)>",
    "[x](http:)", "[x](https:///)",
])
def test_links_to_other_schemes_become_their_text(text):
    shown = markdown(text)
    assert _links(shown) == [], shown
    assert _what_could_load(shown) == []


def test_web_and_mail_links_are_kept_with_their_text():
    shown = markdown("[資料](https://ok.example/a?b=1&c=2) と [メール](mailto:a@b.example) と <https://x.example/y>"
                     " と <a@b.example> と [参照][r]\n\n[r]: http://ref.example/")
    assert _links(shown) == ["https://ok.example/a?b=1&c=2", "mailto:a@b.example", "https://x.example/y",
                             "mailto:a@b.example", "http://ref.example/"]
    assert "[資料](<https://ok.example/a?b=1&c=2>)" in shown


def test_an_address_cannot_close_its_brackets():
    shown = markdown("[x](<https://ok.example/a>b\\c d>)")
    assert _what_could_load(shown) == [] and len(_links(shown)) == 1
    assert ">b" not in _links(shown)[0] and " " not in _links(shown)[0]


def test_a_bare_web_address_is_a_link_as_before_and_ends_with_the_sentence():
    shown = markdown("詳細は https://example.com/a_b-c?x=1&y=(2). を参照。http://x.example/aの件")
    assert _links(shown) == ["https://example.com/a_b-c?x=1&y=(2)", "http://x.example/a"]
    assert _what_could_load(shown) == []
    assert _links(markdown("http:// と http://. だけ")) == []


def test_raw_html_stays_visible_as_text():
    shown = markdown('<img src="http://h.example/a.png"> と <script>alert(1)</script>')
    rendered = PLAIN_READER.render(shown)
    assert "&lt;img src=" in rendered and "&lt;script&gt;" in rendered and "<img" not in rendered


HEADINGS = "# 課題\n本文\n## 背景\n###### 細目\n見出し\n===\n小見出し\n---\n- 項目\n---\n```\n# コード\n```\n#タグ"


def test_headings_go_three_levels_down_and_code_is_left_alone():
    assert markdown(HEADINGS).split("\n\n") == [
        "#### 課題", "本文", "##### 背景", "###### 細目", "#### 見出し", "##### 小見出し", "- 項目", "***",
        "```\n# コード\n```", "\\#タグ"]
    assert markdown("- # 一覧の見出し\n> ## 引用の見出し") == "- #### 一覧の見出し\n\n> ##### 引用の見出し"


# what people write, which must render exactly as before (compared as the HTML a CommonMark renderer makes of it)
AS_TYPED = [
    "今日は相談者と面談しました。\n通訳さんが同席し、在留カードの更新について説明した（30分）。\n\n次回：12/5までに書類を確認！",
    "「はい」と答えた――しかし、本当は…？　全角スペース　も　そのまま。\n改行も\nそのまま",
    "一行目  \n二行目（強制改行）\\\n三行目",
    "- 在留資格\n- 年金\n  - 脱退一時金\n- 保険\n\n1. 受付\n2. 面談\n\n3) 別の番号\n4) 続き",
    "* 星の一覧\n+ プラスの一覧",
    "- 緩い一覧\n\n- 二つ目\n\n  続きの段落",
    "> 引用です\n> 二行目\n>\n> > 入れ子",
    "**強調**と*斜体*と~~取り消し~~と`コード`と__下線の強調__",
    "```python\nprint('# not a heading')\n![x](http://h.example/a.png)\n```",
    "    字下げのコード\n    二行目",
    "| 項目 | 値 |\n|:-|-:|\n| 時間 | 30分 |\n| 費用 | 1,000円 \\| 税込 |",
    "1986. 最初の行が数字と点\n- ではない行\n+ プラス",
    "A-1 と B+2 と 3*4=12 と a_b と 5 > 3 と 2 < 4 と 100% と $5 と #タグ と C# と ~約 と |縦線| と \\ 記号",
    "脚注のような [1] と [メモ] と (括弧) と {波括弧} と \"引用符\" と 'アポストロフィ'",
    "***\n\n---\n\n___",
    "&amp; と &copy; と &#12354; と & だけ",
    "段落\n\n\n\n空行が多い段落",
    "`` 中に ` がある ``",
    "見出しではない #タグ と 行末の #",
]


@pytest.mark.parametrize("text", AS_TYPED)
def test_what_people_write_renders_as_before(text):
    assert PLAIN_READER.render(markdown(text)) == PLAIN_READER.render(text)


def test_japanese_prose_passes_unchanged():
    for text in AS_TYPED[:2]:
        assert markdown(text) == text


FRAGMENTS = ["![", "!", "[", "]", "(", ")", "<", ">", "http://h.example/a.png", "javascript:alert(1)", "\\", "`",
             "*", "_", "~", "#", "-", "=", "1.", "\n", "\n\n", "    ", " ", "&#33;", "&lt;", "img src=", "[r]:",
             "[r]", "![r]", "| a |", "| - |", "> ", "日本語", "！", "［", "］", "（", "）", "data:image/png,x",
             "mailto:a@b.example", "<img src=http://h.example/b.png>", "\"", "'", ":", "$", "\u202e"]


def test_random_mixtures_never_load_anything():
    rng = random.Random(20260522)
    for _ in range(3000):
        text = "".join(rng.choice(FRAGMENTS) for _ in range(rng.randint(1, 25)))
        shown = markdown(text)
        assert _what_could_load(shown) == [], (text, shown)


def test_random_one_line_texts_read_back_exactly_as_typed():
    rng = random.Random(20260523)
    for _ in range(3000):
        text = "".join(rng.choice([f for f in FRAGMENTS if "\n" not in f]) for _ in range(rng.randint(1, 25)))
        shown = literal(text)
        inline = [t for t in _tokens(shown) if t.type not in ("paragraph_open", "paragraph_close", "inline")]
        expected = strip_bidi(text).strip()
        assert [t.type for t in inline] == (["text"] if expected else []), (text, shown)
        assert "".join(t.content for t in inline).replace(WORD_JOINER, "") == expected, (text, shown)


NAME = "![n](http://evil.example/a.png)山田 太郎"


def test_a_name_shows_as_written_and_nothing_in_it_is_markdown():
    shown = literal(NAME)
    tokens = list(_tokens(shown))
    assert [t.type for t in tokens if t.type not in ("paragraph_open", "paragraph_close", "inline")] == ["text"]
    assert next(t for t in tokens if t.type == "text").content.replace(WORD_JOINER, "") == NAME
    assert shown == "\\!\\[n\\](http" + WORD_JOINER + "\\://evil.example/a.png)山田 太郎"
    assert "http://" not in shown  # GFM would make a link of it by itself


# remark-gfm's autolink literals (mdast-util-gfm-autolink-literal, as Streamlit 1.67 renders Markdown): searched in
# the text after Markdown's escapes are read, so an escaped "\\:" or "\\@" is still found
GFM_WEB_AUTOLINKS = re.compile(r"(https?://|www(?=\.))[-.\w]+", re.IGNORECASE)


def test_literal_text_never_becomes_a_web_link_by_itself():
    """GFM, as Streamlit renders it, links bare web addresses, which CommonMark (and READER) does not; an invisible
    word joiner keeps them apart (checked in Chromium: no <a> in the page). An e-mail address stays as typed, to be
    copied and searched for (a mailto link, at most)."""
    written = "http://a.example https://b.example www.c.example WWW.D.EXAMPLE e@f.example :red[x]"
    shown = literal(written)
    text = "".join(t.content for t in _tokens(shown) if t.type == "text")
    assert GFM_WEB_AUTOLINKS.findall(written) and not GFM_WEB_AUTOLINKS.findall(text)
    assert text.replace(WORD_JOINER, "") == written  # reads as typed
    assert "e@f.example" in text
    assert ":red" not in shown.replace("\\:", "")


@pytest.mark.parametrize("text", [
    "*強調* _下線_ `コード` <b>太字</b> [x](https://a.example) <https://a.example> # 見出し", "- 一覧", "1. 番号",
    "> 引用", "===", "    字下げ", "| a |", "~~消~~ $x$ :red[赤] &amp; \\*", "株式会社ABC（本社）・支援センター",
])
def test_literal_text_reads_as_plain_text(text):
    shown = literal(text)
    rendered = PLAIN_READER.render(shown)
    assert rendered.startswith("<p>") and rendered.count("<p>") == 1
    inline = [t for t in _tokens(shown) if t.type not in ("paragraph_open", "paragraph_close", "inline")]
    assert [t.type for t in inline] == ["text"] and inline[0].content.replace(WORD_JOINER, "") == text.strip()


def test_literal_keeps_line_breaks_and_japanese_punctuation():
    assert literal("理由：書類不足。\n再提出を待つ（12/5まで）") == "理由：書類不足。  \n再提出を待つ（12/5まで）"
    assert literal("demo-trainee") == "demo-trainee" and literal("山田 太郎") == "山田 太郎"
    assert literal(None) == "" and literal("") == ""


def test_bidi_overrides_are_dropped():
    assert strip_bidi("\u202e子花 中田\u202c") == "子花 中田"
    assert strip_bidi("".join(BIDI_CONTROLS) + "山田\u2066太郎\u2069") == "山田太郎"
    assert len(BIDI_CONTROLS) == 9 and {"\u202a", "\u202e", "\u2066", "\u2069"} <= set(BIDI_CONTROLS)
    assert strip_bidi("ゼロ\u200b幅 אב") == "ゼロ\u200b幅 אב"  # other text, right-to-left scripts included, stays
    assert literal("\u202eexe.pdf") == "exe.pdf"
