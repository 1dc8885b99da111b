// The executable's entry: argv -> command, and the only place that calls process.exit.
import { parseArgs } from "./cli-args.ts";
import { checkCommand } from "./commands/check.ts";
import { connectionsCommand } from "./commands/connections.ts";
import { helpCommand } from "./commands/help.ts";
import { pushCommand } from "./commands/push.ts";
import { reloadCommand } from "./commands/reload.ts";
import { restartCommand } from "./commands/restart.ts";
import { schemaCommand } from "./commands/schema.ts";
import { startCommand } from "./commands/start.ts";
import { statusCommand } from "./commands/status.ts";
import { stopCommand } from "./commands/stop.ts";
import { exitCodeFor, isAppError } from "./errors.ts";
import { WORKER_ARG } from "./ipc.ts";
import { VERSION } from "./version.ts";
import { runWorker } from "./worker/main.ts";

async function main(argv: string[]): Promise<number> {
  if (argv[0] === WORKER_ARG) return runWorker();
  const args = parseArgs(argv);
  switch (args.command) {
    case "help":
      return helpCommand();
    case "version":
      console.log(VERSION);
      return 0;
    case "check":
      return checkCommand(args.config);
    case "schema":
      return schemaCommand();
    case "stop":
      return stopCommand(args.config, args.graceful);
    case "status":
      return statusCommand(args.config, args.json);
    case "connections":
      return connectionsCommand(args.config, args.json, args.group);
    case "reload":
      return reloadCommand(args.config, args.graceful, args.group);
    case "push":
      return pushCommand(args);
    case "restart":
      return restartCommand(args.config, args.daemon);
    case "start":
      return startCommand(args.config, args.daemon);
    default:
      console.error(`"${args.command}" is not available yet (see --help)`);
      return 2;
  }
}

try {
  process.exit(await main(process.argv.slice(2)));
} catch (err) {
  console.error(isAppError(err) ? err.toString() : (err as Error)?.stack ?? String(err));
  process.exit(exitCodeFor(err));
}
