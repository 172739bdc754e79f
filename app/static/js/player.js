// The player page: custom controls over the native <audio> element, which plays on its own
// (with its own controls) when this script does not run. No autoplay: playback starts on a click,
// a key or a lock-screen control. The chosen speed is remembered in this browser (player-prefs.js).
import { clock, createSound } from "./player-sound.js";
import { createFeelingCheck, createReporter } from "./player-practice.js";
import { loadPrefs, savePrefs } from "./player-prefs.js";

const SKIP_SECONDS = 15;
const RESUME_AT_LEAST = 5; // a resume point closer to the start is not worth offering
const RESUME_BEFORE_END = 15; // the service resets positions this close to the end

function spoken(seconds) {
  const s = Math.max(0, Math.round(seconds || 0));
  const m = Math.floor(s / 60);
  const parts = [];
  if (m) parts.push(m + " min");
  if (s % 60 || !m) parts.push((s % 60) + " s");
  return parts.join(" ");
}

function start(root) {
  const voice = root.querySelector("#voice");
  const beds = [root.querySelector("#bed"), root.querySelector("#bed-next")];
  const seek = root.querySelector("#seek");
  const toggleButton = root.querySelector('[data-action="toggle"]');
  const currentText = root.querySelector("[data-current]");
  const totalText = root.querySelector("[data-total]");
  const status = root.querySelector("[data-status]");
  const offer = root.querySelector("[data-resume-offer]");
  const speedButtons = Array.from(root.querySelectorAll("[data-speed]"));
  const sections = Array.from(document.querySelectorAll("[data-sections] .section"));
  const state = {
    duration: Number(root.dataset.duration),
    expiresAt: Date.parse(root.dataset.expiresAt),
    pending: null, // a position to go to once the audio's metadata has loaded
    dragging: false,
    recovering: false,
    intent: false, // whether the listener wants it playing (kept through a load error)
    current: null, // the highlighted section
  };
  const duration = () => (isFinite(voice.duration) ? voice.duration : state.duration);
  const announce = (message) => { status.textContent = message; };

  // Progressive enhancement: the custom controls replace the native ones.
  document.querySelectorAll("[data-enhanced]").forEach((el) => { el.hidden = false; });
  document.querySelectorAll("[data-plain]").forEach((el) => { el.hidden = true; });
  voice.controls = false;

  const sound = createSound(root, voice, beds, { duration, announce });
  const reporter = createReporter(root, voice, { duration, onEnded: () => feeling.open() });
  const feeling = createFeelingCheck(document, reporter);

  function position() {
    return state.pending !== null ? state.pending : voice.currentTime;
  }

  function seekTo(seconds) {
    const target = Math.max(0, Math.min(seconds, duration() - 0.25));
    if (voice.readyState >= 1) voice.currentTime = target;
    else state.pending = target;
    showTime(target);
  }

  // A signed URL lasts minutes: fetch a fresh one (on load, before playing an expired one, after an error).
  function refresh() {
    return fetch(root.dataset.playUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then((response) => (response.ok ? response.json() : Promise.reject(response.status)))
      .then((track) => {
        const at = position();
        state.expiresAt = Date.parse(track.expires_at);
        state.duration = track.duration;
        voice.preload = "metadata";
        voice.src = track.audio_url;
        state.pending = at;
        return track;
      });
  }

  function play() {
    offer.hidden = true;
    const ready = Date.now() > state.expiresAt - 5000 ? refresh() : Promise.resolve();
    return ready.then(() => voice.play()).catch(() => announce("The recording could not be played. Please try again."));
  }

  function toggle() {
    if (voice.paused) play();
    else voice.pause();
  }

  function showTime(seconds) {
    const total = duration();
    currentText.textContent = clock(seconds);
    totalText.textContent = clock(Math.round(total)); // decoders may make 60 s of audio 59.98 s
    if (!state.dragging) seek.value = String(seconds);
    seek.max = String(total);
    seek.setAttribute("aria-valuetext", spoken(seconds) + " of " + spoken(total));
    highlight(seconds);
  }

  function highlight(seconds) {
    const current = sections.filter((li) => Number(li.dataset.start) <= seconds + 0.05).pop() || null;
    if (current === state.current) return;
    if (state.current) { state.current.classList.remove("is-current"); state.current.removeAttribute("aria-current"); }
    state.current = current;
    if (!current) return;
    current.classList.add("is-current");
    current.setAttribute("aria-current", "true");
    const list = current.parentElement;
    if (list.scrollHeight > list.clientHeight) list.scrollTop = current.offsetTop - 16; // the list is positioned
  }

  function showPlaying() {
    const playing = !voice.paused;
    toggleButton.setAttribute("aria-label", playing ? "Pause" : "Play");
    toggleButton.classList.toggle("is-playing", playing);
    if ("mediaSession" in navigator) navigator.mediaSession.playbackState = playing ? "playing" : "paused";
  }

  function setSpeed(button) {
    voice.playbackRate = voice.defaultPlaybackRate = Number(button.dataset.speed); // a new URL keeps the speed
    speedButtons.forEach((b) => b.setAttribute("aria-pressed", String(b === button)));
  }

  function offerResume(seconds) {
    const resumable = seconds >= RESUME_AT_LEAST && seconds < duration() - RESUME_BEFORE_END;
    offer.hidden = !resumable;
    if (!resumable) return;
    offer.querySelectorAll("[data-resume-time]").forEach((el) => { el.textContent = clock(seconds); });
    seekTo(seconds);
  }

  // Buttons.
  root.addEventListener("click", (event) => {
    const button = event.target.closest("[data-action], [data-speed]");
    if (!button) return;
    const action = button.dataset.action;
    if (button.dataset.speed) {
      setSpeed(button);
      savePrefs({ speed: Number(button.dataset.speed) });
    } else if (action === "toggle") toggle();
    else if (action === "back") seekTo(position() - SKIP_SECONDS);
    else if (action === "forward") seekTo(position() + SKIP_SECONDS);
    else if (action === "resume") play();
  });
  document.querySelectorAll('[data-action="restart"]').forEach((button) => button.addEventListener("click", () => {
    feeling.close();
    seekTo(0);
    play();
  }));

  // The transcript: a click on a section plays from its start.
  sections.forEach((li) => li.addEventListener("click", (event) => {
    if (event.target.closest("a")) return;
    seekTo(Number(li.dataset.start));
    play();
  }));

  // Seek bar: follow the thumb while dragging, go there when it is let go (or moved by keys).
  seek.addEventListener("input", () => {
    state.dragging = true;
    showTime(Number(seek.value));
  });
  seek.addEventListener("change", () => {
    state.dragging = false;
    seekTo(Number(seek.value));
  });

  // The audio element.
  voice.addEventListener("loadedmetadata", () => {
    if (state.pending !== null) { voice.currentTime = state.pending; state.pending = null; }
    showTime(voice.currentTime);
    updatePositionState();
  });
  voice.addEventListener("timeupdate", () => showTime(voice.currentTime));
  voice.addEventListener("play", () => { state.intent = true; showPlaying(); });
  voice.addEventListener("pause", () => { if (!voice.error) state.intent = false; showPlaying(); });
  voice.addEventListener("ratechange", updatePositionState);
  voice.addEventListener("seeked", updatePositionState);
  voice.addEventListener("error", () => {
    // Most often an expired signed URL: fetch a fresh one and carry on from the same place.
    if (state.recovering) { announce("The recording could not be loaded. Please reload the page."); return; }
    state.recovering = true;
    const wasPlaying = state.intent;
    refresh()
      .then(() => (wasPlaying ? voice.play() : null))
      .catch(() => announce("The recording could not be loaded. Please reload the page."))
      .finally(() => setTimeout(() => { state.recovering = false; }, 10000));
  });

  // Keyboard shortcuts (not while typing, and not for keys a focused control uses itself).
  document.addEventListener("keydown", (event) => {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    const el = event.target;
    const tag = el.tagName;
    if (tag === "TEXTAREA" || tag === "SELECT" || el.isContentEditable) return;
    if (tag === "INPUT" && el.type !== "range") return;
    const key = event.key.toLowerCase();
    if (key === " " && (tag === "BUTTON" || tag === "A" || tag === "SUMMARY")) return;
    if ((key === "arrowleft" || key === "arrowright") && tag === "INPUT") return;
    if (key === " " || key === "k") toggle();
    else if (key === "j" || key === "arrowleft") seekTo(position() - SKIP_SECONDS);
    else if (key === "l" || key === "arrowright") seekTo(position() + SKIP_SECONDS);
    else if (key === "m") sound.toggleMute();
    else return;
    event.preventDefault();
  });

  // Lock screens and media keys.
  function updatePositionState() {
    if (!("mediaSession" in navigator) || !navigator.mediaSession.setPositionState || !isFinite(voice.duration)) return;
    try {
      navigator.mediaSession.setPositionState({
        duration: voice.duration, playbackRate: voice.playbackRate, position: Math.min(voice.currentTime, voice.duration),
      });
    } catch (error) { /* an out-of-range state is simply not shown */ }
  }

  if ("mediaSession" in navigator) {
    const data = root.dataset;
    navigator.mediaSession.metadata = new MediaMetadata({
      title: data.title,
      artist: "waQup",
      album: data.kind,
      artwork: [
        { src: data.artworkPng, sizes: "512x512", type: "image/png" },
        { src: data.artworkSvg, sizes: "any", type: "image/svg+xml" },
      ],
    });
    const handlers = {
      play: play,
      pause: () => voice.pause(),
      seekbackward: (d) => seekTo(position() - (d.seekOffset || SKIP_SECONDS)),
      seekforward: (d) => seekTo(position() + (d.seekOffset || SKIP_SECONDS)),
      seekto: (d) => seekTo(d.seekTime),
    };
    Object.keys(handlers).forEach((action) => {
      try { navigator.mediaSession.setActionHandler(action, handlers[action]); } catch (error) { /* not supported here */ }
    });
  }

  const rememberedSpeed = speedButtons.find((b) => Number(b.dataset.speed) === Number(loadPrefs().speed));
  if (rememberedSpeed) setSpeed(rememberedSpeed);
  showTime(0);
  showPlaying();
  refresh()
    .then((track) => offerResume(track.resume_position))
    .catch(() => {
      voice.preload = "metadata"; // keep the page's own URL
      offerResume(Number(root.dataset.resume));
    });
}

const root = document.getElementById("player");
if (root) start(root);
