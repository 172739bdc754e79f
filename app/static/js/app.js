// Small progressive enhancements; every page works without this file.
(function () {
  "use strict";
  // Move focus to new flash messages that htmx swaps in, so screen readers announce them.
  document.addEventListener("htmx:afterSwap", function (event) {
    var flash = event.target.querySelector && event.target.querySelector(".flash");
    if (flash) { flash.setAttribute("tabindex", "-1"); flash.focus(); }
  });
})();

// Builder chat: after each turn, clear the message box, keep the newest message in view.
(function () {
  "use strict";
  function settle() {
    var transcript = document.getElementById("transcript");
    if (transcript) { transcript.scrollTop = transcript.scrollHeight; }
  }
  document.addEventListener("DOMContentLoaded", settle);
  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.target && event.target.id === "transcript") {
      var box = document.getElementById("message");
      if (box) { box.value = ""; box.focus(); }
      settle();
    }
  });
})();
