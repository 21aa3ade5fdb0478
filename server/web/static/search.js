// The search box in the header: suggestions from /-/search as you type; Enter or a click opens the page.
// Without JavaScript the box is a plain form to /search.
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  const input = document.getElementById("site-search");
  const list = document.getElementById("site-search-results");
  if (!input || !list) return;
  let hits = [];
  let active = -1;
  let pending = null;
  let lastQuery = "";

  function close() {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    active = -1;
  }

  function render() {
    list.innerHTML = "";
    if (!hits.length) {
      const li = document.createElement("li");
      li.className = "none";
      li.textContent = "Nothing found. Press Enter to search all labels.";
      list.appendChild(li);
    }
    hits.forEach(function (hit, index) {
      const li = document.createElement("li");
      li.setAttribute("role", "option");
      li.id = "site-search-option-" + index;
      li.setAttribute("aria-selected", index === active ? "true" : "false");
      const a = document.createElement(hit.href ? "a" : "span");  // the server's href: null unless http(s)
      if (hit.href) a.href = hit.href;
      a.textContent = hit.label;
      const english = hit.labels && hit.labels.en;
      if (english && english !== hit.label) {
        const en = document.createElement("span");
        en.className = "secondary";
        en.lang = "en";
        en.textContent = " · " + english;
        a.appendChild(en);
      }
      const types = document.createElement("span");
      types.className = "types";
      const kinds = hit.types.map(function (t) { return t.label; }).join(" · ");
      types.textContent = hit.prefixed.startsWith("<") ? kinds : kinds + "  " + hit.prefixed;
      a.appendChild(types);
      li.appendChild(a);
      list.appendChild(li);
    });
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
    if (active >= 0) input.setAttribute("aria-activedescendant", "site-search-option-" + active);
  }

  function lookup() {
    const q = input.value.trim();
    if (q === lastQuery) return;
    lastQuery = q;
    if (!q) { hits = []; close(); return; }
    fetch("/-/search?limit=8&q=" + encodeURIComponent(q), { headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : { results: [] }; })
      .then(function (data) {
        if (input.value.trim() !== q) return;
        hits = data.results || [];
        active = hits.length ? 0 : -1;
        render();
      })
      .catch(function () { close(); });
  }

  input.addEventListener("input", function () {
    clearTimeout(pending);
    pending = setTimeout(lookup, 120);
  });
  input.addEventListener("keydown", function (event) {
    if (list.hidden) return;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      if (!hits.length) return;
      active = (active + (event.key === "ArrowDown" ? 1 : -1) + hits.length) % hits.length;
      render();
    } else if (event.key === "Enter" && active >= 0 && hits[active] && hits[active].href) {
      event.preventDefault();
      window.location.href = hits[active].href;
    } else if (event.key === "Escape") {
      close();
    }
  });
  input.addEventListener("blur", function () { setTimeout(close, 200); });
  input.addEventListener("focus", function () { if (hits.length && input.value.trim()) render(); });
})();
