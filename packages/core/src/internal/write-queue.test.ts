// The write path on its own, over a fake driver that takes as much as it is told to and keeps
// what it took: order, coalescing, zero-copy for large writes, short writes, and that nothing
// handed over is ever overwritten.
import { describe, expect, it } from "vitest";
import { COALESCE_LIMIT, WriteQueue } from "./write-queue.js";

class FakeHandle {
  /** Bytes the next write takes; `Infinity` takes everything. */
  room = Infinity;
  busy = false;
  /** What each write took, as handed over (not copied: a later overwrite would show). */
  taken: Uint8Array[] = [];
  write(data: Uint8Array): number {
    const take = Math.min(data.byteLength, this.room);
    if (take > 0) this.taken.push(data.subarray(0, take));
    if (this.room !== Infinity) this.room -= take;
    return take;
  }
  received(): string {
    return this.taken.map((chunk) => new TextDecoder().decode(chunk)).join("");
  }
}

const bytes = (text: string) => new TextEncoder().encode(text);

describe("WriteQueue", () => {
  it("coalesces small writes into one chunk for the driver", () => {
    const handle = new FakeHandle();
    const out = new WriteQueue(handle);
    out.stageBytes(bytes("ab"));
    out.stageText("cd");
    out.stageBytes(bytes("ef"));
    expect(out.queued).toBe(6);
    expect(out.send()).toBe(6);
    expect(handle.taken).toHaveLength(1);
    expect(handle.received()).toBe("abcdef");
    expect(out).toMatchObject({ queued: 0, full: false, packets: 1 });
  });

  it("queues a large write as it is, in order with the small ones around it", () => {
    const handle = new FakeHandle();
    const out = new WriteQueue(handle);
    const large = new Uint8Array(COALESCE_LIMIT).fill(0x78);
    out.stageBytes(bytes("<"));
    out.stageBytes(large);
    out.stageBytes(bytes(">"));
    expect(out.send()).toBe(COALESCE_LIMIT + 2);
    expect(handle.taken.map((chunk) => chunk.byteLength)).toEqual([1, COALESCE_LIMIT, 1]);
    // The caller's array itself, not a copy.
    expect(handle.taken[1]!.buffer).toBe(large.buffer);
  });

  it("keeps what a short write left, and sends it first once the driver drains", () => {
    const handle = new FakeHandle();
    const out = new WriteQueue(handle);
    handle.room = 3;
    out.stageText("hello");
    expect(out.send()).toBe(3);
    expect(out).toMatchObject({ queued: 2, full: true });
    out.stageText(" world");
    expect(out.send()).toBe(0); // full: nothing until it drains
    handle.room = Infinity;
    out.full = false;
    expect(out.send()).toBe(8);
    expect(handle.received()).toBe("hello world");
    expect(out.queued).toBe(0);
  });

  it("starts with a 1 KiB slab and doubles it up to 16 KiB as writes gather", () => {
    const sizes: number[] = [];
    const handle = Object.assign(new FakeHandle(), {
      allocate(size: number): Uint8Array {
        sizes.push(size);
        return new Uint8Array(size);
      },
    });
    const out = new WriteQueue(handle);
    const chunk = new Uint8Array(1000).fill(120);
    for (let index = 0; index < 40; index++) out.stageBytes(chunk);
    expect(sizes.slice(0, 5)).toEqual([1024, 2048, 4096, 8192, 16 * 1024]);
    expect(Math.max(...sizes)).toBe(16 * 1024);
    out.send();
    expect(handle.received()).toBe("x".repeat(40_000));
  });

  it("never overwrites bytes the driver holds while it is busy", () => {
    const handle = new FakeHandle();
    const out = new WriteQueue(handle);
    out.stageText("first");
    handle.busy = true;
    out.send();
    expect(out.full).toBe(true);
    const held = handle.taken[0]!;
    out.stageText("second");
    expect(new TextDecoder().decode(held)).toBe("first");
    handle.busy = false;
    out.full = false;
    out.send();
    expect(handle.received()).toBe("firstsecond");
  });

  it("hands the same chunk again for a same-sized write once the driver let go of the last", () => {
    // What each write was given, and its text then: the fake driver keeps only views.
    const given: Uint8Array[] = [];
    const sent: string[] = [];
    const handle = new FakeHandle();
    const out = new WriteQueue({
      write(data) {
        given.push(data);
        sent.push(new TextDecoder().decode(data));
        return handle.write(data);
      },
      get busy() {
        return handle.busy;
      },
    });
    out.stageText("ping");
    out.send();
    out.stageText("pong");
    out.send();
    expect(given[1]).toBe(given[0]);
    expect(sent).toEqual(["ping", "pong"]);
    // Another size, or a driver still holding the last chunk: a chunk of its own.
    out.stageText("ping!");
    out.send();
    expect(given[2]).not.toBe(given[0]);
    handle.busy = true;
    out.stageText("ping!");
    out.send();
    out.full = false;
    handle.busy = false;
    out.stageText("pong!");
    out.send();
    expect(given[4]).not.toBe(given[3]);
    expect(sent).toEqual(["ping", "pong", "ping!", "ping!", "pong!"]);
  });

  it("writes through: the caller's bytes as they are, a copy of the rest", () => {
    const handle = new FakeHandle();
    const out = new WriteQueue(handle);
    handle.room = 2;
    const data = bytes("abcd");
    expect(out.writeThrough(data)).toBe(2);
    expect(handle.taken[0]!.buffer).toBe(data.buffer);
    expect(out).toMatchObject({ queued: 2, full: true });
    data.fill(0); // the rest was copied: changing the caller's array changes nothing
    handle.room = Infinity;
    out.full = false;
    out.send();
    expect(new TextDecoder().decode(handle.taken[1]!)).toBe("cd");
  });

  it("encodes text as UTF-8, astral characters included", () => {
    const handle = new FakeHandle();
    const out = new WriteQueue(handle);
    out.stageText("é😀");
    expect(out.queued).toBe(6);
    out.send();
    expect(handle.received()).toBe("é😀");
  });

  it("clear() drops everything queued", () => {
    const handle = new FakeHandle();
    const out = new WriteQueue(handle);
    out.stageText("gone");
    out.clear();
    expect(out.queued).toBe(0);
    expect(out.send()).toBe(0);
    expect(handle.taken).toHaveLength(0);
  });
});
