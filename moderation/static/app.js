// Progressive enhancement only: every page works without this file.
"use strict";

// A quick local word count while typing; the server's count replaces it on each preview.
function countWords(text) {
  return text.split(/\s+/).filter((t) => /[\p{L}\p{N}_]/u.test(t)).length;
}

// What each finding does, shown before it; the verdict above the list says the outcome once
// ("This will wait for your instructor … for what is marked below").
const SEVERITY_LABELS = { block: "Must change:", hold: "Why it waits:", note: "Note:" };

function liveFeedback(out) {
  const field = document.getElementById(out.dataset.feedbackFor);
  if (!field) return;
  const form = field.form;
  const list = form.querySelector(".live-findings");
  const min = Number(field.dataset.minWords || 0);
  const max = Number(field.dataset.maxWords || 0);
  let timer = null;
  let sent = 0;

  const show = (words, grade) => {
    // An empty box is not an error: it says what is asked, without the warning colour.
    if (!words) {
      out.textContent = `Asked: ${min}–${max} words.`;
      out.classList.remove("out-of-range");
      return;
    }
    const range = `${words} words (asked: ${min}–${max})`;
    out.textContent = grade === undefined ? range : `${range} · reading level: grade ${grade}`;
    out.classList.toggle("out-of-range", words < min || (max && words > max));
  };

  const preview = async () => {
    const url = form.dataset.previewUrl;
    const token = form.querySelector("input[name=csrf_token]");
    if (!url || !field.value.trim()) {
      if (list) list.replaceChildren();
      return;
    }
    const mine = ++sent;
    try {
      const parent = form.querySelector("input[name=parent_id]");
      const response = await fetch(url, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": token ? token.value : "" },
        body: JSON.stringify({ body: field.value, parent_id: parent ? parent.value : null }),
      });
      if (!response.ok || mine !== sent) return;
      const data = await response.json();
      show(data.words, data.grade);
      // Say plainly what submitting will do: refused, waiting for the instructor, or posted.
      const verdict = form.querySelector(".live-verdict");
      if (verdict) {
        verdict.hidden = !data.summary;
        verdict.textContent = data.summary || "";
        verdict.className = `live-verdict verdict-${data.outcome}`;
      }
      if (list) {
        list.replaceChildren(...data.findings.map((f) => {
          const item = document.createElement("li");
          item.className = `flag flag-${f.severity}`;
          const label = document.createElement("strong");
          label.textContent = SEVERITY_LABELS[f.severity] || "";
          item.append(label, ` ${f.message}${f.advice ? " " + f.advice : ""}`);
          return item;
        }));
      }
    } catch (error) {
      // Feedback is a convenience: the server checks again on submit.
    }
  };

  field.addEventListener("input", () => {
    show(countWords(field.value));
    clearTimeout(timer);
    timer = setTimeout(preview, 700);
  });
  show(countWords(field.value));
  if (field.value.trim()) preview();
}

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-feedback-for]").forEach(liveFeedback);
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

// A job's progress bar: ask how far it is every second until it ends, then reload the page
// (which shows the result or the error). Without script the page says to reload.
function jobProgress(box) {
  const bar = box.querySelector("progress");
  const words = box.querySelector(".job-words");
  const poll = async () => {
    try {
      const response = await fetch(box.dataset.jobUrl, { credentials: "same-origin" });
      if (!response.ok) return;
      const job = await response.json();
      if (job.state === "done" || job.state === "failed") {
        window.location.reload();
        return;
      }
      if (job.total !== null) {
        bar.max = job.total || 1;
        bar.value = job.done;
        const left = job.seconds_left === null ? "" : `, about ${job.seconds_left} s left`;
        words.textContent = `${job.done.toLocaleString()} of ${job.total.toLocaleString()} comments${left}.`;
      }
    } catch (error) {
      // A network blip: try again on the next tick.
    }
    setTimeout(poll, 1000);
  };
  setTimeout(poll, 1000);
}

document.querySelectorAll(".job-progress[data-job-url]").forEach(jobProgress);

// A new course's time zone starts as the browser's, when the list has it; without script
// (or an unknown zone) it stays UTC, and either way the instructor sees and can change it.
document.querySelectorAll("select[data-browser-zone]").forEach((select) => {
  if (select.dataset.chosen) return;  // a refused form keeps what the instructor chose
  let zone = "";
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
  } catch (error) {
    return;
  }
  if ([...select.options].some((o) => o.value === zone)) select.value = zone;
});
