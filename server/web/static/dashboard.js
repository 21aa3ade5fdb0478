// The dashboard: each canvas names an example query; run it on /sparql and draw the answer with Chart.js
// (and its sankey plugin for the flow), both installed from npm and served by this site.
(function () {
  "use strict";

  const KIND_COLOURS = {
    joining: "#2e8b57",
    departure: "#c0392b",
    suspension: "#d68910",
    retention: "#2874a6",
    consideration: "#7d3c98",
    campaign: "#148f77",
  };
  const LEVEL_COLOURS = {
    "federal level": "#1f5fa8",
    "state level": "#b7950b",
    "local level": "#6c3483",
    "supranational level": "#5d6d7e",
  };
  const PALETTE = ["#1f5fa8", "#d68910", "#2e8b57", "#c0392b", "#7d3c98", "#148f77", "#6b7585", "#b7950b"];
  const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "DejaVu Sans", sans-serif';

  function colour(name, index) {
    const key = String(name).toLowerCase();
    return KIND_COLOURS[key] || LEVEL_COLOURS[key] || PALETTE[index % PALETTE.length];
  }

  function value(binding) {
    return binding ? binding.value : "";
  }

  function runQuery(text) {
    return fetch("/sparql?query=" + encodeURIComponent(text), {
      headers: { Accept: "application/sparql-results+json" },
    }).then(function (response) {
      if (!response.ok) {
        return response.json().then(function (body) { throw new Error(body.error || response.statusText); });
      }
      return response.json();
    });
  }

  // Every month from the first to the last, so a timeline shows the quiet months too.
  function allMonths(labels) {
    const months = labels.filter(function (m) { return /^\d{4}-\d{2}$/.test(m); }).sort();
    if (!months.length) return labels;
    const result = [];
    let [year, month] = months[0].split("-").map(Number);
    const [lastYear, lastMonth] = months[months.length - 1].split("-").map(Number);
    while (year < lastYear || (year === lastYear && month <= lastMonth)) {
      result.push(year + "-" + String(month).padStart(2, "0"));
      month += 1;
      if (month > 12) { month = 1; year += 1; }
    }
    return result;
  }

  // Rows of (x, series, number) into Chart.js labels and datasets, categories in order of appearance.
  function pivot(rows, spec) {
    let labels = [];
    const series = [];
    const cells = {};
    rows.forEach(function (row) {
      const x = value(row[spec.x]);
      const s = spec.series ? value(row[spec.series]) : spec.title;
      if (!labels.includes(x)) labels.push(x);
      if (!series.includes(s)) series.push(s);
      cells[x + "\u0000" + s] = (cells[x + "\u0000" + s] || 0) + Number(value(row[spec.value]) || 0);
    });
    if (spec.timeline) labels = allMonths(labels);
    const datasets = series.map(function (s, index) {
      return {
        label: s,
        data: labels.map(function (x) { return cells[x + "\u0000" + s] || 0; }),
        backgroundColor: colour(s, index),
        borderWidth: 0,
        borderRadius: 3,
      };
    });
    return { labels: labels, datasets: datasets };
  }

  function barChart(canvas, rows, spec) {
    const horizontal = spec.type.startsWith("horizontal");
    const stacked = spec.type.includes("stacked");
    const data = pivot(rows, spec);
    if (horizontal) {
      canvas.parentElement.style.height = Math.max(240, data.labels.length * 26 + 70) + "px";
    }
    return new window.Chart(canvas, {
      type: "bar",
      data: data,
      options: {
        indexAxis: horizontal ? "y" : "x",
        maintainAspectRatio: false,
        animation: false,
        plugins: {
          legend: { display: data.datasets.length > 1, position: "bottom" },
          tooltip: { mode: "index", intersect: false },
        },
        scales: {
          x: { stacked: stacked, ticks: { precision: 0 }, grid: { display: horizontal } },
          y: { stacked: stacked, ticks: { precision: 0, autoSkip: !horizontal }, grid: { display: !horizontal } },
        },
      },
    });
  }

  function sankeyChart(canvas, rows, spec) {
    const flows = rows.map(function (row) {
      return { from: value(row[spec.x]), to: value(row[spec.series]), flow: Number(value(row[spec.value]) || 0) };
    });
    const nodes = [];
    flows.forEach(function (f) {
      if (!nodes.includes(f.from)) nodes.push(f.from);
      if (!nodes.includes(f.to)) nodes.push(f.to);
    });
    const nodeColour = function (name) {
      if (name.includes("departure")) return KIND_COLOURS.departure;
      if (name.includes("suspension")) return KIND_COLOURS.suspension;
      if (name.startsWith("no ")) return "#9aa3af";
      return PALETTE[nodes.indexOf(name) % PALETTE.length];
    };
    return new window.Chart(canvas, {
      type: "sankey",
      data: {
        datasets: [
          {
            label: spec.title,
            data: flows,
            colorFrom: function (c) { return nodeColour(c.dataset.data[c.dataIndex].from); },
            colorTo: function (c) { return nodeColour(c.dataset.data[c.dataIndex].to); },
            colorMode: "gradient",
            borderWidth: 0,
            size: "max",
            font: { family: FONT, size: 13 },
          },
        ],
      },
      options: { maintainAspectRatio: false, animation: false, plugins: { legend: { display: false } } },
    });
  }

  function numbersTable(slot, rows, spec) {
    const vars = [spec.x, spec.series, spec.value].filter(Boolean);
    const table = document.createElement("table");
    table.className = "data compact";
    const head = table.createTHead().insertRow();
    vars.forEach(function (name) {
      const th = document.createElement("th");
      th.textContent = name;
      head.appendChild(th);
    });
    const body = table.createTBody();
    rows.forEach(function (row) {
      const tr = body.insertRow();
      vars.forEach(function (name) { tr.insertCell().textContent = value(row[name]); });
    });
    slot.innerHTML = "";
    slot.appendChild(table);
  }

  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    const spec = JSON.parse(canvas.dataset.chart);
    const card = canvas.closest(".chart-card");
    const status = card.querySelector(".chart-status");
    const open = card.querySelector("a.open-query");
    if (open) open.href = "/?query=" + encodeURIComponent(spec.text);
    if (!window.Chart) {
      status.textContent = "The chart library is not installed (run `make install`); the numbers are below.";
    }
    runQuery(spec.text)
      .then(function (data) {
        const rows = data.results.bindings;
        numbersTable(card.querySelector(".table-slot"), rows, spec);
        if (!window.Chart) return;
        if (!rows.length) {
          status.textContent = "No data.";
          return;
        }
        const chart = spec.type === "sankey" ? sankeyChart(canvas, rows, spec) : barChart(canvas, rows, spec);
        canvas.dataset.drawn = "true";
        canvas.dataset.points = String(rows.length);
        status.textContent = "";
        canvas.chart = chart;
      })
      .catch(function (error) {
        status.textContent = "The query failed: " + error.message;
        status.classList.add("error");
      });
  });
})();
