/* Hands the new login token to the article page that opened this popup, then closes it.
   The message is addressed to that page's exact origin, checked against the allow-list by the
   server, so no other page can read the token. */
(function () {
  "use strict";
  var node = document.getElementById("comments-widget-handoff");
  var status = document.getElementById("handoff-status");
  if (!node) { return; }
  if (!window.opener) {
    status.textContent = "You can close this window and go back to the article.";
    return;
  }
  window.opener.postMessage({
    type: "comments-widget:login",
    token: node.getAttribute("data-token"),
    reader: JSON.parse(node.getAttribute("data-reader"))
  }, node.getAttribute("data-origin"));
  window.close();
  status.textContent = "You can close this window now.";
}());
