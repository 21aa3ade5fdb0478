// "Copy as": the query as a curl command, a Python script (SPARQLWrapper) or JavaScript (fetch) that run
// anywhere. This endpoint declares prefixes for its queries (gs:, institution: …) that other tools do not
// know, so a snippet adds a PREFIX line for each one the query uses without declaring it.
(function () {
  "use strict";

  const config = window.Workbench.config;

  /**
   * The query with its comments, strings and IRIs blanked out, so that what remains is the grammar's own
   * words: `gs:` in a comment, a string or <http://…> is not a use of the prefix.
   */
  function code(query) {
    let out = "";
    let i = 0;
    while (i < query.length) {
      const c = query[i];
      if (c === "#") {
        const end = query.indexOf("\n", i);
        const stop = end < 0 ? query.length : end;
        out += " ".repeat(stop - i);
        i = stop;
      } else if (c === '"' || c === "'") {
        const long = query.startsWith(c.repeat(3), i);
        const close = long ? c.repeat(3) : c;
        let j = i + close.length;
        while (j < query.length && !query.startsWith(close, j)) j += query[j] === "\\" ? 2 : 1;
        j = Math.min(query.length, j + close.length);
        out += " ".repeat(j - i);
        i = j;
      } else if (c === "<") {
        const iri = /^<[^<>"{}|^`\\\u0000-\u0020]*>/.exec(query.slice(i, i + 4096));
        const length = iri ? iri[0].length : 1;
        out += iri ? " ".repeat(length) : c;
        i += length;
      } else {
        out += c;
        i += 1;
      }
    }
    return out;
  }

  function declared(text) {
    const names = new Set();
    const pattern = /\bPREFIX\s+((?:[A-Za-z][\w.-]*)?):/gi;
    let match;
    while ((match = pattern.exec(text)) !== null) names.add(match[1]);
    return names;
  }

  /** The pre-declared prefixes the query uses but does not declare, in the order of their first use. */
  function missingPrefixes(query) {
    const text = code(query);
    const own = declared(text);
    const used = [];
    const pattern = /(?<![\w?$:\-])((?:[A-Za-z][\w.-]*)?):/g;
    let match;
    while ((match = pattern.exec(text)) !== null) {
      const name = match[1];
      if (!own.has(name) && Object.prototype.hasOwnProperty.call(config.prefixes, name) && !used.includes(name)) used.push(name);
    }
    return used;
  }

  /** SELECT, ASK, CONSTRUCT or DESCRIBE, read from the text (the snippet asks for the format that fits). */
  function queryKind(query) {
    const match = /\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b/i.exec(code(query));
    return match ? match[1].toLowerCase() : "select";
  }

  /** The query as it runs elsewhere: PREFIX lines added after its opening comments. */
  function standalone(query) {
    const missing = missingPrefixes(query);
    if (!missing.length) return query;
    const lines = missing.map(function (name) { return "PREFIX " + name + ": <" + config.prefixes[name] + ">"; });
    const all = query.split("\n");
    let at = 0;
    while (at < all.length && /^\s*(#.*)?$/.test(all[at])) at += 1;
    return all.slice(0, at).concat(lines, all.slice(at)).join("\n");
  }

  function shellQuote(text) { return "'" + text.replace(/'/g, "'\\''") + "'"; }

  function curl(query, endpoint, kind) {
    const accept = kind === "construct" || kind === "describe" ? "text/turtle" : kind === "ask" ? "application/sparql-results+json" : "text/csv";
    return "curl " + shellQuote(endpoint) + " \\\n  -H " + shellQuote("Accept: " + accept) +
      " \\\n  --data-urlencode " + shellQuote("query=" + query) + "\n";
  }

  function python(query, endpoint, kind) {
    const literal = '"""\n' + query.replace(/\\/g, "\\\\").replace(/"""/g, '\\"\\"\\"') + '\n"""';
    const graph = kind === "construct" || kind === "describe";
    const lines = [
      "# pip install SPARQLWrapper",
      "from SPARQLWrapper import " + (graph ? "POST, TURTLE" : "JSON, POST") + ", SPARQLWrapper",
      "",
      "sparql = SPARQLWrapper(" + JSON.stringify(endpoint) + ")",
      "sparql.setMethod(POST)",
      "sparql.setQuery(" + literal + ")",
      "sparql.setReturnFormat(" + (graph ? "TURTLE" : "JSON") + ")",
    ];
    if (graph) lines.push('print(sparql.queryAndConvert().decode("utf-8"))');
    else if (kind === "ask") lines.push('print(sparql.queryAndConvert()["boolean"])');
    else {
      lines.push("results = sparql.queryAndConvert()");
      lines.push('for row in results["results"]["bindings"]:');
      lines.push('    print({name: term["value"] for name, term in row.items()})');
    }
    return lines.join("\n") + "\n";
  }

  function javascript(query, endpoint, kind) {
    const literal = "`" + query.replace(/\\/g, "\\\\").replace(/`/g, "\\`").replace(/\$\{/g, "\\${") + "`";
    const graph = kind === "construct" || kind === "describe";
    const lines = [
      "// in a browser's console, or in Node 18 or later as a module (.mjs)",
      "const query = " + literal + ";",
      "const response = await fetch(" + JSON.stringify(endpoint) + ", {",
      '  method: "POST",',
      "  headers: { Accept: " + JSON.stringify(graph ? "text/turtle" : "application/sparql-results+json") + " },",
      "  body: new URLSearchParams({ query }),",
      "});",
      "if (!response.ok) throw new Error(await response.text());",
    ];
    if (graph) lines.push("console.log(await response.text());");
    else if (kind === "ask") lines.push("console.log((await response.json()).boolean);");
    else {
      lines.push("const results = await response.json();");
      lines.push("console.table(results.results.bindings.map((row) =>");
      lines.push("  Object.fromEntries(Object.entries(row).map(([name, term]) => [name, term.value]))));");
    }
    return lines.join("\n") + "\n";
  }

  const MAKERS = { curl: curl, python: python, javascript: javascript };

  /** The snippet in one language for a query, addressed to an endpoint's absolute URL. */
  function snippet(language, query, endpoint) {
    return MAKERS[language](standalone(query), endpoint, queryKind(query));
  }

  window.Workbench.snippets = Object.freeze({
    languages: { curl: "curl", python: "Python (SPARQLWrapper)", javascript: "JavaScript (fetch)" },
    snippet: snippet,
    missingPrefixes: missingPrefixes,
    standalone: standalone,
    queryKind: queryKind,
  });
})();
