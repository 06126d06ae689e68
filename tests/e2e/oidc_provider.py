"""A small OpenID Connect provider for tests, speaking the real protocol on 127.0.0.1.

It implements the authorization code flow as Streamlit's st.login (Authlib) uses it:
discovery (/.well-known/openid-configuration), an authorization endpoint that approves the
configured test user without a login screen and sends the browser back with code and state,
a token endpoint (client_secret_basic or client_secret_post, PKCE S256, single-use codes) that
returns an RS256-signed id_token carrying the nonce, a JWKS endpoint with the public key, and
userinfo for the access token.

Signing and keys come from joserfc (the JOSE library by Authlib's author, which Authlib
itself uses to verify id_tokens); the HTTP side is the standard library's http.server. Every
request is checked the way a strict provider would, and what was refused is kept in
`errors`, so a test can tell "the app sent something wrong" from "the page looks wrong".
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote_plus, urlencode, urlsplit

from joserfc import jwt
from joserfc.jwk import RSAKey

CODE_LIFETIME_SECONDS = 60
TOKEN_LIFETIME_SECONDS = 300


@dataclass
class TestUser:
    """Who the provider says is logging in: the claims it puts in the id_token."""

    __test__ = False  # a dataclass named Test*: not a pytest test class

    email: str
    email_verified: bool = True
    name: str = "Test Gebruiker"
    sub: str = field(default_factory=lambda: secrets.token_hex(8))

    def claims(self) -> dict:
        return {
            "sub": self.sub,
            "email": self.email,
            "email_verified": self.email_verified,
            "name": self.name,
        }


@dataclass
class _Grant:
    """What the authorization endpoint promised, redeemed once at the token endpoint."""

    client_id: str
    redirect_uri: str
    scope: str
    nonce: str | None
    code_challenge: str | None
    code_challenge_method: str | None
    user: TestUser
    expires_at: float


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _half_hash(value: str) -> str:
    """at_hash (OIDC Core 3.1.3.6): base64url of the left half of SHA-256 of the token."""
    digest = hashlib.sha256(value.encode("ascii")).digest()
    return _b64url(digest[: len(digest) // 2])


class OIDCProvider:
    """One provider with one registered client. `user` is who logs in next; tests change it.

    Start with `start()` (or use as a context manager): it listens on a free loopback port
    in a background thread. `issuer` is its base URL.
    """

    def __init__(self, *, client_id: str, client_secret: str, redirect_uris: list[str]):
        self.client_id = client_id
        self.client_secret = client_secret
        self.redirect_uris = list(redirect_uris)
        self.user = TestUser(email="nobody@example.org")
        self.key = RSAKey.generate_key(
            2048, parameters={"kid": secrets.token_hex(4), "use": "sig", "alg": "RS256"}
        )
        self.errors: list[str] = []  # every refused request, with the reason
        self.token_requests: list[dict] = []  # how the client authenticated, per token request
        self._grants: dict[str, _Grant] = {}
        self._access_tokens: dict[str, dict] = {}
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- life cycle ---------------------------------------------------------------------

    def start(self) -> OIDCProvider:
        provider = self

        class Handler(_Handler):
            oidc = provider

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(timeout=5)
            self._server = None

    def __enter__(self) -> OIDCProvider:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    @property
    def issuer(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def metadata_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"

    # -- the protocol -------------------------------------------------------------------

    def metadata(self) -> dict:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "jwks_uri": f"{self.issuer}/jwks",
            "userinfo_endpoint": f"{self.issuer}/userinfo",
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid", "email", "profile"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "code_challenge_methods_supported": ["S256"],
            "claims_supported": ["sub", "email", "email_verified", "name"],
        }

    def jwks(self) -> dict:
        return {"keys": [self.key.as_dict(private=False)]}

    def authorize(self, params: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        """Approve the configured user at once: redirect back with code and state."""
        redirect_uri = params.get("redirect_uri", "")
        if params.get("client_id") != self.client_id or redirect_uri not in self.redirect_uris:
            # Never redirect to an address nobody registered (RFC 6749 4.1.2.1).
            return self._refuse(
                HTTPStatus.BAD_REQUEST, f"authorize: unknown client or redirect_uri {params}"
            )
        back = {"state": params["state"]} if "state" in params else {}
        problem = None
        if params.get("response_type") != "code":
            problem = ("unsupported_response_type", "only the code flow")
        elif "openid" not in params.get("scope", "").split():
            problem = ("invalid_scope", "scope must contain openid")
        elif "code_challenge" in params and params.get("code_challenge_method") != "S256":
            problem = ("invalid_request", "only S256 code challenges")
        if problem is not None:
            self.errors.append(f"authorize: {problem[1]}")
            error = {"error": problem[0], "error_description": problem[1], **back}
            return self._redirect(f"{redirect_uri}?{urlencode(error)}")
        code = secrets.token_urlsafe(24)
        with self._lock:
            self._grants[code] = _Grant(
                client_id=self.client_id,
                redirect_uri=redirect_uri,
                scope=params["scope"],
                nonce=params.get("nonce"),
                code_challenge=params.get("code_challenge"),
                code_challenge_method=params.get("code_challenge_method"),
                user=self.user,
                expires_at=time.time() + CODE_LIFETIME_SECONDS,
            )
        return self._redirect(f"{redirect_uri}?{urlencode({'code': code, **back})}")

    def token(self, authorization: str | None, form: dict[str, str]):
        """Exchange a code for tokens, after client authentication and the PKCE check."""
        client = self._authenticate_client(authorization, form)
        if client is None:
            return self._token_error(HTTPStatus.UNAUTHORIZED, "invalid_client")
        if form.get("grant_type") != "authorization_code":
            return self._token_error(HTTPStatus.BAD_REQUEST, "unsupported_grant_type")
        with self._lock:
            grant = self._grants.pop(form.get("code", ""), None)  # a code works once
        if grant is None or grant.expires_at < time.time() or grant.client_id != client:
            return self._token_error(HTTPStatus.BAD_REQUEST, "invalid_grant")
        if form.get("redirect_uri") != grant.redirect_uri:
            return self._token_error(HTTPStatus.BAD_REQUEST, "invalid_grant", "redirect_uri")
        if grant.code_challenge is not None:
            verifier = form.get("code_verifier", "")
            expected = _b64url(hashlib.sha256(verifier.encode("ascii")).digest())
            if not verifier or not hmac.compare_digest(expected, grant.code_challenge):
                return self._token_error(HTTPStatus.BAD_REQUEST, "invalid_grant", "PKCE")
        access_token = secrets.token_urlsafe(32)
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "aud": client,
            "iat": now,
            "exp": now + TOKEN_LIFETIME_SECONDS,
            "auth_time": now,
            "at_hash": _half_hash(access_token),
            **grant.user.claims(),
        }
        if grant.nonce is not None:
            claims["nonce"] = grant.nonce
        id_token = jwt.encode({"alg": "RS256", "kid": self.key.kid}, claims, self.key)
        with self._lock:
            self._access_tokens[access_token] = grant.user.claims()
        body = {
            "access_token": access_token,
            "token_type": "Bearer",
            "expires_in": TOKEN_LIFETIME_SECONDS,
            "id_token": id_token,
            "scope": grant.scope,
        }
        return self._json(HTTPStatus.OK, body, {"Cache-Control": "no-store"})

    def userinfo(self, authorization: str | None):
        scheme, _, token = (authorization or "").partition(" ")
        claims = self._access_tokens.get(token) if scheme.lower() == "bearer" else None
        if claims is None:
            self.errors.append("userinfo: no valid access token")
            return self._json(
                HTTPStatus.UNAUTHORIZED,
                {"error": "invalid_token"},
                {"WWW-Authenticate": 'Bearer error="invalid_token"'},
            )
        return self._json(HTTPStatus.OK, claims)

    # -- helpers ------------------------------------------------------------------------

    def _authenticate_client(self, authorization: str | None, form: dict[str, str]) -> str | None:
        """client_secret_basic (RFC 6749 2.3.1: both parts form-encoded) or client_secret_post.
        The client id on success, None otherwise. Using both at once is refused."""
        method, client_id, client_secret = None, None, None
        if authorization and authorization.lower().startswith("basic "):
            try:
                decoded = base64.b64decode(authorization[6:], validate=True).decode("utf-8")
            except ValueError:
                decoded = ""
            user, sep, password = decoded.partition(":")
            if sep:
                method, client_id, client_secret = (
                    "client_secret_basic", unquote_plus(user), unquote_plus(password)
                )  # fmt: skip
        if "client_secret" in form:
            if method is not None:
                self.errors.append("token: two client authentication methods at once")
                return None
            method = "client_secret_post"
            client_id, client_secret = form.get("client_id"), form["client_secret"]
        self.token_requests.append(
            {
                "auth_method": method,
                "client_id": client_id,
                "has_code_verifier": "code_verifier" in form,
            }
        )
        ok = (
            method is not None
            and client_id == self.client_id
            and hmac.compare_digest((client_secret or "").encode(), self.client_secret.encode())
        )
        return client_id if ok else None

    def _refuse(self, status: HTTPStatus, reason: str):
        self.errors.append(reason)
        return status, {"Content-Type": "text/plain; charset=utf-8"}, reason.encode()

    def _redirect(self, location: str):
        return HTTPStatus.FOUND, {"Location": location}, b""

    def _token_error(self, status: HTTPStatus, error: str, detail: str = ""):
        self.errors.append(f"token: {error} {detail}".strip())
        return self._json(status, {"error": error}, {"Cache-Control": "no-store"})

    @staticmethod
    def _json(status: HTTPStatus, body: dict, headers: dict[str, str] | None = None):
        return (
            status,
            {"Content-Type": "application/json", **(headers or {})},
            json.dumps(body).encode(),
        )


class _Handler(BaseHTTPRequestHandler):
    oidc: OIDCProvider  # set on the subclass made in OIDCProvider.start

    def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
        url = urlsplit(self.path)
        params = {key: values[0] for key, values in parse_qs(url.query).items()}
        if url.path == "/.well-known/openid-configuration":
            self._send(*self.oidc._json(HTTPStatus.OK, self.oidc.metadata()))
        elif url.path == "/jwks":
            self._send(*self.oidc._json(HTTPStatus.OK, self.oidc.jwks()))
        elif url.path == "/authorize":
            self._send(*self.oidc.authorize(params))
        elif url.path == "/userinfo":
            self._send(*self.oidc.userinfo(self.headers.get("Authorization")))
        else:
            self._send(*self.oidc._refuse(HTTPStatus.NOT_FOUND, f"GET {url.path}: no such page"))

    def do_POST(self) -> None:  # noqa: N802
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8")
        if url.path == "/token":
            if not self.headers.get("Content-Type", "").startswith(
                "application/x-www-form-urlencoded"
            ):
                self._send(*self.oidc._token_error(HTTPStatus.BAD_REQUEST, "invalid_request"))
                return
            form = {key: values[0] for key, values in parse_qs(body).items()}
            self._send(*self.oidc.token(self.headers.get("Authorization"), form))
        elif url.path == "/userinfo":
            self._send(*self.oidc.userinfo(self.headers.get("Authorization")))
        else:
            self._send(*self.oidc._refuse(HTTPStatus.NOT_FOUND, f"POST {url.path}: no such page"))

    def _send(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - http.server's name
        pass  # quiet: refusals are kept in OIDCProvider.errors instead
