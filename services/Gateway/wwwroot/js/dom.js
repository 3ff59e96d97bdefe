// Small DOM helpers. Text from the API (model output, sources, captions) only ever goes in through textContent or
// attribute values set with setAttribute — never as HTML.

/** Creates an element: el("a", { href, class: "x", dataset: { testid: "y" }, onclick }, child, "text", …). */
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "class") node.className = value;
    else if (name === "text") node.textContent = value;
    else if (name === "dataset") Object.assign(node.dataset, value);
    else if (name.startsWith("on") && typeof value === "function") node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  append(node, children);
  return node;
}

function append(node, children) {
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export const byTestId = (id, root = document) => root.querySelector(`[data-testid="${id}"]`);

/** A URL that is safe to put in an href (http, https or file), or null. */
export function safeUrl(url) {
  if (typeof url !== "string" || url.length === 0) return null;
  try {
    const parsed = new URL(url, location.href);
    return ["http:", "https:", "file:"].includes(parsed.protocol) ? parsed.href : null;
  } catch {
    return null;
  }
}

/** The thumbnail (or larger copy) of a stored image. */
export const imageSrc = (imageId, width) => `/api/images/${encodeURIComponent(imageId)}?width=${width}`;

export const formatMs = (ms) => (ms === null || ms === undefined ? "—" : ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`);

/** Shows a message in the one alert element (data-testid="error"), moved into the panel the error belongs to. */
export function showError(panel, message) {
  const alert = byTestId("error");
  const slot = panel.querySelector(".error-slot") ?? panel;
  if (alert.parentElement !== slot) slot.append(alert);
  alert.textContent = message;
  alert.hidden = false;
}

/** Hides the alert if it is in this panel. */
export function clearError(panel) {
  const alert = byTestId("error");
  if (panel.contains(alert)) {
    alert.hidden = true;
    alert.textContent = "";
  }
}
