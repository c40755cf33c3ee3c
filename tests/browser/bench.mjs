// Keystroke cost with a full scrollback, in headless Chromium.
// Prints the time from a key to the end of the page's work for it (the
// reducer, the render and the layout it forces), with an empty scrollback
// and with 100,000 lines. Usage: node tests/browser/bench.mjs DIST
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import { chromium } from 'playwright-core';

const dist = process.argv[2] || 'dist';
const types = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm', '.css': 'text/css', '.svg': 'image/svg+xml', '.webmanifest': 'application/manifest+json' };
const server = createServer(async (request, response) => {
  const path = normalize(decodeURIComponent(new URL(request.url, 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '');
  try {
    const file = join(dist, path.endsWith('/') ? path + 'index.html' : path);
    const body = await readFile(file);
    response.writeHead(200, { 'content-type': types[extname(file)] || 'application/octet-stream' });
    response.end(body);
  } catch {
    response.writeHead(404);
    response.end();
  }
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const page = await browser.newPage();
await page.goto(`http://127.0.0.1:${server.address().port}/`);
await page.waitForSelector('.input-line .prompt');

// One key: an input event on the terminal's keyboard, then the end of the
// task and its microtasks (a message-channel round trip), reading the
// layout as the page does when it scrolls.
async function keystrokes(count) {
  return page.evaluate(async (count) => {
    const area = document.querySelector('.keyboard');
    const terminal = document.querySelector('.terminal');
    const settle = () => new Promise((resolve) => {
      const channel = new MessageChannel();
      channel.port1.onmessage = () => resolve();
      channel.port2.postMessage(0);
    });
    const times = [];
    for (let i = 0; i < count; i += 1) {
      const start = performance.now();
      area.value = 'x';
      area.dispatchEvent(new InputEvent('input', { bubbles: true, inputType: 'insertText', data: 'x' }));
      await settle();
      void terminal.scrollHeight;
      times.push(performance.now() - start);
    }
    times.sort((a, b) => a - b);
    return { median: times[Math.floor(count / 2)], p95: times[Math.floor(count * 0.95)], max: times[count - 1] };
  }, count);
}

const show = (label, t) => console.log(`${label}: median ${t.median.toFixed(2)} ms, p95 ${t.p95.toFixed(2)} ms, max ${t.max.toFixed(2)} ms per key`);
show('keystroke, empty scrollback      ', await keystrokes(100));
await page.keyboard.press('Control+u');
await page.keyboard.type('seq 100000');
const filled = Date.now();
await page.keyboard.press('Enter');
await page.waitForFunction(() => document.querySelectorAll('.scrollback .line').length > 99000, null, { polling: 200, timeout: 120000 }).catch(() => {});
const lines = await page.$$eval('.scrollback .line', (n) => n.length);
console.log(`filled the scrollback with ${lines} lines in ${Date.now() - filled} ms`);
show('keystroke, 100,000-line scrollback', await keystrokes(100));
await browser.close();
server.close();
