// BigQuery table names as the configuration writes them (the schema's tableId pattern).
export interface TableId {
  project: string;
  dataset: string;
  table: string;
}

/** `project.dataset.table`; a domain-scoped project (`example.com:proj`) keeps its dots. */
export function parseTableId(text: string): TableId | null {
  const match = /^((?:[a-z0-9.-]+:)?[a-z][-a-z0-9]{4,28}[a-z0-9])\.([A-Za-z0-9_]{1,1024})\.([-A-Za-z0-9_]{1,1024})$/.exec(text);
  if (!match) return null;
  return { project: match[1]!, dataset: match[2]!, table: match[3]! };
}
