"""Application settings, read from environment variables and nowhere else."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
DEV_SECRET_KEY = "dev-insecure-secret-key-change-me"


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def _env_int(name: str, default: int) -> int:
    value = _env(name)
    return int(value) if value is not None else default


def _env_bool(name: str, default: bool) -> bool:
    value = _env(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


class Config:
    """Settings shared by every environment; each value can be overridden by an env var."""

    ENV_NAME = "base"
    SECRET_KEY = _env("SECRET_KEY", DEV_SECRET_KEY)
    INSTANCE_PATH = _env("INSTANCE_PATH", str(BASE_DIR / "instance"))

    # Database: PostgreSQL via DATABASE_URL, else a SQLite file under instance/.
    SQLALCHEMY_DATABASE_URI = _env("DATABASE_URL")
    DATABASE_REPLICA_URL = _env("DATABASE_REPLICA_URL")
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    SQLALCHEMY_TRACK_MODIFICATIONS = False

    # Redis: REDIS_URL, else an embedded redis-server on a unix socket under instance/.
    REDIS_URL = _env("REDIS_URL")

    # Accounts and tokens.
    JWT_AUDIENCE = _env("JWT_AUDIENCE", "waqup-api")
    JWT_ISSUER = _env("JWT_ISSUER", "waqup")
    JWT_EXPIRES_SECONDS = _env_int("JWT_EXPIRES_SECONDS", 3600)
    LOGIN_SESSION_DAYS = _env_int("LOGIN_SESSION_DAYS", 30)
    PERMANENT_SESSION_LIFETIME = timedelta(days=LOGIN_SESSION_DAYS)
    FREE_TIER_CREDITS = 1

    # Cookies (SECURITY.md 16).
    SESSION_COOKIE_NAME = "waqup_session"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _env_bool("SESSION_COOKIE_SECURE", False)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"

    # Copies of hot Redis keys kept in each process and invalidated by Redis (app/near_cache.py).
    NEAR_CACHE_BYTES = _env_int("NEAR_CACHE_BYTES", 32 * 1024 * 1024)  # per process; 0 keeps nothing
    NEAR_CACHE_SECONDS = _env_int("NEAR_CACHE_SECONDS", 300)  # a copy's longest life, pushes or not

    # Forms and CSRF (SECURITY.md 15).
    WTF_CSRF_ENABLED = True
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session

    # Rate limits (SECURITY.md 12), stored in Redis.
    RATELIMIT_ENABLED = _env_bool("RATELIMIT_ENABLED", True)
    RATELIMIT_HEADERS_ENABLED = True
    RATELIMIT_LOGIN = _env("RATELIMIT_LOGIN", "10 per minute;50 per hour")
    RATELIMIT_REGISTER = _env("RATELIMIT_REGISTER", "5 per minute;30 per hour")

    # Generation: script writer, voices, storage, jobs.
    SCRIPT_WRITER = _env("SCRIPT_WRITER")  # embedded | openai | anthropic; default: the first with a key
    OPENAI_API_KEY = _env("OPENAI_API_KEY")
    OPENAI_MODEL = _env("OPENAI_MODEL", "gpt-4o-mini")
    OPENAI_BASE_URL = _env("OPENAI_BASE_URL")
    ANTHROPIC_API_KEY = _env("ANTHROPIC_API_KEY")
    ANTHROPIC_MODEL = _env("ANTHROPIC_MODEL", "claude-sonnet-4-5")
    ANTHROPIC_BASE_URL = _env("ANTHROPIC_BASE_URL")
    LLM_MAX_RETRIES = _env_int("LLM_MAX_RETRIES", 2)
    ELEVENLABS_API_KEY = _env("ELEVENLABS_API_KEY")
    ELEVENLABS_BASE_URL = _env("ELEVENLABS_BASE_URL")
    ELEVENLABS_MODEL = _env("ELEVENLABS_MODEL", "eleven_multilingual_v2")
    STORAGE_BACKEND = _env("STORAGE_BACKEND", "local")  # local | s3
    STORAGE_DIR = _env("STORAGE_DIR")  # default: instance/storage
    S3_BUCKET = _env("S3_BUCKET")
    S3_ENDPOINT_URL = _env("S3_ENDPOINT_URL")
    S3_REGION = _env("S3_REGION", "us-east-1")
    S3_ACCESS_KEY_ID = _env("S3_ACCESS_KEY_ID")
    S3_SECRET_ACCESS_KEY = _env("S3_SECRET_ACCESS_KEY")
    CDN_BASE_URL = _env("CDN_BASE_URL")
    SIGNED_URL_SECONDS = _env_int("SIGNED_URL_SECONDS", 600)
    GENERATION_RETRIES = _env_int("GENERATION_RETRIES", 3)
    GENERATION_RETRY_DELAYS = [10, 30, 90]
    GENERATION_TIMEOUT = _env_int("GENERATION_TIMEOUT", 1800)
    GENERATION_STUCK_SECONDS = _env_int("GENERATION_STUCK_SECONDS", 900)
    RATELIMIT_GENERATE = _env("RATELIMIT_GENERATE", "10 per minute;60 per day")
    RATELIMIT_BUILDER = _env("RATELIMIT_BUILDER", "30 per minute;500 per day")
    # The builder socket: a hard cap on what one message may buffer (the socket itself closes anything
    # over 16 KiB with 1009); pings keep idle proxies from dropping it.
    SOCK_SERVER_OPTIONS = {"max_message_size": 1024 * 1024, "ping_interval": 25}

    # Marketplace search: Whoosh under instance/ by default, Elasticsearch when ELASTICSEARCH_URL is set.
    ELASTICSEARCH_URL = _env("ELASTICSEARCH_URL")
    SEARCH_BACKEND = _env("SEARCH_BACKEND", "elasticsearch" if ELASTICSEARCH_URL else "whoosh")
    SEARCH_INDEX_NAME = _env("SEARCH_INDEX_NAME", "waqup-packs")
    SEARCH_INDEX_DIR = _env("SEARCH_INDEX_DIR")  # default: instance/search

    # Payments: Stripe when STRIPE_SECRET_KEY is set; otherwise a simulated checkout (development only)
    # that signs its webhook with STRIPE_WEBHOOK_SECRET, so the same fulfilment code runs offline.
    # Where the outside world reaches the app (https://waqup.example): Stripe's return URLs use it.
    PUBLIC_BASE_URL = _env("PUBLIC_BASE_URL")
    STRIPE_SECRET_KEY = _env("STRIPE_SECRET_KEY")
    STRIPE_WEBHOOK_SECRET = _env("STRIPE_WEBHOOK_SECRET", None if STRIPE_SECRET_KEY else "whsec_simulated_local_only")
    STRIPE_API_BASE = _env("STRIPE_API_BASE")  # e.g. a local server that speaks the Checkout Sessions API
    PAYMENTS_SIMULATED = _env_bool("PAYMENTS_SIMULATED", STRIPE_SECRET_KEY is None)
    CREATOR_REWARD_PERCENT = _env_int("CREATOR_REWARD_PERCENT", 70)  # of the net amount, in tokens (1 = 1 cent)
    # Credit bundles on sale: credits -> price in cents.
    CREDIT_BUNDLES = {5: 499, 15: 1299, 50: 3499}
    CURRENCY = _env("CURRENCY", "usd")

    LOG_LEVEL = _env("LOG_LEVEL", "INFO")
    DEMO_PASSWORD = _env("DEMO_PASSWORD", "waqup-demo-2026")

    @classmethod
    def check(cls) -> None:
        """Refuse settings that are unsafe for this environment."""


class DevelopmentConfig(Config):
    ENV_NAME = "development"
    DEBUG = False


class TestConfig(Config):
    ENV_NAME = "test"
    TESTING = True
    SECRET_KEY = "test-secret-key-for-the-suite-only-0123456789"
    SQLALCHEMY_DATABASE_URI = _env("TEST_DATABASE_URL")
    REDIS_URL = _env("TEST_REDIS_URL")
    # Argon2id with small costs keeps the suite fast; production uses the library defaults.
    ARGON2_TIME_COST = 1
    ARGON2_MEMORY_COST = 1024


class ProductionConfig(Config):
    ENV_NAME = "production"
    SESSION_COOKIE_NAME = "__Host-session"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"

    @classmethod
    def check(cls) -> None:
        problems = []
        if not cls.SECRET_KEY or cls.SECRET_KEY == DEV_SECRET_KEY or len(cls.SECRET_KEY) < 32:
            problems.append("SECRET_KEY must be set to a random value of at least 32 characters")
        if not cls.SQLALCHEMY_DATABASE_URI:
            problems.append("DATABASE_URL must point at PostgreSQL")
        if not cls.REDIS_URL:
            problems.append("REDIS_URL must be set")
        if not cls.PUBLIC_BASE_URL or not cls.PUBLIC_BASE_URL.startswith("https://"):
            problems.append("PUBLIC_BASE_URL must be set to the site's https:// address")
        if cls.PAYMENTS_SIMULATED:
            problems.append("the simulated checkout is for development only: set STRIPE_SECRET_KEY")
        if cls.STRIPE_SECRET_KEY and not cls.STRIPE_WEBHOOK_SECRET:
            problems.append("STRIPE_WEBHOOK_SECRET must be set with STRIPE_SECRET_KEY")
        if cls.STORAGE_BACKEND == "s3" and not cls.S3_BUCKET:
            problems.append("S3_BUCKET must be set when STORAGE_BACKEND is s3")
        if problems:
            raise RuntimeError("Refusing to start in production: " + "; ".join(problems))


CONFIGS = {
    "development": DevelopmentConfig,
    "test": TestConfig,
    "production": ProductionConfig,
}


def config_from_env() -> type[Config]:
    """The config class named by WAQUP_ENV (development by default)."""
    name = _env("WAQUP_ENV", "development")
    try:
        return CONFIGS[name]
    except KeyError:
        raise RuntimeError(f"WAQUP_ENV must be one of {sorted(CONFIGS)}, not {name!r}") from None
