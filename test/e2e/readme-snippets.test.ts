// The README's first lines and the admin page's snippet point where the bundled example really puts things, and CI runs the README's test command.
import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { REPO } from "../support/app-under-test.ts";

const readme = readFileSync(join(REPO, "README.md"), "utf8");
const adminPage = readFileSync(join(REPO, "docs/admin-api.md"), "utf8");
const example = JSON.parse(readFileSync(join(REPO, "examples/app.json"), "utf8"));

function firstCommands(): string[] {
  const start = readme.indexOf("```sh") + 5;
  return readme.slice(start, readme.indexOf("```", start)).trim().split("\n");
}

test("the first lines start the bundled example with npx, then run the tests", () => {
  const first = firstCommands();
  expect(first[0]).toStartWith("npm ci && npx workerman-app start --config examples/app.json");
  expect(first[1]).toStartWith("npm test");
});

test(".ci/run runs the test command the README's first lines name", () => {
  const command = firstCommands()[1]!.split("#")[0]!.trim();
  const ci = readFileSync(join(REPO, ".ci/run"), "utf8");
  const lines = ci.split("\n").filter((line) => !line.trimStart().startsWith("#"));
  expect(lines.some((line) => line.trimStart().startsWith(`${command} `) || line.trim() === command)).toBe(true);
});

test("the admin snippet, run from the repository root, reads the example's token and admin address", () => {
  const snippet = adminPage.slice(adminPage.indexOf("# from the repository root, with the bundled example running"));
  const token = /^TOKEN=\$\(cat (\S+)\)/m.exec(snippet)![1]!;
  expect(token).toBe(relative(REPO, resolve(REPO, "examples", example.dataDir, "admin.token")));
  expect(/^A=(\S+)/m.exec(snippet)![1]).toBe(`http://${example.admin.listen}`);
});

test("the tour's dashboard token path is the example's", () => {
  const tour = readme.slice(readme.indexOf("## A five-minute tour"), readme.indexOf("## Your own project"));
  expect(tour).toContain(`\`${relative(REPO, resolve(REPO, "examples", example.dataDir, "admin.token"))}\``);
  expect(tour).toContain(`http://${example.admin.listen}`);
});
