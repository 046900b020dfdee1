// A compact QR code encoder (ISO/IEC 18004): byte mode, error correction level M, versions 1 to 10 (up to 213
// bytes), the mask with the lowest penalty. Enough for a receipt's short text, offline, with no library.
// tests/browser/test_till_qr.py compares its matrices with the Python `qrcode` package, module by module.

// per version 1..10, level M: error-correction codewords per block, and number of blocks
const ECC_PER_BLOCK = [10, 16, 26, 18, 24, 16, 18, 22, 22, 26];
const BLOCKS = [1, 1, 1, 2, 2, 4, 4, 4, 5, 5];
const FORMAT_M = 0; // the two format bits of level M

function rawModules(ver) {
  let result = (16 * ver + 128) * ver + 64;
  if (ver >= 2) {
    const align = Math.floor(ver / 7) + 2;
    result -= (25 * align - 10) * align - 55;
    if (ver >= 7) result -= 36;
  }
  return result;
}

const dataCodewords = (ver) => Math.floor(rawModules(ver) / 8) - ECC_PER_BLOCK[ver - 1] * BLOCKS[ver - 1];

function gfMul(x, y) {
  let z = 0;
  for (let i = 7; i >= 0; i--) {
    z = (z << 1) ^ ((z >>> 7) * 0x11d);
    z ^= ((y >>> i) & 1) * x;
  }
  return z;
}

function rsDivisor(degree) {
  const result = new Array(degree).fill(0);
  result[degree - 1] = 1;
  let root = 1;
  for (let i = 0; i < degree; i++) {
    for (let j = 0; j < degree; j++) {
      result[j] = gfMul(result[j], root);
      if (j + 1 < degree) result[j] ^= result[j + 1];
    }
    root = gfMul(root, 0x02);
  }
  return result;
}

function rsRemainder(data, divisor) {
  const result = divisor.map(() => 0);
  for (const b of data) {
    const factor = b ^ result.shift();
    result.push(0);
    divisor.forEach((coef, i) => { result[i] ^= gfMul(coef, factor); });
  }
  return result;
}

function alignmentPositions(ver, size) {
  if (ver === 1) return [];
  const count = Math.floor(ver / 7) + 2;
  const step = Math.ceil((ver * 4 + 4) / (count * 2 - 2)) * 2;
  const result = [6];
  for (let pos = size - 7; result.length < count; pos -= step) result.splice(1, 0, pos);
  return result;
}

function codewords(bytes, ver) {
  const capacity = dataCodewords(ver);
  const bits = [];
  const put = (value, length) => { for (let i = length - 1; i >= 0; i--) bits.push((value >>> i) & 1); };
  put(0b0100, 4);
  put(bytes.length, ver < 10 ? 8 : 16);
  bytes.forEach((b) => put(b, 8));
  put(0, Math.min(4, capacity * 8 - bits.length));
  put(0, (8 - (bits.length % 8)) % 8);
  const data = [];
  for (let i = 0; i < bits.length; i += 8) data.push(bits.slice(i, i + 8).reduce((a, b) => (a << 1) | b, 0));
  for (let pad = 0xec; data.length < capacity; pad ^= 0xec ^ 0x11) data.push(pad);
  // split into blocks, add each block's error correction, interleave
  const blocks = BLOCKS[ver - 1], eccLen = ECC_PER_BLOCK[ver - 1];
  const raw = Math.floor(rawModules(ver) / 8);
  const shortBlocks = blocks - (raw % blocks), shortLen = Math.floor(raw / blocks);
  const divisor = rsDivisor(eccLen);
  const parts = [];
  for (let i = 0, k = 0; i < blocks; i++) {
    const chunk = data.slice(k, k + shortLen - eccLen + (i < shortBlocks ? 0 : 1));
    k += chunk.length;
    const ecc = rsRemainder(chunk, divisor);
    if (i < shortBlocks) chunk.push(0);
    parts.push(chunk.concat(ecc));
  }
  const result = [];
  for (let i = 0; i < parts[0].length; i++) {
    parts.forEach((part, j) => { if (i !== shortLen - eccLen || j >= shortBlocks) result.push(part[i]); });
  }
  return result;
}

const MASKS = [
  (x, y) => (x + y) % 2 === 0,
  (x, y) => y % 2 === 0,
  (x) => x % 3 === 0,
  (x, y) => (x + y) % 3 === 0,
  (x, y) => (Math.floor(x / 3) + Math.floor(y / 2)) % 2 === 0,
  (x, y) => ((x * y) % 2) + ((x * y) % 3) === 0,
  (x, y) => (((x * y) % 2) + ((x * y) % 3)) % 2 === 0,
  (x, y) => (((x + y) % 2) + ((x * y) % 3)) % 2 === 0,
];

class Grid {
  constructor(ver) {
    this.ver = ver;
    this.size = ver * 4 + 17;
    this.dark = Array.from({ length: this.size }, () => new Uint8Array(this.size));
    this.fixed = Array.from({ length: this.size }, () => new Uint8Array(this.size));
  }

  set(x, y, dark) { this.dark[y][x] = dark ? 1 : 0; this.fixed[y][x] = 1; }

  functionPatterns() {
    const n = this.size;
    for (let i = 0; i < n; i++) { this.set(6, i, i % 2 === 0); this.set(i, 6, i % 2 === 0); }
    for (const [cx, cy] of [[3, 3], [n - 4, 3], [3, n - 4]]) {
      for (let dy = -4; dy <= 4; dy++) {
        for (let dx = -4; dx <= 4; dx++) {
          const d = Math.max(Math.abs(dx), Math.abs(dy)), x = cx + dx, y = cy + dy;
          if (x >= 0 && x < n && y >= 0 && y < n) this.set(x, y, d !== 2 && d !== 4);
        }
      }
    }
    const pos = alignmentPositions(this.ver, n), last = pos.length - 1;
    pos.forEach((px, i) => pos.forEach((py, j) => {
      if ((i === 0 && j === 0) || (i === 0 && j === last) || (i === last && j === 0)) return;
      for (let dy = -2; dy <= 2; dy++) {
        for (let dx = -2; dx <= 2; dx++) this.set(px + dx, py + dy, Math.max(Math.abs(dx), Math.abs(dy)) !== 1);
      }
    }));
    this.format(0);
    if (this.ver >= 7) {
      let rem = this.ver;
      for (let i = 0; i < 12; i++) rem = (rem << 1) ^ ((rem >>> 11) * 0x1f25);
      const bits = (this.ver << 12) | rem;
      for (let i = 0; i < 18; i++) {
        const bit = ((bits >>> i) & 1) === 1, a = n - 11 + (i % 3), b = Math.floor(i / 3);
        this.set(a, b, bit);
        this.set(b, a, bit);
      }
    }
  }

  format(mask) {
    const n = this.size, data = (FORMAT_M << 3) | mask;
    let rem = data;
    for (let i = 0; i < 10; i++) rem = (rem << 1) ^ ((rem >>> 9) * 0x537);
    const bits = ((data << 10) | rem) ^ 0x5412;
    const bit = (i) => ((bits >>> i) & 1) === 1;
    for (let i = 0; i <= 5; i++) this.set(8, i, bit(i));
    this.set(8, 7, bit(6));
    this.set(8, 8, bit(7));
    this.set(7, 8, bit(8));
    for (let i = 9; i < 15; i++) this.set(14 - i, 8, bit(i));
    for (let i = 0; i < 8; i++) this.set(n - 1 - i, 8, bit(i));
    for (let i = 8; i < 15; i++) this.set(8, n - 15 + i, bit(i));
    this.set(8, n - 8, true);
  }

  place(data) {
    const n = this.size;
    let i = 0;
    for (let right = n - 1; right >= 1; right -= 2) {
      if (right === 6) right = 5;
      for (let vert = 0; vert < n; vert++) {
        for (let j = 0; j < 2; j++) {
          const x = right - j, upward = ((right + 1) & 2) === 0, y = upward ? n - 1 - vert : vert;
          if (!this.fixed[y][x] && i < data.length * 8) {
            this.dark[y][x] = (data[i >>> 3] >>> (7 - (i & 7))) & 1;
            i++;
          }
        }
      }
    }
  }

  mask(m) {
    const masked = MASKS[m];
    for (let y = 0; y < this.size; y++) {
      const row = this.dark[y], fixed = this.fixed[y];
      for (let x = 0; x < this.size; x++) if (!fixed[x] && masked(x, y)) row[x] ^= 1;
    }
  }
}

/** The standard penalty of a masked symbol (rules N1 to N4); the mask with the lowest one is kept. */
function penalty(dark) {
  const n = dark.length;
  let score = 0, total = 0;
  const FINDER_A = 0b00001011101, FINDER_B = 0b10111010000; // 11-module windows: 1:1:3:1:1 with 4 light around
  for (let i = 0; i < n; i++) {
    let rowRun = 1, colRun = 1, rowBits = 0, colBits = 0;
    for (let j = 0; j < n; j++) {
      const r = dark[i][j], c = dark[j][i];
      if (r) total++;
      if (j > 0) {
        if (r === dark[i][j - 1]) rowRun++;
        else { if (rowRun >= 5) score += rowRun - 2; rowRun = 1; }
        if (c === dark[j - 1][i]) colRun++;
        else { if (colRun >= 5) score += colRun - 2; colRun = 1; }
      }
      rowBits = ((rowBits << 1) | r) & 0x7ff;
      colBits = ((colBits << 1) | c) & 0x7ff;
      if (j >= 10) {
        if (rowBits === FINDER_A || rowBits === FINDER_B) score += 40;
        if (colBits === FINDER_A || colBits === FINDER_B) score += 40;
      }
    }
    if (rowRun >= 5) score += rowRun - 2;
    if (colRun >= 5) score += colRun - 2;
  }
  for (let y = 0; y < n - 1; y++) {
    const row = dark[y], next = dark[y + 1];
    for (let x = 0; x < n - 1; x++) {
      const c = row[x];
      if (c === row[x + 1] && c === next[x] && c === next[x + 1]) score += 3;
    }
  }
  const k = Math.ceil(Math.abs(total * 20 - n * n * 10) / (n * n)) - 1;
  return score + Math.max(0, k) * 10;
}

/** The modules of `text`'s QR code: {size, dark[y][x] (true = dark), version, mask}. `options.mask` forces a mask
 * (the tests compare each mask with another encoder). */
export function qrMatrix(text, options = {}) {
  const bytes = Array.from(new TextEncoder().encode(text));
  let ver = 1;
  while (ver <= 10 && dataCodewords(ver) < bytes.length + (ver < 10 ? 2 : 3)) ver++;
  if (ver > 10) throw new RangeError("QR text too long");
  const data = codewords(bytes, ver);
  const base = new Grid(ver);
  base.functionPatterns();
  base.place(data);
  let best = null;
  for (let m = 0; m < 8; m++) {
    if (options.mask !== undefined && m !== options.mask) continue;
    const grid = Object.assign(Object.create(Grid.prototype), base, { dark: base.dark.map((row) => row.slice()) });
    grid.mask(m);
    grid.format(m);
    const score = options.mask === undefined ? penalty(grid.dark) : 0;
    if (!best || score < best.score) best = { score, grid, mask: m };
  }
  const dark = best.grid.dark.map((row) => Array.from(row, (d) => d === 1));
  return { size: best.grid.size, dark, version: ver, mask: best.mask };
}

/** An SVG of `text`'s QR code with a 4-module quiet zone, crisp at any print size (one path, a rectangle per run
 * of dark modules). */
export function qrSvg(text, label = "") {
  const { size, dark } = qrMatrix(text);
  const full = size + 8;
  let path = "";
  dark.forEach((row, y) => {
    for (let x = 0; x < size; x++) {
      if (!row[x]) continue;
      const start = x;
      while (x + 1 < size && row[x + 1]) x++;
      path += `M${start + 4} ${y + 4}h${x - start + 1}v1h-${x - start + 1}z`;
    }
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${full} ${full}" shape-rendering="crispEdges" ` +
    `role="img" aria-label="${label.replace(/"/g, "")}"><rect width="${full}" height="${full}" fill="#fff"/>` +
    `<path d="${path}" fill="#000"/></svg>`;
}
