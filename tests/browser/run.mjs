// Browser tests: serve the built site, drive it in headless Chromium, and
// check what a person sees. Usage: node tests/browser/run.mjs DIST
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import { chromium } from 'playwright-core';

const dist = process.argv[2] || 'dist';
const types = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm', '.css': 'text/css', '.json': 'application/json', '.webmanifest': 'application/manifest+json', '.svg': 'image/svg+xml', '.png': 'image/png' };

const server = createServer(async (request, response) => {
  const path = normalize(decodeURIComponent(new URL(request.url, 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '');
  const file = join(dist, path.endsWith('/') ? path + 'index.html' : path);
  try {
    const body = await readFile(file);
    response.writeHead(200, { 'content-type': types[extname(file)] || 'application/octet-stream' });
    response.end(body);
  } catch {
    response.writeHead(404);
    response.end('not found');
  }
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const base = `http://127.0.0.1:${server.address().port}/`;

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});

let failures = 0;
async function check(name, body) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  const started = Date.now();
  try {
    await page.goto(base);
    await page.waitForSelector('.input-line .prompt');
    await body(page);
    if (errors.length) throw new Error('browser console errors: ' + errors.join(' | '));
    console.log(`ok   ${name} (${Date.now() - started} ms)`);
  } catch (error) {
    failures += 1;
    console.log(`FAIL ${name}: ${error.message}`);
    await page.screenshot({ path: `/tmp/smtplab-fail-${name.replace(/\W+/g, '-')}.png` }).catch(() => {});
  }
  await context.close();
}

const lines = (page) => page.$$eval('.scrollback .line:not(.notice)', (nodes) => nodes.map((n) => n.textContent));

async function typeLine(page, text) {
  await page.keyboard.type(text);
  await page.keyboard.press('Enter');
}

function expect(condition, message) {
  if (!condition) throw new Error(message);
}

await check('the tutorial session, typed', async (page) => {
  const focused = await page.evaluate(() => document.activeElement && document.activeElement.className);
  expect(focused === 'keyboard', `keyboard focus is on "${focused}", not the terminal`);
  const typed = ['telnet mail.example.com smtp', 'HELO myserver.no', 'MAIL from: sender@myclient.hostname.example.no',
    'RCPT to: mom@example.com', 'DATA', 'Hey', 'This is test email only', '', 'Thanks', '.', 'QUIT'];
  for (const line of typed) await typeLine(page, line);
  await page.waitForFunction(() => [...document.querySelectorAll('.line')].some((n) => n.textContent === 'Connection closed by foreign host.'));
  const shown = await lines(page);
  const want = [
    '$ telnet mail.example.com smtp', 'Trying 127.0.0.1...', 'Connected to mail.example.com.', "Escape character is '^]'.",
    /^220 mail\.example\.com ESMTP Sendmail 8\.13\.8\/8\.13\.8; (Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{1,2} [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d ([+-]\d{4}|GMT)$/,
    'HELO myserver.no', '250 mail.example.com Hello myclient.hostname.example.no [127.0.0.1], pleased to meet you',
    'MAIL from: sender@myclient.hostname.example.no', '250 2.1.0 sender@myclient.hostname.example.no... Sender ok',
    'RCPT to: mom@example.com', '250 2.1.5 mom@example.com... Recipient ok',
    'DATA', '354 Enter mail, end with "." on a line by itself', 'Hey', 'This is test email only', '', 'Thanks', '.',
    /^250 2\.0\.0 [0-9A-Za-x]{8}\d{6} Message accepted for delivery$/,
    'QUIT', '221 2.0.0 mail.example.com closing connection', 'Connection closed by foreign host.',
  ];
  expect(shown.length === want.length, `expected ${want.length} lines, saw ${shown.length}:\n${shown.join('\n')}`);
  want.forEach((w, i) => {
    const ok = typeof w === 'string' ? shown[i] === w : w.test(shown[i]);
    expect(ok, `line ${i + 1}: expected ${w}, saw ${JSON.stringify(shown[i])}`);
  });
  const prompt = await page.textContent('.input-line .prompt');
  expect(prompt === '$ ', `back at the shell prompt, saw ${JSON.stringify(prompt)}`);
  if (process.env.SCREENSHOT_DIR) await page.screenshot({ path: `${process.env.SCREENSHOT_DIR}/tutorial.png` });
});

await check('an unknown command and Ctrl+C at the shell', async (page) => {
  await typeLine(page, 'sendmail -bs');
  await page.keyboard.type('half a line');
  await page.keyboard.press('Control+c');
  const shown = await lines(page);
  expect(shown.includes('bash: sendmail: command not found'), shown.join('\n'));
  expect(shown.at(-1) === '$ half a line^C', shown.join('\n'));
});

await check('editing keys and history', async (page) => {
  await page.keyboard.type('whoami');
  await page.keyboard.press('Enter');
  await page.keyboard.press('ArrowUp');
  await page.keyboard.press('Home');
  await page.keyboard.type('x');
  await page.keyboard.press('End');
  await page.keyboard.press('Backspace');
  const input = await page.$$eval('.input-line span', (s) => s.slice(1).map((n) => n.textContent).join(''));
  expect(input.trimEnd() === 'xwhoam', `input line is ${JSON.stringify(input)}`);
});

await check('a paste goes to the server as one pipelined chunk', async (page) => {
  await typeLine(page, 'telnet mail.example.com smtp');
  await typeLine(page, 'HELO myserver.no');
  await page.evaluate(() => {
    const area = document.querySelector('.keyboard');
    area.value = 'MAIL FROM:<a@b.example>\nRCPT TO:<mom@example.com>\nDATA\nSubject: pasted\n\nbody\n.\n';
    area.dispatchEvent(new InputEvent('input', { bubbles: true, inputType: 'insertFromPaste' }));
  });
  await page.waitForFunction(() => [...document.querySelectorAll('.line')].some((n) => /Message accepted for delivery$/.test(n.textContent)));
});

await browser.close();
server.close();
if (failures) {
  console.log(`${failures} browser test(s) failed`);
  process.exit(1);
}
console.log('all browser tests passed');
