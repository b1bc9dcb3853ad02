// Progressive enhancement only: every page works without this file.
"use strict";

// Live word count against the discussion's range, counted like the server counts.
function countWords(text) {
  return text.split(/\s+/).filter((t) => /[\p{L}\p{N}_]/u.test(t)).length;
}

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-feedback-for]").forEach((out) => {
    const field = document.getElementById(out.dataset.feedbackFor);
    if (!field) return;
    const min = Number(field.dataset.minWords || 0);
    const max = Number(field.dataset.maxWords || 0);
    const update = () => {
      const words = countWords(field.value);
      out.textContent = `${words} words (asked: ${min}–${max})`;
      out.classList.toggle("out-of-range", words < min || (max && words > max));
    };
    field.addEventListener("input", update);
    update();
  });
  // One click, one submission: the server also ignores a repeated form token.
  document.querySelectorAll("form").forEach((form) => {
    form.addEventListener("submit", () => {
      form.querySelectorAll("button[data-once]").forEach((b) => {
        b.setAttribute("aria-busy", "true");
        setTimeout(() => { b.disabled = true; }, 0);
      });
    });
  });
});
