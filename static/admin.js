/* Dashboard helpers: select-all, keyboard shortcuts for the queue, copy-to-clipboard.
   Everything works without this script; it only saves moderators clicks. */
(function () {
  "use strict";

  var selectAll = document.getElementById("select-all");
  var form = document.getElementById("queue-form");
  if (selectAll && form) {
    selectAll.addEventListener("change", function () {
      form.querySelectorAll('input[name="ids"]').forEach(function (box) { box.checked = selectAll.checked; });
    });
  }

  var items = Array.prototype.slice.call(document.querySelectorAll(".item[data-id]"));
  var current = -1;
  function focusItem(index) {
    if (!items.length) { return; }
    current = Math.max(0, Math.min(items.length - 1, index));
    items.forEach(function (item, i) { item.classList.toggle("focused", i === current); });
    items[current].focus();
  }
  var KEYS = { a: "approve", r: "reject", s: "spam", d: "delete" };
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (!form || event.ctrlKey || event.metaKey || event.altKey) { return; }
    if (target && /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName) && target.type !== "checkbox") { return; }
    if (event.key === "j") { focusItem(current + 1); event.preventDefault(); }
    else if (event.key === "k") { focusItem(current - 1); event.preventDefault(); }
    else if (event.key === "x" && current >= 0) {
      var box = items[current].querySelector('input[name="ids"]');
      box.checked = !box.checked;
      event.preventDefault();
    } else if (KEYS[event.key]) {
      var selected = form.querySelectorAll('input[name="ids"]:checked').length;
      var button = selected
        ? form.querySelector('.bulk button[value="' + KEYS[event.key] + '"]')
        : current >= 0 && items[current].querySelector('button[data-action="' + KEYS[event.key] + '"]');
      if (button) { event.preventDefault(); button.click(); }
    }
  });

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
