"""sfo-nlp serve: the local web page for people who do not use terminals."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from sfo_nlp.cli.app import app
from sfo_nlp.cli.batch import DbOpt
from sfo_nlp.errors import UsageError


@app.command()
def serve(
    port: int = typer.Option(8765, "--port", "-p", help="Port on 127.0.0.1 (0 picks a free one)."),
    db: Optional[Path] = DbOpt,
    max_upload_mb: Optional[float] = typer.Option(None, "--max-upload-mb", help="Largest file accepted (default 50)."),
) -> None:
    """Start the local web page (on this computer only) and print its private address."""
    import socket

    import uvicorn

    from sfo_nlp.web.app import create_app
    from sfo_nlp.web.security import new_token

    if not 0 <= port <= 65535:
        raise UsageError("--port must be between 0 and 65535")
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.bind(("127.0.0.1", port))  # loopback only: no other computer can reach it
    except OSError as exc:
        sock.close()
        raise UsageError(f"cannot listen on 127.0.0.1:{port} ({exc.strerror}); try another --port") from None
    port = sock.getsockname()[1]
    token = new_token()
    web = create_app(db_path=db, token=token, max_upload_mb=max_upload_mb)
    print(f"sfo-nlp is running on this computer only. Open this address in your browser:\n\n"
          f"    http://127.0.0.1:{port}/?token={token}\n\n"
          "Keep it private: anyone with the address can use the page. Press Ctrl+C to stop.", flush=True)
    config = uvicorn.Config(web, log_level="warning", access_log=False)
    uvicorn.Server(config).run(sockets=[sock])
