/* comments_widget embed: draws an article's comment thread and form into a Shadow DOM.
   Plain JavaScript, no dependencies. Reader text is only ever inserted as the HTML the server
   sanitised when the comment was written; everything else is built with textContent. */
(function () {
  "use strict";

  var script = document.currentScript;
  if (!script || !script.src) {
    throw new Error("comments_widget: load embed.js with a plain <script src> tag");
  }
  var BASE = script.src.replace(/\/embed(\.src)?\.js(\?.*)?$/, "");
  var SERVER_ORIGIN = new URL(BASE).origin;
  var API = BASE + "/api/v1";
  var TOKEN_KEY = "comments_widget_token:" + SERVER_ORIGIN;
  var SSO_KEY = TOKEN_KEY + ":sso"; // which of the site's users the stored token belongs to
  var SORT_KEY = "comments_widget_sort"; // the reader's order, remembered on this site

  var STRINGS = {
    en: {
      code: "en", heading: "Comments", count: { one: "{n} comment", other: "{n} comments" }, none: "No comments yet. Be the first.",
      leave: "Leave a comment", needLogin: "You need to login to leave a comment.", login: "Log-in",
      as: "Logged in as {name}.", logout: "Log out", account: "Your account",
      claim: "Your comments from before are here: link them to your account", label: "Your comment", post: "Post comment",
      posting: "Posting…", reply: "Reply", replyTo: "Reply to {name}", cancel: "Cancel",
      pending: "Awaiting moderation", loading: "Loading comments…", hint: "Markdown: *emphasis*, `code`, [links](https://…), > quotes",
      offline: "Could not reach the comment server. Check your connection and try again.",
      unavailable: "Comments are temporarily unavailable. Please try again in a moment.",
      expired: "Your login has expired. Please log in again.", popup: "Allow pop-ups for this site to log in.",
      posted: "Your comment was posted.", confirm: "Confirm your email address (we sent you a link): your comments appear once you do.", loadFailed: "Comments could not be loaded.",
      closed: "Comments are closed.", pinned: "Pinned", deleted: "Comment deleted",
      report: "Report", reportWhy: "Why are you reporting this comment?", send: "Send report",
      reasons: { spam: "Spam", abuse: "Abuse", off_topic: "Off-topic", other: "Other" },
      details: "What is wrong?", reported: "Thank you. A moderator will take a look.", more: "Load more comments",
      edit: "Edit", "delete": "Delete", save: "Save", saving: "Saving…", edited: "edited", editedAt: "Edited {time}", moderated: "edited by a moderator",
      editLabel: "Edit your comment", deleteConfirm: "Delete this comment? This cannot be undone.",
      held: "Your comment is awaiting moderation.",
      sortBy: "Sort by", sorts: { oldest: "Oldest", newest: "Newest", best: "Best", featured: "Featured" }, staff: "Staff", author: "Author",
      up: "up votes", down: "down votes",
      fresh: { one: "{n} new comment: show", other: "{n} new comments: show" },
      follow: "Follow this article", replies: "Email me replies",
      link: "Link", copied: "Link copied", inReplyTo: "in reply to {name}", first: "Show the first comments"
    }
  };
  // Other languages are one cacheable request each, made only by pages that use them.
  var LANGUAGES = ["de", "fr", "es", "it", "pt", "nl", "sv", "pl", "ru", "ar", "he"];

  function loadStrings(lang) {
    if (STRINGS[lang] || LANGUAGES.indexOf(lang) < 0) { return Promise.resolve(STRINGS[lang] || STRINGS.en); }
    STRINGS[lang] = fetch(BASE + "/lang/" + lang + ".json").then(function (response) {
      if (!response.ok) { throw new Error("HTTP " + response.status); }
      return response.json();
    }).then(function (strings) { strings.code = lang; STRINGS[lang] = strings; return strings; }, function (error) {
      console.error("comments_widget: could not load the " + lang + " strings", error);
      STRINGS[lang] = STRINGS.en;
      return STRINGS.en;
    });
    return STRINGS[lang];
  }

  function language(raw) {
    var lang = (raw || "en").slice(0, 2).toLowerCase();
    return STRINGS[lang] || LANGUAGES.indexOf(lang) >= 0 ? lang : "en";
  }

  var CSS = [
    // Site brand: --comments-accent, --comments-radius and (opt-in) --comments-font on the host element.
    ":host{all:initial;display:block;color-scheme:light;--fg:#1c1d1f;--muted:#5b5f66;--line:#d4d7dc;--bg:#fff;--soft:#f4f5f7;--accent:var(--comments-accent,#0b5cad);--on-accent:#fff;--error:#b3261e;--r:var(--comments-radius,6px);color:var(--fg)}",
    ":host>*{color:var(--fg);font:16px/1.55 var(--comments-font,system-ui,-apple-system,'Segoe UI',sans-serif)}",
    "@media (prefers-color-scheme:dark){:host([data-theme=auto]){color-scheme:dark;--fg:#e8e9eb;--muted:#a4a8af;--line:#3a3d43;--bg:#202226;--soft:#2a2c31;--accent:var(--comments-accent,#6aa7ec);--on-accent:#0b1220;--error:#f2b8b5}}",
    ":host([data-theme=dark]){color-scheme:dark;--fg:#e8e9eb;--muted:#a4a8af;--line:#3a3d43;--bg:#202226;--soft:#2a2c31;--accent:var(--comments-accent,#6aa7ec);--on-accent:#0b1220;--error:#f2b8b5}",
    "h2{font-size:1.3em;margin:0 0 .75em}h3{font-size:1.1em;margin:1.25em 0 .4em}",
    "ol{list-style:none;margin:0;padding:0}ol ol{margin-inline-start:1.25em;padding-inline-start:1em;border-inline-start:2px solid var(--line)}",
    "article{padding:.6em 0;border-top:1px solid var(--line)}ol ol article{border-top:0}",
    ".meta{font-size:.875em;color:var(--muted)}.meta b{color:var(--fg)}.body p{margin:.35em 0}.body pre{overflow:auto;background:var(--soft);padding:.5em}",
    ".body blockquote{margin:.35em 0;padding-inline-start:.75em;border-inline-start:3px solid var(--line);color:var(--muted)}",
    "a{color:var(--accent)}button{font:inherit;cursor:pointer}",
    ".link{border:0;background:none;color:var(--accent);padding:0;text-decoration:underline;font-size:.875em}",
    "form{margin:.5em 0}label{display:block;font-weight:600;margin-bottom:.25em}",
    ".hp{position:absolute;left:-9999px;width:1px;height:1px;overflow:hidden}",
    "textarea{box-sizing:border-box;width:100%;min-height:6em;font:inherit;padding:.5em;border:1px solid var(--line);border-radius:var(--r);background:var(--bg);color:var(--fg);resize:vertical}",
    ".hint{font-size:.8em;color:var(--muted);margin:.2em 0}",
    ".primary{padding:.45em 1em;border:0;border-radius:var(--r);background:var(--accent);color:var(--on-accent);font-weight:600;margin-inline-end:.5em}",
    ".primary:disabled{opacity:.6;cursor:progress}",
    ":focus-visible{outline:3px solid var(--accent);outline-offset:2px}",
    ".error{color:var(--error)}.status{min-height:1.2em;font-size:.9em}.who{margin:.2em 0}",
    ".more{display:block;margin:.75em 0;padding:.4em 1em;border:1px solid var(--line);border-radius:var(--r);background:var(--bg);color:var(--accent)}.acts button{margin-inline-end:.9em}.tag{font-size:.8em;background:var(--soft);border:1px solid var(--line);border-radius:3px;padding:0 .4em;margin-inline-start:.4em}",
    ".report{background:var(--soft);padding:.5em;border-radius:var(--r)}.report select,.report input{display:block;margin:0 0 .5em;font:inherit;padding:.3em;max-width:100%}",
    ".acts button,.acts a,.vote,.who .link,.ctx{display:inline-block;min-height:24px;min-width:24px;line-height:24px}.votes{margin-inline-end:.9em;color:var(--muted);font-size:.875em}.vote{border:1px solid var(--line);border-radius:var(--r);background:var(--bg);color:var(--fg);padding:0 .5em;margin-inline-end:.3em}.vote[aria-pressed=true]{background:var(--accent);color:var(--on-accent);border-color:var(--accent)}",
    ".hl{background:var(--soft);box-shadow:-.5em 0 0 var(--soft),.5em 0 0 var(--soft)}.acts a.link{margin-inline-end:.9em}.ctx{color:var(--muted)}",
    ".av{width:28px;height:28px;border-radius:50%;vertical-align:middle;margin-inline-end:.45em}.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip-path:inset(50%)}.bar{display:flex;justify-content:space-between;align-items:baseline;flex-wrap:wrap;gap:.5em}.bar select{font:inherit;padding:.2em;margin-inline-start:.4em}"
  ].join("");

  /* A string with its {values}; a string with plural forms picks the one for values.n. */
  function text(strings, key, values) {
    var forms = strings[key];
    if (typeof forms === "object") { forms = forms[new Intl.PluralRules(strings.code).select(values.n)] || forms.other; }
    return forms.replace(/\{(\w+)\}/g, function (_, name) { return values[name]; });
  }

  /* "5 minutes ago", "yesterday", then the date, in the embed's language. */
  function when(iso, lang) {
    var seconds = (new Date(iso) - Date.now()) / 1000;
    var steps = [[60, 1, "second"], [3600, 60, "minute"], [86400, 3600, "hour"], [604800, 86400, "day"]];
    for (var i = 0; i < steps.length; i += 1) {
      if (-seconds < steps[i][0]) { return new Intl.RelativeTimeFormat(lang, { numeric: "auto" }).format(Math.round(seconds / steps[i][1]), steps[i][2]); }
    }
    return new Intl.DateTimeFormat(lang, { dateStyle: "medium" }).format(new Date(iso));
  }

  function fullDate(iso, lang) { return new Intl.DateTimeFormat(lang, { dateStyle: "long", timeStyle: "short" }).format(new Date(iso)); }

  /* Builds an element; strings become text nodes, never HTML. */
  function h(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      var value = attrs[name];
      if (name.slice(0, 2) === "on") { node.addEventListener(name.slice(2), value); }
      else if (value !== null && value !== undefined && value !== false) { node.setAttribute(name, value); }
    });
    (children || []).forEach(function (child) {
      if (child !== null && child !== undefined) {
        node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
      }
    });
    return node;
  }

  function stored(key) {
    try { return window.localStorage.getItem(key); }
    catch (error) { console.warn("comments_widget: storage unavailable", error); return null; }
  }

  function store(key, value) {
    try {
      if (value) { window.localStorage.setItem(key, value); }
      else { window.localStorage.removeItem(key); }
    } catch (error) { console.warn("comments_widget: storage unavailable", error); }
  }

  /* sessionStorage: read with one argument, write (or clear, with "") with two. */
  function session(key, value) {
    try {
      if (arguments.length < 2) { return window.sessionStorage.getItem(key); }
      if (value) { window.sessionStorage.setItem(key, value); } else { window.sessionStorage.removeItem(key); }
    } catch (error) { console.warn("comments_widget: storage unavailable", error); }
    return null;
  }

  function getToken() { return stored(TOKEN_KEY); }
  function setToken(token) { store(TOKEN_KEY, token); if (!token) { store(SSO_KEY, null); } }

  var speaking = "en"; // the embed's language: the server words its refusals in it

  /* Calls the API; resolves with the JSON body or rejects with {code, message, status}. */
  function api(method, path, body, csrf, cache) {
    var headers = { Accept: "application/json", "Accept-Language": speaking };
    var token = getToken();
    if (token) { headers.Authorization = "Bearer " + token; }
    if (body) { headers["Content-Type"] = "application/json"; }
    if (csrf && !token) { headers["X-CSRFToken"] = csrf; }
    return fetch(API + path, { method: method, headers: headers, body: body ? JSON.stringify(body) : undefined, cache: cache || "default" })
      .then(function (response) {
        if (response.status === 204) { return null; }
        return response.json().then(function (data) {
          if (!response.ok) { throw { status: response.status, code: data.error, message: data.message }; }
          return data;
        }, function () {
          throw { status: response.status, code: "bad_response", message: null };
        });
      }, function (error) {
        throw { status: 0, code: "offline", message: null, cause: error };
      });
  }

  function Widget(host) {
    this.host = host;
    this.lang = speaking = language(host.getAttribute("data-comments-lang") || document.documentElement.lang);
    this.strings = STRINGS.en;
    this.editable = {};
    this.sources = {};
    this.started = {};  // when the reader began each draft (spam heuristics)
    this.votes = {};
    this.sort = /^(oldest|newest|best)$/.test(stored(SORT_KEY)) ? stored(SORT_KEY) : "oldest";
    this.editing = null;
    this.url = host.getAttribute("data-comments-url") || canonicalUrl();
    this.threadId = host.getAttribute("data-comments-id");
    this.reader = null;
    this.csrf = null;
    this.comments = [];
    this.thread = null;
    this.replyTo = null;
    this.reportFor = null;
    this.reported = {};
    this.next = null;
    // The server-rendered thread (for readers without JavaScript) gives way to ours.
    if (!host.shadowRoot) { host.textContent = ""; }
    this.root = host.shadowRoot || host.attachShadow({ mode: "open" });
    followTheme(host);
  }

  Widget.prototype.t = function (key, values) { return text(this.strings, key, values || {}); };

  Widget.prototype.errorText = function (error) {
    if (error.code === "offline") { return this.t("offline"); }
    if (error.code === "bad_token") { return this.t("expired"); }
    if (error.status === 503) { return this.t("unavailable"); }
    return error.message || this.t("offline");
  };

  Widget.prototype.query = function () {
    return "?url=" + encodeURIComponent(this.url) + (this.threadId ? "&thread_id=" + encodeURIComponent(this.threadId) : "");
  };

  Widget.prototype.load = function () {
    var self = this;
    this.draw(h("p", { role: "status" }, [this.t("loading")]));
    var me = ssoWait.then(function () { return api("GET", "/me"); }).catch(function (error) {
      // A dead token is forgotten (and replaced, when the site signed the reader in); a banned
      // reader is told why, at once.
      if (error.code === "bad_token" && ssoPayload) {
        setToken(null);
        return signIn(ssoPayload).then(function () { return api("GET", "/me"); });
      }
      if (error.code === "bad_token" || error.code === "banned") {
        setToken(null);
        self.notice = error.code === "banned" ? error.message : self.t("expired");
        return { reader: null };
      }
      throw error;
    });
    // The thread payload is shared and cacheable; "no-cache" still lets the browser use it, but
    // only after the server confirms (a cheap 304) that nothing changed since.
    var thread = api("GET", "/threads" + this.query() + "&sort=" + this.sort, null, null, "no-cache");
    var mine = me.then(function (data) {
      return data.reader ? api("GET", "/threads/mine" + self.query()) : { pending: [], editable: [], sources: {}, votes: {} };
    });
    return Promise.all([thread, me, mine, loadStrings(this.lang)]).then(function (results) {
      self.strings = results[3];
      self.comments = results[0].comments;
      self.thread = results[0].thread;
      self.next = results[0].next;
      self.reader = results[1].reader;
      self.csrf = results[1].csrf_token || null;
      self.loginUrl = results[1].login_url;
      self.logoutUrl = results[1].logout_url;
      if (ssoError) { self.notice = self.errorText(ssoError); }
      results[2].pending.forEach(function (comment) { self.insert(comment); });
      self.editable = {};
      results[2].editable.forEach(function (id) { self.editable[id] = true; });
      self.sources = results[2].sources;
      self.votes = results[2].votes || {};
      self.following = results[2].following;
      self.fresh = [];
      self.render();
      self.reveal();
      self.watch();
      // The site names the article's authors in a signed attribute; hand it over once, when
      // the thread does not carry it yet (article_authors.py checks the signature).
      var authors = self.host.getAttribute("data-comments-authors");
      if (authors && self.thread && self.thread.authors_tag !== authors.trim().slice(-16)) {
        api("PUT", "/threads/authors", { url: self.url, thread_id: self.threadId || undefined, authors: authors }).then(function () {
          self.load();  // once, when the site's authors change: their badges show at once
        }, function (error) { console.error("comments_widget: the article's authors were refused", error); });
      }
    }, function (error) {
      console.error("comments_widget: could not load comments", error);
      self.draw(h("p", { "class": "error", role: "alert" }, [self.t("loadFailed") + " " + self.errorText(error)]));
    });
  };

  /* article#comment-123: scroll to that comment and mark it, fetching the page it is on when
     it is not on this one (the server says which). */
  Widget.prototype.reveal = function () {
    var self = this;
    var id = (/^#comment-(\d+)$/.exec(location.hash) || [])[1];
    if (!id || !this.thread || this.show(id)) { return; }
    var query = this.query() + "&sort=" + this.sort;
    api("GET", "/threads/page-of" + query + "&comment=" + id).then(function (found) {
      if (!found.after) { return; }
      return api("GET", "/threads" + query + "&after=" + found.after).then(function (page) {
        self.comments = page.comments; self.next = page.next; self.jumped = true;
        self.render();
        self.show(id);
      });
    }).catch(function (error) { console.warn("comments_widget: comment " + id + " not found", error); });
  };

  Widget.prototype.show = function (id) {
    var target = this.root.getElementById("comment-" + id);
    if (!target) { return false; }
    Array.prototype.forEach.call(this.root.querySelectorAll(".hl"), function (el) { el.classList.remove("hl"); });
    target.classList.add("hl");
    target.scrollIntoView({ block: "center" });
    focusOn(target);
    return true;
  };

  /* Adds a comment (a new one, or one of ours awaiting moderation) under its parent. */
  Widget.prototype.insert = function (comment) {
    var parent = comment.parent_id && find(this.comments, comment.parent_id);
    (parent ? parent.replies : this.comments).push(comment);
  };

  Widget.prototype.loadMore = function (button) {
    var self = this;
    button.disabled = true;
    api("GET", "/threads" + this.query() + "&sort=" + this.sort + "&after=" + this.next, null, null, "no-cache").then(function (page) {
      self.comments = self.comments.concat(page.comments);
      self.next = page.next;
      self.render();
    }, function (error) {
      console.error("comments_widget: could not load more comments", error);
      button.disabled = false;
      button.textContent = self.errorText(error);
    });
  };

  Widget.prototype.draw = function (content) {
    content.lang = this.strings.code;
    content.dir = this.strings.dir || "ltr";
    this.root.textContent = "";
    this.root.appendChild(h("style", {}, [CSS]));
    this.root.appendChild(content);
  };

  Widget.prototype.render = function () {
    var self = this;
    var total = this.thread ? this.thread.comment_count : countAll(this.comments);
    var sorts = this.strings.sorts;
    // "Featured" (the editors' picks) is a view offered where there are some, never remembered.
    var picks = this.thread && this.thread.featured_count;
    var sorter = h("select", { id: "cw-sort", onchange: function (event) { self.sort = event.target.value; if (self.sort !== "featured") { store(SORT_KEY, self.sort); } self.load().then(function () { self.root.getElementById("cw-sort").focus(); }); } },
      Object.keys(sorts).filter(function (key) { return key !== "featured" || picks || self.sort === key; }).map(function (key) { return h("option", { value: key, selected: key === self.sort ? "" : null }, [sorts[key]]); }));
    var section = h("section", { "aria-label": this.t("heading") }, [
      h("div", { "class": "bar" }, [h("h2", {}, [this.t("count", { n: total })]),
        total > 1 || picks ? h("label", { "for": "cw-sort", "class": "meta" }, [this.t("sortBy"), sorter]) : null]),
      this.liveBox = h("div", { "aria-live": "polite" }),
      this.jumped ? h("button", { type: "button", "class": "more", onclick: function () { self.jumped = false; history.replaceState(null, "", location.href.split("#")[0]); self.load(); } }, [this.t("first")]) : null,
      this.comments.length ? this.renderList(this.comments) : h("p", { "class": "meta" }, [this.t("none")]),
      this.next ? h("button", { type: "button", "class": "more", onclick: function (event) { self.loadMore(event.currentTarget); } }, [this.t("more")]) : null,
      this.renderCompose()
    ]);
    this.draw(section);
    this.offerFresh();
  };

  /* Live updates: while the tab is visible, ask every data-comments-live seconds (20; 0 turns
     it off) whether the thread changed: a conditional request, a 304 of no bytes when nothing
     did. New comments wait behind a button, so nothing moves under the reader's eyes. */
  Widget.prototype.watch = function () {
    var self = this, every = Number(this.host.getAttribute("data-comments-live") || 20);
    clearInterval(this.timer);
    if (every > 0) { this.timer = setInterval(function () { self.poll(); }, every * 1000); }
  };

  Widget.prototype.poll = function () {
    var self = this;
    if (document.hidden || this.jumped || !this.host.isConnected) { return; }
    api("GET", "/threads" + this.query() + "&sort=" + this.sort, null, null, "no-cache").then(function (page) {
      var fresh = [];
      (function walk(list, parentId) {
        list.forEach(function (comment) {
          var mine = find(self.comments, comment.id);
          if (!mine && comment.status !== "deleted" && (parentId || self.sort === "newest" || !self.next)) { fresh.push([comment, parentId]); }
          else if (mine) { walk(comment.replies, comment.id); }
        });
      }(page.comments, null));
      self.latest = page.thread;
      self.fresh = fresh;
      self.offerFresh();
    }, function (error) { console.warn("comments_widget: could not check for new comments", error); });
  };

  Widget.prototype.offerFresh = function () {
    var self = this, n = (this.fresh || []).length;
    if (!this.liveBox) { return; }
    this.liveBox.textContent = "";
    if (!n) { return; }
    this.liveBox.appendChild(h("button", { type: "button", "class": "more", onclick: function () {
      var first = self.fresh[0][0];
      self.fresh.forEach(function (item) {
        var parent = item[1] && find(self.comments, item[1]);
        if (parent) { parent.replies.push(item[0]); }
        else if (self.sort === "newest") { self.comments.unshift(item[0]); }
        else { self.comments.push(item[0]); }
      });
      self.fresh = [];
      self.thread = self.latest || self.thread;
      self.render();
      self.show(first.id);
    } }, [this.t("fresh", { n: n })]));
  };

  Widget.prototype.renderList = function (comments, parent) {
    var self = this;
    return h("ol", {}, comments.map(function (comment) { return h("li", {}, [self.renderComment(comment, parent)]); }));
  };

  Widget.prototype.open = function () {
    return this.reader && !this.reader.banned && !(this.thread && this.thread.closed);
  };

  Widget.prototype.renderComment = function (comment, parent) {
    var self = this;
    var link = location.href.split("#")[0] + "#comment-" + comment.id;
    var copied = h("span", { "class": "meta", role: "status" });
    var deleted = comment.status === "deleted";
    var body = h("div", { "class": "body", dir: "auto" });
    body.innerHTML = comment.html; // Sanitised by the server at write time (comments_widget/sanitize.py).
    var pinned = this.thread && this.thread.pinned_comment_id === comment.id;
    var mine = this.reader && comment.author.id === this.reader.id;
    var editable = mine && this.editable[comment.id] && this.open();
    var actions = deleted ? null : h("div", { "class": "acts" }, [
      this.renderVotes(comment, mine),
      this.open() ? h("button", {
        type: "button", "class": "link", "aria-label": this.t("replyTo", { name: comment.author.name }),
        onclick: function () { self.replyTo = comment.id; self.reportFor = null; self.render(); self.focusForm(comment.id); }
      }, [this.t("reply")]) : null,
      mine || this.reported[comment.id] || !this.open() ? null : h("button", {
        type: "button", "class": "link", "aria-expanded": String(this.reportFor === comment.id),
        onclick: function () { self.reportFor = self.reportFor === comment.id ? null : comment.id; self.replyTo = null; self.render(); }
      }, [this.t("report")]),
      editable ? h("button", { type: "button", "class": "link", onclick: function () { self.editing = comment.id; self.replyTo = null; self.render(); self.focusForm("edit-" + comment.id); } }, [this.t("edit")]) : null,
      editable ? h("button", { type: "button", "class": "link", onclick: function () { self.remove(comment); } }, [this.t("delete")]) : null,
      h("a", {
        href: link, "class": "link",
        onclick: function (event) {
          event.preventDefault();
          history.replaceState(null, "", link);
          self.show(comment.id);
          if (navigator.clipboard) { navigator.clipboard.writeText(link).then(function () { copied.textContent = self.t("copied"); }, function () {}); }
        }
      }, [this.t("link")]), " ", copied
    ]);
    var article = h("article", { id: "comment-" + comment.id, "class": deleted ? "deleted" : null }, [
      h("div", { "class": "meta" }, deleted ? [h("i", {}, [this.t("deleted")])] : [
        h("img", { "class": "av", alt: "", width: "28", height: "28", loading: "lazy", referrerpolicy: "no-referrer", src: comment.author.avatar || BASE + "/avatars/" + comment.author.id + ".svg" }),
        h("b", {}, [comment.author.name]),
        comment.author.article_author ? h("span", { "class": "tag" }, [this.t("author")]) : null,
        comment.author.staff ? h("span", { "class": "tag" }, [this.t("staff")]) : null,
        comment.featured ? h("span", { "class": "tag" }, [this.strings.sorts.featured]) : null, " · ",
        parent && parent.author.name ? h("a", { href: "#comment-" + parent.id, "class": "ctx", onclick: function (event) { event.preventDefault(); self.show(parent.id); } }, ["↪ " + this.t("inReplyTo", { name: parent.author.name })]) : null,
        parent && parent.author.name ? " · " : null,
        h("time", { datetime: comment.created_at, title: fullDate(comment.created_at, this.lang) }, [when(comment.created_at, this.lang)]),
        pinned ? h("span", { "class": "tag" }, [this.t("pinned")]) : null,
        comment.status === "pending" ? h("span", { "class": "tag" }, [this.t("pending")]) : null,
        comment.edited_at ? h("span", { "class": "tag", title: this.t("editedAt", { time: fullDate(comment.edited_at, this.lang) }) }, [this.t("edited")]) : null,
        comment.moderated ? h("span", { "class": "tag" }, [this.t("moderated")]) : null
      ]),
      deleted ? null : this.editing === comment.id ? this.renderEditor(comment) : body,
      this.reported[comment.id] ? h("p", { "class": "meta", role: "status" }, [this.t("reported")]) : actions,
      this.reportFor === comment.id ? this.renderReport(comment) : null,
      this.replyTo === comment.id ? this.renderForm(comment) : null
    ]);
    var wrapper = h("div", {}, [article]);
    if (comment.replies && comment.replies.length) { wrapper.appendChild(this.renderList(comment.replies, comment)); }
    return wrapper;
  };

  /* The tally, and buttons to vote where the reader may (not on their own comment). */
  Widget.prototype.renderVotes = function (comment, mine) {
    var self = this;
    var kinds = this.thread && this.thread.downvotes ? [["up", 1, "▲"], ["down", -1, "▼"]] : [["up", 1, "▲"]];
    return h("span", { "class": "votes" }, kinds.map(function (kind) {
      var count = comment[kind[0]] || 0;
      var label = [h("span", { "aria-hidden": "true" }, [kind[2] + " "]), String(count), h("span", { "class": "sr" }, [" " + self.t(kind[0])])];
      if (mine || !self.open()) { return h("span", { "class": "tally" }, label); }
      return h("button", {
        type: "button", "class": "vote " + kind[0], "aria-pressed": String(self.votes[comment.id] === kind[1]),
        onclick: function () { self.vote(comment, self.votes[comment.id] === kind[1] ? 0 : kind[1], kind[0]); }
      }, label);
    }));
  };

  Widget.prototype.vote = function (comment, value, kind) {
    var self = this;
    api("PUT", "/comments/" + comment.id + "/vote", { value: value }, this.csrf).then(function (tally) {
      comment.up = tally.up; comment.down = tally.down; self.votes[comment.id] = tally.mine;
      self.render();
      focusOn(self.root.querySelector("#comment-" + comment.id + " .vote." + kind));
    }, function (error) {
      console.error("comments_widget: voting failed", error);
      window.alert(self.errorText(error));
    });
  };

  /* The author's inline editor: the Markdown they wrote, Save / Cancel, Escape cancels. */
  Widget.prototype.renderEditor = function (comment) {
    var self = this;
    var id = "cw-body-edit-" + comment.id;
    var status = h("p", { "class": "status", role: "status", "aria-live": "polite" });
    var textarea = h("textarea", { id: id, required: "" });
    textarea.value = this.sources[comment.id] || "";
    var save = h("button", { type: "submit", "class": "primary" }, [this.t("save")]);
    var cancel = function () { self.editing = null; self.render(); self.focusAction(comment.id, self.t("edit")); };
    textarea.addEventListener("keydown", function (event) { if (event.key === "Escape") { cancel(); } });
    return h("form", {
      novalidate: "",
      onsubmit: function (event) {
        event.preventDefault();
        save.disabled = true;
        status.textContent = self.t("saving");
        api("PATCH", "/comments/" + comment.id, { body: textarea.value }, self.csrf).then(function (changed) {
          if (comment.status === "approved" && changed.status !== "approved" && self.thread) { self.thread.comment_count -= 1; }
          comment.html = changed.html; comment.status = changed.status; comment.edited_at = changed.edited_at;
          self.sources[comment.id] = textarea.value;
          self.editing = null;
          self.render();
          self.focusAction(comment.id, self.t("edit"));
          self.say(changed.status === "pending" ? self.t("held") : "");
        }, function (error) {
          console.error("comments_widget: editing failed", error);
          save.disabled = false;
          status.className = "status error";
          status.setAttribute("role", "alert");
          status.textContent = self.errorText(error);
        });
      }
    }, [h("label", { "for": id }, [this.t("editLabel")]), textarea, save,
      h("button", { type: "button", "class": "link", onclick: cancel }, [this.t("cancel")]), status]);
  };

  /* Delete asks once; a comment with replies stays as a placeholder, one without goes. */
  Widget.prototype.remove = function (comment) {
    var self = this;
    if (!window.confirm(this.t("deleteConfirm"))) { return; }
    api("DELETE", "/comments/" + comment.id, null, this.csrf).then(function () {
      if (self.thread && comment.status === "approved") { self.thread.comment_count -= 1; }
      if (comment.replies && comment.replies.length) {
        comment.status = "deleted";
      } else {
        var siblings = comment.parent_id ? (find(self.comments, comment.parent_id) || {}).replies : self.comments;
        if (siblings) { siblings.splice(siblings.indexOf(comment), 1); }
      }
      self.render();
    }, function (error) {
      console.error("comments_widget: deleting failed", error);
      window.alert(self.errorText(error));
    });
  };

  /* Focus a comment's action button by its label (after an edit: its Edit button). */
  Widget.prototype.focusAction = function (id, label) {
    var article = this.root.getElementById("comment-" + id);
    var buttons = article ? Array.prototype.slice.call(article.querySelectorAll(".acts button")) : [];
    var target = buttons.filter(function (b) { return b.textContent === label; })[0];
    if (target) { target.focus(); }
  };

  Widget.prototype.say = function (message) {
    var live = this.root.querySelector(".compose .status");
    if (live && message) { live.textContent = message; }
  };

  Widget.prototype.renderReport = function (comment) {
    var self = this;
    var id = "cw-report-" + comment.id;
    var select = h("select", { id: id }, Object.keys(this.strings.reasons).map(function (key) {
      return h("option", { value: key }, [self.strings.reasons[key]]);
    }));
    var details = h("input", { id: id + "-text", maxlength: "500" });
    var status = h("p", { "class": "status", role: "status", "aria-live": "polite" });
    var send = h("button", { type: "submit", "class": "primary" }, [this.t("send")]);
    return h("form", {
      "class": "report", novalidate: "",
      onsubmit: function (event) {
        event.preventDefault();
        send.disabled = true;
        api("POST", "/comments/" + comment.id + "/flag", { reason: select.value, text: details.value }, self.csrf)
          .then(function () { self.reported[comment.id] = true; self.reportFor = null; self.render(); focusOn(self.root.querySelector("#comment-" + comment.id + " [role=status]")); }, function (error) {
            console.error("comments_widget: report failed", error);
            send.disabled = false;
            status.className = "status error";
            status.setAttribute("role", "alert");
            status.textContent = self.errorText(error);
          });
      }
    }, [
      h("label", { "for": id }, [this.t("reportWhy")]), select,
      h("label", { "for": id + "-text" }, [this.t("details")]), details,
      send,
      h("button", { type: "button", "class": "link", onclick: function () { self.reportFor = null; self.render(); self.focusAction(comment.id, self.t("report")); } }, [this.t("cancel")]),
      status
    ]);
  };

  Widget.prototype.renderCompose = function () {
    var self = this;
    var box = h("div", { "class": "compose" }, [h("h3", {}, [this.t("leave")])]);
    if (this.notice) { box.appendChild(h("p", { "class": "error", role: "alert" }, [this.notice])); this.notice = null; }
    if (this.thread && this.thread.closed) { box.appendChild(h("p", {}, [this.t("closed")])); return box; }
    if (!this.reader && this.loginUrl) {
      // The site's own login page ({next} becomes this article's address).
      box.appendChild(h("p", {}, [this.t("needLogin") + " ", h("a", { href: this.loginUrl.replace("{next}", encodeURIComponent(location.href)) }, [this.t("login")])]));
      return box;
    }
    if (!this.reader) {
      var loginUrl = BASE + "/login?origin=" + encodeURIComponent(location.origin) + "&next=" + encodeURIComponent(location.href) + "&lang=" + this.lang;
      box.appendChild(h("p", {}, [this.t("needLogin") + " ", h("a", {
        href: loginUrl, target: "_blank", rel: "opener",
        onclick: function (event) {
          var popup = window.open(loginUrl, "comments_widget_login", "popup,width=480,height=640");
          if (popup) { event.preventDefault(); popup.focus(); }
          else { console.warn("comments_widget: " + self.t("popup")); }
        }
      }, [this.t("login")])]));
      return box;
    }
    box.appendChild(h("p", { "class": "who" }, [this.t("as", { name: this.reader.name }) + " ",
      this.reader.external ? null : h("a", { href: BASE + "/account?lang=" + this.lang, target: "_blank", rel: "noopener", "class": "link" }, [this.t("account")]), this.reader.external ? null : " · ",
      h("button", { type: "button", "class": "link", onclick: function () { self.logout(); } }, [this.t("logout")])]));
    if (this.reader.banned) { box.appendChild(h("p", { "class": "error" }, [this.reader.banned])); return box; }
    box.appendChild(h("p", { "class": "who" }, [
      this.thread && this.thread.key ? this.toggle("follow", this.following) : null, " ",
      this.toggle("replies", this.reader.reply_emails)]));
    if (this.reader.claimable) {
      box.appendChild(h("p", { "class": "hint" }, [h("a", { href: BASE + "/account?lang=" + this.lang, target: "_blank", rel: "noopener", "class": "link" }, [this.t("claim")])]));
    }
    if (this.reader.must_confirm_email) { box.appendChild(h("p", { "class": "hint", role: "status" }, [this.t("confirm")])); }
    if (this.replyTo === null) { box.appendChild(this.renderForm(null)); }
    return box;
  };

  /* "Follow this article" and "Email me replies": on or off, said by aria-pressed and a tick. */
  Widget.prototype.toggle = function (what, on) {
    var self = this;
    return h("button", {
      type: "button", "class": "link " + what, "aria-pressed": String(!!on),
      onclick: function () {
        var follow = what === "follow";
        var done = follow
          ? api(on ? "DELETE" : "PUT", "/threads/follow" + (on ? self.query() : ""), on ? null : { url: self.url, thread_id: self.threadId || undefined }, self.csrf)
          : api("PUT", "/me/notifications", { replies: !on }, self.csrf);
        done.then(function () {
          if (follow) { self.following = !on; } else { self.reader.reply_emails = !on; }
          self.render();
          focusOn(self.root.querySelector(".compose ." + what));
        }, function (error) { window.alert(self.errorText(error)); });
      }
    }, [(on ? "✓ " : "") + this.t(what)]);
  };

  Widget.prototype.renderForm = function (parent) {
    var self = this;
    var id = "cw-body-" + (parent ? parent.id : "new");
    var status = h("p", { "class": "status", role: "status", "aria-live": "polite" });
    var textarea = h("textarea", { id: id, name: "body", required: "", "aria-describedby": id + "-hint" });
    // What the reader typed survives re-renders, Load more, a new login and a reload.
    var draftKey = "comments_widget_draft:" + this.url + ":" + (parent ? parent.id : "new");
    textarea.value = session(draftKey) || "";
    textarea.addEventListener("input", function () {
      session(draftKey, textarea.value);
      // When the reader started writing (kept across re-renders): a comment "typed" in a
      // blink is a script's (spam.py).
      self.started[draftKey] = self.started[draftKey] || Date.now();
    });
    // A field people never see or reach; scripts that fill every field fill it (spam.py).
    var trap = h("input", { name: "website", tabindex: "-1", autocomplete: "off" });
    var submit = h("button", { type: "submit", "class": "primary" }, [this.t("post")]);
    var form = h("form", {
      novalidate: "",
      onsubmit: function (event) { event.preventDefault(); self.post(parent, textarea, submit, status, trap); }
    }, [
      h("div", { "class": "hp", "aria-hidden": "true" }, [h("label", {}, ["Website ", trap])]),
      h("label", { "for": id }, [parent ? this.t("replyTo", { name: parent.author.name }) : this.t("label")]),
      textarea,
      h("p", { "class": "hint", id: id + "-hint" }, [this.t("hint")]),
      submit,
      parent ? h("button", { type: "button", "class": "link", onclick: function () { self.replyTo = null; self.render(); self.focusAction(parent.id, self.t("reply")); } }, [this.t("cancel")]) : null,
      status
    ]);
    return form;
  };

  Widget.prototype.focusForm = function (parentId) {
    var field = this.root.getElementById("cw-body-" + (parentId || "new"));
    if (field) { field.focus(); }
  };

  Widget.prototype.post = function (parent, textarea, submit, status, trap) {
    var self = this;
    var key = "comments_widget_draft:" + this.url + ":" + (parent ? parent.id : "new");
    submit.disabled = true;
    status.className = "status";
    status.textContent = this.t("posting");
    api("POST", "/comments", {
      url: this.url, thread_id: this.threadId || undefined,
      body: textarea.value, parent_id: parent ? parent.id : undefined,
      website: trap.value || undefined,
      typing_ms: this.started[key] ? Date.now() - this.started[key] : undefined
    }, this.csrf).then(function (comment) {
      session(key, "");
      delete self.started[key];
      if (parent) { parent.replies.push(comment); } else { self.comments.push(comment); }
      self.editable[comment.id] = true;
      self.sources[comment.id] = textarea.value;
      if (self.thread && comment.status === "approved") { self.thread.comment_count += 1; }
      else if (!self.thread && comment.status === "approved") { self.thread = { key: self.url, comment_count: 1, pinned_comment_id: null, closed: false }; }
      self.replyTo = null;
      self.render();
      var posted = self.root.getElementById("comment-" + comment.id);
      focusOn(posted);
      self.say(self.t(comment.status === "pending" ? "held" : "posted"));
    }, function (error) {
      console.error("comments_widget: posting failed", error);
      submit.disabled = false;
      status.className = "status error";
      status.setAttribute("role", "alert");
      status.textContent = self.errorText(error);
      if (error.code === "thread_closed" && self.thread) { self.thread.closed = true; self.render(); return; }
      if (error.code === "bad_token" || error.code === "not_logged_in" || error.code === "banned") {
        setToken(null);
        self.reader = null;
        self.notice = self.errorText(error);
        self.render();
      }
    });
  };

  Widget.prototype.logout = function () {
    var self = this;
    logout().then(function () {
      // The site's own logout page ends its login too; without one, only ours ends.
      if (self.logoutUrl) { location.href = self.logoutUrl; return; }
      self.reader = null; self.csrf = null; self.replyTo = null; self.render();
      focusOn(self.root.querySelector(".compose a"));
    });
  };

  /* Ends this reader's comment login: the token is revoked (every session of theirs ends) and
     forgotten; a server that cannot be told is only logged. */
  function logout() {
    var done = function () { ssoPayload = null; setToken(null); };
    return getToken() ? api("DELETE", "/tokens/current").then(done, function (error) {
      console.error("comments_widget: could not revoke the login token", error);
      done();
    }) : Promise.resolve(done());
  }

  /* Single sign-on: the site's server signed its logged-in reader (data-comments-sso, or
     CommentsWidget.login(payload) on single-page sites) and we exchange that for our token,
     once per reader: a token already held for the same user of the site is kept. An empty
     payload means nobody is logged in on the site, so a token it gave is forgotten. */
  var ssoPayload = null, ssoError = null, ssoWait = Promise.resolve();

  function signIn(payload) {
    ssoPayload = payload;
    ssoWait = ssoWait.then(function () {
      if (!payload) { if (stored(SSO_KEY)) { setToken(null); } return; }
      var id = ssoUser(payload);
      if (getToken() && stored(SSO_KEY) === id) { return; }
      ssoPayload = null; // A payload works once.
      setToken(null); // Whoever was logged in here before, the site now says it is this user.
      return api("POST", "/tokens/sso", { payload: payload }).then(function (data) {
        setToken(data.token);
        store(SSO_KEY, id);
        ssoError = null;
      }, function (error) { console.error("comments_widget: single sign-on failed", error); ssoError = error; });
    });
    return ssoWait;
  }

  function ssoUser(payload) {
    try { return String(JSON.parse(atob(payload.split(".")[0].replace(/-/g, "+").replace(/_/g, "/"))).id); }
    catch (error) { return "?"; }
  }

  function reload() { widgets.forEach(function (widget) { widget.load(); }); }

  function find(comments, id) {
    for (var i = 0; i < comments.length; i += 1) {
      if (comments[i].id === id) { return comments[i]; }
      var inner = find(comments[i].replies || [], id);
      if (inner) { return inner; }
    }
    return null;
  }

  function countAll(comments) {
    return comments.reduce(function (sum, c) { return sum + 1 + countAll(c.replies || []); }, 0);
  }

  /* The site owner's choice, or else the page's own: read again once the page has loaded (an
     async script can run before the site's stylesheet applies) and whenever the OS scheme
     changes (the site's background may follow it). */
  var followed = [];
  function followTheme(host) {
    var apply = function () {
      var chosen = host.getAttribute("data-comments-theme");
      host.setAttribute("data-theme", /^(light|dark|auto)$/.test(chosen) ? chosen : pageTheme(host));
    };
    apply();
    if (followed.indexOf(host) >= 0) { return; }
    followed.push(host);
    if (document.readyState !== "complete") { window.addEventListener("load", apply); }
    var osScheme = window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)");
    if (osScheme && osScheme.addEventListener) { osScheme.addEventListener("change", apply); }
  }

  /* Light or dark text for the background the embed is drawn on (the nearest opaque one), so it
     stays readable on a light-only site with the OS in dark mode and the other way round. */
  function pageTheme(el) {
    for (var node = el; node; node = node.parentElement) {
      var rgb = (getComputedStyle(node).backgroundColor.match(/[\d.]+/g) || []).map(Number);
      if (rgb.length === 3 || rgb[3] > 0.5) { return 0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2] < 128 ? "dark" : "light"; }
    }
    var scheme = getComputedStyle(document.documentElement).colorScheme || "";
    return /dark/.test(scheme) ? (/light/.test(scheme) ? "auto" : "dark") : "light";
  }

  /* Keeps keyboard and screen-reader users where they are after an action. */
  function focusOn(el) {
    if (el) { if (!el.hasAttribute("tabindex") && !/^(A|BUTTON)$/.test(el.tagName)) { el.setAttribute("tabindex", "-1"); } el.focus(); }
  }

  function canonicalUrl() {
    var link = document.querySelector('link[rel="canonical"]');
    return link && link.href ? link.href : location.href;
  }

  var widgets = [];

  function onMessage(event) {
    if (event.origin !== SERVER_ORIGIN || !event.data || event.data.type !== "comments-widget:login") { return; }
    setToken(event.data.token);
    reload();
  }

  /* "N comments" on listing pages: data-comments-count="URL", or data-comments-count-id="ID"
     for threads keyed by the site's own id (scoped to this page's origin). */
  function fillCounts() {
    var links = Array.prototype.slice.call(document.querySelectorAll("[data-comments-count], [data-comments-count-id]"));
    for (var i = 0; i < links.length; i += 100) {
      (function (batch) {
        var query = batch.map(function (el) {
          var id = el.getAttribute("data-comments-count-id");
          return id !== null ? "id=" + encodeURIComponent(id) : "url=" + encodeURIComponent(el.getAttribute("data-comments-count"));
        }).join("&") + "&site=" + encodeURIComponent(location.origin);
        Promise.all([api("GET", "/counts?" + query), loadStrings(language(document.documentElement.lang))]).then(function (answers) {
          var data = answers[0], strings = answers[1];
          batch.forEach(function (el) {
            var id = el.getAttribute("data-comments-count-id");
            var n = id !== null ? data.ids[id] : data.counts[el.getAttribute("data-comments-count")];
            el.textContent = text(strings, "count", { n: n });
          });
        }, function (error) { console.error("comments_widget: could not load comment counts", error); });
      }(links.slice(i, i + 100)));
    }
  }

  function render(host) {
    var targets = host ? [host] : Array.prototype.slice.call(document.querySelectorAll("#comments, [data-comments-url]"));
    targets.forEach(function (el) {
      var widget = new Widget(el);
      widgets = widgets.filter(function (w) { return w.host !== el; }).concat([widget]);
      widget.load();
    });
  }

  function start() {
    var signed = document.querySelector("[data-comments-sso]");
    if (signed) { signIn(signed.getAttribute("data-comments-sso")); }
    render();
    fillCounts();
  }

  window.addEventListener("message", onMessage);
  document.addEventListener("visibilitychange", function () { if (!document.hidden) { widgets.forEach(function (widget) { widget.poll(); }); } });
  window.addEventListener("hashchange", function () { widgets.forEach(function (widget) { widget.reveal(); }); });
  window.CommentsWidget = {
    render: render, counts: fillCounts,
    login: function (payload) { return signIn(payload || "").then(reload); },
    logout: function () { return logout().then(reload); }
  };
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); }
  else { start(); }
}());
