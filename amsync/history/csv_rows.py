"""Rows of a CSV file streamed from a binary stream (a zip member or a file), in bounded memory.

UTF-8 (a byte-order mark is dropped; an invalid byte becomes U+FFFD rather than stopping the
import). A row with fewer fields than the header is ``incomplete`` — or ``cut off`` when it is
the last one and the file does not end with a line break (the download or the copy stopped
mid-row); one with more fields, whose extra fields are not empty, has ``too many fields``.
A field longer than ``MAX_FIELD`` characters stops the file with a clear error.
"""

from __future__ import annotations

import csv
import io
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any, Final

from amsync.errors import UnusableAppleExport

MAX_FIELD: Final = 1_000_000


@dataclass(frozen=True, slots=True)
class CsvRow:
    line: int  # the line the row starts on (the header is line 1)
    fields: list[str]
    problem: str | None = None  # "cut off", "incomplete", "too many fields"


class _TailWatch(io.RawIOBase):
    """A binary stream passed through, remembering the last byte read: whether the file ends
    with a line break is known at its end, at no cost per line."""

    def __init__(self, raw: IO[bytes]) -> None:
        super().__init__()
        self._raw = raw
        self.last = b"\n"

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._raw.read(len(buffer))
        count = len(data)
        if count:
            buffer[:count] = data
            self.last = data[-1:]
        return count


def csv_rows(binary: IO[bytes], where: str) -> tuple[list[str], Iterator[CsvRow]]:
    """The header and an iterator of the rows after it. ``where`` names the file in errors."""
    watch = _TailWatch(binary)
    text = io.TextIOWrapper(
        io.BufferedReader(watch, 1 << 16), encoding="utf-8-sig", errors="replace", newline=""
    )
    csv.field_size_limit(min(sys.maxsize, MAX_FIELD))
    reader = csv.reader(text)
    try:
        header = next(reader, None)
    except csv.Error as exc:
        raise UnusableAppleExport(f"{where}: cannot read its header: {exc}") from None
    if not header:
        raise UnusableAppleExport(f"{where} is empty")
    return header, _rows(reader, watch, len(header), where)


def _rows(reader: Any, watch: _TailWatch, width: int, where: str) -> Iterator[CsvRow]:
    pending: CsvRow | None = None
    while True:
        start = reader.line_num + 1
        try:
            fields = next(reader, None)
        except csv.Error as exc:
            raise UnusableAppleExport(
                f"{where}: unreadable CSV at line {reader.line_num}: {exc}",
                hint="the file may be damaged; download the export again",
            ) from None
        if fields is None:
            break
        if pending is not None:
            yield pending
        if not fields:  # a blank line
            pending = None
            continue
        count = len(fields)
        problem = None if count == width else _problem(fields, width)
        pending = CsvRow(start, fields, problem)
    if pending is not None:
        if watch.last not in (b"\n", b"\r") and pending.problem == "incomplete":
            pending = CsvRow(pending.line, pending.fields, "cut off")
        yield pending


def _problem(fields: list[str], width: int) -> str | None:
    if len(fields) < width:
        return "incomplete"
    if len(fields) > width and any(f.strip() for f in fields[width:]):
        return "too many fields"
    return None
