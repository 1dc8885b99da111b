// The README and docs/*.md link only to files and headings that exist, and every docs page is reachable from the README or docs/README.md.
import { describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, normalize } from "node:path";
import { anchorsOf, brokenLinks, linksOf, slugOf } from "./support/markdown-links.ts";

const REPO = join(import.meta.dir, "..");

function pagesOf(repo: string): string[] {
  const docs = readdirSync(join(repo, "docs")).filter((name) => name.endsWith(".md"));
  return ["README.md", ...docs.sort().map((name) => `docs/${name}`)];
}

/** docs pages no link from README.md or docs/README.md (the index) points at. */
function unlinkedPages(repo: string): string[] {
  const indexes = ["README.md", "docs/README.md"].filter((file) => existsSync(join(repo, file)));
  const linked = new Set<string>();
  for (const index of indexes) {
    const base = index.includes("/") ? "docs/" : "";
    for (const { target } of linksOf(readFileSync(join(repo, index), "utf8"))) {
      linked.add(normalize(base + target.split("#")[0]));
    }
  }
  return pagesOf(repo).filter((page) => page.startsWith("docs/") && page !== "docs/README.md" && !linked.has(page));
}

describe("the repository's docs", () => {
  for (const page of pagesOf(REPO)) {
    test(`${page}: every link reaches a file and every #anchor a heading`, () => {
      expect(brokenLinks(REPO, page)).toEqual([]);
    });
  }

  test("every docs page is linked from the README or docs/README.md", () => {
    expect(unlinkedPages(REPO)).toEqual([]);
  });
});

describe("the checker itself", () => {
  test("GitHub's slugs: code and punctuation dropped, repeats numbered", () => {
    expect(slugOf("Config (app.json)")).toBe("config-appjson");
    expect(slugOf("Lifecycle: reload, stop, daemon")).toBe("lifecycle-reload-stop-daemon");
    expect(slugOf("Outbound connections (Workerman's AsyncTcpConnection)")).toBe("outbound-connections-workermans-asynctcpconnection");
    expect([...anchorsOf("# Config (`app.json`)\n## Tests\n```sh\n# not a heading\n```\n## Tests\n")]).toEqual(["config-appjson", "tests", "tests-1"]);
  });

  test("finds a missing page, a missing anchor, a missing image and an unlinked page; ignores code and web links", () => {
    const repo = mkdtempSync(join(tmpdir(), "docs-links-"));
    try {
      mkdirSync(join(repo, "docs"));
      writeFileSync(join(repo, "docs/a.md"), "# A\n\n## Two words\n");
      writeFileSync(join(repo, "docs/orphan.md"), "# Orphan\n");
      const readme = [
        "# Top",
        "[ok](docs/a.md#two-words) [self](#top) [web](https://example.com/x.md)",
        "[gone](docs/b.md) [bad anchor](docs/a.md#three) ![img](docs/shot.png) [self bad](#nope)",
        "`[in code](docs/none.md)`",
        "```",
        "[in a fence](docs/none.md)",
        "```",
      ].join("\n");
      writeFileSync(join(repo, "README.md"), readme);
      expect(brokenLinks(repo, "README.md")).toEqual([
        "README.md:3: docs/b.md: no file docs/b.md",
        "README.md:3: docs/a.md#three: no heading with the anchor #three in docs/a.md",
        "README.md:3: docs/shot.png: no file docs/shot.png",
        "README.md:3: #nope: no heading with the anchor #nope in README.md",
      ]);
      expect(unlinkedPages(repo)).toEqual(["docs/orphan.md"]);
      writeFileSync(join(repo, "docs/README.md"), "- [orphan](orphan.md)\n");
      expect(unlinkedPages(repo)).toEqual([]);
    } finally {
      rmSync(repo, { recursive: true, force: true });
    }
  });
});
