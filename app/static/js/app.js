// Small progressive enhancements; every page works without this file.
(function () {
  "use strict";
  // Move focus to new flash messages that htmx swaps in, so screen readers announce them.
  document.addEventListener("htmx:afterSwap", function (event) {
    var flash = event.target.querySelector && event.target.querySelector(".flash");
    if (flash) { flash.setAttribute("tabindex", "-1"); flash.focus(); }
  });
})();
