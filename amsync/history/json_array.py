"""The items of a JSON array, read from a binary stream one at a time in bounded memory.

``Apple Music Library Tracks.json`` is one JSON array of objects, tens to hundreds of MB for a
big library. ``json.load`` would hold all of it (several times its size in Python objects); this
reader keeps one buffer of about ``CHUNK`` characters and decodes item after item with
``json.JSONDecoder.raw_decode``, refilling when an item runs past the buffer's end. An item
longer than ``MAX_ITEM`` characters, or a document that is not an array, stops with a clear
error. (``ijson`` does the same; the standard library's decoder is enough here and is fast.)
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from typing import IO, Any, Final

from amsync.errors import UnusableAppleExport

CHUNK: Final = 1 << 18
MAX_ITEM: Final = 16 << 20
_WHITESPACE: Final = " \t\n\r"


class _Buffer:
    def __init__(self, text: IO[str]) -> None:
        self.text = text
        self.data = ""
        self.pos = 0
        self.eof = False

    def more(self) -> bool:
        """Append the next chunk (dropping what was consumed); False at the end of the file."""
        if self.eof:
            return False
        chunk = self.text.read(CHUNK)
        if not chunk:
            self.eof = True
            return False
        self.data = self.data[self.pos :] + chunk
        self.pos = 0
        return True

    def next_char(self) -> str:
        """The next character that is not white space ('' at the end), not consumed."""
        while True:
            while self.pos < len(self.data) and self.data[self.pos] in _WHITESPACE:
                self.pos += 1
            if self.pos < len(self.data):
                return self.data[self.pos]
            if not self.more():
                return ""


def json_array_items(binary: IO[bytes], where: str) -> Iterator[Any]:
    """Each item of the top-level array in ``binary`` (UTF-8)."""
    text = io.TextIOWrapper(binary, encoding="utf-8-sig", errors="replace")
    buffer = _Buffer(text)
    decoder = json.JSONDecoder()
    first = buffer.next_char()
    if first != "[":
        raise UnusableAppleExport(f"{where} is not a JSON array")
    buffer.pos += 1
    count = 0
    while True:
        char = buffer.next_char()
        if char == "]":
            return
        if char == "":
            raise UnusableAppleExport(f"{where} ends in the middle of its array (cut off?)")
        if count:
            if char != ",":
                raise UnusableAppleExport(f"{where}: invalid JSON after item {count}")
            buffer.pos += 1
            if buffer.next_char() == "":
                raise UnusableAppleExport(f"{where} ends in the middle of its array (cut off?)")
        yield _decode_item(buffer, decoder, where, count + 1)
        count += 1


def _decode_item(buffer: _Buffer, decoder: json.JSONDecoder, where: str, number: int) -> Any:
    while True:
        try:
            item, end = decoder.raw_decode(buffer.data, buffer.pos)
        except json.JSONDecodeError:
            item, end = None, -1
        # An item that reaches the buffer's end may continue past it (a number, say).
        if end != -1 and (end < len(buffer.data) or buffer.eof):
            buffer.pos = end
            return item
        if len(buffer.data) - buffer.pos > MAX_ITEM:
            raise UnusableAppleExport(f"{where}: item {number} is larger than {MAX_ITEM} bytes")
        if not buffer.more():
            if end != -1:
                buffer.pos = end
                return item
            raise UnusableAppleExport(f"{where}: invalid JSON in item {number} (cut off?)")
