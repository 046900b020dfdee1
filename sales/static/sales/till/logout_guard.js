// On a page of the site (the till's list of events, and any page that includes sales/till/logout_guard.html), the
// "log out" button first sends the phone's waiting tickets, warns when some are still waiting (they stay on the
// phone, for their device, and leave with the next till opened here), then forgets the till pages kept for offline
// use and what shows the user's work (session.js), and only then logs out. Offline pages of one seller are never
// shown to the next.
import { forgetPages, sendAndCount } from "./session.js";
import * as store from "./store.js";

const config = JSON.parse(document.getElementById("till-logout-guard").textContent);

async function guard(event) {
  const form = event.currentTarget;
  if (form.dataset.tillChecked) return;
  event.preventDefault();
  let waiting = 0;
  try {
    waiting = await sendAndCount(config.urls);
  } catch {
    waiting = 0; // no till storage in this browser: nothing of the till to keep or forget
  }
  if (waiting && !window.confirm(config.confirm)) return;
  try {
    await forgetPages(config.urls.scope);
    await store.forgetSent();
  } catch {
    // a private window without storage: nothing was kept
  }
  form.dataset.tillChecked = "1";
  form.submit();
}

if (!window.__tillLogoutGuard && "indexedDB" in window) {
  window.__tillLogoutGuard = true;
  for (const form of document.querySelectorAll("form")) {
    if (new URL(form.action, location.href).pathname === config.urls.logout) form.addEventListener("submit", guard);
  }
}
