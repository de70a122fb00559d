// Caseworker console: live transcript, inbox refresh and urgent alerts, canned replies, keys.
// No framework. Everything that came from a migrant (or any message) is inserted with
// textContent, never innerHTML: it is shown as text, never run or parsed as markup. Direction
// controls in it are shown as visible escapes (console/render.py, visible_bidi, does the same).
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

  function deliveryNode(m) {
    var span = element("span", "delivery delivery-" + m.delivery, m.delivery_words + (m.error ? ": " + m.error : ""));
    return span;
  }

  // A file the platform no longer gives (expired, or the channel is not configured here): the
  // link under it stays, and opening it says why in words.
  function hideBroken(img) {
    img.addEventListener("error", function () { img.classList.add("hidden"); });
  }

  function mediaNode(item) {
    var figure = element("figure", "media");
    if (item.shown === "image") {
      var img = document.createElement("img");
      hideBroken(img); img.src = item.url; img.alt = visibleBidi(item.label);
      figure.appendChild(img);
    } else if (item.shown === "audio") {
      var audio = document.createElement("audio");
      audio.controls = true; audio.preload = "metadata"; audio.src = item.url;
      figure.appendChild(audio);
    }
    var caption = element("figcaption");
    if (item.url) {
      var link = element("a", "", item.label);
      link.href = item.url; link.setAttribute("download", "");
      caption.appendChild(link);
    } else {
      caption.textContent = visibleBidi(item.label);
    }
    figure.appendChild(caption);
    return figure;
  }

  function messageItem(m, csrf) {
    var author = AUTHORS.hasOwnProperty(m.author) ? m.author : "bot";
    var li = element("li", "msg msg-" + author);
    li.dataset.id = String(m.id);
    var meta = element("div", "meta", AUTHORS[author] + (m.caseworker ? " (" + m.caseworker + ")" : "") + " · " + m.at);
    if (m.delivery) { meta.appendChild(document.createTextNode(" · ")); meta.appendChild(deliveryNode(m)); }
    li.appendChild(meta);
    if (m.text) {
      var p = element("p", "text", m.text);
      p.dir = "auto";
      li.appendChild(p);
    }
    (m.media || []).forEach(function (item) { li.appendChild(mediaNode(item)); });
    if (m.resend && csrf) li.appendChild(resendForm(m.id, csrf));
    return li;
  }

  function resendForm(id, csrf) {
    var form = element("form", "resend");
    form.method = "post"; form.action = "/cases/" + body.dataset.caseId + "/resend";
    [["csrf_token", csrf], ["message_id", String(id)]].forEach(function (pair) {
      var input = document.createElement("input");
      input.type = "hidden"; input.name = pair[0]; input.value = pair[1];
      form.appendChild(input);
    });
    var button = element("button", "", "Send again");
    button.type = "submit";
    form.appendChild(button);
    return form;
  }

  // The newest message in view: on open and after every update.
  function showNewest(transcript) {
    transcript.scrollTop = transcript.scrollHeight;
    var last = transcript.lastElementChild;
    if (last && last.getBoundingClientRect().bottom > window.innerHeight) last.scrollIntoView({ block: "end" });
  }

  function followCase() {
    var transcript = document.getElementById("transcript");
    var csrf = transcript.dataset.csrf;
    var lastId = parseInt(transcript.dataset.lastId, 10) || 0;
    Array.prototype.forEach.call(transcript.querySelectorAll("img"), function (img) {
      if (img.complete && img.naturalWidth === 0) img.classList.add("hidden"); else hideBroken(img);
    });
    showNewest(transcript);
    function poll() {
      getJSON("/api/cases/" + body.dataset.caseId + "/messages?after=" + lastId).then(function (data) {
        if (!data) return;
        var added = false;
        data.messages.forEach(function (m) {
          if (m.id <= lastId) return;
          transcript.appendChild(messageItem(m, csrf));
          lastId = m.id; added = true;
        });
        Object.keys(data.states || {}).forEach(function (id) {  // delivered / read / failed later
          var li = transcript.querySelector('li[data-id="' + id + '"]');
          var state = data.states[id];
          var old = li && li.querySelector(".delivery");
          if (!li || !state.delivery || (old && old.classList.contains("delivery-" + state.delivery))) return;
          var node = deliveryNode({ delivery: state.delivery, delivery_words: state.delivery, error: state.error });
          if (old) old.replaceWith(node); else li.querySelector(".meta").appendChild(node);
        });
        var waiting = document.getElementById("waiting");
        if (waiting && data.case.waiting) waiting.textContent = data.case.waiting;
        if (added) showNewest(transcript);
        if (data.case.status !== body.dataset.status) {
          document.getElementById("changed").classList.remove("hidden");
        }
      });
    }
    window.setInterval(poll, every);
    shortcuts();
  }

  // r: reply box, n: note box, x: the resolve button (Enter then resolves). Never while typing.
  function shortcuts() {
    var targets = { r: "reply-text", n: "note-text", x: "resolve-button" };
    document.addEventListener("keydown", function (event) {
      var active = document.activeElement;
      var typing = active && (/^(INPUT|TEXTAREA|SELECT)$/.test(active.tagName) || active.isContentEditable);
      if (typing || event.ctrlKey || event.metaKey || event.altKey || !targets[event.key]) return;
      var target = document.getElementById(targets[event.key]);
      if (!target) return;
      event.preventDefault();
      target.focus();
      target.scrollIntoView({ block: "center" });
    });
  }

  // -- inbox: refreshed in place (no reload, so the sound stays allowed), urgent cases announced
  var alerts = { audio: null, count: 0 };
  var baseTitle = document.title;

  function beep() {
    try {
      var AudioContext = window.AudioContext || window.webkitAudioContext;
      alerts.audio = alerts.audio || new AudioContext();
      var ctx = alerts.audio, now = ctx.currentTime;
      [0, 0.25].forEach(function (at) {  // two short tones: a generated sound, no file to load
        var osc = ctx.createOscillator(), gain = ctx.createGain();
        osc.frequency.value = 880; gain.gain.setValueAtTime(0.2, now + at);
        gain.gain.exponentialRampToValueAtTime(0.001, now + at + 0.2);
        osc.connect(gain); gain.connect(ctx.destination); osc.start(now + at); osc.stop(now + at + 0.2);
      });
      return true;
    } catch (e) { return false; }
  }

  function announce(ids, fresh) {
    var box = document.getElementById("urgent-alert");
    document.title = ids.length ? "(" + ids.length + " URGENT) " + baseTitle : baseTitle;
    if (box) {
      box.textContent = ids.length ? ids.length + " urgent case" + (ids.length > 1 ? "s" : "") + " waiting for a first answer: #" + ids.join(", #") : "";
      box.classList.toggle("hidden", !ids.length);
    }
    if (!fresh.length) return;
    alerts.count += 1;
    body.dataset.alerts = String(alerts.count);
    body.dataset.beeped = String(beep());
    if (window.Notification && Notification.permission === "granted") {
      new Notification("Urgent case #" + fresh.join(", #"), { body: "Open the caseworker console.", tag: "urgent-case" });
    }
  }

  function known() {
    try { return JSON.parse(localStorage.getItem("urgentSeen") || "[]"); } catch (e) { return []; }
  }

  function checkUrgent(ids) {
    var seen = known();
    var fresh = ids.filter(function (id) { return seen.indexOf(id) === -1; });
    localStorage.setItem("urgentSeen", JSON.stringify(ids));
    announce(ids, fresh);
  }

  function refreshInbox() {
    return fetch(window.location.href, { credentials: "same-origin" }).then(function (response) {
      if (!response.ok) return;
      return response.text().then(function (html) {
        // the server escaped every value; the parsed table replaces ours as nodes
        var page = new DOMParser().parseFromString(html, "text/html");
        ["inbox", "inbox-count"].forEach(function (id) {
          var fresh = page.getElementById(id), old = document.getElementById(id);
          if (fresh && old) old.replaceWith(document.importNode(fresh, true));
        });
        body.dataset.version = page.body.dataset.version;
      });
    }).catch(function () { return null; });
  }

  function followInbox() {
    var first = (body.dataset.urgent || "").split(",").filter(Boolean).map(Number);
    checkUrgent(first);
    var button = document.getElementById("enable-alerts");
    if (button && window.Notification && Notification.permission === "default" && !localStorage.getItem("alertsAsked")) {
      button.classList.remove("hidden");
      button.addEventListener("click", function () {  // asked once, on a click (browsers require a gesture)
        localStorage.setItem("alertsAsked", "1");
        beep();
        Notification.requestPermission().finally(function () { button.classList.add("hidden"); });
      });
    }
    window.setInterval(function () {
      getJSON("/api/inbox/version").then(function (data) {
        if (!data) return;
        checkUrgent(data.urgent || []);
        if (data.version !== body.dataset.version) refreshInbox();
      });
    }, every);
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
  // A notice belongs to the action just done: drop ?notice= so a reload does not repeat it
  // (the inbox's filters stay in the address: its refresh fetches that address).
  if (window.location.search.indexOf("notice=") !== -1) {
    var query = new URLSearchParams(window.location.search);
    query.delete("notice");
    var rest = query.toString();
    window.history.replaceState(null, "", window.location.pathname + (rest ? "?" + rest : ""));
  }
  if (body.dataset.page === "case") followCase();
  if (body.dataset.page === "inbox") followInbox();
})();
