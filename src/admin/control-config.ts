// What the control commands (status, stop, logs, connections, push, retry) need of app.json: where the running master's
// data directory and admin token are. Read leniently, so an app.json mid-edit never locks the operator out of the master that runs.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { DEFAULT_DATA_DIR } from "../config/defaults.ts";
import { loadConfig } from "../config/load.ts";
import type { AppConfig } from "../config/types.ts";
import { AppError, isAppError } from "../errors.ts";
import { runtimeFilePath } from "../master/runtime-file.ts";
import { tokenPathOf } from "./token.ts";

export interface ControlConfig {
  dataDir: string;
  tokenPath: string;
  /** The validated config; absent when app.json is invalid right now. */
  config?: AppConfig;
}

export async function loadControlConfig(path: string): Promise<ControlConfig> {
  try {
    const config = await loadConfig(path);
    return { dataDir: config.dataDir, tokenPath: tokenPathOf(config.dataDir, config.admin.tokenFile), config };
  } catch (err) {
    if (!isAppError(err) || err.code !== "E_CONFIG") throw err;
    return fromBrokenConfig(resolve(path), err);
  }
}

/** Only `dataDir` and `admin.tokenFile` are read, as far as the text still parses; a missing key means its default. */
function fromBrokenConfig(configPath: string, problem: AppError): ControlConfig {
  const raw = parsedOrEmpty(configPath);
  const baseDir = dirname(configPath);
  const dataDir = resolve(baseDir, typeof raw.dataDir === "string" ? raw.dataDir : DEFAULT_DATA_DIR);
  const admin = raw.admin as { tokenFile?: unknown } | undefined;
  const tokenFile = typeof admin?.tokenFile === "string" ? resolve(baseDir, admin.tokenFile) : undefined;
  if (!existsSync(runtimeFilePath(dataDir))) {
    const pidFile = join(dataDir, "master.pid");
    if (!existsSync(pidFile)) throw problem;
    const wayOut = `${problem.message}; if a master still runs from this folder, stop it with: kill -TERM $(cat ${pidFile})`;
    throw new AppError("E_CONFIG", wayOut, { field: problem.field });
  }
  console.warn(`note: ${problem.toString()}\nnote: reached the running master through its data directory ${dataDir}`);
  return { dataDir, tokenPath: tokenPathOf(dataDir, tokenFile) };
}

function parsedOrEmpty(configPath: string): Record<string, unknown> {
  let text = "";
  try {
    text = readFileSync(configPath, "utf8");
    const raw: unknown = JSON.parse(text);
    return raw && typeof raw === "object" && !Array.isArray(raw) ? (raw as Record<string, unknown>) : {};
  } catch {
    // Mid-edit: the keys that still read as `"key": "string"` are taken as written.
    const value = (key: string): string | undefined => {
      const literal = new RegExp(`"${key}"\\s*:\\s*("(?:[^"\\\\]|\\\\.)*")`).exec(text)?.[1];
      try {
        return literal === undefined ? undefined : (JSON.parse(literal) as string);
      } catch {
        return undefined;
      }
    };
    return { dataDir: value("dataDir"), admin: { tokenFile: value("tokenFile") } };
  }
}
