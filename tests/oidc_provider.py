"""A real OpenID Connect provider for the tests, built from Authlib's server components, run as
its own process: `python -m tests.oidc_provider PORT CLIENT_ID CLIENT_SECRET`.

It is the one stand-in the suite allows (Google, Microsoft and GitHub are unreachable here):
discovery, a login-and-consent page, authorization code with PKCE (S256, required), ID tokens
signed with RS256 and published in a JWKS, and GitHub's shape of the same (`/user`,
`/user/emails`) for the GitHub button. `POST /test/mode` makes it misbehave the ways a test
needs: another issuer, an expired ID token, a nonce that is not ours.
"""

from __future__ import annotations

import secrets
import sys
import time
from dataclasses import dataclass, field
from typing import Any

from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.oauth2.rfc6749 import ClientMixin, grants
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc.core import UserInfo
from authlib.oidc.core.grants import OpenIDCode
from flask import Flask, jsonify, request
from joserfc.jwk import KeySet, RSAKey
from markupsafe import escape
from werkzeug.serving import make_server

USERS = {
    "alice": {"name": "Alice Example", "email": "alice@id.example", "email_verified": True},
    "bob": {"name": "Bob Unverified", "email": "bob@id.example", "email_verified": False},
    # Has the address of an account registered on the comment server.
    "ada": {"name": "Ada From ID", "email": "ada@example.org", "email_verified": True},
    "mod": {"name": "Moderator", "email": "mod@id.example", "email_verified": True},
}


@dataclass
class Client(ClientMixin):
    client_id: str
    client_secret: str

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> str:
        return ""

    def get_allowed_scope(self, scope: str) -> str:
        return scope

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return redirect_uri.startswith(("http://127.0.0.1:", "http://localhost:",
                                        "http://localhost/"))

    def check_client_secret(self, client_secret: str) -> bool:
        return secrets.compare_digest(client_secret, self.client_secret)

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method in ("client_secret_basic", "client_secret_post")

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type == "authorization_code"


@dataclass
class Code:
    code: str
    client_id: str
    redirect_uri: str
    scope: str
    user: str
    nonce: str | None
    code_challenge: str | None
    code_challenge_method: str | None
    created: float = field(default_factory=time.time)

    def get_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.scope

    def get_nonce(self) -> str | None:
        return MODE.get("nonce") or self.nonce

    def get_auth_time(self) -> int:
        return int(self.created)

    def get_acr(self) -> None:
        return None

    def get_amr(self) -> None:
        return None


CODES: dict[str, Code] = {}
TOKENS: dict[str, str] = {}  # access token → user
MODE: dict[str, Any] = {}
KEY = RSAKey.generate_key(2048, parameters={"kid": "test-key", "use": "sig", "alg": "RS256"},
                          private=True)


class AuthorizationCode(grants.AuthorizationCodeGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]

    def save_authorization_code(self, code: str, req: Any) -> None:
        CODES[code] = Code(code, req.payload.client_id, req.payload.redirect_uri,
                           req.payload.scope, req.user, req.payload.data.get("nonce"),
                           req.payload.data.get("code_challenge"),
                           req.payload.data.get("code_challenge_method"))

    def query_authorization_code(self, code: str, client: Client) -> Code | None:
        found = CODES.get(code)
        if found and found.client_id == client.client_id and time.time() - found.created < 60:
            return found
        return None

    def delete_authorization_code(self, authorization_code: Code) -> None:
        CODES.pop(authorization_code.code, None)

    def authenticate_user(self, authorization_code: Code) -> str:
        return authorization_code.user


class IdToken(OpenIDCode):
    def __init__(self, issuer: str) -> None:
        super().__init__(require_nonce=True)
        self.issuer = issuer

    def exists_nonce(self, nonce: str, req: Any) -> bool:
        return any(code.nonce == nonce for code in CODES.values())

    def resolve_client_private_key(self, client: Client) -> Any:
        return KeySet([KEY])

    def get_client_algorithm(self, client: Client) -> str:
        return "RS256"

    def get_encode_header(self, client: Client) -> dict[str, str]:
        return {"alg": "RS256", "kid": "test-key"}

    def get_client_claims(self, client: Client) -> dict[str, Any]:
        return {"iss": MODE.get("issuer") or self.issuer, "aud": [client.client_id],
                "exp": int(time.time()) + int(MODE.get("expires_in", 300))}

    def generate_user_info(self, user: str, scope: str) -> UserInfo:
        person = USERS[user]
        return UserInfo(sub=f"sub-{user}", name=person["name"], email=person["email"],
                        email_verified=person["email_verified"])


def create_provider(issuer: str, client_id: str, client_secret: str) -> Flask:
    app = Flask("oidc_provider")
    client = Client(client_id, client_secret)

    def save_token(token: dict[str, Any], req: Any) -> None:
        TOKENS[token["access_token"]] = req.user

    server = AuthorizationServer(app, query_client=lambda cid: client if cid == client_id
                                 else None, save_token=save_token)
    server.register_grant(AuthorizationCode, [CodeChallenge(required=True), IdToken(issuer)])

    @app.get("/.well-known/openid-configuration")
    def discovery() -> Any:
        return jsonify(issuer=issuer, authorization_endpoint=f"{issuer}/authorize",
                       token_endpoint=f"{issuer}/token", jwks_uri=f"{issuer}/jwks",
                       response_types_supported=["code"], subject_types_supported=["public"],
                       id_token_signing_alg_values_supported=["RS256"],
                       code_challenge_methods_supported=["S256"])

    @app.get("/jwks")
    def jwks() -> Any:
        return jsonify(KeySet([KEY]).as_dict(private=False))

    @app.route("/authorize", methods=["GET", "POST"])
    def authorize() -> Any:
        if request.method == "GET":
            options = "".join(f'<option value="{user}">{escape(person["name"])}</option>'
                              for user, person in USERS.items())
            return (f'<!doctype html><title>Test ID</title><h1>Sign in to Test ID</h1>'
                    f'<form method="post"><label for="user">Account</label>'
                    f'<select id="user" name="user">{options}</select>'
                    f'<button name="consent" value="allow">Allow</button>'
                    f'<button name="consent" value="deny">Deny</button></form>')
        user = request.form.get("user") if request.form.get("consent") == "allow" else None
        return server.create_authorization_response(grant_user=user)

    @app.post("/token")
    def issue_token() -> Any:
        return server.create_token_response()

    def bearer_user() -> str | None:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        return TOKENS.get(token) if scheme.lower() in ("bearer", "token") else None

    @app.get("/user")  # GitHub's shape
    def github_user() -> Any:
        user = bearer_user()
        if user is None:
            return jsonify(message="Bad credentials"), 401
        return jsonify(id=1000 + list(USERS).index(user), login=user,
                       name=USERS[user]["name"])

    @app.get("/user/emails")  # GitHub's shape
    def github_emails() -> Any:
        user = bearer_user()
        if user is None:
            return jsonify(message="Bad credentials"), 401
        person = USERS[user]
        return jsonify([{"email": person["email"], "primary": True,
                         "verified": person["email_verified"]}])

    @app.post("/test/mode")
    def set_mode() -> Any:
        MODE.clear()
        MODE.update(request.get_json())
        return jsonify(MODE)

    return app


if __name__ == "__main__":
    # An inherited listening socket (tests.live.Listener), so the port cannot be lost.
    fd, port = int(sys.argv[1]), int(sys.argv[2])
    client_id, client_secret = sys.argv[3], sys.argv[4]
    issuer = f"http://127.0.0.1:{port}"
    make_server("127.0.0.1", port, create_provider(issuer, client_id, client_secret),
                threaded=True, fd=fd).serve_forever()
