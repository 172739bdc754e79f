"""Flask's JSON through orjson: the same output rules as Flask's own provider, a few times faster.

Keys sorted, and what orjson does not write itself goes through Flask's fallback (`default`):
dates and datetimes as HTTP dates, decimals, dataclasses, objects with `__html__`. The output is
UTF-8 rather than ASCII with escapes, which is the same JSON. A caller passing `json.dumps` or
`json.loads` options gets the standard library, as before.
"""

from __future__ import annotations

from typing import Any

import orjson
from flask.json.provider import DefaultJSONProvider
from werkzeug.wrappers import Response

_OPTIONS = orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS


class OrjsonProvider(DefaultJSONProvider):
    def _encode(self, obj: Any, option: int = 0) -> bytes:
        if self.sort_keys:
            option |= orjson.OPT_SORT_KEYS
        return orjson.dumps(obj, default=self.default, option=_OPTIONS | option)

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        if kwargs:
            return super().dumps(obj, **kwargs)
        return self._encode(obj).decode()

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        if kwargs:
            return super().loads(s, **kwargs)
        return orjson.loads(s)

    def response(self, *args: Any, **kwargs: Any) -> Response:
        obj = self._prepare_response_obj(args, kwargs)
        indent = (self.compact is None and self._app.debug) or self.compact is False
        body = self._encode(obj, orjson.OPT_INDENT_2 if indent else 0) + b"\n"
        return self._app.response_class(body, mimetype=self.mimetype)
