// The four tabs (WAI-ARIA tabs pattern): click or arrow keys, Home/End; the URL hash remembers the open tab.
const listeners = [];

export function onTabShown(listener) {
  listeners.push(listener);
}

export function setupTabs() {
  const tabs = [...document.querySelectorAll('[role="tab"]')];
  const select = (tab, { focus = false, updateHash = true } = {}) => {
    for (const other of tabs) {
      const selected = other === tab;
      other.setAttribute("aria-selected", String(selected));
      other.tabIndex = selected ? 0 : -1;
      document.getElementById(other.getAttribute("aria-controls")).hidden = !selected;
    }
    if (focus) tab.focus();
    const name = tab.id.replace(/^tab-/, "");
    if (updateHash) history.replaceState(null, "", name === "ask" ? location.pathname + location.search : `#${name}`);
    for (const listener of listeners) listener(name);
  };
  tabs.forEach((tab, index) => {
    tab.addEventListener("click", () => select(tab));
    tab.addEventListener("keydown", (event) => {
      const moves = { ArrowRight: index + 1, ArrowLeft: index - 1, Home: 0, End: tabs.length - 1 };
      if (!(event.key in moves)) return;
      event.preventDefault();
      select(tabs[(moves[event.key] + tabs.length) % tabs.length], { focus: true });
    });
  });
  const fromHash = () => tabs.find((tab) => `#${tab.id.replace(/^tab-/, "")}` === location.hash);
  select(fromHash() ?? tabs[0], { updateHash: false });
  window.addEventListener("hashchange", () => {
    const tab = fromHash();
    if (tab) select(tab, { updateHash: false });
  });
}

/** Opens a tab by name (ask, image, ingest, documents). */
export function showTab(name) {
  document.getElementById(`tab-${name}`)?.click();
}
