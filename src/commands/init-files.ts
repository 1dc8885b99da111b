// The files `workerman-app init` writes: a small chat-and-web project that type-checks on its own with tsc.
// The declarations are a .txt to tsc: as a .d.ts in this program its ambient "workerman-app" would replace the repo's
// own path mapping. Bun embeds the text (in the executable too); bun-types types a .txt import as a string.
import declarations from "../../types/workerman-app.d.ts.txt" with { type: "text" };
import product from "../../package.json" with { type: "json" };

/** The versions this product is built and tested with: the project type-checks the same code the same way. */
const PINNED = { typescript: product.devDependencies.typescript, "@types/bun": product.dependencies["@types/bun"] };

export function projectFiles(name: string): Record<string, string> {
  const app = {
    name,
    dataDir: ".workerman",
    admin: { listen: "127.0.0.1:9090" },
    workers: [
      { name: "web", listen: "http://127.0.0.1:8080", count: 2, handler: "./web.ts" },
      { name: "chat", listen: "websocket://127.0.0.1:8081", count: 2, handler: "./chat.ts" },
    ],
  };
  return {
    "app.json": JSON.stringify(app, null, 2) + "\n",
    "web.ts": WEB,
    "chat.ts": CHAT,
    "package.json": JSON.stringify(packageJson(name), null, 2) + "\n",
    "tsconfig.json": JSON.stringify(TSCONFIG, null, 2) + "\n",
    "types/workerman-app.d.ts": declarations,
    ".gitignore": ".workerman/\nnode_modules/\n",
  };
}

function packageJson(name: string) {
  return { name, private: true, type: "module", scripts: { typecheck: "tsc --noEmit -p ." }, devDependencies: PINNED };
}

// An ambient `declare module "workerman-app"` in an included file: tsc finds it under every moduleResolution, before
// node_modules (npm install never prunes it away), and Bun ignores it at run time, where the server provides the module.
const TSCONFIG = {
  compilerOptions: {
    target: "ES2022",
    module: "ESNext",
    moduleResolution: "bundler",
    lib: ["ES2022", "DOM", "DOM.Iterable"],
    strict: true,
    noEmit: true,
    allowImportingTsExtensions: true,
    verbatimModuleSyntax: true,
    skipLibCheck: false,
    // Bun's globals (process, Bun, ...) for handlers that use them; the handler API itself is the ambient module below.
    types: ["bun"],
  },
  include: ["*.ts", "types/**/*.d.ts"],
};

const WEB = `// http:// group: a plain fetch handler (a Hono app's fetch fits here too).
import { type App, worker } from "workerman-app";

export default {
  fetch(request) {
    const url = new URL(request.url);
    // \`worker\` is the process serving this request: its group, index in the group, pid, timers, channel, metrics.
    if (url.pathname === "/") return new Response(\`hello from workerman-app (\${worker.name}#\${worker.id}, pid \${worker.pid})\\n\`);
    return Response.json({ error: \`no route \${url.pathname}\` }, { status: 404 });
  },
} satisfies App;
`;

const CHAT = `// websocket:// group: chat rooms through the channel, so clients on different processes hear each other.
import type { App, Connection } from "workerman-app";

/** What a client sends: {"join": "room"} or {"room": "room", "say": "text"}. */
interface ChatMessage {
  join?: string;
  room?: string;
  say?: string;
}

function parse(text: string): ChatMessage | null {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === "object" && value !== null ? (value as ChatMessage) : null;
  } catch {
    return null;
  }
}

function name(conn: Connection): string {
  return \`#\${conn.id}@\${conn.worker.pid}\`;
}

export default {
  onConnect(conn) {
    conn.send(JSON.stringify({ hello: name(conn) }));
  },
  onMessage(conn, text) {
    const msg = parse(text);
    if (!msg) return void conn.send(JSON.stringify({ error: "send JSON: {\\"join\\": room} or {\\"room\\": room, \\"say\\": text}" }));
    const { channel } = conn.worker;
    if (msg.join) {
      channel.joinGroup(conn, msg.join);
      channel.sendToGroup(msg.join, JSON.stringify({ room: msg.join, joined: name(conn) }));
    }
    if (msg.room && msg.say) channel.sendToGroup(msg.room, JSON.stringify({ room: msg.room, from: name(conn), say: msg.say }));
  },
} satisfies App<string>;
`;
