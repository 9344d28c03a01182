// Euterpe's few progressive enhancements. Every page works without this file; with it:
// - a "Copy" button next to a new share link copies it;
// - the browser's time zone is offered where Euterpe still shows UTC, and preselected on the
//   account page's settings form.
"use strict";

document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-copy]");
  if (!button || !navigator.clipboard) return;
  navigator.clipboard.writeText(button.dataset.copy).then(() => {
    button.textContent = "Copied";
  });
});

function browserZone() {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || "";
  } catch (_) {
    return "";
  }
}

function enhance() {
  if (navigator.clipboard) {
    for (const button of document.querySelectorAll("[data-copy][hidden]")) button.hidden = false;
  }
  const zone = browserZone();
  if (!zone) return;
  // An offer to use the browser's zone, where the saved one is still the default.
  for (const offer of document.querySelectorAll("[data-zone-offer]")) {
    if (offer.dataset.current === zone) {
      offer.hidden = true;
      continue;
    }
    for (const name of offer.querySelectorAll("[data-zone-name]")) name.textContent = zone;
    for (const input of offer.querySelectorAll("input[name=time_zone]")) input.value = zone;
    for (const part of offer.querySelectorAll("[data-zone-js]")) part.hidden = false;
    for (const part of offer.querySelectorAll("[data-zone-nojs]")) part.hidden = true;
  }
  // The settings form: preselect the browser's zone while none was chosen.
  const select = document.querySelector("select#time_zone[data-unset]");
  if (select && [...select.options].some((option) => option.value === zone)) {
    select.value = zone;
    const hint = document.getElementById("zone-detected");
    if (hint) hint.hidden = false;
  }
}

document.addEventListener("DOMContentLoaded", enhance);
document.addEventListener("htmx:afterSettle", enhance);
