"""docs/how-to/authorization.md ("When authorization fails"): every cause that ``amsync doctor``
detects, provoked for real against the emulator on a socket (or a local proxy, a closed port, a
damaged file), with the doctor line a person reads and the exit code a script sees.

One test per row of the table; the rows that only affect Apple's own apps (device limits,
cellular restrictions, simultaneous streams) have no test because amsync cannot meet them.
"""

from __future__ import annotations

import json
import re
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from amsync.emulator import Emulator, FaultConfig, LibrarySpec, generate_library
from amsync.emulator.musickit import SCRIPT_PATH
from tests.support.cli import CliResult, invoke
from tests.support.intercepting_proxy import intercepting_proxy

MUT = "music-user-token-SECRET-doctor-causes"
KEY = ec.generate_private_key(ec.SECP256R1())
KEY_ID, TEAM_ID = "KEYID12345", "TEAMID1234"


@dataclass
class Served:
    emulator: Emulator
    url: str
    developer_token: str
    host: str
    port: int


@pytest.fixture
def served() -> Iterator[Served]:
    public = KEY.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    emulator = Emulator(
        generate_library(LibrarySpec(songs=30, playlists=2, seed=9)),
        music_user_tokens={MUT},
        jwt_public_key_pem=public,
        jwt_key_id=KEY_ID,
        jwt_team_id=TEAM_ID,
    )
    developer_token = emulator.issue_developer_token()
    with emulator.serve() as server:
        yield Served(emulator, server.url, developer_token, server.host, server.port)


@pytest.fixture
def key_file(tmp_path: Path) -> Path:
    path = tmp_path / f"AuthKey_{KEY_ID}.p8"
    path.write_bytes(
        KEY.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return path


def doctor(tmp_path: Path, served: Served, **env: str) -> tuple[CliResult, dict[str, dict]]:
    """``amsync doctor`` as a person runs it (text), and the same as JSON for the details."""
    base = {
        "AMSYNC_DEVELOPER_TOKEN": served.developer_token,
        "AMSYNC_MUSIC_USER_TOKEN": MUT,
        "AMSYNC_API_URL": served.url,
        "AMSYNC_MUSICKIT_JS_URL": served.url + SCRIPT_PATH,
        "AMSYNC_RETRY_BUDGET": "2",
    }
    merged = {k: v for k, v in {**base, **env}.items() if v != "-"}  # "-": not set at all
    unset = [k for k, v in env.items() if v == "-"]
    args = ["--home", str(tmp_path / "home"), "--db", str(tmp_path / "mirror.db"), "doctor"]
    text = invoke(args, env=merged, unset=unset)
    as_json = invoke([*args, "--json"], env=merged, unset=unset)
    assert "Traceback" not in text.stderr + as_json.stderr
    assert as_json.exit_code == text.exit_code
    checks = {c["name"]: c for c in json.loads(as_json.stdout)["checks"]}
    for secret in (served.developer_token, MUT):
        assert secret not in text.output + as_json.output
    return text, checks


def line(result: CliResult, prefix: str) -> str:
    """The doctor line that starts with ``prefix`` (status and check name)."""
    found = [x for x in result.stdout.splitlines() if x.startswith(prefix)]
    assert found, f"no line {prefix!r} in:\n{result.stdout}"
    return found[0]


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --- all well ---------------------------------------------------------------------------------


def test_all_well_exits_0(tmp_path: Path, served: Served) -> None:
    result, checks = doctor(tmp_path, served)
    assert result.exit_code == 0, result.output
    assert line(result, "OK    software: amsync ")
    assert line(result, "OK    musickit script: 127.0.0.1:")
    assert line(result, "OK    developer token: from AMSYNC_DEVELOPER_TOKEN: alg ES256")
    assert {c["status"] for c in checks.values()} == {"ok"}, checks


# --- network ------------------------------------------------------------------------------------


def test_network_dns_fails(tmp_path: Path, served: Served) -> None:
    result, _ = doctor(tmp_path, served, AMSYNC_API_URL="http://api.amsync-doctor.invalid")
    assert line(result, "FAIL  dns: cannot resolve api.amsync-doctor.invalid")
    assert result.exit_code == 75


def test_network_or_firewall_refuses_the_connection(tmp_path: Path, served: Served) -> None:
    port = closed_port()
    result, checks = doctor(tmp_path, served, AMSYNC_API_URL=f"http://127.0.0.1:{port}")
    assert line(result, f"FAIL  connect: cannot connect to 127.0.0.1:{port}: ConnectionRefused")
    assert "firewall" in str(checks["connect"]["fix"])
    assert result.exit_code == 75


def test_firewall_blocks_the_musickit_script_host(tmp_path: Path, served: Served) -> None:
    blocked = f"http://127.0.0.1:{closed_port()}/musickit/v3/musickit.js"
    result, checks = doctor(tmp_path, served, AMSYNC_MUSICKIT_JS_URL=blocked)
    assert line(result, "WARN  musickit script: `amsync auth login` will not load MusicKit here")
    assert "media-user-token" in str(checks["musickit script"]["fix"])
    assert result.exit_code == 0  # syncs do not need it


# --- Apple ID and token problems -----------------------------------------------------------


def test_apple_id_problem_revoked_music_user_token(tmp_path: Path, served: Served) -> None:
    served.emulator.revoke_music_user_token()  # as after a password change or a sign-out
    result, checks = doctor(tmp_path, served)
    assert line(result, "FAIL  music user token accepted: /v1/me/storefront answered 403")
    assert "amsync auth login" in str(checks["music user token accepted"]["fix"])
    assert result.exit_code == 3


def test_expired_developer_token(tmp_path: Path, served: Served) -> None:
    expired = served.emulator.issue_developer_token(3600, issued_at=time.time() - 7200)
    result, _ = doctor(tmp_path, served, AMSYNC_DEVELOPER_TOKEN=expired)
    assert re.search(r"^FAIL  developer token: .* days left \(expired\)$", result.stdout, re.M)
    assert line(result, "FAIL  developer token accepted: /v1/test answered 401")
    assert result.exit_code == 3


def test_expired_developer_token_with_a_key_file_is_replaced(
    tmp_path: Path, served: Served, key_file: Path
) -> None:
    expired = served.emulator.issue_developer_token(3600, issued_at=time.time() - 7200)
    keys = {"AMSYNC_KEY_FILE": str(key_file), "AMSYNC_TEAM_ID": TEAM_ID, "AMSYNC_KEY_ID": KEY_ID}
    result, _ = doctor(tmp_path, served, AMSYNC_DEVELOPER_TOKEN=expired, **keys)
    assert line(result, "OK    developer token: from AMSYNC_DEVELOPER_TOKEN (the key file")
    assert line(result, "OK    developer token accepted: /v1/test answered 200")
    assert result.exit_code == 0


def test_a_developer_token_amsync_cannot_decode_is_expiry_unknown(
    tmp_path: Path, served: Served
) -> None:
    """Issue 14 item 5: not a JWT is a WARN (expiry unknown); Apple's answer decides."""
    served.emulator.tokens.developer_tokens.add("opaque-developer-token")
    result, _ = doctor(tmp_path, served, AMSYNC_DEVELOPER_TOKEN="opaque-developer-token")
    assert line(result, "WARN  developer token: from AMSYNC_DEVELOPER_TOKEN: not a JWT")
    assert "expiry is unknown" in result.stdout
    assert line(result, "OK    developer token accepted")
    assert result.exit_code == 0


# --- subscription -------------------------------------------------------------------------------


def test_expired_subscription(tmp_path: Path, served: Served) -> None:
    served.emulator.faults = FaultConfig(no_subscription=True)
    result, checks = doctor(tmp_path, served)
    assert line(result, "OK    music user token accepted")
    assert line(result, "FAIL  subscription: the library answered 401: no (or an insufficient)")
    assert "renew the subscription" in str(checks["subscription"]["fix"])
    assert result.exit_code == 3


# --- wrong date and time ---------------------------------------------------------------------


def test_wrong_date_and_time_breaks_signed_tokens(
    tmp_path: Path, served: Served, key_file: Path
) -> None:
    """The local clock runs two hours ahead of Apple's: a freshly signed token looks issued in
    the future, and Apple refuses it."""
    served.emulator.faults = FaultConfig(clock_offset_s=-7200)
    keys = {"AMSYNC_KEY_FILE": str(key_file), "AMSYNC_TEAM_ID": TEAM_ID, "AMSYNC_KEY_ID": KEY_ID}
    result, checks = doctor(tmp_path, served, AMSYNC_DEVELOPER_TOKEN="-", **keys)
    assert re.search(
        r"^WARN  clock: local clock is \+7\d{3} s off the server's$", result.stdout, re.M
    )
    assert line(result, "FAIL  developer token accepted: /v1/test answered 401")
    assert "the local clock is +7" in str(checks["developer token accepted"]["fix"])
    assert result.exit_code == 3


def test_a_slightly_wrong_clock_is_a_warning(tmp_path: Path, served: Served) -> None:
    """The local clock runs ten minutes behind: a given token still works; a warning."""
    served.emulator.faults = FaultConfig(clock_offset_s=600)
    result, _ = doctor(tmp_path, served)
    assert re.search(r"^WARN  clock: local clock is -[56]\d\d s off", result.stdout, re.M)
    assert result.exit_code == 0


# --- VPN, proxy, TLS interception, outdated certificates --------------------------------------


def test_vpn_or_proxy_intercepting_tls_with_a_trusted_ca(tmp_path: Path, served: Served) -> None:
    with intercepting_proxy(tmp_path, (served.host, served.port)) as proxy:
        result, _checks = doctor(
            tmp_path,
            served,
            AMSYNC_API_URL="-",
            AMSYNC_MUSICKIT_JS_URL="-",
            HTTPS_PROXY=proxy.url,
            SSL_CERT_FILE=str(proxy.ca_file),
        )
    assert line(result, f"OK    proxy: api.music.apple.com through {proxy.url}")
    assert re.search(
        rf"^WARN  connect: api.music.apple.com:443 through proxy {re.escape(proxy.url)} in \d+ ms, "
        r"certificate issued by Intercepting Proxy Ltd \(not Apple: TLS is intercepted\)$",
        result.stdout,
        re.M,
    )
    assert line(result, "WARN  musickit script: reachable, but js-cdn.music.apple.com:443")
    assert line(result, "OK    subscription: library readable")  # amsync works through it
    assert "api.music.apple.com:443" in proxy.connects
    assert result.exit_code == 0


def test_tls_interception_not_trusted_or_outdated_ca_certificates(
    tmp_path: Path, served: Served
) -> None:
    with intercepting_proxy(tmp_path, (served.host, served.port)) as proxy:
        result, checks = doctor(
            tmp_path,
            served,
            AMSYNC_API_URL="-",
            AMSYNC_MUSICKIT_JS_URL="-",
            HTTPS_PROXY=proxy.url,
            SSL_CERT_FILE="-",
        )
    assert re.search(
        r"^FAIL  connect: the TLS certificate of api.music.apple.com through proxy .* is not "
        r"trusted \(.*\); issued by Intercepting Proxy Ltd$",
        result.stdout,
        re.M,
    )
    assert "ca-certificates" in str(checks["connect"]["fix"])
    assert line(result, "OK    software: amsync ")
    assert result.exit_code == 2


def test_proxy_with_credentials_works_and_hides_the_password(
    tmp_path: Path, served: Served
) -> None:
    with intercepting_proxy(tmp_path, (served.host, served.port), password="s3cret") as proxy:
        with_credentials = proxy.url.replace("http://", "http://me:s3cret@")
        result, _ = doctor(
            tmp_path,
            served,
            AMSYNC_API_URL="-",
            AMSYNC_MUSICKIT_JS_URL="-",
            HTTPS_PROXY=with_credentials,
            SSL_CERT_FILE=str(proxy.ca_file),
        )
    assert line(result, "OK    proxy: api.music.apple.com through http://***@127.0.0.1:")
    assert line(result, "WARN  connect: api.music.apple.com:443 through proxy http://***@")
    assert line(result, "OK    subscription: library readable")
    assert "s3cret" not in result.output
    assert result.exit_code == 0


def test_proxy_that_wants_credentials(tmp_path: Path, served: Served) -> None:
    with intercepting_proxy(tmp_path, (served.host, served.port), password="s3cret") as proxy:
        result, _ = doctor(
            tmp_path, served, AMSYNC_API_URL="-", AMSYNC_MUSICKIT_JS_URL="-", HTTPS_PROXY=proxy.url
        )
    assert line(
        result, f"FAIL  connect: proxy {proxy.url} refused to connect to api.music.apple.com"
    )
    assert "407 Proxy Authentication Required" in result.stdout
    assert result.exit_code == 2


# --- corrupted library or cache ---------------------------------------------------------------


def test_corrupted_local_mirror(tmp_path: Path, served: Served) -> None:
    env = {
        "AMSYNC_DEVELOPER_TOKEN": served.developer_token,
        "AMSYNC_MUSIC_USER_TOKEN": MUT,
        "AMSYNC_API_URL": served.url,
    }
    database = tmp_path / "mirror.db"
    synced = invoke(["--home", str(tmp_path / "home"), "--db", str(database), "sync"], env=env)
    assert synced.exit_code == 0, synced.output
    raw = bytearray(database.read_bytes())
    raw[4096 : 4096 * 3] = b"\xa5" * (4096 * 2)  # two damaged pages
    database.write_bytes(bytes(raw))
    result, _ = doctor(tmp_path, served)
    assert line(result, "FAIL  database")
    assert result.exit_code == 2


# --- conflicting apps sharing the developer token ------------------------------------------


def test_conflicting_apps_throttle_the_shared_developer_token(
    tmp_path: Path, served: Served
) -> None:
    served.emulator.faults = FaultConfig(rate_limit_rps=0.5, rate_limit_burst=1)
    result, _ = doctor(tmp_path, served, AMSYNC_RETRY_BUDGET="30")
    assert re.search(r"^WARN  throttling: \d+ request\(s\) answered 429$", result.stdout, re.M)
    assert result.exit_code == 0
