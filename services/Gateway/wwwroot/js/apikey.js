// The gateway's API key: asked for once (when a write answers 401/403), kept in sessionStorage for this browser session only.
import { byTestId } from "./dom.js";

const storageKey = "aspire-mm-rag.api-key";
let pending = null;

export function getApiKey() {
  try {
    return sessionStorage.getItem(storageKey) || "";
  } catch {
    return "";
  }
}

function setApiKey(key) {
  try {
    sessionStorage.setItem(storageKey, key);
  } catch {
    // Storage refused (private mode): the key is not kept, it will be asked again.
  }
}

/** Opens the key dialog; resolves with the key the user saved, or null when they cancel. One dialog at a time. */
export function requestApiKey(reason) {
  if (pending) return pending;
  const dialog = byTestId("api-key-dialog");
  const input = byTestId("api-key-input");
  const save = byTestId("api-key-save");
  const message = dialog.querySelector(".api-key-reason");
  message.textContent = reason || "This action needs the gateway's API key.";
  input.value = "";
  pending = new Promise((resolve) => {
    const finish = (value) => {
      dialog.removeEventListener("close", onClose);
      save.removeEventListener("click", onSave);
      input.removeEventListener("keydown", onKey);
      pending = null;
      resolve(value);
    };
    const onSave = (event) => {
      event.preventDefault();
      const key = input.value.trim();
      if (!key) {
        input.focus();
        return;
      }
      setApiKey(key);
      dialog.close("saved");
    };
    const onKey = (event) => {
      if (event.key === "Enter") onSave(event);
    };
    const onClose = () => finish(dialog.returnValue === "saved" ? getApiKey() : null);
    dialog.returnValue = "";
    dialog.addEventListener("close", onClose);
    save.addEventListener("click", onSave);
    input.addEventListener("keydown", onKey);
    dialog.showModal();
    input.focus();
  });
  return pending;
}
