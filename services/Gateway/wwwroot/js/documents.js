// The documents tab: the catalog (paged with `next`), and delete with a confirmation, polled until the catalog drops it.
import { ApiError, apiFetch, apiJson, errorMessage } from "./api.js";
import { byTestId, clearError, el, safeUrl, showError } from "./dom.js";

const panel = () => document.getElementById("panel-documents");
const pageSize = 50;
let next = null;
let total = 0;
let loading = null;
/** Document ids being removed: their rows stay "removing…" across refreshes until the catalog no longer lists them. */
const removing = new Set();

export function setupDocuments() {
  document.getElementById("documents-more").addEventListener("click", () => load(false));
  document.getElementById("documents-refresh").addEventListener("click", () => refreshDocuments());
}

/** Reloads the list from the first page. */
export function refreshDocuments() {
  return load(true);
}

async function load(reset) {
  if (loading) await loading.catch(() => {});
  loading = (async () => {
    const list = byTestId("documents");
    const empty = byTestId("documents-empty");
    const more = document.getElementById("documents-more");
    const status = document.getElementById("documents-status");
    const after = reset ? null : next;
    status.textContent = "Loading…";
    try {
      const query = new URLSearchParams({ limit: String(pageSize) });
      if (after) query.set("after", after);
      const page = await apiJson(`/api/documents?${query}`);
      if (reset) list.replaceChildren();
      for (const doc of page.items) list.append(row(doc));
      next = page.next;
      more.hidden = !next;
      total = page.total;
      showCount();
      clearError(panel());
    } catch (error) {
      status.textContent = "";
      showError(panel(), `The documents could not be listed: ${errorMessage(error)}`);
    }
  })();
  return loading;
}

/** The "n of total documents" line, the table and the empty state, from the rows shown now. */
function showCount() {
  const shown = byTestId("documents").querySelectorAll('[data-testid="document"]').length;
  byTestId("documents-empty").hidden = shown > 0;
  document.getElementById("documents-table").hidden = shown === 0;
  document.getElementById("documents-status").textContent =
    shown > 0 ? `${shown} of ${total} document${total === 1 ? "" : "s"}` : "";
}

function row(doc) {
  const href = safeUrl(doc.url);
  const indexed = doc.indexedAt ? new Date(doc.indexedAt) : null;
  const remove = el("button", { type: "button", class: "danger", dataset: { testid: "delete-document" }, "aria-label": `Delete ${doc.title}`, text: "Delete" });
  const state = el("span", { class: "row-state muted", "aria-live": "polite" });
  const tr = el(
    "tr",
    { dataset: { testid: "document", documentId: doc.documentId } },
    el("td", { class: "doc-title" },
      href ? el("a", { href, target: "_blank", rel: "noopener noreferrer", text: doc.title }) : doc.title,
      el("div", { class: "muted doc-id", text: doc.documentId })),
    el("td", { "data-label": "Source", text: doc.source }),
    el("td", { class: "num", "data-label": "Passages", text: String(doc.passages) }),
    el("td", { class: "num", "data-label": "Images", text: String(doc.images) }),
    el("td", { "data-label": "Indexed" }, indexed ? el("time", { datetime: indexed.toISOString(), title: indexed.toISOString(), text: indexed.toLocaleString() }) : "—"),
    el("td", { class: "actions" }, state, remove),
  );
  remove.addEventListener("click", () => confirmDelete(doc, tr, remove, state));
  if (removing.has(doc.documentId)) markRemoving(tr, remove, state);
  return tr;
}

function markRemoving(tr, remove, state) {
  tr.classList.add("removing");
  tr.dataset.removing = "true";
  remove.disabled = true;
  state.textContent = "removing…";
}

function confirmDelete(doc, tr, remove, state) {
  const dialog = byTestId("confirm-dialog");
  dialog.querySelector(".confirm-text").textContent =
    `Remove “${doc.title}” (${doc.passages} passages, ${doc.images} images) from the index? Answers will no longer cite it.`;
  dialog.returnValue = "";
  dialog.addEventListener("close", async () => {
    if (dialog.returnValue !== "yes") return;
    markRemoving(tr, remove, state);
    removing.add(doc.documentId);
    try {
      await apiFetch(`/api/documents/${encodeURIComponent(doc.documentId)}`, { method: "DELETE" });
      await waitUntilGone(doc.documentId);
      tr.remove();
      total = Math.max(0, total - 1);
      showCount();
    } catch (error) {
      tr.classList.remove("removing");
      delete tr.dataset.removing;
      remove.disabled = false;
      state.textContent = "";
      showError(panel(), `“${doc.title}” was not removed: ${errorMessage(error)}`);
    } finally {
      removing.delete(doc.documentId);
    }
  }, { once: true });
  dialog.showModal();
  byTestId("confirm-no").focus();
}

/** Polls the document until the catalog no longer has it (404), for up to two minutes. */
async function waitUntilGone(documentId) {
  const deadline = Date.now() + 120_000;
  let delay = 300;
  while (Date.now() < deadline) {
    try {
      await apiJson(`/api/documents/${encodeURIComponent(documentId)}`);
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) return;
      throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, delay));
    delay = Math.min(delay * 1.5, 2000);
  }
  throw new Error("the indexer has not removed it after two minutes; it will leave the list once it does (Refresh).");
}

export function setupConfirmDialog() {
  const dialog = byTestId("confirm-dialog");
  byTestId("confirm-yes").addEventListener("click", () => dialog.close("yes"));
  byTestId("confirm-no").addEventListener("click", () => dialog.close("no"));
}
