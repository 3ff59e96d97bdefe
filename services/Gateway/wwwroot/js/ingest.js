// The ingest tab: Wikipedia titles or a folder → POST /api/ingest, then the job's events as per-document progress bars.
import { apiJson, errorMessage, readsNeedApiKey } from "./api.js";
import { byTestId, clearError, el, safeUrl, showError } from "./dom.js";
import { refreshDocuments } from "./documents.js";
import { eventJson, followEventStream } from "./sse.js";

const panel = () => document.getElementById("panel-ingest");
const eventTypes = ["document-started", "progress", "image-failed", "document-done", "document-failed", "job-done"];
const stateOrder = { queued: 0, indexing: 1, done: 2, failed: 2 };

/** The job on screen: its id, its stream (to close), and its documents by key. */
let job = null;

export function setupIngest() {
  document.getElementById("ingest-form").addEventListener("submit", (event) => {
    event.preventDefault();
    submit();
  });
}

/** Titles (or URLs) separated by commas or new lines. */
export function parseTitles(text) {
  return text.split(/[,\n]/).map((t) => t.trim()).filter(Boolean);
}

async function submit() {
  clearError(panel());
  const titles = parseTitles(byTestId("ingest-titles").value);
  const folder = byTestId("ingest-folder").value.trim();
  if (titles.length === 0 && !folder) {
    showError(panel(), "Enter Wikipedia titles (e.g. Helsinki) or a folder (e.g. samples/helsinki) to ingest.");
    return;
  }
  if (titles.length > 0 && folder) {
    showError(panel(), "Ingest either Wikipedia titles or a folder, not both at once: clear one of the two fields.");
    return;
  }
  const button = byTestId("ingest-submit");
  button.disabled = true;
  try {
    const accepted = await apiJson("/api/ingest", { method: "POST", json: titles.length > 0 ? { wikipedia: titles } : { folder } });
    start(accepted.jobId, titles.length > 0 ? `Wikipedia: ${titles.join(", ")}` : `folder ${folder}`);
  } catch (error) {
    showError(panel(), errorMessage(error));
  } finally {
    button.disabled = false;
  }
}

function start(jobId, what) {
  job?.close();
  const progress = byTestId("ingest-progress");
  const summary = byTestId("ingest-summary");
  summary.hidden = true;
  summary.removeAttribute("data-state");
  summary.textContent = "";
  const status = el("p", { class: "job-status muted", role: "status", text: `Job ${jobId} (${what}): waiting for the crawler…` });
  const list = el("ul", { class: "ingest-documents" });
  progress.replaceChildren(status, list);
  const controller = new AbortController();
  let source = null;
  job = {
    jobId,
    status,
    list,
    rows: new Map(),
    finished: false,
    lastEventId: null,
    close() {
      source?.close();
      controller.abort();
    },
  };
  const current = job;
  const handle = (event) => {
    if (job !== current) return;
    if (event.id !== null && event.id !== undefined && event.id !== "") current.lastEventId = event.id;
    apply(current, event.type, eventJson(event));
  };
  const url = `/api/ingest/${encodeURIComponent(jobId)}/events`;
  const useFetch = () => {
    source?.close();
    source = null;
    followEventStream(url, {
      onEvent: handle,
      until: (event) => event.type === "job-done",
      signal: controller.signal,
      lastEventId: current.lastEventId,
      onState: (state) => state === "reconnecting" && setStatus(current, "Connection lost — reconnecting…"),
    }).catch((error) => {
      if (job === current && !current.finished) showError(panel(), `Following the job failed: ${errorMessage(error)}`);
    });
  };
  if (readsNeedApiKey()) {
    useFetch();
    return;
  }
  // EventSource (a GET): it reconnects by itself with Last-Event-ID. It cannot send the API key, so when the server refuses
  // it (closed, not reconnecting) the same stream is read with fetch, which can.
  source = new EventSource(url);
  for (const type of eventTypes) source.addEventListener(type, (event) => handle({ type, data: event.data, id: event.lastEventId }));
  source.addEventListener("error", () => {
    if (job !== current || current.finished) return;
    if (source?.readyState === EventSource.CLOSED) useFetch();
    else setStatus(current, "Connection lost — reconnecting…");
  });
}

function setStatus(current, text) {
  current.status.textContent = text;
}

function apply(current, type, data) {
  if (!data) return;
  switch (type) {
    case "document-started": {
      const row = rowFor(current, data.documentId, data.title, data.url);
      setState(row, "indexing");
      setStatus(current, `Job ${current.jobId}: indexing…`);
      break;
    }
    case "progress": {
      const row = rowFor(current, data.documentId);
      setState(row, "indexing");
      setBars(row, data.passages, data.images);
      break;
    }
    case "image-failed": {
      const row = rowFor(current, data.documentId);
      addError(row, `image ${String(data.imageId).slice(0, 12)}…: ${data.reason}`);
      break;
    }
    case "document-done": {
      const row = rowFor(current, data.documentId, data.title, data.url);
      setState(row, "done");
      setBars(row, { done: data.passages, total: data.passages }, { done: data.images, failed: data.imagesFailed, total: data.images + data.imagesFailed });
      row.note.textContent = data.unchanged ? "unchanged since it was last indexed" : "indexed";
      break;
    }
    case "document-failed": {
      const row = rowFor(current, data.documentId ?? `title:${data.title}`, data.title);
      setState(row, "failed");
      addError(row, `${data.stage === "crawl" ? "crawling" : data.stage === "index" ? "indexing" : data.stage} failed: ${data.reason}`);
      row.note.textContent = "failed";
      break;
    }
    case "job-done":
      finish(current, data);
      break;
  }
}

function rowFor(current, documentId, title, url) {
  let row = current.rows.get(documentId);
  if (!row) {
    const name = el("span", { class: "doc-title" });
    const note = el("span", { class: "muted doc-note", text: "queued" });
    const passages = el("progress", { max: "1", value: "0", "aria-label": "passages indexed" });
    const passagesText = el("span", { class: "muted", text: "passages —" });
    const images = el("progress", { max: "1", value: "0", "aria-label": "images stored" });
    const imagesText = el("span", { class: "muted", text: "images —" });
    const errors = el("ul", { class: "ingest-errors" });
    const item = el(
      "li",
      { class: "ingest-document", dataset: { testid: "ingest-document", documentId, state: "queued" } },
      el("div", { class: "doc-head" }, name, note),
      el("div", { class: "bars" }, el("label", { class: "bar" }, passagesText, passages), el("label", { class: "bar" }, imagesText, images)),
      errors,
    );
    row = { item, name, note, passages, passagesText, images, imagesText, errors };
    current.rows.set(documentId, row);
    current.list.append(item);
  }
  if (title || !row.name.textContent) {
    const href = safeUrl(url);
    const label = title || documentId;
    row.name.replaceChildren(href ? el("a", { href, target: "_blank", rel: "noopener noreferrer", text: label }) : label);
  }
  return row;
}

function setState(row, state) {
  const now = row.item.dataset.state;
  if (stateOrder[state] < stateOrder[now]) return; // a document's first outcome stands
  if (now === "done" || now === "failed") return;
  row.item.dataset.state = state;
  if (state === "indexing") row.note.textContent = "indexing…";
}

function setBars(row, passages, images) {
  if (passages) {
    row.passages.max = Math.max(1, passages.total);
    row.passages.value = passages.total === 0 && row.item.dataset.state === "done" ? 1 : passages.done;
    row.passagesText.textContent = `passages ${passages.done}/${passages.total}`;
  }
  if (images) {
    const finished = images.done + (images.failed ?? 0);
    row.images.max = Math.max(1, images.total);
    row.images.value = images.total === 0 && row.item.dataset.state === "done" ? 1 : finished;
    row.imagesText.textContent = `images ${images.done}/${images.total}${images.failed ? ` (${images.failed} failed)` : ""}`;
  }
}

function addError(row, text) {
  row.errors.append(el("li", { class: "ingest-error", dataset: { testid: "ingest-error" }, text }));
}

function finish(current, data) {
  current.finished = true;
  current.close();
  const summary = byTestId("ingest-summary");
  const state = data.state;
  const indexed = data.documents - data.failed;
  const words = {
    done: `Finished: ${plural(indexed, "document")} indexed.`,
    partial: `Finished with failures: ${plural(indexed, "document")} indexed, ${data.failed} failed (the reasons are above).`,
    failed: `The job failed: ${data.failed ? `${plural(data.failed, "document")} failed` : "nothing was indexed"} (the reasons are above).`,
  };
  summary.dataset.state = state;
  summary.textContent = words[state] ?? `Finished (${state}).`;
  summary.hidden = false;
  setStatus(current, `Job ${current.jobId}: ${state}.`);
  if (current.rows.size === 0 && state !== "done") current.list.append(el("li", { class: "empty", text: "No document was crawled." }));
  refreshDocuments();
}

const plural = (n, word) => `${n} ${word}${n === 1 ? "" : "s"}`;
