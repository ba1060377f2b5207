"""Who may talk to the server: the token, the Host, the Origin, and the headers every page gets.

The server listens on loopback, but any page the person opens could still send requests to it
(cross-site requests, or DNS rebinding: a hostile name that resolves to 127.0.0.1). So every
HTTP request and every WebSocket handshake must

- name this server in ``Host`` (the bound address, localhost or 127.0.0.1, with the port),
- come from this server's own pages when it carries an ``Origin`` (a WebSocket always must),
- carry the token: ``?token=`` in the address printed at start (exchanged at once for an
  HttpOnly, SameSite=Strict cookie, and removed from the address), or that cookie.

Anything else gets 403. Written as plain ASGI middleware so WebSockets are checked before
they are accepted (uvicorn answers a handshake closed early with 403).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from urllib.parse import parse_qsl, urlencode

from starlette.datastructures import Headers

SAFE_METHODS = ("GET", "HEAD")
TOKEN_PARAM = "token"

# No inline script or style anywhere; every asset comes from this server. The reports and
# trend pages carry their own stricter policy (nonce script, data: images and audio).
PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; media-src 'self' data: blob:; "
    "connect-src 'self' {ws}; font-src 'self'; frame-src 'self'; worker-src 'self'; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'self'"
)
COMMON_HEADERS = (
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"SAMEORIGIN"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"permissions-policy", b"microphone=(self), camera=(), geolocation=()"),
)
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")

DENIED_PAGE = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>mockmic: not allowed</title></head>
<body><h1>Not allowed</h1><p>{reason} Open the address that <code>mockmic serve</code> printed in its terminal
(it ends in <code>?token=...</code>).</p></body></html>
"""


def new_token() -> str:
    return secrets.token_urlsafe(24)


def host_header_name(host: str) -> str:
    """How a bound address appears in a Host header (IPv6 in brackets)."""
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


class Guard:
    """ASGI middleware: refuses (403) any request or WebSocket without the token, from a foreign
    Origin, or naming another Host; adds the security headers to every response."""

    def __init__(self, app, *, token: str, host: str, port: int, extra_hosts: Iterable[str] = ()) -> None:
        self.app = app
        self.token = token
        self.port = port
        self.cookie = f"mockmic_token_{port}"  # cookies ignore ports: one per server
        names = {*LOOPBACK_NAMES, host_header_name(host), *extra_hosts}
        self.hosts = {f"{n}:{port}".lower() for n in names}
        if port == 80:
            self.hosts |= {n.lower() for n in names}

    # -- checks --

    def _problem(self, scope, headers: Headers) -> str | None:
        host = (headers.get("host") or "").lower()
        if host not in self.hosts:
            return "This server answers only to its own address."
        origin = headers.get("origin")
        same = f"http://{host}"
        if scope["type"] == "websocket":
            if origin is None or origin.lower() != same:
                return "A connection from another site was refused."
        else:
            if origin is not None and origin.lower() != same:
                return "A request from another site was refused."
            site = headers.get("sec-fetch-site")
            if scope.get("method", "GET") not in SAFE_METHODS and site not in (None, "same-origin"):
                return "A request from another site was refused."
        if not (self._token_in_query(scope) or self._token_in_cookie(headers)):
            return "This address needs its token."
        return None

    def _token_in_query(self, scope) -> bool:
        for key, value in parse_qsl(scope.get("query_string", b"").decode("latin-1")):
            if key == TOKEN_PARAM and secrets.compare_digest(value.encode(), self.token.encode()):
                return True
        return False

    def _token_in_cookie(self, headers: Headers) -> bool:
        for part in headers.get("cookie", "").split(";"):
            name, _, value = part.strip().partition("=")
            if name == self.cookie and secrets.compare_digest(value.encode(), self.token.encode()):
                return True
        return False

    # -- ASGI --

    async def __call__(self, scope, receive, send):
        if scope["type"] not in ("http", "websocket"):
            return await self.app(scope, receive, send)
        headers = Headers(scope=scope)
        problem = self._problem(scope, headers)
        if problem is not None:
            return await self._deny(scope, receive, send, problem)
        if scope["type"] == "http" and scope["method"] in SAFE_METHODS and self._token_in_query(scope):
            # Swap the token in the address for a cookie, and take it out of the address (and
            # so out of the history and any Referer).
            return await self._exchange(scope, send)
        if scope["type"] == "websocket":
            return await self.app(scope, receive, send)
        return await self.app(scope, receive, self._with_headers(send, headers))

    def _with_headers(self, send, headers: Headers):
        ws = f"ws://{headers.get('host', '')}"

        async def wrapped(message):
            if message["type"] == "http.response.start":
                raw = list(message.get("headers", []))
                have = {k.lower() for k, _ in raw}
                extra = [(k, v) for k, v in COMMON_HEADERS if k not in have]
                if b"content-security-policy" not in have:
                    extra.append((b"content-security-policy", PAGE_CSP.format(ws=ws).encode()))
                if b"cache-control" not in have:
                    extra.append((b"cache-control", b"no-store"))
                message = dict(message, headers=raw + extra)
            await send(message)

        return wrapped

    async def _exchange(self, scope, send) -> None:
        query = [(k, v) for k, v in parse_qsl(scope.get("query_string", b"").decode("latin-1")) if k != TOKEN_PARAM]
        target = scope.get("path", "/") + (("?" + urlencode(query)) if query else "")
        cookie = f"{self.cookie}={self.token}; Path=/; HttpOnly; SameSite=Strict"
        await send({"type": "http.response.start", "status": 303, "headers": [
            (b"location", target.encode("latin-1")), (b"set-cookie", cookie.encode()),
            (b"cache-control", b"no-store"), (b"referrer-policy", b"no-referrer"), (b"content-length", b"0")]})
        await send({"type": "http.response.body", "body": b""})

    async def _deny(self, scope, receive, send, reason: str) -> None:
        if scope["type"] == "websocket":
            await receive()  # websocket.connect
            await send({"type": "websocket.close", "code": 1008})  # before accept: uvicorn answers 403
            return
        body = DENIED_PAGE.format(reason=reason).encode("utf-8")
        await send({"type": "http.response.start", "status": 403, "headers": [
            (b"content-type", b"text/html; charset=utf-8"), (b"content-length", str(len(body)).encode()),
            *COMMON_HEADERS, (b"content-security-policy", b"default-src 'none'"), (b"cache-control", b"no-store")]})
        await send({"type": "http.response.body", "body": body})
