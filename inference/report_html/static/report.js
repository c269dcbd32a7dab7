// foreign-desk report: charts (vega-embed, inlined above), sortable tables and the filterable article list.
// Article text is untrusted: it only ever reaches the page through textContent / createTextNode, never innerHTML.
const DATA = JSON.parse(document.getElementById("report-data").textContent);
const STANCES = DATA.stances;
const PAGE = 100;
const state = { q: "", topic: "", actor: "", stance: "", limit: PAGE };
const actorNames = new Set(DATA.actors.map((a) => a[0]));

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "dataset") Object.assign(node.dataset, value);
    else if (key === "style") node.style.cssText = value;
    else node.setAttribute(key, value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

const fmt = (x) => (x === null || x === undefined ? "" : Number(x).toFixed(2));

// --- charts ---------------------------------------------------------------------------------------------------------

async function drawCharts() {
  const jobs = [];
  for (const box of document.querySelectorAll("[data-chart]")) {
    const name = box.dataset.chart;
    const spec = DATA.charts[name];
    if (!spec) continue;
    if (typeof window.vegaEmbed !== "function") {
      box.append(el("p", { class: "chart-error" }, "chart library failed to load"));
      continue;
    }
    jobs.push(
      window
        .vegaEmbed(box, spec, { actions: false, renderer: "svg" })
        .then((result) => {
          box.dataset.drawn = "1";
          result.view.addEventListener("click", (_event, item) => chartClick(name, item && item.datum));
        })
        .catch((err) => {
          box.append(el("p", { class: "chart-error" }, "chart failed: " + err));
          console.warn(err);
        }),
    );
  }
  await Promise.all(jobs);
  document.body.dataset.charts = "ready";
}

function chartClick(name, datum) {
  if (!datum) return;
  const change = {};
  if (datum.topic && (name === "topics" || name === "topic_actor")) change.topic = datum.topic;
  if (datum.actor) change.actor = datum.actor;
  if (name === "actor_stance" && datum.stance) change.stance = datum.stance;
  if (name === "relations" && datum.holder) change.actor = datum.holder;
  if (Object.keys(change).length) setFilter(change, true);
}

// --- sortable tables ------------------------------------------------------------------------------------------------

function cellValue(row, index, type) {
  const cell = row.cells[index];
  const raw = cell.dataset.v !== undefined ? cell.dataset.v : cell.textContent.trim();
  return type === "num" ? parseFloat(raw) || 0 : raw.toLowerCase();
}

function makeSortable(table) {
  const heads = Array.from(table.tHead.rows[0].cells);
  heads.forEach((th, index) => {
    const type = th.dataset.type;
    if (!type || type === "none") return;
    th.tabIndex = 0;
    const sort = () => {
      const dir = th.getAttribute("aria-sort") === "descending" ? "ascending" : "descending";
      heads.forEach((h) => h.removeAttribute("aria-sort"));
      th.setAttribute("aria-sort", dir);
      const body = table.tBodies[0];
      const rows = Array.from(body.rows).filter((r) => r.cells.length === heads.length);
      const sign = dir === "ascending" ? 1 : -1;
      rows.sort((a, b) => {
        const x = cellValue(a, index, type);
        const y = cellValue(b, index, type);
        return x < y ? -sign : x > y ? sign : 0;
      });
      body.append(...rows);
    };
    th.addEventListener("click", sort);
    th.addEventListener("keydown", (e) => (e.key === "Enter" || e.key === " ") && (e.preventDefault(), sort()));
  });
}

// --- article list ---------------------------------------------------------------------------------------------------

let articles = [];

async function loadArticles() {
  // plain JSON, or (large reports) gzip-compressed JSON in base64, unpacked by the browser's DecompressionStream
  const node = document.getElementById("report-articles");
  let list;
  if (node.dataset.encoding === "gzip+base64") {
    const bytes = Uint8Array.from(atob(node.textContent.trim()), (c) => c.charCodeAt(0));
    const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
    list = JSON.parse(await new Response(stream).text());
  } else {
    list = JSON.parse(node.textContent);
  }
  articles = list.map((a, order) => ({ ...a, order }));
  if (articles.some((a) => a.d)) {
    articles.sort((a, b) => (b.d || "").localeCompare(a.d || "") || a.order - b.order);
  }
}

function haystack(a) {
  if (a._hay === undefined) {
    a._hay = [a.h, a.i, a.s || "", a.d || "", a.t.join(" "), a.a.map((x) => x[0]).join(" "), a.x.join(" ")]
      .join(" \u0001 ")
      .toLowerCase();
  }
  return a._hay;
}

function matches(a, terms) {
  if (state.topic && !a.t.includes(state.topic)) return false;
  if (state.actor) {
    const actor = a.a.find((x) => x[0] === state.actor);
    if (!actor) return false;
    if (state.stance && actor[2] !== state.stance) return false;
  } else if (state.stance && !a.a.some((x) => x[2] === state.stance)) {
    return false;
  }
  if (terms.length) {
    const hay = haystack(a);
    if (!terms.every((t) => hay.includes(t))) return false;
  }
  return true;
}

function highlight(text, marks) {
  // marks: [[needle, className]]; returns nodes with every occurrence of a needle wrapped in <mark>
  const ranges = [];
  for (const [needle, cls] of marks) {
    if (!needle || needle.length < 2) continue;
    let at = text.indexOf(needle);
    while (at !== -1) {
      ranges.push([at, at + needle.length, cls]);
      at = text.indexOf(needle, at + needle.length);
    }
  }
  ranges.sort((r1, r2) => r1[0] - r2[0] || r2[1] - r1[1]);
  const nodes = [];
  let pos = 0;
  for (const [start, end, cls] of ranges) {
    if (start < pos) continue;
    if (start > pos) nodes.push(document.createTextNode(text.slice(pos, start)));
    nodes.push(el("mark", { class: cls || null }, text.slice(start, end)));
    pos = end;
  }
  if (pos < text.length) nodes.push(document.createTextNode(text.slice(pos)));
  return nodes;
}

function actorNeedles(name, type) {
  // the canonical name, and for a person the first and last words ("Xi", "Trump")
  const needles = [name];
  const words = name.split(/\s+/);
  if (type === "person" && words.length > 1) needles.push(words[0], words[words.length - 1]);
  return needles;
}

function stanceBar(scores) {
  const bar = el("span", { class: "bar", title: STANCES.map((s, i) => `${s} ${fmt(scores[i])}`).join(", ") });
  STANCES.forEach((s, i) => {
    if (scores[i]) bar.append(el("i", { class: s.slice(0, 3), style: `width:${(100 * scores[i]).toFixed(1)}%` }));
  });
  return bar;
}

function articleBody(a) {
  const body = el("div", { class: "body" });
  const meta = el("p", { class: "meta" }, "id ", el("code", {}, a.i));
  if (a.d) meta.append(" · ", a.d);
  if (a.s) meta.append(" · ", a.s);
  if (a.u) meta.append(" · ", el("a", { href: a.u, target: "_blank", rel: "noopener noreferrer nofollow" }, a.u));
  body.append(meta);
  for (const warning of a.w || []) body.append(el("p", { class: "meta warn" }, "⚠ " + warning));

  // topics and their evidence passages
  body.append(el("h4", {}, "Topics"));
  const scores = Object.entries(a.ts || {}).sort((x, y) => y[1] - x[1]);
  if (!scores.length && !a.t.length) body.append(el("p", { class: "muted" }, "no topic"));
  const shown = new Set();
  for (const [label, score] of scores) {
    shown.add(label);
    const predicted = a.t.includes(label);
    const row = el(
      "div",
      { class: "topic-row" + (predicted ? "" : " muted") },
      el(predicted ? "b" : "span", {}, label),
      el("span", { class: "score", title: fmt(score) }, el("span", { style: `width:${(100 * score).toFixed(1)}%` })),
      fmt(score),
      predicted ? "" : " (below threshold)",
    );
    body.append(row);
    for (const [ref, pscore] of (a.te && a.te[label]) || []) {
      body.append(el("div", { class: "passage" }, a.x[ref], pscore !== null ? el("span", { class: "muted" }, `  ${fmt(pscore)}`) : ""));
    }
  }
  for (const label of a.t) {
    if (!shown.has(label)) body.append(el("div", { class: "topic-row" }, el("b", {}, label)));
  }

  // actors and their evidence sentences
  body.append(el("h4", {}, `Actors (${a.a.length})`));
  if (!a.a.length) body.append(el("p", { class: "muted" }, "no actor named"));
  for (const [name, type, stance, mentions, sc, evidence] of a.a) {
    const head = el(
      "div",
      { class: "actor-head" },
      el("button", { type: "button", class: "link name", dataset: { filterActor: name } }, name),
      el("span", { class: "muted" }, `${type} · ${mentions} mention${mentions === 1 ? "" : "s"}`),
      stance ? el("span", { class: `chip ${stance}` }, stance) : "",
      stanceBar(sc),
    );
    const list = el("ul", { class: "evidence" });
    for (const [ref, est, escore] of evidence) {
      list.append(
        el("li", { class: est || "" }, highlight(a.x[ref], actorNeedles(name, type).map((n) => [n, null])),
          el("span", { class: "s" }, [est, fmt(escore)].filter(Boolean).join(" "))),
      );
    }
    body.append(el("div", { class: "actor" }, head, evidence.length ? list : el("p", { class: "muted none" }, "no evidence sentence")));
  }

  // holder -> target relations
  if (a.r && a.r.length) {
    body.append(el("h4", {}, `Holder → target (${a.r.length})`));
    const list = el("ul", { class: "evidence" });
    for (const [holder, target, stance, htext, ttext, ref, score] of a.r) {
      list.append(
        el("li", { class: stance || "" },
          el("b", {}, `${holder} → ${target}`), el("span", { class: "s" }, [stance, fmt(score)].filter(Boolean).join(" ")),
          el("br"), highlight(a.x[ref], [[htext, null], [ttext, "target"]])),
      );
    }
    body.append(list);
  } else if (a.rs && a.rs.length) {
    body.append(el("h4", {}, "Holder → target"));
    const list = el("ul", { class: "evidence" });
    for (const [holder, target, stance, count] of a.rs) {
      list.append(el("li", { class: stance || "" }, `${holder} → ${target}`, el("span", { class: "s" }, `${stance || ""} ×${count}`)));
    }
    body.append(list);
  }
  return body;
}

function articleItem(a) {
  const summary = el("summary", {});
  if (a.d) summary.append(el("span", { class: "date" }, a.d));
  summary.append(el("span", { class: "headline" }, a.h || "(no headline)"));
  for (const t of a.t) summary.append(el("span", { class: "chip topic" }, t));
  const sorted = a.a.slice(0, 6);
  for (const [name, , stance] of sorted) {
    summary.append(el("span", { class: `chip ${stance || ""}${name === state.actor ? " on" : ""}` }, name));
  }
  if (a.a.length > sorted.length) summary.append(el("span", { class: "muted" }, `+${a.a.length - sorted.length}`));
  if (a.w && a.w.length) summary.append(el("span", { class: "warn", title: a.w.join("\n") }, "⚠"));
  const details = el("details", { dataset: { id: a.i } }, summary);
  details.addEventListener("toggle", () => {
    if (details.open && !details.dataset.built) {
      details.dataset.built = "1";
      details.append(articleBody(a));
    }
  });
  return el("li", { class: "article" }, details);
}

function renderList() {
  const terms = state.q.toLowerCase().split(/\s+/).filter(Boolean);
  const hits = articles.filter((a) => matches(a, terms));
  const list = document.getElementById("article-list");
  list.replaceChildren(...hits.slice(0, state.limit).map(articleItem));
  const active = [state.q && `“${state.q}”`, state.topic && `topic ${state.topic}`, state.actor && `actor ${state.actor}`,
    state.stance && `stance ${state.stance}`].filter(Boolean);
  document.getElementById("article-count").textContent =
    `${hits.length} of ${articles.length} articles` + (active.length ? ` · ${active.join(" · ")}` : "") +
    (hits.length > state.limit ? ` · showing the first ${state.limit}` : "");
  const more = document.getElementById("more");
  more.hidden = hits.length <= state.limit;
}

function syncControls() {
  document.getElementById("f-q").value = state.q;
  document.getElementById("f-topic").value = state.topic;
  document.getElementById("f-actor").value = state.actor;
  document.getElementById("f-stance").value = state.stance;
}

function setFilter(change, scroll) {
  Object.assign(state, change, { limit: PAGE });
  syncControls();
  renderList();
  if (scroll) document.getElementById("articles").scrollIntoView({ behavior: "smooth", block: "start" });
}

function setupFilters() {
  const topic = document.getElementById("f-topic");
  for (const t of DATA.topics) topic.append(el("option", { value: t }, t));
  const options = document.getElementById("actor-options");
  for (const [name, n] of DATA.actors) options.append(el("option", { value: name, label: `${n} articles` }));
  document.getElementById("filters").addEventListener("submit", (e) => e.preventDefault());
  let timer = null;
  document.getElementById("f-q").addEventListener("input", (e) => {
    clearTimeout(timer);
    timer = setTimeout(() => setFilter({ q: e.target.value.trim() }), 120);
  });
  topic.addEventListener("change", (e) => setFilter({ topic: e.target.value }));
  document.getElementById("f-stance").addEventListener("change", (e) => setFilter({ stance: e.target.value }));
  const actor = document.getElementById("f-actor");
  const applyActor = () => {
    const value = actor.value.trim();
    if (!value || actorNames.has(value)) setFilter({ actor: value });
  };
  actor.addEventListener("change", applyActor);
  actor.addEventListener("input", applyActor);
  document.getElementById("f-reset").addEventListener("click", () => setFilter({ q: "", topic: "", actor: "", stance: "" }));
  document.getElementById("more").addEventListener("click", () => {
    state.limit += PAGE;
    renderList();
  });
  // any button carrying data-filter-* (tables, topic drivers, actor names in articles) filters the list
  document.body.addEventListener("click", (e) => {
    const button = e.target.closest("[data-filter-topic], [data-filter-actor]");
    if (!button) return;
    const change = {};
    if (button.dataset.filterTopic !== undefined) change.topic = button.dataset.filterTopic;
    if (button.dataset.filterActor !== undefined) change.actor = button.dataset.filterActor;
    if (!("topic" in change) && !button.closest("#articles")) change.topic = "";
    setFilter(change, !button.closest("#articles"));
  });
}

document.querySelectorAll("table.sortable").forEach(makeSortable);
setupFilters();
const charts = drawCharts();
try {
  await loadArticles();
  renderList();
} catch (err) {
  document.getElementById("article-count").textContent = "The article list could not be read: " + err;
  console.error(err);
}
document.body.dataset.articles = "ready";
await charts;
document.body.dataset.ready = "1";
