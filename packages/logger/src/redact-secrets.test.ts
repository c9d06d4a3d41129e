import { describe, expect, it } from "vitest";

import {
  MIN_REGISTERED_SECRET_LENGTH,
  redactSecrets,
  registerSecrets,
} from "./secret-registry.js";

describe("redactSecrets", () => {
  it("censors the password of any URL and keeps the rest", () => {
    expect(redactSecrets("postgres://user:pass@host:5432/db")).toBe(
      "postgres://user:***@host:5432/db",
    );
    expect(redactSecrets("postgresql://:only-pass@host/db")).toBe(
      "postgresql://:***@host/db",
    );
    expect(
      redactSecrets(
        "mysql://root:p@ss:w0rd@h/x and https://u:v@example.com/a?b=c@d",
      ),
    ).toBe("mysql://root:***@h/x and https://u:***@example.com/a?b=c@d");
  });

  it("leaves URLs without a password alone", () => {
    const text =
      "see http://localhost:8080/projects/a@b and postgres://user@host/db";
    expect(redactSecrets(text)).toBe(text);
  });

  it("censors bearer and basic credentials but not the English word", () => {
    expect(redactSecrets("Authorization: Bearer abc.def-ghi_jkl=")).toBe(
      "Authorization: Bearer ***",
    );
    expect(redactSecrets("authorization: bearer abc")).toBe(
      "authorization: bearer ***",
    );
    expect(redactSecrets("Authorization: Basic dXNlcjpwYXNzd29yZA==")).toBe(
      "Authorization: Basic ***",
    );
    expect(redactSecrets("Basic rules apply")).toBe("Basic rules apply");
  });

  it("censors password=, token= and similar pairs in conninfo strings and query strings", () => {
    expect(redactSecrets("host=db user=vigil password=s3cret dbname=x")).toBe(
      "host=db user=vigil password=*** dbname=x",
    );
    expect(redactSecrets("GET /hook?access_token=abc123&page=2")).toBe(
      "GET /hook?access_token=***&page=2",
    );
    expect(redactSecrets("PGPASSWORD=hunter2 psql")).toBe(
      "PGPASSWORD=*** psql",
    );
  });

  it("censors secret-named members of JSON embedded in text", () => {
    expect(redactSecrets('body {"user":"a","password":"x\\"y","n":1}')).toBe(
      'body {"user":"a","password":"***","n":1}',
    );
  });

  it("censors registered values everywhere, longest first", () => {
    registerSecrets([
      "registered-secret-1",
      "registered-secret-1-longer",
      undefined,
      null,
    ]);
    expect(
      redactSecrets("a registered-secret-1-longer b registered-secret-1 c"),
    ).toBe("a *** b *** c");
  });

  it("ignores registered values too short to be secrets", () => {
    const short = "x".repeat(MIN_REGISTERED_SECRET_LENGTH - 1);
    registerSecrets([short]);
    expect(redactSecrets(`value ${short}`)).toBe(`value ${short}`);
  });
});
