// The shared.* keys of app.json: defaults when left out, a bad bound refused naming its field, and a change that needs a restart.
import { expect, test } from "bun:test";
import { diffConfig } from "../../src/config/config-diff.ts";
import { loadConfig } from "../../src/config/load.ts";
import { configError, handlers, tempApp, web } from "../config/temp-app.ts";

test("left out, shared gets 100,000 keys and 64 KiB values; a bad bound is refused naming shared.<key>", async () => {
  using app = tempApp(handlers);
  const loaded = await loadConfig(app.writeConfig({ name: "a", workers: [web()] }));
  expect(loaded.shared).toEqual({ maxKeys: 100_000, maxValueBytes: 65_536 });
  const err = await configError(() => loadConfig(app.writeConfig({ name: "a", shared: { maxKeys: 0 }, workers: [web()] })));
  expect(err.code).toBe("E_CONFIG");
  expect(err.toString()).toContain("shared.maxKeys");
  expect(err.toString()).toContain("at least 1 key");
  const typo = await configError(() => loadConfig(app.writeConfig({ name: "a", shared: { maxKey: 5 }, workers: [web()] })));
  expect(typo.toString()).toContain("maxKeys");
});

test("changing shared.* is named as needing a restart (the store reads its limits once)", async () => {
  using app = tempApp(handlers);
  const before = await loadConfig(app.writeConfig({ name: "a", workers: [web()] }));
  const after = await loadConfig(app.writeConfig({ name: "a", shared: { maxValueBytes: 1024 }, workers: [web()] }));
  expect(diffConfig(before, after).needsRestart).toContain("shared.maxValueBytes");
});
