"""A TLS-intercepting HTTP proxy on 127.0.0.1, as corporate proxies, VPNs and antivirus run.

It answers ``CONNECT host:443`` (optionally demanding ``Proxy-Authorization``), completes TLS with
a certificate for that host issued by its own CA, and relays the decrypted bytes to one upstream
(the emulator, plain HTTP) — so nothing leaves the machine, and amsync works through it exactly
when it trusts the CA (``SSL_CERT_FILE``). Connections and threads end with the ``with`` block.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import socket
import socketserver
import ssl
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

HOSTS = ("api.music.apple.com", "js-cdn.music.apple.com")
ISSUER = "Intercepting Proxy Ltd"


def _name(common: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, ISSUER),
            x509.NameAttribute(NameOID.COMMON_NAME, common),
        ]
    )


def make_certificates(folder: Path) -> tuple[Path, Path, Path]:
    """(CA certificate, leaf certificate, leaf key) PEM files for ``HOSTS``."""
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder()
        .subject_name(_name("Intercepting Proxy Root CA"))
        .issuer_name(_name("Intercepting Proxy Root CA"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), False)
        .sign(ca_key, hashes.SHA256())
    )
    leaf_key = ec.generate_private_key(ec.SECP256R1())
    leaf = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, HOSTS[0])]))
        .issuer_name(ca.subject)
        .public_key(leaf_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(h) for h in HOSTS]), False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False
        )
        .sign(ca_key, hashes.SHA256())
    )
    ca_path, leaf_path, key_path = folder / "proxy-ca.pem", folder / "leaf.pem", folder / "leaf.key"
    ca_path.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    leaf_path.write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        leaf_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return ca_path, leaf_path, key_path


def _pump(source: socket.socket, target: socket.socket) -> None:
    with contextlib.suppress(OSError):
        while chunk := source.recv(65536):
            target.sendall(chunk)
    with contextlib.suppress(OSError):
        target.shutdown(socket.SHUT_WR)


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    tls: ssl.SSLContext
    upstream: tuple[str, int]
    password: str | None
    connects: list[str]


class _Handler(socketserver.BaseRequestHandler):
    server: _Server

    def handle(self) -> None:
        client: socket.socket = self.request
        client.settimeout(20)
        head = b""
        while b"\r\n\r\n" not in head and len(head) < 16384:
            chunk = client.recv(4096)
            if not chunk:
                return
            head += chunk
        lines = head.decode("latin-1").split("\r\n")
        method, target = ([*lines[0].split(" "), "", ""])[:2]
        self.server.connects.append(target)
        if method != "CONNECT":
            client.sendall(b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n")
            return
        if self.server.password is not None and not any(
            line.lower().startswith("proxy-authorization:") for line in lines
        ):
            client.sendall(
                b"HTTP/1.1 407 Proxy Authentication Required\r\n"
                b'Proxy-Authenticate: Basic realm="proxy"\r\nContent-Length: 0\r\n\r\n'
            )
            return
        client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
        try:
            inner = self.server.tls.wrap_socket(client, server_side=True)
        except (ssl.SSLError, OSError):
            return  # the client did not trust the certificate
        with inner, socket.create_connection(self.server.upstream, timeout=20) as upstream:
            back = threading.Thread(target=_pump, args=(upstream, inner), daemon=True)
            back.start()
            _pump(inner, upstream)
            back.join(timeout=20)


@dataclass
class RunningProxy:
    url: str
    ca_file: Path
    connects: list[str]


@contextlib.contextmanager
def intercepting_proxy(
    folder: Path, upstream: tuple[str, int], *, password: str | None = None
) -> Iterator[RunningProxy]:
    ca_path, leaf_path, key_path = make_certificates(folder)
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(leaf_path, key_path)
    server = _Server(("127.0.0.1", 0), _Handler)
    server.tls, server.upstream, server.password, server.connects = tls, upstream, password, []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield RunningProxy(f"http://127.0.0.1:{server.server_address[1]}", ca_path, server.connects)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
