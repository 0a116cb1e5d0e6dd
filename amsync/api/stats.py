"""Request statistics of one client (a sync records them in its run row)."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

_ID_SEGMENT = re.compile(r"^(?:[a-z]{1,2}\.[A-Za-z0-9_-]+|\d+)$")


def endpoint_of(path: str) -> str:
    """A path's endpoint template: ids and the storefront become placeholders, no query.

    ``/v1/me/library/playlists/p.AbC/tracks`` → ``/v1/me/library/playlists/{id}/tracks``;
    ``/v1/catalog/us/songs`` → ``/v1/catalog/{storefront}/songs``.
    """
    bare = path.split("?", 1)[0].split("#", 1)[0]
    parts = bare.split("/")
    out: list[str] = []
    for index, part in enumerate(parts):
        if index > 0 and parts[index - 1] == "catalog" and part:
            out.append("{storefront}")
        elif _ID_SEGMENT.match(part):
            out.append("{id}")
        else:
            out.append(part[:40])
    return "/".join(out)


@dataclass(slots=True)
class RequestStats:
    """Counts of one client's HTTP traffic. Every attempt is a request; ``retries`` counts
    the attempts that repeated an earlier one."""

    requests: int = 0
    retries: int = 0
    throttled: int = 0
    transport_errors: int = 0
    bytes_received: int = 0
    by_status: Counter[int] = field(default_factory=Counter)
    by_endpoint: Counter[str] = field(default_factory=Counter)

    def record_response(self, endpoint: str, status: int, size: int) -> None:
        self.requests += 1
        self.by_status[status] += 1
        self.by_endpoint[endpoint] += 1
        self.bytes_received += size
        if status == 429:
            self.throttled += 1

    def record_transport_error(self, endpoint: str) -> None:
        self.requests += 1
        self.transport_errors += 1
        self.by_endpoint[endpoint] += 1

    def as_dict(self) -> dict[str, object]:
        """Plain JSON-ready values (status codes as strings)."""
        return {
            "requests": self.requests,
            "retries": self.retries,
            "throttled": self.throttled,
            "transport_errors": self.transport_errors,
            "bytes_received": self.bytes_received,
            "by_status": {str(status): n for status, n in sorted(self.by_status.items())},
            "by_endpoint": dict(sorted(self.by_endpoint.items())),
        }
