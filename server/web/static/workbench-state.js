// What the address says: the query, the view and its options, so a link reproduces what its sender saw.
// Three forms, the shortest that holds the query: `/?example=NAME` while an example is unchanged,
// `/?query=TEXT` for a short query (the form other pages link to, and one the server reads without
// JavaScript), and `/#z=DATA` for a long one: the query compressed (deflate) and written in base64url, in the
// fragment, which never leaves the browser. The options follow in the same part of the address.
(function () {
  "use strict";

  const config = window.Workbench.config;
  /** Above this many characters a `?query=` address is hard to paste into a chat or mail; compress. */
  const COMPRESS_ABOVE = 1000;
  const VIEWS = ["table", "chart", "timeline", "graph"];
  const SIZES = [50, 100, 250, 500, 1000];
  const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

  function base64url(bytes) {
    let binary = "";
    for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
    return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function fromBase64url(text) {
    const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
    return Uint8Array.from(binary, function (c) { return c.charCodeAt(0); });
  }

  function canCompress() { return typeof CompressionStream === "function" && typeof DecompressionStream === "function"; }

  function compress(text) {
    const stream = new Blob([new TextEncoder().encode(text)]).stream().pipeThrough(new CompressionStream("deflate-raw"));
    return new Response(stream).arrayBuffer().then(function (buffer) { return base64url(new Uint8Array(buffer)); });
  }

  /**
   * The query of a compressed link, read no further than a query can be long: a few bytes of deflate can
   * stand for gigabytes, and a link is text from anyone.
   */
  function decompress(data) {
    const limit = (config.limits ? config.limits.max_query_bytes : 65536) + 1;
    const reader = new Blob([fromBase64url(data)]).stream().pipeThrough(new DecompressionStream("deflate-raw")).getReader();
    const chunks = [];
    let size = 0;
    const next = function () {
      return reader.read().then(function (part) {
        if (part.done) {
          const bytes = new Uint8Array(size);
          let at = 0;
          chunks.forEach(function (chunk) { bytes.set(chunk, at); at += chunk.length; });
          return new TextDecoder().decode(bytes);
        }
        size += part.value.length;
        if (size > limit) {
          reader.cancel();
          throw new Error("the link's query is longer than this endpoint accepts");
        }
        chunks.push(part.value);
        return next();
      });
    };
    return next();
  }

  /** The options as address parameters, leaving out what is the default. */
  function optionParams(view, options) {
    const params = [];
    if (view && view !== "table") params.push(["view", view]);
    if (options.sort) params.push(["sort", (options.desc ? "-" : "") + options.sort]);
    if (options.page > 1) params.push(["page", String(options.page)]);
    if (options.size && options.size !== 100) params.push(["size", String(options.size)]);
    if (options.types) params.push(["types", "1"]);
    if (options.chart) params.push(["chart", options.chart]);
    if (options.x !== undefined) params.push(["x", options.x]);
    if (options.y && options.y.length) params.push(["y", options.y.join(",")]);
    if (options.by !== undefined) params.push(["by", options.by]);
    if (options.date !== undefined) params.push(["date", options.date]);
    if (options.label !== undefined) params.push(["label", options.label]);
    if (options.literals === true || options.literals === false) params.push(["literals", options.literals ? "1" : "0"]);
    return params;
  }

  function encode(params) {
    return params.map(function (p) { return encodeURIComponent(p[0]) + "=" + encodeURIComponent(p[1]); }).join("&");
  }

  /** The address (path, query and fragment) of a query with its view and options. */
  function address(query, view, options) {
    const rest = optionParams(view, options);
    const example = config.examples.find(function (e) { return e.text === query; });
    if (example) return Promise.resolve("/?" + encode([["example", example.name]].concat(rest)));
    const plain = "/?" + encode([["query", query]].concat(rest));
    if (plain.length <= COMPRESS_ABOVE || !canCompress()) return Promise.resolve(plain);
    return compress(query).then(function (data) {
      const packed = "/#" + encode([["z", data]].concat(rest));
      return packed.length < plain.length ? packed : plain;
    });
  }

  function variable(value) { return value !== null && (value === "" || NAME.test(value)) ? value : undefined; }

  /** The options an address gives, each checked: an address is text anyone can write. */
  function readOptions(params) {
    const options = {};
    const sort = params.get("sort");
    if (sort && NAME.test(sort.replace(/^-/, ""))) { options.sort = sort.replace(/^-/, ""); options.desc = sort.startsWith("-"); }
    const page = parseInt(params.get("page") || "", 10);
    if (page > 1) options.page = page;
    const size = parseInt(params.get("size") || "", 10);
    if (SIZES.includes(size)) options.size = size;
    if (params.get("types") === "1") options.types = true;
    if (["bar", "stacked", "line"].includes(params.get("chart"))) options.chart = params.get("chart");
    ["x", "by", "date", "label"].forEach(function (key) {
      const value = variable(params.get(key));
      if (value !== undefined) options[key] = value;
    });
    if (params.get("y")) options.y = params.get("y").split(",").filter(function (n) { return NAME.test(n); });
    if (params.get("literals") === "1" || params.get("literals") === "0") options.literals = params.get("literals") === "1";
    return options;
  }

  /**
   * What the current address asks for: {query, example, view, options}, query null when it names none (then
   * the editor keeps what the server put in it). A fragment wins over the query string.
   */
  function read() {
    const search = new URLSearchParams(window.location.search);
    const hash = new URLSearchParams(window.location.hash.replace(/^#/, ""));
    const params = hash.has("z") ? hash : search;
    const view = VIEWS.includes(params.get("view")) ? params.get("view") : "table";
    const state = { query: null, example: null, view: view, options: readOptions(params) };
    if (hash.has("z")) {
      if (!canCompress()) return Promise.reject(new Error("this browser cannot read compressed links (no DecompressionStream)"));
      return decompress(hash.get("z")).then(function (text) { state.query = text; return state; },
        function (error) {
          throw new Error(/longer/.test(error.message) ? error.message : "the link's query cannot be read: it was cut short or changed");
        });
    }
    if (search.has("query")) state.query = search.get("query");
    else if (search.has("example")) {
      const example = config.examples.find(function (e) { return e.name === search.get("example"); });
      if (example) { state.query = example.text; state.example = example.name; }
    }
    return Promise.resolve(state);
  }

  window.Workbench.state = Object.freeze({ address: address, read: read, views: VIEWS, compressAbove: COMPRESS_ABOVE });
})();
