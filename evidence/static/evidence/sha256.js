/*
 * Incremental SHA-256 (FIPS 180-4) in plain JavaScript: WebCrypto can only hash a whole buffer at once, and the
 * pages that fingerprint files (the seal verifier, the police transmission form) read them in chunks, whatever
 * their size. Defines the global Sha256: new Sha256().update(bytes)...digest() -> Uint8Array(32).
 */
"use strict";

const Sha256 = (() => {
  const primes = [];
  for (let n = 2; primes.length < 64; n++) {
    if (primes.every((p) => n % p !== 0)) primes.push(n);
  }
  const frac = (x) => Math.floor((x - Math.floor(x)) * 0x100000000) >>> 0;
  const K = Uint32Array.from(primes, (p) => frac(Math.cbrt(p)));
  const H0 = Uint32Array.from(primes.slice(0, 8), (p) => frac(Math.sqrt(p)));

  class Sha256 {
    constructor() {
      this.h = H0.slice();
      this.w = new Uint32Array(64);
      this.block = new Uint8Array(64);
      this.blockLength = 0;
      this.bytes = 0;
    }

    compress(data, offset) {
      const w = this.w;
      for (let i = 0; i < 16; i++) {
        const j = offset + 4 * i;
        w[i] = (data[j] << 24) | (data[j + 1] << 16) | (data[j + 2] << 8) | data[j + 3];
      }
      for (let i = 16; i < 64; i++) {
        const a = w[i - 15], b = w[i - 2];
        const s0 = ((a >>> 7) | (a << 25)) ^ ((a >>> 18) | (a << 14)) ^ (a >>> 3);
        const s1 = ((b >>> 17) | (b << 15)) ^ ((b >>> 19) | (b << 13)) ^ (b >>> 10);
        w[i] = (w[i - 16] + s0 + w[i - 7] + s1) | 0;
      }
      let [a, b, c, d, e, f, g, h] = this.h;
      for (let i = 0; i < 64; i++) {
        const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
        const t1 = (h + S1 + ((e & f) ^ (~e & g)) + K[i] + w[i]) | 0;
        const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
        const t2 = (S0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
        h = g; g = f; f = e; e = (d + t1) | 0; d = c; c = b; b = a; a = (t1 + t2) | 0;
      }
      const s = this.h;
      s[0] += a; s[1] += b; s[2] += c; s[3] += d; s[4] += e; s[5] += f; s[6] += g; s[7] += h;
    }

    update(data) {
      let offset = 0;
      this.bytes += data.length;
      if (this.blockLength) {
        const take = Math.min(64 - this.blockLength, data.length);
        this.block.set(data.subarray(0, take), this.blockLength);
        this.blockLength += take;
        offset = take;
        if (this.blockLength < 64) return this;
        this.compress(this.block, 0);
        this.blockLength = 0;
      }
      for (; offset + 64 <= data.length; offset += 64) this.compress(data, offset);
      this.block.set(data.subarray(offset), 0);
      this.blockLength = data.length - offset;
      return this;
    }

    digest() {
      const bits = this.bytes * 8;
      const padding = new Uint8Array(((this.blockLength < 56 ? 56 : 120) - this.blockLength) + 8);
      padding[0] = 0x80;
      const view = new DataView(padding.buffer);
      view.setUint32(padding.length - 8, Math.floor(bits / 0x100000000));
      view.setUint32(padding.length - 4, bits >>> 0);
      this.update(padding);
      const out = new Uint8Array(32);
      const outView = new DataView(out.buffer);
      this.h.forEach((word, i) => outView.setUint32(4 * i, word));
      return out;
    }
  }
  return Sha256;
})();
