"""Text people typed, made safe to show through Streamlit's Markdown. Two kinds:

`literal(text)` is for text that is text: names, organisations, regions, file names, column headers of an imported
file, short notes and reasons. Every character Markdown, GFM or Streamlit would act on is backslash-escaped, so the
text shows as typed and nothing in it becomes formatting, a link or an image (「![n](http://…)山田 太郎」 shows exactly
that), and the bidirectional-override controls are dropped (textnorm.strip_bidi).

`markdown(text)` is for Markdown someone wrote: reflections, submissions, replies, feedback, notes. markdown-it-py
parses it as CommonMark (raw HTML off; GFM tables and strikethrough on, as Streamlit renders them), and this module
writes the parse tree back out as Markdown. Every piece of text is written with its Markdown punctuation escaped, so
the only syntax in the result is what this module writes itself:
- paragraphs, line breaks, lists, quotes, code, tables, emphasis: as they were;
- headings three levels down (「# 報告」 becomes a level-4 heading, never below level 6), so a submission's headings
  never outrank the screen's own;
- links to http, https and mailto addresses, each as `[text](<address>)` with the address percent-encoded; a link to
  anything else (javascript:, data:, a page of this app, a relative path) becomes its text;
- an image, whatever its form (inline, reference `![x][r]`, collapsed `![r][]`, shortcut `![r]`, with escaped
  brackets or an angle-bracket address, inside a link), becomes its alt text: a remote image would tell its owner
  when and where a supervisor opened the page. The writer never writes `![` (a `!` in the text is escaped);
- raw HTML (`<img src=…>`) stays visible as text.
A bare http(s) address in the text becomes a link, as Streamlit's Markdown made it before.

Why Markdown out and not HTML through a sanitizer: Streamlit shows HTML only with `unsafe_allow_html` or `st.html`,
which the app never uses for what people typed. Why a parser and not patterns: CommonMark has many ways to write an
image (a reference can be defined anywhere in the text), and only a parser sees them as the renderer does. The
result keeps the text's line breaks and leaves non-ASCII text (Japanese, full-width punctuation) as typed: only ASCII
punctuation is ever escaped, and an escape renders as the character itself."""
from __future__ import annotations

import re
from urllib.parse import quote, urlsplit

from markdown_it import MarkdownIt
from markdown_it.tree import SyntaxTreeNode

from .textnorm import strip_bidi

HEADING_SHIFT = 3
LINK_SCHEMES = ("http", "https", "mailto")
_PARSER = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])
# escaped wherever they stand: emphasis, code, links and images, raw HTML and autolinks, entities, headings, tables,
# strikethrough (GFM also takes a single ~) and maths ($, which Streamlit renders)
_ALWAYS = re.compile(r"([\\`*_\[\]<>!&#|~$])")
# escaped at the start of a line only, where they would begin a block: a list item ("- ", "+ ", "1. ", "1) "), a
# thematic break or underline ("---", "==="), a quote (">"); "3.5" or "-5" stay as they are
_LINE_START = re.compile(r"^(?:[-+](?=[-\s]|$)|>|=(?=[=\s]*$))|^\d{1,9}(?=[.)](?:\s|$))")
# in literal text also what GFM (as Streamlit renders it) turns into a link by itself: "http://", "www.", an e-mail
# address; and ":", which begins Streamlit's own directives (:red[…], :material/…:). Streamlit 1.67's renderer finds
# bare addresses in the text after escapes are read (remark-gfm's autolink literals search the parsed text), so an
# escape alone does not stop them: an invisible WORD JOINER (U+2060) goes before the ":" of "scheme://" and the "."
# of "www.", which is enough to keep a web address from becoming a link and changes nothing that is seen. An e-mail
# address is left to become a mailto link (it opens the reader's own mail program, nothing remote): a joiner in it
# would follow the address into a copy and paste, and a search of the page would no longer find it.
_LITERAL_TOO = re.compile(r"([:@])|(?<=[wW]{3})(\.)")
WORD_JOINER = "\u2060"

_URL = re.compile(r"https?://[!#-;=?-~]+")  # printable ASCII but " < >
_URL_TRAILING = ".,:;!?'\"*_~"


def _unlinked(match: re.Match) -> str:
    char, line = match.group(0), match.string
    if char == ":":
        scheme = line[match.end():match.end() + 2] == "//" and match.start() and line[match.start() - 1].isalpha()
        return (WORD_JOINER if scheme else "") + "\\:"
    return ("\\" if char == "@" else WORD_JOINER) + char


def literal(text: str | None) -> str:
    """Markdown that shows `text` as written: bidi controls dropped, line breaks kept, and every character escaped
    that Markdown, GFM or Streamlit would read as formatting, a link, an image or a directive (an escape renders as
    the character itself). For names, organisations, file names, headers and reasons in st.markdown, captions,
    messages, headings, tables and widget labels."""
    lines = strip_bidi(text).splitlines() or [""]
    return "  \n".join(_LITERAL_TOO.sub(_unlinked, _text(line.strip(), line_start=True))
                       for line in lines)


def literal_values(values: dict) -> dict:
    """A message's parameters with every text among them made literal (numbers stay numbers, for plural forms):
    for reasons that quote a file's cells and headers."""
    return {key: literal(value) if isinstance(value, str) else value for key, value in values.items()}


def markdown(text: str | None) -> str:
    """Someone's Markdown as the app shows it: the same text and layout, headings three levels down, no image, no
    raw HTML, links only to http(s) and mailto addresses (see the module's docstring)."""
    if not (text or "").strip():
        return ""
    tree = SyntaxTreeNode(_PARSER.parse(text))
    return "\n\n".join(block for block in (_block(node) for node in tree.children) if block is not None)


# -- blocks -------------------------------------------------------------------------------------------------------
def _block(node: SyntaxTreeNode) -> str | None:
    """One block as Markdown lines; None for a block that shows nothing."""
    kind = node.type
    if kind == "paragraph":
        return _inline(node.children[0]) if node.children else ""
    if kind == "heading":
        level = min(6, int(node.tag[1]) + HEADING_SHIFT)
        content = _inline(node.children[0], one_line=True) if node.children else ""
        return "#" * level + (" " + content if content else "")
    if kind in ("bullet_list", "ordered_list"):
        return _list(node)
    if kind == "blockquote":
        body = "\n\n".join(b for b in (_block(child) for child in node.children) if b is not None)
        return "\n".join(f"> {line}" if line else ">" for line in body.split("\n"))
    if kind in ("fence", "code_block"):
        return _code_block(node.content, node.info if kind == "fence" else "")
    if kind == "hr":
        return "***"
    if kind == "table":
        return _table(node)
    if kind == "html_block":  # never made with html off; shown as text all the same
        return "  \n".join(_text(line, line_start=True) for line in node.content.strip().split("\n"))
    return None


def _list(node: SyntaxTreeNode) -> str:
    """A list with its markers as written (-, *, +; 1. or 1)) and its numbering; tight when its items were."""
    items = []
    start = int(node.attrs.get("start", 1))
    tight = all(p.hidden for item in node.children for p in item.children if p.type == "paragraph")
    for number, item in enumerate(node.children, start=start):
        marker = node.markup if node.type == "bullet_list" else f"{number}{node.markup}"
        blocks = [b for b in (_block(child) for child in item.children) if b is not None]
        body = ("\n" if tight else "\n\n").join(blocks)
        if not body:
            items.append(marker)
            continue
        indent = " " * (len(marker) + 1)
        first, *rest = body.split("\n")
        items.append("\n".join([f"{marker} {first}", *(indent + line if line else "" for line in rest)]))
    return ("\n" if tight else "\n\n").join(items)


def _code_block(content: str, info: str) -> str:
    """Code as a backtick fence longer than any backtick run inside it; the language word kept when it is plain."""
    longest = max((len(run) for run in re.findall(r"`+", content)), default=0)
    fence = "`" * max(3, longest + 1)
    language = re.match(r"[\w+#.-]*", (info or "").strip()).group(0)
    if content and not content.endswith("\n"):
        content += "\n"
    return f"{fence}{language}\n{content}{fence}"


def _table(node: SyntaxTreeNode) -> str:
    rows = [row for part in node.children for row in part.children]
    if not rows:
        return ""
    align = {"text-align:left": ":---", "text-align:right": "---:", "text-align:center": ":---:"}
    header = rows[0].children
    lines = [_table_row(header),
             "| " + " | ".join(align.get(cell.attrs.get("style", ""), "---") for cell in header) + " |"]
    lines += [_table_row(row.children) for row in rows[1:]]
    return "\n".join(lines)


def _table_row(cells) -> str:
    return "| " + " | ".join(_inline(cell.children[0], one_line=True) if cell.children else "" for cell in cells) \
        + " |"


# -- inline -------------------------------------------------------------------------------------------------------
def _inline(node: SyntaxTreeNode, one_line: bool = False) -> str:
    """The inline content of a paragraph, heading or table cell. `one_line`: line breaks become spaces."""
    writer = _InlineWriter(one_line)
    writer.children(node)
    return "".join(writer.out)


class _InlineWriter:
    def __init__(self, one_line: bool) -> None:
        self.one_line = one_line
        self.out: list[str] = []
        self.line_start = True
        self.in_link = False

    def emit(self, markdown_text: str) -> None:
        if markdown_text:
            self.out.append(markdown_text)
            self.line_start = False

    def children(self, node: SyntaxTreeNode) -> None:
        for child in node.children:
            self.node(child)

    def node(self, node: SyntaxTreeNode) -> None:
        kind = node.type
        if kind in ("text", "text_special", "html_inline"):
            self.text(node.content)
        elif kind in ("softbreak", "hardbreak"):
            if self.one_line:
                self.emit(" ")
            else:
                self.out.append("\n" if kind == "softbreak" else "  \n")
                self.line_start = True
        elif kind == "code_inline":
            self.emit(_code_span(node.content))
        elif kind in ("em", "strong", "s"):
            self.emit(node.markup)
            self.children(node)
            self.emit(node.markup)
        elif kind == "link":
            self.link(node)
        elif kind == "image":
            self.text(_plain_text(node))
        else:  # an inline kind this module does not know: its text, never its syntax
            self.text(_plain_text(node) if node.children else node.content)

    def link(self, node: SyntaxTreeNode) -> None:
        address = _web_address(node.attrs.get("href", ""))
        if address is None or self.in_link:
            self.children(node)
            return
        self.emit("[")
        self.in_link = True
        before = len(self.out)
        self.children(node)
        if len(self.out) == before:  # [](http://…): the address is the text
            self.text(address)
        self.in_link = False
        self.emit(f"](<{address}>)")

    def text(self, text: str) -> None:
        """Text as written: a bare web address becomes a link (outside links), everything else is escaped."""
        if not text:
            return
        position = 0
        for match in ([] if self.in_link else _URL.finditer(text)):
            url = _trim_url(match.group(0))
            address = _web_address(url)
            if address is None:  # "http://" and nothing after it: text like any other
                continue
            if position < match.start():
                self.escaped(text[position:match.start()])
            self.emit("[" + _ALWAYS.sub(r"\\\1", url) + f"](<{address}>)")
            position = match.start() + len(url)
        if position < len(text):
            self.escaped(text[position:])

    def escaped(self, text: str) -> None:
        self.emit(_text(text, self.line_start))


def _text(text: str, line_start: bool) -> str:
    """Plain text escaped so no character of it is read as Markdown; at a line's start also what would begin a
    block (a list marker, a quote, an underline, a number and a dot) and the indentation that would begin code."""
    escaped = _ALWAYS.sub(r"\\\1", text)
    if line_start:
        stripped = escaped.lstrip(" \t")
        indentation = escaped[:len(escaped) - len(stripped)]
        escaped = indentation.replace(" ", "&#32;").replace("\t", "&#9;") + _LINE_START.sub(
            lambda m: m.group(0) + "\\" if m.group(0)[0].isdigit() else "\\" + m.group(0), stripped, count=1)
    return escaped


def _trim_url(url: str) -> str:
    """A bare address without the punctuation that ends the sentence around it (and an unmatched closing bracket)."""
    while url and (url[-1] in _URL_TRAILING or (url[-1] == ")" and url.count(")") > url.count("("))):
        url = url[:-1]
    return url


def _code_span(content: str) -> str:
    longest = max((len(run) for run in re.findall(r"`+", content)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if content.startswith(("`", " ")) or content.endswith(("`", " ")) else ""
    return f"{fence}{pad}{content}{pad}{fence}"


def _plain_text(node: SyntaxTreeNode) -> str:
    """What an image's alt text (or any inline node) says, without its formatting."""
    if node.type in ("softbreak", "hardbreak"):
        return " "
    if not node.children:
        return node.content if node.type in ("text", "text_special", "code_inline") else ""
    return "".join(_plain_text(child) for child in node.children)


def _web_address(href: str) -> str | None:
    """`href` when it is an http(s) or mailto address (percent-encoded so it cannot close its <…>), else None."""
    try:
        scheme = urlsplit(href).scheme.lower()
    except ValueError:
        return None
    if scheme not in LINK_SCHEMES or not href[len(scheme) + 1:].strip("/"):
        return None
    return re.sub(r"[\x00-\x20<>\\\x7f]", lambda m: quote(m.group(0)), href)
