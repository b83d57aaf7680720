// The import page while the file is read: ask the server how far it has got, a
// small JSON each second (longer after a failure), and show the page afresh
// once the reading has ended. Without this script the page has a link instead.
(function () {
  "use strict";
  var box = document.getElementById("reading");
  if (!box || !window.fetch || !window.JSON) { return; }
  var url = box.getAttribute("data-status-url");
  var bar = document.getElementById("reading-bar");
  var text = document.getElementById("reading-text");
  var delay = 1000;
  function poll() {
    window.fetch(url, { credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      })
      .then(function (progress) {
        bar.value = progress.percent;
        bar.textContent = progress.percent + "%";
        text.textContent = progress.text;
        if (progress.status !== "reading") {
          window.location.reload();
          return;
        }
        delay = 1000;
        window.setTimeout(poll, delay);
      })
      .catch(function () {
        delay = Math.min(delay * 2, 15000);
        window.setTimeout(poll, delay);
      });
  }
  window.setTimeout(poll, delay);
})();
