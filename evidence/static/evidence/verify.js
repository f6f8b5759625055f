/*
 * In-browser verification of a sealed file against its seal receipt. The file never leaves this machine: it is
 * read in chunks and hashed here (incremental SHA-256 of evidence/sha256.js, loaded before this script);
 * the Merkle inclusion proof (RFC 9162, section 2.1.3.2) and the checkpoint's Ed25519 signature (C2SP signed
 * note) are checked with WebCrypto. Mirrors evidence/verify.py, the offline command-line verifier.
 */
"use strict";

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
