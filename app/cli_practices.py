"""`flask rituals …` and `flask voices …`: making practices from the command line."""

from __future__ import annotations

import time

import click
from flask import current_app
from rq import Worker

from app.extensions import db
from app.models import ContentItem, GenerationJob
from app.services import ServiceError, accounts, generation, voices
from app.services.practice_spec import CONTENT_TYPES, FOCUSES, PACES, TONES

rituals_cli = click.Group("rituals", help="Make and look after practices.")
voices_cli = click.Group("voices", help="The voices practices are read in.")


@voices_cli.command("seed")
@click.option("--no-previews", is_flag=True, help="Skip making the preview clips.")
def seed_voices(no_previews: bool) -> None:
    """Create the embedded voices and their preview clips (safe to run again)."""
    for voice in voices.seed(previews=not no_previews):
        click.echo(f"  {voice.name:<14} {voice.provider}:{voice.provider_voice_id}")


@rituals_cli.command("create")
@click.option("--user", "email", required=True, help="Email of the account to charge.")
@click.option("--type", "content_type", type=click.Choice(CONTENT_TYPES), default="guided_meditation")
@click.option("--minutes", type=click.IntRange(1, 60), default=10, show_default=True)
@click.option("--intent", required=True, help='What it is for, e.g. "letting go of a stressful workday".')
@click.option("--pace", type=click.Choice(PACES))
@click.option("--tone", type=click.Choice(TONES))
@click.option("--focus", type=click.Choice(FOCUSES))
@click.option("--time-of-day", type=click.Choice(["morning", "midday", "afternoon", "evening", "night"]))
@click.option("--voice", "voice_name", help="Voice name (default: the user's saved voice, else Joe).")
@click.option("--inline/--queue", default=None, help="Run the job here (default when no worker is listening).")
def create_ritual(
    email: str,
    content_type: str,
    minutes: int,
    intent: str,
    pace: str | None,
    tone: str | None,
    focus: str | None,
    time_of_day: str | None,
    voice_name: str | None,
    inline: bool | None,
) -> None:
    """Make a practice for a user (one credit), showing its progress."""
    try:
        user = accounts.get_by_email(email)
    except ServiceError as exc:
        raise click.ClickException(exc.message) from None
    spec = {"content_type": content_type, "intent": intent, "duration_minutes": minutes}
    spec.update({k: v for k, v in {"pace": pace, "tone": tone, "focus": focus}.items() if v})
    if time_of_day:
        spec["context"] = {"time_of_day": time_of_day}
    if voice_name:
        match = [v for v in voices.active_voices() if v.name.lower() == voice_name.lower()]
        if not match:
            names = ", ".join(v.name for v in voices.active_voices())
            raise click.ClickException(f"No voice called {voice_name!r}. Voices: {names}.")
        spec["voice_id"] = str(match[0].id)
    try:
        job = generation.request_generation(user, spec, source="cli")
    except ServiceError as exc:
        raise click.ClickException(exc.message) from None
    click.echo(f"Queued practice {job.content_item_id} (one credit charged to {user.email}).")
    queue = generation.generation_queue()
    if inline is None:
        inline = Worker.count(queue=queue) == 0
    if inline:
        from app.tasks.worker import build_worker

        click.echo("No worker is running, so the practice is made here.")
        build_worker(current_app._get_current_object(), queues=[queue.name]).work(burst=True)
    _follow(job.id)


def _follow(job_id: object) -> None:
    with click.progressbar(length=100, label="Making your practice", show_percent=True) as bar:
        shown = 0
        while True:
            db.session.expire_all()
            job = db.session.get(GenerationJob, job_id)
            bar.update(job.progress - shown)
            shown = job.progress
            if job.status in ("ready", "failed"):
                break
            time.sleep(0.5)
    if job.status == "failed":
        raise click.ClickException(f"It failed ({job.error}); the credit was returned.")
    item = db.session.get(ContentItem, job.content_item_id)
    audio = (item.meta or {}).get("audio", {})
    click.echo(f"Ready: “{item.title}”, {item.audio_duration / 60:.1f} min, {item.depth}, tags {', '.join(item.tags)}.")
    click.echo(
        f"Speech {audio.get('speech_wpm')} words/min, {audio.get('integrated_lufs')} LUFS, "
        f"true peak {audio.get('true_peak_dbfs')} dBFS, made in {audio.get('seconds_to_make')} s."
    )
    click.echo(f"Stored as {item.audio_url}")


@rituals_cli.command("make-beds")
def make_beds() -> None:
    """Regenerate the background sound loops in app/static/audio/beds/ (deterministic)."""
    from app.services import beds

    for path in beds.write_all():
        click.echo(f"  {path.name}  {path.stat().st_size // 1024} KB")


@rituals_cli.command("recover")
def recover() -> None:
    """Re-queue generations whose worker died (or fail and refund them after the last attempt)."""
    counts = generation.recover_stuck()
    click.echo(f"requeued {counts['requeued']}, failed {counts['failed']}, still waiting {counts['waiting']}")
