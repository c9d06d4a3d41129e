import { describe, expect, it } from "vitest";

import { checkUrlAllowed } from "./check-url.js";

const strict = { allowPrivateNetworks: false };

describe("checkUrlAllowed", () => {
  it.each([
    "http://localhost/",
    "http://127.0.0.1:8080/x",
    "http://127.1/",
    "http://0x7f.1/",
    "http://2130706433/",
    "http://[::1]/",
    "http://[::ffff:127.0.0.1]/",
    "http://[::ffff:0:127.0.0.1]/",
    "http://169.254.169.254/latest/meta-data/",
    "http://10.0.0.5/",
    "http://0.0.0.0/",
  ])("refuses %s without allowPrivateNetworks", async (url) => {
    const check = await checkUrlAllowed(url, strict);
    expect(check.ok).toBe(false);
    expect(!check.ok && check.reason).toMatch(
      /private networks are not allowed/,
    );
  });

  it("allows loopback when private networks are allowed", async () => {
    await expect(
      checkUrlAllowed("http://127.0.0.1:9/", { allowPrivateNetworks: true }),
    ).resolves.toEqual({ ok: true });
    await expect(
      checkUrlAllowed("http://localhost/", { allowPrivateNetworks: true }),
    ).resolves.toEqual({ ok: true });
  });

  it("allows a public IP literal without resolving anything", async () => {
    await expect(
      checkUrlAllowed("https://93.184.216.34/hook", strict),
    ).resolves.toEqual({ ok: true });
  });

  it("refuses other schemes, credentials in the URL and garbage, even with private networks allowed", async () => {
    const lax = { allowPrivateNetworks: true };
    await expect(
      checkUrlAllowed("ftp://93.184.216.34/", lax),
    ).resolves.toMatchObject({ ok: false, reason: /scheme ftp/ });
    await expect(
      checkUrlAllowed("file:///etc/passwd", lax),
    ).resolves.toMatchObject({ ok: false });
    const withSecret = await checkUrlAllowed(
      "https://user:hunter2@93.184.216.34/",
      lax,
    );
    expect(withSecret).toMatchObject({ ok: false, reason: /credentials/ });
    expect(JSON.stringify(withSecret)).not.toContain("hunter2");
    await expect(checkUrlAllowed("not a url", lax)).resolves.toMatchObject({
      ok: false,
      reason: "not a valid URL",
    });
  });

  it("refuses a name that does not resolve", async () => {
    await expect(
      checkUrlAllowed("http://does-not-exist.invalid/", strict),
    ).resolves.toMatchObject({
      ok: false,
      reason: /does not resolve/,
    });
  });
});
