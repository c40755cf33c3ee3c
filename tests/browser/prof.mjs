import { chromium } from 'playwright-core';
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { join, extname } from 'node:path';
const types = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm', '.css': 'text/css' };
const dir = process.argv[2];
const server = createServer(async (q, r) => { let p = new URL(q.url, 'http://x').pathname; if (p.endsWith('/')) p += 'index.html'; try { const b = await readFile(join(dir, p)); r.writeHead(200, {'content-type': types[extname(p)] || 'application/octet-stream'}); r.end(b); } catch { r.writeHead(404); r.end(); } });
await new Promise((res) => server.listen(0, '127.0.0.1', res));
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
const page = await browser.newPage();
await page.goto(`http://127.0.0.1:${server.address().port}/`);
await page.waitForSelector('.input-line .prompt');
await page.keyboard.type('seq 100000'); await page.keyboard.press('Enter');
while ((await page.$$eval('.scrollback .line', (n) => n.length)) < 99000) await new Promise((r) => setTimeout(r, 200));
await page.keyboard.type('telnet mail.example.com smtp'); await page.keyboard.press('Enter');
await page.evaluate(async () => {
  const area = document.querySelector('.keyboard');
  const body = ('y'.repeat(78) + '\n').repeat(5 * 1024 * 1024 / 79);
  area.value = 'HELO big.example\nMAIL FROM:<a@big.example>\nRCPT TO:<mom@example.com>\nDATA\n' + body + '.\nQUIT\n';
  area.dispatchEvent(new InputEvent('input', { bubbles: true, inputType: 'insertFromPaste' }));
});
while (!(await page.$$eval('.scrollback .line', (n) => n.some((l) => l.textContent === 'Connection closed by foreign host.')))) await new Promise((r) => setTimeout(r, 200));
await new Promise((r) => setTimeout(r, 1500));
const cdp = await page.context().newCDPSession(page);
await cdp.send('Profiler.enable'); await cdp.send('Profiler.setSamplingInterval', { interval: 100 }); await cdp.send('Profiler.start');
const times = await page.evaluate(async () => {
  const area = document.querySelector('.keyboard'); const times = [];
  for (let i = 0; i < 30; i++) { area.value = 'echo hi'; area.dispatchEvent(new InputEvent('input', { bubbles: true, inputType: 'insertText', data: 'echo hi' }));
    const s = performance.now(); area.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
    await new Promise((res) => { const c = new MessageChannel(); c.port1.onmessage = () => res(); c.port2.postMessage(0); }); times.push(+(performance.now() - s).toFixed(1)); }
  return times; });
const { profile } = await cdp.send('Profiler.stop');
console.log(times.join(' '));
const self = new Map(); const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const dt = profile.timeDeltas; for (let i = 0; i < profile.samples.length; i++) { const n = byId.get(profile.samples[i]); const k = n.callFrame.functionName || n.callFrame.url.slice(-30) || '(anon)'; self.set(k, (self.get(k) || 0) + (dt[i] || 0)); }
console.log([...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 25).map(([k, v]) => `${(v / 1000).toFixed(1)}ms ${k.slice(0, 120)}`).join('\n'));
await browser.close(); server.close();
