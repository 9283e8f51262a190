// Behaviour of the staff pages that needs script, kept out of the HTML (Content-Security-Policy:
// no inline scripts).
document.addEventListener("change", (event) => {
  if (event.target.matches("select.submit-on-change")) event.target.form.submit();
});
