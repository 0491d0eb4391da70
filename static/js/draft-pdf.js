// While a draft PDF is being made: ask every two seconds whether it is ready, then start
// the download and say so. After two minutes, stop and say what to do.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var box = document.querySelector(".draft-pdf-progress[data-status-url]");
    if (!box) {
      return;
    }
    var message = box.querySelector(".draft-pdf-progress__message");
    var started = Date.now();
    function say(text, link) {
      message.textContent = text + " ";
      if (link) {
        var a = document.createElement("a");
        a.href = link;
        a.textContent = "Download it";
        message.appendChild(a);
        message.appendChild(document.createTextNode("."));
      }
    }
    function check() {
      fetch(box.dataset.statusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.json(); })
        .then(function (status) {
          if (status.ready) {
            say("The draft PDF is ready and is downloading. If it does not,", status.download);
            window.location.assign(status.download);
          } else if (Date.now() - started > 120000) {
            say("The draft PDF is taking longer than it should. Make a new one below, or ask an administrator to look at the workers.");
          } else {
            window.setTimeout(check, 2000);
          }
        })
        .catch(function () { window.setTimeout(check, 4000); });
    }
    window.setTimeout(check, 1000);
  });
})();
