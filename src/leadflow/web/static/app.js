// Leadflow pages: charts drawn from the JSON beside them, and confirmations before
// destructive actions. No inline scripts: the Content-Security-Policy forbids them.
(function () {
  "use strict";

  var COLOURS = ["#0b5cad", "#c2570c", "#2f7d32", "#8a94a6"];

  function tooltip(data) {
    // The table's own figures ("15 hr 27 min", "42 %"), not the axis's plotted numbers.
    return function (items) {
      var list = Array.isArray(items) ? items : [items];
      var index = list[0].dataIndex;
      return [data.labels[index]].concat(list.map(function (item) {
        return item.marker + item.seriesName + ": " + data.series[item.seriesIndex].shown[index];
      })).join("<br>");
    };
  }

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
    var line = data.kind === "line";
    var several = data.series.length > 1;
    var category = {
      type: "category",
      data: data.labels,
      inverse: !line,
      axisLabel: { color: "#333", hideOverlap: true },
    };
    var value = {
      type: "value",
      name: data.axis,
      nameLocation: "middle",
      nameGap: line ? 40 : 28,
      nameTextStyle: { color: "#333" },
      minInterval: data.whole ? 1 : 0,
    };
    var chart = echarts.init(element, null, { renderer: "svg" });
    chart.setOption({
      animation: false,
      aria: { enabled: true },
      grid: { left: line ? 48 : 8, right: 24, top: several ? 32 : 12, bottom: line ? 24 : 36, containLabel: true },
      tooltip: { trigger: line ? "axis" : "item", formatter: tooltip(data), axisPointer: { type: line ? "line" : "shadow" } },
      legend: several ? { top: 0 } : undefined,
      xAxis: line ? category : value,
      yAxis: line ? value : category,
      series: data.series.map(function (series, i) {
        return {
          name: series.name,
          type: line ? "line" : "bar",
          data: series.values,
          connectNulls: false,
          showSymbol: data.labels.length <= 45,
          itemStyle: { color: COLOURS[i % COLOURS.length] },
          label: line ? undefined : { show: true, position: "right", color: "#222", formatter: function (p) { return series.shown[p.dataIndex]; } },
          cursor: data.links && data.links.some(Boolean) ? "pointer" : "default",
        };
      }),
    });
    // Drill-down: a bar or a point opens the list of the leads behind it.
    chart.on("click", function (params) {
      var link = data.links && data.links[params.dataIndex];
      if (link) {
        window.location.href = link;
      }
    });
    element.leadflowChart = chart;
  }

  function showTab(root, key) {
    var panels = root.querySelectorAll("[data-panel]");
    if (!panels.length) {
      return;
    }
    var found = Array.prototype.some.call(panels, function (panel) { return panel.dataset.panel === key; });
    if (!found) {
      key = panels[0].dataset.panel;
    }
    panels.forEach(function (panel) {
      panel.hidden = panel.dataset.panel !== key;
    });
    root.querySelectorAll("[data-tab]").forEach(function (tab) {
      tab.setAttribute("aria-selected", tab.dataset.tab === key ? "true" : "false");
    });
    root.querySelectorAll("[data-panel='" + key + "'] [data-chart]").forEach(function (element) {
      if (element.leadflowChart) {
        element.leadflowChart.resize();
      } else {
        drawChart(element);
      }
    });
  }

  function setUpTabs(root) {
    if (!root.querySelector("[data-tab]")) {
      return;
    }
    showTab(document, (window.location.hash || "").replace("#tab-", ""));
  }

  document.addEventListener("click", function (event) {
    var tab = event.target.closest && event.target.closest("[data-tab]");
    if (!tab) {
      return;
    }
    event.preventDefault();
    history.replaceState(null, "", "#tab-" + tab.dataset.tab);
    showTab(document, tab.dataset.tab);
  });

  function drawCharts(root) {
    setUpTabs(root);
    root.querySelectorAll("[data-chart]").forEach(function (element) {
      // Charts in a hidden tab are drawn when it is shown (they need its width).
      if (!element.closest("[hidden]")) {
        drawChart(element);
      }
    });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  });

  // The navigation's menus are <details>: they work without this. With it, one is open at a
  // time, and a click elsewhere or Escape closes it (Escape gives the focus back to its label).
  function closeMenus(except) {
    document.querySelectorAll("details.nav-menu[open]").forEach(function (menu) {
      if (menu !== except) {
        menu.open = false;
      }
    });
  }

  document.addEventListener("toggle", function (event) {
    var menu = event.target;
    if (menu.matches && menu.matches("details.nav-menu") && menu.open) {
      closeMenus(menu);
    }
  }, true);

  document.addEventListener("click", function (event) {
    if (!(event.target.closest && event.target.closest("details.nav-menu"))) {
      closeMenus(null);
    }
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") {
      return;
    }
    var menu = event.target.closest && event.target.closest("details.nav-menu[open]");
    closeMenus(null);
    if (menu) {
      menu.querySelector("summary").focus();
    }
  });

  window.addEventListener("hashchange", function () {
    setUpTabs(document);
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
