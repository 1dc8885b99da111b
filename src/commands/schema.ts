// `workerman-app schema`: prints the JSON Schema of app.json (for editors and CI checks).
import { configJsonSchema } from "../config/schema.ts";

export function schemaCommand(): number {
  console.log(JSON.stringify(configJsonSchema(), null, 2));
  return 0;
}
