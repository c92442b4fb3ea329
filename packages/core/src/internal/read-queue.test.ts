import { describe, expect, it } from "vitest";
import { done, ReadQueue } from "./read-queue.js";

describe("ReadQueue", () => {
  it("buffers in order, and hands an item straight to a waiting read", async () => {
    const queue = new ReadQueue<number>("socket");
    queue.push(1);
    queue.push(2);
    expect(queue.length).toBe(2);
    expect(queue.shift()).toBe(1);
    expect(queue.shift()).toBe(2);
    expect(queue.shift()).toBeUndefined();
    expect(queue.give(3)).toBe(false);
    const read = queue.wait();
    expect(queue.waiting).toBe(true);
    expect(queue.give(4)).toBe(true);
    await expect(read).resolves.toEqual({ value: 4, done: false });
  });

  it("allows one read at a time", async () => {
    const queue = new ReadQueue<number>("server");
    void queue.wait();
    await expect(queue.wait()).rejects.toThrow("The server is already being read");
  });

  it("release() ends the waiting read, or fails it", async () => {
    const queue = new ReadQueue<number>("socket");
    const first = queue.wait();
    queue.release(done);
    await expect(first).resolves.toBe(done);
    const second = queue.wait();
    queue.release(done, new Error("gone"));
    await expect(second).rejects.toThrow("gone");
    queue.release(done); // nobody waits: nothing happens
  });
});
