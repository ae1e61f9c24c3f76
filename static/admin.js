/* Dashboard helpers: one key per decision in the queues, undo, ranges, copy-to-clipboard.
   Everything works without this script (the forms post and the page comes back); with it a
   decision is a fetch, the comment leaves the list and the next one has the focus. */
(function () {
  "use strict";

  var form = document.getElementById("queue-form");
  var list = form && form.querySelector(".items");
  var banner = document.getElementById("decision-banner");
  var current = -1;
  var anchor = -1;
  var undoEntries = [];
  var gone = {};  // ids decided on and not undone: never merged back from a stale page
  var refilling = null;
  var confirmed = 0;  // decisions the server confirmed; a refill that overlapped one is stale

  function items() {
    return list ? Array.prototype.slice.call(list.querySelectorAll(".item[data-id]")) : [];
  }

  function focusItem(index) {
    var all = items();
    if (!all.length) { current = -1; showEmpty(); return; }
    current = Math.max(0, Math.min(all.length - 1, index));
    all.forEach(function (item, i) { item.classList.toggle("focused", i === current); });
    all[current].focus({ preventScroll: true });
    all[current].scrollIntoView({ block: "nearest" });
  }

  function boxes() { return form.querySelectorAll('input[name="ids"]'); }
  function selectedIds() {
    return Array.prototype.map.call(form.querySelectorAll('input[name="ids"]:checked'),
      function (box) { return box.value; });
  }

  function selectRange(delta) {
    if (anchor < 0) { anchor = Math.max(current, 0); }
    focusItem(current + delta);
    var low = Math.min(anchor, current);
    var high = Math.max(anchor, current);
    items().forEach(function (item, i) {
      item.querySelector('input[name="ids"]').checked = i >= low && i <= high;
    });
  }

  function say(message, undoable, isError) {
    if (!banner) { return; }
    banner.hidden = false;
    banner.classList.toggle("error", !!isError);
    banner.setAttribute("role", isError ? "alert" : "status");
    banner.querySelector(".banner-text").textContent = message;
    banner.querySelector(".undo-form").hidden = !undoable;
  }

  function showEmpty() {
    if (!list || items().length || form.querySelector(".empty")) { return; }
    var empty = document.createElement("p");
    empty.className = "empty";
    empty.textContent = "Nothing here. The queue is clear.";
    list.parentNode.insertBefore(empty, list);
  }

  function send(url, fields) {
    var body = new FormData();
    body.append("csrf_token", form.querySelector('input[name="csrf_token"]').value);
    fields.forEach(function (pair) { body.append(pair[0], pair[1]); });
    return fetch(url, { method: "POST", body: body, credentials: "same-origin",
                        headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.json().then(function (data) {
          if (!response.ok) { throw new Error(data.message || "That did not work; reload the page."); }
          return data;
        });
      });
  }

  function adjustCount(by) {
    var count = document.querySelector('.tabs [aria-current="page"] .count');
    // "1,000+" stays as it is until the next refill counts again.
    if (count && !/\+$/.test(count.textContent)) {
      count.textContent = String(Math.max(0, parseInt(count.textContent, 10) + by));
    }
  }

  /* Take the comments out of the list at once (the next key press must not hit them again),
     put them back where they were if the server refuses. */
  function decide(fields, ids) {
    var removed = [];
    var index = current;
    ids.forEach(function (id) {
      var item = document.getElementById("item-" + id);
      if (item) {
        removed.push({ item: item, next: item.nextElementSibling });
        item.remove();
        gone[id] = true;
      }
    });
    focusItem(index);
    return send(form.getAttribute("action"), fields).then(function (data) {
      data.ids.forEach(function (id) {
        gone[id] = true;
        var item = document.getElementById("item-" + id);
        if (item) { item.remove(); }
      });
      confirmed += 1;
      adjustCount(-data.ids.length);
      undoEntries = data.undo;
      say(data.message, undoEntries.length > 0, false);
      focusItem(Math.min(current < 0 ? 0 : current, items().length - 1));
      if (items().length < 10) { refill(); }
    }, function (error) {
      removed.reverse().forEach(function (entry) {
        delete gone[entry.item.getAttribute("data-id")];
        if (entry.next && entry.next.parentNode === list) { list.insertBefore(entry.item, entry.next); }
        else { list.appendChild(entry.item); }
      });
      focusItem(index);
      say(error.message, false, true);
    });
  }

  /* Fetch the queue again and merge in what is not on screen: the next comments after a run
     of decisions, or the ones an undo put back. */
  function refill(focusId) {
    if (refilling) { return refilling; }
    var url = new URL(window.location.href);
    url.searchParams.delete("before");
    var startedAt = confirmed;
    refilling = fetch(url.toString(), { credentials: "same-origin" })
      .then(function (response) { return response.text(); })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html");
        var shown = {};
        items().forEach(function (item) { shown[item.getAttribute("data-id")] = item; });
        fresh.querySelectorAll(".items .item[data-id]").forEach(function (item) {
          var id = item.getAttribute("data-id");
          if (shown[id] || gone[id]) { return; }
          var later = items().filter(function (el) {
            return parseInt(el.getAttribute("data-id"), 10) < parseInt(id, 10);
          })[0];
          list.insertBefore(document.importNode(item, true), later || null);
        });
        fresh.querySelectorAll(".tabs a").forEach(function (tab, i) {
          var mine = document.querySelectorAll(".tabs a")[i];
          if (mine) { mine.querySelector(".count").textContent = tab.querySelector(".count").textContent; }
        });
        var empty = form.querySelector(".empty");
        if (empty && items().length) { empty.remove(); }
        if (focusId && document.getElementById("item-" + focusId)) {
          focusItem(items().indexOf(document.getElementById("item-" + focusId)));
        } else if (current < 0 || !document.activeElement || !document.activeElement.classList.contains("item")) {
          focusItem(Math.max(current, 0));
        }
      })
      .catch(function (error) { console.error("comments_widget: could not refresh the queue", error); })
      .then(function () {
        refilling = null;
        // A decision landed while the page was on its way: its counts are stale, ask again.
        if (confirmed !== startedAt) { refill(); }
      });
    return refilling;
  }

  function undo() {
    if (!undoEntries.length) { return; }
    var entries = undoEntries;
    undoEntries = [];
    send(form.getAttribute("data-undo"), entries.map(function (id) { return ["entries", id]; }))
      .then(function (data) {
        data.ids.forEach(function (id) { delete gone[id]; });
        confirmed += 1;
        adjustCount(data.ids.length);
        say(data.message, false, false);
        return refill(data.ids[data.ids.length - 1]);
      }, function (error) { say(error.message, false, true); });
  }

  function act(action) {
    var ids = selectedIds();
    if (ids.length) {
      anchor = -1;
      return decide([["action", action]].concat(ids.map(function (id) { return ["ids", id]; })), ids);
    }
    var item = items()[current];
    if (!item || !item.querySelector('button[data-action="' + action + '"]')) { return; }
    var id = item.getAttribute("data-id");
    decide([["single", action + ":" + id]], [id]);
  }

  function actScoped(key) {
    var item = items()[current];
    var button = item && item.querySelector('button[data-scoped="' + key + '"]');
    if (button) { decide([["scoped", button.value]], []); }
  }

  if (form && list) {
    var selectAll = document.getElementById("select-all");
    selectAll.addEventListener("change", function () {
      boxes().forEach(function (box) { box.checked = selectAll.checked; });
    });
    form.addEventListener("submit", function (event) {
      var button = event.submitter;
      if (!button) { return; }
      event.preventDefault();
      var item = button.closest(".item");
      if (item) { current = items().indexOf(item); }
      if (button.name === "single") {
        decide([["single", button.value]], [button.value.split(":")[1]]);
      } else if (button.name === "scoped") {
        decide([["scoped", button.value]], []);
      } else if (button.name === "action") {
        act(button.value);
      }
    });
    list.addEventListener("click", function (event) {
      var item = event.target.closest(".item");
      if (item && !event.target.closest("button, a, input, summary")) { focusItem(items().indexOf(item)); }
    });
    banner.querySelector(".undo-form").addEventListener("submit", function (event) {
      if (!undoEntries.length) { return; }  // the server-rendered Undo after a reload
      event.preventDefault();
      undo();
    });
    banner.querySelectorAll('input[name="entries"]').forEach(function (input) {
      undoEntries.push(input.value);
    });
    var KEYS = { a: "approve", r: "reject", s: "spam", d: "delete" };
    document.addEventListener("keydown", function (event) {
      var target = event.target;
      if (event.ctrlKey || event.metaKey || event.altKey) { return; }
      if (target && /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName) && target.type !== "checkbox") { return; }
      var key = event.key;
      var handled = true;
      if (key === "j") { anchor = -1; focusItem(current + 1); }
      else if (key === "k") { anchor = -1; focusItem(current - 1); }
      else if (key === "J") { selectRange(1); }
      else if (key === "K") { selectRange(-1); }
      else if (key === "x" && current >= 0) {
        var box = items()[current].querySelector('input[name="ids"]');
        box.checked = !box.checked;
      } else if (KEYS[key]) { act(KEYS[key]); }
      else if (key === "A" || key === "R") { actScoped(key); }
      else if (key === "u") { undo(); }
      else if (key === "f" && current >= 0) {
        var pick = items()[current].querySelector("button[data-feature]");
        if (pick) { pick.click(); }
      } else if (key === "e" && current >= 0) {
        var edit = items()[current].querySelector("details.edit");
        edit.open = true;
        edit.querySelector("textarea").focus();
      } else if (key === "h" && current >= 0) {
        var history = items()[current].querySelector("details.history");
        history.open = !history.open;
      } else { handled = false; }
      if (handled) { event.preventDefault(); }
    });
    if (!window.location.hash) { focusItem(0); }
  }

  document.querySelectorAll("button.copy").forEach(function (button) {
    button.addEventListener("click", function () {
      var text = document.getElementById(button.getAttribute("data-copy")).textContent;
      navigator.clipboard.writeText(text).then(function () {
        button.textContent = "Copied";
      }, function (error) {
        console.error("comments_widget: copy failed", error);
        button.textContent = "Select the snippet and copy it";
      });
    });
  });
}());
