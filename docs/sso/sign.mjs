// Sign a reader in to the comments, from a news site's server (Node.js 18+, no packages).
//
//     node sign.mjs SECRET USER_ID "Display Name" [email]   // prints a payload
//
// In a real site, call commentsSsoPayload(...) while rendering a page for a logged-in user and
// put the result on the embed: <div id="comments" data-comments-sso="${payload}">.
import { createHmac, randomBytes } from "node:crypto";

export function commentsSsoPayload(secret, userId, name, email = "") {
  const claims = { id: userId, name, email, exp: Math.floor(Date.now() / 1000) + 300,
                   nonce: randomBytes(24).toString("base64url") };
  const body = Buffer.from(JSON.stringify(claims)).toString("base64url");
  const signature = createHmac("sha256", secret).update(body).digest("hex");
  return `${body}.${signature}`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [secret, userId, name, email] = process.argv.slice(2);
  console.log(commentsSsoPayload(secret, userId, name, email));
}
