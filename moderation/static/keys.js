// Keys on every page, shown by "?": an element with data-key="s" is pressed by the key s
// (a field gets the focus, anything else is clicked), inside the focused row first.
// Rows marked data-row move with j/k and open with o or Enter (the queue has its own
// queue.js, which handles its keys first). Progressive enhancement: every key is also a link,
// a button or a field of the page. The row movement is shared with queue.js (loaded after
// this file) as window.rowKeys, so there is one of it.
"use strict";

(() => {
  const typing = (el) => el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName));
  const shown = (el) => el.getClientRects().length > 0;  // not hidden, not in a closed <details>
  const rows = () => Array.from(document.querySelectorAll("[data-row]"));
  const currentRow = () => document.activeElement && document.activeElement.closest("[data-row]");
  const field = (el) => /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName);

  function focusRow(row) {
    if (!row) return;
    row.focus();
    row.scrollIntoView({ block: "nearest" });
  }

  function press(el) {
    if (field(el)) {
      el.focus();
      if (el.select && el.type !== "checkbox") el.select();
    } else {
      el.click();
    }
  }

  // The element a key names: inside the focused row first, then anywhere on the page.
  function target(key) {
    const match = (scope) => Array.from(scope.querySelectorAll("[data-key]"))
      .find((el) => el.dataset.key === key && !el.disabled && shown(el));
    const row = currentRow();
    return (row && match(row)) || match(document);
  }

  function openHelp() {
    const help = document.getElementById("keys-help");
    if (help && help.showModal && !help.open) help.showModal();
  }

  // j/k: the next or previous row; from outside every row, the first or the last.
  function move(step) {
    const all = rows();
    if (!all.length) return;
    const here = all.indexOf(currentRow());
    const next = here < 0 ? (step > 0 ? 0 : all.length - 1) : here + step;
    focusRow(all[Math.max(0, Math.min(all.length - 1, next))]);
  }

  window.rowKeys = Object.freeze({ typing, rows, currentRow, focusRow, move });

  // The find box (data-find): Enter goes to the first row whose name holds what was typed.
  function find(box) {
    const words = box.value.trim().toLowerCase();
    const out = document.getElementById(box.getAttribute("aria-describedby") || "");
    if (!words) return;
    const row = rows().find((r) => (r.dataset.name || "").toLowerCase().includes(words));
    if (out) out.textContent = row ? "" : `No student matches “${box.value.trim()}”.`;
    if (row) focusRow(row);
  }

  // Listening on window, so a page's own handler (queue.js, on document) goes first.
  window.addEventListener("keydown", (event) => {
    if (event.defaultPrevented || event.altKey) return;
    const el = event.target;
    if (typing(el)) {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && el.form) {
        // Ctrl+Enter in any field saves its form (a textarea keeps Enter for new lines).
        event.preventDefault();
        el.form.requestSubmit(el.form.querySelector("[data-default-submit]") || undefined);
      } else if (event.key === "Enter" && el.matches("[data-find]")) {
        event.preventDefault();
        find(el);
      } else if (event.key === "Escape" && (currentRow() || el.matches("[data-key]"))) {
        // Out of the field, back to its row (or the page), where the keys work again.
        (currentRow() || document.getElementById("main") || document.body).focus();
      }
      return;
    }
    if (event.ctrlKey || event.metaKey) return;
    const row = currentRow();
    let done = true;
    if (event.key === "?") openHelp();
    else if (event.key === "j" && !target("j") && rows().length) move(1);
    else if (event.key === "k" && !target("k") && rows().length) move(-1);
    else if ((event.key === "o" || (event.key === "Enter" && el === row)) && row && row.dataset.open) {
      window.location.assign(row.dataset.open);
    } else {
      const found = target(event.key);
      if (found) press(found); else done = false;
    }
    if (done) event.preventDefault();
  });

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("[data-keys-help]").forEach((b) => b.addEventListener("click", openHelp));
    // On a phone the queue's filters fold away, so the first comment is on the first screen.
    if (window.matchMedia("(max-width: 767px)").matches) {
      document.querySelectorAll("details[data-fold-on-phone]").forEach((d) => { d.open = false; });
    }
    // "Use the suggestion": copies the suggested score into the score field.
    document.querySelectorAll("[data-fill]").forEach((button) => {
      button.hidden = false;
      button.addEventListener("click", () => {
        const into = document.getElementById(button.dataset.fill);
        if (into) { into.value = button.dataset.value; into.focus(); }
      });
    });
    document.querySelectorAll("[data-find]").forEach((box) => {
      const wrap = box.closest("[hidden]");
      if (wrap) wrap.hidden = false;  // useless without this file, so shown only with it
    });
    // Arriving at …#student-12 (after a save) or #release: the focus goes there.
    const id = window.location.hash && window.location.hash.slice(1);
    const there = id && document.getElementById(id);
    if (there && there.matches("[data-row], button, a, input, textarea")) {
      there.focus();
      there.scrollIntoView({ block: "center" });
    }
  });

  // A confirmation marked data-arrival (in a just-posted comment) takes the focus once the
  // page has loaded: the browser's own scroll to the #fragment would otherwise undo it.
  window.addEventListener("load", () => {
    const note = document.querySelector("[data-arrival]");
    if (note) {
      note.focus();
      note.scrollIntoView({ block: "center" });
    }
  });
})();
