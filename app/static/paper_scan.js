// hailong paper keying: read a form's QR code with the computer's camera,
// where the browser has a QR reader (BarcodeDetector); elsewhere the button
// stays hidden and the number is typed (or a hand scanner types the address).
// The address read goes into the number box and opens the form.
(function () {
  "use strict";
  var form = document.querySelector("form[data-scan]");
  if (!form || !("BarcodeDetector" in window) || !navigator.mediaDevices) { return; }
  var start = form.querySelector("[data-scan-start]");
  var view = form.querySelector("[data-scan-view]");
  var video = form.querySelector("[data-scan-video]");
  var status = form.querySelector("[data-scan-status]");
  var box = form.querySelector("#number");
  var stream = null;

  function stop() {
    if (stream) { stream.getTracks().forEach(function (track) { track.stop(); }); }
    stream = null;
    view.hidden = true;
    box.focus();
  }

  window.BarcodeDetector.getSupportedFormats().then(function (formats) {
    if (formats.indexOf("qr_code") < 0) { return; }
    var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
    start.hidden = false;

    function look() {
      if (!stream) { return; }
      detector.detect(video).then(function (found) {
        if (found.length) {
          box.value = found[0].rawValue;
          stop();
          form.submit();
        } else {
          window.requestAnimationFrame(look);
        }
      }).catch(function () { window.requestAnimationFrame(look); });
    }

    start.addEventListener("click", function () {
      view.hidden = false;
      status.textContent = status.getAttribute("data-busy");
      navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } })
        .then(function (media) {
          stream = media;
          video.srcObject = media;
          return video.play();
        }).then(look)
        .catch(function () { status.textContent = status.getAttribute("data-refused"); });
    });
    form.querySelector("[data-scan-stop]").addEventListener("click", stop);
  }).catch(function () { /* no reader: the number is typed */ });
}());
