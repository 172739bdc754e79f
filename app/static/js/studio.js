// Studio: after a practice moves up or down in place (htmx), keep focus on the button that moved it,
// or on its other arrow when that one is now disabled (the practice reached the top or the bottom).
(function () {
  "use strict";
  var lastId = null;
  document.addEventListener("htmx:beforeRequest", function (event) {
    var active = document.activeElement;
    lastId = active && active.id && active.id.indexOf("move-") === 0 ? active.id : null;
    if (!lastId && event.detail.elt) {
      var button = event.detail.elt.querySelector && event.detail.elt.querySelector("button[id^='move-']");
      lastId = button ? button.id : null;
    }
  });
  document.addEventListener("htmx:afterSettle", function () {
    var id = lastId;
    lastId = null;
    if (!id) { return; }
    var target = document.getElementById(id);
    if (target && target.disabled) {  // at the top or bottom now: the same practice's other arrow
      var other = id.indexOf("move-up-") === 0 ? id.replace("move-up-", "move-down-") : id.replace("move-down-", "move-up-");
      target = document.getElementById(other);
    }
    if (target && !target.disabled) { target.focus(); return; }
    var heading = document.getElementById("practices-title");
    if (heading) { heading.setAttribute("tabindex", "-1"); heading.focus(); }
  });
})();
