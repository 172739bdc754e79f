"""The demo marketplace: creators with profiles, and published packs whose practices are really made.

The catalog is data (`app/demo_catalog.json`). Loading it is idempotent: a creator is found by
email, a pack by creator and title, a pack item by its position. A pack stays a draft until every
item is ready and is then published; what an interrupted run left undone is finished by the next,
and nothing is made, charged or granted twice.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from rq import Worker

from app.extensions import db
from app.models import ContentItem, CreatorProfile, CreditTransaction, GenerationJob, PackItem, RitualPack, User
from app.models.types import utcnow
from app.services import Conflict, ServiceError, accounts, credits, generation, playback
from app.services.demo_catalog import Catalog, CreatorDef, ItemDef, PackDef, catalog_problems, item_spec
from app.services.practice_spec import PracticeSpec
from app.tasks import generation as generation_task
from app.tasks.worker import build_worker

log = logging.getLogger(__name__)

SOURCE = "demo"
# With a worker listening, a practice whose job has not moved for this long is left for the next run.
PATIENCE_SECONDS = 120

Progress = Callable[[str], None]


@dataclass
class LoadReport:
    packs_created: int = 0
    packs_published: int = 0
    practices_made: int = 0
    practices_relinked: int = 0
    credits_granted: int = 0
    unfinished: list[str] = field(default_factory=list)  # packs left as drafts
    indexed: int | None = None
    seconds: float = 0.0


def load_catalog(catalog: Catalog, *, password: str, progress: Progress | None = None) -> LoadReport:
    """Create what is missing of the catalog, make its practices here (or wait for the worker), publish."""
    say = progress or (lambda _line: None)
    problems = catalog_problems(catalog)
    if problems:
        raise ServiceError("The demo catalog is not valid: " + "; ".join(problems))
    started = time.monotonic()
    report = LoadReport()
    users = {creator["email"]: _ensure_creator(creator, password) for creator in catalog["creators"]}
    for email, user in users.items():
        own = [pack for pack in catalog["packs"] if pack["creator"] == email]
        needed = sum(_needs_credit(user, pack, n) for pack in own for n in range(len(pack["items"])))
        report.credits_granted += _fund(user, needed)
    total = sum(len(pack["items"]) for pack in catalog["packs"])
    number = 0
    for pack_def in catalog["packs"]:
        _load_pack(users[pack_def["creator"]], pack_def, report, say, number, total)
        number += len(pack_def["items"])
    report.indexed = _rebuild_search_index()
    report.seconds = round(time.monotonic() - started, 1)
    return report


def _ensure_creator(creator: CreatorDef, password: str) -> User:
    """The creator's account (made with the demo password when missing), role and profile."""
    email = accounts.normalize_email(creator["email"])
    user = db.session.scalar(sa.select(User).where(User.email == email))
    if user is None:
        try:
            user = accounts.register(email, password, roles=["user", "creator"])
        except Conflict:  # registered by a concurrent run since the lookup
            user = accounts.get_by_email(email)
    if not user.has_role("creator"):
        accounts.set_role(user, "creator", True, actor=None)
    if db.session.get(CreatorProfile, user.id) is None:
        db.session.add(
            CreatorProfile(
                user_id=user.id, display_name=creator["display_name"], bio=creator["bio"], terms_accepted_at=utcnow()
            )
        )
        db.session.commit()
        log.info("demo creator profile for %s created", email)
    return user


def _find_pack(user: User, pack_def: PackDef) -> RitualPack | None:
    return db.session.scalar(
        sa.select(RitualPack).where(RitualPack.creator_id == user.id, RitualPack.title == pack_def["title"])
    )


def _slot(user: User, pack: RitualPack | None, position: int, item_def: ItemDef) -> tuple[ContentItem | None, bool]:
    """The item at a pack position (linked, or made earlier but never linked) and whether it is linked."""
    if pack is not None:
        linked = db.session.scalar(
            sa.select(ContentItem)
            .join(PackItem, PackItem.content_item_id == ContentItem.id)
            .where(PackItem.pack_id == pack.id, PackItem.position == position)
            .order_by(PackItem.created_at)
            .limit(1)
        )
        if linked is not None:
            return linked, True
    in_a_pack = sa.select(PackItem.content_item_id)
    spec = PracticeSpec.from_dict(item_spec(item_def))
    for item in db.session.scalars(
        sa.select(ContentItem).where(
            ContentItem.user_id == user.id,
            ContentItem.content_type == spec.content_type,
            ContentItem.id.not_in(in_a_pack),
        )
    ):
        meta = item.meta or {}
        if meta.get("source") == SOURCE and (meta.get("spec") or {}).get("intent") == spec.intent:
            return item, False
    return None, False


def _needs_credit(user: User, pack_def: PackDef, position: int) -> bool:
    item, _ = _slot(user, _find_pack(user, pack_def), position, pack_def["items"][position])
    if item is None:
        return True
    job = generation.latest_job(item.id)
    return not item.audio_url and (job is None or job.status == "failed")


def _fund(user: User, needed: int) -> int:
    """Top the creator up to what the missing practices cost plus the free-tier credit they keep.

    Credits granted but not yet spent (an interrupted run) count, so nothing piles up; the key names
    the ledger entry the grant becomes, so two runs that find the same state grant once.
    """
    if needed <= 0:
        return 0
    short = needed + int(current_app.config["FREE_TIER_CREDITS"]) - user.credit_balance
    if short <= 0:
        return 0
    last = db.session.scalar(
        sa.select(sa.func.max(CreditTransaction.entry_no)).where(CreditTransaction.user_id == user.id)
    )
    credits.grant(
        user.id,
        short,
        idempotency_key=f"demo:credits:{user.email}:{(last or 0) + 1}",
        metadata={"source": "demo catalog", "practices": needed},
    )
    db.session.refresh(user)
    return short


def _load_pack(user: User, pack_def: PackDef, report: LoadReport, say: Progress, number: int, total: int) -> None:
    pack = _find_pack(user, pack_def)
    if pack is None:
        pack = RitualPack(
            creator_id=user.id,
            title=pack_def["title"],
            description=pack_def["description"],
            tags=list(pack_def["tags"]),
            price_type=pack_def["price_type"],
            price_amount=pack_def["price_amount"] or None,
            subscription_interval=pack_def["subscription_interval"],
            status="draft",
            meta={"source": SOURCE},
        )
        db.session.add(pack)
        db.session.commit()
        report.packs_created += 1
        log.info("demo pack %s (%s) created for %s", pack.id, pack.title, user.email)
    say(f"  {pack.title} ({_price_label(pack_def)})")
    ready = 0
    for position, item_def in enumerate(pack_def["items"]):
        label = f"    [{number + position + 1:>{len(str(total))}}/{total}] {item_def['title']}"
        try:
            ready += _ensure_item(user, pack, position, item_def, report, say, label)
        except Exception:
            log.exception("demo practice %d of pack %r (%s) could not be made", position + 1, pack.title, user.email)
            raise
    if ready < len(pack_def["items"]):
        report.unfinished.append(pack.title)
        say(f"    {ready} of {len(pack_def['items'])} ready: left as a draft until the next run")
    elif pack.status == "draft":
        pack.status = "published"
        pack.published_at = utcnow() - timedelta(days=pack_def["published_days_ago"])
        db.session.commit()
        report.packs_published += 1
        log.info("demo pack %s (%s) published", pack.id, pack.title)
        say("    published")
    else:
        say(f"    {ready} practices ready, {pack.status}")


def _ensure_item(
    user: User, pack: RitualPack, position: int, item_def: ItemDef, report: LoadReport, say: Progress, label: str
) -> bool:
    """Make sure a ready practice sits at this position; True when it does."""
    item, linked = _slot(user, pack, position, item_def)
    job: GenerationJob | None = None
    if item is None:
        job = generation.request_generation(user, item_spec(item_def), source=SOURCE)
        item = db.session.get(ContentItem, job.content_item_id)
    if not linked:
        db.session.add(PackItem(pack_id=pack.id, content_item_id=item.id, position=position))
        db.session.commit()
        if job is None:
            report.practices_relinked += 1
    if item.audio_url:
        return True
    if job is None:
        job = generation.latest_job(item.id)
        if job is None or job.status == "failed":
            job = generation.request_regeneration(user, item)
    started = time.monotonic()
    job = _finish(job.id)
    db.session.refresh(item)
    if job.status != "ready" or not item.audio_url:
        reason = job.error or f"still {job.status} ({job.progress} %)"
        log.error("demo practice %s (%s, pack %s) is not ready: %s", item.id, item_def["title"], pack.title, reason)
        say(f"{label}: not ready, {reason}")
        return False
    item.title = item_def["title"]
    db.session.commit()
    playback.invalidate(item.id)
    report.practices_made += 1
    say(f"{label}: ready, {item.audio_duration / 60:.1f} min, made in {time.monotonic() - started:.1f} s")
    return True


def _finish(job_id: uuid.UUID) -> GenerationJob:
    """Run the job here when no worker listens, else wait for the worker; the job row as it ended."""
    db.session.commit()  # nothing of ours stays open while the job writes
    queue = generation.generation_queue()
    app = current_app._get_current_object()
    if Worker.count(queue=queue) == 0:
        build_worker(app, queues=[queue.name]).work(burst=True)
        job = _reload(job_id)
        if job.status in generation.ACTIVE_STATUSES:  # its queue entry was lost with an interrupted run
            with app.app_context():
                generation_task.run(str(job_id))
        return _reload(job_id)
    seen, since = None, time.monotonic()
    while True:
        job = _reload(job_id)
        if job.status not in generation.ACTIVE_STATUSES:
            return job
        if (job.status, job.progress) != seen:
            seen, since = (job.status, job.progress), time.monotonic()
        elif time.monotonic() - since > PATIENCE_SECONDS:
            return job
        time.sleep(0.5)


def _reload(job_id: uuid.UUID) -> GenerationJob:
    """The job row as committed now (a new transaction, so SQLite's snapshot is not an old one)."""
    db.session.commit()
    return db.session.get(GenerationJob, job_id)


def _price_label(pack_def: PackDef) -> str:
    if pack_def["price_type"] == "free":
        return "free"
    price = f"${pack_def['price_amount'] / 100:.2f}"
    interval = pack_def["subscription_interval"]
    return f"{price} a {'month' if interval == 'monthly' else 'year'}" if interval else price


def _rebuild_search_index() -> int:
    """Rebuild the marketplace search index from the published packs; the number indexed."""
    from app.services import catalog

    try:
        return catalog.reindex_all()
    except Exception:
        log.exception("rebuilding the marketplace search index after loading the demo catalog failed")
        raise
