/* The evaluation page's charts (ECharts, from /static/vendor): score bars per unit, the 12-month
   trend and the share of lights, drawn from the figures in #eval-charts[data-charts]. SVG without
   animation, so that printing shows them; tooltips as rich text, as the CSP admits no inline
   style in HTML. */
(function () {
  "use strict";

  var FONT = '"PingFang SC", "Hiragino Sans GB", "Noto Sans CJK SC", "Source Han Sans SC", ' +
    '"Microsoft YaHei", system-ui, sans-serif';
  var INK = "#1f2933", MUTED = "#5f6b7a", LINE = "#dde3ea";
  var LIGHT_COLOURS = {
    handled_on_time: "#1f8a4c",
    handled_late: "#dd8a4a",
    open_green: "#7fd1a0",
    open_yellow: "#f0b429",
    open_red: "#e53e3e",
    other: "#a0aec0"
  };
  var charts = [];

  function base() {
    return {
      animation: false,
      textStyle: { fontFamily: FONT, color: INK },
      tooltip: { renderMode: "richText", confine: true },
      aria: { enabled: true }
    };
  }

  function merge(into, extra) {
    Object.keys(extra).forEach(function (k) { into[k] = extra[k]; });
    return into;
  }

  function scores(el, data) {
    var n = data.values.length;
    // Best at the top: a horizontal bar per unit, its height growing with the units.
    el.style.height = Math.max(200, 30 * n + 60) + "px";
    var names = data.names.slice().reverse();
    var values = data.values.map(function (v, i) {
      return {
        value: v,
        itemStyle: { color: data.selected[i] ? "#14365f" : "#1f5fa8" }
      };
    }).reverse();
    var links = data.links.slice().reverse();
    var chart = draw(el, merge(base(), {
      grid: { left: 8, right: 56, top: 8, bottom: 24, containLabel: true },
      xAxis: { type: "value", min: 0, max: 100, splitLine: { lineStyle: { color: LINE } },
               axisLabel: { color: MUTED } },
      yAxis: { type: "category", data: names, axisLabel: { color: INK, width: 160,
               overflow: "truncate" }, axisTick: { show: false } },
      tooltip: { renderMode: "richText", trigger: "axis", axisPointer: { type: "shadow" } },
      series: [{
        type: "bar", name: data.label, data: values, barMaxWidth: 22,
        label: { show: true, position: "right", color: INK,
                 formatter: function (p) { return p.value.toFixed(2); } }
      }]
    }));
    chart.on("click", function (p) {
      if (links[p.dataIndex]) { window.location.href = links[p.dataIndex]; }
    });
  }

  function trend(el, data) {
    draw(el, merge(base(), {
      grid: { left: 8, right: 28, top: 40, bottom: 8, containLabel: true },
      legend: { top: 0, textStyle: { color: INK } },
      tooltip: { renderMode: "richText", trigger: "axis" },
      xAxis: { type: "category", data: data.months, boundaryGap: false,
               axisLabel: { color: MUTED, hideOverlap: true } },
      yAxis: { type: "value", min: 0, max: 100, splitLine: { lineStyle: { color: LINE } },
               axisLabel: { color: MUTED } },
      series: data.series.map(function (s, i) {
        return {
          type: "line", name: s.name, data: s.values, connectNulls: false,
          symbol: "circle", symbolSize: 6,
          lineStyle: { width: 2, type: i === 0 ? "solid" : "dashed" },
          itemStyle: { color: i === 0 ? "#1f5fa8" : "#1f8a4c" }
        };
      })
    }));
  }

  function lights(el, data) {
    draw(el, merge(base(), {
      tooltip: { renderMode: "richText", trigger: "item", formatter: "{b}: {c} ({d}%)" },
      series: [{
        type: "pie", radius: ["38%", "68%"], center: ["50%", "52%"],
        label: { color: INK, formatter: "{b}\n{c} ({d}%)" },
        data: data.map(function (part) {
          return { name: part.name, value: part.value,
                   itemStyle: { color: LIGHT_COLOURS[part.part] || "#a0aec0" } };
        })
      }]
    }));
  }

  function draw(el, option) {
    var chart = window.echarts.init(el, null, { renderer: "svg",
      locale: document.body.dataset.lang === "en" ? "EN" : "ZH" });
    chart.setOption(option);
    charts.push(chart);
    el.setAttribute("data-drawn", "true");
    return chart;
  }

  function resize() { charts.forEach(function (c) { c.resize(); }); }

  function start() {
    var block = document.getElementById("eval-charts");
    if (!block || !window.echarts) { return; }
    var data = JSON.parse(block.getAttribute("data-charts"));
    var makers = { scores: scores, trend: trend, lights: lights };
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var name = el.getAttribute("data-chart");
      if (makers[name] && data[name]) { makers[name](el, data[name]); }
    });
    document.querySelectorAll(".eval-nojs").forEach(function (el) { el.hidden = true; });
    document.querySelectorAll("[data-print]").forEach(function (el) {
      el.hidden = false;
      el.addEventListener("click", function () { window.print(); });
    });
    // Printing lays the page out anew: draw the charts at the printed width, and back.
    window.addEventListener("resize", resize);
    window.addEventListener("beforeprint", resize);
    window.addEventListener("afterprint", resize);
    if (window.matchMedia) {
      var print = window.matchMedia("print");
      if (print.addEventListener) { print.addEventListener("change", resize); }
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
