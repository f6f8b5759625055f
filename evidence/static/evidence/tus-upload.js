/*
 * Resumable upload of evidence, for the upload form. Without this script the form posts the files in one request,
 * as before; with it, each file goes in chunks to the portal's tus endpoint through the shared client
 * (evidence/tus-client.js, loaded before this script): a progress bar, a pause/resume button, and resumption after
 * a page reload (re-selecting the same file continues where the server says it stopped). One file sealed opens its
 * page; several are listed with a link to each.
 */
"use strict";

(() => {
  const form = document.querySelector("form[data-tus-endpoint]");
  const panelElement = document.getElementById("tus-panel");
  const messagesScript = document.getElementById("tus-messages");
  if (!form || !panelElement || !messagesScript || typeof Tus === "undefined" || !Tus.supported()) return;
  const messages = JSON.parse(messagesScript.textContent);
  const panel = new Tus.Panel(panelElement, messages);
  const client = new Tus.Client({ form, panel, messages });
  const input = form.querySelector("input[type=file]");
  const submitButtons = form.querySelectorAll("button[type=submit]");
  let running = false;

  function metadataOf() {
    const fields = new FormData(form);
    const metadata = {};
    const caseRef = (fields.get("case_ref") || "").trim();
    const organisation = fields.get("organisation") || "";
    if (caseRef) metadata.case_ref = caseRef;
    if (organisation) metadata.organisation = organisation;
    return metadata;
  }

  function sealedResult(file, status) {
    const link = document.createElement("a");
    link.href = status.item_url;
    link.textContent = file.name;
    panel.addResult(link, ` — ${messages.sealed}`);
  }

  const enableSubmit = (enabled) =>
    submitButtons.forEach((button) => {
      button.disabled = !enabled;
    });

  form.addEventListener("submit", async (event) => {
    const files = Array.from(input.files || []);
    if (files.length === 0) return; // The server says what is missing.
    event.preventDefault();
    if (running) return;
    running = true;
    panel.start();
    enableSubmit(false);
    const metadata = metadataOf();
    const sealed = [];
    for (const [index, file] of files.entries()) {
      try {
        const status = await client.upload(file, { metadata, index, count: files.length });
        sealed.push(status);
        sealedResult(file, status);
      } catch (error) {
        panel.showError(Tus.format(messages.refused, { name: file.name, reason: error.message }));
        panel.say(messages.stopped);
        panel.addResult(file.name);
        panel.finish();
        enableSubmit(true);
        running = false;
        return;
      }
    }
    panel.finish();
    panel.say(Tus.format(messages.done, { count: sealed.length }));
    if (sealed.length === 1) window.location.assign(sealed[0].item_url);
    running = false;
  });
})();
