/*
 * In-browser verification of a sealed file against its seal receipt. The file never leaves this machine: it is
 * read in chunks and hashed here (incremental SHA-256, since WebCrypto can only hash a whole buffer at once);
 * the Merkle inclusion proof (RFC 9162, section 2.1.3.2) and the checkpoint's Ed25519 signature (C2SP signed
 * note) are checked with WebCrypto. Mirrors evidence/verify.py, the offline command-line verifier.
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

const CHUNK = 4 * 1024 * 1024;
const hex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
const concat = (...parts) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) { out.set(p, offset); offset += p.length; }
  return out;
};
const sha256 = (...parts) => new Sha256().update(concat(...parts)).digest();
const equal = (a, b) => a.length === b.length && a.every((v, i) => v === b[i]);
const utf8 = (text) => new TextEncoder().encode(text);

class VerificationError extends Error {
  constructor(reason, message) {
    super(message);
    this.reason = reason;
  }
}

function b64(text, what) {
  let bytes;
  try {
    bytes = Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
  } catch {
    throw new VerificationError("malformed_receipt", `${what}: not base64`);
  }
  if (btoa(String.fromCharCode(...bytes)) !== text) {
    throw new VerificationError("malformed_receipt", `${what}: not canonical base64`);
  }
  return bytes;
}

function verifyInclusion(leaf, index, size, proof, root) {
  if (!(index >= 0 && index < size)) throw new VerificationError("bad_inclusion", "leaf index outside the tree");
  let fn = index, sn = size - 1, r = leaf;
  for (const p of proof) {
    if (sn === 0) throw new VerificationError("bad_inclusion", "the inclusion proof is too long");
    if (fn % 2 === 1 || fn === sn) {
      r = sha256(Uint8Array.of(1), p, r);
      while (fn % 2 === 0 && fn !== 0) { fn = Math.floor(fn / 2); sn = Math.floor(sn / 2); }
    } else {
      r = sha256(Uint8Array.of(1), r, p);
    }
    fn = Math.floor(fn / 2); sn = Math.floor(sn / 2);
  }
  if (sn !== 0) throw new VerificationError("bad_inclusion", "the inclusion proof is too short");
  if (!equal(r, root)) throw new VerificationError("bad_inclusion", "the inclusion proof does not lead to the checkpoint's root hash");
}

function parseVerifierKey(text) {
  const trimmed = text.trim();
  const first = trimmed.indexOf("+");
  const second = trimmed.indexOf("+", first + 1);
  if (first < 1 || second < 0) throw new VerificationError("bad_key", "the public key is not of the form name+keyid+base64key");
  const name = trimmed.slice(0, first);
  const keyId = trimmed.slice(first + 1, second);
  const key = b64(trimmed.slice(second + 1), "public key");
  if (key.length !== 33 || key[0] !== 1) throw new VerificationError("bad_key", "the public key is not an Ed25519 note key");
  const id = sha256(utf8(name), Uint8Array.of(10), key).slice(0, 4);
  if (hex(id) !== keyId) throw new VerificationError("bad_key", "the public key's id does not match its name and key");
  return { name, id, raw: key.slice(1) };
}

async function openCheckpoint(note, key) {
  const cut = note.indexOf("\n\n");
  if (cut < 0) throw new VerificationError("bad_checkpoint", "the checkpoint has no signature block");
  const text = note.slice(0, cut + 1);
  const publicKey = await crypto.subtle.importKey("raw", key.raw, { name: "Ed25519" }, false, ["verify"]);
  let signed = false;
  for (const line of note.slice(cut + 2).split("\n").filter(Boolean)) {
    if (!line.startsWith("\u2014 ")) throw new VerificationError("bad_checkpoint", "malformed signature line");
    const [name, blobText] = line.slice(2).split(" ");
    const blob = b64(blobText || "", "checkpoint signature");
    if (name !== key.name || !equal(blob.slice(0, 4), key.id)) continue;
    if (!(await crypto.subtle.verify({ name: "Ed25519" }, publicKey, blob.slice(4), utf8(text)))) {
      throw new VerificationError("bad_checkpoint", "the checkpoint's signature does not verify with the pinned key");
    }
    signed = true;
  }
  if (!signed) throw new VerificationError("bad_checkpoint", "the checkpoint is not signed by the pinned key");
  const lines = text.split("\n");
  if (lines.length < 4 || !/^(0|[1-9][0-9]*)$/.test(lines[1])) {
    throw new VerificationError("bad_checkpoint", "malformed checkpoint");
  }
  return { origin: lines[0], size: Number(lines[1]), root: b64(lines[2], "root hash") };
}

async function hashFile(file, onProgress) {
  const hasher = new Sha256();
  for (let offset = 0; offset < file.size; offset += CHUNK) {
    const chunk = new Uint8Array(await file.slice(offset, offset + CHUNK).arrayBuffer());
    hasher.update(chunk);
    onProgress(Math.min(offset + CHUNK, file.size), file.size);
  }
  onProgress(file.size, file.size);
  return hex(hasher.digest());
}

async function verifyBundle(file, receiptText, keyText, onProgress) {
  const key = parseVerifierKey(keyText);
  let receipt, record;
  try {
    receipt = JSON.parse(receiptText);
  } catch {
    throw new VerificationError("malformed_receipt", "the receipt is not valid JSON");
  }
  if (receipt.format !== "justice-seal-receipt/v1" || typeof receipt.record !== "string") {
    throw new VerificationError("malformed_receipt", "this is not a seal receipt of the portal");
  }
  try {
    record = JSON.parse(receipt.record);
  } catch {
    throw new VerificationError("malformed_record", "the seal record is not valid JSON");
  }
  if (record.type !== "justice.evidence.seal") throw new VerificationError("malformed_record", "the receipt's record is not a seal record");
  const digest = await hashFile(file, onProgress);
  if (digest !== record.sha256) throw new VerificationError("hash_mismatch", `the file's SHA-256 is ${digest}, the seal says ${record.sha256}`);
  if (file.size !== record.size) throw new VerificationError("size_mismatch", `the file has ${file.size} bytes, the seal says ${record.size}`);
  const checkpoint = await openCheckpoint(String(receipt.checkpoint || ""), key);
  if (receipt.tree_size !== checkpoint.size) throw new VerificationError("bad_inclusion", "the proof's tree size differs from the checkpoint's");
  if (!Array.isArray(receipt.inclusion_proof)) throw new VerificationError("malformed_receipt", "the inclusion proof is not a list");
  const proof = receipt.inclusion_proof.map((h) => b64(String(h), "inclusion proof"));
  verifyInclusion(sha256(Uint8Array.of(0), utf8(receipt.record)), receipt.leaf_index, checkpoint.size, proof, checkpoint.root);
  return { record, checkpoint, digest };
}

function setUp() {
  const form = document.getElementById("verify-form");
  if (!form) return;
  const progress = document.getElementById("verify-progress");
  const result = document.getElementById("verify-result");
  const messages = JSON.parse(document.getElementById("verify-messages").textContent);
  const show = (kind, title, detail) => {
    result.className = `fr-alert fr-alert--${kind} fr-mt-4w`;
    result.replaceChildren();
    const heading = document.createElement("h2");
    heading.className = "fr-alert__title";
    heading.textContent = title;
    const paragraph = document.createElement("p");
    paragraph.textContent = detail;
    result.append(heading, paragraph);
    result.hidden = false;
    result.focus();
  };
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const file = form.elements.file.files[0];
    const receiptFile = form.elements.receipt.files[0];
    if (!file || !receiptFile) {
      show("error", messages.missing_title, messages.missing);
      return;
    }
    progress.hidden = false;
    progress.value = 0;
    try {
      const outcome = await verifyBundle(file, await receiptFile.text(), form.elements.key.value, (done, total) => {
        progress.value = total ? Math.round((100 * done) / total) : 100;
      });
      show("success", messages.ok_title, messages.ok
        .replace("{sha256}", outcome.digest)
        .replace("{sealed_at}", outcome.record.received_at)
        .replace("{index}", String(JSON.parse(await receiptFile.text()).leaf_index))
        .replace("{size}", String(outcome.checkpoint.size)));
    } catch (error) {
      const reason = error instanceof VerificationError ? error.reason : "error";
      show("error", messages.failed_title, `${messages.reasons[reason] || messages.reasons.error} (${error.message})`);
      result.dataset.reason = reason;
    }
  });
}

document.addEventListener("DOMContentLoaded", setUp);
