import { describe, expect, it } from "vitest";
import { monitor } from "./omnisock.js";
import { type Output, SocketView } from "./view.js";

/** A terminal of the given size that keeps what is written to it. */
function terminal(columns: number, rows: number): Output & { readonly text: string[] } {
  const text: string[] = [];
  return { isTTY: true, columns, rows, text, write: (chunk: string) => text.push(chunk) };
}

describe("SocketView", () => {
  const note = `a note of ${"x".repeat(30)} sixty-odd characters`;

  it("fits its lines to the terminal's width", () => {
    const out = terminal(30, 24);
    const view = new SocketView(monitor, out, "title");
    view.note(note);
    view.stop();
    expect(out.text.join("")).toContain(`${note.slice(0, 28)}…`);
  });

  it("takes a terminal that reports 0 columns and 0 rows for 80 × 24", () => {
    const out = terminal(0, 0);
    const view = new SocketView(monitor, out, "title");
    view.note(note);
    view.stop();
    expect(out.text.join("")).toContain(note);
  });
});
