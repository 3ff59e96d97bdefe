// The ask tab: the question, the streamed answer with citation chips, the sources, the images, the mode and the timings.
import { apiFetch, errorMessage } from "./api.js";
import { byTestId, clearError, el, formatMs, safeUrl, showError } from "./dom.js";
import { imageCard, openImage } from "./images.js";
import { renderMarkdown } from "./markdown.js";
import { languageModel } from "./models.js";
import { eventJson, readEventStream } from "./sse.js";

const panel = () => document.getElementById("panel-ask");
let controller = null;
let tooltipCounter = 0;

/** What the current answer knows: the sources event, the text so far and the done event. */
let state = emptyState();

function emptyState() {
  return { citations: new Map(), images: [], text: "", done: null, warnings: [], stopped: false, firstTextMs: null };
}

export function setupAsk() {
  const question = byTestId("question");
  const form = document.getElementById("ask-form");
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    ask(question.value);
  });
  question.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      ask(question.value);
    }
  });
  byTestId("stop").addEventListener("click", () => controller?.abort());
  // A link can carry its question: /?q=… asks it at once.
  const linked = new URLSearchParams(location.search).get("q");
  if (linked) {
    question.value = linked;
    queueMicrotask(() => ask(linked));
  }
  for (const example of panel().querySelectorAll("[data-example]")) {
    example.addEventListener("click", () => {
      question.value = example.dataset.example;
      ask(question.value);
    });
  }
}

async function ask(text) {
  controller?.abort();
  const current = new AbortController();
  controller = current;
  state = emptyState();
  clearError(panel());
  const answer = byTestId("answer");
  const results = document.getElementById("ask-results");
  results.hidden = false;
  document.getElementById("ask-empty").hidden = true;
  answer.dataset.streaming = "true";
  delete answer.dataset.done;
  answer.setAttribute("aria-busy", "true");
  answer.replaceChildren(el("p", { class: "muted thinking", text: "Searching the documents…" }));
  renderSources();
  renderImages();
  renderMeta();
  setBusy(true);
  const started = performance.now();
  let failed = false;
  try {
    const response = await apiFetch("/api/ask", {
      method: "POST",
      write: false,
      json: { question: text },
      headers: { Accept: "text/event-stream" },
      signal: current.signal,
    });
    if (!(response.headers.get("Content-Type") || "").includes("text/event-stream")) {
      onJsonAnswer(await response.json());
      return;
    }
    await readEventStream(response.body, (event, remaining) => {
      if (controller !== current) return undefined;
      const data = eventJson(event);
      switch (event.type) {
        case "sources":
          state.citations = new Map((data?.citations ?? []).map((c) => [c.number, c]));
          state.images = data?.images ?? [];
          state.warnings = data?.warnings ?? [];
          renderSources();
          renderImages();
          renderMeta();
          renderAnswer();
          break;
        case "delta":
          if (state.firstTextMs === null && data?.text) state.firstTextMs = performance.now() - started;
          state.text += data?.text ?? "";
          renderAnswer();
          // Deltas that arrived in one network read are still shown one after the other (a frame each, at most 12).
          return remaining > 0 && remaining <= 12 ? nextFrame() : undefined;
        case "done":
          state.done = data;
          state.text = data?.answer ?? state.text;
          state.warnings = data?.warnings ?? state.warnings;
          renderAnswer();
          renderSources();
          renderImages();
          renderMeta();
          break;
        case "error":
          failed = true;
          showError(panel(), (data?.detail || data?.title || "The answer failed.") + (state.text ? " The answer above is incomplete." : ""));
          break;
      }
      return undefined;
    });
    if (controller === current && !state.done && !current.signal.aborted && !failed) {
      showError(panel(), "The answer ended before it was finished (the connection closed).");
    }
  } catch (error) {
    if (controller !== current) return;
    if (error?.name === "AbortError") {
      state.stopped = true;
    } else {
      showError(panel(), errorMessage(error));
      // Nothing came back (e.g. an invalid question): the error alone, not an empty answer.
      if (state.citations.size === 0 && !state.text) document.getElementById("ask-results").hidden = true;
    }
  } finally {
    if (controller === current) {
      controller = null;
      setBusy(false);
      answer.dataset.streaming = "false";
      answer.setAttribute("aria-busy", "false");
      if (state.done) answer.dataset.done = "true";
      renderAnswer();
      renderMeta();
    }
  }
}

/** A plain JSON answer (a proxy that dropped the Accept header): shown all at once. */
function onJsonAnswer(data) {
  state.citations = new Map((data.citations ?? []).map((c) => [c.number, c]));
  state.images = data.images ?? [];
  state.text = data.answer ?? "";
  state.done = data;
  state.warnings = data.warnings ?? [];
  renderAnswer();
  renderSources();
  renderImages();
  renderMeta();
}

/** The next animation frame, or 50 ms in a background tab (where frames do not come). */
const nextFrame = () => new Promise((resolve) => {
  const timer = setTimeout(resolve, 50);
  requestAnimationFrame(() => {
    clearTimeout(timer);
    resolve();
  });
});

function setBusy(busy) {
  byTestId("ask").disabled = busy;
  byTestId("stop").disabled = !busy;
  byTestId("question").setAttribute("aria-busy", String(busy));
}

function renderAnswer() {
  const answer = byTestId("answer");
  const streaming = answer.dataset.streaming === "true";
  if (!state.text) {
    if (streaming) {
      answer.replaceChildren(el("p", { class: "muted thinking", text: state.citations.size || state.images.length ? "Writing the answer…" : "Searching the documents…" }));
    } else {
      answer.replaceChildren(el("p", { class: "muted", text: state.stopped ? "Stopped before any answer text arrived." : "No answer." }));
    }
    return;
  }
  const content = renderMarkdown(state.text, { citation: citationChip, imageRef: imageReference });
  answer.replaceChildren(content);
  if (streaming) answer.append(el("span", { class: "cursor", "aria-hidden": "true" }));
  if (state.stopped) answer.append(el("p", { class: "muted stopped", text: "Stopped — the answer is incomplete." }));
}

/** The section path without the title it starts with ("Suomenlinna › Getting there" of "Suomenlinna" → "Getting there"). */
function sectionOf(citation) {
  const section = citation.section || "";
  if (section === citation.title) return "";
  const prefix = `${citation.title} › `;
  return section.startsWith(prefix) ? section.slice(prefix.length) : section;
}

/** An inline chip for [n]: links to the source, shows title › section and a snippet on hover or focus. */
function citationChip(number) {
  const citation = state.citations.get(number);
  if (!citation) return null;
  const href = safeUrl(citation.url);
  const chip = el("a", {
    class: "citation",
    href: href ?? undefined,
    target: href ? "_blank" : undefined,
    rel: href ? "noopener noreferrer" : undefined,
    tabindex: href ? undefined : "0",
    "aria-label": `Source ${number}: ${citation.title}${sectionOf(citation) ? " › " + sectionOf(citation) : ""}`,
    dataset: { testid: "citation", number: String(number), documentId: citation.documentId },
    text: String(number),
  });
  const show = () => {
    if (chip.querySelector(".citation-tooltip")) return;
    const id = `citation-tooltip-${++tooltipCounter}`;
    const tooltip = el(
      "span",
      { class: "citation-tooltip", role: "tooltip", id, dataset: { testid: "citation-tooltip" } },
      el("strong", { text: [citation.title, sectionOf(citation)].filter(Boolean).join(" › ") }),
      el("span", { class: "snippet", text: snippet(passageBody(citation), 220) }),
    );
    for (const other of document.querySelectorAll(".citation-tooltip")) other.remove();
    chip.append(tooltip);
    chip.setAttribute("aria-describedby", id);
    // Keep the card inside the window.
    const box = tooltip.getBoundingClientRect();
    if (box.right > window.innerWidth - 8) tooltip.style.left = `${Math.max(8 - chip.getBoundingClientRect().left, window.innerWidth - 8 - box.right)}px`;
  };
  const hide = () => {
    if (chip.matches(":hover") || chip === document.activeElement) return;
    chip.querySelector(".citation-tooltip")?.remove();
    chip.removeAttribute("aria-describedby");
  };
  chip.addEventListener("mouseenter", show);
  chip.addEventListener("focus", show);
  chip.addEventListener("mouseleave", hide);
  chip.addEventListener("blur", hide);
  chip.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      chip.querySelector(".citation-tooltip")?.remove();
    }
  });
  return chip;
}

/** [In]: the n-th image of the list, as a small button that opens it. */
function imageReference(number) {
  const image = state.images[number - 1];
  if (!image) return null;
  return el("button", {
    type: "button",
    class: "image-ref",
    title: image.caption,
    "aria-label": `Image ${number}: ${image.caption}`,
    dataset: { imageId: image.imageId },
    text: `image ${number}`,
    onclick: () => openImage(image),
  });
}

/** The passage without its heading line (the indexer starts a passage with "title › section"). */
function passageBody(citation) {
  const text = String(citation.text ?? "");
  const newline = text.indexOf("\n");
  return newline > 0 && citation.title && text.startsWith(citation.title) ? text.slice(newline + 1) : text;
}

function snippet(text, length) {
  const flat = String(text ?? "").replace(/\s+/g, " ").trim();
  return flat.length > length ? flat.slice(0, length).replace(/\s\S*$/, "") + "…" : flat;
}

function renderSources() {
  const list = byTestId("sources");
  const used = new Set(state.done?.usedCitations ?? []);
  const citations = [...state.citations.values()];
  document.getElementById("sources-heading").hidden = citations.length === 0 && !state.done;
  if (citations.length === 0) {
    list.replaceChildren();
    if (state.done) list.append(el("li", { class: "empty", text: "No passages were found. Ingest some documents first (the Ingest tab), or ask about what is indexed." }));
    return;
  }
  const best = Math.max(...citations.map((c) => c.score), 1e-9);
  list.replaceChildren(
    ...citations.map((citation) => {
      const isUsed = used.has(citation.number);
      const href = safeUrl(citation.url);
      const title = [citation.title, sectionOf(citation)].filter(Boolean).join(" › ");
      const share = Math.max(0.04, Math.min(1, citation.score / best));
      return el(
        "li",
        {
          class: `source${isUsed ? " used" : ""}`,
          id: `source-${citation.number}`,
          dataset: { testid: "source", number: String(citation.number), documentId: citation.documentId, used: String(isUsed) },
        },
        el("span", { class: "source-number", text: String(citation.number) }),
        el(
          "div",
          { class: "source-body" },
          el(
            "div",
            { class: "source-title" },
            href ? el("a", { href, target: "_blank", rel: "noopener noreferrer", text: citation.title }) : el("span", { text: citation.title }),
            sectionOf(citation) ? el("span", { class: "muted", text: ` › ${sectionOf(citation)}` }) : null,
            isUsed ? el("span", { class: "used-badge", text: "used" }) : null,
          ),
          el(
            "div",
            { class: "score", title: `score ${citation.score.toFixed(4)}` },
            el("span", { class: "score-bar", role: "img", "aria-label": `relevance ${Math.round(share * 100)}% of the best` }, el("span", { class: "score-fill", style: `width:${(share * 100).toFixed(1)}%` })),
            el("span", { class: "score-value", text: citation.score.toFixed(3) }),
          ),
          el("details", {}, el("summary", { text: snippet(passageBody(citation), 140) || title }), el("p", { class: "passage", text: passageBody(citation) })),
        ),
      );
    }),
  );
}

function renderImages() {
  const gallery = byTestId("images");
  const used = new Set(state.done?.usedImageIds ?? []);
  document.getElementById("images-heading").hidden = state.images.length === 0 && !state.done;
  if (state.images.length === 0) {
    gallery.replaceChildren(state.done ? el("p", { class: "empty", text: "No image matches this question." }) : "");
    return;
  }
  gallery.replaceChildren(...state.images.map((image, index) =>
    imageCard(image, { used: used.has(image.imageId), extra: [el("span", { class: "muted image-number", text: `I${index + 1} · ${image.documentTitle}` })] })));
}

function renderMeta() {
  const badge = byTestId("mode-badge");
  const done = state.done;
  if (done) {
    const llm = done.mode === "llm";
    badge.textContent = llm ? `LLM: ${done.model ?? "unknown model"}` : "retrieval only — no language model";
    badge.dataset.mode = done.mode;
    badge.hidden = false;
  } else {
    const predicted = languageModel();
    if (predicted) {
      badge.textContent = predicted.available && predicted.provider !== "none" ? `LLM: ${predicted.model ?? predicted.provider}` : "retrieval only — no language model";
      badge.dataset.mode = predicted.available && predicted.provider !== "none" ? "llm" : "retrieval-only";
    }
    badge.hidden = !predicted;
  }

  const warnings = byTestId("warnings");
  const unique = [...new Set(state.warnings)];
  warnings.replaceChildren(...unique.map((warning) => {
    // Long warnings (a model's whole reason) show two lines; click or Enter shows the rest.
    const item = el("li", { class: "warning", tabindex: "0", title: "Show the whole warning", text: warning });
    const toggle = () => item.classList.toggle("expanded");
    item.addEventListener("click", toggle);
    item.addEventListener("keydown", (event) => {
      if (event.key === "Enter" || event.key === " ") {
        event.preventDefault();
        toggle();
      }
    });
    return item;
  }));
  warnings.hidden = unique.length === 0;

  const timings = byTestId("timings");
  const t = done?.timings;
  if (t) {
    const parts = [
      `retrieval ${formatMs(t.embedMs + t.searchMs)} (embed ${formatMs(t.embedMs)}, search ${formatMs(t.searchMs)})`,
      `first token ${formatMs(t.firstTokenMs)}`,
      `total ${formatMs(t.totalMs)}`,
    ];
    timings.textContent = parts.join(" · ");
    timings.hidden = false;
  } else if (state.firstTextMs !== null) {
    timings.textContent = `first text after ${formatMs(state.firstTextMs)} (measured in the browser)`;
    timings.hidden = false;
  } else {
    timings.textContent = "";
    timings.hidden = true;
  }
}
