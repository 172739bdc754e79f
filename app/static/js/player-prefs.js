// The listener's player settings, remembered in this browser between visits: speed, background
// sound (a name, or "none") and the voice and background volumes (percent). Where storage is not
// available (private browsing, blocked site data) the player works the same and remembers nothing.

const KEY = "waqup.player";

export function loadPrefs() {
  try {
    const value = JSON.parse(window.localStorage.getItem(KEY) || "{}");
    return value && typeof value === "object" && !Array.isArray(value) ? value : {};
  } catch (error) {
    return {};
  }
}

export function savePrefs(changes) {
  try {
    window.localStorage.setItem(KEY, JSON.stringify(Object.assign(loadPrefs(), changes)));
  } catch (error) { /* storage unavailable or full: not remembered */ }
}

// A remembered volume as a slider value (0-100), or null when there is none or it is not a number.
export function percent(value) {
  const n = Number(value);
  return value === undefined || value === null || value === "" || !isFinite(n) ? null : Math.max(0, Math.min(100, n));
}
