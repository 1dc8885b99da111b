// Compiles the whole product (master, workers, admin plane) into one executable: ./workerman-app
import { copyFileSync, mkdirSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";

const root = import.meta.dir;
// Bun writes the chunks' source maps beside the outfile: build in dist/ so they stay out of the repository root.
const outdir = join(root, "dist");
const built = join(outdir, "workerman-app");
const executable = join(root, "workerman-app");

rmSync(outdir, { recursive: true, force: true });
mkdirSync(outdir, { recursive: true });

const result = await Bun.build({
  entrypoints: [join(root, "src/cli.ts")],
  compile: {
    outfile: built,
    // Without these the executable resolves no package from node_modules for the user's handler modules (measured, Bun 1.4.5).
    autoloadPackageJson: true,
    autoloadTsconfig: true,
  },
  minify: { syntax: true, whitespace: true },
  bytecode: true,
  // Embedded in the executable so stack traces point at src/ lines; "linked" would drop .map files beside it.
  sourcemap: "inline",
  // The dashboard's HTML import (src/admin/dashboard.ts) loads its charts library with import(): its own chunk, later.
  splitting: true,
  target: "bun",
  format: "esm",
});

if (!result.success) {
  for (const log of result.logs) console.error(log);
  process.exit(1);
}
// The executable is self-contained (chunks embedded), so a copy at the root runs as the one built in dist/.
// Written beside and renamed over, so a test or bench running the old one never sees a half-written file.
copyFileSync(built, `${executable}.tmp`);
renameSync(`${executable}.tmp`, executable);
console.log(`built ${executable}`);
