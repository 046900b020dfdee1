// Scanning a price label's EAN-13 (the product's scan_code, printed by sales/labels.py):
// - a hardware scanner acting as a keyboard types the 13 digits then Enter, into the scan field or anywhere on the
//   selling screen (the digits typed fast, outside a text field, are gathered here);
// - where the browser has BarcodeDetector (Chrome on Android), the camera button reads the label.
// A known code adds its product as a tap on its tile does; a code with a wrong check digit or unknown here says so.
import { h, icon, iconButton, mount, t, toast } from "./dom.js";

const KEY_GAP_MS = 80; // a scanner types each digit within a few ms; a person is much slower
const DETECT_EVERY_MS = 250;

/** True when the 13 digits carry a right EAN-13 check digit. */
export function ean13Valid(code) {
  if (!/^\d{13}$/.test(code)) return false;
  const digits = [...code].map(Number);
  const sum = digits.slice(0, 12).reduce((s, d, i) => s + d * (i % 2 ? 3 : 1), 0);
  return (10 - (sum % 10)) % 10 === digits[12];
}

/** The product of a scanned code, or null after telling the seller why not. */
export function productOfCode(app, raw) {
  const code = String(raw || "").replace(/\D/g, "");
  if (!app.scanIndex) {
    app.scanIndex = new Map(app.catalogue.products.filter((p) => p.scan_code).map((p) => [p.scan_code, p]));
  }
  const product = app.scanIndex.get(code);
  if (product) return product;
  if (code.length === 13 && !ean13Valid(code)) toast(t("scan_misread"), "error");
  else toast(t("scan_unknown", { code: code || "—" }), "error");
  navigator.vibrate?.(200);
  return null;
}

function take(app, code) {
  const product = productOfCode(app, code);
  if (product) app.takeProduct(product);
  return Boolean(product);
}

/** The scan field of the selling screen: typed or filled by a scanner, Enter adds the product. */
export function scanField(app) {
  const input = h("input.scan-input", {
    type: "text",
    inputmode: "numeric",
    autocomplete: "off",
    enterkeyhint: "go",
    maxlength: "20",
    "aria-label": t("scan_label"),
    placeholder: t("scan_label"),
    dir: "ltr",
  });
  const form = h("form.scan", {
    role: "search",
    onsubmit: (event) => {
      event.preventDefault();
      if (input.value.trim()) take(app, input.value);
      input.value = "";
    },
  }, icon("barcode"), input,
  cameraAvailable() ? iconButton("camera", t("scan_camera"), () => cameraSheet(app)) : null);
  form.querySelector(".icon-button")?.classList.add("scan-camera");
  return form;
}

/** Gather a keyboard scanner's digits typed anywhere on the selling screen (outside a text field); on Enter with
 * 8 digits or more, take the product. The Enter never reaches a tile that kept the focus. */
export function listenForScanner(app) {
  let digits = "";
  let last = 0;
  document.addEventListener("keydown", (event) => {
    if (app.screen !== "sell" || !document.getElementById("sheet").hidden) return;
    const target = event.target;
    if (target instanceof HTMLInputElement || target instanceof HTMLTextAreaElement) return;
    const now = performance.now();
    if (now - last > KEY_GAP_MS) digits = "";
    last = now;
    if (/^\d$/.test(event.key)) {
      digits += event.key;
    } else if (event.key === "Enter" && digits.length >= 8) {
      event.preventDefault();
      const code = digits;
      digits = "";
      take(app, code);
    } else if (event.key !== "Shift") {
      digits = "";
    }
  }, true);
}

export function cameraAvailable() {
  return "BarcodeDetector" in window && Boolean(navigator.mediaDevices?.getUserMedia);
}

/** Read a label with the camera: a sheet with the live picture until a code is read or the seller cancels. */
export async function cameraSheet(app) {
  const sheet = document.getElementById("sheet");
  const video = h("video.scan-video", { autoplay: true, muted: true, playsinline: true });
  let stream = null;
  let timer = null;
  const stop = () => {
    clearTimeout(timer);
    stream?.getTracks().forEach((track) => track.stop());
    stream = null;
  };
  const close = () => {
    stop();
    sheet.onclose = null;
    sheet.hidden = true;
    sheet.replaceChildren();
  };
  mount(sheet, h("div.panel.scan-panel", { role: "dialog", "aria-modal": "true", "aria-label": t("scan_camera") },
    h("div.panel-head", {}, h("h2", {}, t("scan_camera")), iconButton("close", t("cancel"), close)),
    video, h("p.scan-hint", {}, t("scan_hint"))));
  sheet.hidden = false;
  sheet.onclose = stop; // another screen closing the sheet stops the camera too
  try {
    const detector = new window.BarcodeDetector({ formats: ["ean_13"] });
    stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false });
    video.srcObject = stream;
    video.play().catch(() => {}); // frames come when they come: the detector is asked until one reads
    const look = async () => {
      if (!stream) return;
      let found = [];
      try { found = await detector.detect(video); } catch { found = []; }
      const code = found.map((b) => b.rawValue).find((v) => /^\d{8,14}$/.test(v || ""));
      if (code) {
        close();
        take(app, code);
        return;
      }
      timer = setTimeout(look, DETECT_EVERY_MS);
    };
    look();
  } catch {
    close();
    toast(t("scan_camera_refused"), "error");
  }
}
