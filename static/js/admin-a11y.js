// Accessibility repairs to Django's admin widgets, applied as they appear.
//
// 1. Django's two-box "filter" widget (SelectFilter2) names its search icons with
//    aria-label on a plain <span>, which ARIA does not allow (axe-core:
//    aria-prohibited-attr): they get role="img", so the name is allowed and read out.
// 2. Fields point aria-describedby at help texts that are not on the page: a tabular
//    inline shows its help once, in the column header, not under each field; and the
//    row that "Add another …" copies still says "__prefix__". The "__prefix__" gets the
//    new row's number, as Django does for ids and names, and references to help that is
//    not there are dropped, so assistive technology is never sent to a missing element.
// 3. After "Add another …" focus stayed on the link and the next Tab skipped the new row:
//    focus moves to the new row's first field.
// 4. The search box of an autocomplete field (select2) is a combobox with no name of its
//    own (axe-core: aria-input-field-name): it takes the name of the field it stands for.
(function () {
  "use strict";
  function mendIcons() {
    document.querySelectorAll("span.help-tooltip[aria-label]:not([role])").forEach(function (icon) {
      icon.setAttribute("role", "img");
    });
    document.querySelectorAll(".select2-selection[role=combobox]:not([aria-label])").forEach(function (box) {
      var container = box.closest(".select2-container");
      var select = container && container.previousElementSibling;
      if (!select || select.tagName !== "SELECT") {
        return;
      }
      var label = select.labels && select.labels[0];
      var name = select.getAttribute("aria-label") || (label && label.textContent.replace(/:\s*$/, "").trim());
      if (name) {
        box.setAttribute("aria-label", name);
        var shown = box.querySelector("[role=textbox]:not([aria-label])");
        if (shown) {
          shown.setAttribute("aria-label", name + ", chosen");
        }
      }
    });
  }

  function mendReferences(root, index) {
    root.querySelectorAll("[aria-describedby]").forEach(function (field) {
      if (field.closest(".empty-form")) {
        return; // the template row itself: Django copies it for each new row
      }
      var ids = field.getAttribute("aria-describedby").split(/\s+/).map(function (id) {
        return index === undefined ? id : id.replace(/__prefix__/g, index);
      }).filter(function (id) {
        return id && document.getElementById(id);
      });
      if (ids.length) {
        field.setAttribute("aria-describedby", ids.join(" "));
      } else {
        field.removeAttribute("aria-describedby");
      }
    });
  }

  new MutationObserver(mendIcons).observe(document.documentElement, { childList: true, subtree: true });
  document.addEventListener("DOMContentLoaded", function () {
    mendReferences(document);
  });
  document.addEventListener("formset:added", function (event) {
    var row = event.target;
    var index = (row.id || "").split("-").pop();
    mendReferences(row, /^\d+$/.test(index) ? index : undefined);
    var first = row.querySelector("input:not([type=hidden]), select, textarea");
    if (first) {
      first.focus();
    }
  });
})();
