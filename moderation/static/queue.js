// The queue's keyboard: j/k move, a approve, r reject (then 1-7 a reason), e edit, o open,
// x select, ? help (static/keys.js adds the page's other keys: A, b, g).
// Progressive enhancement: every action is also a plain form or link without this file.
"use strict";

(() => {
  // The rows and their movement are keys.js's (base.html loads it first, both deferred).
  const { typing, rows, currentRow: current, focusRow, move } = window.rowKeys;

  function go(selector) {
    const link = document.querySelector(selector);
    if (link) window.location.assign(link.href);
  }

  function reject(scope) {
    const details = scope.querySelector("[data-reject]");
    if (!details) return;
    details.open = true;
    const select = details.querySelector("select");
    if (select) select.focus();
  }

  function updateSelected() {
    const out = document.querySelector("[data-selected-count]");
    if (!out) return;
    const n = document.querySelectorAll("[data-select]:checked").length;
    out.textContent = n ? `${n} selected:` : "Select comments with x or the boxes, then:";
  }

  // In the reasons r opened: a digit rejects with that reason (1 the first), Enter with the
  // one chosen. Both submit the row's form as its Reject button would.
  function rejectByKey(event) {
    const select = event.target;
    const form = select.form;
    if (!select.matches("[data-reject] select[name=reason]") || !form) return false;
    const reasons = Array.from(select.options).filter((o) => o.value);  // not "Choose…"
    const n = Number(event.key);
    if (/^[1-9]$/.test(event.key) && n <= reasons.length) select.value = reasons[n - 1].value;
    else if (event.key !== "Enter") return false;
    form.requestSubmit();
    return true;
  }

  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.target.tagName === "SELECT" && rejectByKey(event)) { event.preventDefault(); return; }
    if (typing(event.target)) return;
    const row = current();
    const page = document.querySelector(".comment-view");  // one comment's page
    const scope = row || (page ? document : null);
    let done = true;
    switch (event.key) {
      case "j": if (page && !row) go("[data-next]"); else move(1); break;
      case "k": if (page && !row) go("[data-prev]"); else move(-1); break;
      case "a": { const button = scope && scope.querySelector("[data-approve]");
                  if (button) button.click(); break; }
      case "r": if (scope) reject(scope); break;
      case "e": { const edit = (row || page || {}).dataset;
                  if (edit && edit.edit) window.location.assign(edit.edit); break; }
      case "o": if (row) window.location.assign(row.dataset.open); else done = false; break;
      // Enter on a button or link inside the row is that control's own; on the row, it opens.
      case "Enter": if (row && event.target === row) window.location.assign(row.dataset.open);
                    else done = false; break;
      case "x": { const box = row && row.querySelector("[data-select]");
                  if (box) { box.checked = !box.checked; updateSelected(); } break; }
      case "?": { const help = document.getElementById("keys-help");
                  if (help && help.showModal) help.showModal(); break; }
      default: done = false;
    }
    if (done) event.preventDefault();
  });

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("[data-keys-help]").forEach((b) => b.addEventListener("click", () => {
      const help = document.getElementById("keys-help");
      if (help) help.showModal();
    }));
    document.addEventListener("change", (e) => { if (e.target.matches("[data-select]")) updateSelected(); });
    // Arriving from a decision (…#row-12): focus that row, so j continues from there.
    const target = window.location.hash && document.getElementById(window.location.hash.slice(1));
    if (target && target.matches("[data-row]")) focusRow(target);
    else if (rows().length) focusRow(rows()[0]);
  });

  // htmx swapped a decided row in place (same id): focus moves on to the next undecided one.
  document.addEventListener("htmx:afterSwap", (event) => {
    const id = event.detail.target && event.detail.target.id;
    const decided = id && document.getElementById(id);
    if (!decided || !decided.matches("[data-row]")) return;
    const all = rows();
    const next = all.slice(all.indexOf(decided) + 1).find((r) => !r.classList.contains("decided"));
    focusRow(decided.querySelector("[role=alert]") ? decided : (next || decided));
  });
})();
