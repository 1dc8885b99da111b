// A throwaway folder holding an app.json and the files it points at, removed when disposed.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { AppError } from "../../src/errors.ts";

export interface TempApp extends Disposable {
  dir: string;
  /** Write `files` (path relative to dir -> content; a path ending in "/" makes a folder). */
  add(files: Record<string, string>): void;
  /** Write app.json (an object is serialized) and return its path. */
  writeConfig(config: unknown): string;
}

export function tempApp(files: Record<string, string> = {}): TempApp {
  const dir = mkdtempSync(join(tmpdir(), "wm-config-"));
  const add = (more: Record<string, string>) => {
    for (const [name, content] of Object.entries(more)) {
      const full = join(dir, name);
      if (name.endsWith("/")) {
        mkdirSync(full, { recursive: true });
        continue;
      }
      mkdirSync(dirname(full), { recursive: true });
      writeFileSync(full, content);
    }
  };
  add(files);
  return {
    dir,
    add,
    writeConfig(config) {
      const path = join(dir, "app.json");
      writeFileSync(path, typeof config === "string" ? config : JSON.stringify(config, null, 2));
      return path;
    },
    [Symbol.dispose]() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The AppError that `fn` throws (or its promise rejects with); fails the test if it does not throw one. */
export async function configError(fn: () => unknown): Promise<AppError> {
  try {
    await fn();
  } catch (err) {
    if (err instanceof AppError) return err;
    throw new Error(`expected an AppError, got ${String(err)}`);
  }
  throw new Error("expected an AppError, but nothing was thrown");
}

/** Handler files most tests need. */
export const handlers = { "web.ts": "export default {}", "chat.ts": "export default {}", "svc.ts": "export default {}" };
/** A valid http group; `extra` overrides or adds keys. */
export const web = (extra: Record<string, unknown> = {}) => ({
  name: "web",
  listen: "http://127.0.0.1:8080",
  handler: "./web.ts",
  ...extra,
});
