// LTI pages: a form marked data-autosubmit is sent as soon as the page loads (the relay of a
// launch, the deep linking response); its button stays for browsers without scripts.
document.addEventListener("DOMContentLoaded", () => {
  for (const form of document.querySelectorAll("form[data-autosubmit]")) {
    form.submit();
  }
});
