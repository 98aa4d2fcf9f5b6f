// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";

  // The first place a field's own input can take focus: the input itself, or the
  // first option of a choice list (a fieldset carries the field's id).
  function focusTarget(element) {
    if (element && element.tagName === "FIELDSET") {
      return element.querySelector("input, select, textarea");
    }
    return element;
  }

  var summary = document.getElementById("error-summary");
  if (summary) {
    // Focus the summary so keyboard and screen-reader users hear every error first;
    // its links then move focus into the field they name (a plain #link only scrolls).
    summary.focus();
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      if (!link) { return; }
      var target = focusTarget(document.getElementById(link.getAttribute("href").slice(1)));
      if (target) {
        event.preventDefault();
        target.focus();
        target.scrollIntoView({ block: "center" });
      }
    });
  } else {
    // No summary (a form that shows one error only): focus the first invalid field.
    var invalid = document.querySelector("[aria-invalid='true']");
    if (invalid) { invalid.focus(); }
  }
})();
