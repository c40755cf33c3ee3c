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
const cdp = await page.context().newCDPSession(page);
await cdp.send('Profiler.enable'); await cdp.send('Profiler.setSamplingInterval', { interval: 50 }); await cdp.send('Profiler.start');
const times = await page.evaluate(async () => {
  const area = document.querySelector('.keyboard'); const terminal = document.querySelector('.terminal'); const times = [];
  for (let i = 0; i < 60; i++) { area.value = 'echo hi'; area.dispatchEvent(new InputEvent('input', { bubbles: true, inputType: 'insertText', data: 'echo hi' }));
    const s = performance.now(); area.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
    await new Promise((res) => { const c = new MessageChannel(); c.port1.onmessage = () => res(); c.port2.postMessage(0); }); void terminal.scrollHeight; times.push(+(performance.now() - s).toFixed(1)); await new Promise((r) => setTimeout(r, 60)); }
  return times; });
const { profile } = await cdp.send('Profiler.stop');
console.log(times.slice().sort((a,b)=>a-b)[30]);
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map(); for (const n of profile.nodes) for (const c of (n.children || [])) parent.set(c, n.id);
const self = new Map(); const total = new Map();
const dt = profile.timeDeltas;
for (let i = 0; i < profile.samples.length; i++) { let id = profile.samples[i]; const n = byId.get(id); const k = n.callFrame.functionName || '(anon)'; self.set(k, (self.get(k) || 0) + (dt[i] || 0));
  const seen = new Set(); while (id !== undefined) { const m = byId.get(id); const kk = m.callFrame.functionName || '(anon)'; if (!seen.has(kk)) { total.set(kk, (total.get(kk) || 0) + (dt[i] || 0)); seen.add(kk); } id = parent.get(id); } }
const fmt = (m) => [...m.entries()].filter(([k]) => !/^\((idle|program|root)\)$/.test(k)).sort((a, b) => b[1] - a[1]).slice(0, 30).map(([k, v]) => `${(v / 1000 / 60).toFixed(2)}ms ${k.slice(0, 150)}`).join('\n');
console.log('SELF per Enter\n' + fmt(self)); console.log('TOTAL per Enter\n' + fmt(total));
await browser.close(); server.close();
