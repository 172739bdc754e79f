// Small progressive enhancements; every page works without this file.
(function () {
  "use strict";
  // Move focus to new flash messages that htmx swaps in, so screen readers announce them.
  function focusFlash(event) {
    var flash = event.target.querySelector && event.target.querySelector(".flash");
    if (flash) { flash.setAttribute("tabindex", "-1"); flash.focus(); }
  }
  document.addEventListener("htmx:afterSwap", focusFlash);
  document.addEventListener("htmx:oobAfterSwap", focusFlash);
  // Inside [data-swap-refusals] (the library), a refusal (402, 409, 422) is HTML saying why: show it.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    if ([402, 409, 422].indexOf(status) >= 0 && event.detail.elt.closest("[data-swap-refusals]")) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
})();

// Builder chat: turns go over the page's WebSocket while it is open (plain htmx posts otherwise);
// after each turn, clear and focus the message box and keep the newest message in view.
(function () {
  "use strict";
  var socket = null;

  function settle(focus) {
    var transcript = document.getElementById("transcript");
    if (transcript) { transcript.scrollTop = transcript.scrollHeight; }
    var box = document.getElementById("message");
    if (focus && box && !box.disabled) { box.value = ""; box.focus(); }
  }

  document.addEventListener("DOMContentLoaded", function () { settle(false); });
  document.addEventListener("htmx:wsOpen", function (event) { socket = event.detail.socketWrapper; });
  document.addEventListener("htmx:wsClose", function () { socket = null; });

  // A chat form's htmx post becomes a socket message carrying the same fields.
  document.addEventListener("htmx:configRequest", function (event) {
    var form = event.detail.elt;
    if (!socket || event.detail.verb !== "post" || !form.closest("[ws-connect]")) { return; }
    event.preventDefault();
    var message = Object.fromEntries(event.detail.formData);
    message.HEADERS = event.detail.headers;
    socket.send(JSON.stringify(message), form);
    if (form.id === "composer") { settle(true); }
  });

  document.addEventListener("htmx:wsAfterMessage", function () { settle(true); });
  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.target && event.target.id === "transcript") { settle(true); }
  });

  // The duration slider says what it is set to.
  document.addEventListener("input", function (event) {
    if (event.target.id !== "minutes") { return; }
    var out = document.getElementById("minutes-value");
    if (out) { out.textContent = event.target.value + " min"; }
    event.target.setAttribute("aria-valuetext", event.target.value + " minutes");
  });

  // Voice previews play in the page (without this script, the link opens the clip).
  var preview = null;
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[data-preview]");
    if (!link) { return; }
    event.preventDefault();
    var same = preview && preview.link === link && !preview.audio.paused;
    if (preview) { preview.audio.pause(); preview.link.textContent = "\u25B6 Hear"; }
    if (same) { preview = null; return; }
    preview = { link: link, audio: new Audio(link.href) };
    link.textContent = "\u25A0 Stop";
    preview.audio.addEventListener("ended", function () { link.textContent = "\u25B6 Hear"; });
    preview.audio.play().catch(function () { link.textContent = "\u25B6 Hear"; });
  });
})();
