/**
 * The element with `id`, checked to be of the expected class, so a renamed id in index.html fails
 * at start with a clear message instead of later with a null dereference.
 */
export function requireElement<Element extends HTMLElement>(
  id: string,
  type: new (...args: never[]) => Element,
): Element {
  const element = document.getElementById(id);
  if (!(element instanceof type)) {
    throw new Error(
      `index.html: expected a ${type.name} with id '${id}', found ${element === null ? 'nothing' : element.tagName}`,
    );
  }
  return element;
}

/** A new element with text content and attributes. */
export function createElement<Tag extends keyof HTMLElementTagNameMap>(
  tag: Tag,
  text = '',
  attributes: Record<string, string> = {},
): HTMLElementTagNameMap[Tag] {
  const element = document.createElement(tag);
  if (text !== '') element.textContent = text;
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  return element;
}
