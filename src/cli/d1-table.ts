// Query results as a terminal table (the way `wrangler d1 execute` shows them) and as wrangler's
// `--json` shape. BLOBs, which D1 returns as arrays of byte values, print as "[1, 2, 3]".
import type { D1StatementResult, D1Value } from "../storage/d1/d1-store.ts";

export function cellText(value: D1Value): string {
  if (value instanceof Uint8Array) return `[${Array.from(value).join(", ")}]`;
  return String(value);
}

export function formatTable(columns: string[], rows: string[][]): string {
  const widths = columns.map((c, i) => Math.max(c.length, ...rows.map((r) => r[i].length)));
  const line = (l: string, m: string, r: string) => `${l}${widths.map((w) => "─".repeat(w + 2)).join(m)}${r}`;
  const row = (cells: string[]) => `│${cells.map((c, i) => ` ${c.padEnd(widths[i])} `).join("│")}│`;
  return [line("┌", "┬", "┐"), row(columns), line("├", "┼", "┤"), ...rows.map(row), line("└", "┴", "┘")].join("\n") + "\n";
}

export function resultTable(result: D1StatementResult): string {
  return formatTable(result.columns, result.rows.map((r) => r.map(cellText)));
}

/** `wrangler d1 execute --json`: one entry per statement. */
export function jsonResults(results: D1StatementResult[]): unknown[] {
  return results.map((r) => ({
    results: r.rows.map((row) =>
      Object.fromEntries(row.map((v, i) => [r.columns[i], v instanceof Uint8Array ? cellText(v) : v])),
    ),
    success: true,
    meta: { duration: r.meta.duration },
  }));
}
