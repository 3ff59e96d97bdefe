// The models strip: what GET /api/models reports about the language model and the embedding models.
import { apiJson, errorMessage } from "./api.js";
import { byTestId, el } from "./dom.js";

let llm = null;

/** Whether an embedder replica reports CLIP available (needed for search by image). */
export function clipAvailable(models) {
  return (models?.embedding ?? []).some((m) => m.name === "clip" && m.available);
}

/** The language model as last reported (provider, model, available, reason), or null before the first answer. */
export const languageModel = () => llm;

export async function loadModels() {
  const panel = byTestId("models");
  try {
    const models = await apiJson("/api/models");
    llm = models.llm;
    render(panel, models);
    document.dispatchEvent(new CustomEvent("models-loaded", { detail: models }));
  } catch (error) {
    panel.replaceChildren(el("span", { class: "model warn", text: `Models unknown: ${errorMessage(error)}` }));
  }
}

function render(panel, models) {
  const items = [];
  const lm = models.llm ?? {};
  if (!lm.provider || lm.provider === "none") {
    items.push(item("Language model", "none — retrieval-only answers", "warn", lm.reason));
  } else if (lm.available) {
    items.push(item("Language model", `${lm.model ?? "?"} (${lm.provider})`, "ok", lm.endpoint));
  } else {
    items.push(item("Language model", `${lm.model ?? "?"} (${lm.provider}) unavailable — answers fall back to retrieval only`, "bad", lm.reason));
  }

  const embedding = models.embedding ?? [];
  const byName = new Map();
  for (const model of embedding) {
    // Several replicas report the same models: one entry per name, available if any replica has it.
    const seen = byName.get(model.name);
    if (!seen || (!seen.available && model.available)) byName.set(model.name, model);
  }
  for (const model of byName.values()) {
    if (model.name === "clip" && !model.available) continue; // said below, in words
    const label = model.name === "passage" ? "Passages" : model.name === "clip" ? "Images (CLIP)" : model.name;
    const replicas = replicaCount(embedding.filter((m) => m.name === model.name && m.available));
    const value = model.available
      ? `${model.modelId}${model.dimension ? ` · ${model.dimension}-d` : ""}${model.executionProvider ? ` · ${model.executionProvider}` : ""}${replicas > 1 ? ` · ${replicas} replicas` : ""}`
      : `unavailable${model.reason ? ": " + model.reason : ""}`;
    items.push(item(label, value, model.available ? "ok" : "bad", model.reason));
  }
  const clip = byName.get("clip");
  const embedderDown = embedding.length === 1 && embedding[0].name === "embedder" && !embedding[0].available;
  if (!embedderDown && (!clip || !clip.available)) {
    items.push(el("span", { class: "model warn", dataset: { testid: "models-clip" }, title: clip?.reason ?? "", text: "CLIP not available on this machine — images are found by caption only" }));
  }
  panel.replaceChildren(...items);
}

function replicaCount(embedding) {
  return new Set(embedding.map((m) => m.replica).filter(Boolean)).size;
}

function item(label, value, status, title) {
  return el("span", { class: `model ${status}`, title: title || undefined }, el("span", { class: "dot", "aria-hidden": "true" }), el("span", { class: "model-label", text: `${label}: ` }), el("span", { text: value }));
}
