import { createHmac, randomBytes } from "node:crypto";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { TEMPLATES_DIR } from "./template-files.js";

type CreateSigner = (key: Uint8Array) => (text: string) => string;

async function loadCreateSigner(): Promise<CreateSigner> {
  const module = (await import(
    pathToFileURL(join(TEMPLATES_DIR, "runtime", "hmac-sha256.mjs")).href
  )) as {
    createSigner: CreateSigner;
  };
  return module.createSigner;
}

describe("the runtime's HMAC-SHA256", () => {
  it("matches node:crypto for every padding boundary, multi-byte text and a megabyte", async () => {
    const createSigner = await loadCreateSigner();
    const nonce = randomBytes(32).toString("hex");
    const texts = [0, 1, 55, 56, 63, 64, 65, 119, 120, 128, 1000].map((n) =>
      "a".repeat(n),
    );
    texts.push('é日本🙂\u0000"\\', "x".repeat(1_048_577));
    for (const text of texts) {
      const sign = createSigner(Buffer.from(nonce, "latin1"));
      expect(sign(text), `length ${text.length}`).toBe(
        createHmac("sha256", nonce).update(text, "utf8").digest("hex"),
      );
    }
  });

  it("wipes the key it was given", async () => {
    const createSigner = await loadCreateSigner();
    const key = Buffer.from(randomBytes(32).toString("hex"), "latin1");
    createSigner(key);
    expect(key.every((byte) => byte === 0)).toBe(true);
  });
});
