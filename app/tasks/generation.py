"""The generation job: script → voice → mix → store. Idempotent, retried on provider hiccups."""

from __future__ import annotations

import logging
import tempfile
import time
import uuid
import zlib
from pathlib import Path

from rq import get_current_job

from app.extensions import db
from app.models import ContentItem, GenerationJob, Voice
from app.models.types import utcnow
from app.providers.llm import get_script_writer
from app.providers.llm.base import Script, Section, Segment
from app.providers.llm.remote import TransientWriterError
from app.providers.storage import audio_key, get_storage
from app.providers.tts import TransientTTSError, get_engine
from app.redis_client import delete_cached
from app.services import audio, catalog, generation
from app.services.beds import choose_bed
from app.services.cache_keys import ritual_metadata_key
from app.services.practice_meta import assign_depth, assign_tags
from app.services.practice_spec import PracticeSpec

log = logging.getLogger(__name__)
TRANSIENT = (TransientTTSError, TransientWriterError, ConnectionError, TimeoutError)


def run(job_id: str) -> dict:
    """Produce the audio for one generation job (safe to run again: a finished job is left alone)."""
    job = db.session.get(GenerationJob, uuid.UUID(job_id))
    if job is None:
        log.warning("generation job %s no longer exists", job_id)
        return {"status": "missing"}
    if job.status in ("ready", "failed"):
        log.info("generation %s is already %s; nothing to do", job.rq_job_id, job.status)
        return {"status": job.status}
    item = db.session.get(ContentItem, job.content_item_id)
    if item is None:  # deleted while queued: nothing to make, nothing to charge
        generation.fail(job, "The practice was deleted before it was made.")
        return {"status": "failed"}
    job.attempts += 1
    job.started_at = job.started_at or utcnow()
    db.session.commit()
    try:
        _produce(job, item)
    except TRANSIENT as exc:
        rq_job = get_current_job()
        if rq_job is not None and (rq_job.retries_left or 0) > 0:
            log.warning("generation %s hit a passing provider error, will retry: %s", job.rq_job_id, exc)
            _progress(job, "queued", job.progress, "A provider hiccup: trying again shortly")
            raise
        generation.fail(job, f"Provider unavailable after retries: {exc}")
        return {"status": "failed"}
    except Exception as exc:
        db.session.rollback()
        log.exception("generation %s failed", job.rq_job_id)
        generation.fail(db.session.get(GenerationJob, job.id), f"{type(exc).__name__}: {exc}")
        return {"status": "failed"}
    return {"status": "ready", "content_item_id": str(item.id)}


def _produce(job: GenerationJob, item: ContentItem) -> None:
    spec = PracticeSpec(**{k: v for k, v in job.spec.items() if k != "conversation_id"})
    voice = db.session.get(Voice, uuid.UUID(spec.voice_id)) if spec.voice_id else None
    if voice is None:
        raise ValueError("The chosen voice no longer exists.")
    started = time.monotonic()

    script = _stored_script(item)
    if script is None:
        _progress(job, "writing", 5, generation.STEP_LABELS["writing"])
        seed = zlib.crc32(f"{item.id}:{job.version}".encode())
        script = get_script_writer().write(spec, seed=seed)
        item.title = script.title
        item.content_text = script.text
        item.depth = assign_depth(spec, script)
        item.tags = assign_tags(spec)
        item.structure = {"sections": _sections_json(script), "closing_silence": script.closing_silence}
        item.meta = {**(item.meta or {}), "script": script.meta}
        db.session.commit()

    _progress(job, "voicing", 15, generation.STEP_LABELS["voicing"])
    engine = get_engine(voice.provider)
    last = [15]

    def on_voiced(fraction: float) -> None:
        if fraction >= 1:  # every sentence is voiced: the rest of the mix and encoding is finishing
            _progress(job, "mixing", 85, generation.STEP_LABELS["mixing"])
            return
        percent = 15 + int(fraction * 65)
        if percent >= last[0] + 5:  # a row update every 5 %, not every sentence
            last[0] = percent
            _progress(job, "voicing", percent, f"Recording the voice ({int(fraction * 100)} %)")

    key = audio_key(item.user_id, item.id, job.version)
    with tempfile.TemporaryDirectory(prefix="waqup-gen-") as tmp:
        path = Path(tmp) / "practice.mp3"
        # Voiced, levelled and encoded as one stream: encoding keeps pace with the voice.
        track = audio.render(
            script,
            engine,
            path,
            voice_id=voice.provider_voice_id,
            pace=spec.pace,
            target_seconds=spec.duration_seconds,
            with_bells=not spec.is_sleep,
            progress=on_voiced,
        )
        _progress(job, "mixing", 95, "Saving")
        get_storage().put_file(key, path, "audio/mpeg")  # same key on a re-run: still one object
        size = path.stat().st_size

    structure = dict(item.structure or {})
    structure["sections"] = [
        {**section, "start": timing["start"], "end": timing["end"]}
        for section, timing in zip(structure.get("sections", []), track.sections, strict=False)
    ]
    item.structure = structure
    item.audio_url = key  # the new version replaces the old only now, when it is ready
    item.audio_duration = round(track.duration, 2)
    item.voice_id = voice.id
    item.meta = {
        **(item.meta or {}),
        "spec": spec.to_dict(),
        "version": job.version,
        "background": (item.meta or {}).get("background") or choose_bed(spec),
        "audio": {
            **track.metrics,
            "words": track.words,
            "bytes": size,
            "sample_rate": track.sample_rate,
            "voice": voice.name,
            "seconds_to_make": round(time.monotonic() - started, 2),
        },
    }
    job.status = "ready"
    job.progress = 100
    job.step_label = generation.STEP_LABELS["ready"]
    job.finished_at = utcnow()
    generation.link_conversation(job)
    db.session.commit()
    delete_cached(ritual_metadata_key(item.id))
    catalog.item_changed(item.id)  # a new length for the published packs that hold it
    log.info(
        "generation %s ready: %.1f s of audio in %.1f s",
        job.rq_job_id,
        track.duration,
        time.monotonic() - started,
    )


def _stored_script(item: ContentItem) -> Script | None:
    """The script written on an earlier attempt, so a retry does not write (or charge for) another."""
    sections = (item.structure or {}).get("sections")
    if not sections or not item.content_text:
        return None
    return Script(
        title=item.title,
        sections=[
            Section(s["name"], [Segment(seg["text"], float(seg["pause"])) for seg in s["segments"]]) for s in sections
        ],
        closing_silence=float(item.structure.get("closing_silence", 20.0)),
        meta=(item.meta or {}).get("script", {}),
    )


def _sections_json(script: Script) -> list[dict]:
    return [
        {"name": s.name, "segments": [{"text": seg.text, "pause": round(seg.pause, 2)} for seg in s.segments]}
        for s in script.sections
    ]


def _progress(job: GenerationJob, status: str, percent: int, label: str) -> None:
    job.status = status
    job.progress = percent
    job.step_label = label
    db.session.commit()
    rq_job = get_current_job()
    if rq_job is not None:
        rq_job.meta.update(status=status, progress=percent, step=label)
        rq_job.save_meta()
