"""Health data stays local (SPEC §9): `analyze`, `import` and `demo` open no network connection except to
the configured database. (Live recording adds Bluetooth, through BlueZ's D-Bus socket; not used here.)

The guard replaces Python's socket entry points in this process, so it sees what Python code does:
HTTP clients, telemetry, DNS lookups. PostgreSQL's own client library (libpq, in C) connects below it;
its connection is the configured database, which is allowed anyway.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from helpers import DATA
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from hiptrack.cli import app

runner = CliRunner()
CSV = DATA / "seated_ir_left.csv"


class Network:
    """Every attempt to reach another machine, refused unless it is `allowed` (host, port)."""

    def __init__(self) -> None:
        self.attempts: list[tuple[str, Any]] = []
        self.allowed: set[tuple[str, int]] = set()

    def check(self, how: str, address: Any) -> None:
        if isinstance(address, tuple) and (str(address[0]), int(address[1])) in self.allowed:
            return
        self.attempts.append((how, address))
        raise ConnectionRefusedError(f"network use forbidden in this test: {how} {address!r}")


@pytest.fixture
def network(monkeypatch: pytest.MonkeyPatch) -> Iterator[Network]:
    net = Network()
    real_connect, real_connect_ex, real_sendto = socket.socket.connect, socket.socket.connect_ex, socket.socket.sendto
    real_getaddrinfo = socket.getaddrinfo

    def connect(self: socket.socket, address: Any) -> None:
        net.check("connect", address)
        real_connect(self, address)

    def connect_ex(self: socket.socket, address: Any) -> int:
        net.check("connect_ex", address)
        return real_connect_ex(self, address)

    def sendto(self: socket.socket, data: bytes, *args: Any) -> int:
        net.check("sendto", args[-1])
        return real_sendto(self, data, *args)

    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if (str(host), int(port or 0)) not in net.allowed:
            net.check("getaddrinfo", (host, port))
        return real_getaddrinfo(host, port, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    monkeypatch.setattr(socket.socket, "sendto", sendto)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    yield net


def test_the_guard_sees_what_a_leak_would_do(network: Network) -> None:
    """Without this, a guard that caught nothing would pass every test below."""
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("telemetry.example", 443), timeout=1)
    with pytest.raises(ConnectionRefusedError), socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
        udp.sendto(b"x", ("192.0.2.1", 53))
    assert [how for how, _ in network.attempts] == ["getaddrinfo", "sendto"]


def test_analyze_uses_no_network(network: Network, tmp_path: Path) -> None:
    result = runner.invoke(app, ["analyze", str(CSV), "--side", "left", "--exercise", "seated_hip_internal_rotation",
                                 "--json", "--angles", str(tmp_path / "angles.csv")])
    assert result.exit_code == 0, result.stderr
    assert network.attempts == []


def test_import_talks_only_to_the_database(network: Network, any_db_url: str) -> None:
    url = make_url(any_db_url)
    if url.host:
        network.allowed.add((url.host, url.port or 5432))
    imported = runner.invoke(app, ["import", str(CSV), "--side", "left", "--exercise",
                                   "seated_hip_internal_rotation", "--db", any_db_url])
    assert imported.exit_code == 0, imported.stderr
    listed = runner.invoke(app, ["sessions", "--json", "--db", any_db_url])
    assert listed.exit_code == 0 and listed.stdout.count('"exercise"') == 1
    assert network.attempts == []


def test_demo_uses_no_network(network: Network, db_url: str) -> None:
    demo = runner.invoke(app, ["demo", "--no-tui", "--db", db_url])
    assert demo.exit_code == 0, demo.stderr
    assert network.attempts == []
