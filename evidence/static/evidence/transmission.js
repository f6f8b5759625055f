/*
 * Police transmissions from the web page, for units without software of their own.
 *
 * New procedure (form#transmission-form): the officer chooses the files and their kinds; the page computes each
 * file's SHA-256 here, in chunks (evidence/sha256.js: WebCrypto cannot hash a stream), writes the manifest into the
 * form, posts the form (fetch, JSON answer: the procedure's page, or the errors field by field), then sends each
 * file to the tus endpoint with the metadata `transmission`, in resumable chunks, and opens the procedure's page.
 *
 * Procedure's page (form#transmission-resume): the officer picks again the files still missing or incomplete; a
 * transfer that stopped resumes where the server says it is (the upload's address is kept in localStorage under a
 * fingerprint of the file and the transmission), a file never sent starts.
 */
"use strict";

(() => {
  const messagesScript = document.getElementById("transmission-messages");
  const panel = document.getElementById("transmission-panel");
  if (!messagesScript || !panel || !window.fetch || !window.localStorage) return;
  const messages = JSON.parse(messagesScript.textContent);
  const storagePrefix = "justice-tus:";
  const HASH_CHUNK = 4 * 1024 * 1024;
  const POLL_INTERVAL = 1000;
  const RETRY_DELAYS = [1000, 3000, 5000, 10000];

  const progress = panel.querySelector("progress");
  const statusText = panel.querySelector("[data-tus-status]");
  const pauseButton = panel.querySelector("[data-tus-pause]");
  const result = panel.querySelector("[data-tus-result]");
  const errorBox = panel.querySelector("[data-tus-error]");

  let paused = false;
  let wake = null;

  const format = (template, values) => template.replace(/%\((\w+)\)s/g, (_, key) => String(values[key] ?? ""));
  const say = (text) => {
    statusText.textContent = text;
  };
  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
  const b64 = (value) => btoa(String.fromCharCode(...new TextEncoder().encode(value)));
  const hex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  const percentOf = (done, total) => `${total ? Math.floor((100 * done) / total) : 100} %`;

  function showProgress(done, total) {
    progress.max = total || 1;
    progress.value = total ? done : 1;
    progress.textContent = percentOf(done, total);
  }

  function showError(text) {
    errorBox.querySelector("p").textContent = text;
    errorBox.hidden = false;
  }

  function addResult(text) {
    const item = document.createElement("li");
    item.textContent = text;
    result.append(item);
  }

  async function waitWhilePaused() {
    while (paused) {
      await new Promise((resolve) => {
        wake = resolve;
      });
    }
  }

  pauseButton.addEventListener("click", () => {
    paused = !paused;
    pauseButton.textContent = paused ? messages.resume : messages.pause;
    pauseButton.setAttribute("aria-pressed", String(paused));
    if (paused) say(messages.paused);
    if (!paused && wake) wake();
  });

  // --- fingerprint ------------------------------------------------------------------------------------------------

  async function fingerprintFile(file, index, count) {
    const hasher = new Sha256();
    for (let offset = 0; offset < file.size; offset += HASH_CHUNK) {
      await waitWhilePaused();
      hasher.update(new Uint8Array(await file.slice(offset, offset + HASH_CHUNK).arrayBuffer()));
      const done = Math.min(offset + HASH_CHUNK, file.size);
      showProgress(done, file.size);
      say(format(messages.hashing, { name: file.name, index: index + 1, count, percent: percentOf(done, file.size) }));
    }
    return hex(hasher.digest());
  }

  // --- tus --------------------------------------------------------------------------------------------------------

  function tusClient(form) {
    const endpoint = form.dataset.tusEndpoint;
    const chunkSize = Number(form.dataset.tusChunkSize) || 8 * 1024 * 1024;
    const csrfToken = form.querySelector("input[name=csrfmiddlewaretoken]").value;
    const headers = (extra) => ({ "Tus-Resumable": "1.0.0", "X-CSRFToken": csrfToken, ...extra });

    async function errorText(response) {
      const text = (await response.text()).trim();
      return text || format(messages.httpError, { status: response.status });
    }

    async function serverOffset(url) {
      const response = await fetch(url, { method: "HEAD", credentials: "same-origin", headers: headers({}) });
      if (response.status !== 200) return null;
      return Number(response.headers.get("Upload-Offset"));
    }

    async function create(file, transmission) {
      const metadata = { filename: file.name, filetype: file.type || "", transmission };
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

    async function checksum(buffer) {
      if (!window.crypto || !window.crypto.subtle) return null;
      const digest = new Uint8Array(await window.crypto.subtle.digest("SHA-256", buffer));
      return `sha256 ${btoa(String.fromCharCode(...digest))}`;
    }

    async function sendChunk(url, file, offset) {
      const buffer = await file.slice(offset, Math.min(offset + chunkSize, file.size)).arrayBuffer();
      const sum = await checksum(buffer);
      for (let attempt = 0; ; attempt++) {
        let response = null;
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
        const known = await serverOffset(url);
        if (known !== null && known !== offset) return known;
      }
    }

    async function waitForSeal(url, file) {
      say(format(messages.checking, { name: file.name }));
      for (;;) {
        const response = await fetch(`${url}/status`, {
          credentials: "same-origin",
          headers: { Accept: "application/json" },
        });
        if (response.status !== 200) throw new Error(await errorText(response));
        const status = await response.json();
        if (status.state === "sealed") return status;
        if (status.state === "rejected") throw new Error(status.error);
        await sleep(POLL_INTERVAL);
      }
    }

    // Sends one file of the transmission, resuming an earlier transfer of the same file when the server has it.
    async function upload(file, transmission, index, count) {
      const key = `${storagePrefix}${transmission}:${file.name}:${file.size}:${file.lastModified}:${endpoint}`;
      let url = localStorage.getItem(key);
      let offset = url ? await serverOffset(url) : null;
      if (offset === null) {
        url = await create(file, transmission);
        localStorage.setItem(key, url);
        offset = 0;
      } else if (offset > 0) {
        say(format(messages.resuming, { name: file.name, percent: percentOf(offset, file.size) }));
      }
      showProgress(offset, file.size);
      while (offset < file.size) {
        await waitWhilePaused();
        offset = await sendChunk(url, file, offset);
        showProgress(offset, file.size);
        say(format(messages.progress, { name: file.name, percent: percentOf(offset, file.size), index: index + 1, count }));
      }
      try {
        return await waitForSeal(url, file);
      } finally {
        localStorage.removeItem(key);
      }
    }

    return { upload };
  }

  // Sends the files one after the other; a refused file is reported and the others still go.
  async function sendAll(client, files, transmission) {
    let failures = 0;
    for (const [index, file] of files.entries()) {
      try {
        await client.upload(file, transmission, index, files.length);
        addResult(`${file.name} — ${messages.sealed}`);
      } catch (error) {
        failures += 1;
        showError(format(messages.refused, { name: file.name, reason: error.message }));
        addResult(format(messages.refused, { name: file.name, reason: error.message }));
      }
    }
    return failures;
  }

  function startPanel() {
    panel.hidden = false;
    pauseButton.hidden = false;
    errorBox.hidden = true;
    result.replaceChildren();
  }

  // --- new procedure ----------------------------------------------------------------------------------------------

  function setUpNew(form) {
    const input = document.getElementById("transmission-files");
    const chosen = form.querySelector("[data-chosen-files]");
    const errors = document.getElementById("transmission-errors");
    const persons = form.querySelector("[data-persons]");
    const template = document.getElementById("person-template");
    const addPerson = form.querySelector("[data-add-person]");
    const total = form.querySelector("input[name=persons-TOTAL_FORMS]");
    const digests = new Map();
    let running = false;

    addPerson.hidden = false;
    addPerson.addEventListener("click", () => {
      const index = Number(total.value);
      const html = template.innerHTML.replace(/__prefix__/g, String(index)).replace(/__number__/g, String(index + 1));
      persons.insertAdjacentHTML("beforeend", html);
      total.value = String(index + 1);
      persons.lastElementChild.querySelector("input, select").focus();
    });

    const guessKind = (file) => {
      if (file.type.startsWith("image/")) return "photo";
      if (file.type.startsWith("audio/")) return "audio";
      if (file.type.startsWith("video/")) return "video";
      if (file.type === "application/pdf") return "record";
      return "other";
    };

    input.addEventListener("change", () => {
      chosen.replaceChildren();
      Array.from(input.files || []).forEach((file, index) => {
        const group = document.createElement("div");
        group.className = "fr-select-group";
        const label = document.createElement("label");
        label.className = "fr-label";
        label.htmlFor = `transmission-kind-${index}`;
        label.textContent = format(messages.kindLabel, { name: file.name });
        const select = document.createElement("select");
        select.className = "fr-select";
        select.id = `transmission-kind-${index}`;
        select.dataset.kindOf = String(index);
        for (const [value, text] of Object.entries(messages.kinds)) {
          select.append(new Option(text, value, false, value === guessKind(file)));
        }
        group.append(label, select);
        chosen.append(group);
      });
    });

    function clearErrors() {
      errors.hidden = true;
      errors.querySelector("ul").replaceChildren();
      form.querySelectorAll("[data-js-error]").forEach((node) => node.remove());
      form.querySelectorAll(".fr-input-group--error, .fr-select-group--error").forEach((node) => {
        node.classList.remove("fr-input-group--error", "fr-select-group--error");
      });
    }

    function showErrors(list, byField) {
      const summary = errors.querySelector("ul");
      for (const [name, fieldErrors] of Object.entries(byField || {})) {
        const field = name === "__all__" ? null : form.querySelector(`[name="${name}"]`);
        for (const text of fieldErrors) {
          const item = document.createElement("li");
          if (field && field.id) {
            const link = document.createElement("a");
            link.href = `#${field.id}`;
            const label = form.querySelector(`label[for="${field.id}"]`);
            link.textContent = label ? `${label.firstChild.textContent.trim()} : ${text}` : text;
            item.append(link);
            const group = field.closest(".fr-input-group, .fr-select-group");
            if (group) {
              group.classList.add(group.classList.contains("fr-select-group") ? "fr-select-group--error" : "fr-input-group--error");
              const message = document.createElement("p");
              message.className = "fr-message fr-message--error";
              message.dataset.jsError = "";
              message.textContent = text;
              group.append(message);
            }
          } else {
            item.textContent = text;
          }
          summary.append(item);
        }
      }
      for (const text of list) {
        const item = document.createElement("li");
        item.textContent = text;
        summary.append(item);
      }
      errors.hidden = false;
      errors.focus();
    }

    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (running) return;
      clearErrors();
      const files = Array.from(input.files || []);
      if (files.length === 0) {
        showErrors([messages.noFiles]);
        return;
      }
      const names = new Set();
      for (const file of files) {
        if (names.has(file.name)) {
          showErrors([format(messages.sameName, { name: file.name })]);
          return;
        }
        names.add(file.name);
      }
      running = true;
      const buttons = form.querySelectorAll("button[type=submit]");
      buttons.forEach((button) => {
        button.disabled = true;
      });
      startPanel();
      try {
        const items = [];
        for (const [index, file] of files.entries()) {
          // Computed once per file: sending the form again after a correction does not read the files again.
          const identity = `${file.name}:${file.size}:${file.lastModified}`;
          if (!digests.has(identity)) digests.set(identity, await fingerprintFile(file, index, files.length));
          const sha256 = digests.get(identity);
          const kind = chosen.querySelector(`[data-kind-of="${index}"]`).value;
          items.push({ name: file.name, kind, size: file.size, sha256 });
        }
        form.querySelector("input[name=items]").value = JSON.stringify(items);
        say(messages.creating);
        const response = await fetch(form.action || window.location.href, {
          method: "POST",
          credentials: "same-origin",
          headers: { Accept: "application/json", "X-CSRFToken": form.elements.csrfmiddlewaretoken.value },
          body: new FormData(form),
        });
        if (response.status === 400) {
          const body = await response.json();
          panel.hidden = true;
          showErrors([], body.errors);
          return;
        }
        if (response.status !== 201) throw new Error(format(messages.httpError, { status: response.status }));
        const created = await response.json();
        // From here the procedure exists: whatever happens, its page says what was received.
        await sendAll(tusClient(form), files, created.id);
        pauseButton.hidden = true;
        say(messages.uploaded);
        window.location.assign(created.url);
      } catch (error) {
        showError(error.message || messages.networkError);
        say(messages.stopped);
      } finally {
        running = false;
        pauseButton.hidden = true;
        buttons.forEach((button) => {
          button.disabled = false;
        });
      }
    });
  }

  // --- resume on the procedure's page -----------------------------------------------------------------------------

  function setUpResume(form) {
    const input = document.getElementById("resume-files");
    const awaited = JSON.parse(document.getElementById("transmission-awaited").textContent);
    const expected = new Set(awaited.map((row) => row.name));
    let running = false;
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (running) return;
      const files = Array.from(input.files || []);
      if (files.length === 0) return;
      running = true;
      startPanel();
      const known = files.filter((file) => expected.has(file.name));
      files
        .filter((file) => !expected.has(file.name))
        .forEach((file) => addResult(format(messages.notInManifest, { name: file.name })));
      const failures = await sendAll(tusClient(form), known, form.dataset.transmission);
      pauseButton.hidden = true;
      running = false;
      if (failures === 0 && known.length > 0) {
        say(messages.resumed);
        window.location.reload();
      } else {
        say(messages.stopped);
      }
    });
  }

  const newForm = document.getElementById("transmission-form");
  if (newForm) setUpNew(newForm);
  const resumeForm = document.getElementById("transmission-resume");
  if (resumeForm) setUpResume(resumeForm);
})();
