/*
 * Police transmissions from the web page, for units without software of their own. The files go through the shared
 * tus client (evidence/tus-client.js, loaded before this script): progress, pause/resume, resumption.
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
  const panelElement = document.getElementById("transmission-panel");
  if (!messagesScript || !panelElement || typeof Tus === "undefined" || !Tus.supported()) return;
  const messages = JSON.parse(messagesScript.textContent);
  const panel = new Tus.Panel(panelElement, messages);
  const { format, percentOf } = Tus;
  const HASH_CHUNK = 4 * 1024 * 1024;
  const hex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");

  // --- fingerprint ------------------------------------------------------------------------------------------------

  async function fingerprintFile(file, index, count) {
    const hasher = new Sha256();
    for (let offset = 0; offset < file.size; offset += HASH_CHUNK) {
      await panel.whilePaused();
      hasher.update(new Uint8Array(await file.slice(offset, offset + HASH_CHUNK).arrayBuffer()));
      const done = Math.min(offset + HASH_CHUNK, file.size);
      panel.progress(done, file.size);
      panel.say(format(messages.hashing, { name: file.name, index: index + 1, count, percent: percentOf(done, file.size) }));
    }
    return hex(hasher.digest());
  }

  // --- sending ----------------------------------------------------------------------------------------------------

  // Sends the files one after the other; a refused file is reported and the others still go.
  async function sendAll(form, files, transmission) {
    const client = new Tus.Client({ form, panel, messages });
    let failures = 0;
    for (const [index, file] of files.entries()) {
      try {
        await client.upload(file, { metadata: { transmission }, scope: transmission, index, count: files.length });
        panel.addResult(`${file.name} — ${messages.sealed}`);
      } catch (error) {
        failures += 1;
        panel.showError(format(messages.refused, { name: file.name, reason: error.message }));
        panel.addResult(format(messages.refused, { name: file.name, reason: error.message }));
      }
    }
    return failures;
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

    const ERROR_CLASSES = {
      "fr-input-group": "fr-input-group--error",
      "fr-select-group": "fr-select-group--error",
      "fr-upload-group": "fr-upload-group--error",
    };

    // The file input has no name (the files never go with the form): errors about the files, and about the
    // manifest written from them, point at it.
    const fieldFor = (name) => {
      if (name === "files" || name === "items") return input;
      return name === "__all__" ? null : form.querySelector(`[name="${name}"]`);
    };

    function clearErrors() {
      errors.hidden = true;
      errors.querySelector("ul").replaceChildren();
      form.querySelectorAll("[data-js-error]").forEach((node) => node.remove());
      form.querySelectorAll("[data-js-described]").forEach((field) => {
        field.removeAttribute("aria-describedby");
        field.removeAttribute("data-js-described");
      });
      for (const errorClass of Object.values(ERROR_CLASSES)) {
        form.querySelectorAll(`.${errorClass}`).forEach((node) => node.classList.remove(errorClass));
      }
    }

    // Under the field, as the server's template does it: the group marked, the message read with the field.
    function markField(field, text) {
      const group = field.closest(Object.keys(ERROR_CLASSES).map((name) => `.${name}`).join(", "));
      if (!group) return;
      const groupClass = Object.keys(ERROR_CLASSES).find((name) => group.classList.contains(name));
      group.classList.add(ERROR_CLASSES[groupClass]);
      let box = document.getElementById(`${field.id}-messages`);
      if (!box) {
        box = document.createElement("div");
        box.className = "fr-messages-group";
        box.id = `${field.id}-messages`;
        box.dataset.jsError = "";
        group.append(box);
        if (!field.hasAttribute("aria-describedby")) {
          field.setAttribute("aria-describedby", box.id);
          field.dataset.jsDescribed = "";
        }
      }
      const message = document.createElement("p");
      message.className = "fr-message fr-message--error";
      message.textContent = text;
      box.append(message);
    }

    // byField: {field name: [messages]} ("__all__": the form's own); each becomes a link to its field.
    function showErrors(byField) {
      const summary = errors.querySelector("ul");
      for (const [name, fieldErrors] of Object.entries(byField)) {
        const field = fieldFor(name);
        for (const text of fieldErrors) {
          const item = document.createElement("li");
          if (field && field.id) {
            const link = document.createElement("a");
            link.href = `#${field.id}`;
            const label = form.querySelector(`label[for="${field.id}"]`);
            link.textContent = label ? `${label.firstChild.textContent.trim()} : ${text}` : text;
            item.append(link);
            markField(field, text);
          } else {
            item.textContent = text;
          }
          summary.append(item);
        }
      }
      errors.hidden = false;
      errors.focus();
    }

    // A link of the summary puts the focus in its field (browsers differ on whether following a fragment does).
    errors.addEventListener("click", (event) => {
      const link = event.target.closest("a[href^='#']");
      const field = link && document.getElementById(link.getAttribute("href").slice(1));
      if (!field) return;
      event.preventDefault();
      field.focus();
      field.scrollIntoView({ block: "center" });
    });

    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (running) return;
      clearErrors();
      const files = Array.from(input.files || []);
      if (files.length === 0) {
        showErrors({ files: [messages.noFiles] });
        return;
      }
      const names = new Set();
      for (const file of files) {
        if (names.has(file.name)) {
          showErrors({ files: [format(messages.sameName, { name: file.name })] });
          return;
        }
        names.add(file.name);
      }
      running = true;
      const buttons = form.querySelectorAll("button[type=submit]");
      buttons.forEach((button) => {
        button.disabled = true;
      });
      panel.start();
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
        panel.say(messages.creating);
        const response = await fetch(form.action || window.location.href, {
          method: "POST",
          credentials: "same-origin",
          headers: { Accept: "application/json", "X-CSRFToken": form.elements.csrfmiddlewaretoken.value },
          body: new FormData(form),
        });
        if (response.status === 400) {
          const body = await response.json();
          panelElement.hidden = true;
          showErrors(body.errors || {});
          return;
        }
        if (response.status !== 201) throw new Error(format(messages.httpError, { status: response.status }));
        const created = await response.json();
        // From here the procedure exists: whatever happens, its page says what was received.
        await sendAll(form, files, created.id);
        panel.finish();
        panel.say(messages.uploaded);
        window.location.assign(created.url);
      } catch (error) {
        panel.showError(error.message || messages.networkError);
        panel.say(messages.stopped);
      } finally {
        running = false;
        panel.finish();
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
      panel.start();
      const known = files.filter((file) => expected.has(file.name));
      files
        .filter((file) => !expected.has(file.name))
        .forEach((file) => panel.addResult(format(messages.notInManifest, { name: file.name })));
      const failures = await sendAll(form, known, form.dataset.transmission);
      panel.finish();
      running = false;
      if (failures === 0 && known.length > 0) {
        panel.say(messages.resumed);
        window.location.reload();
      } else {
        panel.say(messages.stopped);
      }
    });
  }

  const newForm = document.getElementById("transmission-form");
  if (newForm) setUpNew(newForm);
  const resumeForm = document.getElementById("transmission-resume");
  if (resumeForm) setUpResume(resumeForm);
})();
