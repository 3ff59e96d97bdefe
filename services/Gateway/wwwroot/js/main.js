// The page's entry point: wires the tabs and their modules, then loads the models and the documents.
import { setupAsk } from "./ask.js";
import { refreshDocuments, setupConfirmDialog, setupDocuments } from "./documents.js";
import { setupImageDialog } from "./images.js";
import { setupImageSearch } from "./imagesearch.js";
import { setupIngest } from "./ingest.js";
import { loadModels } from "./models.js";
import { onTabShown, setupTabs, showTab } from "./tabs.js";

setupImageDialog();
setupConfirmDialog();
setupAsk();
setupImageSearch();
setupIngest();
setupDocuments();
for (const link of document.querySelectorAll("[data-show-tab]")) {
  link.addEventListener("click", (event) => {
    event.preventDefault();
    showTab(link.dataset.showTab);
  });
}
onTabShown((name) => {
  if (name === "documents") refreshDocuments();
});
setupTabs();
loadModels();
refreshDocuments();
document.documentElement.dataset.ready = "true";
