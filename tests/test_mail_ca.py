"""``email.ca_file``: a self-hosted mail server whose certificate a private authority signed.

A real aiosmtpd server on 127.0.0.1 (STARTTLS and implicit TLS) with a certificate signed by a
certificate authority made here with the ``openssl`` command (skipped, with the reason, when it
is missing).  Before the setting, such a server failed verification and the only way out was
``security: none``.
"""

from __future__ import annotations

import shutil
import ssl
import subprocess
from pathlib import Path

import pytest

from digest.config import load_config
from digest.errors import ConfigError
from digest.output.mailer import DeliveryError, deliver
from digest.store.base import Store
from tests.test_mailer import TZ, Collector, email_cfg, smtpd, store, view

__all__ = ["store"]  # the fixture, used below


@pytest.fixture(scope="module")
def signed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """(the authority's certificate, the server's certificate for 127.0.0.1 it signed, its key)."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("the openssl command is not installed: cannot make a test certificate authority")
    d = tmp_path_factory.mktemp("ca")
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]

    def run(*args: str) -> None:
        subprocess.run([openssl, *args], check=True, capture_output=True, timeout=60)

    run("req", "-x509", *ec, "-keyout", str(d / "ca.key"), "-out", str(d / "ca.pem"), "-days", "2",
        "-subj", "/CN=digest test authority", "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    run("req", *ec, "-keyout", str(d / "server.key"), "-out", str(d / "server.csr"), "-subj", "/CN=127.0.0.1")
    (d / "ext").write_text("subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n"
                           "keyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n")
    run("x509", "-req", "-in", str(d / "server.csr"), "-CA", str(d / "ca.pem"), "-CAkey", str(d / "ca.key"),
        "-CAcreateserial", "-out", str(d / "server.pem"), "-days", "2", "-extfile", str(d / "ext"))
    return d / "ca.pem", d / "server.pem", d / "server.key"


def server_ctx(signed: tuple[Path, Path, Path]) -> ssl.SSLContext:
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(str(signed[1]), str(signed[2]))
    return ctx


@pytest.mark.parametrize("security", ["starttls", "ssl"])
def test_a_server_signed_by_a_private_authority_is_mailed_with_ca_file(
    store: Store, signed: tuple[Path, Path, Path], security: str
) -> None:
    """There was no way to trust it but ``security: none``; now ``ca_file`` names its authority."""
    handler = Collector()
    tls = {"tls_context": server_ctx(signed), "require_starttls": True} if security == "starttls" \
        else {"ssl_context": server_ctx(signed)}
    with smtpd(handler, **tls) as port:
        assert deliver(store, view(), email_cfg(port, security=security, ca_file=str(signed[0])), tz=TZ)
    assert len(handler.accepted) == 2 and all(m[3] for m in handler.accepted)  # one a reader, both TLS


@pytest.mark.parametrize("security", ["starttls", "ssl"])
def test_without_ca_file_the_line_names_the_server_the_certificate_and_the_setting(
    store: Store, signed: tuple[Path, Path, Path], security: str
) -> None:
    handler = Collector()
    tls = {"tls_context": server_ctx(signed), "require_starttls": True} if security == "starttls" \
        else {"ssl_context": server_ctx(signed)}
    with smtpd(handler, **tls) as port, pytest.raises(DeliveryError) as err:
        deliver(store, view(), email_cfg(port, security=security), tz=TZ)
    line = str(err.value)
    assert "\n" not in line and f"127.0.0.1:{port}" in line and "certificate" in line, line
    assert "email.ca_file" in line and err.value.unreachable, line
    assert handler.accepted == []


def test_ca_file_still_checks_the_servers_name(store: Store, signed: tuple[Path, Path, Path]) -> None:
    """The authority is trusted for the names it signed, not for any: the certificate is for
    127.0.0.1, the server named "localhost" here."""
    handler = Collector()
    with smtpd(handler, tls_context=server_ctx(signed), require_starttls=True) as port:
        cfg = email_cfg(port, host="localhost", security="starttls", ca_file=str(signed[0]))
        with pytest.raises(DeliveryError, match=r"localhost:\d+: TLS failed.*(?i:hostname mismatch)"):
            deliver(store, view(), cfg, tz=TZ)
    assert handler.accepted == []


def config(tmp_path: Path, ca_file: str, security: str = "starttls") -> Path:
    path = tmp_path / "feeds.yaml"
    path.write_text(
        "sources: []\n"
        "email:\n"
        "  host: mail.home.arpa\n"
        f"  security: {security}\n"
        "  from: digest@home.arpa\n"
        "  to: [reader@home.arpa]\n"
        f"  ca_file: {ca_file}\n"
    )
    return path


def test_ca_file_is_read_relative_to_the_configuration(tmp_path: Path, signed: tuple[Path, Path, Path]) -> None:
    (tmp_path / "tls").mkdir()
    shutil.copy(signed[0], tmp_path / "tls" / "home-ca.pem")
    cfg = load_config(config(tmp_path, "tls/home-ca.pem"))
    assert cfg.email is not None and cfg.email.ca_file == tmp_path / "tls" / "home-ca.pem"


@pytest.mark.parametrize(("make", "said"), [
    (lambda d: None, "no such file"),
    (lambda d: (d / "ca.pem").mkdir(), "a folder, not a PEM file"),
    (lambda d: (d / "ca.pem").write_text("not a certificate\n"), "no PEM certificate in"),
    (lambda d: (d / "ca.pem").write_bytes(bytes(range(256))), "no PEM certificate in"),
])  # fmt: skip
def test_a_ca_file_that_cannot_be_one_is_one_configuration_line(tmp_path: Path, make: object, said: str) -> None:
    make(tmp_path)  # type: ignore[operator]
    with pytest.raises(ConfigError) as err:
        load_config(config(tmp_path, "ca.pem"))
    line = str(err.value)
    assert line.count("\n") == 0 and ":7: email.ca_file: " in line and said in line, line


def test_ca_file_without_tls_is_refused(tmp_path: Path, signed: tuple[Path, Path, Path]) -> None:
    """A ``ca_file`` with ``security: none`` reads as TLS and would send in clear text."""
    with pytest.raises(ConfigError, match=r"email: .*ca_file.*security is none.*starttls or ssl") as err:
        load_config(config(tmp_path, str(signed[0]), security="none"))
    assert str(err.value).count("\n") == 0
