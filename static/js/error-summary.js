/* Move focus to a form's error summary when the page loads with errors, so keyboard and
   screen-reader users hear what went wrong first (the summary links to each field). */
(function () {
  "use strict";
  var summary = document.querySelector(".error-summary");
  if (summary) {
    summary.focus();
  }
})();
