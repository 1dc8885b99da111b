// `workerman-app check`: validates app.json and says what it would start.
import { loadConfig } from "../config/load.ts";
import { listenText } from "../config/listen-url.ts";

export async function checkCommand(configPath: string): Promise<number> {
  const config = await loadConfig(configPath);
  console.log(`${config.configPath}: valid`);
  for (const group of config.workers) console.log(`  ${group.name}  ${listenText(group.listen)}  x${group.count}  ${group.handler}`);
  return 0;
}
