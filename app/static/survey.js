// hailong survey page: shows skip logic as soon as the respondent answers.
// The server decides what is relevant in every case; without this script (or
// without a network) the page still works, it only shows the change one step later.
(function () {
  "use strict";
  var form = document.querySelector("form.survey");
  if (!form || !window.fetch || !window.FormData) { return; }
  var url = form.getAttribute("data-relevance");
  var timer = null;

  function show(names) {
    var relevant = {};
    names.forEach(function (name) { relevant[name] = true; });
    form.querySelectorAll("[data-q]").forEach(function (element) {
      element.hidden = !relevant[element.getAttribute("data-q")];
    });
  }

  function refresh() {
    fetch(url, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin"
    }).then(function (response) {
      return response.ok ? response.json() : null;
    }).then(function (names) {
      if (names) { show(names); }
    }).catch(function () { /* offline: the server will decide on sending */ });
  }

  form.addEventListener("change", function () {
    clearTimeout(timer);
    timer = setTimeout(refresh, 150);
  });

  // One tap sends once: a second tap while the first is on its way does nothing.
  form.addEventListener("submit", function (event) {
    if (form.getAttribute("data-sending")) { event.preventDefault(); return; }
    form.setAttribute("data-sending", "1");
    setTimeout(function () { form.removeAttribute("data-sending"); }, 8000);
  });
}());
