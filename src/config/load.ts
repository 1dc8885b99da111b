// Reads app.json and returns the resolved AppConfig, or throws one E_CONFIG error listing every problem.
// zod (about 50 ms of CPU to load and first run) is imported only for a text this executable has not validated before (validation-memo.ts).
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { AppError } from "../errors.ts";
import { parseJson } from "./json-errors.ts";
import { resolveConfig } from "./resolve-config.ts";
import type { AppConfig } from "./types.ts";
import { validationMemo } from "./validation-memo.ts";

export interface LoadOptions {
  /** Write the memo after a successful validation (the master does; `check` and the other commands only read it). */
  remember?: boolean;
}

/** Load and validate the config file at `path` (relative to the current folder). */
export async function loadConfig(path: string, options: LoadOptions = {}): Promise<AppConfig> {
  const configPath = resolve(path);
  const text = readConfigText(configPath);
  const raw = parseJson(text, configPath);
  const memo = validationMemo(raw, text, dirname(configPath));
  const known = memo?.read();
  if (known) return resolveConfig(known, configPath);
  const { checkShape } = await import("./validate.ts");
  const data = checkShape(raw);
  const config = resolveConfig(data, configPath);
  if (options.remember) memo?.write(data);
  return config;
}

/** Synchronous: node:fs/promises costs about 3 ms of CPU on its first use, and nothing else runs while a start reads its config. */
function readConfigText(configPath: string): string {
  try {
    return readFileSync(configPath, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === "ENOENT"
        ? `config file not found: ${configPath} (create it, or pass another path with --config)`
        : code === "EISDIR"
          ? `config path ${configPath} is a folder: pass the app.json file inside it`
          : `cannot read config file ${configPath}: ${(err as Error).message}`;
    throw new AppError("E_CONFIG", why, { cause: err });
  }
}
