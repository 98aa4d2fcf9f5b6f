// The code step's resend countdown, live. Without this file the server has
// already rendered the button disabled with the seconds left; reloading shows it enabled.
(function () {
  "use strict";
  var note = document.getElementById("resend-countdown");
  var button = document.getElementById("resend");
  if (!note || !button) { return; }
  var seconds = parseInt(note.getAttribute("data-seconds"), 10);
  var template = note.getAttribute("data-template");
  if (!(seconds > 0)) { return; }
  var timer = window.setInterval(function () {
    seconds -= 1;
    if (seconds > 0) {
      note.textContent = seconds === 1 ? note.getAttribute("data-template-one") : template.replace("{seconds}", String(seconds));
      return;
    }
    window.clearInterval(timer);
    note.textContent = note.getAttribute("data-done");
    button.disabled = false;
    button.removeAttribute("aria-disabled");
    button.removeAttribute("aria-describedby");
  }, 1000);
})();
