// The chart view: bars, stacked bars or a line from a label column and one or more columns of numbers, or
// one column of numbers split by a further column (a count per month and kind). The columns are chosen from
// the answer and can be changed; Chart.js (from npm, served by this site) is loaded the first time it draws.
(function () {
  "use strict";

  const { terms, dom, config } = window.Workbench;
  const MAX_LABELS = 500;
  const MAX_SERIES = 12;
  const KIND_COLOURS = {
    joining: "#2e8b57", departure: "#c0392b", suspension: "#d68910", retention: "#2874a6",
    consideration: "#7d3c98", campaign: "#148f77",
  };
  const PALETTE = ["#1f5fa8", "#d68910", "#2e8b57", "#c0392b", "#7d3c98", "#148f77", "#6b7585", "#b7950b",
    "#5dade2", "#e59866", "#58d68d", "#af7ac5"];
  const TIME_TEXT = /^\d{4}(-\d{2}){0,2}$/; // a month or day written as text, as SUBSTR(STR(?date), 1, 7) gives
  let chart = null;
  let loading = null;

  function colour(name, index) {
    return KIND_COLOURS[String(name).toLowerCase()] || PALETTE[index % PALETTE.length];
  }

  /** Chart.js, loaded once and only when a chart is drawn: most answers are read as tables. */
  function loadChartJs() {
    if (window.Chart) return Promise.resolve(window.Chart);
    if (!config.scripts || !config.scripts.chart) return Promise.reject(new Error("Chart.js is not installed (run `npm ci`)"));
    if (!loading) {
      loading = new Promise(function (resolve, reject) {
        const script = document.createElement("script");
        script.src = config.scripts.chart;
        script.onload = function () { resolve(window.Chart); };
        script.onerror = function () { loading = null; reject(new Error("Chart.js could not be loaded")); };
        document.head.appendChild(script);
      });
    }
    return loading;
  }

  function isTimeColumn(answer, name) {
    return answer.rows.every(function (row) {
      const term = row[name];
      return !term || terms.isTemporal(term) || (terms.isLiteral(term) && TIME_TEXT.test(term.value));
    }) && answer.rows.some(function (row) { return row[name]; });
  }

  function distinct(answer, name) {
    const seen = new Set();
    answer.rows.forEach(function (row) { seen.add(terms.display(row[name])); });
    return seen.size;
  }

  function columns(answer) {
    const numbers = terms.columnsWhere(answer, terms.isNumeric);
    return { numbers: numbers, labels: answer.vars.filter(function (name) { return !numbers.includes(name); }) };
  }

  /** Why the chart view cannot draw this answer, or null when it can. */
  function fit(answer) {
    if (answer.kind === "ask") return "An ASK answer is one yes or no; the chart view has nothing to draw.";
    if (answer.kind === "graph") return "The chart view draws SELECT answers; this one is a graph, shown as a table of its triples.";
    if (!answer.rows.length) return "The answer has no rows to draw.";
    if (!columns(answer).numbers.length) {
      return "The chart view needs a column of numbers (such as COUNT(?event) AS ?events); this answer has none, so here is the table.";
    }
    return null;
  }

  /** The columns and kind of chart this answer suggests: time on the axis draws a line, else bars. */
  function suggest(answer) {
    const { numbers, labels } = columns(answer);
    const x = labels.find(function (name) { return isTimeColumn(answer, name); }) ||
      labels.find(function (name) { return /label$/i.test(name); }) || labels[0] || "";
    let by = "";
    if (numbers.length === 1 && x && distinct(answer, x) < answer.rows.length) {
      by = labels.find(function (name) {
        if (name === x) return false;
        const n = distinct(answer, name);
        return n >= 2 && n <= MAX_SERIES;
      }) || "";
    }
    const time = x && isTimeColumn(answer, x);
    return {
      chart: by ? "stacked" : time ? "line" : "bar",
      x: x,
      y: by ? [numbers[0]] : numbers.slice(0, 4),
      by: by,
    };
  }

  /** The options as given (from the URL or the controls) where they fit this answer, else the suggestion. */
  function settle(answer, options) {
    const { numbers, labels } = columns(answer);
    const suggested = suggest(answer);
    const chosen = {
      chart: ["bar", "stacked", "line"].includes(options.chart) ? options.chart : suggested.chart,
      x: options.x === "" || labels.includes(options.x) ? options.x : suggested.x,
      y: (options.y || []).filter(function (name) { return numbers.includes(name); }),
      by: labels.includes(options.by) ? options.by : options.by === "" ? "" : suggested.by,
    };
    if (options.x === undefined) chosen.x = suggested.x;
    if (!chosen.y.length) chosen.y = suggested.y;
    if (chosen.by === chosen.x) chosen.by = "";
    return chosen;
  }

  /**
   * Every month (or year) from the first label to the last, so quiet months show as gaps on the axis rather
   * than vanish; only where all labels are months (2024-05) or all are years.
   */
  function fillGaps(labels, position) {
    const months = labels.every(function (l) { return /^\d{4}-\d{2}$/.test(l); });
    const years = labels.every(function (l) { return /^\d{4}$/.test(l); });
    if (!labels.length || (!months && !years)) return;
    const step = function (label) {
      if (years) return String(Number(label) + 1);
      let [y, m] = label.split("-").map(Number);
      m += 1;
      if (m > 12) { m = 1; y += 1; }
      return y + "-" + String(m).padStart(2, "0");
    };
    const all = [];
    for (let label = labels[0]; label <= labels[labels.length - 1] && all.length < 5000; label = step(label)) all.push(label);
    labels.splice(0, labels.length, ...all);
    labels.forEach(function (label, index) { position.set(label, index); });
  }

  /** Labels and datasets: values summed where a label repeats; time labels in time order, others as answered. */
  function dataFor(answer, chosen) {
    const labelOf = function (row, index) { return chosen.x ? terms.display(row[chosen.x]) : String(index + 1); };
    const labels = [];
    const position = new Map();
    const timeOf = new Map();
    answer.rows.forEach(function (row, index) {
      const label = labelOf(row, index);
      if (!position.has(label)) {
        position.set(label, labels.length);
        labels.push(label);
        const term = chosen.x ? row[chosen.x] : null;
        timeOf.set(label, term && terms.isTemporal(term) ? terms.timeOf(term) : label);
      }
    });
    const time = chosen.x && isTimeColumn(answer, chosen.x);
    if (time) {
      labels.sort(function (a, b) {
        const ta = timeOf.get(a);
        const tb = timeOf.get(b);
        return typeof ta === "number" && typeof tb === "number" ? ta - tb : String(ta).localeCompare(String(tb));
      });
      labels.forEach(function (label, index) { position.set(label, index); });
    }
    if (time) fillGaps(labels, position);
    const shown = labels.slice(0, MAX_LABELS);
    const series = [];
    const values = new Map();
    const add = function (name, label, value) {
      if (!values.has(name)) { values.set(name, new Array(shown.length).fill(0)); series.push(name); }
      const at = position.get(label);
      if (at < shown.length && !Number.isNaN(value)) values.get(name)[at] += value;
    };
    answer.rows.forEach(function (row, index) {
      const label = labelOf(row, index);
      if (chosen.by) {
        const name = row[chosen.by] ? terms.display(row[chosen.by]) : "(none)";
        add(name, label, terms.numberOf(row[chosen.y[0]]));
      } else {
        chosen.y.forEach(function (name) { add("?" + name, label, terms.numberOf(row[name])); });
      }
    });
    const datasets = series.slice(0, chosen.by ? MAX_SERIES : series.length).map(function (name, index) {
      const c = colour(name.replace(/^\?/, ""), index);
      return {
        label: name,
        data: values.get(name),
        backgroundColor: c,
        borderColor: c,
        borderWidth: chosen.chart === "line" ? 2 : 0,
        pointRadius: chosen.chart === "line" && shown.length > 60 ? 0 : 3,
        borderRadius: chosen.chart === "line" ? 0 : 2,
        tension: 0.15,
      };
    });
    return { labels: shown, datasets: datasets, total: labels.length, series: series.length, time: time };
  }

  function controls(answer, chosen, change) {
    const { numbers, labels } = columns(answer);
    const bar = dom.element("div", "view-controls");
    bar.appendChild(dom.select("chart-type", "Chart", [["bar", "Bars"], ["stacked", "Stacked bars"], ["line", "Line"]],
      chosen.chart, function (value) { change({ chart: value }); }));
    bar.appendChild(dom.select("chart-x", "Labels", [["", "row number"]].concat(labels.map(function (n) { return [n, "?" + n]; })),
      chosen.x, function (value) { change({ x: value }); }));
    const values = dom.element("fieldset", "control values");
    values.appendChild(dom.element("legend", "", "Values"));
    numbers.forEach(function (name) {
      const label = dom.element("label", "");
      const box = document.createElement("input");
      box.type = "checkbox";
      box.value = name;
      box.checked = chosen.y.includes(name);
      box.addEventListener("change", function () {
        const picked = [...values.querySelectorAll("input:checked")].map(function (b) { return b.value; });
        if (picked.length) change({ y: picked });
        else box.checked = true; // a chart needs one column of numbers
      });
      label.appendChild(box);
      label.appendChild(document.createTextNode(" ?" + name));
      values.appendChild(label);
    });
    bar.appendChild(values);
    bar.appendChild(dom.select("chart-by", "Split by", [["", "nothing"]].concat(
      labels.filter(function (n) { return n !== chosen.x; }).map(function (n) { return [n, "?" + n]; })),
    chosen.by, function (value) { change({ by: value }); }));
    return bar;
  }

  function cssColour(name, fallback) {
    return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;
  }

  function dispose() {
    if (chart) { chart.destroy(); chart = null; }
  }

  function render(panel, answer, options, change) {
    dispose();
    const chosen = settle(answer, options);
    panel.appendChild(controls(answer, chosen, change));
    const data = dataFor(answer, chosen);
    const notes = [];
    if (data.total > data.labels.length) notes.push("The chart shows the first " + dom.count(data.labels.length) + " of " + dom.count(data.total) + " labels.");
    if (chosen.by && data.series > MAX_SERIES) notes.push("It shows " + MAX_SERIES + " of the " + data.series + " values of ?" + chosen.by + ".");
    if (chosen.by && chosen.y.length > 1) notes.push("Split by ?" + chosen.by + ", the chart draws ?" + chosen.y[0] + " only.");
    if (notes.length) panel.appendChild(dom.note(notes.join(" ")));

    const horizontal = chosen.chart !== "line" && !data.time &&
      (data.labels.length > 16 || data.labels.some(function (label) { return label.length > 24; }));
    const frame = dom.element("div", "chart-view");
    // the frame's height is set through the DOM's style property, which the page's policy allows
    frame.style.height = horizontal ? Math.max(320, data.labels.length * 22 + 80) + "px" : "26rem";
    const canvas = document.createElement("canvas");
    canvas.setAttribute("role", "img");
    const what = chosen.by ? "?" + chosen.y[0] + " by ?" + chosen.by : chosen.y.map(function (n) { return "?" + n; }).join(", ");
    canvas.setAttribute("aria-label", { bar: "Bar chart", stacked: "Stacked bar chart", line: "Line chart" }[chosen.chart] +
      " of " + what + " per " + (chosen.x ? "?" + chosen.x : "row"));
    canvas.dataset.points = String(data.datasets.reduce(function (n, set) { return n + set.data.length; }, 0));
    canvas.dataset.type = chosen.chart;
    frame.appendChild(canvas);
    panel.appendChild(frame);

    loadChartJs().then(function (Chart) {
      if (!canvas.isConnected) return; // another answer or view came first
      const ink = cssColour("--ink-soft", "#4a5566");
      const grid = cssColour("--line", "#d9dfe7");
      const stacked = chosen.chart === "stacked";
      const axis = { stacked: stacked, ticks: { color: ink }, grid: { color: grid } };
      chart = new Chart(canvas, {
        type: chosen.chart === "line" ? "line" : "bar",
        data: { labels: data.labels, datasets: data.datasets },
        options: {
          animation: false,
          responsive: true,
          maintainAspectRatio: false,
          indexAxis: horizontal ? "y" : "x",
          scales: {
            x: Object.assign({}, axis, horizontal ? { beginAtZero: true } : {}),
            y: Object.assign({}, axis, horizontal ? {} : { beginAtZero: true }),
          },
          plugins: {
            legend: { display: data.datasets.length > 1, labels: { color: ink } },
            tooltip: { mode: "index", intersect: false },
          },
        },
      });
      canvas.dataset.drawn = "true";
    }).catch(function (error) {
      frame.replaceChildren(dom.note(String(error.message || error)));
    });
  }

  window.Workbench.views = window.Workbench.views || {};
  window.Workbench.views.chart = Object.freeze({ label: "Chart", fit: fit, render: render, dispose: dispose });
})();
