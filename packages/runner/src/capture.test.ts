import { describe, expect, it } from "vitest";

import { createResultCapture, createStreamCapture } from "./capture.js";

describe("createStreamCapture", () => {
  it("keeps everything in head when the stream fits the limit", () => {
    const capture = createStreamCapture(10);
    capture.push(Buffer.from("hello"));
    capture.push(Buffer.from("world"));
    expect(capture.finish()).toEqual({
      head: "helloworld",
      tail: "",
      totalBytes: 10,
      truncated: false,
    });
  });

  it("keeps the first and last half of the limit and counts every byte of a longer stream", () => {
    const capture = createStreamCapture(8);
    for (const part of ["abc", "defg", "hijklm", "nopqrstuvwxyz"]) {
      capture.push(Buffer.from(part));
    }
    expect(capture.finish()).toEqual({
      head: "abcd",
      tail: "wxyz",
      totalBytes: 26,
      truncated: true,
    });
  });

  it("does not start the tail with half of a multi-byte character", () => {
    const capture = createStreamCapture(6);
    capture.push(Buffer.from("aaa" + "ééé"));
    const out = capture.finish();
    expect(out.tail).toBe("é");
    expect(out.totalBytes).toBe(9);
  });
});

describe("createResultCapture", () => {
  it("marks a result longer than its limit as truncated", () => {
    const capture = createResultCapture(4);
    capture.push(Buffer.from("ab"));
    capture.push(Buffer.from("cdef"));
    expect(capture.finish()).toEqual({ text: "abcd", truncated: true });
  });
});
