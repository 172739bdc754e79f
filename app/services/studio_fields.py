"""The fields creators type (pack details, profile): checked all at once, every problem named.

Text is stored as typed (minus control characters) and is always rendered escaped, so markup in a
title, a description, a tag or a bio stays text (SECURITY.md 18:
tests/blueprints/test_studio_pages.py::test_pack_text_and_bio_are_inert_in_the_studio_and_the_marketplace).
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from app.models.marketplace import PRICE_TYPES, SUBSCRIPTION_INTERVALS
from app.services import ServiceError

MAX_TITLE = 200
MAX_DESCRIPTION = 5000
MAX_TAGS = 8
MAX_TAG = 30
MIN_PRICE, MAX_PRICE = 50, 99_999  # cents: $0.50 to $999.99
PRICE_LABELS = {"free": "Free", "one_time": "One-time purchase", "subscription": "Subscription"}
INTERVAL_LABELS = {"monthly": "Monthly", "annual": "Annual"}
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u2028\u2029]")
_PRICE = re.compile(r"^\$?\s*(\d{1,6})(?:[.,](\d{1,2}))?$")


class InvalidFields(ServiceError):
    """Several fields at fault at once: `errors` maps each to its message (the API lists them as details)."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(" ".join(errors.values()), field=next(iter(errors), None))
        self.errors = errors
        self.problems = [{"field": name, "message": message} for name, message in errors.items()]


def clean_line(value: Any) -> str:
    """One line of text: control characters dropped, whitespace collapsed."""
    text = value if isinstance(value, str) else ""
    return " ".join(_CONTROL.sub(" ", text).split())


def clean_block(value: Any) -> str:
    """Paragraphs: control characters other than newlines dropped, line ends normalised, ends trimmed."""
    text = value if isinstance(value, str) else ""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    return _CONTROL.sub("", text).strip()


def parse_tags(value: Any) -> list[str]:
    """Comma-separated text (or a list) → lower-cased, de-duplicated tags; ServiceError past the limits."""
    parts = value if isinstance(value, list) else str(value or "").split(",")
    tags: list[str] = []
    for part in parts:
        tag = clean_line(part if isinstance(part, str) else "").lower()
        if not tag or tag in tags:
            continue
        if len(tag) > MAX_TAG:
            raise ServiceError(f"Keep each tag under {MAX_TAG + 1} characters (“{tag[:40]}” is longer).", field="tags")
        tags.append(tag)
    if len(tags) > MAX_TAGS:
        raise ServiceError(f"Use at most {MAX_TAGS} tags.", field="tags")
    return tags


def parse_price(value: Any) -> int:
    """Dollars and cents as typed ("4.99", "$5", "4,5") → cents; ServiceError when it is not a price."""
    text = str(value or "").strip()
    match = _PRICE.match(text)
    if not match:
        raise ServiceError("Enter the price in dollars and cents, like 4.99.", field="price")
    try:
        cents = int(Decimal(f"{match.group(1)}.{(match.group(2) or '0').ljust(2, '0')}") * 100)
    except InvalidOperation:  # pragma: no cover - the pattern admits only digits
        raise ServiceError("Enter the price in dollars and cents, like 4.99.", field="price") from None
    return cents


def price_text(cents: int | None) -> str:
    """Cents as the form shows them: 499 → "4.99"."""
    return f"{(cents or 0) / 100:.2f}" if cents else ""


def pack_fields(raw: dict[str, Any], *, partial: bool = False, current: dict[str, Any] | None = None) -> dict[str, Any]:
    """Check pack details: title (required, ≤ 200), description, tags, price type, amount (cents) and
    interval. With `partial`, missing names keep their `current` value. Every problem is reported."""
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    current = current or {}
    if "title" in raw or not partial:
        title = clean_line(raw.get("title"))
        if not title:
            errors["title"] = "Give the pack a title."
        elif len(title) > MAX_TITLE:
            errors["title"] = f"Keep the title under {MAX_TITLE + 1} characters."
        values["title"] = title
    if "description" in raw or not partial:
        description = clean_block(raw.get("description"))
        if len(description) > MAX_DESCRIPTION:
            errors["description"] = f"Keep the description under {MAX_DESCRIPTION + 1} characters."
        values["description"] = description
    if "tags" in raw or not partial:
        try:
            values["tags"] = parse_tags(raw.get("tags"))
        except ServiceError as exc:
            errors["tags"] = exc.message
    _price(raw, partial, current, values, errors)
    if errors:
        raise InvalidFields(errors)
    return values


def _price(raw: dict[str, Any], partial: bool, current: dict[str, Any], values: dict, errors: dict) -> None:
    """Price type, amount and interval checked together (a paid pack needs an amount; a subscription an interval)."""
    touched = any(name in raw for name in ("price_type", "price_amount", "subscription_interval"))
    if partial and not touched:
        return
    price_type = raw.get("price_type", current.get("price_type") if partial else None) or "free"
    if price_type not in PRICE_TYPES:
        errors["price_type"] = "Choose free, one-time or subscription."
        return
    values["price_type"] = price_type
    if price_type == "free":
        if "price_type" not in raw and raw.get("price_amount") not in (None, "", 0):
            errors["price_amount"] = "This pack is free: set price_type to one_time or subscription to charge for it."
            return
        values["price_amount"], values["subscription_interval"] = None, None
        return
    amount = raw.get("price_amount", current.get("price_amount") if partial else None)
    if isinstance(amount, str):
        try:
            amount = parse_price(amount) if amount.strip() else None
        except ServiceError as exc:
            errors["price_amount"] = exc.message
            return
    if amount is None or isinstance(amount, bool) or not isinstance(amount, int):
        errors["price_amount"] = "Set a price for a paid pack."
    elif not MIN_PRICE <= amount <= MAX_PRICE:
        errors["price_amount"] = "A price must be from $0.50 to $999.99."
    else:
        values["price_amount"] = amount
    if price_type == "subscription":
        interval = raw.get("subscription_interval", current.get("subscription_interval") if partial else None)
        if interval not in SUBSCRIPTION_INTERVALS:
            errors["subscription_interval"] = "Choose whether the subscription is billed monthly or annually."
        else:
            values["subscription_interval"] = interval
    else:
        values["subscription_interval"] = None
