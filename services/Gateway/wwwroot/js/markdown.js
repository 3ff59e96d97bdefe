// A small markdown renderer that builds DOM nodes: every piece of text goes in through text nodes, so neither the model
// nor the sources can inject HTML. It knows what answers use: paragraphs, headings, lists, quotes, code, emphasis,
// http(s) links, and the citations [n] / [n, m] and image references [In], which the caller turns into chips.
import { el } from "./dom.js";

/**
 * Renders markdown into a DocumentFragment.
 * @param {string} text
 * @param {{ citation?: (n: number) => Node | null, imageRef?: (n: number) => Node | null }} hooks
 */
export function renderMarkdown(text, hooks = {}) {
  const fragment = document.createDocumentFragment();
  const lines = String(text ?? "").replace(/\r\n?/g, "\n").split("\n");
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    if (line.trim() === "") {
      i++;
      continue;
    }
    const fence = line.match(/^\s*(```+|~~~+)\s*([\w+-]*)\s*$/);
    if (fence) {
      const body = [];
      i++;
      while (i < lines.length && !lines[i].trim().startsWith(fence[1])) body.push(lines[i++]);
      i++; // the closing fence (or the end while streaming)
      fragment.append(el("pre", {}, el("code", { class: fence[2] ? `language-${fence[2]}` : undefined, text: body.join("\n") })));
      continue;
    }
    const heading = line.match(/^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$/);
    if (heading) {
      // Headings in an answer sit below the page's own: h3 at most.
      const level = Math.min(6, heading[1].length + 2);
      fragment.append(el(`h${level}`, {}, inline(heading[2], hooks)));
      i++;
      continue;
    }
    if (/^\s{0,3}([-*_])(\s*\1){2,}\s*$/.test(line)) {
      fragment.append(el("hr"));
      i++;
      continue;
    }
    if (/^\s{0,3}>/.test(line)) {
      const quoted = [];
      while (i < lines.length && /^\s{0,3}>/.test(lines[i])) quoted.push(lines[i++].replace(/^\s{0,3}>\s?/, ""));
      fragment.append(el("blockquote", {}, renderMarkdown(quoted.join("\n"), hooks)));
      continue;
    }
    const item = listItem(line);
    if (item) {
      const list = el(item.ordered ? "ol" : "ul");
      if (item.ordered && item.start !== 1) list.setAttribute("start", String(item.start));
      while (i < lines.length) {
        const next = listItem(lines[i]);
        if (next && next.ordered === item.ordered) {
          const content = [next.text];
          i++;
          // Continuation lines: indented and not a new item.
          while (i < lines.length && lines[i].trim() !== "" && /^\s{2,}/.test(lines[i]) && !listItem(lines[i])) content.push(lines[i++].trim());
          list.append(el("li", {}, inlineLines(content, hooks)));
        } else break;
      }
      fragment.append(list);
      continue;
    }
    const paragraph = [];
    while (i < lines.length && lines[i].trim() !== "" && !startsBlock(lines[i])) paragraph.push(lines[i++]);
    if (paragraph.length === 0) paragraph.push(lines[i++]);
    fragment.append(el("p", {}, inlineLines(paragraph, hooks)));
  }
  return fragment;
}

function listItem(line) {
  const bullet = line.match(/^\s{0,3}[-*+]\s+(.*)$/);
  if (bullet) return { ordered: false, text: bullet[1] };
  const number = line.match(/^\s{0,3}(\d{1,9})[.)]\s+(.*)$/);
  if (number) return { ordered: true, start: Number(number[1]), text: number[2] };
  return null;
}

function startsBlock(line) {
  return /^\s*(```|~~~)/.test(line) || /^\s{0,3}#{1,6}\s/.test(line) || /^\s{0,3}>/.test(line) || listItem(line) !== null;
}

/** The lines of one block, joined by line breaks. */
function inlineLines(lines, hooks) {
  const nodes = [];
  lines.forEach((line, index) => {
    if (index > 0) nodes.push(el("br"));
    nodes.push(...inline(line.trim(), hooks));
  });
  return nodes;
}

const patterns = [
  { re: /^`([^`]+)`/, make: (m) => [el("code", { text: m[1] })] },
  { re: /^\[(\d{1,3}(?:\s*[,;]\s*\d{1,3})*)\]/, make: (m, hooks) => citations(m, hooks) },
  { re: /^\[I(\d{1,2})\]/, make: (m, hooks) => imageRef(m, hooks) },
  { re: /^\[([^\]\n]+)\]\(\s*(https?:\/\/[^)\s]+)\s*\)/, make: (m, hooks) => link(m, hooks) },
  { re: /^\*\*(?=\S)([\s\S]+?)\*\*/, make: (m, hooks) => [el("strong", {}, inline(m[1], hooks))] },
  { re: /^__(?=\S)([\s\S]+?)__(?!\w)/, make: (m, hooks) => [el("strong", {}, inline(m[1], hooks))] },
  { re: /^\*(?=[^\s*])([^*]+?)\*/, make: (m, hooks) => [el("em", {}, inline(m[1], hooks))] },
  { re: /^_(?=[^\s_])([^_]+?)_(?!\w)/, make: (m, hooks) => [el("em", {}, inline(m[1], hooks))], wordStart: true },
];

/** Inline markdown of one line as nodes. */
export function inline(text, hooks = {}) {
  const nodes = [];
  let plain = "";
  let i = 0;
  const flush = () => {
    if (plain) nodes.push(document.createTextNode(plain));
    plain = "";
  };
  while (i < text.length) {
    const c = text[i];
    if (c === "\\" && i + 1 < text.length && /[\\`*_[\]()#>+\-.!]/.test(text[i + 1])) {
      plain += text[i + 1];
      i += 2;
      continue;
    }
    let matched = null;
    if ("`[*_".includes(c)) {
      const rest = text.slice(i);
      for (const pattern of patterns) {
        if (pattern.wordStart && i > 0 && /\w/.test(text[i - 1])) continue;
        const m = rest.match(pattern.re);
        if (!m) continue;
        const made = pattern.make(m, hooks);
        if (made) {
          matched = { length: m[0].length, nodes: made };
          break;
        }
      }
    }
    if (matched) {
      flush();
      nodes.push(...matched.nodes);
      i += matched.length;
    } else {
      plain += c;
      i++;
    }
  }
  flush();
  return nodes;
}

function citations(m, hooks) {
  if (!hooks.citation) return null;
  const numbers = m[1].split(/[,;]/).map((n) => Number(n.trim()));
  const chips = numbers.map((n) => hooks.citation(n));
  if (chips.some((chip) => !chip)) return null; // a number that was not a source stays text
  return chips;
}

function imageRef(m, hooks) {
  const node = hooks.imageRef?.(Number(m[1]));
  return node ? [node] : null;
}

function link(m, hooks) {
  return [el("a", { href: m[2], target: "_blank", rel: "noopener noreferrer" }, inline(m[1], { ...hooks, citation: undefined }))];
}
