// The background bed: one loop played by two <audio> elements in turn, each pass crossfading into
// the next over its last seconds, so the wrap has no gap (an element's own `loop` leaves a few
// milliseconds of silence there). Where a page cannot set an element's volume (iOS), a crossfade
// is impossible and one element loops on its own. Each bed comes as Ogg Vorbis and as MP3: the
// first format the browser says it can play is used.

const CROSSFADE_SECONDS = 2;
const TICK_MS = 50;
const TYPES = { ogg: 'audio/ogg; codecs="vorbis"', mp3: "audio/mpeg" };

function volumeIsSettable() {
  const probe = document.createElement("audio");
  probe.volume = 0.5;
  return probe.volume === 0.5;
}

// A bed button's files (data-src-<format>) that this browser says it can play, best first.
function playableSources(button, element) {
  return Object.keys(TYPES)
    .filter((ext) => button.hasAttribute("data-src-" + ext) && element.canPlayType(TYPES[ext]) !== "")
    .map((ext) => button.getAttribute("data-src-" + ext));
}

export function createBed(first, second) {
  const players = [first, second];
  const canFade = volumeIsSettable();
  let active = 0; // the element carrying the loop
  let fading = false; // whether the other element is fading in
  let level = 1; // the volume the sound settings ask for
  let sources = []; // the chosen bed's playable files not tried yet; sources[0] is in use
  let loaded = false; // whether a bed (not "none") is chosen
  let playing = false;
  let warmed = false; // whether the second element is loading ahead of its turn
  let ticker = null;

  const outgoing = () => players[active];
  const incoming = () => players[1 - active];

  // How far the crossfade has got (0..1), from the outgoing element's own position, so it cannot drift.
  function progress() {
    const el = outgoing();
    const length = el.duration;
    if (!fading || !isFinite(length)) return 0;
    const start = length - CROSSFADE_SECONDS;
    if (el.ended || el.currentTime < start) return 1; // it has ended, or wrapped on its own
    return Math.min(1, (el.currentTime - start) / CROSSFADE_SECONDS);
  }

  function setVolumes() {
    const x = progress();
    outgoing().volume = Math.max(0, Math.min(1, level * Math.cos((x * Math.PI) / 2))); // equal power
    incoming().volume = fading ? Math.max(0, Math.min(1, level * Math.sin((x * Math.PI) / 2))) : 0;
  }

  function tick() {
    const el = outgoing();
    const length = el.duration;
    if (!fading && isFinite(length) && length > 4 * CROSSFADE_SECONDS
        && el.currentTime >= length - CROSSFADE_SECONDS && incoming().readyState >= 2) {
      const next = incoming();
      fading = true;
      next.currentTime = 0;
      next.play().catch(() => { if (next === incoming()) fading = false; }); // then this one wraps on its own
    }
    if (fading && progress() >= 1) {
      el.pause();
      active = 1 - active;
      fading = false;
    }
    setVolumes();
  }

  function play() {
    playing = true;
    if (!loaded) return;
    outgoing().play().catch(() => {});
    if (fading) incoming().play().catch(() => {});
    if (!canFade) return;
    if (!warmed) {
      // Nothing is fetched before the listener plays; then the next pass loads ahead, started
      // silently alongside this one so that browsers allow it to play on its own later.
      warmed = true;
      const next = incoming();
      next.preload = "auto";
      next.volume = 0;
      next.play().then(() => { if (!fading && next === incoming()) next.pause(); }).catch(() => {});
    }
    if (ticker === null) ticker = setInterval(tick, TICK_MS);
    setVolumes();
  }

  function pause() {
    playing = false;
    clearInterval(ticker);
    ticker = null;
    players.forEach((el) => { if (!el.paused) el.pause(); });
  }

  // Both elements get the same file (or none); nothing starts playing unless it was playing.
  function load(src) {
    const resume = playing;
    pause();
    active = 0;
    fading = false;
    warmed = false;
    loaded = Boolean(src);
    players.forEach((el) => {
      el.preload = "none";
      if (src) el.src = src;
      else el.removeAttribute("src");
      el.load();
    });
    setVolumes();
    if (resume) play();
  }

  // A browser may say it can play a format and then fail to decode it: the next format takes over.
  players.forEach((el) => el.addEventListener("error", () => {
    if (!loaded || el.getAttribute("src") !== sources[0] || sources.length < 2) return;
    sources.shift();
    load(sources[0]);
  }));

  return {
    // A bed button's sound, or none (no button).
    choose(button) {
      sources = button ? playableSources(button, first) : [];
      playing = false;
      load(sources[0] || null);
    },
    play,
    pause,
    setLevel(value) { level = value; setVolumes(); },
    setMuted(muted) { players.forEach((el) => { el.muted = muted; }); },
  };
}
