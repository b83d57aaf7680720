// hailong survey page: shows skip logic as soon as the respondent answers.
// The server decides what is relevant in every case; without this script (or
// without a network) the page still works, it only shows the change one step later.
// It also applies the options the server allows to a select whose choice_filter
// reads this page's answers (data-choices="live"); it evaluates no expression.
(function () {
  "use strict";
  var form = document.querySelector("form.survey");
  if (!form) { return; }

  // A location is asked for only when its button is pressed (the respondent's
  // consent); without the script, or without geolocation, it is typed or left out.
  if (navigator.geolocation) {
    form.querySelectorAll("[data-locate]").forEach(function (button) {
      var input = document.getElementById(button.getAttribute("data-locate"));
      var status = form.querySelector(
        '[data-locate-status="' + button.getAttribute("data-locate") + '"]');
      button.hidden = false;
      button.addEventListener("click", function () {
        status.textContent = button.getAttribute("data-busy");
        navigator.geolocation.getCurrentPosition(function (position) {
          var c = position.coords;
          // ODK's geopoint: latitude longitude altitude accuracy (0 if unknown).
          input.value = [c.latitude.toFixed(6), c.longitude.toFixed(6),
            (c.altitude || 0).toFixed(1), c.accuracy.toFixed(1)].join(" ");
          status.textContent = button.getAttribute("data-done");
          input.dispatchEvent(new Event("change", { bubbles: true }));
        }, function () {
          status.textContent = button.getAttribute("data-refused");
        }, { enableHighAccuracy: true, timeout: 30000, maximumAge: 0 });
      });
    });
  }

  if (!window.fetch || !window.FormData) { return; }
  var url = form.getAttribute("data-relevance");
  var timer = null;

  function show(names) {
    var relevant = {};
    names.forEach(function (name) { relevant[name] = true; });
    form.querySelectorAll("[data-q]").forEach(function (element) {
      element.hidden = !relevant[element.getAttribute("data-q")];
    });
  }

  // Hide the options the server left out; clear a choice that was hidden.
  // Returns true if an answer was cleared (what depends on it must follow).
  function offer(choices) {
    var cleared = false;
    form.querySelectorAll('[data-choices="live"]').forEach(function (element) {
      var allowed = {};
      (choices[element.getAttribute("data-q")] || []).forEach(function (value) {
        allowed[value] = true;
      });
      element.querySelectorAll("input[value], option").forEach(function (input) {
        if (input.value === "") { return; }
        var out = !allowed[input.value];
        var holder = input.tagName === "OPTION" ? input : input.closest("label");
        holder.hidden = out;
        input.disabled = out;
        if (out && (input.checked || input.selected)) {
          input.checked = false;
          input.selected = false;
          cleared = true;
        }
      });
    });
    return cleared;
  }

  function refresh() {
    fetch(url, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin"
    }).then(function (response) {
      return response.ok ? response.json() : null;
    }).then(function (answer) {
      if (!answer) { return; }
      show(answer.relevant);
      if (offer(answer.choices)) { refresh(); }
    }).catch(function () { /* offline: the server will decide on sending */ });
  }

  form.addEventListener("change", function () {
    clearTimeout(timer);
    timer = setTimeout(refresh, 150);
  });
  if (form.querySelector('[data-choices="live"]')) { refresh(); }

  // A roster's "add a row" and "remove" buttons, done at once in the page. The
  // fields keep the server's names (age[2]), so the form sends what a redraw would.
  function renumber(row, number) {
    row.setAttribute("data-row", String(number));
    row.querySelector(".row-number").textContent = String(number);
    row.querySelectorAll("*").forEach(function (element) {
      ["name", "id", "for", "data-q", "aria-describedby", "value"].forEach(function (key) {
        var value = element.getAttribute(key);
        if (value === null) { return; }
        if (key === "value" && element.getAttribute("name") !== "action") { return; }
        element.setAttribute(key, value.replace(/\[(\d+|__row__)\]/g, "[" + number + "]")
          .replace(/^(remove:[^:]+:)(\d+|__row__)$/, "$1" + number));
      });
    });
  }

  function rosterOf(button) {
    var parts = button.value.split(":");
    var section = form.querySelector('[data-repeat="' + parts[1] + '"]');
    if (!section || !section.querySelector("template[data-row]")) { return null; }
    return { verb: parts[0], section: section, row: Number(parts[2]) };
  }

  function edit(roster) {
    var section = roster.section;
    var count = section.querySelector('input[type="hidden"]');
    var add = section.querySelector('button[value^="add:"]');
    var rows = section.querySelectorAll("fieldset.row");
    if (roster.verb === "add") {
      var row = section.querySelector("template[data-row]").content
        .firstElementChild.cloneNode(true);
      renumber(row, rows.length + 1);
      row.querySelectorAll("[data-q]").forEach(function (field) { field.hidden = false; });
      section.insertBefore(row, section.querySelector("template[data-row]"));
      row.querySelector("input, select, textarea").focus();
    } else {
      rows[roster.row - 1].remove();
      section.querySelectorAll("fieldset.row").forEach(function (kept, index) {
        renumber(kept, index + 1);
      });
    }
    var shown = section.querySelectorAll("fieldset.row").length;
    count.value = String(shown);
    add.hidden = shown >= Number(section.getAttribute("data-max"));
    refresh();
  }

  form.addEventListener("click", function (event) {
    var button = event.target.closest('button[name="action"]');
    var roster = button && rosterOf(button);
    if (roster && (roster.verb === "add" || roster.verb === "remove")) {
      event.preventDefault();
      edit(roster);
    }
  });

  // One tap sends once: a second tap while the first is on its way does nothing.
  form.addEventListener("submit", function (event) {
    if (form.getAttribute("data-sending")) { event.preventDefault(); return; }
    form.setAttribute("data-sending", "1");
    setTimeout(function () { form.removeAttribute("data-sending"); }, 8000);
  });
}());
