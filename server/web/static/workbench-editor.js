// The query editor: CodeMirror 5 (from npm) with SPARQL highlighting, completion of our prefixes, terms and
// names (/-/search), the parser's error marked where it points, and a way out by keyboard (Esc, then Tab).
// Without CodeMirror (front-end packages not installed) the plain textarea does the same work.
(function () {
  "use strict";

  const config = window.Workbench.config;
  const RESOURCE_PREFIXES = ["gsid", "institution", "person", "platform", "event", "reason", "source"];

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
      .catch(function () { return []; }); // a failed lookup only means fewer suggestions
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

  function complete(cm) {
    cm.showHint({ hint: hintSource, completeSingle: false });
  }

  // --- The editor ------------------------------------------------------------------------------

  /**
   * The editor over a textarea. `handlers.run` runs the query (Ctrl-Enter); `handlers.escaped` is told when
   * Esc has armed Tab to leave the editor, so the page can say so; `handlers.changed` on every edit.
   */
  function create(textarea, handlers) {
    let cm = null;
    let errorLine = null;
    let errorMarks = [];
    let leaving = false; // Esc was the last key: the next Tab moves focus out instead of indenting

    function clearError() {
      if (cm && errorLine !== null) cm.removeLineClass(errorLine, "background", "cm-error-line");
      errorMarks.forEach(function (mark) { mark.clear(); });
      errorLine = null;
      errorMarks = [];
    }

    if (window.CodeMirror) {
      cm = window.CodeMirror.fromTextArea(textarea, {
        mode: "application/sparql-query",
        lineNumbers: true,
        matchBrackets: true,
        autoCloseBrackets: true,
        indentUnit: 2,
        tabSize: 2,
        viewportMargin: Infinity,
        screenReaderLabel: "SPARQL query",
        extraKeys: {
          "Ctrl-Enter": function () { handlers.run(); },
          "Cmd-Enter": function () { handlers.run(); },
          "Ctrl-Space": function (editor) { complete(editor); },
          // CodeMirror keeps Tab for indenting, which traps keyboard users; Esc first hands Tab back.
          "Esc": function () { leaving = true; handlers.escaped(true); },
          "Tab": function (editor) {
            if (editor.somethingSelected()) editor.indentSelection("add");
            else editor.replaceSelection("  ");
          },
          "Shift-Tab": function (editor) { editor.indentSelection("subtract"); },
        },
      });
      cm.on("keydown", function (editor, event) {
        if (!leaving || ["Escape", "Shift"].includes(event.key)) return;
        leaving = false;
        handlers.escaped(false);
        // CodeMirror leaves an event it is told to ignore to the browser, which moves the focus on Tab
        if (event.key === "Tab" && !event.ctrlKey && !event.altKey && !event.metaKey) event.codemirrorIgnore = true;
      });
      cm.on("blur", function () { if (leaving) { leaving = false; handlers.escaped(false); } });
      cm.on("inputRead", function (editor, change) {
        if (change.text.join("") === ":" && !editor.state.completionActive) complete(editor);
      });
      cm.on("change", function () { clearError(); handlers.changed(); });
    } else {
      textarea.addEventListener("keydown", function (event) {
        if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) { event.preventDefault(); handlers.run(); }
      });
      textarea.addEventListener("input", function () { handlers.changed(); });
    }

    /** Put the cursor at a 1-based line and column and show it. */
    function focusAt(line, column) {
      if (cm) {
        cm.focus();
        cm.setCursor({ line: line - 1, ch: Math.max(0, column - 1) });
        cm.scrollIntoView({ line: line - 1, ch: 0 }, 60);
        return;
      }
      const lines = textarea.value.split("\n");
      let offset = 0;
      for (let i = 0; i < line - 1 && i < lines.length; i++) offset += lines[i].length + 1;
      textarea.focus();
      textarea.setSelectionRange(offset + column - 1, offset + column - 1);
    }

    /**
     * Mark the parser's position: the line, the character the parser stopped at (1-based, as the server
     * reports it relative to the user's own text), and every use of the prefixes it names as unknown.
     */
    function markError(line, column, unknownPrefixes) {
      clearError();
      if (!cm) { if (line) focusAt(line, column); return; }
      if (line) {
        const index = Math.max(0, Math.min(cm.lineCount() - 1, line - 1));
        const text = cm.getLine(index);
        errorLine = index;
        cm.addLineClass(index, "background", "cm-error-line");
        let ch = Math.max(0, Math.min(column - 1, text.length - 1));
        if (text.length && /\s/.test(text[ch])) { // the engine points at the gap after a token: mark the token
          while (ch > 0 && /\s/.test(text[ch])) ch -= 1;
        }
        if (text.length) { // the whole word there, or the one character where there is none
          const word = /[\w:?$.\-]/;
          let from = ch;
          let to = ch + 1;
          if (word.test(text[ch])) {
            while (from > 0 && word.test(text[from - 1])) from -= 1;
            while (to < text.length && word.test(text[to])) to += 1;
          }
          errorMarks.push(cm.markText({ line: index, ch: from }, { line: index, ch: to }, { className: "cm-error-mark" }));
        }
      }
      (unknownPrefixes || []).forEach(function (name) {
        const pattern = new RegExp("(^|[^\\w?$:-])(" + name.replace(/[.*+?^${}()|[\]\\-]/g, "\\$&") + ":)", "g");
        cm.eachLine(function (handle) {
          const text = handle.text;
          const number = cm.getLineNumber(handle);
          let match;
          while ((match = pattern.exec(text)) !== null) {
            const start = match.index + match[1].length;
            errorMarks.push(cm.markText({ line: number, ch: start }, { line: number, ch: start + match[2].length }, { className: "cm-error-mark" }));
          }
        });
      });
      if (line) focusAt(line, column);
    }

    return {
      element: cm ? cm.getWrapperElement() : textarea,
      getValue: function () { return cm ? cm.getValue() : textarea.value; },
      setValue: function (text) {
        if (cm) {
          cm.setValue(text);
          cm.setCursor(cm.lineCount(), 0);
        } else {
          textarea.value = text;
        }
      },
      focus: function () { (cm || textarea).focus(); },
      focusAt: focusAt,
      markError: markError,
      clearError: clearError,
    };
  }

  window.Workbench.editor = Object.freeze({ create: create });
})();
