"""The app's JSON goes through orjson and says the same as Flask's own provider."""

from __future__ import annotations

import dataclasses
import decimal
import json
import uuid
from datetime import UTC, date, datetime

import pytest
from flask import Flask
from flask.json.provider import DefaultJSONProvider
from markupsafe import Markup

from app.json_provider import OrjsonProvider


@dataclasses.dataclass
class Point:
    x: int
    label: str


SAMPLE = {
    "zeta": 1,
    "alpha": [1.5, None, True, "héllo ✓", ("a", "b")],
    "when": datetime(2026, 11, 26, 14, 30, tzinfo=UTC),
    "day": date(2026, 11, 26),
    "id": uuid.UUID("12345678-1234-5678-1234-567812345678"),
    "price": decimal.Decimal("4.99"),
    "point": Point(3, "p"),
    "html": Markup("<b>x</b>"),
    "nested": {"b": 2, "a": 1},
}


@pytest.fixture
def flask_app() -> Flask:
    return Flask(__name__)


@pytest.fixture
def providers(flask_app) -> tuple[OrjsonProvider, DefaultJSONProvider]:
    return OrjsonProvider(flask_app), DefaultJSONProvider(flask_app)


def test_it_writes_what_flasks_provider_writes(providers):
    fast, flask = providers
    out = fast.dumps(SAMPLE)
    assert json.loads(out) == json.loads(flask.dumps(SAMPLE))
    assert json.loads(out)["when"] == "Thu, 26 Nov 2026 14:30:00 GMT"  # Flask's HTTP date, not ISO
    assert list(json.loads(out)) == sorted(SAMPLE)
    assert '"héllo ✓"' in out  # UTF-8, where Flask's would escape: the same JSON


def test_what_neither_can_write_is_refused(providers):
    fast, flask = providers
    with pytest.raises(TypeError):
        flask.dumps({"s": {1, 2}})
    with pytest.raises(TypeError):
        fast.dumps({"s": {1, 2}})


def test_standard_library_options_still_work(providers):
    fast, _ = providers
    assert fast.dumps({"b": 1, "a": 2}, indent=1) == '{\n "a": 2,\n "b": 1\n}'
    assert fast.loads('{"n": 1.10}', parse_float=decimal.Decimal) == {"n": decimal.Decimal("1.10")}
    assert fast.loads(b'{"n": [1, "\\u00e9"]}') == {"n": [1, "é"]}


def test_responses_are_compact_unless_debugging(flask_app, providers):
    fast, _ = providers
    response = fast.response({"b": 1, "a": [1]})
    assert response.mimetype == "application/json"
    assert response.get_data() == b'{"a":[1],"b":1}\n'
    flask_app.debug = True
    assert fast.response(a=1).get_data() == b'{\n  "a": 1\n}\n'


def test_the_app_uses_it(app, client):
    assert isinstance(app.json, OrjsonProvider)
    response = client.get("/api/v1/packs")
    assert response.mimetype == "application/json" and response.get_data().endswith(b"\n")
