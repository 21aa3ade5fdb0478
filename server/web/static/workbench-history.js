// The queries run here lately, kept in this browser's localStorage (never sent anywhere) with when they ran,
// how many rows they gave and in which view they were read, so yesterday's query is one click away.
(function () {
  "use strict";

  const KEY = "govsocial.workbench.history";
  const KEEP = 50;
  const MAX_QUERY_CHARS = 65536; // as long as a query may be; storage is a few megabytes per site

  /** The stored entries, newest first; none where storage is off (private windows may refuse it). */
  function list() {
    try {
      const entries = JSON.parse(window.localStorage.getItem(KEY) || "[]");
      return Array.isArray(entries) ? entries.filter(function (e) { return e && typeof e.query === "string"; }) : [];
    } catch (error) {
      return []; // unreadable or refused storage: the history is empty, the workbench works on
    }
  }

  /** Store the entries; when storage is full, the older half goes first, until the rest fits. */
  function save(entries) {
    let kept = entries.slice(0, KEEP);
    while (kept.length) {
      try {
        window.localStorage.setItem(KEY, JSON.stringify(kept));
        return true;
      } catch (error) {
        if (kept.length === 1) return false; // refused storage: the run itself is unaffected
        kept = kept.slice(0, Math.ceil(kept.length / 2));
      }
    }
    return false;
  }

  /** Record a run: the same query moves to the top with its latest time and count rather than repeating. */
  function add(entry) {
    if (entry.query.length > MAX_QUERY_CHARS) return false;
    const entries = list().filter(function (e) { return e.query !== entry.query; });
    entries.unshift({
      query: entry.query,
      at: new Date().toISOString(),
      rows: entry.rows,
      noun: entry.noun,
      view: entry.view,
      failed: !!entry.failed,
    });
    return save(entries);
  }

  function clear() {
    try { window.localStorage.removeItem(KEY); } catch (error) { /* nothing stored, nothing to clear */ }
  }

  /** What a list shows of a query: its `# title:` line, else its first line that is not a comment or PREFIX. */
  function summary(query) {
    const title = /^#\s*title:\s*(.+)$/m.exec(query);
    if (title) return title[1].trim();
    const line = query.split("\n").map(function (l) { return l.trim(); })
      .find(function (l) { return l && !l.startsWith("#") && !/^(PREFIX|BASE)\b/i.test(l); });
    return line || query.trim().split("\n")[0] || "(empty)";
  }

  window.Workbench.history = Object.freeze({ list: list, add: add, clear: clear, summary: summary });
})();
