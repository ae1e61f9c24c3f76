/* The popup that asked for a reset link waits here; when the link, opened in another tab,
   finishes the login (handoff.js), this popup hands the token to its article like a normal
   login would, and closes. Only pages of this server can speak on the channel, and the token is
   passed on only to the exact article origin this popup was opened for. */
(function () {
  "use strict";
  var node = document.getElementById("comments-widget-waiting");
  if (!node || !window.BroadcastChannel) { return; }
  var origin = node.getAttribute("data-origin");
  var channel = new BroadcastChannel("comments-widget-handoff");
  channel.onmessage = function (event) {
    var data = event.data || {};
    if (!origin || data.origin !== origin || !data.login || !window.opener) { return; }
    channel.close();
    window.opener.postMessage(data.login, origin);
    window.close();
  };
}());
