/**
 * Offsets to 1-based line and column numbers.
 *
 * @module
 */

/** Maps UTF-16 offsets in a text to 1-based line/column positions. */
export class SourceIndex {
  readonly text: string;
  #starts?: number[];

  constructor(text: string) {
    this.text = text;
  }

  /** Line start offsets, computed when the first position is asked for (clean files never do). */
  get #lineStarts(): number[] {
    if (!this.#starts) {
      const starts = [0];
      const text = this.text;
      for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) starts.push(i + 1);
      this.#starts = starts;
    }
    return this.#starts;
  }

  /** The 1-based line and column of `offset` (columns count UTF-16 code units). */
  position(offset: number): { line: number; col: number } {
    const o = Math.max(0, Math.min(offset, this.text.length));
    const s = this.#lineStarts;
    let lo = 0, hi = s.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (s[mid] <= o) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, col: o - s[lo] + 1 };
  }

  /** The offset where 1-based `line` starts. */
  lineStart(line: number): number {
    return this.#lineStarts[Math.max(0, Math.min(line - 1, this.#lineStarts.length - 1))];
  }

  /** The text of the line holding `offset`, without its line break. */
  lineText(offset: number): string {
    const { line } = this.position(offset);
    const start = this.lineStart(line);
    const nl = this.text.indexOf("\n", start);
    return this.text.slice(start, nl === -1 ? undefined : nl).replace(/\r$/, "");
  }
}
