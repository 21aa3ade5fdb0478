// The query workbench: runs the editor's query on /sparql, keeps the whole answer and shows it in the view
// the reader picks (table, chart, timeline, graph; see workbench-*.js), offers it for download in full, keeps
// query, view and options in the address, remembers recent queries, and shows the parser's error where it
// points. The other workbench-*.js files are loaded before this one; each adds a part to window.Workbench.
(function () {
  "use strict";

  const W = window.Workbench;
  const { dom, views, history: recent, snippets } = W;
  const config = W.config;
  const autorun = JSON.parse(document.getElementById("workbench-autorun").textContent);
  const form = document.getElementById("query-form");
  const runButton = document.getElementById("run");
  const statusBox = document.getElementById("status");
  const errorBox = document.getElementById("query-error");
  const keysNow = document.getElementById("editor-keys-now");
  const results = document.getElementById("results");
  const resultsMeta = document.getElementById("results-meta");
  const staleNote = document.getElementById("results-stale");
  const downloads = document.getElementById("downloads");
  const panel = document.getElementById("results-body");
  const tabs = [...document.querySelectorAll("#view-tabs [role=tab]")];
  const shareButton = document.getElementById("share");
  const shareBox = document.getElementById("share-box");
  const shareUrl = document.getElementById("share-url");
  const shareNote = document.getElementById("share-note");
  const snippetBox = document.getElementById("snippet-box");
  const snippetCode = document.getElementById("snippet");
  const snippetTitle = document.getElementById("snippet-title");
  const historyList = document.getElementById("history-list");
  const historyCount = document.getElementById("history-count");
  /** Links longer than this are downloaded by POST: the server reads request lines up to 256 KiB. */
  const LONGEST_GET = 200000;
  const KEEP_OPTIONS = ["size", "types", "chart"]; // what stays when the next query has other columns

  const current = { answer: null, view: "table", options: {} };
  let pending = null; // the AbortController of the run under way

  const editor = W.editor.create(document.getElementById("query"), {
    run: function () { run(); },
    changed: function () { if (!shareBox.hidden) shareBox.hidden = true; },
    escaped: function (armed) {
      keysNow.textContent = armed ? " · Tab now moves out of the editor (Shift-Tab backwards)." : "";
    },
  });
  document.querySelectorAll(".js-only").forEach(function (element) { element.hidden = false; });

  // --- Errors ----------------------------------------------------------------------------------

  function clearError() {
    editor.clearError();
    errorBox.hidden = true;
    errorBox.replaceChildren();
  }

  /**
   * The server's message, once: it already names its kind ("malformed query: error at 3:6: …"). The position
   * it gives is marked in the editor, and results still on the page are marked as those of an earlier query.
   */
  function showError(body, status) {
    const message = (body && body.error) || "the query failed";
    const kind = ((body && body.type) || "error").replace(/_/g, " ");
    const text = message.toLowerCase().startsWith(kind) ? message : kind + ": " + message;
    errorBox.replaceChildren(dom.element("strong", "", (status ? "Error " + status : "Error") + " · "), document.createTextNode(text));
    const at = /error at (\d+):(\d+)/.exec(message);
    const unknown = /unknown prefix ((?:[\w.-]*:(?:, )?)+)/.exec(message);
    const names = unknown ? unknown[1].split(", ").map(function (n) { return n.replace(/:$/, ""); }) : [];
    if (at || names.length) {
      const line = at ? parseInt(at[1], 10) : 0;
      const column = at ? parseInt(at[2], 10) : 0;
      editor.markError(line, column, names);
      if (line) {
        const go = dom.element("button", "go-to-error", "Go to line " + line + ", column " + column);
        go.type = "button";
        go.addEventListener("click", function () { editor.focusAt(line, column); });
        errorBox.appendChild(document.createTextNode(" "));
        errorBox.appendChild(go);
      }
    }
    errorBox.hidden = false;
    statusBox.textContent = "";
    if (!results.hidden) {
      results.classList.add("stale");
      staleNote.hidden = false;
    }
  }

  // --- Results ---------------------------------------------------------------------------------

  function formatTime(ms) {
    return ms < 1000 ? Math.round(ms) + " ms" : (ms / 1000).toFixed(2) + " s";
  }

  function sizeText(bytes) {
    return bytes >= 1048576 ? Math.round(bytes / 1048576) + " MB" : Math.round(bytes / 1024) + " KB";
  }

  /** A download the server answers in full: a link to /sparql with `format=`, by POST when too long for GET. */
  function showDownloads(answer) {
    downloads.replaceChildren(document.createTextNode("Download the whole answer:"));
    const limit = config.limits ? " (up to " + sizeText(config.limits.max_result_bytes) + ")" : "";
    config.downloads[answer.kind === "graph" ? "graph" : "table"].forEach(function (entry) {
      const a = dom.element("a", "download", entry.label);
      a.href = "/sparql?format=" + encodeURIComponent(entry.name) + "&query=" + encodeURIComponent(answer.query);
      a.download = "govsocial-result." + entry.suffix;
      a.type = entry.media_type;
      a.title = "All " + dom.count(answer.count) + " " + answer.noun + (answer.count === 1 ? "" : "s") + " as " + entry.label + limit;
      a.dataset.format = entry.name;
      if (a.href.length > LONGEST_GET) {
        a.addEventListener("click", function (event) {
          event.preventDefault();
          downloadByPost(answer.query, entry);
        });
      }
      downloads.appendChild(document.createTextNode(" "));
      downloads.appendChild(a);
    });
  }

  function downloadByPost(query, entry) {
    statusBox.textContent = "Preparing the download…";
    fetch("/sparql", { method: "POST", headers: { Accept: entry.media_type }, body: new URLSearchParams({ query: query }) })
      .then(function (response) {
        if (!response.ok) return response.json().then(function (body) { showError(body, response.status); });
        return response.blob().then(function (blob) {
          const url = URL.createObjectURL(blob);
          const a = document.createElement("a");
          a.href = url;
          a.download = "govsocial-result." + entry.suffix;
          document.body.appendChild(a);
          a.click();
          a.remove();
          setTimeout(function () { URL.revokeObjectURL(url); }, 60000);
          statusBox.textContent = "";
        });
      })
      .catch(function (error) { showError({ error: "the download failed: " + error, type: "network_error" }, 0); });
  }

  function showMeta(answer) {
    const countSpan = dom.element("span", "", dom.count(answer.count) + " " + answer.noun + (answer.count === 1 ? "" : "s"));
    countSpan.id = "row-count";
    countSpan.dataset.rows = String(answer.count);
    resultsMeta.replaceChildren(countSpan, document.createTextNode(" in " + formatTime(answer.elapsed)));
  }

  /** Why a view cannot show the answer (null when it can), found once per answer: a check reads every row. */
  function unfit(answer, name) {
    if (!answer.fits) answer.fits = {};
    if (!(name in answer.fits)) answer.fits[name] = views[name].fit(answer);
    return answer.fits[name];
  }

  /** Tabs that will fall back to the table say so before they are chosen. */
  function showTabs() {
    tabs.forEach(function (tab) {
      const selected = tab.dataset.view === current.view;
      tab.setAttribute("aria-selected", String(selected));
      tab.tabIndex = selected ? 0 : -1;
      const reason = current.answer ? unfit(current.answer, tab.dataset.view) : null;
      tab.classList.toggle("unfit", !!reason);
      tab.title = reason || "";
    });
  }

  function change(patch) {
    Object.assign(current.options, patch);
    keepInAddress(false);
    showView();
  }

  function showView() {
    Object.values(views).forEach(function (view) { if (view.dispose) view.dispose(); });
    panel.replaceChildren();
    const answer = current.answer;
    const view = views[current.view];
    const reason = unfit(answer, current.view);
    panel.dataset.view = reason ? "table" : current.view;
    if (reason) {
      panel.appendChild(dom.note(reason));
      views.table.render(panel, answer, current.options, change);
    } else {
      view.render(panel, answer, current.options, change);
    }
    showTabs();
  }

  function showAnswer(answer) {
    current.answer = answer;
    results.hidden = false;
    results.classList.remove("stale");
    staleNote.hidden = true;
    showMeta(answer);
    showDownloads(answer);
    showView();
    statusBox.textContent = "";
  }

  function answerOf(response, query, started) {
    const type = response.headers.get("Content-Type") || "";
    if (type.startsWith("application/sparql-results+json")) {
      return response.json().then(function (data) {
        const elapsed = performance.now() - started;
        if (typeof data.boolean === "boolean") {
          return { kind: "ask", boolean: data.boolean, vars: [], rows: [], count: 1, noun: "answer", query: query, elapsed: elapsed };
        }
        const rows = data.results.bindings || [];
        return { kind: "select", vars: data.head.vars || [], rows: rows, count: rows.length, noun: "row", query: query, elapsed: elapsed };
      });
    }
    return response.text().then(function (text) {
      const triples = W.terms.parseNTriples(text);
      return {
        kind: "graph", triples: triples, vars: ["subject", "predicate", "object"], rows: triples, count: triples.length,
        noun: "triple", query: query, elapsed: performance.now() - started,
      };
    });
  }

  // --- The address -----------------------------------------------------------------------------

  /** Write query, view and options into the address: a new history entry for a new query, else in place. */
  function keepInAddress(isNewQuery) {
    const query = current.answer ? current.answer.query : editor.getValue();
    return W.state.address(query, current.view, current.options).then(function (url) {
      const here = window.location.pathname + window.location.search + window.location.hash;
      if (url === here) return;
      if (isNewQuery) window.history.pushState(null, "", url);
      else window.history.replaceState(null, "", url);
    });
  }

  // --- Running ---------------------------------------------------------------------------------

  /**
   * Run the editor's query. `given` carries a view and options read from an address, which then replace the
   * current ones; without it, a query other than the last keeps only the options that fit any answer.
   */
  function run(given) {
    const query = editor.getValue();
    if (!query.trim()) { showError({ error: "the query is empty", type: "malformed_query" }, 400); return; }
    if (pending) pending.abort();
    const controller = new AbortController();
    pending = controller;
    runButton.disabled = true;
    clearError();
    statusBox.textContent = "Running…";
    results.setAttribute("aria-busy", "true");
    const started = performance.now();
    const previous = current.answer ? current.answer.query : null;
    fetch("/sparql", {
      method: "POST",
      headers: { Accept: "application/sparql-results+json, application/n-triples;q=0.9" },
      body: new URLSearchParams({ query: query }),
      signal: controller.signal,
    })
      .then(function (response) {
        if (!response.ok) {
          return response.text().then(function (text) {
            let body;
            try { body = JSON.parse(text); } catch (error) { body = { error: text || response.statusText }; }
            showError(body, response.status);
            recent.add({ query: query, rows: null, noun: "", view: current.view, failed: true });
            showHistory();
          });
        }
        return answerOf(response, query, started).then(function (answer) {
          if (given) {
            current.view = given.view;
            current.options = Object.assign({}, given.options);
          } else if (query !== previous) {
            const kept = {};
            KEEP_OPTIONS.forEach(function (key) { if (current.options[key] !== undefined) kept[key] = current.options[key]; });
            current.options = kept;
          }
          showAnswer(answer);
          keepInAddress(!given && query !== previous);
          recent.add({ query: query, rows: answer.count, noun: answer.noun, view: current.view });
          showHistory();
        });
      })
      .catch(function (error) {
        if (error.name === "AbortError") return; // a newer run took its place
        showError({ error: "the server could not be reached: " + error, type: "network_error" }, 0);
      })
      .finally(function () {
        if (pending !== controller) return;
        pending = null;
        runButton.disabled = false;
        results.removeAttribute("aria-busy");
      });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    run();
  });

  // --- Views -----------------------------------------------------------------------------------

  function choose(tab) {
    current.view = tab.dataset.view;
    if (current.answer) { showView(); keepInAddress(false); } else showTabs();
  }

  tabs.forEach(function (tab, index) {
    tab.addEventListener("click", function () { choose(tab); });
    tab.addEventListener("keydown", function (event) {
      const moves = { ArrowRight: index + 1, ArrowLeft: index - 1, Home: 0, End: tabs.length - 1 };
      if (!(event.key in moves)) return;
      event.preventDefault();
      const next = tabs[(moves[event.key] + tabs.length) % tabs.length];
      next.focus();
      choose(next);
    });
  });

  // --- Examples and history --------------------------------------------------------------------

  function openQuery(query, given) {
    editor.setValue(query);
    run(given);
    form.scrollIntoView({ behavior: "smooth", block: "start" });
  }

  document.querySelectorAll("a.example[data-example]").forEach(function (link) {
    link.addEventListener("click", function (event) {
      const example = config.examples.find(function (e) { return e.name === link.dataset.example; });
      if (!example) return;
      event.preventDefault();
      document.querySelectorAll("ol.examples li.current").forEach(function (li) { li.classList.remove("current"); });
      link.closest("li").classList.add("current");
      openQuery(example.text);
    });
  });

  function showHistory() {
    const entries = recent.list();
    historyCount.textContent = entries.length ? " (" + entries.length + ")" : "";
    historyList.replaceChildren();
    if (!entries.length) {
      historyList.appendChild(dom.element("li", "empty", "Queries you run are listed here, in this browser only."));
      return;
    }
    entries.forEach(function (entry) {
      const item = dom.element("li", entry.failed ? "failed" : "");
      const button = dom.element("button", "history-open", recent.summary(entry.query));
      button.type = "button";
      button.title = entry.query;
      button.addEventListener("click", function () {
        openQuery(entry.query, { view: W.state.views.includes(entry.view) ? entry.view : "table", options: {} });
      });
      item.appendChild(button);
      const when = new Date(entry.at);
      const time = dom.element("time", "", when.toLocaleString("en-GB", { dateStyle: "medium", timeStyle: "short" }));
      time.dateTime = entry.at;
      const meta = dom.element("p", "history-meta");
      meta.appendChild(time);
      meta.appendChild(document.createTextNode(entry.failed ? " · failed" :
        " · " + dom.count(entry.rows) + " " + entry.noun + (entry.rows === 1 ? "" : "s") + (entry.view && entry.view !== "table" ? " · " + entry.view : "")));
      item.appendChild(meta);
      historyList.appendChild(item);
    });
  }

  document.getElementById("history-clear").addEventListener("click", function () { recent.clear(); showHistory(); });

  const sideTabs = [...document.querySelectorAll("#side-tabs [role=tab]")];
  sideTabs.forEach(function (tab, index) {
    const select = function () {
      sideTabs.forEach(function (other) {
        const on = other === tab;
        other.setAttribute("aria-selected", String(on));
        other.tabIndex = on ? 0 : -1;
        document.getElementById(other.getAttribute("aria-controls")).hidden = !on;
      });
    };
    tab.addEventListener("click", select);
    tab.addEventListener("keydown", function (event) {
      if (event.key !== "ArrowRight" && event.key !== "ArrowLeft") return;
      event.preventDefault();
      const next = sideTabs[(index + (event.key === "ArrowRight" ? 1 : -1) + sideTabs.length) % sideTabs.length];
      next.focus();
      next.click();
    });
  });

  // --- Sharing ---------------------------------------------------------------------------------

  function copy(text, done) {
    if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(text).then(function () { done(true); }, function () { done(false); });
    else done(false);
  }

  shareButton.addEventListener("click", function () {
    W.state.address(editor.getValue(), current.view, current.options).then(function (path) {
      const url = window.location.origin + path;
      shareUrl.value = url;
      shareBox.hidden = false;
      shareUrl.focus();
      shareUrl.select();
      const length = dom.count(url.length) + " characters" + (path.startsWith("/#z=") ? ", the query compressed" : "");
      copy(url, function (copied) { shareNote.textContent = (copied ? "Copied: " : "Select and copy: ") + length + "."; });
    });
  });

  document.querySelectorAll("button[data-snippet]").forEach(function (button) {
    button.addEventListener("click", function () {
      const language = button.dataset.snippet;
      const text = snippets.snippet(language, editor.getValue(), window.location.origin + "/sparql");
      snippetCode.textContent = text;
      snippetBox.dataset.language = language;
      const added = snippets.missingPrefixes(editor.getValue());
      snippetTitle.textContent = snippets.languages[language] +
        (added.length ? " · adds PREFIX " + added.map(function (n) { return n + ":"; }).join(" ") : "");
      snippetBox.hidden = false;
      copy(text, function (copied) { document.getElementById("snippet-note").textContent = copied ? "Copied." : ""; });
    });
  });
  document.getElementById("snippet-copy").addEventListener("click", function () {
    copy(snippetCode.textContent, function (copied) {
      document.getElementById("snippet-note").textContent = copied ? "Copied." : "Select the text and copy it.";
    });
  });
  document.getElementById("snippet-close").addEventListener("click", function () { snippetBox.hidden = true; });

  // --- Start -----------------------------------------------------------------------------------

  /** Show what the address asks for; run it when it names a query (or the server was asked to). */
  function fromAddress(runIt) {
    return W.state.read().then(function (state) {
      current.view = state.view;
      current.options = Object.assign({}, state.options);
      showTabs();
      if (state.query === null) return; // the address names no query: the editor keeps the server's text
      if (state.query !== editor.getValue()) editor.setValue(state.query);
      if (runIt) run({ view: state.view, options: state.options });
    }).catch(function (error) {
      showError({ error: String(error.message || error), type: "bad_link" }, 0);
    });
  }

  // back and forward, and a shared link pasted into the address bar of an open workbench (a change of the
  // fragment only, which loads no new page but is a history step all the same)
  window.addEventListener("popstate", function () { fromAddress(true); });

  showHistory();
  if (window.location.hash === "#prefixes") document.getElementById("prefixes").open = true;
  fromAddress(autorun || /(^#|&)z=/.test(window.location.hash));
})();
