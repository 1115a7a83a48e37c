"""Hostile text and the check that a page built from it holds nothing a browser (or htmx)
would run: shared by every test of hostile input."""

import re
from html.parser import HTMLParser

from django.conf import settings

MEGABYTE = 2**20

# id -> text. Each goes into every free-text field (see test_hostile_text.FIELDS).
STRINGS = {
    "script": "<script>alert(1)</script>",
    "img-onerror": "<img src=x onerror=alert(1)>",
    "svg-onload": "<svg onload=alert(1)>",
    "md-javascript-link": "[click](javascript:alert(1))",
    "md-mixed-case-javascript": "[x](JaVaScRiPt:alert(1))",
    "md-data": "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "md-image-javascript": "![x](javascript:alert(1))",
    "md-autolink-javascript": "<javascript:alert(1)>",
    "a-javascript": '<a href="javascript:alert(1)">x</a>',
    "bare-javascript": "javascript:alert(document.cookie)",
    "bare-data": "data:text/html,<script>alert(1)</script>",
    "pre-escaped": "&lt;script&gt;alert(1)&lt;/script&gt;",
    "decimal-entities": "&#60;script&#62;alert(1)&#60;/script&#62;",
    "entity-javascript": '<a href="&#106;avascript:alert(1)">x</a>',
    "htmx": '<div hx-get="/evil" hx-trigger="load">x</div>',
    "htmx-post": '<form hx-post="/evil" hx-trigger="load"><button>x</button></form>',
    "htmx-on": "<a href=x hx-on:click=alert(1)>x</a>",
    "attribute-breakout": '"><script>alert(1)</script>',
    "single-quote-breakout": "' onmouseover='alert(1)' x='",
    "textarea-breakout": "</textarea><script>alert(1)</script>",
    "title-breakout": "</title><script>alert(1)</script>",
    "iframe": '<iframe src="//evil"></iframe>',
    "style": "<style>body{display:none}</style>",
    "entity-tab-javascript": '<a href="java&#x09;script:alert(1)">x</a>',
    "md-entity-tab-javascript": "[x](java&#x09;script:alert(1))",
    "nested-script": "<<script>script>alert(1)<</script>/script>",
    "unclosed": "<b><i>malformed",
    "template-syntax": "{{ request.user }}{% debug %}${7*7}",
    "sql": "'; DROP TABLE stakeholders_entry; --",
    "sql-or": "x' OR '1'='1",
    "rtl-override": "Budget \u202eTXT.exe approved",
    "zero-width": "Zero\u200bwidth\u200djoin\ufeff",
    "emoji": "Go-live \U0001f680 confirmed \U0001d54f",
    "crlf-header": "Urgent\r\nBcc: victim@example.com\r\n\r\nbody",
    "line-separators": "one\u2028two\u2029three\x85four",
    "formula-hyperlink": '=HYPERLINK("https://evil.example","click")',
    "formula-dde": "+cmd|' /C calc'!A0",
    "formula-minus": "-2+3+cmd|' /C calc'!A0",
    "formula-at": "@SUM(1+1)*cmd|' /C calc'!A0",
    "formula-tab": "\t=1+1",
    "over-long": "Long " * 2000,
    "one-megabyte": "M" * MEGABYTE,
}
NUL = "Budget\x00approved"

_UNSAFE_SCHEME = re.compile(r"^(javascript|vbscript|data):")
_URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "cite"}
_NEVER = {"iframe", "frame", "frameset", "object", "embed", "applet", "style", "svg", "math"}
_NEVER |= {"base", "img", "video", "audio", "template"}


def _scheme(url: str) -> str:
    """How a browser reads the start of a URL: leading blanks and control characters are
    dropped, and tabs and newlines anywhere are ignored."""
    url = url.lstrip("".join(map(chr, range(0x21))))
    return re.sub(r"[\t\n\r]", "", url).lower()


def _ours(url: str) -> bool:
    """A path on this site that the hostile strings never name."""
    return url.startswith("/") and not url.startswith("//") and "evil" not in url


class _Inertness(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        where = self.get_starttag_text()
        if tag in _NEVER:
            self.problems.append(f"<{tag}> element: {where}")
        if tag == "script" and not (attributes.get("src") or "").startswith(settings.STATIC_URL):
            self.problems.append(f"script that is not one of ours: {where}")
        if tag == "link" and not (attributes.get("href") or "").startswith(settings.STATIC_URL):
            self.problems.append(f"link that is not one of ours: {where}")
        if tag == "meta" and attributes.get("http-equiv"):
            self.problems.append(f"meta http-equiv: {where}")
        for name, value in attrs:
            value = value or ""
            if name.startswith("on"):
                self.problems.append(f"event handler {name}: {where}")
            if name == "srcdoc" or (name == "formaction" and not _ours(value)):
                self.problems.append(f"{name} attribute: {where}")
            if name in _URL_ATTRIBUTES and _UNSAFE_SCHEME.match(_scheme(value)):
                self.problems.append(f"{name} with an unsafe scheme: {where}")
            # "/evil" and "alert(", not the bare words: a random CSRF token in the page's
            # own hx-headers spells "evil" now and then, but never a slash or a parenthesis.
            if name.removeprefix("data-").startswith("hx-") and (
                "/evil" in value
                or "alert(" in value
                or name.removeprefix("data-").startswith("hx-on")
            ):
                self.problems.append(f"htmx attribute that is not ours: {where}")

    handle_startendtag = handle_starttag

    def handle_data(self, data):
        self.text.append(data)


def problems(html: str) -> list[str]:
    """What in `html` would run, or could be made to run, in a browser."""
    parser = _Inertness()
    parser.feed(html)
    parser.close()
    return parser.problems


def assert_inert(html: str, allowed=()) -> str:
    """Fail if the page holds anything that would run (beyond `allowed`, what the app's own
    page holds with harmless text: the SVG charts it draws); return its text, as a reader
    sees it."""
    parser = _Inertness()
    parser.feed(html)
    parser.close()
    extra = [problem for problem in parser.problems if problem not in allowed]
    assert extra == [], extra
    return "".join(parser.text)
