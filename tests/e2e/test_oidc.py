"""The organisation's own login (st.login, OIDC) end to end: a real app, a real browser and a
real OpenID Connect provider (tests/e2e/oidc_provider.py) on 127.0.0.1.

The app gets its [auth] section from a temporary secrets.toml passed with
`--secrets.files`, so nothing is written into the repository and a developer's own
~/.streamlit/secrets.toml is never read. Its database is made before it starts: an
administrator, and the people that administrator added with their e-mail as username and no
password (services.accounts.create_user with password=None), as the README describes.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from authlib.integrations.httpx_client import OAuth2Client
from authlib.oidc.core import CodeIDToken
from joserfc import jwt
from joserfc.jwk import KeySet
from sqlmodel import Session

from samenspel.services.accounts import create_user, hash_password
from samenspel.services.permissions import Actor
from samenspel.storage import db
from samenspel.storage.models import User
from tests.e2e.conftest import free_port, running_app
from tests.e2e.oidc_provider import OIDCProvider, TestUser

CLIENT_ID = "samenspel-test"
BROKER_EMAIL = "fatima@buurtwerk.example"
BROKER_NAME = "Fatima de Vries"
REFUSED = (
    "Je bent bekend bij je organisatie, maar nog niet bij Samenspel. "
    "Vraag de beheerder om je toe te voegen."
)
WAIT_MS = 30_000


@pytest.fixture(scope="module")
def app_port() -> int:
    return free_port()


@pytest.fixture(scope="module")
def provider(app_port):
    client_secret = secrets.token_urlsafe(24)
    with OIDCProvider(
        client_id=CLIENT_ID,
        client_secret=client_secret,
        redirect_uris=[f"http://127.0.0.1:{app_port}/oauth2callback"],
    ) as running:
        yield running


@pytest.fixture
def fresh_provider(provider):
    """The shared provider with this test's own record of refusals and token requests."""
    provider.errors.clear()
    provider.token_requests.clear()
    yield provider
    provider.user = TestUser(email="nobody@example.org")


def _make_database(url: str) -> None:
    """An administrator, and a broker the administrator added for the organisation's login."""
    engine = db.engine_for(url)
    try:
        with Session(engine) as session:
            # The administrator as a plain row: how the first one is made (a setup code) is
            # not what this test is about.
            admin = User(
                username="beheerder",
                display_name="Beheerder",
                role="admin",
                password_hash=hash_password(secrets.token_urlsafe(16)),
            )
            session.add(admin)
            session.commit()
            actor = Actor(admin.id, "admin", name="Beheerder")
        with db.unit_of_work(engine) as session:  # as the admin page adds a user
            create_user(
                session=session,
                actor=actor,
                username=BROKER_EMAIL,
                role="broker",
                password=None,
                display_name=BROKER_NAME,
                areas=("Lombok",),
            )
    finally:
        engine.dispose()


def _toml_string(value: str) -> str:
    return json.dumps(value)  # a JSON string of plain ASCII is a valid TOML basic string


@pytest.fixture(scope="module")
def oidc_app_url(tmp_path_factory, provider, app_port):
    """`streamlit run app.py` with an [auth] section pointing at the test provider."""
    instance = tmp_path_factory.mktemp("oidc_instance")
    database_url = f"sqlite:///{instance / 'samenspel.db'}"
    _make_database(database_url)
    secrets_file = instance / "secrets.toml"
    auth = {
        "redirect_uri": f"http://127.0.0.1:{app_port}/oauth2callback",
        "cookie_secret": secrets.token_hex(32),
        "client_id": provider.client_id,
        "client_secret": provider.client_secret,
        "server_metadata_url": provider.metadata_url,
    }
    secrets_file.write_text(
        "[auth]\n" + "".join(f"{key} = {_toml_string(value)}\n" for key, value in auth.items()),
        encoding="utf-8",
    )
    env = {
        "SAMENSPEL_DATABASE_URL": database_url,
        "SAMENSPEL_DEMO": "0",
        # The app's server talks to the provider with httpx, which honours proxy settings.
        "NO_PROXY": "127.0.0.1,localhost",
        "no_proxy": "127.0.0.1,localhost",
    }
    with running_app(
        instance, port=app_port, env=env, args=("--secrets.files", str(secrets_file))
    ) as url:
        yield url


def _log_in_with_organisation(page, app_url: str) -> None:
    """Open the login page and press the organisation login; the provider answers at once.
    The browser goes to /auth/login, the provider's /authorize and back to /oauth2callback,
    where the app's server exchanges the code; Streamlit then sends it to the app's root."""
    page.goto(f"{app_url}/login")
    with page.expect_response(
        lambda response: urlsplit(response.url).path == "/oauth2callback", timeout=WAIT_MS
    ) as callback:
        page.get_by_role("button", name="Inloggen met je organisatie-account").click()
    assert callback.value.status == 302
    page.wait_for_url(f"{app_url}/", timeout=WAIT_MS)


@pytest.mark.browser
def test_verified_email_of_a_known_user_logs_in(page, oidc_app_url, fresh_provider):
    fresh_provider.user = TestUser(email=BROKER_EMAIL.upper(), name="F. de Vries (IdP)")

    _log_in_with_organisation(page, oidc_app_url)

    sidebar = page.get_by_test_id("stSidebar")
    # The name is Samenspel's own, not the provider's: the role and name live in our table.
    sidebar.get_by_text(f"Ingelogd als {BROKER_NAME}").wait_for(timeout=WAIT_MS)
    # A broker's pages appear, so the role came from Samenspel's table.
    page.get_by_role("link", name="Te beoordelen").wait_for(timeout=WAIT_MS)
    assert fresh_provider.errors == []
    # The code was exchanged by the app's server, authenticated with the client secret and
    # with a PKCE verifier (the provider checked both before it signed an id_token).
    assert [(r["auth_method"], r["has_code_verifier"]) for r in fresh_provider.token_requests] == [
        ("client_secret_basic", True)
    ]


@pytest.mark.browser
@pytest.mark.parametrize(
    "identity",
    [
        TestUser(email=BROKER_EMAIL, email_verified=False, name="Niet geverifieerd"),
        TestUser(email="onbekend@buurtwerk.example", name="Onbekend"),
    ],
    ids=["unverified-email", "unknown-email"],
)
def test_unverified_or_unknown_email_is_refused(page, oidc_app_url, fresh_provider, identity):
    fresh_provider.user = identity

    _log_in_with_organisation(page, oidc_app_url)

    page.get_by_text(REFUSED).wait_for(timeout=WAIT_MS)
    assert page.get_by_test_id("stSidebar").get_by_text("Ingelogd als").count() == 0
    assert page.get_by_role("link", name="Te beoordelen").count() == 0
    # The provider did its part: the refusal is Samenspel's, not a broken flow.
    assert fresh_provider.errors == []
    assert len(fresh_provider.token_requests) == 1


# -- The provider itself is strict, so the browser tests above prove something. -----------


def _authorize(provider: OIDCProvider, verifier: str, *, state: str = "s1") -> str:
    """Ask the authorization endpoint over HTTP, as a browser would, and return the code it
    redirects back with (the provider approves its test user without a login screen)."""
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=")
    query = {
        "response_type": "code",
        "client_id": provider.client_id,
        "redirect_uri": provider.redirect_uris[0],
        "scope": "openid email profile",
        "state": state,
        "nonce": "n-123",
        "code_challenge": challenge.decode(),
        "code_challenge_method": "S256",
    }
    response = httpx.get(f"{provider.issuer}/authorize", params=query, trust_env=False)
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    back = parse_qs(location.query)
    assert f"{location.scheme}://{location.netloc}{location.path}" == provider.redirect_uris[0]
    assert back["state"] == [state]
    return back["code"][0]


def test_provider_flow_with_authlib_client(fresh_provider):
    """Authlib's own client (the one Streamlit uses) completes the flow and verifies the
    id_token: signature against the JWKS, issuer, audience, nonce and at_hash."""
    provider = fresh_provider
    provider.user = TestUser(email="a@b.example", email_verified=False)
    with OAuth2Client(
        client_id=provider.client_id,
        client_secret=provider.client_secret,
        redirect_uri=provider.redirect_uris[0],
        trust_env=False,
    ) as client:
        metadata = client.request("GET", provider.metadata_url, withhold_token=True).json()
        verifier = secrets.token_urlsafe(48)
        code = _authorize(provider, verifier)
        token = client.fetch_token(metadata["token_endpoint"], code=code, code_verifier=verifier)
        jwks = client.request("GET", metadata["jwks_uri"], withhold_token=True).json()
        userinfo = client.get(metadata["userinfo_endpoint"]).json()

    decoded = jwt.decode(token["id_token"], KeySet.import_key_set(jwks), algorithms=["RS256"])
    assert decoded.header["alg"] == "RS256"
    claims = CodeIDToken(
        decoded.claims,
        decoded.header,
        {"iss": {"values": [metadata["issuer"]]}},
        {"nonce": "n-123", "client_id": provider.client_id, "access_token": token["access_token"]},
    )
    claims.validate()  # raises on a wrong issuer, audience, nonce, expiry or at_hash
    assert claims["email"] == "a@b.example" and claims["email_verified"] is False
    assert userinfo["email"] == "a@b.example" and userinfo["sub"] == claims["sub"]


def test_provider_refuses_wrong_secret_wrong_verifier_and_reused_code(fresh_provider):
    provider = fresh_provider

    def token_request(code: str, verifier: str, secret: str) -> httpx.Response:
        return httpx.post(
            f"{provider.issuer}/token",
            data={
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": provider.redirect_uris[0],
                "code_verifier": verifier,
            },
            auth=(provider.client_id, secret),
            trust_env=False,
        )

    verifier = secrets.token_urlsafe(48)
    code = _authorize(provider, verifier)
    refused = token_request(code, verifier, "wrong secret")
    assert (refused.status_code, refused.json()["error"]) == (401, "invalid_client")

    code = _authorize(provider, verifier)
    wrong = token_request(code, "another verifier " + verifier, provider.client_secret)
    assert (wrong.status_code, wrong.json()["error"]) == (400, "invalid_grant")

    code = _authorize(provider, verifier)
    assert token_request(code, verifier, provider.client_secret).status_code == 200
    again = token_request(code, verifier, provider.client_secret)
    assert (again.status_code, again.json()["error"]) == (400, "invalid_grant")

    # A redirect_uri nobody registered is refused without redirecting there.
    response = httpx.get(
        f"{provider.issuer}/authorize",
        params={"client_id": provider.client_id, "redirect_uri": "http://evil.example/cb"},
        trust_env=False,
    )
    assert response.status_code == 400 and "Location" not in response.headers
