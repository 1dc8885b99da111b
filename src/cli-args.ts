// Parses argv into a command and its options; knows nothing of what the commands do.
import { AppError } from "./errors.ts";

export interface CliArgs {
  command: string;
  config: string;
  graceful: boolean;
  json: boolean;
  daemon: boolean;
  group?: string;
  /** push: the target uid, or every connection. */
  uid?: string;
  all: boolean;
  /** push --all: only this worker group. */
  workerGroup?: string;
  /** reload: follow it to its end (false with --no-wait). */
  wait: boolean;
  rest: string[];
}

const COMMANDS = ["start", "stop", "restart", "reload", "diff", "retry", "status", "connections", "check", "schema", "push", "help", "version"];

export function parseArgs(argv: string[]): CliArgs {
  const args: CliArgs = { command: "start", config: "app.json", graceful: false, json: false, daemon: false, all: false, wait: true, rest: [] };
  let commandSeen = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = () => {
      const next = argv[++i];
      if (next === undefined || next.startsWith("-")) throw new AppError("E_USAGE", `${arg} needs a value`);
      return next;
    };
    if (arg === "--config" || arg === "-c") args.config = value();
    else if (arg.startsWith("--config=")) args.config = arg.slice("--config=".length);
    else if (arg === "--group") args.group = value();
    else if (arg === "--uid") args.uid = value();
    else if (arg === "--all") args.all = true;
    else if (arg === "--worker-group") args.workerGroup = value();
    else if (arg === "--no-wait") args.wait = false;
    else if (arg === "-g" || arg === "--graceful") args.graceful = true;
    else if (arg === "-d" || arg === "--daemon") args.daemon = true;
    else if (arg === "--json") args.json = true;
    else if (arg === "--help" || arg === "-h") args.command = "help";
    else if (arg === "--version" || arg === "-v") args.command = "version";
    else if (arg.startsWith("-")) throw new AppError("E_USAGE", `unknown option ${arg} (see --help)`);
    else if (!commandSeen && COMMANDS.includes(arg)) {
      commandSeen = true;
      if (args.command !== "help" && args.command !== "version") args.command = arg;
    } else if (!commandSeen) throw new AppError("E_USAGE", `unknown command "${arg}" (expected one of: ${COMMANDS.join(", ")})`);
    else args.rest.push(arg);
  }
  return args;
}
