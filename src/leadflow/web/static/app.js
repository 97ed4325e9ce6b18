// Leadflow pages: charts drawn from the JSON beside them, and confirmations before
// destructive actions. No inline scripts: the Content-Security-Policy forbids them.
(function () {
  "use strict";

  function drawChart(element) {
    if (typeof echarts === "undefined") {
      return;
    }
    var source = document.getElementById(element.dataset.chart);
    if (!source) {
      return;
    }
    var data = JSON.parse(source.textContent);
    var existing = echarts.getInstanceByDom(element);
    if (existing) {
      existing.dispose();
    }
    var chart = echarts.init(element, null, { renderer: "svg" });
    chart.setOption({
      animation: false,
      aria: { enabled: true },
      // Room above the bars for the legend when there is one.
      grid: { left: 8, right: 24, top: data.more && data.more.length ? 32 : 8, bottom: 8, containLabel: true },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: {
        type: "category",
        inverse: true,
        data: data.labels,
        axisLabel: { color: "#333" },
      },
      legend: data.more && data.more.length ? { top: 0 } : undefined,
      series: [
        {
          name: data.series,
          type: "bar",
          data: data.values,
          itemStyle: { color: "#0b5cad" },
          label: { show: true, position: "right", color: "#222" },
        },
      ].concat(
        (data.more || []).map(function (more) {
          // A further series (e.g. a target beside the actual figure), in a muted colour.
          return {
            name: more.name,
            type: "bar",
            data: more.values,
            itemStyle: { color: "#8a94a6" },
            label: { show: true, position: "right", color: "#222" },
          };
        })
      ),
    });
    element.leadflowChart = chart;
  }

  function drawCharts(root) {
    root.querySelectorAll("[data-chart]").forEach(drawChart);
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  });

  window.addEventListener("resize", function () {
    document.querySelectorAll("[data-chart]").forEach(function (element) {
      if (element.leadflowChart) {
        element.leadflowChart.resize();
      }
    });
  });

  document.addEventListener("DOMContentLoaded", function () {
    drawCharts(document);
    if (typeof htmx !== "undefined") {
      htmx.onLoad(function (content) {
        drawCharts(content);
      });
    }
  });
})();
