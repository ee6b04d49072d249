/*
 * newsindex search widget: a search box with live results and facet chips for any page.
 *
 *   <div id="news-search"></div>
 *   <script src="https://NEWS-SERVER/static/widget.js" data-target="#news-search"
 *           data-per-page="5" data-facets="agency,publisher" defer></script>
 *
 * No framework, no build step. Everything is drawn inside a shadow root, so the host page's
 * styles do not reach in and the widget's do not leak out. It calls /api/search on the server
 * it was loaded from; that server must list the host page's origin in NEWSINDEX_CORS_ORIGINS.
 * Options (data-* on the script tag, or on the target element): target, per-page, facets,
 * facet-size, placeholder, title, query (an initial query), filters (e.g. "agency=AP;year=2025").
 */
(function () {
  "use strict";

  const script = document.currentScript;
  const SERVER = new URL("../", script ? script.src : location.href);
  const DEBOUNCE_MS = 250;

  const STYLES = `
    :host { all: initial; display: block; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; color: #1b1d21; }
    * { box-sizing: border-box; }
    .ni { border: 1px solid #dcd8cf; border-radius: 10px; padding: 12px; background: #fff; }
    .ni-title { font-weight: 700; font-size: 15px; margin: 0 0 8px; }
    form { display: flex; gap: 6px; }
    input { flex: 1; min-width: 0; font: inherit; padding: 8px 10px; border: 1.5px solid #5b6170; border-radius: 8px; color: inherit; background: #fbfaf7; }
    input:focus-visible, a:focus-visible, button:focus-visible { outline: 3px solid #c24d00; outline-offset: 2px; }
    button { font: inherit; font-weight: 600; padding: 6px 12px; border-radius: 8px; border: 1.5px solid #1d4f91; background: #1d4f91; color: #fff; cursor: pointer; }
    .ni-status { color: #5b6170; font-size: 13px; margin: 8px 0 4px; min-height: 1em; }
    .ni-error { color: #a4262c; }
    .ni-facet { display: flex; gap: 8px; align-items: baseline; margin: 4px 0 6px; }
    .ni-facet-name { flex: none; width: 68px; color: #5b6170; font-size: 11.5px; text-transform: uppercase; letter-spacing: .05em; }
    .ni-chips { display: flex; flex-wrap: wrap; gap: 4px; margin: 0; padding: 0; list-style: none; }
    .ni-chip { font: inherit; font-size: 12.5px; font-weight: 400; padding: 2px 9px; border-radius: 999px; border: 1px solid #c9d6ea; background: #eef3fa; color: #1b1d21; }
    .ni-chip[aria-pressed="true"] { background: #1d4f91; border-color: #1d4f91; color: #fff; }
    .ni-chip span { opacity: .75; margin-left: 4px; }
    ol { list-style: none; margin: 0; padding: 0; }
    li.ni-hit { padding: 8px 0; border-top: 1px solid #ece9e2; }
    .ni-hit a { color: #1d4f91; font-weight: 700; text-decoration: none; font-family: Georgia, "Times New Roman", serif; font-size: 16px; }
    .ni-hit a:hover { text-decoration: underline; }
    .ni-meta { color: #5b6170; font-size: 12.5px; margin: 2px 0; }
    .ni-near { color: #5b6170; font-size: 12.5px; font-style: italic; list-style: none; }
    .ni-snippet { margin: 2px 0 0; font-size: 13.5px; }
    mark { background: #ffe98a; color: inherit; padding: 0 1px; border-radius: 2px; }
    .ni-more { display: inline-block; margin-top: 8px; font-size: 13px; color: #1d4f91; }
  `;

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value !== null && value !== undefined) node.setAttribute(name, value);
    }
    for (const child of children) {
      if (child !== null && child !== undefined) {
        node.append(child instanceof Node ? child : document.createTextNode(String(child)));
      }
    }
    return node;
  }

  /* The server's snippet holds escaped text and <mark>; rebuild it from text nodes only. */
  function snippetNodes(html) {
    const parsed = new DOMParser().parseFromString(`<p>${html || ""}</p>`, "text/html");
    const out = document.createDocumentFragment();
    for (const node of parsed.body.firstChild.childNodes) {
      if (node.nodeType === Node.ELEMENT_NODE && node.tagName === "MARK") {
        out.append(el("mark", {}, node.textContent));
      } else {
        out.append(document.createTextNode(node.textContent));
      }
    }
    return out;
  }

  function formatDate(iso) {
    if (!iso) return "";
    const day = iso.slice(0, 10);
    const date = new Date(`${day}T00:00:00`);
    return isNaN(date) ? day : date.toLocaleDateString(undefined, { day: "numeric", month: "short", year: "numeric" });
  }

  function parseFilters(text) {
    const filters = {};
    for (const pair of (text || "").split(";")) {
      const [name, value] = pair.split("=").map((s) => (s || "").trim());
      if (name && value) (filters[name] = filters[name] || []).push(value);
    }
    return filters;
  }

  function option(host, name, fallback) {
    const key = name.replace(/-([a-z])/g, (_, c) => c.toUpperCase());
    return host.dataset[key] || (script && script.dataset[key]) || fallback;
  }

  function mount(host) {
    if (host.shadowRoot) return;
    const root = host.attachShadow({ mode: "open" });
    if ("adoptedStyleSheets" in root && typeof CSSStyleSheet === "function" && "replaceSync" in CSSStyleSheet.prototype) {
      const sheet = new CSSStyleSheet();
      sheet.replaceSync(STYLES);
      root.adoptedStyleSheets = [sheet];
    } else {
      root.append(el("style", {}, STYLES));
    }
    const perPage = option(host, "per-page", "5");
    const facets = option(host, "facets", "agency,publisher").split(",").map((f) => f.trim()).filter(Boolean);
    const facetSize = option(host, "facet-size", "6");
    const base = parseFilters(option(host, "filters", ""));
    const state = { q: option(host, "query", ""), filters: {} };
    const uid = Math.random().toString(36).slice(2, 8);

    const input = el("input", {
      type: "search", id: `ni-q-${uid}`, name: "q", autocomplete: "off",
      placeholder: option(host, "placeholder", "Search the news archive"),
    });
    input.value = state.q;
    const label = el("label", { for: input.id, class: "ni-title" }, option(host, "title", "Search the news archive"));
    const form = el("form", { role: "search" }, input, el("button", { type: "submit" }, "Search"));
    const status = el("p", { class: "ni-status", role: "status", "aria-live": "polite" });
    const chips = el("div", { class: "ni-facets" });
    const list = el("ol", { class: "ni-hits" });
    const more = el("a", { class: "ni-more", target: "_blank", rel: "noopener" }, "All results on the archive ›");
    more.hidden = true;
    root.append(el("div", { class: "ni" }, label, form, status, chips, list, more));

    let timer = null;
    let inflight = null;

    function params(forPage) {
      const p = new URLSearchParams();
      if (state.q) p.set("q", state.q);
      const filters = { ...base };
      for (const [name, values] of Object.entries(state.filters)) filters[name] = [...(filters[name] || []), ...values];
      for (const [name, values] of Object.entries(filters)) for (const v of values) p.append(name, v);
      if (!forPage) {
        p.set("per_page", perPage);
        p.set("facet_size", facetSize);
        for (const f of facets) p.append("facet", f);
      }
      return p;
    }

    async function run() {
      if (inflight) inflight.abort();
      inflight = new AbortController();
      status.classList.remove("ni-error");
      status.textContent = "Searching…";
      try {
        const response = await fetch(new URL(`api/search?${params(false)}`, SERVER), {
          signal: inflight.signal, headers: { Accept: "application/json" }, credentials: "omit",
        });
        const body = await response.json();
        if (!response.ok) throw new Error(body.message || `error ${response.status}`);
        render(body);
      } catch (error) {
        if (error.name === "AbortError") return;
        status.classList.add("ni-error");
        status.textContent = `Cannot search: ${error.message}`;
        list.replaceChildren();
        chips.replaceChildren();
        more.hidden = true;
      }
    }

    function render(result) {
      const noun = result.total === 1 ? "story" : "stories";
      status.textContent = result.total ? `${result.total.toLocaleString()} ${noun}` : "No stories match.";
      if (result.notice) status.append(` (${result.notice})`);
      if (result.near_matches) {
        const held = result.total - result.near_matches;
        status.append(held
          ? `, ${result.near_matches.toLocaleString()} of them holding fewer of the words`
          : ", none holding every word");
      }
      if (result.suggestion) {
        const fix = el("button", { type: "button", class: "ni-chip" }, `Did you mean ${result.suggestion}?`);
        fix.addEventListener("click", () => { input.value = state.q = result.suggestion; run(); });
        status.append(" ", fix);
      }
      chips.replaceChildren();
      for (const name of facets) {
        const values = (result.facets || {})[name] || [];
        if (!values.length) continue;
        const row = el("ul", { class: "ni-chips", "aria-label": name });
        chips.append(el("div", { class: "ni-facet" }, el("span", { class: "ni-facet-name" }, name), row));
        for (const value of values) {
          const chip = el("button", { type: "button", class: "ni-chip", "aria-pressed": String(value.selected) },
            value.label, el("span", {}, value.count.toLocaleString()));
          chip.setAttribute("aria-label", `${name} ${value.label}, ${value.count}${value.selected ? ", selected" : ""}`);
          chip.addEventListener("click", () => {
            const toggled = { ...value.toggle };
            for (const key of Object.keys(base)) delete toggled[key];
            state.filters = toggled;
            run();
          });
          row.append(el("li", {}, chip));
        }
      }
      list.replaceChildren();
      let nearBefore = false;
      for (const hit of result.hits || []) {
        if (hit.near && !nearBefore) list.append(el("li", { class: "ni-near", role: "presentation" }, "These hold fewer of the words."));
        nearBefore = hit.near;
        const link = el("a", { href: new URL(`articles/${encodeURIComponent(hit.id)}`, SERVER).href, target: "_blank", rel: "noopener" }, hit.title || "(untitled)");
        const meta = [formatDate(hit.published), hit.dateline, hit.agency, hit.publisher !== hit.agency ? hit.publisher : null]
          .filter(Boolean).join(" · ");
        const also = hit.also_ran && hit.also_ran.count ? ` · also in ${hit.also_ran.count} more` : "";
        list.append(el("li", { class: "ni-hit" }, link, el("div", { class: "ni-meta" }, meta + also),
          el("p", { class: "ni-snippet" }, snippetNodes(hit.snippet))));
      }
      more.href = new URL(`?${params(true)}`, SERVER).href;
      more.hidden = !result.total;
    }

    input.addEventListener("input", () => {
      state.q = input.value.trim();
      clearTimeout(timer);
      timer = setTimeout(run, DEBOUNCE_MS);
    });
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      clearTimeout(timer);
      state.q = input.value.trim();
      run();
    });
    run();
  }

  function start() {
    const selector = script && script.dataset.target;
    const hosts = selector ? document.querySelectorAll(selector) : document.querySelectorAll("[data-newsindex]");
    hosts.forEach(mount);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
