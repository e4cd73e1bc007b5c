/** Rows compared whatever reader made them. */

/** Rows as sorted `id:…` lines of the named columns, whatever reader made them. */
export function lines(rows: Record<string, unknown>[], columns: string[]): string[] {
  return rows.map((row) => columns.map((c) => `${c}=${row[c] ?? null}`).join(" ")).sort();
}
