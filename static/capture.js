// Passport capture on the customer step: camera (getUserMedia), photo file (rear camera on
// phones), or a keyboard-wedge MRZ scanner. The reading only prefills the form; staff confirm.
(function () {
  const box = document.getElementById("capture");
  if (!box) return;
  const status = document.getElementById("capture-status");
  const video = document.getElementById("camera");
  const text = document.getElementById("mrz-text");
  const say = (message, kind) => { status.textContent = message; status.className = "msg " + (kind || ""); };
  const csrf = () => (document.cookie.match(/csrftoken=([^;]+)/) || [])[1] || "";

  async function send(body) {
    say(box.dataset.reading);
    try {
      const response = await fetch(box.dataset.url, {
        method: "POST", body, credentials: "same-origin",
        // Errors in the page's language, whatever the browser's own preference.
        headers: { "X-CSRFToken": csrf(), "Accept": "application/json", "Accept-Language": document.documentElement.lang || "ja" },
      });
      const data = await response.json();
      if (!response.ok) {
        // An API problem (RFC 9457): the field messages say what to change, the detail only which fields.
        const fields = Object.values(data.errors || {}).flat();
        say(fields.length ? fields.join(" ") : data.detail, "error");
        return;
      }
      fill(data);
    } catch (error) {
      say(String(error), "error");
    }
  }

  const FIELDS = {
    document_number: "document_number", surname: "family_name", given_names: "given_names",
    nationality: "nationality", issuer: "issuing_country", birth_date: "birth_date", sex: "sex",
    expiry_date: "document_expiry",
  };

  const REASON_FIELD = { name: "surname", surname: "surname", given_names: "given_names" };

  function doubtful(data) {
    // Reasons read "field: what was wrong"; a field named there, or whose check failed, is doubtful.
    const keys = new Set();
    for (const reason of data.reasons || []) {
      const key = reason.split(":")[0].trim();
      keys.add(REASON_FIELD[key] || key);
    }
    for (const [key, ok] of Object.entries(data.checks || {})) if (ok === false) keys.add(REASON_FIELD[key] || key);
    for (const key of Object.keys(data.notes || {})) keys.add(key);  // plain-words notes, by field
    return keys;
  }

  function fill(data) {
    document.querySelectorAll("#customer-form .review").forEach((el) => el.classList.remove("review"));
    document.querySelectorAll("#customer-form .doubt").forEach((el) => el.remove());
    if (data.status === "not_found") { say(box.dataset.notFound, "error"); return; }
    const doubts = data.status === "accepted" ? new Set() : doubtful(data);
    for (const [key, name] of Object.entries(FIELDS)) {
      const input = document.querySelector(`#customer-form [name="c-${name}"]`);
      const value = data.fields[key];
      if (!input || value === null || value === undefined) continue;
      input.value = key === "issuer" || key === "nationality" ? value.replace(/</g, "").padEnd(3, "") : value;
      if (doubts.has(key)) {
        input.classList.add("review");
        const note = document.createElement("p");
        note.className = "doubt warning";
        note.textContent = (data.notes || {})[key] || box.dataset.doubtful;
        input.insertAdjacentElement("afterend", note);
      }
    }
    const type = document.querySelector('#customer-form [name="c-document_type"]');
    if (type && (data.fields.document_code || "").startsWith("P")) type.value = "passport";
    say(data.status === "accepted" ? box.dataset.accepted : box.dataset.review,
        data.status === "accepted" ? "success" : "warning");
  }

  document.getElementById("open-camera").addEventListener("click", async () => {
    try {
      const stream = await navigator.mediaDevices.getUserMedia(
        { video: { facingMode: "environment", width: { ideal: 1920 }, height: { ideal: 1080 } } });
      video.srcObject = stream;
      video.hidden = false;
      document.getElementById("take-photo").hidden = false;
    } catch (error) {
      say(box.dataset.noCamera, "warning");
      document.getElementById("capture-file").click();
    }
  });

  document.getElementById("take-photo").addEventListener("click", () => {
    const canvas = document.createElement("canvas");
    canvas.width = video.videoWidth; canvas.height = video.videoHeight;
    canvas.getContext("2d").drawImage(video, 0, 0);
    canvas.toBlob((blob) => { const form = new FormData(); form.append("image", blob, "camera.jpg"); send(form); },
                  "image/jpeg", 0.92);
  });

  document.getElementById("capture-file").addEventListener("change", (event) => {
    const file = event.target.files[0];
    if (!file) return;
    const form = new FormData(); form.append("image", file); send(form);
  });

  let lastRead = "";
  const readText = () => {
    lastRead = text.value.trim();
    const form = new FormData(); form.append("text", text.value); send(form);
  };
  document.getElementById("read-text").addEventListener("click", readText);
  // A scanner types the lines one character at a time: read once they are complete (3 × 30,
  // 2 × 36 or 2 × 44 characters), once, and a moment after the last keystroke.
  const complete = (value) => {
    const lines = value.trim().split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
    const width = lines.length ? lines[0].length : 0;
    const wanted = { 30: 3, 36: 2, 44: 2 }[width];
    return wanted === lines.length && lines.every((l) => l.length === width && /^[A-Z0-9<]+$/.test(l));
  };
  let timer = null;
  text.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => { if (complete(text.value) && text.value.trim() !== lastRead) readText(); }, 250);
  });
})();
