// The table view: every answer fits it. Full width, one page of rows at a time (the whole answer is kept, so
// every row can be reached), sortable by any column, the header kept in sight, terms compact with the full
// IRI on hover, and the datatype and language badges shown only when asked for.
(function () {
  "use strict";

  const { terms, dom } = window.Workbench;
  const PAGE_SIZES = [50, 100, 250, 500, 1000];
  const DEFAULT_SIZE = 100;

  // An IRI as a link where linkTarget allows one, else as text (a `javascript:` IRI must never be clickable).
  function iriElement(iri) {
    const href = window.GovSocial.linkTarget(iri);
    const element = document.createElement(href ? "a" : "span");
    element.title = iri;
    if (href) {
      element.href = href;
      if (!href.startsWith("/")) { element.className = "external"; element.rel = "noopener"; }
    } else {
      element.className = "unlinked";
    }
    element.appendChild(dom.element("code", "", terms.compact(iri)));
    return element;
  }

  function cellFor(term, showTypes) {
    const td = document.createElement("td");
    if (!term) return td;
    if (term.type === "uri") {
      td.appendChild(iriElement(term.value));
      if (terms.compact(term.value).length <= 60) td.className = "nowrap";
      return td;
    }
    if (term.type === "bnode") {
      td.appendChild(dom.element("code", "", "_:" + term.value));
      td.className = "nowrap";
      return td;
    }
    const span = dom.element("span", "literal", term.value);
    if (term["xml:lang"]) span.lang = term["xml:lang"];
    const note = terms.datatypeNote(term);
    if (note) span.title = note; // the badge's text on hover, when badges are off
    td.appendChild(span);
    if (terms.isNumeric(term)) td.className = "nowrap num";
    else if (terms.isTemporal(term) || (term.value.length <= 30 && !term.value.includes("\n"))) td.className = "nowrap";
    else if (term.value.length > 120) td.className = "long";
    if (showTypes && note) td.appendChild(dom.element("span", "tag", " " + note));
    return td;
  }

  /** The rows' order for a sort, computed once per answer and sort (sorting 100,000 rows takes a moment). */
  function order(answer, sort, desc) {
    const key = sort ? sort + (desc ? " desc" : " asc") : "";
    if (answer.order && answer.order.key === key) return answer.order.indices;
    const indices = answer.rows.map(function (_, index) { return index; });
    if (sort) {
      indices.sort(function (a, b) {
        const ta = answer.rows[a][sort];
        const tb = answer.rows[b][sort];
        if (!ta || !tb) return (ta ? 0 : 1) - (tb ? 0 : 1) || a - b; // unbound last, whichever the direction
        return (desc ? -1 : 1) * terms.compare(ta, tb) || a - b;
      });
    }
    answer.order = { key: key, indices: indices };
    return indices;
  }

  function pageSize(options) {
    return PAGE_SIZES.includes(options.size) ? options.size : DEFAULT_SIZE;
  }

  function pager(page, pages, change) {
    const nav = dom.element("nav", "pager");
    nav.setAttribute("aria-label", "Pages of the answer");
    const button = function (label, className, target, disabled, title) {
      const b = dom.element("button", "page-button " + className, label);
      b.type = "button";
      b.disabled = disabled;
      b.title = title;
      b.addEventListener("click", function () { change({ page: target }); });
      return b;
    };
    nav.appendChild(button("«", "first", 1, page <= 1, "First page"));
    nav.appendChild(button("‹", "previous", page - 1, page <= 1, "Previous page"));
    const label = dom.element("label", "page-of");
    label.appendChild(document.createTextNode("Page "));
    const input = document.createElement("input");
    input.type = "number";
    input.min = "1";
    input.max = String(pages);
    input.value = String(page);
    input.className = "page-number";
    input.setAttribute("aria-label", "Page number");
    input.addEventListener("change", function () {
      const wanted = Math.max(1, Math.min(pages, parseInt(input.value, 10) || 1));
      change({ page: wanted });
    });
    label.appendChild(input);
    label.appendChild(document.createTextNode(" of " + dom.count(pages)));
    nav.appendChild(label);
    nav.appendChild(button("›", "next", page + 1, page >= pages, "Next page"));
    nav.appendChild(button("»", "last", pages, page >= pages, "Last page"));
    return nav;
  }

  function tools(answer, options, page, pages, change) {
    const bar = dom.element("div", "table-tools");
    const size = pageSize(options);
    const first = (page - 1) * size + 1;
    const last = Math.min(answer.rows.length, page * size);
    const range = dom.element("span", "row-range", answer.rows.length
      ? "Rows " + dom.count(first) + "–" + dom.count(last) + " of " + dom.count(answer.rows.length)
      : "No rows");
    range.id = "row-range";
    bar.appendChild(range);
    if (pages > 1) bar.appendChild(pager(page, pages, change));

    const sizeLabel = dom.element("label", "page-size", "Rows per page ");
    const select = document.createElement("select");
    select.id = "page-size";
    PAGE_SIZES.forEach(function (n) {
      const option = dom.element("option", "", String(n));
      option.value = String(n);
      option.selected = n === size;
      select.appendChild(option);
    });
    select.addEventListener("change", function () {
      const newSize = Number(select.value);
      change({ size: newSize, page: Math.floor(((page - 1) * size) / newSize) + 1 }); // keep the first row in view
    });
    sizeLabel.appendChild(select);
    bar.appendChild(sizeLabel);

    const typesLabel = dom.element("label", "show-types");
    const box = document.createElement("input");
    box.type = "checkbox";
    box.id = "show-types";
    box.checked = !!options.types;
    box.addEventListener("change", function () { change({ types: box.checked }); });
    typesLabel.appendChild(box);
    typesLabel.appendChild(document.createTextNode(" Datatypes and languages"));
    bar.appendChild(typesLabel);
    return bar;
  }

  function headerCell(name, options, change) {
    const th = document.createElement("th");
    th.scope = "col";
    const sorted = options.sort === name;
    th.setAttribute("aria-sort", sorted ? (options.desc ? "descending" : "ascending") : "none");
    const button = dom.element("button", "sort", "?" + name);
    button.type = "button";
    button.dataset.var = name;
    button.title = sorted && !options.desc ? "Sort descending" : sorted ? "Back to the answer's order" : "Sort ascending";
    button.appendChild(dom.element("span", "sort-mark", sorted ? (options.desc ? " ▼" : " ▲") : ""));
    button.addEventListener("click", function () {
      // ascending, descending, then the order the query gave
      if (!sorted) change({ sort: name, desc: false, page: 1 });
      else if (!options.desc) change({ sort: name, desc: true, page: 1 });
      else change({ sort: "", desc: false, page: 1 });
    });
    th.appendChild(button);
    return th;
  }

  /** The answer as a table of one page; `change` takes a patch of the options (sort, desc, page, size, types). */
  function render(panel, answer, options, change) {
    if (answer.kind === "ask") {
      panel.appendChild(dom.element("p", "ask-answer", answer.boolean ? "Yes (true)" : "No (false)"));
      return;
    }
    const vars = answer.vars;
    const sort = vars.includes(options.sort) ? options.sort : "";
    const size = pageSize(options);
    const pages = Math.max(1, Math.ceil(answer.rows.length / size));
    const page = Math.max(1, Math.min(pages, options.page || 1));
    const indices = order(answer, sort, !!options.desc);

    panel.appendChild(tools(answer, options, page, pages, change));
    const scroll = dom.element("div", "table-scroll");
    scroll.tabIndex = 0; // a keyboard user can scroll a wide table sideways
    scroll.setAttribute("role", "region");
    scroll.setAttribute("aria-label", "Result table, page " + page + " of " + pages);
    const table = dom.element("table", "data results-table");
    const head = table.createTHead().insertRow();
    head.appendChild(dom.element("th", "row-number", "#"));
    vars.forEach(function (name) { head.appendChild(headerCell(name, { sort: sort, desc: options.desc }, change)); });
    const body = table.createTBody();
    const start = (page - 1) * size;
    const end = Math.min(indices.length, start + size);
    for (let position = start; position < end; position++) {
      const row = answer.rows[indices[position]];
      const tr = body.insertRow();
      tr.appendChild(dom.element("td", "row-number", String(position + 1)));
      vars.forEach(function (name) { tr.appendChild(cellFor(row[name], !!options.types)); });
    }
    scroll.appendChild(table);
    panel.appendChild(scroll);
    if (pages > 1) {
      const bottom = dom.element("div", "table-tools bottom");
      bottom.appendChild(pager(page, pages, function (patch) {
        change(patch);
        panel.scrollIntoView({ block: "start" });
      }));
      panel.appendChild(bottom);
    }
  }

  window.Workbench.views = window.Workbench.views || {};
  window.Workbench.views.table = Object.freeze({
    label: "Table",
    fit: function () { return null; },
    render: render,
    defaults: { size: DEFAULT_SIZE },
  });
})();
