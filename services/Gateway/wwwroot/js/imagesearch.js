// The search-by-image tab: drop or pick an image → POST /api/search/image → similar images and their documents' passages.
import { apiJson, errorMessage } from "./api.js";
import { byTestId, clearError, el, safeUrl, showError } from "./dom.js";
import { imageCard } from "./images.js";
import { clipAvailable } from "./models.js";

const panel = () => document.getElementById("panel-image");
let controller = null;
let previewUrl = null;

export function setupImageSearch() {
  document.addEventListener("models-loaded", (event) => {
    document.getElementById("image-clip-note").hidden = clipAvailable(event.detail);
  });
  const input = byTestId("image-upload");
  const drop = byTestId("image-drop");
  input.addEventListener("change", () => {
    if (input.files?.[0]) search(input.files[0]);
  });
  for (const type of ["dragenter", "dragover"]) {
    drop.addEventListener(type, (event) => {
      event.preventDefault();
      if (event.dataTransfer) event.dataTransfer.dropEffect = "copy";
      drop.classList.add("dragging");
    });
  }
  for (const type of ["dragleave", "dragend"]) drop.addEventListener(type, () => drop.classList.remove("dragging"));
  drop.addEventListener("drop", (event) => {
    event.preventDefault();
    drop.classList.remove("dragging");
    const file = [...(event.dataTransfer?.files ?? [])].find((f) => f.type.startsWith("image/")) ?? event.dataTransfer?.files?.[0];
    if (file) search(file);
    else showError(panel(), "Drop an image file (JPEG, PNG or WebP).");
  });
  // The drop zone is the file input's label: the (visually hidden) input takes the focus, and Enter or Space opens the picker.
}

async function search(file) {
  controller?.abort();
  const current = new AbortController();
  controller = current;
  clearError(panel());
  const results = byTestId("image-results");
  const status = document.getElementById("image-status");
  if (previewUrl) URL.revokeObjectURL(previewUrl);
  previewUrl = URL.createObjectURL(file);
  const preview = file.type.startsWith("image/") ? el("img", { src: previewUrl, alt: `The uploaded image: ${file.name}` }) : null;
  preview?.addEventListener("error", () => preview.remove(), { once: true });
  document.getElementById("image-preview").replaceChildren(
    preview ?? "",
    el("span", { class: "muted", text: `${file.name} · ${Math.max(1, Math.round(file.size / 1024))} KB` }),
  );
  status.textContent = "Searching for similar images…";
  results.setAttribute("aria-busy", "true");
  try {
    const form = new FormData();
    form.append("file", file, file.name);
    const response = await apiJson("/api/search/image", { method: "POST", body: form, write: false, signal: current.signal });
    if (controller !== current) return;
    render(response);
    status.textContent = response.images.length
      ? `${response.images.length} similar image${response.images.length === 1 ? "" : "s"}, ${response.text.length} passage${response.text.length === 1 ? "" : "s"}.`
      : "";
  } catch (error) {
    if (controller !== current || error?.name === "AbortError") return;
    status.textContent = "";
    results.replaceChildren();
    showError(panel(), errorMessage(error));
  } finally {
    if (controller === current) results.setAttribute("aria-busy", "false");
  }
}

function render({ images = [], text = [] }) {
  const results = byTestId("image-results");
  if (images.length === 0) {
    results.replaceChildren(el("p", { class: "empty", text: "No similar image is indexed. Ingest documents with images (e.g. the Helsinki sample folder) and try again." }));
    return;
  }
  results.replaceChildren(
    el("h2", { text: "Similar images" }),
    el("div", { class: "gallery" }, images.map((image) =>
      imageCard(image, {
        testid: "image-result",
        extra: [
          el("span", { class: "muted" }, `similarity ${image.score.toFixed(3)} · `, documentLink(image.documentTitle, image.documentUrl, image.section)),
        ],
      }))),
    el("h2", { text: "Passages from their documents" }),
    text.length === 0
      ? el("p", { class: "empty", text: "No passages were found for these images' documents." })
      : el("ol", { class: "passages" }, text.map((passage) =>
        el(
          "li",
          { class: "passage-item", dataset: { testid: "image-result-passage", documentId: passage.documentId, number: String(passage.number) } },
          el("div", { class: "source-title" }, documentLink(passage.title, passage.url, passage.section)),
          el("p", { class: "passage", text: passage.text }),
        ))),
  );
}

function documentLink(title, url, section) {
  const href = safeUrl(url);
  const label = [title, section].filter(Boolean).join(" › ");
  return href ? el("a", { href, target: "_blank", rel: "noopener noreferrer", text: label }) : el("span", { text: label });
}
