// The executable's entry: argv -> command, and the only place that calls process.exit.
// Each command is imported when it runs: a worker process then never loads zod, Hono or SQLite (measured: ~20 ms of its start).
import { parseArgs } from "./cli-args.ts";
import { exitCodeFor, isAppError } from "./errors.ts";
import { WORKER_ARG } from "./ipc.ts";
import { discardEarlyWorker, spawnEarlyWorker } from "./master/early-worker.ts";
import { traceStart } from "./start-trace.ts";
import { VERSION } from "./version.ts";

async function main(argv: string[]): Promise<number> {
  if (argv[0] === WORKER_ARG) {
    traceStart("worker", "cli entry");
    return (await import("./worker/main.ts")).runWorker();
  }
  const args = parseArgs(argv);
  switch (args.command) {
    case "help":
      return (await import("./commands/help.ts")).helpCommand();
    case "version":
      console.log(VERSION);
      return 0;
    case "check":
      return (await import("./commands/check.ts")).checkCommand(args.config);
    case "schema":
      return (await import("./commands/schema.ts")).schemaCommand();
    case "init":
      return (await import("./commands/init.ts")).initCommand(args.rest[0]);
    case "service":
      return (await import("./commands/service.ts")).serviceCommand(args.config, args.user);
    case "stop":
      return (await import("./commands/stop.ts")).stopCommand(args.config, args.graceful);
    case "status":
      if (args.cluster) return (await import("./commands/cluster-status.ts")).clusterStatusCommand(args.config, args.json);
      return (await import("./commands/status.ts")).statusCommand(args.config, args.json);
    case "connections":
      return (await import("./commands/connections.ts")).connectionsCommand(args.config, args.json, args.group);
    case "logs":
      return (await import("./commands/logs.ts")).logsCommand(args);
    case "reload":
      if (args.cluster) return (await import("./commands/cluster-reload.ts")).clusterReloadCommand(args.config, args.graceful, args.order);
      return (await import("./commands/reload.ts")).reloadCommand(args.config, args.graceful, args.group, args.wait);
    case "diff":
      return (await import("./commands/diff.ts")).diffCommand(args.config, args.json);
    case "retry":
      return (await import("./commands/retry.ts")).retryCommand(args.config, args.group);
    case "push":
      return (await import("./commands/push.ts")).pushCommand(args);
    case "restart":
      if (args.process !== undefined) return (await import("./commands/restart-process.ts")).restartProcessCommand(args.config, args.process, args.json);
      // In the foreground this process becomes a master (the running one's successor, or a start), as start does.
      return asMaster(args.daemon, async () => (await import("./commands/restart.ts")).restartCommand(args.config, args.daemon));
    case "start":
      traceStart("master", "cli entry");
      return asMaster(args.daemon, async () => {
        const { startCommand } = await import("./commands/start.ts");
        traceStart("master", "start modules loaded");
        return startCommand(args.config, args.daemon);
      });
    default:
      console.error(`"${args.command}" is not available yet (see --help)`);
      return 2;
  }
}

/**
 * A command whose process becomes the master (not `-d`'s launcher): it spawns a worker first, whose runtime boots while
 * this one reads the config. A start that failed before a slot took that worker leaves nothing running.
 */
async function asMaster(daemon: boolean, run: () => Promise<number>): Promise<number> {
  if (!daemon) spawnEarlyWorker();
  traceStart("master", "early worker spawned");
  try {
    return await run();
  } finally {
    await discardEarlyWorker();
  }
}

try {
  process.exit(await main(process.argv.slice(2)));
} catch (err) {
  console.error(isAppError(err) ? err.toString() : ((err as Error)?.stack ?? String(err)));
  process.exit(exitCodeFor(err));
}
