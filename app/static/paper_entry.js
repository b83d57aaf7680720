// hailong paper keying page: the keyboard moves through the form as on paper.
// Enter or Tab goes to the next question asked, Enter in the last one or
// Ctrl+Enter saves; a typed code shows its option's label beside it. Leaving a
// question that skip logic reads asks the server which questions follow (the
// server decides skip logic; this script evaluates no expression), and the
// cursor then moves past the skipped ones. Without the script every question
// is shown and the server drops the answers of those that do not apply.
(function () {
  "use strict";
  var form = document.querySelector("form.paper-entry");
  if (!form) { return; }
  var url = form.getAttribute("data-relevance");
  var dirty = false;
  var pending = null;

  function boxes() {
    return Array.prototype.filter.call(
      form.querySelectorAll("[data-q] input"),
      function (input) { return !input.closest("[data-q]").hidden; });
  }

  function focusAfter(input) {
    var shown = boxes();
    var all = Array.prototype.slice.call(form.querySelectorAll("[data-q] input"));
    var from = all.indexOf(input);
    for (var i = 0; i < shown.length; i += 1) {
      if (all.indexOf(shown[i]) > from) { shown[i].focus(); return true; }
    }
    return false;
  }

  function show(names) {
    var relevant = {};
    names.forEach(function (name) { relevant[name] = true; });
    form.querySelectorAll("[data-q]").forEach(function (element) {
      var skipped = !relevant[element.getAttribute("data-q")];
      element.hidden = skipped;
      element.querySelectorAll("input").forEach(function (input) { input.disabled = skipped; });
    });
  }

  // Ask the server what is asked now; one question at a time, in order.
  function refresh() {
    dirty = false;
    form.setAttribute("data-busy", "1");
    pending = fetch(url, {
      method: "POST", body: new FormData(form), credentials: "same-origin"
    }).then(function (response) {
      return response.ok ? response.json() : null;
    }).then(function (answer) {
      if (answer) { show(answer.relevant); }
    }).catch(function () { /* offline: the server decides on saving */ })
      .then(function () {
        pending = null;
        form.removeAttribute("data-busy");
      });
    return pending;
  }

  function settled() {
    if (dirty) { return refresh(); }
    return pending || Promise.resolve();
  }

  function save() {
    if (form.getAttribute("data-sending")) { return; }
    form.setAttribute("data-sending", "1");
    form.submit();
  }

  // The label of the option(s) a typed code stands for, beside the box.
  function label(input) {
    var output = input.parentNode.querySelector("output.chosen");
    if (!output) { return; }
    var codes = input.getAttribute("data-codes").split(" ");
    var labels = input.getAttribute("data-labels").split("\n");
    var typed = input.hasAttribute("data-multiple")
      ? input.value.split(/[\s,;+]+/) : [input.value.trim()];
    output.textContent = typed.filter(Boolean).map(function (code) {
      var at = codes.map(function (c) { return c.replace(/^0+(?=.)/, ""); })
        .indexOf(code.replace(/^0+(?=.)/, ""));
      return at < 0 ? code + " ?" : labels[at];
    }).join("; ");
  }

  form.addEventListener("input", function (event) {
    var input = event.target;
    if (input.hasAttribute("data-drives")) { dirty = true; }
    if (input.hasAttribute("data-codes")) { label(input); }
  });
  form.addEventListener("change", function (event) {
    if (event.target.hasAttribute("data-drives") && dirty) { refresh(); }
  });

  // Keys typed while the cursor waits for the server are kept, then played
  // into the box it moves to: a fast clerk loses none and none lands in the
  // box just left.
  var queue = null;
  var button = form.querySelector('button[type="submit"]');

  function typeInto(input, key) {
    input.value = key === "Backspace" ? input.value.slice(0, -1) : input.value + key;
    input.dispatchEvent(new Event("input", { bubbles: true }));
  }

  function play(keys) {
    for (var i = 0; i < keys.length; i += 1) {
      var input = document.activeElement;
      if (!input || input.tagName !== "INPUT") { return; }
      if (keys[i].length === 1 || keys[i] === "Backspace") {
        typeInto(input, keys[i]);
      } else {
        step(input, keys[i], true);
        queue = keys.slice(i + 1).concat(queue);
        return;
      }
    }
  }

  // Leave ``input`` by ``name`` (Tab, Enter, Save: Ctrl+Enter) once the
  // server has said what is asked now; false: Tab may move by itself.
  function step(input, name, played) {
    if (name === "Tab" && !dirty && !pending && !played) { return false; }
    queue = [];
    settled().then(function () {
      var keys = queue;
      queue = null;
      if (name === "Save" || (!focusAfter(input) && name === "Enter")) {
        save();
        return;
      }
      if (document.activeElement === input) { button.focus(); }
      play(keys);
    });
    return true;
  }

  form.addEventListener("keydown", function (event) {
    var input = event.target;
    if (input.tagName !== "INPUT") { return; }
    var plain = !event.ctrlKey && !event.metaKey && !event.altKey;
    var name = null;
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      name = "Save";
    } else if (event.key === "Enter" && plain && !event.shiftKey) {
      name = "Enter";
    } else if (event.key === "Tab" && !event.shiftKey) {
      name = "Tab";
    }
    if (queue) {
      if (name || event.key === "Backspace" || (plain && event.key.length === 1)) {
        event.preventDefault();
        queue.push(name || event.key);
      }
      return;
    }
    if (name && step(input, name, false)) { event.preventDefault(); }
  });

  form.addEventListener("submit", function (event) {
    if (form.getAttribute("data-sending")) { event.preventDefault(); return; }
    form.setAttribute("data-sending", "1");
  });

  form.querySelectorAll("input[data-codes]").forEach(label);
  var first = form.querySelector("[data-q] [aria-invalid]") ||
    form.querySelector("[data-q]:not([hidden]) input");
  if (first) { first.focus(); }
}());
