// Show an upload's progress; without this script the form posts as usual.
(function () {
  "use strict";
  var form = document.getElementById("import-form");
  if (!form || !window.XMLHttpRequest || !window.FormData) { return; }
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var bar = document.getElementById("import-bar");
    document.getElementById("import-progress").hidden = false;
    var request = new XMLHttpRequest();
    request.open("POST", form.action || window.location.href);
    request.upload.addEventListener("progress", function (progress) {
      if (progress.lengthComputable) { bar.value = 100 * progress.loaded / progress.total; }
    });
    request.addEventListener("load", function () {
      // The server redirected to the summary, or answered with the form and its errors.
      if (request.responseURL && request.responseURL !== window.location.href) {
        window.location.assign(request.responseURL);
      } else {
        document.open();
        document.write(request.responseText);
        document.close();
      }
    });
    request.addEventListener("error", function () { form.submit(); });
    request.send(new FormData(form));
  });
})();
