// Caseworker console: live transcript, inbox refresh, canned replies. No framework.
// Everything that came from a migrant (or any message) is inserted with textContent, never
// innerHTML: it is shown as text, never run or parsed as markup. Direction controls in it are
// shown as visible escapes (console/render.py, visible_bidi, does the same on the server).
(function () {
  "use strict";
  var body = document.body;
  var every = (parseInt(body.dataset.poll, 10) || 3) * 1000;
  var AUTHORS = { migrant: "Migrant", bot: "Assistant", caseworker: "Caseworker" };
  var BIDI_CONTROLS = /[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]/g;

  function visibleBidi(text) {
    return String(text).replace(BIDI_CONTROLS, function (c) {
      return "\u27e8U+" + c.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0") + "\u27e9";
    });
  }

  function getJSON(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (response.status === 401) { window.location.assign("/login"); return null; }
        return response.ok ? response.json() : null;
      })
      .catch(function () { return null; });  // offline for a moment: try again next tick
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = visibleBidi(text);
    return node;
  }

  function messageItem(m) {
    var author = AUTHORS.hasOwnProperty(m.author) ? m.author : "bot";
    var li = element("li", "msg msg-" + author);
    li.dataset.id = String(m.id);
    var meta = AUTHORS[author] + (m.caseworker ? " (" + m.caseworker + ")" : "") + " · " + m.at;
    if (m.delivery && m.delivery !== "sent") meta += " · " + m.delivery + (m.error ? ": " + m.error : "");
    li.appendChild(element("div", "meta", meta));
    if (m.text) {
      var p = element("p", "text", m.text);
      p.dir = "auto";
      li.appendChild(p);
    }
    (m.media || []).forEach(function (label) { li.appendChild(element("p", "media", label)); });
    return li;
  }

  function followCase() {
    var transcript = document.getElementById("transcript");
    var lastId = parseInt(transcript.dataset.lastId, 10) || 0;
    function poll() {
      getJSON("/api/cases/" + body.dataset.caseId + "/messages?after=" + lastId).then(function (data) {
        if (!data) return;
        data.messages.forEach(function (m) {
          if (m.id <= lastId) return;
          transcript.appendChild(messageItem(m));
          lastId = m.id;
        });
        if (data.case.status !== body.dataset.status) {
          document.getElementById("changed").classList.remove("hidden");
        }
      });
    }
    window.setInterval(poll, every);
  }

  function followInbox() {
    window.setInterval(function () {
      getJSON("/api/inbox/version").then(function (data) {
        if (data && data.version !== body.dataset.version) window.location.reload();
      });
    }, every * 2);
  }

  var canned = document.getElementById("canned");
  if (canned) {
    canned.addEventListener("change", function () {
      var option = canned.options[canned.selectedIndex];
      if (!option.value) return;
      var box = document.getElementById("reply-text");
      box.value = option.dataset.text;  // a form value, not markup
      box.focus();
    });
  }
  // A notice belongs to the action just done: drop ?notice= so a reload does not repeat it.
  if (window.location.search.indexOf("notice=") !== -1) {
    window.history.replaceState(null, "", window.location.pathname);
  }
  if (body.dataset.page === "case") followCase();
  if (body.dataset.page === "inbox") followInbox();
})();
