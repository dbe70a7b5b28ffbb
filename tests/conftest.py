"""Shared fixtures. Tests never reach the network: sockets are blocked for the session."""

from __future__ import annotations

import socket
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


class _NoNetwork(socket.socket):
    def connect(self, address):  # noqa: D401 - mirrors socket API
        host = address[0] if isinstance(address, tuple) else address
        if isinstance(host, str) and (host.startswith("127.") or host in ("localhost", "::1")) or not isinstance(address, tuple):
            return super().connect(address)
        raise OSError(f"network access blocked in tests: {address!r}")


@pytest.fixture(autouse=True, scope="session")
def _block_network():
    """Reviews hold personal data: nothing may reach the network, so tests prove it."""
    original = socket.socket
    socket.socket = _NoNetwork
    yield
    socket.socket = original


@pytest.fixture
def run_cli():
    """Run the CLI in-process; returns (exit_code, stdout, stderr)."""
    from sfo_nlp.cli import main

    def _run(*args: str, capsys=None):
        import io
        from contextlib import redirect_stderr, redirect_stdout

        out, err = io.StringIO(), io.StringIO()
        old_argv = sys.argv
        sys.argv = ["sfo-nlp", *map(str, args)]
        code = 0
        try:
            with redirect_stdout(out), redirect_stderr(err):
                main()
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        finally:
            sys.argv = old_argv
        return code, out.getvalue(), err.getvalue()

    return _run
