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
      // In the foreground this process becomes a master (the running one's successor, or a start): as start, a worker boots beside it.
      if (!args.daemon) spawnEarlyWorker();
      try {
        return await (await import("./commands/restart.ts")).restartCommand(args.config, args.daemon);
      } finally {
        await discardEarlyWorker();
      }
    case "start": {
      traceStart("master", "cli entry");
      // The master (not `start -d`'s launcher) spawns a worker first: its runtime boots while this one reads the config.
      if (!args.daemon) spawnEarlyWorker();
      traceStart("master", "early worker spawned");
      try {
        const { startCommand } = await import("./commands/start.ts");
        traceStart("master", "start modules loaded");
        return await startCommand(args.config, args.daemon);
      } finally {
        // A start that failed before a slot took the early worker leaves nothing running.
        await discardEarlyWorker();
      }
    }
    default:
      console.error(`"${args.command}" is not available yet (see --help)`);
      return 2;
  }
}

try {
  process.exit(await main(process.argv.slice(2)));
} catch (err) {
  console.error(isAppError(err) ? err.toString() : ((err as Error)?.stack ?? String(err)));
  process.exit(exitCodeFor(err));
}
