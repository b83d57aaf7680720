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

  form.addEventListener("keydown", function (event) {
    var input = event.target;
    if (input.tagName !== "INPUT") { return; }
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      settled().then(save);
    } else if (event.key === "Enter" && !event.shiftKey && !event.altKey) {
      event.preventDefault();
      settled().then(function () { if (!focusAfter(input)) { save(); } });
    } else if (event.key === "Tab" && !event.shiftKey && dirty) {
      event.preventDefault();
      settled().then(function () { focusAfter(input); });
    }
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
