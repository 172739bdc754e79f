// The player's sound levels: voice volume and mute, the looping background bed (its own volume,
// faded out over the track's last seconds) and the sleep timer (fades everything out, then pauses).
// The volumes and the bed are remembered in this browser; the practice's own bed is used until the
// listener chooses one (none included).
import { createBed } from "./player-bed.js";
import { loadPrefs, percent, savePrefs } from "./player-prefs.js";

export const FADE_SECONDS = 10;

export function clock(seconds) {
  const s = Math.max(0, Math.floor(seconds || 0));
  return Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0");
}

function press(buttons, chosen) {
  buttons.forEach((b) => b.setAttribute("aria-pressed", String(b === chosen)));
}

function percentText(input) {
  input.setAttribute("aria-valuetext", input.value + " %");
  return Number(input.value) / 100;
}

export function createSound(root, voice, bedElements, { duration, announce }) {
  const bed = createBed(...bedElements);
  const prefs = loadPrefs();
  const voiceSlider = root.querySelector("#voice-volume");
  const bedSlider = root.querySelector("#bed-volume");
  const muteButton = root.querySelector('[data-action="mute"]');
  const bedButtons = Array.from(root.querySelectorAll("[data-bed]"));
  const sleepButtons = Array.from(root.querySelectorAll("[data-sleep]"));
  const sleepLeftText = root.querySelector("[data-sleep-left]");
  if (percent(prefs.voiceVolume) !== null) voiceSlider.value = String(percent(prefs.voiceVolume));
  if (percent(prefs.bedVolume) !== null) bedSlider.value = String(percent(prefs.bedVolume));
  let voiceLevel = percentText(voiceSlider);
  let bedLevel = percentText(bedSlider);
  let bedName = "none";
  let sleep = null; // { until: ms timestamp } or { atEnd: true }
  let sleepTimer = null;

  function trackLeft() {
    return Math.max(0, (voice.duration || duration()) - voice.currentTime);
  }

  function sleepLeft() {
    if (!sleep) return Infinity;
    return sleep.atEnd ? trackLeft() : Math.max(0, (sleep.until - Date.now()) / 1000);
  }

  // Every level is computed from the settings here, so fades never drift.
  function apply() {
    const sleepFade = Math.min(1, sleepLeft() / FADE_SECONDS);
    const endFade = Math.min(1, trackLeft() / FADE_SECONDS);
    voice.volume = Math.max(0, Math.min(1, voiceLevel * sleepFade));
    bed.setLevel(Math.max(0, Math.min(1, bedLevel * endFade * sleepFade)));
  }

  function syncBed() {
    if (bedName !== "none" && !voice.paused && !voice.ended) bed.play();
    else bed.pause();
  }

  function chooseBed(name) {
    const button = bedButtons.find((b) => b.dataset.bed === name) || bedButtons[0];
    bedName = button.dataset.bed;
    press(bedButtons, button);
    bed.choose(bedName === "none" ? null : button);
    apply();
    syncBed();
  }

  function setMuted(muted) {
    voice.muted = muted;
    bed.setMuted(muted);
    muteButton.setAttribute("aria-pressed", String(muted));
  }

  function stopSleep(message) {
    clearInterval(sleepTimer);
    sleepTimer = null;
    sleep = null;
    sleepLeftText.textContent = "";
    press(sleepButtons, sleepButtons[0]);
    apply();
    if (message) announce(message);
  }

  function sleepTick() {
    if (!sleep) return;
    apply();
    if (sleep.atEnd) return;
    const left = sleepLeft();
    if (left <= 0) {
      voice.pause();
      stopSleep("The sleep timer paused the practice.");
    } else {
      sleepLeftText.textContent = "Stops in " + clock(left);
    }
  }

  function chooseSleep(button) {
    press(sleepButtons, button);
    clearInterval(sleepTimer);
    const value = button.dataset.sleep;
    if (value === "off") {
      stopSleep("Sleep timer off.");
      return;
    }
    sleep = value === "end" ? { atEnd: true } : { until: Date.now() + Number(value) * 60000 };
    sleepTimer = setInterval(sleepTick, 1000);
    sleepLeftText.textContent = value === "end" ? "Fades out at the end" : "Stops in " + clock(Number(value) * 60);
    announce(value === "end" ? "Sleep timer: fades out at the end of the track." : "Sleep timer: stops in " + value + " min.");
    apply();
  }

  voiceSlider.addEventListener("input", () => {
    voiceLevel = percentText(voiceSlider);
    apply();
    savePrefs({ voiceVolume: Number(voiceSlider.value) });
  });
  bedSlider.addEventListener("input", () => {
    bedLevel = percentText(bedSlider);
    apply();
    savePrefs({ bedVolume: Number(bedSlider.value) });
  });
  muteButton.addEventListener("click", () => setMuted(!voice.muted));
  bedButtons.forEach((b) => b.addEventListener("click", () => {
    chooseBed(b.dataset.bed);
    savePrefs({ bed: bedName });
  }));
  sleepButtons.forEach((b) => b.addEventListener("click", () => chooseSleep(b)));
  voice.addEventListener("play", syncBed);
  voice.addEventListener("pause", syncBed);
  voice.addEventListener("timeupdate", apply);
  voice.addEventListener("ended", () => { if (sleep && sleep.atEnd) stopSleep("The practice has ended; sleep timer off."); });

  const remembered = bedButtons.some((b) => b.dataset.bed === prefs.bed) ? prefs.bed : null;
  chooseBed(remembered || root.dataset.background);
  apply();
  return { toggleMute: () => setMuted(!voice.muted), chooseBed };
}
