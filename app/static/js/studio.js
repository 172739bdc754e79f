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

// Studio: drag a practice by its handle to a new place in the pack (mouse: HTML5 drag and drop; touch
// and pen: pointer events; keyboard: the arrow keys on the handle). Dropped on a row, a practice takes
// that row's place; the new order is saved at once and announced. If the save is refused, the list
// shows the order the server has again. Only lists with data-order-url (not a pack in review) take part.
(function () {
  "use strict";
  document.documentElement.classList.add("js-reorder");
  var drag = null;  // {row, list, target, after} while a practice is being dragged
  var pointer = null;  // the touch or pen pointer dragging it
  var busy = false;  // an order is being saved

  function currentList() {
    var list = document.getElementById("practice-list");
    return list && list.dataset.orderUrl ? list : null;
  }
  function rows(list) {
    return Array.prototype.filter.call(list.children, function (child) { return child.classList.contains("practice-row"); });
  }
  function ids(list) { return rows(list).map(function (row) { return row.dataset.id; }); }
  function rowOf(node) {
    var element = node && node.nodeType === 1 ? node : node && node.parentElement;
    return element && element.closest ? element.closest(".practice-row") : null;
  }
  function handleOf(node) {
    var element = node && node.nodeType === 1 ? node : node && node.parentElement;
    return element && element.closest ? element.closest(".drag-handle") : null;
  }
  function say(text, failed) {
    var region = document.getElementById("reorder-status");
    if (!region) { return; }
    region.textContent = text;
    region.classList.toggle("is-error", Boolean(failed));
  }
  function csrfToken() {
    try { return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || ""; } catch (e) { return ""; }
  }

  // Numbers and the ↑/↓ buttons' disabled state follow the new order.
  function renumber(list) {
    var all = rows(list);
    all.forEach(function (row, n) {
      var number = row.querySelector(".practice-number");
      var up = row.querySelector("button[id^='move-up-']");
      var down = row.querySelector("button[id^='move-down-']");
      if (number) { number.textContent = (n + 1) + "."; }
      if (up) { up.disabled = n === 0; }
      if (down) { down.disabled = n === all.length - 1; }
    });
  }

  function start(row) {
    var list = currentList();
    if (busy || drag || !list || row.parentNode !== list) { return false; }
    drag = { row: row, list: list, target: null, after: false };
    row.classList.add("is-dragging");
    say("");
    return true;
  }

  // Mark where the dragged practice would land: in `target`'s place (after it when coming from above).
  function aim(target) {
    if (!drag) { return; }
    rows(drag.list).forEach(function (row) { row.classList.remove("drop-before", "drop-after"); });
    drag.target = null;
    if (!target || target === drag.row || target.parentNode !== drag.list) { return; }
    var all = rows(drag.list);
    drag.after = all.indexOf(drag.row) < all.indexOf(target);
    drag.target = target;
    target.classList.add(drag.after ? "drop-after" : "drop-before");
  }

  function finish(drop) {
    if (!drag) { return; }
    var done = drag;
    drag = null;
    rows(done.list).forEach(function (row) { row.classList.remove("is-dragging", "drop-before", "drop-after"); });
    if (drop && done.target) { move(done.list, done.row, done.target, done.after); }
  }

  function move(list, row, target, after) {
    var before = ids(list);
    list.insertBefore(row, after ? target.nextElementSibling : target);
    renumber(list);
    save(list, row, before);
  }

  function refusal(html) {
    var page = new DOMParser().parseFromString(html, "text/html");
    var error = page.getElementById("items-error");
    return error ? error.textContent.trim() : "";
  }

  function save(list, row, before) {
    var order = ids(list);
    if (order.join() === before.join()) { return; }
    busy = true;
    list.setAttribute("aria-busy", "true");
    var body = new URLSearchParams();
    order.forEach(function (id) { body.append("order", id); });
    var title = row.dataset.title;
    var position = order.indexOf(row.dataset.id) + 1;
    fetch(list.dataset.orderUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), "HX-Request": "true" },
      body: body
    }).then(function (response) {
      if (!response.ok || response.redirected) {
        return response.text().then(function (html) { throw { reason: refusal(html) }; });
      }
      say("Moved " + title + " to position " + position + " of " + order.length + ".");
    }).catch(function (problem) {
      var reason = problem && problem.reason ? " (" + problem.reason.replace(/\.$/, "") + ")" : "";
      return restore(list, before).then(function () {
        say("The new order could not be saved" + reason + ". The practices are back in their saved order.", true);
      });
    }).then(function () {
      busy = false;
      list.removeAttribute("aria-busy");
    });
  }

  // Put back the order the server has: the pack page's list, or failing that the order before the move.
  function restore(list, before) {
    var hadFocus = list.contains(document.activeElement);
    return fetch(list.dataset.packUrl, { credentials: "same-origin" }).then(function (response) {
      if (!response.ok || response.redirected) { throw new Error("no page"); }
      return response.text();
    }).then(function (html) {
      var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("practice-list");
      if (!fresh) { throw new Error("no list"); }
      var node = document.importNode(fresh, true);
      list.replaceWith(node);
      if (window.htmx) { window.htmx.process(node); }
      if (hadFocus) {
        var heading = document.getElementById("practices-title");
        if (heading) { heading.setAttribute("tabindex", "-1"); heading.focus(); }
      }
    }).catch(function () {
      before.forEach(function (id) {
        var row = document.getElementById("practice-" + id);
        if (row && row.parentNode === list) { list.appendChild(row); }
      });
      renumber(list);
    });
  }

  // Mouse: native drag and drop, started from a handle.
  document.addEventListener("dragstart", function (event) {
    var handle = handleOf(event.target);
    if (!handle) { return; }
    var row = rowOf(handle);
    if (pointer || !row || !start(row)) { event.preventDefault(); return; }
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", row.dataset.title || "");
    if (event.dataTransfer.setDragImage) { event.dataTransfer.setDragImage(row, 22, 22); }
  });
  document.addEventListener("dragover", function (event) {
    if (!drag || pointer) { return; }
    var row = rowOf(event.target);
    if (!row || row.parentNode !== drag.list) { return; }
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    aim(row);
  });
  document.addEventListener("drop", function (event) {
    if (!drag || pointer) { return; }
    event.preventDefault();
    aim(rowOf(event.target));
    finish(true);
  });
  document.addEventListener("dragend", function () { if (!pointer) { finish(false); } });

  // Touch and pen: pointer events on the handle (its CSS touch-action keeps the page from scrolling).
  document.addEventListener("pointerdown", function (event) {
    if (event.pointerType === "mouse" || !event.isPrimary) { return; }
    var handle = handleOf(event.target);
    var row = handle && rowOf(handle);
    if (!row || !start(row)) { return; }
    pointer = event.pointerId;
    if (handle.setPointerCapture) { handle.setPointerCapture(event.pointerId); }
    event.preventDefault();
  });
  document.addEventListener("pointermove", function (event) {
    if (pointer !== event.pointerId) { return; }
    event.preventDefault();
    aim(rowOf(document.elementFromPoint(event.clientX, event.clientY)));
  });
  ["pointerup", "pointercancel"].forEach(function (type) {
    document.addEventListener(type, function (event) {
      if (pointer !== event.pointerId) { return; }
      pointer = null;
      finish(type === "pointerup");
    });
  });

  // Keyboard: the arrow keys on a handle move its practice one place.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "ArrowUp" && event.key !== "ArrowDown") { return; }
    var handle = handleOf(event.target);
    var row = handle && rowOf(handle);
    var list = currentList();
    if (!row || !list || row.parentNode !== list) { return; }
    event.preventDefault();
    var target = event.key === "ArrowUp" ? row.previousElementSibling : row.nextElementSibling;
    if (busy || drag || !target) { return; }
    move(list, row, target, event.key === "ArrowDown");
    handle.focus();
  });
})();
