"""A small local server that speaks enough of Stripe's API for the real `stripe` SDK to talk to it.

Form-encoded POST /v1/customers and /v1/checkout/sessions, POST /v1/checkout/sessions/{id}/expire,
GET /v1/checkout/sessions/{id}, GET /v1/checkout/sessions?created[gte]=…&limit=…&starting_after=…
(a list object), DELETE /v1/subscriptions/{id} (cancel) and POST /v1/subscriptions/{id} with
cancel_at_period_end (cancel when the period ends). An Idempotency-Key makes a repeated
POST or DELETE answer with the first answer. Tests drive the rest (`complete`, `expire`,
`refuse_cancels`) and read what was asked (`requests`).
"""

from __future__ import annotations

import json
import re
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

SECRET_KEY = "sk_test_local_stripe_server"
WEBHOOK_SECRET = "whsec_local_stripe_server"


def decode_form(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    """Stripe's nested form encoding (a[b][0][c]=v) back into dicts and lists."""
    root: dict[str, Any] = {}
    for key, value in pairs:
        parts = [key.split("[", 1)[0], *re.findall(r"\[([^\]]*)\]", key)]
        node: Any = root
        for part, following in zip(parts, [*parts[1:], None], strict=True):
            index: Any = int(part) if isinstance(node, list) else part
            if following is None:
                if isinstance(node, list):
                    node.extend([None] * (index + 1 - len(node)))
                node[index] = value
                break
            child = [] if following.isdigit() else {}
            if isinstance(node, list):
                node.extend([None] * (index + 1 - len(node)))
                node[index] = node[index] if node[index] is not None else child
                node = node[index]
            else:
                node = node.setdefault(index, child)
    return root


@dataclass
class FakeStripe:
    url: str = ""
    customers: dict[str, dict[str, Any]] = field(default_factory=dict)
    sessions: dict[str, dict[str, Any]] = field(default_factory=dict)
    requests: list[dict[str, Any]] = field(default_factory=list)
    idempotent: dict[tuple[str, str], tuple[int, dict[str, Any]]] = field(default_factory=dict)
    params: dict[str, dict[str, Any]] = field(default_factory=dict)  # what each session was created with
    subscriptions: dict[str, dict[str, Any]] = field(default_factory=dict)  # started by completed sessions
    refuse_cancels: bool = False  # answer a cancel (now or at the period end) with an API error, as in an outage
    lock: threading.Lock = field(default_factory=threading.Lock)

    def complete(self, session_id: str, *, payment_status: str = "paid", tax: int = 0) -> dict[str, Any]:
        """What Stripe does when the buyer pays: the session completes, with its payment's ids."""
        with self.lock:
            session = self.sessions[session_id]
            session.update(status="complete", payment_status=payment_status)
            session["total_details"]["amount_tax"] = tax
            session["amount_total"] += tax
            if session["mode"] == "subscription":
                session["subscription"] = "sub_" + secrets.token_hex(8)
                session["invoice"] = "in_" + secrets.token_hex(8)
                self.subscriptions[session["subscription"]] = {
                    "id": session["subscription"],
                    "object": "subscription",
                    "status": "active",
                    "metadata": session["metadata"],
                    "canceled_at": None,
                    "cancel_at_period_end": False,
                    "cancel_at": None,
                }
            else:
                session["payment_intent"] = "pi_" + secrets.token_hex(8)
            return json.loads(json.dumps(session))

    def expire(self, session_id: str) -> None:
        with self.lock:
            self.sessions[session_id]["status"] = "expired"

    def expire_open(self, session_id: str) -> tuple[int, dict[str, Any]]:
        session = self.sessions.get(session_id)
        if session is None:
            return 404, _error(f"No such checkout.session: '{session_id}'", code="resource_missing")
        if session["status"] != "open":
            return 400, _error(f"Only Checkout Sessions with a status of open can be expired ({session['status']}).")
        session["status"] = "expired"
        return 200, session

    def cancel(self, subscription_id: str) -> tuple[int, dict[str, Any]]:
        if self.refuse_cancels:
            return 400, _error("The subscription could not be canceled right now.", code="subscription_busy")
        subscription = self.subscriptions.get(subscription_id)
        if subscription is None:
            return 404, _error(f"No such subscription: '{subscription_id}'", code="resource_missing")
        if subscription["status"] != "canceled":
            subscription.update(status="canceled", canceled_at=int(time.time()))
        return 200, subscription

    def update_subscription(self, subscription_id: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """POST /v1/subscriptions/{id}: only `cancel_at_period_end` is understood, as Stripe answers it."""
        if self.refuse_cancels:
            return 400, _error("The subscription could not be updated right now.", code="subscription_busy")
        subscription = self.subscriptions.get(subscription_id)
        if subscription is None:
            return 404, _error(f"No such subscription: '{subscription_id}'", code="resource_missing")
        unknown = sorted(set(params) - {"cancel_at_period_end"})
        if unknown:
            return 400, _error(f"Received unknown parameter: {unknown[0]}", param=unknown[0])
        if subscription["status"] == "canceled":
            return 400, _error("A canceled subscription can only update its cancellation_details and metadata.")
        if "cancel_at_period_end" in params:
            flag = params["cancel_at_period_end"]
            if flag not in ("true", "false"):
                return 400, _error("Invalid boolean: " + str(flag), param="cancel_at_period_end")
            subscription["cancel_at_period_end"] = flag == "true"
            subscription["cancel_at"] = subscription.get("current_period_end") if flag == "true" else None
        return 200, subscription

    def only_session(self) -> dict[str, Any]:
        assert len(self.sessions) == 1, list(self.sessions)
        return next(iter(self.sessions.values()))

    def new_session(self, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        for name in ("mode", "success_url", "cancel_url", "line_items"):
            if name not in params:
                return 400, _error(f"Missing required param: {name}.", param=name)
        line = params["line_items"][0]
        price = line["price_data"]
        amount = int(price["unit_amount"]) * int(line.get("quantity", 1))
        session_id = "cs_test_" + secrets.token_hex(12)
        now = int(time.time())
        session = {
            "id": session_id,
            "object": "checkout.session",
            "url": f"https://checkout.stripe.test/c/pay/{session_id}",
            "mode": params["mode"],
            "status": "open",
            "payment_status": "unpaid",
            "amount_subtotal": amount,
            "amount_total": amount,
            "currency": price["currency"],
            "total_details": {"amount_discount": 0, "amount_shipping": 0, "amount_tax": 0},
            "client_reference_id": params.get("client_reference_id"),
            "metadata": params.get("metadata", {}),
            "customer": params.get("customer"),
            "customer_email": params.get("customer_email"),
            "payment_intent": None,
            "subscription": None,
            "invoice": None,
            "created": now,
            "expires_at": now + 86400,
            "livemode": False,
            "success_url": params["success_url"],
            "cancel_url": params["cancel_url"],
        }
        self.sessions[session_id] = session
        self.params[session_id] = params
        return 200, session

    def list_sessions(self, query: dict[str, Any]) -> dict[str, Any]:
        since = int((query.get("created") or {}).get("gte", 0))
        limit = int(query.get("limit", 10))
        rows = sorted(self.sessions.values(), key=lambda s: (s["created"], s["id"]))
        rows = [s for s in rows if s["created"] >= since]
        after = query.get("starting_after")
        if after:
            ids = [s["id"] for s in rows]
            rows = rows[ids.index(after) + 1 :] if after in ids else []
        return {"object": "list", "url": "/v1/checkout/sessions", "has_more": len(rows) > limit, "data": rows[:limit]}


def _error(message: str, *, code: str | None = None, param: str | None = None) -> dict[str, Any]:
    return {"error": {"type": "invalid_request_error", "message": message, "code": code, "param": param}}


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, *args: Any) -> None:
        pass

    def _send(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Request-Id", "req_" + secrets.token_hex(6))
        self.end_headers()
        self.wfile.write(data)

    def _authorized(self) -> bool:
        if self.headers.get("Authorization") != f"Bearer {SECRET_KEY}":
            self._send(401, {"error": {"type": "invalid_request_error", "message": "Invalid API Key provided."}})
            return False
        return True

    def do_GET(self) -> None:
        fake = self.server.fake
        parts = urlsplit(self.path)
        query = decode_form(parse_qsl(parts.query, keep_blank_values=True))
        with fake.lock:
            fake.requests.append({"method": "GET", "path": parts.path, "query": query, "headers": dict(self.headers)})
        if not self._authorized():
            return
        if parts.path == "/v1/checkout/sessions":
            with fake.lock:
                self._send(200, fake.list_sessions(query))
            return
        match = re.fullmatch(r"/v1/checkout/sessions/([A-Za-z0-9_]+)", parts.path)
        if match:
            with fake.lock:
                session = fake.sessions.get(match.group(1))
                if session is None:
                    self._send(404, _error(f"No such checkout.session: '{match.group(1)}'", code="resource_missing"))
                else:
                    self._send(200, session)
            return
        self._send(404, _error(f"Unrecognized request URL (GET: {parts.path})."))

    def do_DELETE(self) -> None:
        self.do_POST(method="DELETE")

    def do_POST(self, method: str = "POST") -> None:
        fake = self.server.fake
        length = int(self.headers.get("Content-Length") or 0)
        params = decode_form(parse_qsl(self.rfile.read(length).decode(), keep_blank_values=True))
        key = self.headers.get("Idempotency-Key")
        with fake.lock:
            fake.requests.append({"method": method, "path": self.path, "params": params, "idempotency_key": key})
        if not self._authorized():
            return
        expire = re.fullmatch(r"/v1/checkout/sessions/([A-Za-z0-9_]+)/expire", self.path)
        subscription = re.fullmatch(r"/v1/subscriptions/([A-Za-z0-9_]+)", urlsplit(self.path).path)
        with fake.lock:
            if key and (self.path, key) in fake.idempotent:
                status, body = fake.idempotent[(self.path, key)]
                self._send(status, body)
                return
            if method == "DELETE":
                status, body = (
                    fake.cancel(subscription.group(1)) if subscription else (404, _error("Unrecognized request URL."))
                )
            elif subscription:
                status, body = fake.update_subscription(subscription.group(1), params)
            elif expire:
                status, body = fake.expire_open(expire.group(1))
            elif self.path == "/v1/customers":
                customer_id = "cus_" + secrets.token_hex(8)
                status, body = 200, {"id": customer_id, "object": "customer", **params}
                fake.customers[customer_id] = body
            elif self.path == "/v1/checkout/sessions":
                status, body = fake.new_session(params)
            else:
                status, body = 404, _error(f"Unrecognized request URL (POST: {self.path}).")
            if key and status == 200:  # as Stripe, a refused request is not kept under its key
                fake.idempotent[(self.path, key)] = (status, json.loads(json.dumps(body)))
            self._send(status, body)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    fake: FakeStripe


@contextmanager
def serving() -> Iterator[FakeStripe]:
    """The fake Stripe API on a free local port until the block ends."""
    server = _Server(("127.0.0.1", 0), _Handler)
    server.fake = FakeStripe(url=f"http://127.0.0.1:{server.server_port}")
    thread = threading.Thread(target=server.serve_forever, name="fake-stripe", daemon=True)
    thread.start()
    try:
        yield server.fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
