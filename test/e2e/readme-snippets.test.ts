// The README's first lines and its admin snippet point where the bundled example really puts things.
import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { REPO } from "../support/app-under-test.ts";

const readme = readFileSync(join(REPO, "README.md"), "utf8");
const example = JSON.parse(readFileSync(join(REPO, "examples/app.json"), "utf8"));

test("the first lines start the bundled example with npx, then run the tests", () => {
  const first = readme
    .slice(readme.indexOf("```sh") + 5, readme.indexOf("```", readme.indexOf("```sh") + 5))
    .trim()
    .split("\n");
  expect(first[0]).toStartWith("npm ci && npx workerman-app start --config examples/app.json");
  expect(first[1]).toStartWith("npm test");
});

test("the admin snippet, run from the repository root, reads the example's token and admin address", () => {
  const snippet = readme.slice(readme.indexOf("# from the repository root, with the bundled example running"));
  const token = /^TOKEN=\$\(cat (\S+)\)/m.exec(snippet)![1]!;
  expect(token).toBe(relative(REPO, resolve(REPO, "examples", example.dataDir, "admin.token")));
  expect(/^A=(\S+)/m.exec(snippet)![1]).toBe(`http://${example.admin.listen}`);
});
