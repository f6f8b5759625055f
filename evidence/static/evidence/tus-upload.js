/*
 * Resumable upload of evidence (tus 1.0.0), for the upload form. Without this script the form posts the files in
 * one request, as before; with it, each file goes in chunks to the portal's tus endpoint, with a progress bar, a
 * pause/resume button, and resumption after a page reload: the upload's address is kept in localStorage under a
 * fingerprint of the file (name, size, last modification), and re-selecting the same file continues where the
 * server says it stopped. Each chunk carries its SHA-256 (Upload-Checksum) when WebCrypto is available. Once the
 * last byte is in, the page polls the upload's status until the file is sealed or refused.
 */
"use strict";

(() => {
  const form = document.querySelector("form[data-tus-endpoint]");
  const panel = document.getElementById("tus-panel");
  const messagesScript = document.getElementById("tus-messages");
  if (!form || !panel || !messagesScript || !window.fetch || !window.Blob || !window.localStorage) return;
  const messages = JSON.parse(messagesScript.textContent);
  const endpoint = form.dataset.tusEndpoint;
  const chunkSize = Number(form.dataset.tusChunkSize) || 8 * 1024 * 1024;
  const storagePrefix = "justice-tus:";
  const POLL_INTERVAL = 1000;
  const RETRY_DELAYS = [1000, 3000, 5000, 10000];

  const input = form.querySelector("input[type=file]");
  const progress = panel.querySelector("progress");
  const statusText = panel.querySelector("[data-tus-status]");
  const pauseButton = panel.querySelector("[data-tus-pause]");
  const result = panel.querySelector("[data-tus-result]");
  const errorBox = panel.querySelector("[data-tus-error]");
  const csrfToken = form.querySelector("input[name=csrfmiddlewaretoken]").value;

  let paused = false;
  let running = false;
  let wake = null;

  const format = (template, values) => template.replace(/%\((\w+)\)s/g, (_, key) => String(values[key] ?? ""));
  const say = (text) => {
    statusText.textContent = text;
  };
  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
  const b64 = (value) => btoa(String.fromCharCode(...new TextEncoder().encode(value)));

  const fingerprint = (file) => `${storagePrefix}${file.name}:${file.size}:${file.lastModified}:${endpoint}`;

  const headers = (extra) => ({ "Tus-Resumable": "1.0.0", "X-CSRFToken": csrfToken, ...extra });

  async function errorText(response) {
    const text = (await response.text()).trim();
    return text || format(messages.httpError, { status: response.status });
  }

  async function create(file) {
    const fields = new FormData(form);
    const metadata = { filename: file.name, filetype: file.type || "" };
    const caseRef = (fields.get("case_ref") || "").trim();
    const organisation = fields.get("organisation") || "";
    if (caseRef) metadata.case_ref = caseRef;
    if (organisation) metadata.organisation = organisation;
    const response = await fetch(endpoint, {
      method: "POST",
      credentials: "same-origin",
      headers: headers({
        "Upload-Length": String(file.size),
        "Upload-Metadata": Object.entries(metadata)
          .map(([key, value]) => `${key} ${b64(value)}`)
          .join(","),
      }),
    });
    if (response.status !== 201) throw new Error(await errorText(response));
    return response.headers.get("Location");
  }

  async function serverOffset(url) {
    const response = await fetch(url, { method: "HEAD", credentials: "same-origin", headers: headers({}) });
    if (response.status !== 200) return null;
    return Number(response.headers.get("Upload-Offset"));
  }

  async function checksum(buffer) {
    if (!window.crypto || !window.crypto.subtle) return null;
    const digest = new Uint8Array(await window.crypto.subtle.digest("SHA-256", buffer));
    return `sha256 ${btoa(String.fromCharCode(...digest))}`;
  }

  async function waitWhilePaused() {
    while (paused) {
      await new Promise((resolve) => {
        wake = resolve;
      });
    }
  }

  async function sendChunk(url, file, offset) {
    // One chunk in memory at a time, whatever the file's size.
    const buffer = await file.slice(offset, Math.min(offset + chunkSize, file.size)).arrayBuffer();
    const sum = await checksum(buffer);
    for (let attempt = 0; ; attempt++) {
      let response;
      try {
        response = await fetch(url, {
          method: "PATCH",
          credentials: "same-origin",
          headers: headers({
            "Content-Type": "application/offset+octet-stream",
            "Upload-Offset": String(offset),
            ...(sum ? { "Upload-Checksum": sum } : {}),
          }),
          body: buffer,
        });
      } catch (networkError) {
        response = null;
      }
      if (response && response.status === 204) return Number(response.headers.get("Upload-Offset"));
      const retryable = !response || response.status === 460 || response.status >= 500;
      if (!retryable || attempt >= RETRY_DELAYS.length) {
        throw new Error(response ? await errorText(response) : messages.networkError);
      }
      say(messages.retrying);
      await sleep(RETRY_DELAYS[attempt]);
      // The server may have kept part of it: ask where it stands before sending again.
      const known = await serverOffset(url);
      if (known !== null && known !== offset) return known;
    }
  }

  async function waitForSeal(url, file) {
    say(format(messages.checking, { name: file.name }));
    for (;;) {
      const response = await fetch(`${url}/status`, { credentials: "same-origin", headers: { Accept: "application/json" } });
      if (response.status !== 200) throw new Error(await errorText(response));
      const status = await response.json();
      if (status.state === "sealed") return status;
      if (status.state === "rejected") throw new Error(status.error);
      await sleep(POLL_INTERVAL);
    }
  }

  function showResult(file, status) {
    const item = document.createElement("li");
    if (status) {
      const link = document.createElement("a");
      link.href = status.item_url;
      link.textContent = file.name;
      item.append(link, ` — ${messages.sealed}`);
    } else {
      item.textContent = file.name;
    }
    result.append(item);
  }

  async function uploadFile(file, index, count) {
    const key = fingerprint(file);
    let url = localStorage.getItem(key);
    let offset = url ? await serverOffset(url) : null;
    if (offset === null) {
      url = await create(file);
      localStorage.setItem(key, url);
      offset = 0;
    } else if (offset > 0) {
      say(format(messages.resuming, { name: file.name, percent: `${Math.floor((100 * offset) / file.size)} %` }));
    }
    progress.max = file.size;
    while (offset < file.size) {
      await waitWhilePaused();
      progress.value = offset;
      offset = await sendChunk(url, file, offset);
      progress.value = offset;
      const percent = Math.floor((100 * offset) / file.size);
      progress.textContent = `${percent} %`;
      say(format(messages.progress, { name: file.name, percent: `${percent} %`, index: index + 1, count }));
    }
    try {
      return await waitForSeal(url, file);
    } finally {
      localStorage.removeItem(key);
    }
  }

  pauseButton.addEventListener("click", () => {
    paused = !paused;
    pauseButton.textContent = paused ? messages.resume : messages.pause;
    pauseButton.setAttribute("aria-pressed", String(paused));
    if (paused) say(messages.paused);
    if (!paused && wake) wake();
  });

  form.addEventListener("submit", async (event) => {
    const files = Array.from(input.files || []);
    if (files.length === 0) return; // The server says what is missing.
    event.preventDefault();
    if (running) return;
    running = true;
    panel.hidden = false;
    pauseButton.hidden = false;
    result.replaceChildren();
    errorBox.hidden = true;
    form.querySelectorAll("button[type=submit]").forEach((button) => {
      button.disabled = true;
    });
    const sealed = [];
    for (const [index, file] of files.entries()) {
      try {
        const status = await uploadFile(file, index, files.length);
        sealed.push(status);
        showResult(file, status);
      } catch (error) {
        errorBox.querySelector("p").textContent = format(messages.refused, { name: file.name, reason: error.message });
        errorBox.hidden = false;
        say(messages.stopped);
        showResult(file, null);
        running = false;
        pauseButton.hidden = true;
        form.querySelectorAll("button[type=submit]").forEach((button) => {
          button.disabled = false;
        });
        return;
      }
    }
    pauseButton.hidden = true;
    say(format(messages.done, { count: sealed.length }));
    if (sealed.length === 1) window.location.assign(sealed[0].item_url);
    running = false;
  });
})();
