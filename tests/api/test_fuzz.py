"""Property test (SECURITY.md 23): random JSON bodies and query strings sent to every documented
operation never cause a 500; every 4xx has the error shape, every answer is a documented status,
and every success matches its documented schema.

Bodies are built from each operation's own request schema (as schemathesis would): well-typed
values that reach the services, values of the wrong type, unknown fields, and non-JSON bodies.
"""

from __future__ import annotations

import base64
import json
import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from tests.api.helpers import API, assert_error
from tests.conftest import bearer
from tests.factories import DEFAULT_PASSWORD, make_user, make_voice

BODY_SETTINGS = settings(max_examples=120, deadline=None, database=None)
QUERY_SETTINGS = settings(max_examples=40, deadline=None, database=None)
HEADER_SETTINGS = settings(max_examples=100, deadline=None, database=None)

# Characters that have broken web apps before: lone surrogates, NUL, controls, bidi overrides.
ODD_CHARS = ["\ud800", "\udfff", "\x00", "\n", "\u202e", "\ufeff", "é", "😀", " "]
INTERESTING_TEXT = [
    "",
    " ",
    "null",
    "\ud800",
    "\x00",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "a" * 300,
    DEFAULT_PASSWORD,
    "00000000-0000-0000-0000-000000000000",
]

any_text = st.text(st.characters() | st.sampled_from(ODD_CHARS), max_size=40)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(),
    any_text,
    st.sampled_from(INTERESTING_TEXT),
)


def json_values(keys: st.SearchStrategy[str]) -> st.SearchStrategy[Any]:
    return st.recursive(
        scalars,
        lambda children: st.lists(children, max_size=4) | st.dictionaries(keys, children, max_size=5),
        max_leaves=12,
    )


def _strings(prop: dict[str, Any], samples: dict[str, list[str]]) -> st.SearchStrategy[str]:
    """Strings shaped for the field's format, plus the same with odd characters mixed in."""
    fmt = prop.get("format")
    if fmt == "email":
        base = st.emails() | st.sampled_from(["someone@example.com", "SOMEONE@EXAMPLE.COM", *samples["email"]])
    elif fmt == "uuid":
        base = st.uuids().map(str) | st.sampled_from(samples["uuid"])
    else:
        base = st.text(st.characters() | st.sampled_from(ODD_CHARS), min_size=prop.get("minLength", 0), max_size=40)
    odd = st.text(st.sampled_from(ODD_CHARS), min_size=1, max_size=3)
    mixed = st.tuples(base, odd, base).map("".join)
    return base | mixed | mixed | st.sampled_from(INTERESTING_TEXT)


def _well_typed(prop: dict[str, Any], samples: dict[str, list[str]]) -> st.SearchStrategy[Any]:
    """Values of the field's declared type and enum, which get past the schema to the service."""
    types = prop.get("type", [])
    types = [types] if isinstance(types, str) else types
    choices = []
    if "enum" in prop:
        choices.append(st.sampled_from(prop["enum"]))
    if "string" in types:
        choices.append(_strings(prop, samples))
    if "null" in types:
        choices.append(st.none())
    return st.one_of(*choices) if choices else scalars


def _objects(schema: dict[str, Any], samples: dict[str, list[str]]) -> st.SearchStrategy[dict[str, Any]]:
    """Objects with the schema's fields: all of them well typed, or each present or not and typed
    any way, sometimes with an unknown field too."""
    typed = {name: _well_typed(prop, samples) for name, prop in schema.get("properties", {}).items()}
    complete = st.fixed_dictionaries(typed)
    partial = st.fixed_dictionaries({}, optional={name: value | scalars for name, value in typed.items()})
    extra = st.dictionaries(any_text, scalars, min_size=1, max_size=2)
    return complete | partial | st.builds(lambda a, b: {**b, **a}, partial, extra)


def _bodies(schema: dict[str, Any], samples: dict[str, list[str]]) -> st.SearchStrategy[tuple[bytes, str | None]]:
    """Raw bodies with a content type: mostly JSON, some arbitrary bytes under various types."""
    known = list(schema.get("properties", {}))
    keys = st.sampled_from(known) | any_text if known else any_text
    objects = _objects(schema, samples)
    values = objects | objects | objects | json_values(keys)
    as_json = values.map(lambda v: (json.dumps(v).encode(), "application/json"))
    other = st.tuples(
        st.binary(max_size=80),
        st.sampled_from([None, "application/json", "text/plain", "application/x-www-form-urlencoded"]),
    )
    return as_json | as_json | as_json | other


query_values = st.one_of(
    st.integers().map(str),
    st.text(max_size=20),
    st.sampled_from(["0", "-1", "1", "100", "101", "1e3", "0x10", " 2", "٣", "1_0", "9" * 40, "9" * 5000, ""]),
)
query_strings = st.dictionaries(st.sampled_from(["page", "per_page"]) | st.text(max_size=10), query_values, max_size=4)


@pytest.fixture
def fuzz_target(make_app):  # type: ignore[no-untyped-def]
    """An app without rate limits (a 429 would hide the answers under test), a user, a token, the spec."""
    app = make_app(RATELIMIT_ENABLED=False)
    person = make_user(app, credits_=3)
    voice_id = make_voice(app)
    client = app.test_client()
    doc = client.get(f"{API}/openapi.json").json
    samples = {"email": [person.email], "uuid": [str(voice_id)]}
    return client, bearer(client, person.email), doc, samples


def _segments(token: str) -> list[bytes]:
    return [base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)) for part in token.split(".")]


def _url(path: str) -> str:
    return API + re.sub(r"{[^}]+}", "00000000-0000-4000-8000-000000000000", path)


def _check(response, op: dict[str, Any], where: str) -> None:  # type: ignore[no-untyped-def]
    status = response.status_code
    assert status < 500, f"{where} answered {status}: {response.get_data(as_text=True)[:300]}"
    assert str(status) in op["responses"], f"{where} answered an undocumented {status}"
    if status >= 400:
        assert_error(response, status)
    elif status != 204:
        content = op["responses"][str(status)].get("content")
        if content:
            Draft202012Validator(content["application/json"]["schema"]).validate(response.json)


def _operations(doc: dict[str, Any], *, with_body: bool) -> list[tuple[str, str]]:
    ops = []
    for path, item in doc["paths"].items():
        for method, op in item.items():
            wanted = "requestBody" in op if with_body else method == "get"
            if wanted:
                ops.append((path, method))
    return ops


def _fuzz_bodies(client, headers, doc, path: str, method: str, samples) -> None:  # type: ignore[no-untyped-def]
    op = doc["paths"][path][method]
    bodies = _bodies(op["requestBody"]["content"]["application/json"]["schema"], samples)

    @BODY_SETTINGS
    @given(body=bodies, send_token=st.booleans())
    def run(body: tuple[bytes, str | None], send_token: bool) -> None:
        raw, content_type = body
        response = client.open(
            _url(path),
            method=method.upper(),
            data=raw,
            content_type=content_type,
            headers=headers if send_token else {},
        )
        _check(response, op, f"{method.upper()} {path} with {raw[:200]!r} ({content_type})")

    run()


def _fuzz_query(client, headers, doc, path: str) -> None:  # type: ignore[no-untyped-def]
    op = doc["paths"][path]["get"]

    @QUERY_SETTINGS
    @given(params=query_strings, send_token=st.booleans())
    def run(params: dict[str, str], send_token: bool) -> None:
        response = client.open(_url(path), query_string=params, headers=headers if send_token else {})
        _check(response, op, f"GET {path}?{params!r}")

    run()


def test_random_json_bodies_never_break_the_api(fuzz_target):
    client, headers, doc, samples = fuzz_target
    operations = _operations(doc, with_body=True)
    assert {("/auth/register", "post"), ("/auth/token", "post"), ("/me/preferences", "patch")} <= set(operations)
    for path, method in operations:
        _fuzz_bodies(client, headers, doc, path, method, samples)


def test_random_query_strings_never_break_the_api(fuzz_target):
    client, headers, doc, _samples = fuzz_target
    operations = _operations(doc, with_body=False)
    assert ("/me/credits", "get") in operations
    for path, _ in operations:
        _fuzz_query(client, headers, doc, path)


def test_random_authorization_headers_are_401_never_500(fuzz_target):
    client, headers, _doc, _samples = fuzz_target
    token = headers["Authorization"].split(" ", 1)[1]
    printable = st.characters(min_codepoint=32, max_codepoint=126)
    garbage = st.one_of(
        st.text(printable, max_size=80),
        st.text(printable, max_size=40).map(lambda s: f"Bearer {s}"),
        st.tuples(st.integers(0, len(token) - 1), st.sampled_from("AbZ09-_.")).map(
            lambda t: "Bearer " + token[: t[0]] + t[1] + token[t[0] + 1 :]
        ),
    )

    @HEADER_SETTINGS
    @given(header=garbage)
    def run(header: str) -> None:
        response = client.get(f"{API}/me", headers={"Authorization": header})
        if response.status_code == 200:
            # Only a change that decodes to the same bytes (the spare bits of a segment's last
            # base64 character, or the same character) may still be accepted.
            assert _segments(header.split(" ", 1)[1].strip()) == _segments(token), header
        else:
            assert_error(response, 401, code="unauthorized")

    run()
