/* wasteroute web: live job progress, truck tabs, history comparison. Our own code, no library. */
"use strict";

function followJob(box) {
  const words = JSON.parse(box.dataset.words);
  const budget = parseFloat(box.dataset.budget) || 0;
  const $ = (id) => document.getElementById(id);
  let timer = null;
  async function poll() {
    let s;
    try {
      const r = await fetch(box.dataset.api, { headers: { Accept: "application/json" }, credentials: "same-origin" });
      if (!r.ok) return;
      s = await r.json();
    } catch (e) { return; }
    $("job-status").textContent = words.status[s.status] || s.status;
    $("job-stage").textContent = s.stage ? (words.stage[s.stage] || s.stage) : "–";
    $("job-found").textContent = String(s.found);
    $("job-best").textContent = s.best_cost >= 0 ? String(s.best_cost) : "–";
    $("job-note").textContent = s.note || "";
    $("job-search").textContent = s.search_note || "";
    $("job-search").hidden = s.stage !== "search" || !s.search_note;
    $("job-ahead").textContent = s.ahead ? words.ahead.replace("{n}", String(s.ahead)) : "";
    if (s.started_at) {
      const secs = Math.max(0, (Date.now() - Date.parse(s.started_at)) / 1000);
      const end = s.finished_at ? (Date.parse(s.finished_at) - Date.parse(s.started_at)) / 1000 : secs;
      $("job-elapsed").textContent = Math.round(end) + " s";
      if (budget > 0 && s.stage === "search") $("job-bar").value = Math.min(95, 100 * secs / budget);
    }
    if (s.stage === "writing" || s.stage === "checking") $("job-bar").value = 97;
    if (s.message) { $("job-message").textContent = s.message; $("job-message").hidden = false; }
    const final = ["done", "failed", "cancelled", "interrupted"].includes(s.status);
    if (final) {
      clearInterval(timer);
      const cancel = $("cancel-form");
      if (cancel) cancel.hidden = true;
      if (s.status === "done") {
        $("job-bar").value = 100;
        $("job-result").href = s.result_url;
        $("job-result").hidden = false;
        window.location.assign(s.result_url);
      }
    }
  }
  poll();
  timer = setInterval(poll, 1000);
}

function showTab(button) {
  document.querySelectorAll("#truck-tabs .tab").forEach((b) => b.classList.toggle("active", b === button));
  document.querySelectorAll(".tabpanel").forEach((p) => {
    const on = p.id === button.dataset.tab;
    p.hidden = !on;
    const frame = p.querySelector("iframe[data-src]");
    if (on && frame && !frame.getAttribute("src")) frame.setAttribute("src", frame.dataset.src);
  });
}

function setUpTabs() {
  const buttons = document.querySelectorAll("#truck-tabs .tab");
  buttons.forEach((b) => b.addEventListener("click", () => showTab(b)));
  if (buttons.length) showTab(buttons[0]);
}

function setUpCompare() {
  const form = document.getElementById("compare-form");
  if (!form) return;
  const picks = form.querySelectorAll("input.pick");
  const update = () => {
    const ids = Array.from(picks).filter((p) => p.checked).map((p) => p.dataset.id);
    document.getElementById("compare").disabled = ids.length !== 2;
    document.getElementById("compare-a").value = ids[0] || "";
    document.getElementById("compare-b").value = ids[1] || "";
  };
  picks.forEach((p) => p.addEventListener("change", update));
  update();
}

document.addEventListener("DOMContentLoaded", () => {
  const job = document.getElementById("job");
  if (job) followJob(job);
  setUpTabs();
  setUpCompare();
});
