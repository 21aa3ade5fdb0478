// The graph view of a CONSTRUCT or DESCRIBE answer (or a SELECT of ?subject ?predicate ?object): resources as
// nodes, triples as labelled arrows, literals as small boxes. A force layout (Fruchterman and Reingold's)
// computed here and drawn in SVG; nodes can be dragged and lead to their pages. It draws small answers only:
// above MAX_NODES nodes a picture of a graph is a hairball, so the view says so and shows the table.
(function () {
  "use strict";

  const { terms, dom } = window.Workbench;
  const MAX_NODES = 150;
  const MAX_EDGES = 300;
  const ITERATIONS = 300;
  const LABEL_PREDICATES = [
    "http://www.w3.org/2000/01/rdf-schema#label",
    "http://www.w3.org/2004/02/skos/core#prefLabel",
    "http://schema.org/name",
    "http://xmlns.com/foaf/0.1/name",
    "http://purl.org/dc/terms/title",
  ];
  const LANGUAGES = ["en", "de", ""];

  function triplesOf(answer) {
    if (answer.kind === "graph") return answer.triples;
    const [s, p, o] = ["subject", "predicate", "object"].every(function (n) { return answer.vars.includes(n); })
      ? ["subject", "predicate", "object"] : ["s", "p", "o"];
    return answer.rows.filter(function (row) { return row[s] && row[p] && row[o]; })
      .map(function (row) { return { subject: row[s], predicate: row[p], object: row[o] }; });
  }

  function keyOf(term) { return (term.type === "bnode" ? "_:" : "") + term.value; }

  /** Nodes and edges of the triples; literals become nodes of their own unless left out. */
  function build(triples, withLiterals) {
    const nodes = new Map();
    const captions = new Map();
    const edges = new Map();
    const node = function (key, term, literal) {
      if (!nodes.has(key)) nodes.set(key, { key: key, term: term, literal: literal, degree: 0, notes: [] });
      return nodes.get(key);
    };
    triples.forEach(function (t, index) {
      const source = node(keyOf(t.subject), t.subject, false);
      if (terms.isLiteral(t.object)) {
        const rank = LABEL_PREDICATES.indexOf(t.predicate.value);
        if (rank >= 0) {
          const lang = LANGUAGES.indexOf(t.object["xml:lang"] || "");
          const score = rank * 10 + (lang < 0 ? 5 : lang);
          const best = captions.get(source.key);
          if (!best || score < best.score) captions.set(source.key, { score: score, text: t.object.value });
        }
        if (!withLiterals) { source.notes.push(terms.compact(t.predicate.value) + " " + t.object.value); return; }
      }
      const target = terms.isLiteral(t.object) ? node("literal " + index, t.object, true) : node(keyOf(t.object), t.object, false);
      const key = source.key + "\u0000" + target.key;
      if (!edges.has(key)) {
        edges.set(key, { source: source, target: target, labels: [] });
        source.degree += 1;
        target.degree += 1;
      }
      edges.get(key).labels.push(terms.compact(t.predicate.value));
    });
    nodes.forEach(function (n) {
      const caption = captions.get(n.key);
      n.caption = n.literal ? n.term.value : caption ? caption.text : terms.display(n.term);
    });
    return { nodes: [...nodes.values()], edges: [...edges.values()] };
  }

  /** Whether literals are drawn: as asked, else whenever the graph stays small enough with them. */
  function withLiterals(triples, options) {
    if (options.literals === true || options.literals === false) return options.literals;
    const drawn = build(triples, true);
    return drawn.nodes.length <= MAX_NODES && drawn.edges.length <= MAX_EDGES;
  }

  function fit(answer) {
    const spo = answer.kind === "select" &&
      (["subject", "predicate", "object"].every(function (n) { return answer.vars.includes(n); }) ||
        ["s", "p", "o"].every(function (n) { return answer.vars.includes(n); }));
    if (answer.kind !== "graph" && !spo) {
      return "The graph view draws the triples of a CONSTRUCT or DESCRIBE query (or a SELECT of ?s ?p ?o); here is the table.";
    }
    const triples = triplesOf(answer);
    if (!triples.length) return "The answer has no triples to draw.";
    const drawn = build(triples, false);
    if (drawn.nodes.length > MAX_NODES || drawn.edges.length > MAX_EDGES) {
      return "The graph view draws up to " + MAX_NODES + " nodes and " + MAX_EDGES + " edges; this answer has " +
        dom.count(drawn.nodes.length) + " nodes and " + dom.count(drawn.edges.length) +
        " edges, so here is the table. A LIMIT, or a CONSTRUCT of fewer resources, makes it drawable.";
    }
    return null;
  }

  /**
   * Positions by Fruchterman and Reingold: every pair repels, every edge pulls, a weak pull to the centre keeps
   * parts apart but in view, and the step shrinks as it settles. Starts from a spiral, so a graph always comes
   * out the same way.
   */
  function layout(graph, width, height) {
    const n = graph.nodes.length;
    const k = Math.sqrt((width * height) / Math.max(n, 1)) * 0.75;
    const index = new Map();
    graph.nodes.forEach(function (node, i) {
      const angle = i * 2.399963; // the golden angle
      const radius = (Math.sqrt(i + 0.5) / Math.sqrt(n)) * Math.min(width, height) * 0.45;
      node.x = width / 2 + radius * Math.cos(angle);
      node.y = height / 2 + radius * Math.sin(angle);
      index.set(node, i);
    });
    const dx = new Float64Array(n);
    const dy = new Float64Array(n);
    let temperature = width / 8;
    for (let step = 0; step < ITERATIONS; step++) {
      dx.fill(0);
      dy.fill(0);
      for (let i = 0; i < n; i++) {
        const a = graph.nodes[i];
        for (let j = i + 1; j < n; j++) {
          const b = graph.nodes[j];
          let x = a.x - b.x;
          let y = a.y - b.y;
          let d = Math.sqrt(x * x + y * y);
          if (d < 0.01) { x = 0.01 * (i - j); y = 0.01; d = 0.015; }
          const force = (k * k) / d;
          dx[i] += (x / d) * force; dy[i] += (y / d) * force;
          dx[j] -= (x / d) * force; dy[j] -= (y / d) * force;
        }
      }
      graph.edges.forEach(function (edge) {
        if (edge.source === edge.target) return;
        const i = index.get(edge.source);
        const j = index.get(edge.target);
        const x = edge.source.x - edge.target.x;
        const y = edge.source.y - edge.target.y;
        const d = Math.max(0.01, Math.sqrt(x * x + y * y));
        const force = (d * d) / k;
        dx[i] -= (x / d) * force; dy[i] -= (y / d) * force;
        dx[j] += (x / d) * force; dy[j] += (y / d) * force;
      });
      for (let i = 0; i < n; i++) {
        const node = graph.nodes[i];
        dx[i] -= (node.x - width / 2) * 0.03 * k / 10;
        dy[i] -= (node.y - height / 2) * 0.03 * k / 10;
        const d = Math.sqrt(dx[i] * dx[i] + dy[i] * dy[i]);
        if (d > 0) {
          node.x += (dx[i] / d) * Math.min(d, temperature);
          node.y += (dy[i] / d) * Math.min(d, temperature);
        }
      }
      temperature *= 0.985;
    }
    // fit the drawing into the frame, leaving room for the captions on the right
    const xs = graph.nodes.map(function (node) { return node.x; });
    const ys = graph.nodes.map(function (node) { return node.y; });
    const minX = Math.min.apply(null, xs);
    const maxX = Math.max.apply(null, xs);
    const minY = Math.min.apply(null, ys);
    const maxY = Math.max.apply(null, ys);
    const left = 30;
    const right = 170;
    const margin = 30;
    graph.nodes.forEach(function (node) {
      node.x = maxX > minX ? left + ((node.x - minX) / (maxX - minX)) * (width - left - right) : width / 2;
      node.y = maxY > minY ? margin + ((node.y - minY) / (maxY - minY)) * (height - 2 * margin) : height / 2;
    });
  }

  function radius(node) { return node.literal ? 4 : 6 + Math.min(6, node.degree / 2); }

  /** The path of an edge, ending at the target's rim so the arrow shows; a loop for a self-reference. */
  function edgePath(edge) {
    const a = edge.source;
    const b = edge.target;
    if (a === b) {
      const r = radius(a);
      return "M" + (a.x + r) + " " + a.y + " c 30 -10, 30 -40, 0 -30";
    }
    const x = b.x - a.x;
    const y = b.y - a.y;
    const d = Math.max(0.01, Math.sqrt(x * x + y * y));
    const end = radius(b) + 3;
    return "M" + a.x + " " + a.y + " L" + (b.x - (x / d) * end) + " " + (b.y - (y / d) * end);
  }

  function labelPosition(edge) {
    if (edge.source === edge.target) return { x: edge.source.x + 26, y: edge.source.y - 34 };
    return { x: (edge.source.x + edge.target.x) / 2, y: (edge.source.y + edge.target.y) / 2 - 3 };
  }

  function render(panel, answer, options, change) {
    const triples = triplesOf(answer);
    const literals = withLiterals(triples, options);
    let graph = build(triples, literals);
    if (literals && (graph.nodes.length > MAX_NODES || graph.edges.length > MAX_EDGES)) graph = build(triples, false);

    const bar = dom.element("div", "view-controls");
    const label = dom.element("label", "control");
    const box = document.createElement("input");
    box.type = "checkbox";
    box.id = "graph-literals";
    box.checked = literals;
    box.addEventListener("change", function () { change({ literals: box.checked }); });
    label.appendChild(box);
    label.appendChild(document.createTextNode(" Literals as nodes"));
    bar.appendChild(label);
    bar.appendChild(dom.element("span", "control graph-size",
      dom.count(graph.nodes.length) + " nodes, " + dom.count(graph.edges.length) + " edges · drag a node to move it"));
    panel.appendChild(bar);

    const width = Math.max(panel.clientWidth || 0, 640);
    const height = Math.min(860, Math.max(440, graph.nodes.length * 9));
    layout(graph, width, height);

    const drawing = dom.svg("svg", {
      class: "graph-view", width: width, height: height, viewBox: "0 0 " + width + " " + height, role: "img",
      "aria-label": "Graph of " + graph.nodes.length + " nodes and " + graph.edges.length + " edges",
    });
    const defs = dom.svg("defs");
    const marker = dom.svg("marker", { id: "graph-arrow", viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse" });
    marker.appendChild(dom.svg("path", { class: "graph-arrow", d: "M0 0 L10 5 L0 10 z" }));
    defs.appendChild(marker);
    drawing.appendChild(defs);

    const edgeLayer = dom.svg("g", { class: "graph-edges" });
    const nodeLayer = dom.svg("g", { class: "graph-nodes" });
    graph.edges.forEach(function (edge) {
      const text = edge.labels.join(", ");
      edge.path = dom.svg("path", { class: "graph-edge", d: edgePath(edge), "marker-end": "url(#graph-arrow)" });
      edge.path.appendChild(dom.svg("title", {}, text));
      const at = labelPosition(edge);
      edge.text = dom.svg("text", { class: "graph-edge-label", x: at.x, y: at.y, "text-anchor": "middle" },
        text.length > 36 ? text.slice(0, 35) + "…" : text);
      edgeLayer.appendChild(edge.path);
      edgeLayer.appendChild(edge.text);
    });
    const byNode = new Map();
    graph.edges.forEach(function (edge) {
      [edge.source, edge.target].forEach(function (n) {
        if (!byNode.has(n)) byNode.set(n, []);
        byNode.get(n).push(edge);
      });
    });
    graph.nodes.forEach(function (node) {
      const group = dom.svg("g", { class: "graph-node" + (node.literal ? " graph-literal" : node.term.type === "bnode" ? " graph-bnode" : "") });
      const link = node.term.type === "uri" ? dom.svgLink(node.term.value) : dom.svg("g");
      const full = node.literal ? node.term.value + (terms.datatypeNote(node.term) ? " (" + terms.datatypeNote(node.term) + ")" : "")
        : node.term.type === "uri" ? node.term.value : "_:" + node.term.value;
      link.appendChild(dom.svg("title", {}, [full].concat(node.notes).join("\n")));
      const shape = node.literal
        ? dom.svg("rect", { x: -4, y: -4, width: 8, height: 8, rx: 2 })
        : dom.svg("circle", { r: radius(node) });
      link.appendChild(shape);
      const caption = node.caption.length > 30 ? node.caption.slice(0, 29) + "…" : node.caption;
      link.appendChild(dom.svg("text", { x: radius(node) + 4, y: 4 }, caption));
      group.appendChild(link);
      group.setAttribute("transform", "translate(" + node.x + " " + node.y + ")");
      node.element = group;
      nodeLayer.appendChild(group);
      draggable(drawing, group, node, byNode.get(node) || []);
    });
    drawing.appendChild(edgeLayer);
    drawing.appendChild(nodeLayer);
    drawing.dataset.nodes = String(graph.nodes.length);
    drawing.dataset.edges = String(graph.edges.length);
    const scroll = dom.element("div", "graph-scroll");
    scroll.appendChild(drawing);
    panel.appendChild(scroll);
  }

  /** Move a node with the pointer; its edges follow. A drag is not a click, so it does not follow the link. */
  function draggable(drawing, group, node, edges) {
    let moved = false;
    let dragging = false;
    group.addEventListener("pointerdown", function (event) {
      if (event.button !== 0) return;
      dragging = true;
      moved = false;
      group.setPointerCapture(event.pointerId);
    });
    group.addEventListener("pointermove", function (event) {
      if (!dragging) return;
      const matrix = drawing.getScreenCTM();
      if (!matrix) return;
      const point = new DOMPoint(event.clientX, event.clientY).matrixTransform(matrix.inverse());
      moved = true;
      node.x = point.x;
      node.y = point.y;
      group.setAttribute("transform", "translate(" + node.x + " " + node.y + ")");
      edges.forEach(function (edge) {
        edge.path.setAttribute("d", edgePath(edge));
        const at = labelPosition(edge);
        edge.text.setAttribute("x", at.x);
        edge.text.setAttribute("y", at.y);
      });
    });
    const stop = function () { dragging = false; };
    group.addEventListener("pointerup", stop);
    group.addEventListener("pointercancel", stop);
    group.addEventListener("click", function (event) { if (moved) { event.preventDefault(); moved = false; } }, true);
  }

  window.Workbench.views = window.Workbench.views || {};
  window.Workbench.views.graph = Object.freeze({ label: "Graph", fit: fit, render: render });
})();
