// An SMTP form's Security follows its Port on the two standard ports (587 speaks
// STARTTLS, 465 SSL), so the usual pairing needs no second choice:
//   <input data-smtp-port="id-of-the-security-select">
(function () {
  "use strict";
  const STANDARD = { "587": "starttls", "465": "ssl" };
  document.addEventListener("input", (event) => {
    const port = event.target;
    if (!port.matches || !port.matches("[data-smtp-port]")) return;
    const security = document.getElementById(port.dataset.smtpPort);
    const way = STANDARD[port.value.trim()];
    if (security && way) security.value = way;
  });
})();
