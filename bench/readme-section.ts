// Writes the latest benchmark report into README.md's "## Benchmarks" section, leaving the rest of the file as it is.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { REPO } from "./lib/servers.ts";

const README = join(REPO, "README.md");
const HEADING = "## Benchmarks";

/** Replaces the section from its heading to the next "## " heading (or the end), or appends it. */
export function writeReadmeSection(body: string): void {
  const text = readFileSync(README, "utf8");
  const section = `${HEADING}\n\n${body.trim()}\n`;
  const start = text.indexOf(`\n${HEADING}\n`);
  if (start === -1) {
    writeFileSync(README, `${text.trimEnd()}\n\n${section}`);
    return;
  }
  const next = text.indexOf("\n## ", start + HEADING.length + 1);
  writeFileSync(README, text.slice(0, start + 1) + section + (next === -1 ? "" : text.slice(next)));
}
