"""Reading a report page as a person would: the text of its top lists, section by section
(``html.parser``, with character references turned back into the characters they stand for)."""

from __future__ import annotations

from html.parser import HTMLParser


class TopLists(HTMLParser):
    """``names[(section id, "by-plays" | "by-time")]``: the list's names in page order, and
    ``counts`` likewise for the number shown beside each (``12 plays`` / ``1.5 h``)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.section: str | None = None
        self.list: str | None = None
        self.field: str | None = None
        self.names: dict[tuple[str, str], list[str]] = {}
        self.counts: dict[tuple[str, str], list[str]] = {}
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        found = dict(attrs)
        classes = (found.get("class") or "").split()
        if tag == "section":
            self.section = found.get("id")
        elif tag == "ol" and "top" in classes and self.section:
            self.list = "by-plays" if "by-plays" in classes else "by-time"
        elif (
            tag == "span"
            and self.list
            and ("name" in classes or classes[:1] in (["plays"], ["hours"]))
        ):
            self.field = "name" if "name" in classes else "count"
            key = (self.section or "", self.list)
            target = self.names if self.field == "name" else self.counts
            target.setdefault(key, []).append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "span":
            self.field = None
        elif tag == "ol":
            self.list = None
        elif tag == "section":
            self.section = None

    def handle_data(self, data: str) -> None:
        if self.field and self.section and self.list:
            target = self.names if self.field == "name" else self.counts
            target[(self.section, self.list)][-1] += data


def top_lists(page: str) -> TopLists:
    parser = TopLists()
    parser.feed(page)
    parser.close()
    return parser
