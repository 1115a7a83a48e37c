"""Markdown written by people, turned into HTML that is safe to show: once, when it is saved."""

import nh3
from django.utils.text import Truncator
from markdown_it import MarkdownIt

# "js-default" follows CommonMark with raw HTML switched off; nh3 then keeps only what is listed.
_markdown = MarkdownIt("js-default", {"linkify": False, "typographer": False}).enable("table")

ALLOWED_TAGS = {
    "p", "br", "hr", "strong", "em", "s", "del", "code", "pre", "blockquote", "ul", "ol", "li",
    "a", "h1", "h2", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
# Table cells keep their alignment as a class: the Content-Security-Policy refuses style
# attributes, which is how markdown-it writes it.
ALIGNMENTS = {"align-left", "align-center", "align-right"}
ALLOWED_CLASSES = {"th": ALIGNMENTS, "td": ALIGNMENTS}
# Built once: nh3.clean converts its options on every call (10 of its 14 µs on a short text).
_cleaner = nh3.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=ALLOWED_ATTRIBUTES,
    allowed_classes=ALLOWED_CLASSES,
    url_schemes={"http", "https", "mailto"},
    link_rel="noopener noreferrer nofollow",
)


def render_markdown(text: str) -> str:
    tokens = _markdown.parse(text or "")
    for token in tokens:
        style = token.attrs.pop("style", None) if token.type in ("th_open", "td_open") else None
        if isinstance(style, str) and style.startswith("text-align:"):
            token.attrSet("class", "align-" + style.removeprefix("text-align:"))
    return _cleaner.clean(_markdown.renderer.render(tokens, _markdown.options, {}))


# How much of a long text a list shows.
EXCERPT_WORDS = 60


def excerpt(html: str) -> str:
    """The start of sanitised HTML, cut after `EXCERPT_WORDS` words with its open tags closed,
    as the `truncatewords_html` filter cuts it: stored beside the HTML, as cutting it needs an
    HTML parser per row of every list that shows it."""
    return Truncator(html).words(EXCERPT_WORDS, html=True, truncate=" …")
