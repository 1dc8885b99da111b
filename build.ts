// Compiles the whole product (master, workers, admin plane) into one executable: ./workerman-app
import { join } from "node:path";

const root = import.meta.dir;
const outfile = join(root, "workerman-app");

const result = await Bun.build({
  entrypoints: [join(root, "src/cli.ts")],
  compile: {
    outfile,
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
console.log(`built ${outfile}`);
