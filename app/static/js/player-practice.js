// Practice events from the player: a start when playback first starts, progress every 15 s and on
// pause, a completion at the end (then the "How do you feel?" check, sent with a second completion),
// and a beacon when the page is left. Reports go to the page's same-origin endpoint: JSON with the
// X-CSRFToken header through fetch, or a form body with csrf_token through navigator.sendBeacon.

const PROGRESS_EVERY_MS = 15000;

function uuid4() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
}

export function createReporter(root, voice, { duration, onEnded }) {
  const url = root.dataset.eventsUrl;
  const token = root.dataset.csrfToken;
  const ritualId = root.dataset.itemId;
  let eventId = null;
  let completed = false;
  let listened = 0;
  let since = null; // performance.now() while playing
  let ticker = null;
  let finished = Promise.resolve(null); // the completion's answer (with the updated summary)

  function count() {
    if (since === null) return;
    const now = performance.now();
    listened += (now - since) / 1000;
    since = now;
  }

  function fields(kind, extra) {
    const position = kind === "complete" ? duration() : voice.currentTime;
    return Object.assign(
      { event_id: eventId, ritual_id: ritualId, kind: kind,
        position: position.toFixed(1), listened_seconds: listened.toFixed(1) },
      extra || {});
  }

  function send(kind, extra) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      keepalive: true,
      headers: { "Content-Type": "application/json", "X-CSRFToken": token },
      body: JSON.stringify(fields(kind, extra)),
    }).then((response) => (response.ok ? response.json() : null)).catch(() => null);
  }

  function beacon() {
    if (!eventId || completed) return;
    count();
    const body = new URLSearchParams(fields("progress"));
    body.set("csrf_token", token);
    navigator.sendBeacon(url, body);
  }

  voice.addEventListener("playing", () => {
    if (!eventId || completed) {
      eventId = uuid4();
      completed = false;
      listened = 0;
      send("start");
    }
    if (since === null) since = performance.now();
    clearInterval(ticker);
    ticker = setInterval(() => { count(); send("progress"); }, PROGRESS_EVERY_MS);
  });

  voice.addEventListener("pause", () => {
    count();
    since = null;
    clearInterval(ticker);
    if (eventId && !completed && !voice.ended) send("progress");
  });

  voice.addEventListener("ended", () => {
    completed = true;
    finished = send("complete");
    onEnded();
  });

  window.addEventListener("pagehide", beacon);
  document.addEventListener("visibilitychange", () => { if (document.visibilityState === "hidden") beacon(); });

  // The feeling check belongs to the completed event: the same event id, kind complete.
  return {
    feel: (feeling, note) => send("complete", note ? { feeling: feeling, note: note } : { feeling: feeling }),
    finished: () => finished,
  };
}

export function createFeelingCheck(page, reporter) {
  const card = page.querySelector("[data-feeling]");
  const form = card.querySelector("[data-feeling-form]");
  const buttons = Array.from(card.querySelectorAll("[data-feeling-value]"));
  const error = card.querySelector("[data-feeling-error]");
  const note = card.querySelector("textarea");
  const thanks = page.querySelector("[data-thanks]");
  const streak = thanks.querySelector("[data-streak]");
  let chosen = null;

  function thank(outcome) {
    const days = outcome && outcome.summary ? outcome.summary.current_streak : 0;
    streak.textContent = days ? "Your streak: " + days + (days === 1 ? " day." : " days in a row.") : "";
    card.hidden = true;
    thanks.hidden = false;
    thanks.querySelector("h2").focus();
  }

  buttons.forEach((button) => button.addEventListener("click", () => {
    chosen = Number(button.dataset.feelingValue);
    buttons.forEach((b) => b.setAttribute("aria-pressed", String(b === button)));
    error.hidden = true;
  }));

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (!chosen) {
      error.hidden = false;
      buttons[0].focus();
      return;
    }
    form.querySelector('[type="submit"]').disabled = true;
    reporter.feel(chosen, note.value.trim()).then(thank);
  });
  card.querySelector('[data-action="skip-feeling"]').addEventListener("click", () => reporter.finished().then(thank));

  return {
    open() {
      chosen = null;
      buttons.forEach((b) => b.setAttribute("aria-pressed", "false"));
      note.value = "";
      form.querySelector('[type="submit"]').disabled = false;
      thanks.hidden = true;
      card.hidden = false;
      card.querySelector("h2").focus();
    },
    close() { card.hidden = true; thanks.hidden = true; },
  };
}
