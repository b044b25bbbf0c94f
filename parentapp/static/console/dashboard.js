/* The dashboard's charts: each `.chart[data-chart]` container is drawn with ECharts from
   the JSON in the <script type="application/json"> it names (rendered by the server from
   the statistics service). The table beside each chart holds the same numbers, so without
   this script (or ECharts) nothing is lost. Charts follow their container's width. */
(function () {
  "use strict";
  if (!window.echarts) return;

  var GREEN = "#1a7f37", RED = "#cf222e", BLUE = "#0550ae", GREY = "#57606a";
  var LINE_COLOURS = ["#0b6e4f", "#0550ae", "#9a6700", "#8250df"];

  // Numbers as the table beside the chart prints them: rates as "75.0%", and a float
  // figure keeps its ".0" (Python's str(3.0) is "3.0", JavaScript's is "3").
  function shown(value, spec) {
    if (value === null || value === undefined) return "—";
    if (spec.percent) return (value * 100).toFixed(1) + "%";
    return spec.float && Number.isInteger(value) ? value.toFixed(1) : String(value);
  }

  function barsOption(spec) {
    var target = spec.target;
    var data = spec.series[0].values.map(function (value) {
      var colour = value !== null && target !== null && value >= target ? GREEN : RED;
      return { value: value, itemStyle: { color: colour } };
    });
    return {
      animation: false,
      grid: { left: 8, right: 48, top: 28, bottom: 8, containLabel: true },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" },
                 valueFormatter: function (v) { return shown(v, spec); } },
      xAxis: { type: "value", axisLabel: { color: GREY } },
      yAxis: { type: "category", data: spec.categories, inverse: true,
               axisLabel: { color: "#1f2328", interval: 0 }, axisTick: { show: false } },
      series: [{
        type: "bar", name: spec.series[0].name, data: data, barMaxWidth: 16,
        label: { show: true, position: "right", color: "#1f2328",
                 formatter: function (p) { return shown(p.value, spec); } },
        markLine: target === null ? undefined : {
          symbol: "none", silent: true, data: [{ xAxis: target }],
          lineStyle: { color: BLUE, type: "dashed", width: 2 },
          label: { formatter: spec.target_label, color: BLUE, position: "start" }
        }
      }]
    };
  }

  function linesOption(spec) {
    return {
      animation: false,
      color: LINE_COLOURS,
      grid: { left: 8, right: 16, top: 48, bottom: 8, containLabel: true },
      legend: { top: 0, textStyle: { color: "#1f2328" } },
      tooltip: { trigger: "axis",
                 valueFormatter: function (v) { return shown(v, spec); } },
      xAxis: { type: "category", data: spec.categories, axisLabel: { color: GREY } },
      yAxis: { type: "value", min: 0, max: spec.percent ? 1 : null,
               axisLabel: { color: GREY,
                            formatter: function (v) { return shown(v, spec); } } },
      series: spec.series.map(function (s) {
        return { type: "line", name: s.name, data: s.values, connectNulls: false,
                 showSymbol: true };
      })
    };
  }

  // A bar per row needs room: 26 px a township, plus the axis and the target's label.
  function height(spec) {
    return spec.kind === "bars" ? spec.categories.length * 26 + 60 : 320;
  }

  var charts = [];
  document.querySelectorAll(".chart[data-chart]").forEach(function (container) {
    var source = document.getElementById(container.getAttribute("data-chart"));
    if (!source) return;
    var spec = JSON.parse(source.textContent);
    container.style.height = height(spec) + "px";
    var chart = window.echarts.init(container, null, { renderer: "canvas" });
    chart.setOption(spec.kind === "bars" ? barsOption(spec) : linesOption(spec));
    charts.push(chart);
    if (window.ResizeObserver) {
      new ResizeObserver(function () { chart.resize(); }).observe(container);
    }
  });
  window.addEventListener("resize", function () {
    charts.forEach(function (chart) { chart.resize(); });
  });
})();
