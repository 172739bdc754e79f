"""Background sound beds: seamless loops made procedurally, once, and kept as static files.

Each bed is written twice, as Ogg Vorbis and as MP3 (for browsers without Ogg, such as Safari on
iOS). The MP3 carries the encoder's LAME header (delay and padding), so a decoder that reads it, as
browsers and libsndfile do, gives back exactly the loop's samples: the same length as the Ogg, with
no priming silence at the start or padding at the end to break the seam.

The player plays the bed under the voice with its own volume; "download with background" mixes
it at least 15 dB under the voice (BED_UNDER_VOICE_DB).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import soundfile as sf

from app.services.practice_spec import PracticeSpec

RATE = 22050
LOOP_SECONDS = 60
BED_UNDER_VOICE_DB = 18.0
BEDS = {
    "rain": "Soft rain",
    "ocean": "Ocean swell",
    "drone": "Low drone",
    "forest": "Forest air",
}
STATIC_DIR = Path(__file__).resolve().parent.parent / "static" / "audio" / "beds"
FORMATS = ("ogg", "mp3")  # file extensions, in the order the player offers them
MP3_QUALITY = 0.5  # LAME VBR (libsndfile's compression level, 0 best): 12-59 kbit/s for these mono loops
CHUNK = 65536  # frames per write: one large write has crashed libsndfile's encoders


def bed_path(name: str, ext: str = "ogg") -> Path:
    return STATIC_DIR / f"{name}.{ext}"


def choose_bed(spec: PracticeSpec) -> str:
    """A bed that suits the practice (users can change it, or choose none, in the player)."""
    if spec.is_sleep:
        return "ocean"
    if spec.tone == "grounding" or spec.focus == "body_scan":
        return "drone"
    if spec.tone == "energising" or spec.context.get("time_of_day") == "morning":
        return "forest"
    return "rain"


def _noise(rng: np.random.Generator, n: int) -> np.ndarray:
    return rng.standard_normal(n).astype(np.float64)


def _band(signal: np.ndarray, low: float | None, high: float | None, order: int = 4) -> np.ndarray:
    from scipy.signal import butter, sosfilt  # only the bed maker needs scipy.signal, which is heavy to import

    if low and high:
        sos = butter(order, [low, high], btype="bandpass", fs=RATE, output="sos")
    elif low:
        sos = butter(order, low, btype="highpass", fs=RATE, output="sos")
    else:
        sos = butter(order, high, btype="lowpass", fs=RATE, output="sos")
    return sosfilt(sos, signal)


def _rain(rng: np.random.Generator, n: int) -> np.ndarray:
    hiss = _band(_noise(rng, n), 800, 6000) * 0.5
    drops = np.zeros(n)
    for start in rng.integers(0, n - 400, size=LOOP_SECONDS * 25):
        length = int(rng.integers(60, 300))
        drops[start : start + length] += rng.uniform(0.2, 1.0) * np.exp(-np.arange(length) / (length / 5))
    return hiss + _band(drops * _noise(rng, n), 1500, 8000) * 0.6


def _ocean(rng: np.random.Generator, n: int) -> np.ndarray:
    t = np.arange(n) / RATE
    swell = 0.55 + 0.45 * np.sin(2 * np.pi * t / 10.0) ** 2  # a wave every ~10 s (6 per loop)
    return _band(_noise(rng, n), None, 700) * swell + _band(_noise(rng, n), 1200, 4000) * 0.08 * swell**3


def _drone(rng: np.random.Generator, n: int) -> np.ndarray:
    t = np.arange(n) / RATE
    tone = np.zeros(n)
    # frequencies whose cycles fit the loop exactly, so it repeats without a seam
    for freq, amp in [(55.0, 1.0), (82.5, 0.6), (110.0, 0.45), (165.0, 0.2)]:
        wobble = 1 + 0.15 * np.sin(2 * np.pi * t / 12.0 + freq)
        tone += amp * wobble * np.sin(2 * np.pi * freq * t)
    return tone + _band(_noise(rng, n), None, 300) * 0.15


def _forest(rng: np.random.Generator, n: int) -> np.ndarray:
    air = _band(_noise(rng, n), 300, 3000) * 0.35
    chirps = np.zeros(n)
    for start in rng.integers(0, n - RATE, size=LOOP_SECONDS // 3):
        length = int(rng.integers(RATE // 12, RATE // 5))
        t = np.arange(length) / RATE
        freq = rng.uniform(2500, 4500)
        sweep = np.sin(2 * np.pi * (freq * t + rng.uniform(-800, 800) * t**2))
        chirps[start : start + length] += 0.25 * sweep * np.sin(np.pi * np.arange(length) / length) ** 2
    return air + chirps


GENERATORS = {"rain": _rain, "ocean": _ocean, "drone": _drone, "forest": _forest}


def make_loop(name: str, seed: int = 7) -> np.ndarray:
    """A loop whose end flows into its start: the last two seconds are crossfaded over the first."""
    rng = np.random.default_rng(seed)
    fade = 2 * RATE
    n = LOOP_SECONDS * RATE
    raw = GENERATORS[name](rng, n + fade)
    ramp = np.linspace(0.0, 1.0, fade)
    loop = raw[:n].copy()
    loop[:fade] = raw[:fade] * ramp + raw[n : n + fade] * (1 - ramp)
    rms = np.sqrt(np.mean(loop**2))
    return (loop / rms * 10 ** (-24 / 20)).clip(-0.9, 0.9).astype(np.float32)  # about -24 dBFS RMS


def write_all(directory: Path = STATIC_DIR) -> list[Path]:
    """Every bed as Ogg Vorbis and as MP3 (mono, RATE), the same loop in both."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for name in BEDS:
        loop = make_loop(name)
        ogg = directory / f"{name}.ogg"
        with sf.SoundFile(ogg, "w", samplerate=RATE, channels=1, format="OGG", subtype="VORBIS") as out:
            _write_chunked(out, loop)
        mp3 = directory / f"{name}.mp3"
        with sf.SoundFile(
            mp3,
            "w",
            samplerate=RATE,
            channels=1,
            format="MP3",
            subtype="MPEG_LAYER_III",
            bitrate_mode="VARIABLE",
            compression_level=MP3_QUALITY,
        ) as out:
            _write_chunked(out, loop)
        paths += [ogg, mp3]
    return paths


def _write_chunked(out: sf.SoundFile, samples: np.ndarray) -> None:
    for start in range(0, len(samples), CHUNK):
        out.write(samples[start : start + CHUNK])


def mix_under(voice_path: Path, bed: str, out_path: Path, *, under_db: float = BED_UNDER_VOICE_DB) -> None:
    """The practice with its bed looped underneath, `under_db` below the voice, fading out at the end."""
    voice, rate = sf.read(voice_path, dtype="float32")  # one read: see audio.measure
    loop, loop_rate = sf.read(bed_path(bed), dtype="float32")
    if loop_rate != rate:
        raise ValueError("bed and voice sample rates differ")
    speech_rms = _active_rms(voice)
    bed_gain = speech_rms * 10 ** (-under_db / 20) / max(float(np.sqrt(np.mean(loop**2))), 1e-9)
    reps = int(np.ceil(len(voice) / len(loop)))
    under = np.tile(loop, reps)[: len(voice)] * bed_gain
    fade = min(len(under), 5 * rate)
    under[-fade:] *= np.linspace(1.0, 0.0, fade)
    under[: rate * 2] *= np.linspace(0.0, 1.0, min(len(under), rate * 2))
    mixed = np.clip(voice + under, -0.99, 0.99)
    with sf.SoundFile(out_path, "w", samplerate=rate, channels=1, format="MP3", subtype="MPEG_LAYER_III") as out:
        _write_chunked(out, mixed)


def _active_rms(samples: np.ndarray) -> float:
    """RMS of the voiced parts only (silence would make the voice look quieter than it is)."""
    frames = samples[: len(samples) // 1024 * 1024].reshape(-1, 1024)
    energy = np.sqrt(np.mean(frames**2, axis=1))
    active = energy[energy > 10 ** (-45 / 20)]
    return float(np.sqrt(np.mean(active**2))) if active.size else 1e-4
