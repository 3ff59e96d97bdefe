// Image cards (thumbnail, caption, attribution, licence) and the enlarged view in a <dialog>.
import { byTestId, el, imageSrc, safeUrl } from "./dom.js";

/** A figure for one image hit; click or Enter opens the dialog. `testid` names the card (image or image-result). */
export function imageCard(image, { testid = "image", used = false, extra = [] } = {}) {
  const label = image.caption || image.documentTitle || "Image";
  const card = el(
    "figure",
    {
      class: `image-card${used ? " used" : ""}`,
      tabindex: "0",
      role: "button",
      "aria-label": `Enlarge: ${label}`,
      dataset: { testid, imageId: image.imageId, used: String(used) },
    },
    el("img", { src: imageSrc(image.imageId, 320), alt: label, loading: "lazy", decoding: "async", width: "320", height: "240" }),
    el(
      "figcaption",
      {},
      used ? el("span", { class: "used-badge", text: "used in the answer" }) : null,
      el("span", { class: "caption", dataset: { testid: "image-caption" }, text: image.caption || "(no caption)" }),
      credits(image),
      ...extra,
    ),
  );
  const open = () => openImage(image);
  card.addEventListener("click", (event) => {
    if (event.target.closest("a")) return;
    open();
  });
  card.addEventListener("keydown", (event) => {
    if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      open();
    }
  });
  card.querySelector("img").addEventListener("error", (event) => {
    event.target.replaceWith(el("div", { class: "image-missing", text: "image not available" }));
  }, { once: true });
  return card;
}

/** Attribution and licence (with the description page when there is one). */
function credits(image) {
  const description = safeUrl(image.descriptionUrl) ?? safeUrl(image.sourceUrl);
  return el(
    "span",
    { class: "credits" },
    el("span", { class: "attribution", dataset: { testid: "image-attribution" }, text: image.attribution || "unknown author" }),
    " · ",
    description
      ? el("a", { href: description, target: "_blank", rel: "noopener noreferrer", class: "license", dataset: { testid: "image-license" }, text: image.license || "licence unknown" })
      : el("span", { class: "license", dataset: { testid: "image-license" }, text: image.license || "licence unknown" }),
  );
}

/** Opens the image dialog with the 1024-pixel copy. Esc (or the close button) closes it and focus returns. */
export function openImage(image) {
  const dialog = byTestId("image-dialog");
  const body = dialog.querySelector(".dialog-body");
  const documentUrl = safeUrl(image.documentUrl);
  const label = image.caption || image.documentTitle || "Image";
  body.replaceChildren(
    el("img", { src: imageSrc(image.imageId, 1024), alt: label }),
    el(
      "p",
      { class: "dialog-caption" },
      el("strong", { text: image.caption || "(no caption)" }),
      image.documentTitle ? el("span", { class: "muted" }, " — from ", documentUrl
        ? el("a", { href: documentUrl, target: "_blank", rel: "noopener noreferrer", text: [image.documentTitle, image.section].filter(Boolean).join(" › ") })
        : [image.documentTitle, image.section].filter(Boolean).join(" › ")) : null,
    ),
    el("p", { class: "muted" }, credits(image)),
  );
  dialog.querySelector("h2").textContent = label;
  dialog.showModal();
  dialog.querySelector(".dialog-close").focus();
}

export function setupImageDialog() {
  const dialog = byTestId("image-dialog");
  dialog.querySelector(".dialog-close").addEventListener("click", () => dialog.close());
  // A click on the backdrop (the dialog element itself, outside its content) closes it too.
  dialog.addEventListener("click", (event) => {
    if (event.target === dialog) dialog.close();
  });
}
