import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

import { request } from "undici";
import { afterAll, beforeAll, expect, it } from "vitest";

import { createPinnedAgent } from "./pinned-agent.js";

let server: Server;
let port: number;

beforeAll(async () => {
  server = createServer((req, res) => res.end(`host=${req.headers.host}`));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

it("connects to the checked address without resolving the host name again (no DNS rebinding)", async () => {
  // `.invalid` never resolves: the request can only succeed through the pinned address.
  const url = new URL(`http://rebind.invalid:${port}/`);
  const agent = createPinnedAgent(
    { ok: true, url, addresses: [{ address: "127.0.0.1", family: 4 }] },
    2000,
  );
  try {
    const res = await request(url, { dispatcher: agent });
    expect(await res.body.text()).toBe(`host=rebind.invalid:${port}`);
  } finally {
    await agent.close();
  }
});
