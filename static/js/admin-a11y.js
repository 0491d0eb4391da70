// Django's two-box "filter" widget (SelectFilter2) names its search icons with aria-label
// on a plain <span>, which ARIA does not allow (axe-core: aria-prohibited-attr). The widget
// is built on window load; as its icons appear they get role="img", so the name is allowed
// and read out.
(function () {
  "use strict";
  function mend() {
    document.querySelectorAll("span.help-tooltip[aria-label]:not([role])").forEach(function (icon) {
      icon.setAttribute("role", "img");
    });
  }
  new MutationObserver(mend).observe(document.documentElement, { childList: true, subtree: true });
})();
