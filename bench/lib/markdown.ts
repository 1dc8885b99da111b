// Renders rows as a GitHub Markdown table.
export function markdownTable(header: string[], rows: string[][], align: ("l" | "r")[] = []): string {
  const rule = header.map((_, i) => (align[i] === "r" ? "---:" : "---"));
  return [header, rule, ...rows].map((cells) => `| ${cells.join(" | ")} |`).join("\n");
}
