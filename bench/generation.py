"""Benchmark: a 10-minute guided meditation on the embedded providers, confirm → ready.

Prints the wall time from the request to a ready MP3, the time raw Piper synthesis of the very
same sentences takes in the same run, and their ratio (everything beyond raw synthesis —
composing, pauses, levelling, encoding, storage, queue — is overhead). Then makes a 30-minute
track in a fresh worker process and reports that process's peak RSS.

    .venv/bin/python bench/generation.py            # both parts
    .venv/bin/python bench/generation.py --minutes 10 --skip-rss
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

INTENT = "letting go of a stressful workday"


def build(workdir: str):  # type: ignore[no-untyped-def]
    os.environ.update(WAQUP_ENV="development", INSTANCE_PATH=workdir, LOG_LEVEL="WARNING")
    os.environ.pop("DATABASE_URL", None)
    os.environ.pop("REDIS_URL", None)
    import flask_migrate

    from app import create_app

    app = create_app()
    with app.app_context():
        flask_migrate.upgrade()
    return app


def make_practice(app, minutes: int) -> tuple[float, object]:  # type: ignore[no-untyped-def]
    from app.extensions import db
    from app.models import ContentItem
    from app.services import accounts, credits, generation, voices
    from app.tasks.worker import build_worker

    with app.app_context():
        voices.seed(previews=False)
        user = accounts.register(f"bench-{time.time_ns()}@example.com", "bench password 123")
        credits.grant(user.id, 5, idempotency_key=f"bench:{user.id}")
        started = time.perf_counter()
        job = generation.request_generation(
            user,
            {
                "content_type": "guided_meditation",
                "intent": INTENT,
                "duration_minutes": minutes,
                "context": {"time_of_day": "evening", "place": "at home on the sofa"},
            },
        )
        item_id = job.content_item_id
    build_worker(app).work(burst=True, with_scheduler=False)
    elapsed = time.perf_counter() - started
    with app.app_context():
        item = db.session.get(ContentItem, item_id)
        db.session.expunge(item)
    return elapsed, item


def raw_synthesis_seconds(item) -> float:  # type: ignore[no-untyped-def]
    from app.providers.tts.piper_engine import JOE_VOICE_ID, PiperEngine
    from app.services.audio import split_sentences

    engine = PiperEngine()
    sentences = [
        sentence
        for section in item.structure["sections"]
        for segment in section["segments"]
        for sentence in split_sentences(segment["text"])
    ]
    started = time.perf_counter()
    for sentence in sentences:
        engine.synthesize(sentence, voice_id=JOE_VOICE_ID, pace="normal")
    return time.perf_counter() - started


def decoded_levels(app, item) -> dict:  # type: ignore[no-untyped-def]
    from app.providers.storage import get_storage
    from app.services.audio import measure

    with app.app_context():
        return measure(get_storage().path(item.audio_url))


def own_peak_rss_mb() -> float:
    """This process's peak RSS (VmHWM). Not ru_maxrss: Linux carries that across exec, so a child
    would report the parent's RSS at the moment it was spawned if that was higher."""
    status = Path("/proc/self/status").read_text()
    return int(next(line for line in status.splitlines() if line.startswith("VmHWM:")).split()[1]) / 1024


def rss_child(minutes: int) -> None:
    with tempfile.TemporaryDirectory(prefix="waqup-bench-") as workdir:
        app = build(workdir)
        elapsed, item = make_practice(app, minutes)
        peak_mb = own_peak_rss_mb()
        made = item.audio_duration / 60
        print(f"{minutes}-minute track: {made:.1f} min made in {elapsed:.1f} s; worker peak RSS {peak_mb:.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=int, default=10)
    parser.add_argument("--rss-minutes", type=int, default=30)
    parser.add_argument("--skip-rss", action="store_true")
    parser.add_argument("--rss-child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.rss_child:
        rss_child(args.rss_child)
        return

    with tempfile.TemporaryDirectory(prefix="waqup-bench-") as workdir:
        app = build(workdir)
        from app.providers.tts.piper_engine import JOE_VOICE_ID, _load

        load_started = time.perf_counter()
        _load(JOE_VOICE_ID)  # loaded once per worker process, before either measurement
        load = time.perf_counter() - load_started
        elapsed, item = make_practice(app, args.minutes)
        raw = raw_synthesis_seconds(item)
        audio = item.meta["audio"]
        decoded = decoded_levels(app, item)
        print(f"voice load (once per worker): {load:.2f} s")
        print(f"{args.minutes}-minute guided meditation: {item.audio_duration / 60:.2f} min of audio")
        print(f"  confirm → ready: {elapsed:.1f} s   (target ≤ 30 s)")
        print(f"  raw Piper synthesis of the same {audio['words']} words: {raw:.1f} s")
        print(f"  ratio: {elapsed / raw:.2f}×   (target ≤ 1.3×)")
        print(
            f"  speech {audio['speech_wpm']} words/min, {audio['integrated_lufs']} LUFS, "
            f"true peak {audio['true_peak_dbfs']} dBFS, silence {audio['total_silence_seconds']} s"
        )
        print(f"  decoded MP3: {decoded['integrated_lufs']} LUFS, true peak {decoded['true_peak_dbfs']} dBFS")
    if not args.skip_rss:
        subprocess.run([sys.executable, __file__, "--rss-child", str(args.rss_minutes)], check=True)


if __name__ == "__main__":
    main()
