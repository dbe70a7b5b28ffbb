"""What keeps the local web page private to the person who started it.

- A random session token: the URL ``sfo-nlp serve`` prints carries it once; the app
  swaps it for an HttpOnly, SameSite=Strict cookie and redirects to the same page
  without it, so the token stays in neither the address bar nor a Referer header. Any request
  without the token (another local user, another web page) is refused with 403.
- Host check: only 127.0.0.1 / localhost / [::1] host names, which defeats DNS
  rebinding (a web page whose own domain resolves to 127.0.0.1).
- Cross-origin POSTs are refused by their Origin (or Referer) header, and every form
  carries a CSRF token derived from the session token.
- Content Security Policy on every response: nothing is loaded from anywhere but this
  app, no inline script, no framing.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from urllib.parse import urlencode, urlsplit

from starlette.middleware.base import BaseHTTPMiddleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response

COOKIE = "sfo_session"
LOCAL_HOSTS = ("127.0.0.1", "localhost", "[::1]", "::1")
# The app's own pages: stylesheet and images from this app only, no script at all.
CSP = ("default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
       "frame-ancestors 'none'; base-uri 'none'")
# The analysis report and the themes page are self-contained documents with inline CSS
# (the same files the CLI writes); they still may load nothing and run no script.
CSP_DOCUMENT = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; "
                "frame-ancestors 'none'; base-uri 'none'")


def new_token() -> str:
    return secrets.token_urlsafe(24)


def csrf_token(session_token: str) -> str:
    return hmac.new(session_token.encode(), b"csrf", hashlib.sha256).hexdigest()


def check_csrf(session_token: str, given: str | None) -> bool:
    return bool(given) and hmac.compare_digest(csrf_token(session_token), given)


def _host_name(host_header: str) -> str:
    host = host_header.strip().lower()
    if host.startswith("["):
        return host.split("]")[0] + "]"
    return host.rsplit(":", 1)[0] if ":" in host else host


class GuardMiddleware(BaseHTTPMiddleware):
    def __init__(self, app, token: str, allowed_hosts: tuple[str, ...] = LOCAL_HOSTS) -> None:
        super().__init__(app)
        self.token = token
        self.allowed_hosts = allowed_hosts

    async def dispatch(self, request: Request, call_next) -> Response:
        host = _host_name(request.headers.get("host", ""))
        if host not in self.allowed_hosts:
            return self._refuse(400, f"refused: this app answers only on {', '.join(LOCAL_HOSTS[:2])}")
        given = request.query_params.get("token")
        if given is not None:
            if not hmac.compare_digest(given, self.token):
                return self._refuse(403, "refused: wrong session token; use the address sfo-nlp serve printed")
            # Swap the token in the URL for a cookie, and drop it from the address bar.
            rest = [(k, v) for k, v in request.query_params.multi_items() if k != "token"]
            url = request.url.path + ("?" + urlencode(rest) if rest else "")
            resp = RedirectResponse(url, status_code=303)
            resp.set_cookie(COOKIE, self.token, httponly=True, samesite="strict", path="/")
            return self._harden(resp)
        cookie = request.cookies.get(COOKIE)
        if not cookie or not hmac.compare_digest(cookie, self.token):
            return self._refuse(403, "refused: no session token; open the address sfo-nlp serve printed")
        if request.method not in ("GET", "HEAD") and not self._same_origin(request):
            return self._refuse(403, "refused: request from another site")
        return self._harden(await call_next(request))

    def _same_origin(self, request: Request) -> bool:
        origin = request.headers.get("origin") or request.headers.get("referer")
        if not origin:
            return True  # same-origin form posts from old browsers may send neither; CSRF token still checked
        parts = urlsplit(origin)
        return parts.scheme in ("http", "https") and _host_name(parts.netloc) in self.allowed_hosts and \
            parts.netloc.lower() == request.headers.get("host", "").lower()

    @staticmethod
    def _harden(resp: Response) -> Response:
        resp.headers.setdefault("Content-Security-Policy", CSP)
        resp.headers["X-Content-Type-Options"] = "nosniff"
        # same-origin, not no-referrer: under no-referrer browsers send "Origin: null" on form
        # posts, which the origin check must refuse. The token never stays in a URL anyway.
        resp.headers["Referrer-Policy"] = "same-origin"
        resp.headers["X-Frame-Options"] = "DENY"
        resp.headers["Cache-Control"] = "no-store"
        return resp

    def _refuse(self, status: int, message: str) -> Response:
        return self._harden(PlainTextResponse(message + "\n", status_code=status))
