// Writes the latest benchmark report as docs/benchmarks.md, the page the README links for figures.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { REPO } from "./lib/servers.ts";

export const BENCHMARKS_PAGE = join(REPO, "docs/benchmarks.md");

/** The page: its title and intro, then the report with its "###" sections raised to the page's "##" level. */
export function benchmarksPage(report: string): string {
  const body = report.trim().replace(/^### /gm, "## ");
  return `# Benchmarks\n\nThroughput, CPU per request, cold start, memory per idle connection and the chaos run, each with its command.\n\n${body}\n`;
}

/** Replaces the whole page, as the report covers what the last run measured (hand-written sections are re-added by hand). */
export function writeBenchmarksPage(report: string): void {
  writeFileSync(BENCHMARKS_PAGE, benchmarksPage(report));
}
