"""``ListenBrainzClient``: the ListenBrainz protocol's two endpoints amsync needs, at any root
URL (``https://api.listenbrainz.org``, Maloja's ``…/apis/listenbrainz``, Koito, …).

- ``GET /1/validate-token`` — ListenBrainz answers 200 with ``"valid": true`` and the user
  name, or 200 with ``"valid": false``; Maloja answers 401 for a bad token. Either refusal is
  ``ListenTokenRejected`` (exit 3). A 404, a redirect, or a body that is not such a JSON
  object means the URL is no ListenBrainz API: ``NotListenBrainzApi`` (exit 2).
- ``POST /1/submit-listens`` with ``listen_type: "import"`` — listens go in batches of at most
  1,000 and within the payload limits (``limits``, ``payload.batches``). A 400 refuses the
  whole batch for what may be one listen in it, so a refused batch is halved and each half
  sent again (the first half first) until the listens the server refuses on their own are
  found: they are reported and the rest is sent (a batch with one bad listen costs about
  2 × log₂(batch) more requests). A 413 halves the batch size for the rest of the push. After
  ``REFUSALS_IN_A_ROW`` listens refused one after another with none accepted in between, the
  server is taken to refuse everything (``ListenServerRefused``, exit 1). 401/403 while
  submitting: ``ListenTokenRejected``.

Why amsync's own httpx client and not MetaBrainz's ``liblistenbrainz`` (issue 25 asks to weigh
them): ``liblistenbrainz`` joins endpoint paths with ``urljoin(root, "/1/…")``, which drops the
path of a root such as Maloja's ``/apis/listenbrainz``; it sends without timeouts, retries
429/5xx a fixed five times through urllib3 rather than within amsync's retry budget, does not
split batches or find the listen a 400 is about, is synchronous (``requests``, a dependency
amsync does not otherwise have) and reports errors as a status and message only. The protocol
is two endpoints; httpx is already amsync's HTTP client.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Sequence
from typing import Any, Final, Self

import httpx

from amsync.config.secret import Secret
from amsync.domain.listens import (
    AcceptedBatch,
    Listen,
    RefusedListen,
    RefusedOne,
    SubmitOutcome,
)
from amsync.errors import (
    ListenServerRefused,
    ListenTokenRejected,
    NotListenBrainzApi,
)
from amsync.listenbrainz.limits import MAX_LISTENS_PER_REQUEST, PAYLOAD_TARGET
from amsync.listenbrainz.payload import Encoded, Unsendable, batches, fitted, request_body
from amsync.listenbrainz.session import Counters, Reply, ServerSession, Sleep
from amsync.listenbrainz.urls import EXAMPLES, api_root

VALIDATE: Final = "/1/validate-token"
SUBMIT: Final = "/1/submit-listens"
REFUSALS_IN_A_ROW: Final = 25
GET_A_NEW_ONE: Final = (
    "get your user token from https://listenbrainz.org/settings/ (or your server's settings) "
    "and set AMSYNC_LISTENBRAINZ_TOKEN or --token-file"
)


def _check_token(token: Secret) -> Secret:
    """The token as sent: white space around it (a file's trailing newline) taken off."""
    value = token.reveal().strip()
    if not value:
        raise ListenTokenRejected("the ListenBrainz token is empty", hint=GET_A_NEW_ONE)
    if any(c.isspace() or not c.isprintable() for c in value):
        raise ListenTokenRejected(
            "the ListenBrainz token holds spaces or control characters", hint=GET_A_NEW_ONE
        )
    return Secret(value)


def _message(reply: Reply) -> str:
    body = reply.body
    if isinstance(body, dict):
        for key in ("error", "message"):
            value = body.get(key)
            if isinstance(value, str) and value.strip():
                return value.strip()[:300]
    text = " ".join(reply.text.split())
    return text[:200] or f"HTTP {reply.status}"


class ListenBrainzClient:
    """Validates the token and submits listens (``amsync.domain.listens.ListenSink``)."""

    def __init__(
        self,
        root_url: str,
        token: Secret,
        *,
        client_version: str,
        retry_budget_s: float = 60.0,
        budget_source: str = "the default",
        timeout_s: float = 120.0,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Sleep | None = None,
        clock: Callable[[], float] | None = None,
        max_listens: int = MAX_LISTENS_PER_REQUEST,
    ) -> None:
        self.root = api_root(root_url)
        self.client_version = client_version
        self.max_listens = max(1, min(max_listens, MAX_LISTENS_PER_REQUEST))
        self.max_bytes = PAYLOAD_TARGET
        extra: dict[str, Any] = {}
        if sleep is not None:
            extra["sleep"] = sleep
        if clock is not None:
            extra["clock"] = clock
        self._session = ServerSession(
            self.root,
            _check_token(token),
            user_agent=f"amsync/{client_version}",
            retry_budget_s=retry_budget_s,
            budget_source=budget_source,
            timeout_s=timeout_s,
            transport=transport,
            **extra,
        )

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *_: object) -> None:
        await self._session.close()

    @property
    def requests(self) -> int:
        return self._session.counters.requests

    @property
    def stats(self) -> Counters:
        """Requests made and 429s met so far (what a progress display shows)."""
        return self._session.counters

    # --- validate-token --------------------------------------------------------------------

    async def validate_token(self) -> str | None:
        reply = await self._session.request("GET", VALIDATE)
        if (reply.status in (401, 403) and _speaks_listenbrainz(reply)) or _says_invalid(reply):
            raise ListenTokenRejected(
                f"{self.root} refuses the token ({_message(reply)})", hint=GET_A_NEW_ONE
            )
        if 300 <= reply.status < 400:
            where = f" to {reply.location}" if reply.location else ""
            raise NotListenBrainzApi(
                f"{self.root} redirects{where}", hint="give the URL it redirects to"
            )
        if reply.status != 200 or not _valid(reply):
            raise NotListenBrainzApi(
                f"{self.root} does not answer like a ListenBrainz API "
                f"(GET {VALIDATE}: {_answer(reply)})",
                hint=f"give {EXAMPLES}",
            )
        name = reply.body.get("user_name")
        return name if isinstance(name, str) else None

    # --- submit-listens --------------------------------------------------------------------

    async def submit(
        self,
        listens: Sequence[Listen],
        on_accepted: AcceptedBatch,
        on_refused: RefusedOne,
        outcome: SubmitOutcome,
    ) -> SubmitOutcome:
        counters = self._session.counters
        base = (counters.requests, counters.throttled, counters.retries, counters.waited_s)
        sendable: list[Encoded] = []
        for listen in listens:
            try:
                sendable.append(Encoded(listen, fitted(listen, self.client_version)))
            except Unsendable as exc:
                refused = RefusedListen(listen, f"not sent: {exc}")
                outcome.refused.append(refused)
                on_refused(refused)
        queue = deque(batches(sendable, self.max_listens, self.max_bytes))
        in_a_row = 0
        try:
            while queue:
                batch = queue.popleft()
                reply = await self._session.request("POST", SUBMIT, request_body(batch))
                if reply.status == 200:
                    on_accepted([item.listen for item in batch])
                    outcome.accepted += len(batch)
                    in_a_row = 0
                    continue
                self._refusal(reply)
                if len(batch) > 1 and reply.status == 413:
                    self.max_listens = max(1, len(batch) // 2)
                    rest = [item for waiting in (batch, *queue) for item in waiting]
                    queue = deque(batches(rest, self.max_listens, self.max_bytes))
                    continue
                if len(batch) > 1:
                    middle = len(batch) // 2
                    queue.extendleft([batch[middle:], batch[:middle]])
                    continue
                refused = RefusedListen(batch[0].listen, _message(reply))
                outcome.refused.append(refused)
                on_refused(refused)
                in_a_row += 1
                if in_a_row >= REFUSALS_IN_A_ROW:
                    raise ListenServerRefused(
                        f"{self.root} refused {in_a_row} listens in a row, none accepted in "
                        f"between (last: {refused.reason}); nothing more was sent",
                        hint="what it accepted is recorded; check the listens it lists, or "
                        "the server",
                    )
        finally:
            outcome.requests += counters.requests - base[0]
            outcome.throttled += counters.throttled - base[1]
            outcome.retries += counters.retries - base[2]
            outcome.waited_s += counters.waited_s - base[3]
        return outcome

    def _refusal(self, reply: Reply) -> None:
        """Statuses that end the push; 400 and 413 are the caller's (bisect, halve)."""
        if reply.status in (400, 413):
            return
        if reply.status in (401, 403):
            raise ListenTokenRejected(
                f"{self.root} refused the token while listens were sent ({_message(reply)})",
                hint=GET_A_NEW_ONE,
            )
        if reply.status in (404, 405) or 300 <= reply.status < 400:
            raise NotListenBrainzApi(
                f"{self.root} does not take listens (POST {SUBMIT}: {_answer(reply)})",
                hint=f"give {EXAMPLES}",
            )
        raise ListenServerRefused(
            f"{self.root} answered POST {SUBMIT} with {_answer(reply)}",
            hint="what it accepted before is recorded",
        )


def _valid(reply: Reply) -> bool:
    body = reply.body
    return isinstance(body, dict) and body.get("valid") is True


def _speaks_listenbrainz(reply: Reply) -> bool:
    """An error body as ListenBrainz and the servers like it write one: ``{"code": …,
    "error": "…"}`` (a 401 of another API — Apple's ``{"errors": […]}``, a proxy's HTML page —
    says nothing about the token)."""
    body = reply.body
    return isinstance(body, dict) and isinstance(body.get("error", body.get("message")), str)


def _says_invalid(reply: Reply) -> bool:
    """ListenBrainz's answer for a token it does not know: 200 with ``"valid": false``."""
    body = reply.body
    return reply.status == 200 and isinstance(body, dict) and body.get("valid") is False


def _answer(reply: Reply) -> str:
    detail = _message(reply)
    head = f"HTTP {reply.status}"
    return head if detail == head else f"{head}, {detail}"
