// `workerman-app init [DIR]`: writes a small working, type-checked project into DIR (never over or through an existing path).
import { lstatSync, mkdirSync, writeFileSync } from "node:fs";
import { basename, dirname, join, relative, resolve } from "node:path";
import { AppError } from "../errors.ts";
import { isCompiled, selfCommand } from "../self-command.ts";
import { projectFiles } from "./init-files.ts";

export function initCommand(dir = "."): number {
  const target = resolve(dir);
  const name =
    basename(target)
      .toLowerCase()
      .replace(/[^a-z0-9_-]+/g, "-")
      .replace(/^-+|-+$/g, "") || "app";
  const files = projectFiles(name);
  refuseExisting(target, Object.keys(files));
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(dirname(join(target, file)), { recursive: true });
    // Exclusive: a file or link that appeared since the check above is refused, never written through.
    writeFileSync(join(target, file), text, { flag: "wx" });
  }
  console.log(nextSteps(target, Object.keys(files)));
  return 0;
}

/** Every path init would write, and every folder it would create on the way, must not exist yet: not even as a dangling link. */
function refuseExisting(target: string, files: string[]): void {
  const paths = new Set<string>();
  for (const file of files) {
    for (let part = file; part !== "."; part = dirname(part)) paths.add(part);
  }
  const taken: string[] = [];
  const links: string[] = [];
  for (const path of paths) {
    const stat = lstatOrNull(join(target, path));
    if (stat?.isSymbolicLink()) links.push(path);
    else if (stat && (files.includes(path) || !stat.isDirectory())) taken.push(path);
  }
  if (links.length > 0) throw new AppError("E_USAGE", `${target} has a symbolic link at ${links.join(", ")}: init never writes through a link`);
  if (taken.length > 0) {
    throw new AppError("E_USAGE", `${target} already has ${taken.join(", ")}: init writes only new files (pick an empty folder: workerman-app init my-app)`);
  }
}

function lstatOrNull(path: string) {
  try {
    return lstatSync(path);
  } catch {
    return null;
  }
}

/** The absolute command: the executable that ran init is rarely on the PATH. */
function nextSteps(target: string, files: string[]): string {
  const rel = relative(process.cwd(), target);
  const cd = rel.startsWith("..") ? target : rel;
  const command = selfCommand().map((arg) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : JSON.stringify(arg)));
  const onPath = isCompiled()
    ? `\nto run it as \`workerman-app\`: ln -s ${command[0]} ~/.local/bin/workerman-app   (a folder on your PATH)`
    : "\n(from a clone of workerman-app, `npx workerman-app` in that clone runs the same command)";
  return `wrote ${files.join(", ")} in ${target}

next:
${cd ? `  cd ${cd}\n` : ""}  npm install                 # typescript and @types/bun, pinned to the versions this server is built with
  npm run typecheck           # tsc: a mistyped onMesage or a wrong message type fails here
  ${command.join(" ")} start   # http :8080 (web.ts), websocket :8081 (chat.ts), admin :9090${onPath}`;
}
