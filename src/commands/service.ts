// `workerman-app service [--user U]`: prints a systemd unit that runs this config's master in the foreground (PM2's `startup`).
import { loadConfig } from "../config/load.ts";
import { AppError } from "../errors.ts";
import { selfCommand } from "../self-command.ts";
import { execArgument, unitValue } from "./systemd-escape.ts";

/** Each worker holds its listeners and clients; the distribution default (1024) is soon short. */
const OPEN_FILES = 65536;

export function unitName(app: string): string {
  return `workerman-app-${app.replace(/[^A-Za-z0-9_.-]/g, "-")}.service`;
}

export async function serviceCommand(configPath: string, user?: string): Promise<number> {
  if (user !== undefined && !/^[a-z_][a-z0-9_-]*\$?$/i.test(user)) {
    throw new AppError("E_USAGE", `"${user}" is not a user name systemd accepts (letters, digits, _ and -)`, { field: "--user" });
  }
  const config = await loadConfig(configPath);
  const command = [...selfCommand(), "start", "--config", config.configPath].map((arg) => execArgument(arg, `the path ${JSON.stringify(arg)}`)).join(" ");
  // The master stops its workers itself (stopTimeout, then drainWindowMs); systemd waits for that, and a little more.
  const stopSeconds = Math.ceil(config.stopTimeout + config.drainWindowMs / 1000 + 10);
  const unit = [
    `# From \`workerman-app service\`. Install: ... | sudo tee /etc/systemd/system/${unitName(config.name)}, then`,
    `#   sudo systemctl daemon-reload && sudo systemctl enable --now ${unitName(config.name)}`,
    "[Unit]",
    `Description=${unitValue(`workerman-app ${config.name} (${config.configPath})`, "the config path")}`,
    "After=network-online.target",
    "Wants=network-online.target",
    "",
    "[Service]",
    // Foreground: systemd supervises the master (start -d would detach from it).
    "Type=simple",
    ...(user ? [`User=${user}`] : []),
    `WorkingDirectory=${unitValue(config.baseDir, "the app's folder")}`,
    `ExecStart=${command}`,
    // SIGUSR1: a new generation of workers, then the old one drains (no request lost); SIGUSR2 would be graceful.
    "ExecReload=/bin/kill -USR1 $MAINPID",
    "KillSignal=SIGTERM",
    // Only the master gets SIGTERM: it decides how its workers stop; anything left after the timeout is killed.
    "KillMode=mixed",
    `TimeoutStopSec=${stopSeconds}`,
    "Restart=on-failure",
    "RestartSec=1",
    `LimitNOFILE=${OPEN_FILES}`,
    "# EnvironmentFile=/etc/workerman-app/" + config.name + ".env",
    "",
    "[Install]",
    "WantedBy=multi-user.target",
  ];
  console.log(unit.join("\n"));
  return 0;
}
