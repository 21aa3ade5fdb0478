// The query workbench: a SPARQL editor (CodeMirror 5, from npm), completion of our prefixes, terms and
// names (/-/search), results as tables whose IRIs link to the entity pages, downloads in every format,
// the query kept in the URL, and the parser's error shown beside the query.
(function () {
  "use strict";

  const config = JSON.parse(document.getElementById("workbench-config").textContent);
  const autorun = JSON.parse(document.getElementById("workbench-autorun").textContent);
  const textarea = document.getElementById("query");
  const form = document.getElementById("query-form");
  const runButton = document.getElementById("run");
  const statusBox = document.getElementById("status");
  const errorBox = document.getElementById("query-error");
  const results = document.getElementById("results");
  const resultsTitle = document.getElementById("results-title");
  const resultsMeta = document.getElementById("results-meta");
  const resultsBody = document.getElementById("results-body");
  const downloads = document.getElementById("downloads");
  const copyLink = document.getElementById("copy-link");

  const linkTarget = window.GovSocial.linkTarget;
  const RESOURCE_PREFIXES = ["gsid", "institution", "person", "platform", "event", "reason", "source"];
  const MAX_ROWS_SHOWN = 2000;
  const LOCAL_NAME = /^[A-Za-z0-9_]([A-Za-z0-9_.-]*[A-Za-z0-9_-])?$/;
  const prefixesByLength = Object.entries(config.prefixes).sort(function (a, b) { return b[1].length - a[1].length; });

  let editor = null;
  let errorLine = null;
  let running = false;

  // --- IRIs as the pages show them ---------------------------------------------------------

  function compact(iri) {
    for (const [name, namespace] of prefixesByLength) {
      if (iri.startsWith(namespace)) {
        const local = iri.slice(namespace.length);
        if (local === "" || LOCAL_NAME.test(local)) return name + ":" + local;
      }
    }
    return "<" + iri + ">";
  }

  // --- The editor ------------------------------------------------------------------------------

  function getQuery() { return editor ? editor.getValue() : textarea.value; }

  function setQuery(text) {
    if (editor) {
      editor.setValue(text);
      editor.focus();
      editor.setCursor(editor.lineCount(), 0);
    } else {
      textarea.value = text;
    }
  }

  if (window.CodeMirror) {
    editor = window.CodeMirror.fromTextArea(textarea, {
      mode: "application/sparql-query",
      lineNumbers: true,
      matchBrackets: true,
      autoCloseBrackets: true,
      indentUnit: 2,
      tabSize: 2,
      viewportMargin: Infinity,
      extraKeys: {
        "Ctrl-Enter": function () { run(); },
        "Cmd-Enter": function () { run(); },
        "Ctrl-Space": function (cm) { complete(cm); },
        "Tab": function (cm) {
          if (cm.somethingSelected()) cm.indentSelection("add");
          else cm.replaceSelection("  ");
        },
      },
    });
    editor.on("inputRead", function (cm, change) {
      const typed = change.text.join("");
      if (typed === ":" && !cm.state.completionActive) complete(cm);
    });
    editor.on("change", clearErrorMark);
  } else {
    textarea.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) { event.preventDefault(); run(); }
    });
  }

  // --- Completion --------------------------------------------------------------------------

  function hintItem(text, name, label, kind) {
    return {
      text: text,
      displayText: name,
      render: function (element) {
        const nameSpan = document.createElement("span");
        nameSpan.className = "hint-name";
        nameSpan.textContent = name;
        element.appendChild(nameSpan);
        if (label) {
          const labelSpan = document.createElement("span");
          labelSpan.className = "hint-label";
          labelSpan.textContent = label + (kind ? " · " + kind : "");
          element.appendChild(labelSpan);
        }
      },
    };
  }

  function vocabularyHints(prefix, local) {
    const lower = local.toLowerCase();
    return config.vocabulary
      .filter(function (term) {
        if (!term.pname.startsWith(prefix + ":")) return false;
        const name = term.pname.slice(prefix.length + 1).toLowerCase();
        return !lower || name.startsWith(lower) || (term.label || "").toLowerCase().includes(lower);
      })
      .sort(function (a, b) {
        const aStarts = a.pname.slice(prefix.length + 1).toLowerCase().startsWith(lower) ? 0 : 1;
        const bStarts = b.pname.slice(prefix.length + 1).toLowerCase().startsWith(lower) ? 0 : 1;
        return aStarts - bStarts || a.pname.localeCompare(b.pname);
      })
      .map(function (term) { return hintItem(term.pname, term.pname, term.label, term.kind); });
  }

  function searchHints(q, prefix) {
    if (!q) return Promise.resolve([]);
    let url = "/-/search?limit=15&q=" + encodeURIComponent(q);
    if (prefix) url += "&prefix=" + encodeURIComponent(prefix);
    return fetch(url, { headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : { results: [] }; })
      .then(function (data) {
        return (data.results || []).map(function (hit) {
          const types = hit.types.map(function (t) { return t.label; }).join(", ");
          return hintItem(hit.prefixed, hit.prefixed, hit.label, types);
        });
      })
      .catch(function () { return []; });
  }

  function complete(cm) {
    cm.showHint({ hint: hintSource, completeSingle: false });
  }

  function hintSource(cm, callback) {
    const cursor = cm.getCursor();
    const before = cm.getLine(cursor.line).slice(0, cursor.ch);
    const declaration = before.match(/^\s*PREFIX\s+([\w-]*)$/i);
    if (declaration) {
      const typed = declaration[1];
      const list = Object.entries(config.prefixes)
        .filter(function (entry) { return entry[0].startsWith(typed); })
        .map(function (entry) { return hintItem(entry[0] + ": <" + entry[1] + ">", entry[0] + ":", entry[1]); });
      callback({ list: list, from: { line: cursor.line, ch: cursor.ch - typed.length }, to: cursor });
      return;
    }
    const pname = before.match(/([A-Za-z][\w-]*)?:([\w.-]*)$/);
    if (pname && !/[<"]/.test(before.slice(before.length - pname[0].length - 1, before.length - pname[0].length))) {
      const prefix = pname[1] || "";
      const local = pname[2];
      const from = { line: cursor.line, ch: cursor.ch - pname[0].length };
      let list = vocabularyHints(prefix, local);
      const lookup = RESOURCE_PREFIXES.includes(prefix) && local ? searchHints(local.replace(/-/g, " "), prefix) : Promise.resolve([]);
      lookup.then(function (found) {
        list = list.concat(found);
        callback({ list: list, from: from, to: cursor });
      });
      return;
    }
    const word = before.match(/[A-Za-z\u00C0-\u024F][\w\u00C0-\u024F-]*$/);
    if (!word) { callback(null); return; }
    const typed = word[0];
    const from = { line: cursor.line, ch: cursor.ch - typed.length };
    const prefixes = Object.keys(config.prefixes)
      .filter(function (name) { return name.startsWith(typed.toLowerCase()); })
      .map(function (name) { return hintItem(name + ":", name + ":", config.prefixes[name], "prefix"); });
    const terms = config.vocabulary
      .filter(function (term) { return typed.length >= 2 && (term.label || "").toLowerCase().startsWith(typed.toLowerCase()); })
      .map(function (term) { return hintItem(term.pname, term.pname, term.label, term.kind); });
    (typed.length >= 2 ? searchHints(typed) : Promise.resolve([])).then(function (found) {
      callback({ list: prefixes.concat(terms, found), from: from, to: cursor });
    });
  }
  hintSource.async = true;

  // --- Errors ----------------------------------------------------------------------------------

  function clearErrorMark() {
    if (editor && errorLine !== null) {
      editor.removeLineClass(errorLine, "background", "cm-error-line");
      errorLine = null;
    }
  }

  function clearError() {
    clearErrorMark();
    errorBox.hidden = true;
    errorBox.textContent = "";
  }

  function showError(body, status) {
    const message = (body && body.error) || "the query failed";
    const type = (body && body.type) || "error";
    errorBox.innerHTML = "";
    const title = document.createElement("strong");
    title.textContent = status + " " + type.replace(/_/g, " ") + ": ";
    errorBox.appendChild(title);
    errorBox.appendChild(document.createTextNode(message));
    errorBox.hidden = false;
    const at = message.match(/at (\d+):(\d+)/);
    if (editor && at) {
      const line = Math.max(0, Math.min(editor.lineCount() - 1, parseInt(at[1], 10) - 1));
      errorLine = line;
      editor.addLineClass(line, "background", "cm-error-line");
      editor.setCursor({ line: line, ch: Math.max(0, parseInt(at[2], 10) - 1) });
      editor.scrollIntoView({ line: line, ch: 0 }, 60);
    }
    statusBox.textContent = "";
  }

  // --- Results ---------------------------------------------------------------------------------

  // An IRI as a link where linkTarget allows one, else as text (a `javascript:` IRI must never be clickable).
  function iriElement(iri) {
    const href = linkTarget(iri);
    const element = document.createElement(href ? "a" : "span");
    element.title = iri;
    if (href) {
      element.href = href;
      if (!href.startsWith("/")) { element.className = "external"; element.rel = "noopener"; }
    } else {
      element.className = "unlinked";
    }
    const code = document.createElement("code");
    code.textContent = compact(iri);
    element.appendChild(code);
    return element;
  }

  function cellFor(term) {
    const td = document.createElement("td");
    if (!term) return td;
    if (term.value.length <= 24) td.className = "short";
    if (term.type === "uri") {
      td.appendChild(iriElement(term.value));
    } else if (term.type === "bnode") {
      const code = document.createElement("code");
      code.textContent = "_:" + term.value;
      td.appendChild(code);
    } else {
      const span = document.createElement("span");
      span.className = "literal";
      span.textContent = term.value;
      if (term["xml:lang"]) span.lang = term["xml:lang"];
      td.appendChild(span);
      const note = term["xml:lang"] ? term["xml:lang"] : (term.datatype && !term.datatype.endsWith("#string") ? compact(term.datatype).replace(/^<|>$/g, "") : "");
      if (note) {
        const tag = document.createElement("span");
        tag.className = "tag";
        tag.textContent = " " + note;
        td.appendChild(tag);
      }
    }
    return td;
  }

  function table(vars, rows) {
    const tableEl = document.createElement("table");
    tableEl.className = "data results-table";
    const head = tableEl.createTHead().insertRow();
    const corner = document.createElement("th");
    corner.className = "row-number";
    corner.textContent = "#";
    head.appendChild(corner);
    vars.forEach(function (name) {
      const th = document.createElement("th");
      th.scope = "col";
      th.textContent = "?" + name;
      head.appendChild(th);
    });
    const body = tableEl.createTBody();
    rows.slice(0, MAX_ROWS_SHOWN).forEach(function (row, index) {
      const tr = body.insertRow();
      const number = document.createElement("td");
      number.className = "row-number";
      number.textContent = index + 1;
      tr.appendChild(number);
      vars.forEach(function (name) { tr.appendChild(cellFor(row[name])); });
    });
    return tableEl;
  }

  // N-Triples, one statement a line, parsed into the same term shape as SPARQL JSON.
  const NT_TERM = /^(?:<([^>]*)>|_:(\S+)|"((?:[^"\\]|\\.)*)"(?:@([A-Za-z0-9-]+)|\^\^<([^>]*)>)?)\s*/;

  function unescapeLiteral(text) {
    return text.replace(/\\(u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)/g, function (_, code) {
      if (code[0] === "u" || code[0] === "U") return String.fromCodePoint(parseInt(code.slice(1), 16));
      return { t: "\t", n: "\n", r: "\r", b: "\b", f: "\f" }[code] || code;
    });
  }

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

  function showDownloads(kind, query) {
    downloads.innerHTML = "Download:";
    config.downloads[kind].forEach(function (entry) {
      const a = document.createElement("a");
      a.href = "/sparql?format=" + entry.name + "&query=" + encodeURIComponent(query);
      a.download = "govsocial-result." + entry.suffix;
      a.textContent = entry.label;
      a.type = entry.media_type;
      a.className = "download";
      a.dataset.format = entry.name;
      downloads.appendChild(document.createTextNode(" "));
      downloads.appendChild(a);
    });
  }

  function showResults(kind, count, elapsed, content, query, noun) {
    results.hidden = false;
    resultsTitle.textContent = "Results";
    const shown = count > MAX_ROWS_SHOWN ? " (first " + MAX_ROWS_SHOWN + " shown; download for all)" : "";
    resultsMeta.innerHTML = "";
    const countSpan = document.createElement("span");
    countSpan.id = "row-count";
    countSpan.dataset.rows = String(count);
    countSpan.textContent = count + " " + noun + (count === 1 ? "" : "s") + shown;
    resultsMeta.appendChild(countSpan);
    resultsMeta.appendChild(document.createTextNode(" in " + formatTime(elapsed)));
    resultsBody.innerHTML = "";
    resultsBody.appendChild(content);
    showDownloads(kind, query);
    statusBox.textContent = "";
  }

  function formatTime(ms) {
    return ms < 1000 ? Math.round(ms) + " ms" : (ms / 1000).toFixed(2) + " s";
  }

  function renderJson(data, elapsed, query) {
    if (typeof data.boolean === "boolean") {
      const p = document.createElement("p");
      p.className = "ask-answer";
      p.textContent = data.boolean ? "Yes (true)" : "No (false)";
      showResults("table", 1, elapsed, p, query, "answer");
      return;
    }
    const vars = data.head.vars || [];
    const rows = data.results.bindings || [];
    showResults("table", rows.length, elapsed, table(vars, rows), query, "row");
  }

  function renderGraph(text, elapsed, query) {
    const triples = parseNTriples(text);
    showResults("graph", triples.length, elapsed, table(["subject", "predicate", "object"], triples), query, "triple");
  }

  // --- Running ---------------------------------------------------------------------------------

  function keepInUrl(query) {
    const url = "/?query=" + encodeURIComponent(query);
    if (window.location.pathname + window.location.search !== url) {
      window.history.pushState({ query: query }, "", url);
    }
  }

  function run() {
    if (running) return;
    const query = getQuery();
    if (!query.trim()) { showError({ error: "the query is empty", type: "malformed_query" }, 400); return; }
    running = true;
    runButton.disabled = true;
    clearError();
    statusBox.textContent = "Running…";
    const started = performance.now();
    fetch("/sparql", {
      method: "POST",
      headers: {
        "Content-Type": "application/x-www-form-urlencoded",
        Accept: "application/sparql-results+json, application/n-triples;q=0.9",
      },
      body: new URLSearchParams({ query: query }),
    })
      .then(function (response) {
        const type = response.headers.get("Content-Type") || "";
        if (!response.ok) {
          return response.text().then(function (text) {
            let body;
            try { body = JSON.parse(text); } catch (e) { body = { error: text || response.statusText }; }
            showError(body, response.status);
          });
        }
        keepInUrl(query);
        if (type.startsWith("application/sparql-results+json")) {
          return response.json().then(function (data) { renderJson(data, performance.now() - started, query); });
        }
        return response.text().then(function (text) { renderGraph(text, performance.now() - started, query); });
      })
      .catch(function (error) {
        showError({ error: "the server could not be reached: " + error, type: "network_error" }, 0);
      })
      .finally(function () {
        running = false;
        runButton.disabled = false;
      });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    run();
  });

  document.querySelectorAll("a.example[data-example]").forEach(function (link) {
    link.addEventListener("click", function (event) {
      const example = config.examples.find(function (e) { return e.name === link.dataset.example; });
      if (!example) return;
      event.preventDefault();
      document.querySelectorAll("ol.examples li.current").forEach(function (li) { li.classList.remove("current"); });
      link.closest("li").classList.add("current");
      setQuery(example.text);
      run();
      form.scrollIntoView({ behavior: "smooth", block: "start" });
    });
  });

  window.addEventListener("popstate", function () {
    const params = new URLSearchParams(window.location.search);
    const query = params.get("query");
    if (query !== null) { setQuery(query); run(); }
  });

  if (copyLink) {
    copyLink.hidden = false;
    copyLink.addEventListener("click", function () {
      const url = window.location.origin + "/?query=" + encodeURIComponent(getQuery());
      const done = function () {
        copyLink.textContent = "Link copied";
        setTimeout(function () { copyLink.textContent = "Copy link to this query"; }, 1500);
      };
      if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(url).then(done, done);
      else done();
    });
  }

  if (autorun) run();
})();
