// Browser figures, printed (not timed tests), in headless Chromium:
//  - start-up: from navigation until the console accepts a keystroke, for
//    the app and for a static HTML page of the same size, first visits;
//  - keystroke cost with an empty and with a 100,000-line scrollback, and
//    from a key to the next painted frame, beside xterm.js 6 holding the
//    same 100,000 lines (npm, for this benchmark only);
//  - the engine in WebAssembly: commands per second and a 10 MB DATA body
//    (needs target/bench-wasm, built by `make bench`).
// Usage: node tests/browser/bench.mjs DIST
import { createServer } from 'node:http';
import { readFile, readdir, stat } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { extname, join, normalize } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';

const dist = process.argv[2] || 'dist';
const wasmBench = 'target/bench-wasm';
const types = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm', '.css': 'text/css', '.svg': 'image/svg+xml', '.webmanifest': 'application/manifest+json' };

// What a first visit downloads: the files the offline worker lists, and
// the worker (as scripts/size.sh counts them), served gzip'ed as a static
// host would.
const worker = await readFile(new URL('../../www/sw.js', import.meta.url), 'utf8');
const firstVisit = worker.match(/const FILES = \[(.*)\];/)[1].split(',')
  .map((f) => f.trim().replace(/'/g, '').replace(/^\.\/$/, 'index.html'))
  .filter((f, i, all) => all.indexOf(f) === i).concat(['sw.js']);
let firstVisitGzip = 0;
for (const name of firstVisit) firstVisitGzip += gzipSync(await readFile(join(dist, name)), { level: 9 }).length;

// The baseline: one static page that is as large once gzip'ed, its text
// field at the end, so it takes the keyboard once all of it has arrived.
let padding = '';
const filler = () => { let text = ''; for (let i = 0; i < 4096; i += 1) text += String.fromCharCode(33 + Math.floor(Math.random() * 90)).replace(/[-<>&]/, 'x'); return text; };
const baselinePage = (pad) => `<!doctype html><html><head><meta charset="utf-8"><title>baseline</title></head><body><!--${pad}--><input id="keyboard" autofocus></body></html>`;
while (gzipSync(baselinePage(padding), { level: 9 }).length < firstVisitGzip) padding += filler();
const baseline = baselinePage(padding);

// xterm.js 6 with the same 100,000 lines, echoing what is typed, as the
// anchor for the paint measure.
const xtermLib = new URL('./node_modules/@xterm/xterm/', import.meta.url).pathname;
const xtermPage = `<!doctype html><html><head><meta charset="utf-8"><link rel="stylesheet" href="/xterm-lib/css/xterm.css"></head>
<body><div id="terminal" style="width:900px;height:600px"></div><script type="module">
import { Terminal } from '/xterm-lib/lib/xterm.mjs';
const term = new Terminal({ scrollback: 100000, rows: 30, cols: 100 });
term.open(document.getElementById('terminal'));
term.onData((data) => term.write(data));
let text = '';
for (let i = 1; i <= 100000; i += 1) text += i + '\\r\\n';
term.write(text, () => { window.ready = true; });
</script></body></html>`;

const server = createServer(async (request, response) => {
  const url = new URL(request.url, 'http://x');
  const path = normalize(decodeURIComponent(url.pathname)).replace(/^(\.\.[/\\])+/, '');
  try {
    let body;
    let file = path;
    if (path.startsWith('/baseline')) {
      body = baseline;
      file = 'x.html';
    } else if (path === '/xterm/') {
      body = xtermPage;
      file = 'x.html';
    } else if (path.startsWith('/xterm-lib/')) {
      file = join(xtermLib, path.slice('/xterm-lib/'.length));
      body = await readFile(file);
    } else if (path.startsWith('/bench-wasm/')) {
      file = join(wasmBench, path.slice('/bench-wasm/'.length));
      body = path.endsWith('/') ? '<!doctype html><script type="module">import init, * as bench from "./smtplab_bench_wasm.js"; await init(); window.bench = bench; window.ready = true;</script>' : await readFile(file);
      if (path.endsWith('/')) file = 'x.html';
    } else {
      file = join(dist, path.endsWith('/') ? path + 'index.html' : path);
      body = await readFile(file);
    }
    const headers = { 'content-type': types[extname(file)] || 'application/octet-stream', 'cache-control': 'no-store' };
    if (/\bgzip\b/.test(request.headers['accept-encoding'] || '')) {
      headers['content-encoding'] = 'gzip';
      body = gzipSync(body, { level: 9 });
    }
    response.writeHead(200, headers);
    response.end(body);
  } catch {
    response.writeHead(404);
    response.end();
  }
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const base = `http://127.0.0.1:${server.address().port}`;
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const median = (values) => values.slice().sort((a, b) => a - b)[Math.floor(values.length / 2)];

// Start-up, first visits (a new context each time: empty cache, no worker),
// on loopback and on a slow network (150 ms round trips, 1.6 Mbit/s down,
// as browsers' "slow 4G" presets).
const SLOW = { offline: false, latency: 150, downloadThroughput: 1.6e6 / 8, uploadThroughput: 0.75e6 / 8 };
async function startup(url, ready, network) {
  const context = await browser.newContext();
  const page = await context.newPage();
  if (network) {
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', network);
  }
  const started = Date.now();
  await page.goto(url, { waitUntil: 'commit' });
  // Polled from Node (the app's policy forbids the eval that in-page
  // polling needs); the same way for both pages.
  while (!(await page.evaluate(ready).catch(() => false))) {
    if (Date.now() - started > 30000) throw new Error(`${url} never became ready`);
  }
  const elapsed = Date.now() - started;
  await context.close();
  return elapsed;
}
const appReady = () => document.activeElement && document.activeElement.className === 'keyboard' && document.querySelector('.input-line .prompt');
const baseReady = () => document.activeElement && document.activeElement.id === 'keyboard';
// SKIP_STARTUP=1 measures only what follows (while working on it).
for (const [label, network, runs] of process.env.SKIP_STARTUP ? [] : [['loopback', null, 9], ['slow network', SLOW, 5]]) {
  const appTimes = [];
  const baseTimes = [];
  for (let i = 0; i < runs; i += 1) {
    appTimes.push(await startup(`${base}/`, appReady, network));
    baseTimes.push(await startup(`${base}/baseline`, baseReady, network));
  }
  const appStart = median(appTimes);
  const baseStart = median(baseTimes);
  console.log(`start-up until the console takes a key, ${label} (first visit, ${firstVisitGzip} bytes gzip): app ${appStart} ms, static page of the same size ${baseStart} ms, ratio ${(appStart / Math.max(1, baseStart)).toFixed(2)}`);
}

// Keystroke cost.
const page = await browser.newPage();
await page.goto(`${base}/`);
await page.waitForSelector('.input-line .prompt');
// Each key is timed from its event until a task queued after it runs (and
// layout is done). About one key in twelve shares its window with a frame
// the browser renders (style, layout and paint of the whole page); those
// are also given apart, so the page's own work per key and the browser's
// frames can be told from each other.
// `kind`: 'key' types one character; 'enter' types `echo hi` (not timed)
// and times its Enter. `pause`: milliseconds between keys.
async function timeKeys(kind, count, { warmUp = 0, pause = 0 } = {}) {
  return page.evaluate(async ({ kind, count, warmUp, pause }) => {
    const area = document.querySelector('.keyboard');
    const terminal = document.querySelector('.terminal');
    const settle = () => new Promise((resolve) => {
      const channel = new MessageChannel();
      channel.port1.onmessage = () => resolve();
      channel.port2.postMessage(0);
    });
    const type = (text) => {
      area.value = text;
      area.dispatchEvent(new InputEvent('input', { bubbles: true, inputType: 'insertText', data: text }));
    };
    let frames = 0;
    let counting = true;
    const onFrame = () => { frames += 1; if (counting) requestAnimationFrame(onFrame); };
    requestAnimationFrame(onFrame);
    const all = [];
    const quiet = [];
    const framed = [];
    for (let i = 0; i < count + warmUp; i += 1) {
      if (kind === 'enter') type('echo hi');
      const before = frames;
      const start = performance.now();
      if (kind === 'enter') area.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
      else type('x');
      await settle();
      void terminal.scrollHeight;
      const elapsed = performance.now() - start;
      if (i >= warmUp) {
        all.push(elapsed);
        (frames === before ? quiet : framed).push(elapsed);
      }
      if (pause) await new Promise((resolve) => setTimeout(resolve, pause));
    }
    counting = false;
    const figures = (times) => {
      times.sort((a, b) => a - b);
      const at = (q) => times[Math.min(times.length - 1, Math.floor(times.length * q))] || 0;
      return { count: times.length, median: at(0.5), p95: at(0.95), max: times[times.length - 1] || 0 };
    };
    return { ...figures(all), quiet: figures(quiet), framed: figures(framed) };
  }, { kind, count, warmUp, pause });
}
// The first keys of a visit run before the browser has optimized the
// module's hot code; each measure follows as many keys unmeasured.
const WARM_UP = 100;
const show = (label, t) => {
  console.log(`${label}: median ${t.median.toFixed(2)} ms, p95 ${t.p95.toFixed(2)} ms, max ${t.max.toFixed(2)} ms per key`);
  if (t.quiet) {
    console.log(`  the page's own work (${t.quiet.count} keys with no frame rendered meanwhile): median ${t.quiet.median.toFixed(2)} ms, p95 ${t.quiet.p95.toFixed(2)} ms`);
    console.log(`  keys during which the browser rendered a frame (${t.framed.count}): median ${t.framed.median.toFixed(2)} ms, max ${t.framed.max.toFixed(2)} ms`);
  }
};
const keystrokes = (count) => timeKeys('key', count, { warmUp: WARM_UP });
console.log(`(keystroke figures follow ${WARM_UP} unmeasured keys each)`);
show('keystroke, empty scrollback', await keystrokes(200));
await page.keyboard.press('Control+u');
await page.keyboard.type('seq 100000');
const filled = Date.now();
await page.keyboard.press('Enter');
while ((await page.$$eval('.scrollback .line', (n) => n.length)) < 99000) await new Promise((r) => setTimeout(r, 200));
const lines = await page.$$eval('.scrollback .line', (n) => n.length);
console.log(`filled the scrollback with ${lines} lines in ${Date.now() - filled} ms`);
show('keystroke, 100,000-line scrollback', await keystrokes(200));

// From a key to the next painted frame (two animation frames: the one
// that paints the change, then the next, which begins after the paint).
// `type` runs in the page and types one character.
const paintTimes = (target, count) => target.evaluate(async ({ count, xterm }) => {
  const frame = () => new Promise((resolve) => requestAnimationFrame(() => resolve()));
  const times = [];
  for (let i = 0; i < count; i += 1) {
    await frame();
    const start = performance.now();
    if (xterm) {
      const area = document.querySelector('.xterm-helper-textarea');
      area.dispatchEvent(new KeyboardEvent('keydown', { key: 'x', code: 'KeyX', keyCode: 88, bubbles: true }));
      area.dispatchEvent(new KeyboardEvent('keypress', { key: 'x', charCode: 120, keyCode: 120, which: 120, bubbles: true }));
    } else {
      const area = document.querySelector('.keyboard');
      area.value = 'x';
      area.dispatchEvent(new InputEvent('input', { bubbles: true, inputType: 'insertText', data: 'x' }));
    }
    await frame();
    await frame();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return { median: times[Math.floor(count / 2)], p95: times[Math.floor(count * 0.95)], max: times[count - 1] };
}, { count, xterm: target !== page });
const appPaint = await paintTimes(page, 60);
show('key to the next painted frame, 100,000-line scrollback', appPaint);
{
  const xterm = await browser.newPage();
  await xterm.goto(`${base}/xterm/`);
  const deadline = Date.now() + 60000;
  while (!(await xterm.evaluate(() => window.ready === true))) {
    if (Date.now() > deadline) throw new Error('xterm.js never became ready');
    await new Promise((r) => setTimeout(r, 100));
  }
  const typed = await xterm.evaluate(() => document.querySelector('.xterm-rows').textContent.length);
  const xtermPaint = await paintTimes(xterm, 60);
  show('xterm.js 6, key to the next painted frame, 100,000 lines', xtermPaint);
  console.log(`  ratio SMTP Lab / xterm.js: median ${(appPaint.median / xtermPaint.median).toFixed(2)}, p95 ${(appPaint.p95 / xtermPaint.p95).toFixed(2)} (xterm rows hold ${typed} characters)`);
  await xterm.close();
}

// Enter at the shell, with the full scrollback and a 5 MB mailbox to save.
await page.keyboard.press('Control+u');
await page.keyboard.type('telnet mail.example.com smtp');
await page.keyboard.press('Enter');
await page.evaluate(async () => {
  const area = document.querySelector('.keyboard');
  const body = ('y'.repeat(78) + '\n').repeat(5 * 1024 * 1024 / 79);
  area.value = 'HELO big.example\nMAIL FROM:<a@big.example>\nRCPT TO:<mom@example.com>\nDATA\n' + body + '.\nQUIT\n';
  area.dispatchEvent(new InputEvent('input', { bubbles: true, inputType: 'insertFromPaste' }));
});
while (!(await page.$$eval('.scrollback .line', (n) => n.some((l) => l.textContent === 'Connection closed by foreign host.')))) {
  await new Promise((r) => setTimeout(r, 200));
}
// Typed at a person's pace, so saving (at most every 500 ms) and the
// browser's frames fall between lines as they would.
show('Enter at the shell, 100,000 lines and a 5 MB mailbox', await timeKeys('enter', 40, { pause: 60 }));

// Typing with that 5 MB message open in the mailbox panel.
await page.click('button:has-text("Mailboxes")');
await page.click('.mailbox:has-text("mom")');
await page.click('.message-link');
show('keystroke, a 5 MB message open in the mailbox panel', await keystrokes(50));

// And with the Lessons panel open (the log holds 20,000 events by now).
await page.click('button:has-text("Lessons")');
await page.click('button[data-lesson="first-message"]');
await page.waitForSelector('.lessons-panel .checks');
show('keystroke, Lessons panel open with a 20,000-event log', await keystrokes(50));

// The engine in WebAssembly.
if (existsSync(join(wasmBench, 'smtplab_bench_wasm.js'))) {
  const wasm = await browser.newPage();
  await wasm.goto(`${base}/bench-wasm/`);
  while (!(await wasm.evaluate(() => window.ready === true))) await new Promise((r) => setTimeout(r, 50));
  const figures = await wasm.evaluate(() => ({
    commands: window.bench.commands_per_second(20000),
    one: window.bench.data_body_millis(1),
    ten: window.bench.data_body_millis(10),
  }));
  console.log('engine (WebAssembly in headless Chromium)');
  console.log(`  commands per second: ${figures.commands.toFixed(0)}`);
  console.log(`  DATA body of   1 MB: ${figures.one.toFixed(1)} ms`);
  console.log(`  DATA body of  10 MB: ${figures.ten.toFixed(1)} ms`);
} else {
  console.log('engine in WebAssembly: skipped (build target/bench-wasm with make bench)');
}
await browser.close();
server.close();
