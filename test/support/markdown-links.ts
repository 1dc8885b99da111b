// Reads links and heading anchors out of Markdown the way GitHub renders them, so the docs tests can check every link lands.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";

export interface MarkdownLink {
  line: number;
  target: string;
}

/** Lines outside fenced code blocks, with their 1-based numbers: links and headings in code are only text. */
function proseLines(text: string): { line: number; text: string }[] {
  const out: { line: number; text: string }[] = [];
  let fence: string | null = null;
  text.split("\n").forEach((raw, i) => {
    const marker = /^\s*(`{3,}|~{3,})/.exec(raw)?.[1];
    if (marker && (fence === null || marker.startsWith(fence))) {
      fence = fence === null ? marker : null;
      return;
    }
    if (fence === null) out.push({ line: i + 1, text: raw });
  });
  return out;
}

/** Inline code spans hold literal text (`[a](b)` there is no link). */
function withoutCodeSpans(line: string): string {
  return line.replace(/(`+)[^`]*?\1/g, "");
}

/** Every inline link and image target outside code: `[text](target)` and `![alt](target "title")`. */
export function linksOf(text: string): MarkdownLink[] {
  const links: MarkdownLink[] = [];
  for (const { line, text: raw } of proseLines(text)) {
    for (const match of withoutCodeSpans(raw).matchAll(/!?\[(?:[^\]]*)\]\(<?([^)\s>]+)>?(?:\s+"[^"]*")?\)/g)) {
      links.push({ line, target: match[1]! });
    }
  }
  return links;
}

/** The text GitHub shows for a heading: code spans keep their text, links their label, emphasis markers go. */
function headingText(raw: string): string {
  return raw
    .replace(/\s+#+\s*$/, "")
    .replace(/`([^`]*)`/g, "$1")
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/\*+/g, "")
    .trim();
}

/** GitHub's anchor for a heading text (github-slugger): lower case, punctuation dropped, spaces to hyphens. */
export function slugOf(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, "")
    .replace(/ /g, "-");
}

/** Every heading anchor of a document, repeats numbered as GitHub numbers them (`a`, `a-1`, `a-2`). */
export function anchorsOf(text: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  for (const { text: raw } of proseLines(text)) {
    const heading = /^ {0,3}#{1,6}\s+(.*)$/.exec(raw)?.[1];
    if (heading === undefined) continue;
    const base = slugOf(headingText(heading));
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    anchors.add(count === 0 ? base : `${base}-${count}`);
  }
  return anchors;
}

/** What is wrong with each link of `file` (a path relative to `repo`): a missing file, or a missing heading anchor in a Markdown page. */
export function brokenLinks(repo: string, file: string, read: (path: string) => string = (path) => readFileSync(path, "utf8")): string[] {
  const problems: string[] = [];
  const text = read(join(repo, file));
  for (const { line, target } of linksOf(text)) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // http:, https:, mailto: leave the repository
    const hash = target.indexOf("#");
    const path = decodeURIComponent(hash === -1 ? target : target.slice(0, hash));
    const anchor = hash === -1 ? null : decodeURIComponent(target.slice(hash + 1));
    const resolved = path === "" ? join(repo, file) : join(repo, dirname(file), path);
    const where = `${file}:${line}: ${target}`;
    if (!resolved.startsWith(repo) || !existsSync(resolved)) {
      problems.push(`${where}: no file ${relative(repo, resolved)}`);
      continue;
    }
    if (anchor !== null && resolved.endsWith(".md") && !anchorsOf(read(resolved)).has(anchor)) {
      problems.push(`${where}: no heading with the anchor #${anchor} in ${relative(repo, resolved)}`);
    }
  }
  return problems;
}
