// The workbench's shared ground: its embedded configuration, and RDF terms as every view reads them
// (compact names, numbers, dates, the order of a sort, N-Triples parsed into the shape of SPARQL JSON).
// Loaded first; each further workbench-*.js file adds one part to window.Workbench.
(function () {
  "use strict";

  const config = JSON.parse(document.getElementById("workbench-config").textContent);
  const XSD = "http://www.w3.org/2001/XMLSchema#";
  const RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString";
  const NUMERIC = new Set(
    ["integer", "decimal", "double", "float", "int", "long", "short", "byte", "nonNegativeInteger",
      "positiveInteger", "nonPositiveInteger", "negativeInteger", "unsignedInt", "unsignedLong",
      "unsignedShort", "unsignedByte"].map(function (name) { return XSD + name; })
  );
  const TEMPORAL = new Set(["date", "dateTime", "dateTimeStamp", "gYearMonth", "gYear"].map(function (name) { return XSD + name; }));
  const LOCAL_NAME = /^[A-Za-z0-9_]([A-Za-z0-9_.-]*[A-Za-z0-9_-])?$/;
  // Longest namespace first, so `gsid:` never wins over `institution:` for an institution's IRI.
  const prefixesByLength = Object.entries(config.prefixes).sort(function (a, b) { return b[1].length - a[1].length; });
  const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });

  /** An IRI as the pages write it: a prefixed name where one of our prefixes fits, else <iri>. */
  function compact(iri) {
    for (const [name, namespace] of prefixesByLength) {
      if (iri.startsWith(namespace)) {
        const local = iri.slice(namespace.length);
        if (local === "" || LOCAL_NAME.test(local)) return name + ":" + local;
      }
    }
    return "<" + iri + ">";
  }

  /** The short text of a term, as a cell, a chart label or a graph node shows it. */
  function display(term) {
    if (!term) return "";
    if (term.type === "uri") return compact(term.value);
    if (term.type === "bnode") return "_:" + term.value;
    return term.value;
  }

  function isLiteral(term) { return !!term && (term.type === "literal" || term.type === "typed-literal"); }

  function isNumeric(term) { return isLiteral(term) && NUMERIC.has(term.datatype); }

  function isTemporal(term) { return isLiteral(term) && TEMPORAL.has(term.datatype); }

  function numberOf(term) { return isNumeric(term) ? Number(term.value) : NaN; }

  /**
   * A date or date-time literal as milliseconds (UTC). A date without a time is its day's start; a year-month
   * its first day; a year its first of January: the start of the span the value names, as an axis needs.
   */
  function timeOf(term) {
    if (!isTemporal(term)) return NaN;
    const match = /^(-?\d{4,})(?:-(\d{2}))?(?:-(\d{2}))?(?:T(\d{2}):(\d{2}):(\d{2}(?:\.\d+)?))?(Z|[+-]\d{2}:\d{2})?$/.exec(term.value.trim());
    if (!match) return NaN;
    const [, year, month, day, hour, minute, second, zone] = match;
    let time = Date.UTC(Number(year), month ? Number(month) - 1 : 0, day ? Number(day) : 1,
      hour ? Number(hour) : 0, minute ? Number(minute) : 0, second ? Number(second) : 0);
    if (hour && zone && zone !== "Z") {
      const sign = zone[0] === "-" ? -1 : 1;
      time -= sign * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6))) * 60000;
    }
    return time;
  }

  /** What a badge says of a literal: its language, or its datatype unless it is a plain string. */
  function datatypeNote(term) {
    if (!isLiteral(term)) return "";
    if (term["xml:lang"]) return "@" + term["xml:lang"];
    if (!term.datatype || term.datatype === XSD + "string" || term.datatype === RDF_LANG_STRING) return "";
    return compact(term.datatype).replace(/^<|>$/g, "");
  }

  /**
   * The order of a sort: unbound last; numbers by value, dates by time, everything else by its shown text
   * with digits compared as numbers (so "event 9" comes before "event 10"), as a reader expects.
   */
  function compare(a, b) {
    if (!a || !b) return (a ? 0 : 1) - (b ? 0 : 1);
    if (isNumeric(a) && isNumeric(b)) return numberOf(a) - numberOf(b);
    if (isTemporal(a) && isTemporal(b)) return timeOf(a) - timeOf(b);
    return collator.compare(display(a), display(b));
  }

  // N-Triples, one statement a line, parsed into the same term shape as SPARQL JSON.
  const NT_TERM = /^(?:<([^>]*)>|_:(\S+)|"((?:[^"\\]|\\.)*)"(?:@([A-Za-z0-9-]+)|\^\^<([^>]*)>)?)\s*/;

  function unescapeLiteral(text) {
    return text.replace(/\\(u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)/g, function (_, code) {
      if (code[0] === "u" || code[0] === "U") return String.fromCodePoint(parseInt(code.slice(1), 16));
      return { t: "\t", n: "\n", r: "\r", b: "\b", f: "\f" }[code] || code;
    });
  }

  /** The triples of an N-Triples document, each {subject, predicate, object} of SPARQL JSON terms. */
  function parseNTriples(text) {
    const triples = [];
    text.split("\n").forEach(function (line) {
      let rest = line.trim();
      if (!rest || rest.startsWith("#")) return;
      const terms = [];
      for (let i = 0; i < 3; i++) {
        const m = rest.match(NT_TERM);
        if (!m) return;
        if (m[1] !== undefined) terms.push({ type: "uri", value: m[1] });
        else if (m[2] !== undefined) terms.push({ type: "bnode", value: m[2] });
        else {
          const literal = { type: "literal", value: unescapeLiteral(m[3]) };
          if (m[4]) literal["xml:lang"] = m[4];
          if (m[5]) literal.datatype = m[5];
          terms.push(literal);
        }
        rest = rest.slice(m[0].length);
      }
      triples.push({ subject: terms[0], predicate: terms[1], object: terms[2] });
    });
    return triples;
  }

  /** The columns whose bound values all pass a test (and which have at least one bound value). */
  function columnsWhere(answer, test) {
    return answer.vars.filter(function (name) {
      let bound = 0;
      for (const row of answer.rows) {
        const term = row[name];
        if (!term) continue;
        if (!test(term)) return false;
        bound += 1;
      }
      return bound > 0;
    });
  }

  /** A count in the reader's own digit grouping: 5,000 rather than 5000. */
  function count(n) { return Number(n).toLocaleString("en-GB"); }

  /** An element with a class and text, the one way the views build their small parts. */
  function element(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  /** An SVG element with its attributes (never `style`: the page's policy allows no inline style). */
  function svg(tag, attributes, text) {
    const node = document.createElementNS("http://www.w3.org/2000/svg", tag);
    Object.entries(attributes || {}).forEach(function (entry) { node.setAttribute(entry[0], String(entry[1])); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  /** An SVG <a> to a term's page where the link rule (links.js) allows one, else a plain group. */
  function svgLink(iri) {
    const target = iri ? window.GovSocial.linkTarget(iri) : null;
    if (!target) return svg("g");
    const link = svg("a", { href: target });
    if (!target.startsWith("/")) link.setAttribute("rel", "noopener");
    return link;
  }

  /** A short note at the top of a view: why the view shows the table instead, or what it left out. */
  function note(text) {
    return element("p", "view-note", text);
  }

  /** A labelled drop-down of [value, text] entries, the control every view's options use. */
  function select(id, label, entries, value, onChange) {
    const wrapper = element("label", "control", label + " ");
    const chooser = document.createElement("select");
    chooser.id = id;
    entries.forEach(function (entry) {
      const option = element("option", "", entry[1]);
      option.value = entry[0];
      option.selected = entry[0] === value;
      chooser.appendChild(option);
    });
    chooser.addEventListener("change", function () { onChange(chooser.value); });
    wrapper.appendChild(chooser);
    return wrapper;
  }

  window.Workbench = {
    config: config,
    terms: Object.freeze({
      compact: compact,
      display: display,
      isLiteral: isLiteral,
      isNumeric: isNumeric,
      isTemporal: isTemporal,
      numberOf: numberOf,
      timeOf: timeOf,
      datatypeNote: datatypeNote,
      compare: compare,
      parseNTriples: parseNTriples,
      columnsWhere: columnsWhere,
    }),
    dom: Object.freeze({ element: element, svg: svg, svgLink: svgLink, note: note, count: count, select: select }),
  };
})();
