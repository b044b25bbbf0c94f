// Accessibility and layout checks run on every console page (test_browser_every_page.py).
// Returns a list of problems, each a short sentence naming the element.
() => {
  const problems = [];
  const visible = (el) => {
    const box = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    return box.width > 0 && box.height > 0 && style.visibility !== "hidden" && style.display !== "none";
  };
  const describe = (el) => {
    const text = (el.innerText || el.value || el.getAttribute("aria-label") || el.name || "").trim().slice(0, 30);
    return `<${el.tagName.toLowerCase()}${el.id ? "#" + el.id : ""}> "${text}"`;
  };
  // Every control has an accessible name: a <label for>, a wrapping label or aria-label.
  for (const el of document.querySelectorAll("input:not([type=hidden]), select, textarea")) {
    if (!visible(el)) continue;
    const named = (el.labels && el.labels.length) || el.getAttribute("aria-label") || el.getAttribute("aria-labelledby");
    if (!named) problems.push(`no label: ${describe(el)}`);
  }
  // Touch targets at least 44 px tall: buttons, fields, menu/tab/pager links and
  // "button" links. A checkbox counts by its label. Links inside running text are exempt.
  const targets = "button, input:not([type=hidden]):not([type=checkbox]):not([type=radio]), select, " +
                  "nav a, .actions a, .pages a, a.button, ul.links a, .field.check > label, fieldset.choices > label";
  for (const el of document.querySelectorAll(targets)) {
    if (!visible(el)) continue;
    const box = el.getBoundingClientRect();
    if (box.height < 43.5) problems.push(`target ${Math.round(box.height)} px tall: ${describe(el)}`);
  }
  // Text contrast, WCAG AA: 4.5:1, or 3:1 for large text (24 px, or 18.66 px bold).
  const rgb = (color) => (color.match(/[\d.]+/g) || []).map(Number);
  const luminance = ([r, g, b]) => {
    const lin = (c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
  };
  const background = (el) => {
    for (let node = el; node && node.nodeType === 1; node = node.parentElement) {
      const [r, g, b, a = 1] = rgb(getComputedStyle(node).backgroundColor);
      if (a > 0.5) return [r, g, b];
      if (a > 0) {  // a translucent layer over its parent's background
        const [pr, pg, pb] = background(node.parentElement || document.body);
        return [r * a + pr * (1 - a), g * a + pg * (1 - a), b * a + pb * (1 - a)];
      }
    }
    return [255, 255, 255];
  };
  const seen = new Set();
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const el = walker.currentNode.parentElement;
    if (!walker.currentNode.textContent.trim() || seen.has(el) || !visible(el)) continue;
    if (el.closest("svg, canvas, script, style, option, .chart")) continue;
    seen.add(el);
    const style = getComputedStyle(el);
    const fg = rgb(style.color);
    const opacity = [...function* () { for (let n = el; n; n = n.parentElement) yield Number(getComputedStyle(n).opacity); }()]
      .reduce((a, b) => a * b, 1);
    const bg = background(el);
    const mixed = fg.slice(0, 3).map((c, i) => c * opacity + bg[i] * (1 - opacity));
    const [hi, lo] = [luminance(mixed), luminance(bg)].sort((a, b) => b - a);
    const ratio = (hi + 0.05) / (lo + 0.05);
    const size = parseFloat(style.fontSize), bold = Number(style.fontWeight) >= 700;
    const needed = size >= 24 || (bold && size >= 18.66) ? 3 : 4.5;
    if (ratio < needed) problems.push(`contrast ${ratio.toFixed(2)} < ${needed}: ${describe(el)}`);
  }
  if (!document.title.trim()) problems.push("no <title>");
  if (document.querySelectorAll("h1").length !== 1) problems.push(`${document.querySelectorAll("h1").length} <h1> on the page`);
  const ids = [...document.querySelectorAll("[id]")].map((el) => el.id);
  const twice = ids.filter((id, i) => ids.indexOf(id) !== i);
  if (twice.length) problems.push(`duplicate ids: ${[...new Set(twice)].join(", ")}`);
  return problems;
}
