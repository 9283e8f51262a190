"""What a browser sends when a page's form is submitted as it stands: the admin's save tests fill
only what a person would type, and post everything else the page itself holds."""

from __future__ import annotations

from html import unescape
from html.parser import HTMLParser

SKIPPED_INPUTS = {"submit", "button", "reset", "image", "file"}


class _FormReader(HTMLParser):
    """The fields of the first POST form whose id is not in `ignore`, in page order."""

    def __init__(self, ignore: set[str]) -> None:
        super().__init__(convert_charrefs=True)
        self.ignore = ignore
        self.inside = self.done = False
        self.fields: list[tuple[str, str]] = []
        self.select: tuple[str, bool] | None = None  # name, multiple
        self.options: list[tuple[str, bool]] = []  # value, selected
        self.option: dict[str, str | None] | None = None
        self.textarea: str | None = None
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "form" and not self.inside and not self.done:
            self.inside = (a.get("method") or "").lower() == "post" and a.get("id") not in self.ignore
            return
        if not self.inside or "disabled" in a:
            return
        if tag == "input":
            self._input(a)
        elif tag == "select" and a.get("name"):
            self.select, self.options = (a["name"] or "", "multiple" in a), []
        elif tag == "option" and self.select is not None:
            self.option, self.text = a, []
        elif tag == "textarea" and a.get("name"):
            self.textarea, self.text = a["name"], []

    def _input(self, a: dict[str, str | None]) -> None:
        kind, name = (a.get("type") or "text").lower(), a.get("name")
        if not name or kind in SKIPPED_INPUTS:
            return
        if kind in ("checkbox", "radio") and "checked" not in a:
            return
        self.fields.append((name, a.get("value") or ("on" if kind in ("checkbox", "radio") else "")))

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form" and self.inside:
            self.inside, self.done = False, True
        elif tag == "option" and self.option is not None:
            value = self.option.get("value")
            self.options.append((value if value is not None else "".join(self.text).strip(), "selected" in self.option))
            self.option = None
        elif tag == "select" and self.select is not None:
            self._close_select()
        elif tag == "textarea" and self.textarea is not None:
            self.fields.append((self.textarea, unescape("".join(self.text)).removeprefix("\n")))
            self.textarea = None

    def _close_select(self) -> None:
        assert self.select is not None
        name, multiple = self.select
        chosen = [value for value, selected in self.options if selected]
        if not chosen and not multiple and self.options:
            chosen = [self.options[0][0]]  # a single choice with none selected sends its first option
        self.fields.extend((name, value) for value in chosen)
        self.select = None


def submitted(html: str, ignore: frozenset[str] = frozenset({"logout-form"})) -> dict[str, list[str]]:
    """The page's form as a browser would post it: {name: [values]}, for the test client."""
    reader = _FormReader(set(ignore))
    reader.feed(html)
    data: dict[str, list[str]] = {}
    for name, value in reader.fields:
        data.setdefault(name, []).append(value)
    return data


class _TextReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.hidden = 0
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.hidden += tag in ("script", "style", "template")

    def handle_endtag(self, tag: str) -> None:
        self.hidden -= tag in ("script", "style", "template")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.text.append(data)


def visible_text(html: str) -> str:
    """A page's text as a reader sees it: no attributes (a random CSRF token may spell any word),
    no scripts or styles."""
    reader = _TextReader()
    reader.feed(html)
    return " ".join(" ".join(reader.text).split())
