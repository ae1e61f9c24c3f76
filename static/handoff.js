/* Hands the new login token to the article page that opened this popup, then closes it.
   The message is addressed to that page's exact origin, checked against the allow-list by the
   server, so no other page can read the token. Opened from an email (a password reset) there is
   no opener: the token then goes, over a channel only this server's own pages can hear, to the
   popup still waiting for it (waiting.js), which hands it on to its article. */
(function () {
  "use strict";
  var node = document.getElementById("comments-widget-handoff");
  var status = document.getElementById("handoff-status");
  if (!node) { return; }
  var message = {
    type: "comments-widget:login",
    token: node.getAttribute("data-token"),
    reader: JSON.parse(node.getAttribute("data-reader"))
  };
  var origin = node.getAttribute("data-origin");
  if (!window.opener) {
    if (window.BroadcastChannel) {
      var channel = new BroadcastChannel("comments-widget-handoff");
      channel.postMessage({ origin: origin, login: message });
      channel.close();
    }
    status.textContent = node.getAttribute("data-elsewhere");
    return;
  }
  window.opener.postMessage(message, origin);
  window.close();
  status.textContent = node.getAttribute("data-done");
}());
