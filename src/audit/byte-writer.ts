/**
 * A growable byte buffer for building canonical JSON in place (audit.copy.ts,
 * jsonb-canonical.ts), with a fast write for byte strings known in advance: a byte-at-a-time
 * loop costs about as much per byte as a 32-bit DataView store costs per four, and the member
 * names of a record alone are ~300 bytes per row.
 */

/** A byte string prepared for {@link ByteWriter.putConst}: big-endian 32-bit words, then the rest. */
export interface ConstBytes {
  readonly length: number;
  readonly words: Int32Array;
  readonly tail: Uint8Array;
}

export function constBytes(bytes: Uint8Array): ConstBytes {
  const n = bytes.length >> 2;
  const words = new Int32Array(n);
  for (let i = 0; i < n; i++) words[i] = (bytes[4 * i]! << 24) | (bytes[4 * i + 1]! << 16) | (bytes[4 * i + 2]! << 8) | bytes[4 * i + 3]!;
  return { length: bytes.length, words, tail: Uint8Array.from(bytes.subarray(4 * n)) };
}

/** Bytes `[0, w)` of `out` are written. */
export class ByteWriter {
  out: Buffer;
  w = 0;
  private view: DataView;

  constructor(size = 64 * 1024) {
    this.out = Buffer.allocUnsafe(size);
    this.view = new DataView(this.out.buffer, this.out.byteOffset, this.out.length);
  }

  /** Room for `n` more bytes at `w`. */
  ensure(n: number): void {
    if (this.w + n <= this.out.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.out.length * 2, this.w + n));
    this.out.copy(bigger, 0, 0, this.w);
    this.out = bigger;
    this.view = new DataView(bigger.buffer, bigger.byteOffset, bigger.length);
  }

  putConst(c: ConstBytes): void {
    this.ensure(c.length);
    const view = this.view;
    const words = c.words;
    const tail = c.tail;
    let w = this.w;
    for (let i = 0; i < words.length; i++) {
      view.setInt32(w, words[i]!);
      w += 4;
    }
    const out = this.out;
    for (let i = 0; i < tail.length; i++) out[w++] = tail[i]!;
    this.w = w;
  }
}
