// Signs a push token as a web backend would: `PUSH_SECRET=... bun examples/push/sign-token.ts alice [--set-cookie]`.
import { signToken } from "./token.ts";

const secret = process.env.PUSH_SECRET;
const [token, flag] = process.argv.slice(2);
if (!secret || !token) {
  console.error("usage: PUSH_SECRET=<shared secret> bun examples/push/sign-token.ts <token> [--set-cookie]");
  process.exit(2);
}
const signed = signToken(secret, token);
if (flag === "--set-cookie") {
  // What the web backend's login response would carry (the push server must share its cookie domain).
  for (const [name, value] of Object.entries(signed)) console.log(`Set-Cookie: ${name}=${encodeURIComponent(value)}; Path=/; HttpOnly; Secure; SameSite=Lax`);
} else {
  console.log(`token=${encodeURIComponent(signed.token)}; time=${signed.time}; digest=${signed.digest}`);
}
