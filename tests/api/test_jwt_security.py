"""Bearer tokens the server did not issue, or no longer honours, are refused with 401 JSON
(SECURITY.md 13: HS256 with the server secret, `exp` and `aud` required)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid

from tests.api.helpers import API, assert_error, auth_header, claims_for, signed_token
from tests.conftest import bearer
from tests.factories import make_user

ME = f"{API}/me"
WRONG_KEY = "an-entirely-different-secret-key-0123456789"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _raw_token(header: dict, claims: dict, signature: bytes = b"") -> str:
    signing_input = _b64(json.dumps(header).encode()) + "." + _b64(json.dumps(claims).encode())
    return signing_input + "." + _b64(signature)


def _hmac_token(header: dict, claims: dict, key: str, digest) -> str:  # type: ignore[no-untyped-def]
    signing_input = _b64(json.dumps(header).encode()) + "." + _b64(json.dumps(claims).encode())
    signature = hmac.new(key.encode(), signing_input.encode(), digest).digest()
    return signing_input + "." + _b64(signature)


def test_a_well_formed_token_crafted_here_is_accepted(app, client, user):
    """The control for every refusal below: the crafted claims and key are what the server wants."""
    token = signed_token(app, claims_for(app, user.id))
    response = client.get(ME, headers=auth_header(token))
    assert response.status_code == 200, response.json
    assert response.json["id"] == str(user.id)


def _unsigned(app, user_id):  # type: ignore[no-untyped-def]
    return _raw_token({"alg": "none", "typ": "JWT"}, claims_for(app, user_id))


def _unsigned_with_signature(app, user_id):  # type: ignore[no-untyped-def]
    return _raw_token({"alg": "none", "typ": "JWT"}, claims_for(app, user_id), b"forged")


def _wrong_key(app, user_id):  # type: ignore[no-untyped-def]
    return signed_token(app, claims_for(app, user_id), key=WRONG_KEY)


def _hs512_right_key(app, user_id):  # type: ignore[no-untyped-def]
    return _hmac_token(
        {"alg": "HS512", "typ": "JWT"}, claims_for(app, user_id), app.config["SECRET_KEY"], hashlib.sha512
    )


def _expired(app, user_id):  # type: ignore[no-untyped-def]
    now = int(time.time())
    return signed_token(app, claims_for(app, user_id, iat=now - 7200, nbf=now - 7200, exp=now - 60))


def _wrong_audience(app, user_id):  # type: ignore[no-untyped-def]
    return signed_token(app, claims_for(app, user_id, aud="some-other-api"))


def _without(claim):  # type: ignore[no-untyped-def]
    def build(app, user_id):  # type: ignore[no-untyped-def]
        claims = claims_for(app, user_id)
        del claims[claim]
        return signed_token(app, claims)

    return build


def _wrong_issuer(app, user_id):  # type: ignore[no-untyped-def]
    return signed_token(app, claims_for(app, user_id, iss="someone-else"))


def _not_yet_valid(app, user_id):  # type: ignore[no-untyped-def]
    return signed_token(app, claims_for(app, user_id, nbf=int(time.time()) + 3600))


def _unknown_user(app, user_id):  # type: ignore[no-untyped-def]
    return signed_token(app, claims_for(app, uuid.uuid4()))


def _sub_not_uuid(app, user_id):  # type: ignore[no-untyped-def]
    return signed_token(app, claims_for(app, user_id, sub="admin"))


def _old_token_version(app, user_id):  # type: ignore[no-untyped-def]
    return signed_token(app, claims_for(app, user_id, ver=1))


def _tampered_payload(app, user_id):  # type: ignore[no-untyped-def]
    genuine = signed_token(app, claims_for(app, user_id))
    header, _, signature = genuine.split(".")
    forged = _b64(json.dumps(claims_for(app, user_id, exp=int(time.time()) + 10**8)).encode())
    return f"{header}.{forged}.{signature}"


def _garbage(app, user_id):  # type: ignore[no-untyped-def]
    return "this-is-not-a-jwt"


def _two_segments(app, user_id):  # type: ignore[no-untyped-def]
    return ".".join(signed_token(app, claims_for(app, user_id)).split(".")[:2])


FORGED = {
    "alg-none-unsigned": _unsigned,
    "alg-none-with-signature": _unsigned_with_signature,
    "wrong-key": _wrong_key,
    "hs512-with-server-key": _hs512_right_key,
    "expired": _expired,
    "wrong-audience": _wrong_audience,
    "missing-exp": _without("exp"),
    "missing-aud": _without("aud"),
    "missing-sub": _without("sub"),
    "missing-jti": _without("jti"),
    "missing-iat": _without("iat"),
    "missing-ver": _without("ver"),
    "wrong-issuer": _wrong_issuer,
    "not-yet-valid": _not_yet_valid,
    "unknown-user": _unknown_user,
    "sub-not-a-uuid": _sub_not_uuid,
    "stale-token-version": _old_token_version,
    "tampered-payload": _tampered_payload,
    "garbage": _garbage,
    "two-segments": _two_segments,
}


def test_forged_or_invalid_tokens_are_401(app, client, user):
    for case, make_token in FORGED.items():
        response = client.get(ME, headers=auth_header(make_token(app, user.id)))
        assert response.status_code == 401, (case, response.json)
        assert_error(response, 401, code="unauthorized")


def test_expired_and_foreign_tokens_say_why(app, client, user):
    expired = assert_error(client.get(ME, headers=auth_header(_expired(app, user.id))), 401)
    assert "expired" in expired["message"]
    foreign = assert_error(client.get(ME, headers=auth_header(_wrong_audience(app, user.id))), 401)
    assert "not meant for this API" in foreign["message"]


def test_a_forged_token_cannot_borrow_an_admins_identity(app, client, user):
    admin = make_user(app, roles=["admin"])
    own = bearer(client, user.email)["Authorization"].split(" ", 1)[1]
    header, _, signature = own.split(".")
    claims = json.loads(base64.urlsafe_b64decode(own.split(".")[1] + "=="))
    claims["sub"] = str(admin.id)
    forged = f"{header}.{_b64(json.dumps(claims).encode())}.{signature}"
    assert_error(client.get(ME, headers=auth_header(forged)), 401)


BAD_HEADERS = [
    "{token}",
    "Token {token}",
    "Basic {token}",
    "JWT {token}",
    "Bearer",
    "Bearer ",
    "Bearer    ",
    "",
    "Bearer {token} extra",
    "Bearer {token}.extra",
    "Bearer Bearer {token}",
]


def test_authorization_header_must_be_bearer_and_the_token(client, user):
    token = bearer(client, user.email)["Authorization"].split(" ", 1)[1]
    assert client.get(ME, headers=auth_header(token)).status_code == 200
    for header in BAD_HEADERS:
        response = client.get(ME, headers={"Authorization": header.format(token=token)})
        assert response.status_code == 401, header
        assert_error(response, 401, code="unauthorized")


def test_missing_authorization_header_is_401(client):
    error = assert_error(client.get(ME), 401, code="unauthorized")
    assert "Bearer" in error["message"]


def test_session_cookie_does_not_authenticate_the_api(app, client, auth, user):
    """The API is exempt from CSRF because it takes bearer tokens only, never the login cookie."""
    response = auth.login(user.email)
    assert response.status_code == 302
    assert client.get("/account/").status_code == 200
    assert_error(client.get(ME), 401, code="unauthorized")
