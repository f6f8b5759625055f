/*
 * The portal's browser client for resumable uploads (tus 1.0.0), shared by the pages that send evidence in chunks:
 * the evidence upload form (evidence/tus-upload.js) and police transmissions (evidence/transmission.js). Load it
 * before them. Defines the global Tus:
 *
 * - new Tus.Panel(element, messages): a page's transfer panel, found by its parts (its [data-tus-heading], which
 *   takes the focus when a transfer starts, since the button that started it is disabled meanwhile; a <progress>,
 *   [data-tus-status] read out by screen readers, the [data-tus-pause] button that pauses and resumes, the
 *   [data-tus-error] alert, the [data-tus-result] list);
 * - new Tus.Client({form, panel, messages}): sends a file to the endpoint named by the form's data-tus-endpoint, in
 *   chunks of data-tus-chunk-size bytes, one in memory at a time, each with its SHA-256 (Upload-Checksum) when
 *   WebCrypto is available; a dropped chunk is retried after asking the server where it stands. The upload's address
 *   is kept in localStorage under a fingerprint of the file (name, size, last modification, and a scope of the
 *   page's choosing), so that choosing the same file again after a reload continues where the server stopped. Once
 *   the last byte is in, it polls the upload's status until the file is sealed (the status is returned) or refused
 *   (an Error with the server's reason).
 *
 * The pages' words come translated from the server (json_script), with %(name)s placeholders: Tus.format fills them.
 */
"use strict";

const Tus = (() => {
  const STORAGE_PREFIX = "justice-tus:";
  const POLL_INTERVAL = 1000;
  const RETRY_DELAYS = [1000, 3000, 5000, 10000];

  const format = (template, values) => template.replace(/%\((\w+)\)s/g, (_, key) => String(values[key] ?? ""));
  const percentOf = (done, total) => `${total ? Math.floor((100 * done) / total) : 100} %`;
  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
  const b64 = (value) => btoa(String.fromCharCode(...new TextEncoder().encode(value)));
  const supported = () => Boolean(window.fetch && window.Blob && window.localStorage);

  class Panel {
    constructor(element, messages) {
      this.element = element;
      this.heading = element.querySelector("[data-tus-heading]");
      this.messages = messages;
      this.progressBar = element.querySelector("progress");
      this.status = element.querySelector("[data-tus-status]");
      this.pauseButton = element.querySelector("[data-tus-pause]");
      this.errorBox = element.querySelector("[data-tus-error]");
      this.results = element.querySelector("[data-tus-result]");
      this.paused = false;
      this.wake = null;
      this.pauseButton.addEventListener("click", () => this.setPaused(!this.paused));
    }

    setPaused(paused) {
      this.paused = paused;
      this.pauseButton.textContent = paused ? this.messages.resume : this.messages.pause;
      this.pauseButton.setAttribute("aria-pressed", String(paused));
      if (paused) this.say(this.messages.paused);
      if (!paused && this.wake) this.wake();
    }

    // Resolves at once, or when the person presses "Resume".
    async whilePaused() {
      while (this.paused) {
        await new Promise((resolve) => {
          this.wake = resolve;
        });
      }
    }

    say(text) {
      this.status.textContent = text;
    }

    progress(done, total) {
      this.progressBar.max = total || 1;
      this.progressBar.value = total ? done : 1;
      this.progressBar.textContent = percentOf(done, total);
    }

    // A new transfer: the panel shown with its pause button, the previous error and results cleared. The focus
    // moves to the panel's heading: the button that started the transfer is disabled until it ends, and a keyboard
    // user finds the pause button with the next Tab.
    start() {
      this.element.hidden = false;
      this.pauseButton.hidden = false;
      this.errorBox.hidden = true;
      this.results.replaceChildren();
      this.heading.focus();
    }

    // The transfer is over: the pause button goes, and the focus with it back to the panel's heading, not to the
    // top of the page.
    finish() {
      const hadFocus = document.activeElement === this.pauseButton;
      this.pauseButton.hidden = true;
      if (hadFocus) this.heading.focus();
    }

    showError(text) {
      this.errorBox.querySelector("p").textContent = text;
      this.errorBox.hidden = false;
    }

    addResult(...content) {
      const item = document.createElement("li");
      item.append(...content);
      this.results.append(item);
    }
  }

  class Client {
    constructor({ form, panel, messages }) {
      this.endpoint = form.dataset.tusEndpoint;
      this.chunkSize = Number(form.dataset.tusChunkSize) || 8 * 1024 * 1024;
      this.csrfToken = form.querySelector("input[name=csrfmiddlewaretoken]").value;
      this.panel = panel;
      this.messages = messages;
    }

    headers(extra) {
      return { "Tus-Resumable": "1.0.0", "X-CSRFToken": this.csrfToken, ...extra };
    }

    async errorText(response) {
      const text = (await response.text()).trim();
      return text || format(this.messages.httpError, { status: response.status });
    }

    async serverOffset(url) {
      const response = await fetch(url, { method: "HEAD", credentials: "same-origin", headers: this.headers({}) });
      if (response.status !== 200) return null;
      return Number(response.headers.get("Upload-Offset"));
    }

    async create(file, metadata) {
      const fields = { filename: file.name, filetype: file.type || "", ...metadata };
      const response = await fetch(this.endpoint, {
        method: "POST",
        credentials: "same-origin",
        headers: this.headers({
          "Upload-Length": String(file.size),
          "Upload-Metadata": Object.entries(fields)
            .map(([key, value]) => `${key} ${b64(value)}`)
            .join(","),
        }),
      });
      if (response.status !== 201) throw new Error(await this.errorText(response));
      return response.headers.get("Location");
    }

    async checksum(buffer) {
      if (!window.crypto || !window.crypto.subtle) return null;
      const digest = new Uint8Array(await window.crypto.subtle.digest("SHA-256", buffer));
      return `sha256 ${btoa(String.fromCharCode(...digest))}`;
    }

    // Sends the chunk at offset; returns the server's new offset.
    async sendChunk(url, file, offset) {
      const buffer = await file.slice(offset, Math.min(offset + this.chunkSize, file.size)).arrayBuffer();
      const sum = await this.checksum(buffer);
      for (let attempt = 0; ; attempt++) {
        let response = null;
        try {
          response = await fetch(url, {
            method: "PATCH",
            credentials: "same-origin",
            headers: this.headers({
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
          throw new Error(response ? await this.errorText(response) : this.messages.networkError);
        }
        this.panel.say(this.messages.retrying);
        await sleep(RETRY_DELAYS[attempt]);
        // The server may have kept part of it: ask where it stands before sending again.
        const known = await this.serverOffset(url);
        if (known !== null && known !== offset) return known;
      }
    }

    async waitForSeal(url, file) {
      this.panel.say(format(this.messages.checking, { name: file.name }));
      for (;;) {
        const response = await fetch(`${url}/status`, {
          credentials: "same-origin",
          headers: { Accept: "application/json" },
        });
        if (response.status !== 200) throw new Error(await this.errorText(response));
        const status = await response.json();
        if (status.state === "sealed") return status;
        if (status.state === "rejected") throw new Error(status.error);
        await sleep(POLL_INTERVAL);
      }
    }

    // Sends one file (the index-th of count), resuming an earlier transfer of it when the server still has it;
    // returns its sealed status. metadata: the Upload-Metadata besides its name and type; scope: what else, besides
    // the file, tells its transfers apart (a transmission's id).
    async upload(file, { metadata = {}, scope = "", index = 0, count = 1 } = {}) {
      const key = `${STORAGE_PREFIX}${scope ? `${scope}:` : ""}${file.name}:${file.size}:${file.lastModified}:${this.endpoint}`;
      let url = localStorage.getItem(key);
      let offset = url ? await this.serverOffset(url) : null;
      if (offset === null) {
        url = await this.create(file, metadata);
        localStorage.setItem(key, url);
        offset = 0;
      } else if (offset > 0) {
        this.panel.say(format(this.messages.resuming, { name: file.name, percent: percentOf(offset, file.size) }));
      }
      this.panel.progress(offset, file.size);
      while (offset < file.size) {
        await this.panel.whilePaused();
        offset = await this.sendChunk(url, file, offset);
        this.panel.progress(offset, file.size);
        this.panel.say(
          format(this.messages.progress, { name: file.name, percent: percentOf(offset, file.size), index: index + 1, count }),
        );
      }
      try {
        return await this.waitForSeal(url, file);
      } finally {
        localStorage.removeItem(key);
      }
    }
  }

  return { Panel, Client, format, percentOf, supported };
})();
