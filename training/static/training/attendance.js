// Attendance pages. The phone page (#attendance-take): every tap is kept in localStorage under the half-day's key
// at once, so a reload on a poor network finds the marks not yet sent; Save posts the whole list (the server
// replaces the half-day's marks, so sending the same list twice is harmless) and tries again when the network is
// back. The status line says what is true: "Enregistré" only once the server answered that it has them.
// The grid ([data-grid]): arrow keys move between the boxes (mirrored in Arabic), a changed box is outlined.

const RETRY_MS = 15000;

function takePage(form) {
  const key = form.dataset.key;
  const boxes = [...form.querySelectorAll('input[name="present"]')];
  const status = document.getElementById('save-status');
  const count = document.getElementById('present-count');
  let sending = false;
  let stopped = false;
  let timer = null;

  const read = () => {
    try { return JSON.parse(localStorage.getItem(key) || 'null'); } catch { return null; }
  };
  const write = (state) => {
    try { localStorage.setItem(key, JSON.stringify(state)); } catch { /* private mode: the page still posts */ }
  };
  const marks = () => Object.fromEntries(boxes.map((b) => [b.value, b.checked]));
  const say = (text, kind) => { status.textContent = text; status.dataset.kind = kind; };
  const paint = () => {
    for (const b of boxes) b.closest('.att-person').classList.toggle('present', b.checked);
    count.textContent = String(boxes.filter((b) => b.checked).length);
  };
  const later = () => {
    clearTimeout(timer);
    if (!stopped) timer = setTimeout(send, RETRY_MS);
  };

  async function send() {
    const state = read();
    if (sending || !state || !state.unsent) return;
    sending = true;
    const sent = JSON.stringify(marks());
    say(form.dataset.sending, 'sending');
    try {
      const response = await fetch(form.action || window.location.href, {
        method: 'POST', body: new FormData(form), credentials: 'same-origin', headers: { Accept: 'application/json' },
      });
      const json = (response.headers.get('Content-Type') || '').includes('application/json');
      if (!json) {  // the login page (session expired) or a refused token: nothing was recorded
        say(form.dataset.login, 'unsent');
        stopped = true;
        return;
      }
      const answer = await response.json();
      if (answer.saved) {
        if (JSON.stringify(marks()) === sent) {
          write({ unsent: false, marks: JSON.parse(sent), at: Date.now() });
          say(form.dataset.saved, 'saved');
        } else {
          sending = false;  // tapped again while sending: send the newer list
          await send();
          return;
        }
      } else if (response.status >= 500) {
        say(form.dataset.unsent, 'unsent');
        later();
      } else {
        say(answer.error || form.dataset.unsent, 'error');  // refused (billed, not enrolled): retrying won't help
        stopped = true;
      }
    } catch {
      say(form.dataset.offline, 'offline');
      later();
    } finally {
      sending = false;
    }
  }

  const stored = read();
  if (stored && stored.unsent && stored.marks) {
    for (const b of boxes) if (b.value in stored.marks) b.checked = Boolean(stored.marks[b.value]);
    paint();
    say(`${form.dataset.restored}. ${form.dataset.unsent}`, 'unsent');
    send();
  }
  form.addEventListener('change', (event) => {
    if (event.target.name !== 'present') return;
    paint();
    write({ unsent: true, marks: marks(), at: Date.now() });
    stopped = false;
    say(form.dataset.unsent, 'unsent');
  });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    write({ unsent: true, marks: marks(), at: Date.now() });
    stopped = false;
    send();
  });
  window.addEventListener('online', () => { stopped = false; send(); });
}

function gridKeys(table) {
  table.addEventListener('keydown', (event) => {
    const box = event.target;
    if (!(box instanceof HTMLInputElement) || box.type !== 'checkbox') return;
    const cell = box.closest('td');
    const row = cell.parentElement;
    const rtl = getComputedStyle(table).direction === 'rtl';
    const moves = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, rtl ? 1 : -1], ArrowRight: [0, rtl ? -1 : 1] };
    const move = moves[event.key];
    if (!move) return;
    const rows = table.tBodies[0].rows;
    const next = rows[row.sectionRowIndex + move[0]]?.cells[cell.cellIndex + move[1]]?.querySelector('input[type="checkbox"]');
    if (next) {
      event.preventDefault();
      next.focus();
    }
  });
  table.addEventListener('change', (event) => {
    const cell = event.target.closest('td.att-cell');
    if (!cell) return;
    cell.classList.toggle('present', event.target.checked);
    cell.classList.toggle('absent', !event.target.checked);
    cell.classList.add('changed');
  });
}

const form = document.getElementById('attendance-take');
if (form && form.dataset.key) takePage(form);
const grid = document.querySelector('table[data-grid]');
if (grid) gridKeys(grid);
