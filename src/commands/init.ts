// `workerman-app init [DIR]`: writes a small working, type-checked project into DIR (never over an existing file).
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { basename, dirname, join, relative, resolve } from "node:path";
import { AppError } from "../errors.ts";
import { projectFiles } from "./init-files.ts";

export function initCommand(dir = "."): number {
  const target = resolve(dir);
  const name =
    basename(target)
      .toLowerCase()
      .replace(/[^a-z0-9_-]+/g, "-")
      .replace(/^-+|-+$/g, "") || "app";
  const files = projectFiles(name);
  const existing = Object.keys(files).filter((file) => existsSync(join(target, file)));
  if (existing.length > 0) {
    throw new AppError("E_USAGE", `${target} already has ${existing.join(", ")}: init writes only new files (pick an empty folder: workerman-app init my-app)`);
  }
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(dirname(join(target, file)), { recursive: true });
    writeFileSync(join(target, file), text);
  }
  const rel = relative(process.cwd(), target);
  const cd = rel.startsWith("..") ? target : rel;
  console.log(`wrote ${Object.keys(files).join(", ")} in ${target}

next:
${cd ? `  cd ${cd}\n` : ""}  workerman-app start                    # http :8080 (web.ts), websocket :8081 (chat.ts), admin :9090
  npx -p typescript tsc --noEmit -p .    # type-check the handlers (types/workerman-app.d.ts)`);
  return 0;
}
