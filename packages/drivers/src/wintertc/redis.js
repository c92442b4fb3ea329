// @ts-check
// A small Redis client written only against WinterTC's `connect()` (omnisock/sockets), as
// Workers-first code is: RESP2 commands, one at a time or pipelined in one write. Web APIs only:
// no node:*, no Buffer. Bulk strings come back as text (UTF-8). Not a driver: no pub/sub, no
// reconnect, no cluster.
import { connect } from "omnisock/sockets";
import { ByteReader, concat, utf8 } from "./bytes.js";

/**
 * A reply: a simple or bulk string, an integer, null, an array of replies, or an error reply
 * (an Error whose message is the server's, returned rather than thrown so that one failed
 * command of a pipeline does not hide the others' answers).
 * @typedef {string | number | null | Error | unknown[]} RedisReply
 */

/** A command as RESP sends it: an array of bulk strings. */
export function encodeCommand(/** @type {(string | number)[]} */ args) {
  /** @type {Uint8Array[]} */
  const parts = [utf8(`*${args.length}\r\n`)];
  for (const arg of args) {
    const bytes = utf8(String(arg));
    parts.push(utf8(`$${bytes.byteLength}\r\n`), bytes, utf8("\r\n"));
  }
  return concat(parts);
}

/**
 * The next reply.
 * @param {ByteReader} reader
 * @returns {Promise<RedisReply>}
 */
async function readReply(reader) {
  const line = await reader.line();
  const rest = line.slice(1);
  switch (line[0]) {
    case "+":
      return rest;
    case "-":
      return new Error(rest);
    case ":":
      return Number(rest);
    case "$": {
      const length = Number(rest);
      if (length < 0) return null;
      const bytes = await reader.take(length + 2);
      return new TextDecoder().decode(bytes.subarray(0, length));
    }
    case "*": {
      const count = Number(rest);
      if (count < 0) return null;
      /** @type {unknown[]} */
      const items = [];
      for (let index = 0; index < count; index++) items.push(await readReply(reader));
      return items;
    }
    default:
      throw new Error(`not a RESP reply: ${JSON.stringify(line.slice(0, 40))}`);
  }
}

/**
 * Connects to a Redis server.
 * @param {{ hostname: string, port: number }} address
 */
export async function connectRedis(address) {
  const socket = connect(address);
  await socket.opened;
  return new RedisClient(socket);
}

export class RedisClient {
  #socket;
  #reader;
  #writer;

  /** @param {import("omnisock/sockets").Socket} socket */
  constructor(socket) {
    this.#socket = socket;
    this.#reader = new ByteReader(socket.readable);
    this.#writer = socket.writable.getWriter();
  }

  /**
   * One command and its reply; an error reply is thrown.
   * @param {...(string | number)} args
   */
  async command(...args) {
    const [reply] = await this.pipeline([args]);
    if (reply instanceof Error) throw reply;
    return reply;
  }

  /**
   * Every command in one write, then their replies in order (error replies as Errors).
   * @param {(string | number)[][]} commands
   */
  async pipeline(commands) {
    await this.#writer.write(concat(commands.map(encodeCommand)));
    /** @type {RedisReply[]} */
    const replies = [];
    for (let index = 0; index < commands.length; index++) {
      replies.push(await readReply(this.#reader));
    }
    return replies;
  }

  /** QUIT, then the connection closes. */
  async close() {
    try {
      await this.command("QUIT");
      this.#writer.releaseLock();
      this.#reader.release();
    } finally {
      await this.#socket.close();
    }
  }
}
