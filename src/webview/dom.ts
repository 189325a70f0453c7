// Tiny DOM helpers. Text always goes in through textContent: document text is hostile input.

type Props = {
  className?: string;
  text?: string;
  title?: string;
  attrs?: Record<string, string>;
  on?: { [K in keyof HTMLElementEventMap]?: (e: HTMLElementEventMap[K]) => void };
};

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Props = {},
  children: (Node | null | undefined)[] = [],
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (props.className) node.className = props.className;
  if (props.text !== undefined) node.textContent = props.text;
  if (props.title !== undefined) node.title = props.title;
  if (props.attrs) for (const [k, v] of Object.entries(props.attrs)) node.setAttribute(k, v);
  if (props.on) for (const [k, f] of Object.entries(props.on)) node.addEventListener(k, f as EventListener);
  for (const c of children) if (c) node.appendChild(c);
  return node;
}

export function icon(name: string): HTMLElement {
  return el('span', { className: `codicon codicon-${name}`, attrs: { 'aria-hidden': 'true' } });
}

/** A button with a codicon and an accessible name. */
export function iconButton(name: string, label: string, onClick: () => void, className = 'icon-button'): HTMLButtonElement {
  return el('button', { className, title: label, attrs: { 'aria-label': label, type: 'button' }, on: { click: onClick } }, [icon(name)]);
}

export function textButton(text: string, onClick: () => void, className = 'button'): HTMLButtonElement {
  return el('button', { className, text, attrs: { type: 'button' }, on: { click: onClick } });
}

/** A <kbd> showing a key. */
export function kbd(key: string): HTMLElement {
  return el('kbd', { text: key });
}

const SVG_NS = 'http://www.w3.org/2000/svg';
export function svg<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | number> = {},
  children: Node[] = [],
): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  for (const c of children) node.appendChild(c);
  return node;
}

export function clear(node: Node): void {
  while (node.firstChild) node.removeChild(node.firstChild);
}

export function option(value: string, text: string, selected = false): HTMLOptionElement {
  const o = el('option', { text });
  o.value = value;
  o.selected = selected;
  return o;
}
