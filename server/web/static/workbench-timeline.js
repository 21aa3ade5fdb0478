// The timeline view: one mark per row on a date axis, from a column of xsd:date or xsd:dateTime values. Where
// the answer has bounds (?notBefore and ?notAfter, as gs:notBefore and gs:notAfter give for an event the
// source dates only roughly) or a period (?start and ?end), they are drawn as ranges, so an uncertain date
// looks uncertain. Marks are packed into as few lanes as their labels allow; drawn in SVG, no library.
(function () {
  "use strict";

  const { terms, dom } = window.Workbench;
  const MAX_ITEMS = 1500;
  const LANE = 22;
  const AXIS = 34;
  const MARGIN = 12;
  const DAY = 86400000;
  const KINDS = ["joining", "departure", "suspension", "retention", "consideration", "campaign"];
  const LOWER_BOUND = /^(notBefore|earliest)$/i;
  const UPPER_BOUND = /^(notAfter|latest)$/i;
  const PERIOD_START = /^(start|begin|from|since)$/i;
  const PERIOD_END = /^(end|until|to)$/i;
  const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  let measure = null;

  function textWidth(text) {
    if (!measure) {
      measure = document.createElement("canvas").getContext("2d");
      measure.font = "12px " + getComputedStyle(document.body).fontFamily;
    }
    return measure.measureText(text).width;
  }

  function find(names, pattern) { return names.find(function (name) { return pattern.test(name); }) || ""; }

  /** Which columns hold what: the point in time, the bounds or period, the label, the link, the kind. */
  function roles(answer, options) {
    const dates = terms.columnsWhere(answer, terms.isTemporal);
    const low = find(dates, LOWER_BOUND) || find(dates, PERIOD_START);
    const high = find(dates, UPPER_BOUND) || find(dates, PERIOD_END);
    const period = !find(dates, LOWER_BOUND) && !find(dates, UPPER_BOUND);
    const points = dates.filter(function (name) { return name !== low && name !== high; });
    let date = options.date !== undefined && (options.date === "" || dates.includes(options.date)) ? options.date : null;
    if (date === null) date = points.find(function (name) { return /^date$/i.test(name); }) || points[0] || (low || high ? "" : dates[0]);
    const others = answer.vars.filter(function (name) { return !dates.includes(name); });
    const literal = function (name) { return answer.rows.some(function (row) { return terms.isLiteral(row[name]); }); };
    const iri = function (name) { return answer.rows.some(function (row) { return row[name] && row[name].type === "uri"; }); };
    let label = options.label !== undefined && others.includes(options.label) ? options.label : null;
    if (label === null) {
      label = others.find(function (name) { return /label$/i.test(name) && literal(name); }) ||
        others.find(function (name) { return literal(name) && !/^kind$/i.test(name) && !terms.columnsWhere(answer, terms.isNumeric).includes(name); }) ||
        others.find(iri) || "";
    }
    const link = others.find(function (name) { return label && name === label.replace(/label$/i, "") && iri(name); }) ||
      others.find(iri) || "";
    const kind = others.find(function (name) { return /^(kind|type|class)$/i.test(name); }) || "";
    return { dates: dates, date: date, low: low, high: high, period: period, label: label, link: link, kind: kind, others: others };
  }

  /** Why the timeline cannot draw this answer, or null when it can. */
  function fit(answer) {
    if (answer.kind !== "select") return "The timeline draws SELECT answers with a column of dates; this answer is not one.";
    if (!terms.columnsWhere(answer, terms.isTemporal).length) {
      return "The timeline needs a column of dates (xsd:date or xsd:dateTime values); this answer has none, so here is the table.";
    }
    return null;
  }

  function kindClass(value, kinds) {
    const lower = String(value || "").toLowerCase();
    const known = KINDS.find(function (kind) { return lower === kind || lower.endsWith(":" + kind) || lower === "gs:" + kind; });
    if (known) return "tl-kind-" + known;
    if (!value) return "tl-series-0";
    if (!kinds.has(lower)) kinds.set(lower, kinds.size);
    return "tl-series-" + (kinds.get(lower) % 8);
  }

  /** The rows as marks: a point, a range between bounds, or a bound alone; rows with no date are counted. */
  function items(answer, role) {
    const kinds = new Map();
    const list = [];
    let undated = 0;
    let fellBack = 0;
    const fallbacks = role.dates.filter(function (name) { return name !== role.date && name !== role.low && name !== role.high; });
    answer.rows.forEach(function (row, index) {
      let pointColumn = role.date;
      let point = role.date ? terms.timeOf(row[role.date]) : NaN;
      let fallback = false;
      if (Number.isNaN(point) && role.date) { // no ?date: drawn hollow at the next date column the row has
        pointColumn = fallbacks.find(function (name) { return row[name]; }) || "";
        point = pointColumn ? terms.timeOf(row[pointColumn]) : NaN;
        fallback = !!pointColumn;
      }
      const low = role.low ? terms.timeOf(row[role.low]) : NaN;
      let high = role.high ? terms.timeOf(row[role.high]) : NaN;
      if (!Number.isNaN(high) && row[role.high].datatype.endsWith("#date")) high += DAY; // a day bound includes its day
      if (!Number.isNaN(low) || !Number.isNaN(high)) { // the bounds say more than another column's date
        if (fallback) { point = NaN; fallback = false; }
      }
      if (Number.isNaN(point) && Number.isNaN(low) && Number.isNaN(high)) { undated += 1; return; }
      if (fallback) fellBack += 1;
      const known = [point, low, high].filter(function (t) { return !Number.isNaN(t); });
      const label = role.label ? terms.display(row[role.label]) : "row " + (index + 1);
      const kindValue = role.kind ? terms.display(row[role.kind]) : "";
      const lines = [label];
      if (!Number.isNaN(point)) lines.push("?" + pointColumn + " " + row[pointColumn].value);
      if (!Number.isNaN(low)) lines.push("?" + role.low + " " + row[role.low].value);
      if (!Number.isNaN(high)) lines.push("?" + role.high + " " + row[role.high].value);
      if (kindValue) lines.push(kindValue);
      role.others.forEach(function (name) {
        if (name !== role.label && name !== role.kind && row[name] && terms.isLiteral(row[name])) lines.push("?" + name + " " + row[name].value);
      });
      list.push({
        point: point,
        low: low,
        high: high,
        start: Math.min.apply(null, known),
        end: Math.max.apply(null, known),
        label: label,
        title: lines.join("\n"),
        link: role.link && row[role.link] && row[role.link].type === "uri" ? row[role.link].value : "",
        kind: kindValue,
        kindClass: kindClass(kindValue, kinds),
        fallback: fallback,
      });
    });
    list.sort(function (a, b) { return a.start - b.start || a.end - b.end; });
    return { list: list, undated: undated, fellBack: fellBack, fallbacks: fallbacks };
  }

  /** Calendar ticks at least `spacing` pixels apart: days, weeks, months, quarters, years or decades. */
  function ticks(from, to, pixels, spacing) {
    const perPixel = (to - from) / pixels;
    const steps = [[1, 0], [7, 0], [0, 1], [0, 3], [0, 6], [0, 12], [0, 24], [0, 60], [0, 120]];
    const step = steps.find(function (s) { return (s[0] * DAY + s[1] * 30.44 * DAY) / perPixel >= spacing; }) || steps[steps.length - 1];
    const result = [];
    const start = new Date(from);
    let t = step[1]
      ? Date.UTC(start.getUTCFullYear(), step[1] >= 12 ? 0 : start.getUTCMonth() - (start.getUTCMonth() % step[1]), 1)
      : Date.UTC(start.getUTCFullYear(), start.getUTCMonth(), start.getUTCDate());
    if (step[1] >= 24) t = Date.UTC(start.getUTCFullYear() - (start.getUTCFullYear() % (step[1] / 12)), 0, 1);
    while (t <= to && result.length < 400) {
      if (t >= from) {
        const d = new Date(t);
        let text;
        if (step[1] >= 12) text = String(d.getUTCFullYear());
        else if (step[1]) text = MONTHS[d.getUTCMonth()] + (d.getUTCMonth() < step[1] || !result.length ? " " + d.getUTCFullYear() : "");
        else text = d.getUTCDate() + " " + MONTHS[d.getUTCMonth()] + (!result.length || (d.getUTCMonth() === 0 && d.getUTCDate() <= step[0]) ? " " + d.getUTCFullYear() : "");
        result.push({ time: t, text: text });
      }
      const d = new Date(t);
      t = step[1] ? Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + step[1], 1) : t + step[0] * DAY;
    }
    return result;
  }

  function render(panel, answer, options, change) {
    const role = roles(answer, options);
    const bar = dom.element("div", "view-controls");
    const dateChoices = role.dates.map(function (n) { return [n, "?" + n]; });
    if (role.low || role.high) dateChoices.unshift(["", "bounds only"]);
    bar.appendChild(dom.select("timeline-date", "Date", dateChoices, role.date, function (value) { change({ date: value }); }));
    bar.appendChild(dom.select("timeline-label", "Label", role.others.map(function (n) { return [n, "?" + n]; }), role.label,
      function (value) { change({ label: value }); }));
    if (role.low || role.high) {
      bar.appendChild(dom.element("span", "control bounds-note", (role.period ? "Periods" : "Bounds") + " from " +
        [role.low, role.high].filter(Boolean).map(function (n) { return "?" + n; }).join(" and ")));
    }
    panel.appendChild(bar);

    const { list, undated, fellBack, fallbacks } = items(answer, role);
    const drawn = list.slice(0, MAX_ITEMS);
    const notes = [];
    if (undated) notes.push(dom.count(undated) + " row" + (undated === 1 ? " has" : "s have") + " no date and " + (undated === 1 ? "is" : "are") + " not drawn.");
    if (fellBack) {
      notes.push(dom.count(fellBack) + " row" + (fellBack === 1 ? " has" : "s have") + " no ?" + role.date + " and no bounds; " +
        (fellBack === 1 ? "it is" : "they are") + " drawn hollow at ?" + fallbacks.join(" or ?") + ".");
    }
    if (list.length > drawn.length) notes.push("The timeline draws the first " + dom.count(drawn.length) + " of " + dom.count(list.length) + " dated rows.");
    if (notes.length) panel.appendChild(dom.note(notes.join(" ")));
    if (!drawn.length) return;

    const legend = dom.element("ul", "tl-legend");
    const seenKinds = new Map();
    drawn.forEach(function (item) { if (item.kind && !seenKinds.has(item.kindClass)) seenKinds.set(item.kindClass, item.kind); });
    seenKinds.forEach(function (kind, className) {
      const entry = dom.element("li", "");
      entry.appendChild(dom.element("span", "tl-swatch " + className));
      entry.appendChild(document.createTextNode(kind));
      legend.appendChild(entry);
    });
    if (role.low || role.high) {
      const entry = dom.element("li", "");
      entry.appendChild(dom.element("span", "tl-swatch tl-swatch-range"));
      entry.appendChild(document.createTextNode(role.period ? "period" : "between the bounds the source allows"));
      legend.appendChild(entry);
    }
    if (fellBack) {
      const entry = dom.element("li", "");
      entry.appendChild(dom.element("span", "tl-swatch tl-swatch-hollow"));
      entry.appendChild(document.createTextNode("no ?" + role.date + ": at ?" + fallbacks.join(" or ?")));
      legend.appendChild(entry);
    }
    if (legend.children.length) panel.appendChild(legend);

    const width = Math.max(panel.clientWidth || 0, 640);
    let from = Math.min.apply(null, drawn.map(function (i) { return i.start; }));
    let to = Math.max.apply(null, drawn.map(function (i) { return i.end; }));
    if (to - from < 30 * DAY) { from -= 15 * DAY; to += 15 * DAY; }
    const pad = (to - from) * 0.02;
    from -= pad;
    to += pad;
    const inner = width - 2 * MARGIN;
    const x = function (t) { return MARGIN + ((t - from) / (to - from)) * inner; };

    // lanes: each mark with its label takes [left, right); it goes into the first lane free there
    const laneEnds = [];
    const placed = drawn.map(function (item) {
      const short = item.label.length > 48 ? item.label.slice(0, 47) + "…" : item.label;
      const labelWidth = textWidth(short) + 8;
      const openStart = role.period && Number.isNaN(item.low) && !Number.isNaN(item.high);
      const openEnd = role.period && Number.isNaN(item.high) && !Number.isNaN(item.low);
      const markLeft = (openStart ? MARGIN : x(item.start)) - 6;
      const markRight = (openEnd ? width - MARGIN : x(item.end)) + 6;
      let left = markLeft;
      let right = markRight + labelWidth;
      let side = "after";
      if (right > width - MARGIN) {
        if (markLeft - labelWidth >= 0) { left = markLeft - labelWidth; right = markRight; side = "before"; }
        else { right = Math.max(markRight, markLeft + labelWidth + 12); side = "on"; } // over a long range
      }
      let lane = laneEnds.findIndex(function (end) { return end <= left; });
      if (lane < 0) { lane = laneEnds.length; laneEnds.push(0); }
      laneEnds[lane] = right + 4;
      return { item: item, short: short, lane: lane, side: side, markLeft: markLeft, markRight: markRight };
    });

    const height = AXIS + laneEnds.length * LANE + 10;
    const chart = dom.svg("svg", {
      class: "timeline-view",
      width: width,
      height: height,
      viewBox: "0 0 " + width + " " + height,
      role: "img",
      "aria-label": "Timeline of " + drawn.length + " rows by ?" + (role.date || role.high || role.low),
    });
    const axis = dom.svg("g", { class: "tl-axis" });
    ticks(from, to, inner, 80).forEach(function (tick) {
      const at = x(tick.time);
      axis.appendChild(dom.svg("line", { class: "tl-grid", x1: at, x2: at, y1: AXIS - 8, y2: height }));
      axis.appendChild(dom.svg("text", { class: "tl-tick", x: at + 3, y: AXIS - 14 }, tick.text));
    });
    axis.appendChild(dom.svg("line", { class: "tl-baseline", x1: MARGIN, x2: width - MARGIN, y1: AXIS - 8, y2: AXIS - 8 }));
    chart.appendChild(axis);

    const marks = dom.svg("g", { class: "tl-items" });
    let ranges = 0;
    placed.forEach(function (p) {
      const item = p.item;
      const y = AXIS + p.lane * LANE + LANE / 2;
      const group = dom.svg("g", { class: "tl-item " + item.kindClass + (item.fallback ? " tl-fallback" : "") });
      const node = item.link ? dom.svgLink(item.link) : dom.svg("g");
      node.appendChild(dom.svg("title", {}, item.title));
      const hasLow = !Number.isNaN(item.low);
      const hasHigh = !Number.isNaN(item.high);
      if (hasLow && hasHigh) {
        ranges += 1;
        node.appendChild(dom.svg("rect", { class: "tl-range", x: x(item.low), y: y - 5, width: Math.max(2, x(item.high) - x(item.low)), height: 10, rx: 3 }));
      } else if (role.period && (hasLow || hasHigh)) { // a period open at one end runs to the axis' edge
        ranges += 1;
        const a = hasLow ? x(item.low) : MARGIN;
        const b = hasHigh ? x(item.high) : width - MARGIN;
        node.appendChild(dom.svg("rect", { class: "tl-range tl-open", x: a, y: y - 5, width: Math.max(2, b - a), height: 10, rx: 3 }));
      } else if (hasLow || hasHigh) { // one bound: a bracket on the side it closes
        const at = x(hasLow ? item.low : item.high);
        const d = hasLow ? "M" + (at + 4) + " " + (y - 6) + " h-4 v12 h4" : "M" + (at - 4) + " " + (y - 6) + " h4 v12 h-4";
        node.appendChild(dom.svg("path", { class: "tl-bound", d: d }));
      }
      if (!Number.isNaN(item.point)) node.appendChild(dom.svg("circle", { class: "tl-point", cx: x(item.point), cy: y, r: 5 }));
      const labelX = p.side === "after" ? p.markRight + 2 : p.side === "before" ? p.markLeft - 2 : p.markLeft + 18;
      node.appendChild(dom.svg("text", { class: "tl-label", x: labelX, y: y + 4, "text-anchor": p.side === "before" ? "end" : "start" }, p.short));
      group.appendChild(node);
      marks.appendChild(group);
    });
    chart.appendChild(marks);
    chart.dataset.items = String(drawn.length);
    chart.dataset.ranges = String(ranges);
    const scroll = dom.element("div", "timeline-scroll");
    scroll.appendChild(chart);
    panel.appendChild(scroll);
  }

  window.Workbench.views = window.Workbench.views || {};
  window.Workbench.views.timeline = Object.freeze({ label: "Timeline", fit: fit, render: render });
})();
