"""§9 item 9: every fault kind triggers, is seed-reproducible, and recovers as documented."""

from __future__ import annotations

import asyncio
import random
import time

import httpx
import pytest

from amsync.emulator import Emulator, FaultConfig, Library, LibrarySpec, generate_library

from .conftest import AUTH, DEV, USER


def _client(emu: Emulator) -> httpx.Client:
    return httpx.Client(
        transport=emu.transport(), base_url="https://api.music.apple.com", headers=AUTH
    )


def _fresh(faults: FaultConfig) -> Emulator:
    lib = generate_library(LibrarySpec(songs=400, seed=3))
    return Emulator(lib, developer_tokens={DEV}, music_user_tokens={USER}, faults=faults)


def _outcome(client: httpx.Client, url: str) -> str:
    try:
        response = client.get(url)
        response.read()
    except httpx.RemoteProtocolError:
        return "protocol-error"
    if response.status_code != 200:
        return str(response.status_code)
    return f"200:{len(response.json().get('data', []))}"


URLS = [f"/v1/me/library/songs?offset={o}&limit=50" for o in range(0, 400, 50)] + [
    f"/v1/me/library/albums?offset={o}&limit=10" for o in range(0, 40, 10)
]


def test_rate_limit_429_without_retry_after_then_clears() -> None:
    emu = _fresh(FaultConfig(rate_limit_rps=20, rate_limit_burst=3))
    with _client(emu) as client:
        statuses = [client.get("/v1/test") for _ in range(6)]
        limited = [r for r in statuses if r.status_code == 429]
        assert limited
        assert all("retry-after" not in r.headers for r in limited)
        assert limited[0].json()["errors"][0]["code"] == "42900"
        time.sleep(0.2)
        assert client.get("/v1/test").status_code == 200


@pytest.mark.parametrize("kind", ["error", "drop", "truncate"])
def test_each_kind_triggers(kind: str) -> None:
    emu = _fresh(FaultConfig(seed=5, **{f"{kind}_rate": 0.5}))  # type: ignore[arg-type]
    with _client(emu) as client:
        outcomes = [_outcome(client, u) for u in URLS]
    if kind == "error":
        assert {o[:3] for o in outcomes} & {"500", "503", "504"}
    else:
        assert "protocol-error" in outcomes
    assert any(o.startswith("200") for o in outcomes)


def test_truncated_body_over_transport_raises() -> None:
    emu = _fresh(FaultConfig(truncate_rate=1.0))
    with _client(emu) as client, pytest.raises(httpx.RemoteProtocolError):
        client.get("/v1/me/library/songs")


def test_short_pages_keep_next_and_total_and_recover() -> None:
    emu = _fresh(FaultConfig(seed=2, short_page_rate=1.0))
    with _client(emu) as client:
        first = client.get("/v1/me/library/songs?limit=100").json()
        assert 97 <= len(first["data"]) < 100
        assert first["next"] == "/v1/me/library/songs?offset=100"
        assert first["meta"]["total"] == 400
        retry = client.get("/v1/me/library/songs?limit=100").json()
        assert len(retry["data"]) == 100
        assert {d["id"] for d in first["data"]} < {d["id"] for d in retry["data"]}


def test_transient_404_mid_list_once() -> None:
    emu = _fresh(FaultConfig(transient_404_rate=1.0))
    with _client(emu) as client:
        assert client.get("/v1/me/library/songs?limit=100").status_code == 200
        assert client.get("/v1/me/library/songs?offset=100&limit=100").status_code == 404
        assert client.get("/v1/me/library/songs?offset=100&limit=100").status_code == 200


def test_fault_rate_enables_all_kinds() -> None:
    cfg = FaultConfig(fault_rate=0.3)
    assert all(
        cfg.rate(k) == 0.3 for k in ("error", "drop", "truncate", "short_page", "transient_404")
    )


def test_paths_filter_and_latency() -> None:
    emu = _fresh(FaultConfig(error_rate=1.0, paths=("/v1/catalog",), latency_ms=30))
    with _client(emu) as client:
        started = time.perf_counter()
        assert client.get("/v1/me/library/songs").status_code == 200
        assert time.perf_counter() - started >= 0.03
        assert client.get("/v1/catalog/us/songs?ids=1").status_code in (500, 503, 504)


def test_same_seed_same_faults_in_any_order() -> None:
    cfg = {"seed": 11, "fault_rate": 0.25}
    requests = URLS * 3

    def run(order: list[str]) -> dict[tuple[str, int], str]:
        emu = _fresh(FaultConfig(**cfg))  # type: ignore[arg-type]
        seen: dict[str, int] = {}
        results: dict[tuple[str, int], str] = {}
        with _client(emu) as client:
            for url in order:
                n = seen.get(url, 0)
                seen[url] = n + 1
                results[(url, n)] = _outcome(client, url)
        return results

    shuffled = list(requests)
    random.Random(4).shuffle(shuffled)
    first, second = run(requests), run(shuffled)
    assert first == second
    assert len(set(first.values())) > 2  # faults actually happened
    other = _fresh(FaultConfig(seed=12, fault_rate=0.25))
    with _client(other) as client:
        assert {(u, 0): _outcome(client, u) for u in URLS} != {(u, 0): first[(u, 0)] for u in URLS}


def test_concurrent_async_run_is_reproducible() -> None:
    async def run(seed: int) -> list[str]:
        emu = _fresh(FaultConfig(seed=seed, fault_rate=0.3, jitter_ms=5))
        async with httpx.AsyncClient(
            transport=emu.async_transport(), base_url="https://api.music.apple.com", headers=AUTH
        ) as client:

            async def one(url: str) -> str:
                try:
                    response = await client.get(url)
                    await response.aread()
                except httpx.RemoteProtocolError:
                    return "drop"
                return str(response.status_code)

            return list(await asyncio.gather(*(one(u) for u in URLS)))

    assert asyncio.run(run(3)) == asyncio.run(run(3))


def test_listing_survives_faults_with_retries(library: Library) -> None:
    emu = Emulator(library, developer_tokens={DEV}, music_user_tokens={USER},
                   faults=FaultConfig(seed=9, fault_rate=0.2))  # fmt: skip
    with _client(emu) as client:
        url: str | None = "/v1/me/library/songs?limit=100"
        ids: list[str] = []
        for _ in range(200):
            if url is None:
                break
            try:
                response = client.get(url)
                body = response.json() if response.status_code == 200 else None
            except (httpx.RemoteProtocolError, ValueError):
                continue
            if body is None or len(body["data"]) < min(100, body["meta"]["total"] - len(ids)):
                continue  # retry the same page (short page, error, 404)
            ids += [d["id"] for d in body["data"]]
            url = body["next"] + "&limit=100" if "next" in body else None
        assert ids == sorted(library.songs, key=lambda s: (library.songs[s].name, s))
    assert emu.log.count(status=200) < emu.log.count()
