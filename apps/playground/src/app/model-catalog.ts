import { type ModelIndexEntry, parseModelIndex } from '@ratlip/ratlip-gan';

/** A model served with the app, with the absolute URL of its manifest. */
export interface CatalogModel extends ModelIndexEntry {
  manifestUrl: string;
}

/**
 * The models listed in `models/index.json` beside the page. A missing index (404) means none are
 * served; any other failure or an invalid index throws naming the file.
 *
 * @param baseUrl the page's base URL (`document.baseURI`).
 */
export async function loadModelCatalog(baseUrl: string): Promise<CatalogModel[]> {
  const indexUrl = new URL('models/index.json', baseUrl);
  const response = await fetch(indexUrl);
  if (response.status === 404) return [];
  if (!response.ok)
    throw new Error(`${indexUrl.href} answered HTTP ${response.status} ${response.statusText}`);
  let json: unknown;
  try {
    json = await response.json();
  } catch (error) {
    throw new Error(
      `${indexUrl.href} is not valid JSON (${error instanceof Error ? error.message : String(error)})`,
    );
  }
  return parseModelIndex(json, indexUrl.href).models.map((entry) => ({
    ...entry,
    manifestUrl: new URL(entry.manifest, indexUrl).href,
  }));
}
