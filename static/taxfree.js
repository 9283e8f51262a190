// Behaviour of the staff pages that needs script, kept out of the HTML (Content-Security-Policy:
// no inline scripts).
document.addEventListener("change", (event) => {
  if (event.target.matches("select.submit-on-change")) event.target.form.submit();
});
// Money leaves the till: a form marked data-confirm asks first.
document.addEventListener("submit", (event) => {
  const message = event.target.dataset && event.target.dataset.confirm;
  if (message && !window.confirm(message)) event.preventDefault();
});
// A form marked data-once is sent once: a double tap on Finish sends one request (the server
// would find the first sale for a second one anyway). Its button says it is working.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!form.dataset || form.dataset.once === undefined || event.defaultPrevented) return;
  if (form.dataset.sent) {
    event.preventDefault();
    return;
  }
  form.dataset.sent = "true";
  form.querySelectorAll("button").forEach((button) => {
    button.dataset.label = button.textContent;
    if (button.dataset.busy) button.textContent = button.dataset.busy;
    button.disabled = true;
  });
});
// Back to a page the browser kept (back-forward cache): its form can be sent again.
window.addEventListener("pageshow", (event) => {
  if (!event.persisted) return;
  document.querySelectorAll("form[data-once][data-sent]").forEach((form) => {
    delete form.dataset.sent;
    form.querySelectorAll("button[data-label]").forEach((button) => {
      button.textContent = button.dataset.label;
      button.disabled = false;
    });
  });
});
// A form sent back with errors: its summary takes the focus, then a link moves to its field.
document.addEventListener("DOMContentLoaded", () => {
  const summary = document.getElementById("error-summary");
  if (summary) summary.focus();
  document.querySelectorAll(".errorlist").forEach((list) => {
    const field = list.previousElementSibling;
    if (field && field.setAttribute) field.setAttribute("aria-invalid", "true");
  });
});
// Product search as you type: the server's matches fill the field's suggestion list.
document.addEventListener("DOMContentLoaded", () => {
  const list = document.getElementById("product-list");
  const input = list && document.querySelector('input[list="product-list"]');
  if (!input) return;
  let timer = null;
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const response = await fetch(`${list.dataset.url}?q=${encodeURIComponent(input.value)}`,
                                   { credentials: "same-origin", headers: { Accept: "application/json" } });
      if (!response.ok) return;
      const data = await response.json();
      list.replaceChildren(...data.products.map((p) => { const o = document.createElement("option"); o.value = p.label; return o; }));
    }, 200);
  });
});
// The finished sale's record state, updated while it is being sent.
document.addEventListener("DOMContentLoaded", () => {
  const state = document.getElementById("record-state");
  if (!state) return;
  const label = (value) => ({ ok: state.dataset.labelSent, warning: state.dataset.labelSent, waiting: state.dataset.labelWaiting,
                              ng: state.dataset.labelNg })[value] || state.dataset.labelSending;
  let polls = 0;
  const poll = async () => {
    if (!["pending", "sending", "waiting"].includes(state.dataset.state) || polls++ > 60) return;
    const response = await fetch(state.dataset.url, { credentials: "same-origin", headers: { Accept: "application/json" } });
    if (response.ok) {
      const data = await response.json();
      state.dataset.state = data.record.state;
      state.textContent = label(data.record.state);
      if (data.record.transmission_number) {
        document.getElementById("transmission-number").textContent = ` · 送信番号 ${data.record.transmission_number}`;
      }
    }
    setTimeout(poll, 2000);
  };
  setTimeout(poll, 1500);
});
// A long export's progress, until its file is ready.
document.addEventListener("DOMContentLoaded", () => {
  const job = document.getElementById("job");
  if (!job || ["done", "failed"].includes(job.dataset.state)) return;
  const poll = async () => {
    const response = await fetch(job.dataset.url, { credentials: "same-origin", headers: { Accept: "application/json" } });
    if (!response.ok) return;
    const data = await response.json();
    document.getElementById("job-progress").value = data.percent;
    if (data.state === "done" || data.state === "failed") { window.location.reload(); return; }
    document.getElementById("job-status").textContent = `${data.rows_done} / ${data.rows_total}`;
    setTimeout(poll, 1000);
  };
  setTimeout(poll, 1000);
});
