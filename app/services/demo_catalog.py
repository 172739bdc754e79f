"""The demo catalog's definition: its shape, where the built-in one lives, and what makes one valid.

A catalog lists creators (email, display name, bio) and packs (creator, title, description, tags,
price in cents, subscription interval, days since publication, and 2–4 items, each a generation
spec plus the title the creator gives the finished practice).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, NotRequired, TypedDict

from app.models.marketplace import SUBSCRIPTION_INTERVALS
from app.services import ServiceError
from app.services.practice_spec import PracticeSpec

CATALOG_PATH = Path(__file__).resolve().parent.parent / "demo_catalog.json"
PACK_TAGS = (
    "sleep",
    "focus",
    "anxiety",
    "morning",
    "gratitude",
    "stress",
    "confidence",
    "evening",
    "breath",
    "body-scan",
    "self-compassion",
    "energy",
)
MIN_ITEMS, MAX_ITEMS = 2, 4


class CreatorDef(TypedDict):
    email: str
    display_name: str
    bio: str


class ItemDef(TypedDict):
    title: str
    content_type: str
    intent: str
    duration_minutes: int
    tone: str
    pace: NotRequired[str]
    focus: NotRequired[str]
    context: NotRequired[dict[str, str]]


class PackDef(TypedDict):
    creator: str
    title: str
    description: str
    tags: list[str]
    price_type: str
    price_amount: int
    subscription_interval: str | None
    published_days_ago: int
    items: list[ItemDef]


class Catalog(TypedDict):
    creators: list[CreatorDef]
    packs: list[PackDef]


def builtin_catalog() -> Catalog:
    """The catalog `flask demo load` loads."""
    with CATALOG_PATH.open(encoding="utf-8") as fh:
        return json.load(fh)


def item_spec(item: ItemDef) -> dict[str, Any]:
    """The generation spec of a catalog item (its title is the creator's, given once it is made)."""
    return {key: value for key, value in item.items() if key != "title"}


def catalog_problems(catalog: Catalog) -> list[str]:
    """What is wrong with a catalog definition; an empty list when it can be loaded."""
    problems: list[str] = []
    emails = {creator["email"] for creator in catalog["creators"]}
    seen_packs: set[tuple[str, str]] = set()
    seen_intents: set[tuple[str, str, str]] = set()
    for pack in catalog["packs"]:
        name = f"{pack['title']!r}"
        if pack["creator"] not in emails:
            problems.append(f"{name}: creator {pack['creator']} is not in the creators list")
        if (pack["creator"], pack["title"]) in seen_packs:
            problems.append(f"{name}: the creator has two packs with this title")
        seen_packs.add((pack["creator"], pack["title"]))
        if not MIN_ITEMS <= len(pack["items"]) <= MAX_ITEMS:
            problems.append(f"{name}: {len(pack['items'])} items, not {MIN_ITEMS}–{MAX_ITEMS}")
        unknown = sorted(set(pack["tags"]) - set(PACK_TAGS))
        if unknown or not pack["tags"]:
            problems.append(f"{name}: tags must be some of {', '.join(PACK_TAGS)} (got {', '.join(unknown)})")
        problems.extend(f"{name}: {p}" for p in _price_problems(pack))
        if not isinstance(pack["published_days_ago"], int) or pack["published_days_ago"] < 0:
            problems.append(f"{name}: published_days_ago must be a whole number of days, 0 or more")
        for position, item in enumerate(pack["items"]):
            try:
                spec = PracticeSpec.from_dict(item_spec(item))
            except ServiceError as exc:
                problems.append(f"{name} item {position + 1}: {exc.message}")
                continue
            # An item whose pack link was lost is found again by its kind and intent: they must be unique.
            key = (pack["creator"], spec.content_type, spec.intent)
            if key in seen_intents:
                problems.append(f"{name} item {position + 1}: the creator already has a {spec.content_type} for this")
            seen_intents.add(key)
            if not item.get("title", "").strip():
                problems.append(f"{name} item {position + 1}: a title is needed")
    return problems


def _price_problems(pack: PackDef) -> list[str]:
    kind, amount, interval = pack["price_type"], pack["price_amount"], pack["subscription_interval"]
    if kind == "free":
        return [] if amount == 0 and interval is None else ["a free pack has price 0 and no interval"]
    if kind not in ("one_time", "subscription"):
        return [f"unknown price type {kind!r}"]
    problems = [] if isinstance(amount, int) and amount > 0 else ["a paid pack needs a price in cents above 0"]
    if kind == "subscription" and interval not in SUBSCRIPTION_INTERVALS:
        problems.append(f"a subscription needs an interval: {', '.join(SUBSCRIPTION_INTERVALS)}")
    if kind == "one_time" and interval is not None:
        problems.append("a one-time price has no interval")
    return problems
