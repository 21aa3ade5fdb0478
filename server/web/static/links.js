// Where a link to an IRI goes, for every script of the site: our resources and terms on this host, other
// IRIs only when they are http(s). An IRI from a query result or the data can be anything, and a link to
// `javascript:...` would run in our origin on a click; such IRIs are shown as text instead. The server
// applies the same rule to its pages (server/present.py, `href`).
(function () {
  "use strict";

  const GSID = "https://w3id.org/govsocial/id/";
  const GS = "https://w3id.org/govsocial/ontology#";
  const ONTOLOGY = "https://w3id.org/govsocial/ontology";
  const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):/;
  const LINK_SCHEMES = ["http", "https"];

  // The href for an IRI, or null when it must not become a link (any other scheme, or no scheme at all).
  function linkTarget(iri) {
    if (typeof iri !== "string") return null;
    if (iri.startsWith(GSID)) return "/id/" + iri.slice(GSID.length);
    if (iri.startsWith(GS)) return "/ontology#" + iri.slice(GS.length);
    if (iri === ONTOLOGY) return "/ontology";
    const scheme = SCHEME.exec(iri);
    return scheme && LINK_SCHEMES.includes(scheme[1].toLowerCase()) ? iri : null;
  }

  window.GovSocial = Object.freeze({ linkTarget: linkTarget });
})();
