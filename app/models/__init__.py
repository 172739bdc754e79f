"""Typed SQLAlchemy models, one module per domain; importing this registers every table."""

from app.models.audit import AuditLog
from app.models.content import ContentItem, GenerationJob, LibraryEntry, PracticeEvent, Voice
from app.models.conversation import Conversation
from app.models.credits import CreditTransaction
from app.models.marketplace import (
    CreatorProfile,
    CreatorTokenTransaction,
    Entitlement,
    Notification,
    PackItem,
    PackReview,
    PayoutRequest,
    Purchase,
    Report,
    RitualPack,
    StripeEvent,
)
from app.models.user import User

__all__ = [
    "AuditLog",
    "ContentItem",
    "Conversation",
    "CreatorProfile",
    "CreatorTokenTransaction",
    "CreditTransaction",
    "Entitlement",
    "GenerationJob",
    "LibraryEntry",
    "Notification",
    "PackItem",
    "PackReview",
    "PayoutRequest",
    "PracticeEvent",
    "Purchase",
    "Report",
    "RitualPack",
    "StripeEvent",
    "User",
    "Voice",
]
