/* Draw each report chart with Chart.js from its frozen data.

   Every <canvas data-chart-url> on the page asks the portal for its Chart.js JSON
   ({data, options, meta}: reports.views.ReportChartView) and draws it. No inline script
   is needed, so the page runs under a strict Content Security Policy. The canvas has an
   accessible name, and the "Show the figures" table beside it carries the same numbers,
   so a chart that cannot load loses nothing but the picture. */
(function () {
  "use strict";

  var reduceMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;

  function formatter(meta) {
    var decimals = meta && typeof meta.decimals === "number" ? meta.decimals : 0;
    var unit = meta ? meta.unit : "";
    var number = new Intl.NumberFormat("en-GB", {
      minimumFractionDigits: decimals,
      maximumFractionDigits: decimals
    });
    return function (value) {
      if (value === null || value === undefined || isNaN(value)) {
        return "no figure";
      }
      var text = number.format(value);
      if (unit === "percent") { return text + "%"; }
      if (unit === "currency") { return "£" + text; }
      return text;
    };
  }

  function showProblem(canvas, message) {
    var holder = canvas.parentNode;
    var note = document.createElement("p");
    note.className = "chart__problem";
    note.textContent = message;
    holder.parentNode.insertBefore(note, holder.nextSibling);
    holder.hidden = true;
  }

  function draw(canvas, chart) {
    var format = formatter(chart.meta);
    var options = chart.options || {};
    options.animation = reduceMotion ? false : options.animation;
    options.plugins = options.plugins || {};
    options.plugins.tooltip = {
      callbacks: {
        label: function (ctx) {
          return ctx.dataset.label + ": " + format(ctx.parsed.y);
        }
      }
    };
    options.scales = options.scales || {};
    options.scales.y = options.scales.y || {};
    options.scales.y.ticks = { callback: function (value) { return format(value); } };
    // eslint-disable-next-line no-undef
    var instance = new Chart(canvas, { type: "line", data: chart.data, options: options });
    canvas.setAttribute("data-chart-drawn", "true");
    return instance;
  }

  function load(canvas) {
    var url = canvas.getAttribute("data-chart-url");
    return fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      })
      .then(function (chart) { draw(canvas, chart); })
      .catch(function () {
        showProblem(canvas, "The chart could not be loaded. The figures are in the table below.");
      });
  }

  function start() {
    if (typeof window.Chart === "undefined" || !window.fetch) {
      return; // The tables carry the figures.
    }
    window.Chart.defaults.font.family = '"Liberation Sans", Arial, Helvetica, sans-serif';
    window.Chart.defaults.color = "#0b0c0c";
    var canvases = document.querySelectorAll("canvas[data-chart-url]");
    Array.prototype.forEach.call(canvases, load);
  }

  // Printed pages carry every figure: open the tables for printing, close them again after
  // (older browsers do not let CSS show the content of a closed <details>).
  var openedForPrint = [];
  window.addEventListener("beforeprint", function () {
    openedForPrint = Array.prototype.filter.call(
      document.querySelectorAll("details.chart__data:not([open])"),
      function (d) { d.open = true; return true; }
    );
  });
  window.addEventListener("afterprint", function () {
    openedForPrint.forEach(function (d) { d.open = false; });
    openedForPrint = [];
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
