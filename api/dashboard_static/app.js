/* stratforge dashboard: draws the plotly figures a page embeds (data-figure), asks for a
   confirmation before a form marked data-confirm is sent, and reloads live pages
   (data-refresh on <body>) while no form field has the focus. No inline script anywhere. */
(function () {
  "use strict";
  var css = getComputedStyle(document.documentElement);
  function v(name) { return css.getPropertyValue(name).trim(); }

  function draw(el) {
    var fig;
    try { fig = JSON.parse(el.getAttribute("data-figure")); } catch (e) { return; }
    var layout = Object.assign({
      paper_bgcolor: "rgba(0,0,0,0)", plot_bgcolor: "rgba(0,0,0,0)",
      font: { color: v("--ink"), family: "system-ui, sans-serif", size: 12 },
      margin: { l: 56, r: 16, t: 40, b: 40 }, legend: { orientation: "h", y: -0.15 },
      hovermode: "x unified"
    }, fig.layout || {});
    ["xaxis", "yaxis"].forEach(function (axis) {
      layout[axis] = Object.assign({ gridcolor: v("--line"), zerolinecolor: v("--line") },
                                   layout[axis] || {});
    });
    if (layout.title && layout.title.text) { layout.title.font = { size: 14 }; layout.title.x = 0.01; }
    if (window.Plotly) {
      var narrow = window.innerWidth < 640;  // a phone: no tool bar over the title
      window.Plotly.newPlot(el, fig.data, layout,
                            { responsive: true, displaylogo: false, displayModeBar: !narrow });
      el.setAttribute("data-drawn", "yes");
    }
  }

  function confirmForms() {
    document.querySelectorAll("form[data-confirm]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (!window.confirm(form.getAttribute("data-confirm"))) {
          event.preventDefault();
          return;
        }
        var field = form.querySelector("input[name=confirmed]");
        if (field) { field.value = "yes"; }
      });
    });
  }

  function refresh() {
    var seconds = parseFloat(document.body.getAttribute("data-refresh") || "0");
    if (!seconds) { return; }
    setInterval(function () {
      var active = document.activeElement;
      if (active && active.closest && active.closest("form")) { return; }
      window.location.reload();
    }, seconds * 1000);
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-figure]").forEach(draw);
    confirmForms();
    refresh();
  });
})();
