// quanhe dashboard: plain JS over the REST API (no build step). Vietnamese first, English on the toggle.
// Text from the store is only ever inserted as text nodes, never as HTML.
"use strict";

const PAGE = 20;
const TYPES = ["AGREE", "CONSULT", "SUPPORT", "CONCEDE", "COOPERATE", "AID", "RETREAT", "REQUEST",
  "ACCUSE", "REJECT", "THREATEN", "PROTEST", "SANCTION", "MOBILIZE", "COERCE", "ASSAULT"];
// Cooperation in greens and blues, conflict in oranges and reds, in the order of TYPES.
const COLORS = ["#1a9850", "#66bd63", "#a6d96a", "#4393c3", "#2166ac", "#053061", "#92c5de", "#d9ef8b",
  "#fee08b", "#fdae61", "#f46d43", "#d73027", "#b2182b", "#8c510a", "#67001f", "#40004b"];

const I18N = {
  vi: {
    title: "Theo dõi quan hệ quốc tế", api: "API", dyad: "Cặp quốc gia", freq: "Chu kỳ", day: "Ngày", week: "Tuần",
    month: "Tháng", timeline: "Diễn biến: sự kiện theo loại và điểm hợp tác – xung đột",
    chartNote: "Mỗi cột đếm câu chuyện (một sự kiện thực tế dù được nhiều bài báo đưa tin); đường là tổng điểm " +
      "Goldstein của kỳ.",
    assessments: "Đánh giá quan hệ gần đây", quotes: "Ai nói gì", events: "Sự kiện", date: "Ngày", type: "Loại",
    actors: "Chủ thể → đối tượng", evidence: "Bằng chứng", confidence: "Độ tin cậy", prev: "‹ Trước", next: "Sau ›",
    period: "Kỳ", stories: "Số câu chuyện", score: "Điểm hợp tác – xung đột", eventType: "Loại sự kiện",
    noData: "Chưa có sự kiện nào có ngày cho cặp này.", none: "Không có.", undated: "không có ngày",
    summary: (s, m, u) => `${s} câu chuyện có ngày (${m} lần được nhắc); ${u} câu chuyện không có ngày.`,
    page: (a, b, t) => `${a}–${b} / ${t}`, negated: "(phủ định)", unknown: "?", noTitle: "(không có tiêu đề)",
    published: "Ngày đăng", source: "Nguồn", loadError: "Không tải được dữ liệu",
    noDyads: "Kho dữ liệu chưa có cặp nào.",
    polarity: { negative: "tiêu cực", neutral: "trung tính", positive: "tích cực" },
    types: { AGREE: "Thỏa thuận", CONSULT: "Tham vấn", SUPPORT: "Ủng hộ", CONCEDE: "Nhượng bộ", COOPERATE: "Hợp tác",
      AID: "Viện trợ", RETREAT: "Rút lui", REQUEST: "Yêu cầu", ACCUSE: "Cáo buộc", REJECT: "Bác bỏ",
      THREATEN: "Đe dọa", PROTEST: "Phản đối", SANCTION: "Trừng phạt", MOBILIZE: "Huy động lực lượng",
      COERCE: "Cưỡng ép", ASSAULT: "Tấn công" },
  },
  en: {
    title: "International relations monitor", api: "API", dyad: "Country pair", freq: "Period", day: "Day",
    week: "Week", month: "Month", timeline: "Timeline: events by type and cooperation–conflict score",
    chartNote: "Each bar counts stories (one real-world event however many articles report it); the line is the " +
      "period's total Goldstein score.",
    assessments: "Latest relation assessments", quotes: "Who said what", events: "Events", date: "Date",
    type: "Type", actors: "Source → target", evidence: "Evidence", confidence: "Confidence", prev: "‹ Previous",
    next: "Next ›", period: "Period", stories: "Stories", score: "Cooperation–conflict score",
    eventType: "Event type", noData: "No dated events for this pair yet.", none: "None.", undated: "undated",
    summary: (s, m, u) => `${s} dated stories (${m} mentions); ${u} undated stories.`,
    page: (a, b, t) => `${a}–${b} of ${t}`, negated: "(negated)", unknown: "?", noTitle: "(no title)",
    published: "Published", source: "Source", loadError: "Could not load data", noDyads: "The store has no pairs yet.",
    polarity: { negative: "negative", neutral: "neutral", positive: "positive" },
    types: { AGREE: "Agree", CONSULT: "Consult", SUPPORT: "Support", CONCEDE: "Concede", COOPERATE: "Cooperate",
      AID: "Aid", RETREAT: "Retreat", REQUEST: "Request", ACCUSE: "Accuse", REJECT: "Reject", THREATEN: "Threaten",
      PROTEST: "Protest", SANCTION: "Sanction", MOBILIZE: "Mobilize", COERCE: "Coerce", ASSAULT: "Assault" },
  },
};

const state = { lang: localStorage.getItem("quanhe.lang") || "vi", dyads: [], series: null, events: null,
  quotes: null, offset: 0, article: null };
const $ = (id) => document.getElementById(id);
const t = (key) => I18N[state.lang][key];

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (name === "dataset") Object.assign(node.dataset, value);
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value);
  }
  for (const child of children) node.append(child ?? "");
  return node;
}

async function api(path) {
  const response = await fetch(path, { headers: { Accept: "application/json" } });
  if (!response.ok) throw new Error(`${response.status} ${path}`);
  return response.json();
}

function showError(error) {
  $("error").hidden = false;
  $("error").textContent = `${t("loadError")}: ${error.message}`;
}

function currentDyad() {
  const [a, b] = $("dyad").value.split("-");
  return { a, b };
}

// ---- dyad picker -------------------------------------------------------------------------------------------

function dyadLabel(d) {
  const [a, b] = state.lang === "vi" ? [d.a_vi, d.b_vi] : [d.a_en, d.b_en];
  return `${a} – ${b} (${d.stories})`;
}

function renderPicker() {
  const select = $("dyad");
  const chosen = select.value;
  select.replaceChildren(...state.dyads.map((d) => el("option", { value: `${d.a}-${d.b}` }, dyadLabel(d))));
  if (chosen) select.value = chosen;
}

// ---- chart -------------------------------------------------------------------------------------------------

function chartSpec(rows) {
  const types = I18N[state.lang].types;
  const bars = [];
  for (const row of rows) {
    for (const type of TYPES) {
      if (row[type]) bars.push({ period: row.period, type: types[type], count: row[type] });
    }
  }
  const scores = rows.map((row) => ({ period: row.period, score: row.score }));
  const x = { field: "period", type: "ordinal", title: t("period"), sort: "ascending", axis: { labelAngle: -40 } };
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    width: "container", height: 300, autosize: { type: "fit-x", contains: "padding" },
    layer: [
      { data: { values: bars }, mark: { type: "bar", tooltip: true },
        encoding: { x, y: { field: "count", type: "quantitative", aggregate: "sum", title: t("stories") },
          color: { field: "type", type: "nominal", title: t("eventType"),
            scale: { domain: TYPES.map((k) => types[k]), range: COLORS } } } },
      { data: { values: scores }, mark: { type: "line", point: true, color: "#222", tooltip: true },
        encoding: { x, y: { field: "score", type: "quantitative", title: t("score") } } },
    ],
    resolve: { scale: { y: "independent" } },
  };
}

async function renderChart() {
  const chart = $("chart");
  const rows = state.series ? state.series.rows : [];
  chart.dataset.state = "loading";
  if (!rows.length) {
    chart.replaceChildren(el("p", { class: "note" }, t("noData")));
    chart.dataset.state = "empty";
    return;
  }
  await vegaEmbed(chart, chartSpec(rows), { renderer: "svg", actions: false });
  chart.dataset.state = "ready";
}

// ---- assessments, quotes, events -----------------------------------------------------------------------------

function evidenceLink(evidence, label) {
  return el("button", { type: "button", class: "link", onclick: () => openArticle(evidence) }, label);
}

function renderAssessments() {
  const items = state.series ? state.series.assessments : [];
  const list = $("assessments");
  if (!items.length) return list.replaceChildren(el("li", { class: "note" }, t("none")));
  list.replaceChildren(...items.map((x) => el("li", { class: `polarity-${x.polarity}` },
    el("div", { class: "meta" }, `${x.date || t("undated")} · ${x.speaker_name || t("unknown")} · `,
      t("polarity")[x.polarity] || x.polarity, x.level ? ` (${x.level})` : ""),
    evidenceLink(x.evidence, x.evidence.text))));
}

function renderQuotes() {
  const items = state.quotes ? state.quotes.items : [];
  const list = $("quotes");
  if (!items.length) return list.replaceChildren(el("li", { class: "note" }, t("none")));
  list.replaceChildren(...items.map((q) => el("li", {},
    el("div", { class: "meta" }, `${actorName(q.speaker)} · ${q.cue} · `,
      q.date || t("undated")),
    evidenceLink(q.evidence, q.kind === "direct" ? `“${q.text}”` : q.text))));
}

// Vietnamese shows the words of the article, English the canonical (English) name.
function actorName(actor) {
  if (!actor) return t("unknown");
  const [first, second] = state.lang === "vi" ? [actor.text, actor.name] : [actor.name, actor.text];
  return first || second || actor.country || t("unknown");
}

function renderEvents() {
  const page = state.events || { items: [], total: 0, offset: 0 };
  const types = I18N[state.lang].types;
  $("events").tBodies[0].replaceChildren(...page.items.map((e) => el("tr", {
    tabindex: "0", dataset: { article: e.evidence.article, start: e.evidence.start, end: e.evidence.end },
    onclick: () => openArticle(e.evidence),
    onkeydown: (event) => { if (event.key === "Enter") openArticle(e.evidence); },
  },
  el("td", {}, e.date || t("undated")),
  el("td", {}, el("span", { class: "chip", style: `background:${COLORS[TYPES.indexOf(e.type)]}` }, " "),
    types[e.type] || e.type, e.negated ? ` ${t("negated")}` : ""),
  el("td", {}, `${actorName(e.source)} → ${actorName(e.target)}`),
  el("td", { class: "evidence" }, e.evidence.text),
  el("td", {}, e.confidence == null ? "" : e.confidence.toFixed(2)))));
  const last = Math.min(page.offset + page.items.length, page.total);
  $("page").textContent = t("page")(page.total ? page.offset + 1 : 0, last, page.total);
  $("prev").disabled = page.offset === 0;
  $("next").disabled = last >= page.total;
}

// ---- article with its evidence highlighted -------------------------------------------------------------------

async function openArticle(evidence) {
  try {
    const article = await api(`articles/${encodeURIComponent(evidence.article)}`);
    state.article = { article, evidence };
    renderArticle();
    $("article").scrollIntoView({ behavior: "smooth", block: "start" });
  } catch (error) {
    showError(error);
  }
}

function renderArticle() {
  if (!state.article) return;
  const { article, evidence } = state.article;
  // Offsets count Unicode code points (Python), so slice code points, not UTF-16 units.
  const chars = Array.from(article.text);
  const mark = el("mark", { id: "evidence-mark" }, chars.slice(evidence.start, evidence.end).join(""));
  $("article-title").textContent = article.title || t("noTitle");
  $("article-meta").textContent = `${t("published")}: ${article.published || t("undated")} · ${t("source")}: ` +
    `${article.url || article.source}`;
  $("article-text").replaceChildren(chars.slice(0, evidence.start).join(""), mark,
    chars.slice(evidence.end).join(""));
  $("article").hidden = false;
  mark.scrollIntoView({ block: "nearest" });
}

function renderSummary() {
  const rows = state.series.rows;
  const total = (field) => rows.reduce((sum, row) => sum + row[field], 0);
  $("summary").textContent = t("summary")(total("stories"), total("mentions"), state.series.undated);
}

// ---- loading -------------------------------------------------------------------------------------------------

async function loadEvents() {
  const { a, b } = currentDyad();
  state.events = await api(`events?dyad=${a}~${b}&limit=${PAGE}&offset=${state.offset}`);
  renderEvents();
}

async function loadDyad() {
  const { a, b } = currentDyad();
  if (!a) return;
  $("error").hidden = true;
  location.hash = `${a}-${b}`;
  state.offset = 0;
  $("chart").dataset.state = "loading";  // synchronously, so nobody reads the previous dyad as current
  $("events").tBodies[0].replaceChildren();
  try {
    const [series, quotes] = await Promise.all([
      api(`dyads/${a}/${b}/series?freq=${$("freq").value}`),
      api(`quotes?dyad=${a}~${b}&limit=${PAGE}`),
    ]);
    state.series = series;
    state.quotes = quotes;
    renderSummary();
    renderAssessments();
    renderQuotes();
    await Promise.all([loadEvents(), renderChart()]);
  } catch (error) {
    showError(error);
  }
}

function applyLanguage() {
  document.documentElement.lang = state.lang;
  for (const node of document.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
  $("lang").textContent = state.lang === "vi" ? "EN" : "VI";
  renderPicker();
  if (state.series) {
    renderSummary();
    renderAssessments();
    renderQuotes();
    renderEvents();
    renderArticle();
    renderChart();
  }
}

async function start() {
  $("lang").addEventListener("click", () => {
    state.lang = state.lang === "vi" ? "en" : "vi";
    localStorage.setItem("quanhe.lang", state.lang);
    applyLanguage();
  });
  $("dyad").addEventListener("change", loadDyad);
  $("freq").addEventListener("change", loadDyad);
  $("prev").addEventListener("click", () => { state.offset = Math.max(0, state.offset - PAGE); loadEvents(); });
  $("next").addEventListener("click", () => { state.offset += PAGE; loadEvents(); });
  applyLanguage();
  try {
    state.dyads = (await api("dyads")).items;
  } catch (error) {
    return showError(error);
  }
  if (!state.dyads.length) {
    $("summary").textContent = t("noDyads");
    return;
  }
  renderPicker();
  const wanted = location.hash.slice(1);
  if (state.dyads.some((d) => `${d.a}-${d.b}` === wanted)) $("dyad").value = wanted;
  await loadDyad();
}

start();
