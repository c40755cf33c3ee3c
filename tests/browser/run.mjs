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

// The page's clock is an input, not the day the tests run: each check
// starts it two seconds before a leap day's midnight (the end of a month),
// or at SMTPLAB_TEST_TIME (RFC 3339), and it runs on from there.
const startTime = new Date(process.env.SMTPLAB_TEST_TIME || '2028-02-29T23:59:58Z');
if (Number.isNaN(startTime.getTime())) throw new Error(`SMTPLAB_TEST_TIME is not a date: ${process.env.SMTPLAB_TEST_TIME}`);

async function newContext(options = {}) {
  const context = await browser.newContext(options);
  await context.clock.install({ time: startTime });
  return context;
}

let failures = 0;
async function check(name, body, options = {}) {
  // ONLY=text runs the checks whose names contain it (while working on one).
  if (process.env.ONLY && !name.includes(process.env.ONLY)) return;
  const context = await newContext(options.context);
  const page = await context.newPage();
  const errors = [];
  const pageErrors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  page.on('dialog', (d) => { pageErrors.push(`a dialog opened: ${d.message()}`); d.dismiss(); });
  const started = Date.now();
  try {
    await page.goto(base + (options.path || ''));
    await page.waitForSelector('.input-line .prompt');
    await body(page, context);
    if (pageErrors.length) throw new Error('page errors: ' + pageErrors.join(' | '));
    if (errors.length && !options.allowConsoleErrors) throw new Error('browser console errors: ' + errors.join(' | '));
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

// Polls from Node: the page's policy forbids the eval that
// page.waitForFunction needs when it has to poll inside the page.
async function waitForLine(page, pattern, timeout = 10000) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const shown = await page.$$eval('.scrollback .line', (nodes) => nodes.map((n) => n.textContent));
    if (shown.some((line) => (typeof pattern === 'string' ? line === pattern : pattern.test(line)))) return;
    if (Date.now() > deadline) throw new Error(`no line ${pattern} within ${timeout} ms:\n${shown.slice(-8).join('\n')}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

// Polls from Node until the element's text passes `test`; returns it.
async function waitForText(page, selector, test, timeout = 10000) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const shown = await page.textContent(selector);
    if (test(shown)) return shown;
    if (Date.now() > deadline) throw new Error(`${selector} still shows: ${shown}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
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
  await waitForLine(page, 'Connection closed by foreign host.');
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

// Pastes text into the terminal as the browser does.
async function paste(page, text) {
  await page.evaluate((value) => {
    const area = document.querySelector('.keyboard');
    area.value = value;
    area.dispatchEvent(new InputEvent('input', { bubbles: true, inputType: 'insertFromPaste' }));
  }, text);
}

// The file a button downloads, as text.
async function downloaded(page, button) {
  const [download] = await Promise.all([page.waitForEvent('download'), page.click(button)]);
  return readFile(await download.path(), 'utf8');
}

await check('a paste goes to the server as one pipelined chunk', async (page) => {
  // Debian's Sendmail refuses an EHLO with commands behind it in the same
  // write: a paste is refused where the same lines typed are answered.
  await typeLine(page, 'telnet mail.example.com smtp');
  await waitForLine(page, /^220 mail\.example\.com ESMTP Sendmail 8\.17/);
  await paste(page, 'EHLO client.example.no\nMAIL FROM:<a@b.example>\n');
  await waitForLine(page, '550 5.0.0 Command rejected');
  let shown = await lines(page);
  expect(shown.includes('554 5.5.0 SMTP protocol error'), shown.join('\n'));
  await typeLine(page, 'QUIT');
  await waitForLine(page, 'Connection closed by foreign host.');
  await typeLine(page, 'telnet mail.example.com smtp');
  // The second banner, after the greeting pause.
  for (let waited = 0; (await lines(page)).filter((l) => l.startsWith('220 ')).length < 2; waited += 50) {
    expect(waited < 10000, 'no second banner');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await typeLine(page, 'EHLO client.example.no');
  await waitForLine(page, '250 HELP');
  await paste(page, 'MAIL FROM:<a@b.example>\nRCPT TO:<mom@example.com>\nDATA\nSubject: pasted\n\nbody\n.\n');
  await waitForLine(page, /Message accepted for delivery$/);
  shown = await lines(page);
  expect(shown.includes('250 2.1.0 <a@b.example>... Sender ok'), shown.join('\n'));
  // What the server received in this connection, write by write.
  await page.click('button:has-text("Share")');
  const script = await downloaded(page, 'button:has-text("Export script")');
  const want = 'EHLO client.example.no\n'
    + '%%pipeline\nMAIL FROM:<a@b.example>\nRCPT TO:<mom@example.com>\nDATA\nSubject: pasted\n\nbody\n.\n%%end\n';
  expect(script === want, `the exported script is\n${script}`);
}, { path: '?personality=sendmail-8.17.1.9-debian' });

await check('telnet escape: status, back to the session, quit', async (page) => {
  await typeLine(page, 'telnet mail.example.com smtp');
  await page.keyboard.press('Control+]');
  expect((await page.textContent('.input-line .prompt')) === 'telnet> ', 'telnet> prompt after Ctrl+]');
  await typeLine(page, 'status');
  await page.keyboard.press('Control+]');
  await typeLine(page, '');
  await typeLine(page, 'NOOP');
  await page.keyboard.press('Control+]');
  await typeLine(page, 'quit');
  const shown = await lines(page);
  for (const want of ['^]', 'telnet> status', 'Connected to mail.example.com.', 'Operating in obsolete linemode', '250 2.0.0 OK', 'telnet> quit', 'Connection closed.']) {
    expect(shown.includes(want), `missing ${JSON.stringify(want)} in\n${shown.join('\n')}`);
  }
  expect((await page.textContent('.input-line .prompt')) === '$ ', 'back at the shell');
});

await check('line editing: Ctrl+A, Ctrl+E, Ctrl+U, Ctrl+K, Ctrl+W, Delete, Tab', async (page) => {
  const input = () => page.$$eval('.input-line span', (s) => s.slice(1).map((n) => n.textContent).join('').trimEnd());
  await page.keyboard.type('MAIL FROM:<a@b>');
  await page.keyboard.press('Control+w');
  expect(await input() === 'MAIL', `Ctrl+W left ${JSON.stringify(await input())}`);
  await page.keyboard.press('Control+a');
  await page.keyboard.press('Delete');
  expect(await input() === 'AIL', `Delete left ${JSON.stringify(await input())}`);
  await page.keyboard.press('Control+e');
  await page.keyboard.type('X');
  await page.keyboard.press('ArrowLeft');
  await page.keyboard.press('Control+k');
  expect(await input() === 'AIL', `Ctrl+K left ${JSON.stringify(await input())}`);
  await page.keyboard.press('Control+u');
  await page.keyboard.type('tel');
  await page.keyboard.press('Tab');
  expect(await input() === 'telnet', `Tab completed to ${JSON.stringify(await input())}`);
  await page.keyboard.press('Control+l');
  expect((await page.$$('.scrollback .line')).length === 0, 'Ctrl+L clears the screen');
});

await check('a message pasted into DATA is delivered, read with cat and in the panel', async (page) => {
  await typeLine(page, 'telnet mail.example.com smtp');
  for (const line of ['HELO myserver.no', 'MAIL FROM:<me@myclient.hostname.example.no>', 'RCPT TO:<mom@example.com>', 'DATA']) await typeLine(page, line);
  await paste(page, 'Subject: pasted into DATA\n\nfirst line\n..dotted\n.\n');
  await waitForLine(page, /Message accepted for delivery$/);
  await typeLine(page, 'QUIT');
  await typeLine(page, 'cat /var/mail/mom');
  const shown = await lines(page);
  for (const want of ['Subject: pasted into DATA', '.dotted', 'Return-Path: <me@myclient.hostname.example.no>']) {
    expect(shown.includes(want), `cat shows ${JSON.stringify(want)}`);
  }
  await page.click('button:has-text("Mailboxes")');
  await page.click('button.mailbox >> nth=0');
  await page.click('.message-link');
  const added = await page.$$eval('.message .header.added', (n) => n.map((e) => e.textContent.split(':')[0]));
  expect(added.includes('Received') && added.includes('Return-Path') && added.includes('Message-Id'), `added headers: ${added}`);
  const own = await page.$$eval('.message .header:not(.added)', (n) => n.map((e) => e.textContent));
  expect(own.includes('Subject: pasted into DATA'), `the message's own headers: ${own}`);
});

await check('a reload keeps the transcript, history and mailboxes', async (page) => {
  await typeLine(page, 'telnet mail.example.com smtp');
  for (const line of ['HELO a.example', 'MAIL FROM:<x@a.example>', 'RCPT TO:<mom@example.com>', 'DATA', 'Subject: kept', '', 'body', '.', 'QUIT']) await typeLine(page, line);
  await typeLine(page, 'whoami');
  await page.reload();
  await page.waitForSelector('.input-line .prompt');
  const shown = await lines(page);
  expect(shown.includes('Subject: kept') && shown.includes('learner'), 'the transcript survives');
  await page.keyboard.press('ArrowUp');
  const input = await page.$$eval('.input-line span', (s) => s.slice(1).map((n) => n.textContent).join('').trimEnd());
  expect(input === 'whoami', `history survives, Up gave ${JSON.stringify(input)}`);
  await typeLine(page, '');
  await typeLine(page, 'ls /var/mail');
  expect((await lines(page)).at(-1) === 'mom', 'the mailbox survives');
});

await check('an unreadable saved session is reported and set aside', async (page) => {
  await page.evaluate(() => localStorage.setItem('smtplab.session', '{"version": 1, "transcript": "broken'));
  await page.reload();
  await page.waitForSelector('.input-line .prompt');
  const notices = await page.$$eval('.line.notice', (n) => n.map((e) => e.textContent));
  expect(notices.some((t) => t.includes('could not be restored')), notices.join('\n'));
  const aside = await page.evaluate(() => localStorage.getItem('smtplab.session.unreadable'));
  expect(aside && aside.includes('broken'), 'the unreadable text is kept aside');
});

await check('settings: a bad value is explained, a good one applies to the next connection', async (page) => {
  await page.click('button:has-text("Settings")');
  await page.fill('#setting-hostname', 'bad host name');
  await page.click('button:has-text("Apply")');
  const error = await page.textContent('#error-hostname');
  expect(error && error.includes('not a host name'), `error: ${error}`);
  await page.fill('#setting-hostname', 'mx.example.org');
  await page.selectOption('#setting-personality', 'sendmail-8.17.1.9-debian');
  await page.uncheck('#setting-timing');
  await page.click('button:has-text("Apply")');
  await page.click('.terminal');
  await typeLine(page, 'telnet mx.example.org smtp');
  await waitForLine(page, /^220 mx\.example\.org ESMTP Sendmail 8\.17\.1\.9/);
});

await check('Postfix: chosen in the settings, then by parameter, its replies explained', async (page) => {
  await page.click('button:has-text("Settings")');
  const options = await page.$$eval('#setting-personality option', (nodes) => nodes.map((n) => n.value));
  expect(options.includes('postfix-3.7.11-debian'), `personalities offered: ${options.join(', ')}`);
  await page.selectOption('#setting-personality', 'postfix-3.7.11-debian');
  await page.click('button:has-text("Apply")');
  await page.click('.terminal');
  await typeLine(page, 'telnet mail.example.com smtp');
  await waitForLine(page, '220 mail.example.com ESMTP Postfix (Debian/GNU)');
  await page.goto(base + '?personality=postfix-3.7.11-debian');
  await page.waitForSelector('.input-line .prompt');
  await typeLine(page, 'telnet mail.example.com smtp');
  for (const line of ['EHLO a.example', 'MAIL FROM:<me@a.example>', 'RCPT TO:<bob@example.org>', 'RCPT TO:<mom@example.com>', 'DATA',
    'Subject: hello', '', 'Hi Mom', '.', 'QUIT']) await typeLine(page, line);
  await waitForLine(page, 'Connection closed by foreign host.');
  const shown = await lines(page);
  for (const want of ['250-SMTPUTF8', '250 CHUNKING', '454 4.7.1 <bob@example.org>: Relay access denied', '250 2.1.5 Ok', '221 2.0.0 Bye']) {
    expect(shown.includes(want), `no line ${want}:\n${shown.join('\n')}`);
  }
  expect(shown.some((l) => /^250 2\.0\.0 Ok: queued as [0-9A-F]{10,12}$/.test(l)), shown.join('\n'));
  await page.click('button:has-text("Explain")');
  await page.click('.explainable:text-is("454 4.7.1 <bob@example.org>: Relay access denied")');
  const explained = await waitForText(page, '.explain-panel', (text) => !text.includes('Loading the explanations'));
  expect(explained.includes('<bob@example.org> is not in one of this server') && explained.includes('4xx: temporary failure'), explained);
  await page.click('button:has-text("Explain")');
  await page.click('.terminal');
  await typeLine(page, 'cat /var/mail/mom');
  await waitForLine(page, 'X-Original-To: mom@example.com');
  if (process.env.SCREENSHOT_DIR) await page.screenshot({ path: `${process.env.SCREENSHOT_DIR}/postfix.png` });
});

await check('Exim: by parameter, its own replies, explained, and what appendfile writes', async (page) => {
  await page.goto(base + '?personality=exim-4.96-debian');
  await page.waitForSelector('.input-line .prompt');
  await page.click('button:has-text("Settings")');
  expect(await page.$eval('#setting-personality', (e) => e.value) === 'exim-4.96-debian', 'the picker shows Exim');
  await page.click('button:has-text("Settings")');
  await page.click('.terminal');
  await typeLine(page, 'telnet mail.example.com smtp');
  await waitForLine(page, /^220 mail\.example\.com ESMTP Exim 4\.96 \w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d [+-]\d{4}$/);
  for (const line of ['EHLO a.example', 'MAIL FROM me@a.example', 'MAIL FROM:<me@a.example>', 'RCPT TO:<bob@example.org>', 'RCPT TO:<mom@example.com>', 'DATA',
    'Subject: hello', '', 'Hi Mom', '.', 'QUIT']) await typeLine(page, line);
  await waitForLine(page, 'Connection closed by foreign host.');
  const shown = await lines(page);
  for (const want of ['250-PIPECONNECT', '250 HELP', '500 unrecognized command', '250 OK', '550 relay not permitted', '250 Accepted',
    '354 Enter message, ending with "." on a line by itself', '221 mail.example.com closing connection']) {
    expect(shown.includes(want), `no line ${want}:\n${shown.join('\n')}`);
  }
  expect(shown.some((l) => /^250 OK id=[0-9A-Za-z]{6}-[0-9A-Za-z]{6}-[0-9A-Za-z]{2}$/.test(l)), shown.join('\n'));
  await page.click('button:has-text("Explain")');
  await page.click('.explainable:text-is("500 unrecognized command")');
  const explained = await waitForText(page, '.explain-panel', (text) => !text.includes('Loading the explanations'));
  expect(explained.includes('MAIL FROM without the colon is unknown'), explained);
  await page.click('button:has-text("Explain")');
  await page.click('.terminal');
  await typeLine(page, 'cat /var/mail/mom');
  await waitForLine(page, 'Envelope-to: mom@example.com');
  await waitForLine(page, /^\tby mail\.example\.com with esmtp \(Exim 4\.96\)$/);
  if (process.env.SCREENSHOT_DIR) await page.screenshot({ path: `${process.env.SCREENSHOT_DIR}/exim.png` });
});

await check('font size, themes and the phone key bar', async (page) => {
  await page.click('button[aria-label="Larger text"]');
  await page.click('button[aria-label="Larger text"]');
  expect(await page.$eval('.terminal', (e) => e.className.includes('fs-20')), 'two steps larger is 20px');
  await page.selectOption('select[aria-label="Theme"]', 'contrast');
  expect(await page.evaluate(() => document.documentElement.dataset.theme) === 'contrast', 'high contrast theme');
  await page.setViewportSize({ width: 390, height: 760 });
  expect(await page.isVisible('.key-bar'), 'the key bar shows on a phone-sized screen');
  await page.keyboard.type('whoam');
  await page.click('.key-bar button[aria-label="Control"]');
  await page.keyboard.type('u');
  await page.keyboard.type('ls');
  await page.click('.key-bar button[aria-label="Tab"]');
  await page.click('.key-bar button[aria-label="Enter"]');
  const shown = await lines(page);
  expect(shown.at(-1) === '$ ls ', `key bar Ctrl+U then Tab, Enter: ${shown.at(-1)}`);
});

await check('accessibility: no serious axe-core violations', async (page) => {
  const axe = await readFile(new URL('./node_modules/axe-core/axe.min.js', import.meta.url), 'utf8');
  await typeLine(page, 'telnet mail.example.com smtp');
  await typeLine(page, 'EHLO a.example');
  for (const panel of [null, 'Mailboxes', 'Settings']) {
    if (panel) await page.click(`button:has-text("${panel}")`);
    // The page's policy forbids inline script tags; the test evaluates
    // axe-core's source through the debugging protocol instead.
    await page.evaluate(axe);
    const result = await page.evaluate(async () => await window.axe.run(document, { resultTypes: ['violations'] }));
    const serious = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    expect(serious.length === 0, serious.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target).join(', ')})`).join('\n'));
  }
});


await check('mom reads her mail with POP3 and deletes it; IMAP flags and expunges; the panel follows', async (page) => {
  const send = async (subject) => {
    await typeLine(page, 'telnet mail.example.com smtp');
    for (const line of ['HELO a.example', 'MAIL FROM:<me@a.example>', 'RCPT TO:<mom@example.com>', 'DATA',
      `Subject: ${subject}`, '', 'Hello Mom', '.', 'QUIT']) await typeLine(page, line);
    await waitForLine(page, /closing connection$/);
  };
  await send('by pop3');
  await send('by imap');
  await page.click('button:has-text("Mailboxes")');
  await page.click('button.mailbox >> nth=0');
  await waitForText(page, '.mail-panel', (text) => text.includes('2 messages'));
  await page.click('.terminal');
  await typeLine(page, 'telnet mail.example.com 110');
  await waitForLine(page, '+OK Dovecot (Debian) ready.');
  for (const line of ['USER mom', 'PASS mom', 'LIST']) await typeLine(page, line);
  await waitForLine(page, '+OK 2 messages:');
  await typeLine(page, 'RETR 1');
  await waitForLine(page, 'Subject: by pop3');
  await typeLine(page, 'DELE 1');
  await waitForLine(page, '+OK Marked to be deleted.');
  await typeLine(page, 'QUIT');
  await waitForLine(page, '+OK Logging out, messages deleted.');
  let panel = await waitForText(page, '.mail-panel', (text) => text.includes('1 message'));
  expect(panel.includes('by imap') && !panel.includes('by pop3'), panel);
  // IMAP: Tab completes the command after the tag.
  await typeLine(page, 'telnet mail.example.com imap');
  await waitForLine(page, /^\* OK \[CAPABILITY IMAP4rev1 .*\] Dovecot \(Debian\) ready\.$/);
  await typeLine(page, 'a1 LOGIN mom mom');
  await page.keyboard.type('a2 sel');
  await page.keyboard.press('Tab');
  await page.keyboard.type('INBOX');
  await page.keyboard.press('Enter');
  await waitForLine(page, /^a2 OK \[READ-WRITE\] Select completed/);
  await typeLine(page, 'a3 STORE 1 +FLAGS (\\Flagged \\Seen)');
  // POP3's QUIT marked the message old (Status: O), so it is not \Recent.
  await waitForLine(page, '* 1 FETCH (FLAGS (\\Flagged \\Seen))');
  await typeLine(page, 'a4 CLOSE');
  panel = await waitForText(page, '.mail-panel', (text) => text.includes('flagged'));
  expect(panel.includes('seen flagged'), panel);
  await page.click('.message-link');
  if (process.env.SCREENSHOT_DIR) await page.screenshot({ path: `${process.env.SCREENSHOT_DIR}/imap.png` });
  await page.click('button:has-text("Explain")');
  await page.click('.explainable:text-is("a4 CLOSE")');
  let explained = await waitForText(page, '.explain-panel', (text) => !text.includes('Loading the explanations'));
  expect(explained.includes('removing the messages flagged') && explained.includes('RFC 3501, section 6.4.2'), explained);
  await page.click('.explainable:text-is("* OK [UNSEEN 1] First unseen.")');
  explained = await page.textContent('.explain-panel');
  expect(explained.includes('An untagged OK') && explained.includes('[UNSEEN n]'), explained);
  await page.click('button:has-text("Explain")');
  await page.click('.terminal');
  for (const line of ['a5 SELECT INBOX', 'a6 STORE 1 +FLAGS (\\Deleted)', 'a7 EXPUNGE']) await typeLine(page, line);
  await waitForLine(page, '* 1 EXPUNGE');
  await typeLine(page, 'a8 LOGOUT');
  await waitForLine(page, 'Connection closed by foreign host.');
  await page.click('button:has-text("Mailboxes")');
  await page.click('button.mailbox >> nth=0');
  panel = await waitForText(page, '.mail-panel', (text) => text.includes('0 messages'));
  await typeLine(page, 'cat /var/mail/mom');
  const shown = await lines(page);
  const cat = shown.slice(shown.lastIndexOf('$ cat /var/mail/mom'));
  expect(cat.length > 0 && !cat.includes('Subject: by imap'), `the expunged message is gone from the file: ${cat.join('\n')}`);
});

await check('explain mode explains replies and commands', async (page) => {
  await typeLine(page, 'telnet mail.example.com smtp');
  for (const line of ['HELO a.example', 'RCPT TO:<mom@example.com>', 'MAIL FROM:<me@a.example>', 'RCPT TO:<bob@example.org>', 'RCPT TO:<mom@example.com>']) await typeLine(page, line);
  await page.click('button:has-text("Explain")');
  const explain = async (text) => {
    await page.click(`.explainable:text-is("${text}")`);
    // The texts load when explain mode is first turned on.
    return waitForText(page, '.explain-panel', (shown) => !shown.includes('Loading the explanations'));
  };
  let shown = await explain('503 5.0.0 Need MAIL before RCPT');
  expect(shown.includes('5xx: permanent failure') && shown.includes('RCPT before MAIL') && shown.includes('RFC 5321, section 4.1.4'), shown);
  shown = await explain('550 5.7.1 <bob@example.org>... Relaying denied');
  expect(shown.includes('<bob@example.org> is not in one of this server') && shown.includes('delivery not authorized'), shown);
  shown = await explain('250 2.1.5 <mom@example.com>... Recipient ok');
  expect(shown.includes('<mom@example.com> is a mailbox on this server') && shown.includes('destination address valid'), shown);
  shown = await explain('MAIL FROM:<me@a.example>');
  expect(shown.includes('MAIL FROM:<reverse-path>') && shown.includes('sender'), shown);
  const href = await page.getAttribute('.explain-panel a[href*="rfc5321"]', 'href');
  expect(href === 'https://www.rfc-editor.org/rfc/rfc5321#section-4.1.1.2', href);
  // From the keyboard: focus a reply and press Enter.
  await page.focus('.explainable:text-is("250 mail.example.com Hello myclient.hostname.example.no [127.0.0.1], pleased to meet you")');
  await page.keyboard.press('Enter');
  shown = await page.textContent('.explain-panel');
  expect(shown.includes('names you from your address'), shown);
});

await check('the lessons a session completes, and progress survives a reload', async (page) => {
  await page.click('button:has-text("Lessons")');
  await page.click('button[data-lesson="first-message"]');
  await typeLine(page, 'telnet mail.example.com smtp');
  for (const line of ['EHLO a.example', 'MAIL FROM:<me@a.example>', 'RCPT TO:<mom@example.com>', 'DATA', 'Subject: lesson', '', 'hello', '.', 'QUIT']) await typeLine(page, line);
  await waitForLine(page, 'Connection closed by foreign host.');
  // A delivery to mom (first-message), with a Subject (subject), after an
  // EHLO answered 250 (extensions): those three and no other.
  const done = ['extensions', 'first-message', 'subject'];
  const status = await page.textContent('.lessons-panel .progress');
  expect(status === '3 of 14 done', `progress after a delivery with a subject: ${status}`);
  expect(await page.isVisible('.lessons-panel p.passed'), 'the current lesson says Done');
  const before = await page.$$eval('button.lesson.complete', (n) => n.map((e) => e.dataset.lesson).sort());
  expect(before.join() === done.join(), `completed: ${before}`);
  await page.reload();
  await page.waitForSelector('.input-line .prompt');
  await page.click('button:has-text("Lessons")');
  // The lessons are fetched when the panel first opens.
  await page.waitForSelector('button[data-lesson="first-message"]');
  const after = await page.$$eval('button.lesson.complete', (n) => n.map((e) => e.dataset.lesson).sort());
  expect(after.join() === done.join(), `completed after reload: ${after}`);
});

await check('lesson checks follow the terminal after it starts over', async (page) => {
  // The tools module reads the page's log as it grows; starting over
  // begins a new one, which it must follow from its start.
  await typeLine(page, 'telnet mail.example.com smtp');
  for (let i = 0; i < 30; i += 1) await typeLine(page, 'NOOP');
  await typeLine(page, 'QUIT');
  await waitForLine(page, 'Connection closed by foreign host.');
  await page.click('button:has-text("Lessons")');
  await page.click('.terminal');
  await typeLine(page, 'reset');
  await typeLine(page, 'y');
  await page.click('button[data-lesson="first-message"]');
  await typeLine(page, 'telnet mail.example.com smtp');
  for (const line of ['HELO a.example', 'MAIL FROM:<me@a.example>', 'RCPT TO:<mom@example.com>', 'DATA', 'hello', '.', 'QUIT']) await typeLine(page, line);
  await waitForLine(page, 'Connection closed by foreign host.');
  const status = await waitForText(page, '.lessons-panel .progress', (text) => text !== '0 of 14 done');
  // A delivery to mom after HELO: first-message only.
  expect(status === '1 of 14 done', status);
});

await check('openssl s_client: STARTTLS, AUTH LOGIN with base64 made in the shell, a message sent', async (page) => {
  await page.goto(base + '?personality=postfix-3.7.11-debian');
  await page.waitForSelector('.input-line .prompt');
  await typeLine(page, 'printf mom | base64');
  await waitForLine(page, 'bW9t');
  await typeLine(page, 'openssl s_client -starttls smtp -crlf -connect mail.example.com:587');
  await waitForLine(page, 'read R BLOCK');
  for (const line of ['EHLO client.example.no', 'AUTH LOGIN', 'bW9t', 'bW9t']) await typeLine(page, line);
  await waitForLine(page, '235 2.7.0 Authentication successful');
  for (const line of ['MAIL FROM:<mom@example.com>', 'rcpt to:<alice@example.com>', 'DATA', 'Subject: via openssl', '', 'hello', '.']) await typeLine(page, line);
  await waitForLine(page, /^250 2\.0\.0 Ok: queued as [0-9A-F]+$/);
  await typeLine(page, 'QUIT');
  await waitForLine(page, 'DONE');
  const shown = await lines(page);
  const start = shown.indexOf('$ openssl s_client -starttls smtp -crlf -connect mail.example.com:587');
  const session = shown.slice(start + 1);
  // What OpenSSL 3.0 prints, in the recording's order (captures under tests/corpus/submission/clients).
  const order = ['CONNECTED(00000003)', 'depth=0 CN = mail.example.com', 'verify error:num=18:self-signed certificate',
    'Certificate chain', 'Server certificate', '-----BEGIN CERTIFICATE-----', 'Server Temp Key: X25519, 253 bits',
    'New, TLSv1.3, Cipher is TLS_AES_256_GCM_SHA384', 'Verify return code: 18 (self-signed certificate)', '250 CHUNKING',
    'Post-Handshake New Session Ticket arrived:', 'read R BLOCK', 'EHLO client.example.no', '250-AUTH PLAIN LOGIN',
    'AUTH LOGIN', '334 VXNlcm5hbWU6', 'bW9t', '334 UGFzc3dvcmQ6', 'bW9t', '235 2.7.0 Authentication successful', 'QUIT', 'DONE'];
  let at = 0;
  for (const want of order) {
    const found = session.indexOf(want, at);
    expect(found >= 0, `${want} not after line ${at}:\n${session.join('\n')}`);
    at = found + 1;
  }
  expect(!session.some((l) => l.startsWith('220 mail.example.com') || l === 'EHLO mail.example.com'), 'the STARTTLS exchange is hidden');
  expect((await page.textContent('.input-line .prompt')) === '$ ', 'back at the shell');
  await typeLine(page, 'cat /var/mail/alice');
  await waitForLine(page, 'Subject: via openssl');
  if (process.env.SCREENSHOT_DIR) await page.screenshot({ path: `${process.env.SCREENSHOT_DIR}/s_client.png` });
});

await check('the R trap: a line that starts with R renegotiates instead of reaching the server', async (page) => {
  await page.goto(base + '?personality=postfix-3.7.11-debian');
  await page.waitForSelector('.input-line .prompt');
  await typeLine(page, 'openssl s_client -starttls smtp -crlf -connect mail.example.com:587');
  await waitForLine(page, 'read R BLOCK');
  for (const line of ['EHLO client.example.no', 'AUTH PLAIN AG1vbQBtb20=', 'MAIL FROM:<mom@example.com>']) await typeLine(page, line);
  await typeLine(page, 'RCPT TO:<alice@example.com>');
  await waitForLine(page, 'RENEGOTIATING');
  await waitForLine(page, /:error:0A00010A:SSL routines:can_renegotiate:wrong ssl version:/);
  expect((await page.textContent('.input-line .prompt')) === '$ ', 's_client has ended');
  const shown = await lines(page);
  expect(!shown.some((l) => l.startsWith('250 2.1.5')), 'the recipient never reached the server');
});

await check('swaks --tls --auth logs in and sends', async (page) => {
  await typeLine(page, 'swaks --to alice@example.com --from mom@example.com --server mail.example.com:587 --tls --auth LOGIN --auth-user mom --auth-password mom');
  await waitForLine(page, '=== Connection closed with remote host.');
  const shown = await lines(page);
  for (const want of ['=== Trying mail.example.com:587...', '=== Connected to mail.example.com.', ' -> STARTTLS',
    '=== TLS started with cipher TLSv1.3:TLS_AES_256_GCM_SHA384:256', '=== TLS peer DN="/CN=mail.example.com"', ' ~> AUTH LOGIN',
    '<~  235 2.0.0 OK Authenticated', ' ~> X-Mailer: swaks v20201014.0 jetmore.org/john/code/swaks/', ' ~> QUIT']) {
    expect(shown.includes(want), `${want} missing:\n${shown.join('\n')}`);
  }
  expect((await page.textContent('.input-line .prompt')) === '$ ', 'back at the shell');
});

await check('lesson 14, Log in to send, followed to the end', async (page) => {
  await page.goto(base + '?lesson=log-in-to-send');
  await page.waitForSelector('.lessons-panel .current-lesson h3');
  await page.click('.terminal');
  for (const line of ['telnet mail.example.com 587', 'EHLO me.example', 'MAIL FROM:<mom@example.com>', 'QUIT']) await typeLine(page, line);
  await waitForLine(page, 'Connection closed by foreign host.');
  await typeLine(page, 'echo mom | base64');
  await typeLine(page, 'openssl s_client -starttls smtp -crlf -connect mail.example.com:587');
  await waitForLine(page, 'read R BLOCK');
  for (const line of ['EHLO me.example', 'AUTH LOGIN', 'bW9tCg==', 'bW9t']) await typeLine(page, line);
  await waitForLine(page, /^535 /);
  for (const line of ['AUTH LOGIN', 'bW9t', 'bW9t']) await typeLine(page, line);
  await waitForLine(page, /^235 /);
  for (const line of ['MAIL FROM:<mom@example.com>', 'rcpt to:<friend@example.org>', 'DATA', 'Subject: hello', '', 'sent after logging in', '.']) await typeLine(page, line);
  await waitForLine(page, /Message accepted for delivery$/);
  const done = await waitForText(page, '.lessons-panel .current-lesson', (text) => text.includes('Done'), 5000).catch(() => null);
  const checks = await page.$$eval('.lessons-panel .current-lesson li', (nodes) => nodes.map((n) => n.className + ' ' + n.textContent));
  expect(checks.length === 5 && checks.every((c) => c.includes('passed')) , `checks: ${checks.join(' | ')} (${done})`);
});

await check('a link can open a lesson, by query or by fragment', async (page) => {
  for (const path of ['?lesson=relay', '#lesson=relay']) {
    await page.goto(base + path);
    await page.waitForSelector('.lessons-panel .current-lesson h3');
    const title = await page.textContent('.lessons-panel .current-lesson h3');
    expect(title === '4. No relaying', `${path}: ${title}`);
  }
});

await check('a broken teacher lesson file is explained and the page keeps working', async (page) => {
  await page.click('button:has-text("Lessons")');
  await page.setInputFiles('.lessons-panel input[type=file]', { name: 'lessons.json', mimeType: 'application/json', buffer: Buffer.from('{"title": "x", "lessons": [ {"id": 1 ]}') });
  await page.waitForSelector('.lessons-panel .field-error');
  const error = await page.textContent('.lessons-panel .field-error');
  expect(error.includes('line 1, column'), error);
  const good = { title: 'Class 7B', lessons: [{ id: 'noop', title: '<b>Say NOOP</b>', goal: 'Send NOOP', checks: [{ kind: 'sent', verb: 'NOOP' }] }] };
  await page.setInputFiles('.lessons-panel input[type=file]', { name: 'good.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(good)) });
  await page.waitForSelector('button[data-lesson="noop"]');
  expect((await page.textContent('button[data-lesson="noop"]')).includes('<b>Say NOOP</b>'), 'a title is shown as text');
  await page.click('.terminal');
  await typeLine(page, 'whoami');
  expect((await lines(page)).at(-1) === 'learner', 'the terminal still works');
});

await check('a share link opens the same session', async (page, context) => {
  await typeLine(page, 'telnet mail.example.com smtp');
  for (const line of ['HELO share.example', 'MAIL FROM:<a@share.example>', 'RCPT TO:<alice@example.com>', 'DATA', 'Subject: shared', '', 'x', '.', 'QUIT']) await typeLine(page, line);
  await page.click('button:has-text("Share")');
  await page.click('button:has-text("Copy share link")');
  const link = await page.inputValue('.share-link');
  expect(link.includes('#share='), link);
  const other = await context.newPage();
  await other.goto(link);
  await other.waitForSelector('.input-line .prompt');
  await waitForLine(other, 'Connection closed by foreign host.');
  const shown = await lines(other);
  for (const want of ['HELO share.example', '250 2.1.5 <alice@example.com>... Recipient ok', 'Subject: shared']) {
    expect(shown.includes(want), `shared session shows ${JSON.stringify(want)}`);
  }
  await other.keyboard.type('ls /var/mail');
  await other.keyboard.press('Enter');
  expect((await lines(other)).at(-1) === 'alice', 'the shared session delivered again');
});

await check('a script replays itself with pause, step and speed', async (page) => {
  await page.goto(base + '?script=' + encodeURIComponent('telnet mail.example.com smtp\nHELO replay.example\nNOOP\nQUIT\n'));
  await page.waitForSelector('.player-bar');
  expect((await page.textContent('.player-bar button >> nth=0')).includes('Play'), 'a script without autoplay waits for Play');
  await page.click('.player-bar button:has-text("Step")');
  await waitForLine(page, "Escape character is '^]'.");
  await page.selectOption('.player-bar select', { label: '4×' });
  await page.click('.player-bar button:has-text("Play")');
  await waitForLine(page, 'Connection closed by foreign host.');
  expect((await page.textContent('.player-status')) === 'Replay finished', 'the replay finishes');
  expect((await lines(page)).includes('250 2.0.0 OK'), 'NOOP was answered');
});

await check('a first visit asks only for the files the size budget counts', async () => {
  // scripts/size.sh counts the files the offline worker lists, and the
  // worker itself: a first visit must not need anything else.
  const worker = await readFile(new URL('../../www/sw.js', import.meta.url), 'utf8');
  const listed = new Set(worker.match(/const FILES = \[(.*)\];/)[1].split(',').map((f) => f.trim().replace(/'/g, '').replace(/^\.\/$/, 'index.html')));
  listed.add('sw.js');
  const fresh = await newContext();
  const page = await fresh.newPage();
  const asked = new Set();
  page.on('request', (request) => {
    const path = new URL(request.url()).pathname.replace(/^\//, '') || 'index.html';
    asked.add(path);
  });
  await page.goto(base);
  await page.waitForSelector('.input-line .prompt');
  await page.evaluate(async () => { await navigator.serviceWorker.ready; });
  await typeLine(page, 'telnet mail.example.com smtp');
  await waitForLine(page, /^220 /);
  const extra = [...asked].filter((path) => !listed.has(path));
  await fresh.close();
  expect(extra.length === 0, `a first visit also asked for: ${extra.join(', ')}`);
  expect(asked.has('smtplab-web_bg.wasm') && asked.has('index.html'), `the visit asked for: ${[...asked].join(', ')}`);
});

await check('explain mode loads its texts when first used, and a failed load is tried again', async (page, context) => {
  // As if the network dropped before the texts were ever fetched.
  await context.route('**/explain.json', (route) => route.abort());
  await typeLine(page, 'telnet mail.example.com smtp');
  await typeLine(page, 'QUIT');
  await waitForLine(page, 'Connection closed by foreign host.');
  await page.click('button:has-text("Explain")');
  await page.click('.explainable:text-is("221 2.0.0 mail.example.com closing connection")');
  const failed = await waitForText(page, '.explain-panel', (text) => text.includes('could not be loaded'));
  expect(failed.includes('need the network once'), failed);
  // The terminal still works meanwhile.
  await page.click('.terminal');
  await typeLine(page, 'echo still here');
  await waitForLine(page, 'still here');
  await context.unroute('**/explain.json');
  await page.click('button:has-text("Explain")');
  await page.click('button:has-text("Explain")');
  await page.click('.explainable:text-is("221 2.0.0 mail.example.com closing connection")');
  const shown = await waitForText(page, '.explain-panel', (text) => !text.includes('Loading the explanations'));
  expect(shown.includes('closes the connection'), shown);
}, { allowConsoleErrors: true, context: { serviceWorkers: 'block' } });

await check('offline: after one visit the page loads and works without the network', async (page, context) => {
  await page.evaluate(async () => { await navigator.serviceWorker.ready; });
  await page.reload();
  await page.waitForSelector('.input-line .prompt');
  await page.evaluate(async () => { await navigator.serviceWorker.ready; });
  // The second visit also keeps explain mode's texts for offline use.
  for (let tries = 0; !(await page.evaluate(async () => {
    for (const key of await caches.keys()) if (await (await caches.open(key)).match('explain.json')) return true;
    return false;
  })); tries += 1) {
    expect(tries < 100, 'explain.json was not cached on the second visit');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await context.setOffline(true);
  await page.reload();
  await page.waitForSelector('.input-line .prompt');
  await typeLine(page, 'telnet mail.example.com smtp');
  await typeLine(page, 'QUIT');
  await waitForLine(page, 'Connection closed by foreign host.');
  await page.click('button:has-text("Explain")');
  await page.click('.explainable:text-is("221 2.0.0 mail.example.com closing connection")');
  const shown = await waitForText(page, '.explain-panel', (text) => !text.includes('Loading the explanations'));
  expect(shown.includes('closes the connection'), shown);
  await context.setOffline(false);
});

await check('past 100,000 lines the oldest go, and the page keeps up', async (page) => {
  // Drops whole blocks from the front of the scrollback: the page must
  // follow (the view matches blocks by key), keeping the newest lines.
  await typeLine(page, 'seq 120000');
  await waitForLine(page, '120000', 30000);
  await typeLine(page, 'seq 3');
  await waitForLine(page, '3');
  const shown = await page.$$eval('.scrollback .line', (nodes) => nodes.map((n) => n.textContent));
  expect(shown.length <= 100000 && shown.length > 99000, `${shown.length} lines shown`);
  expect(shown[shown.length - 1] === '3' && shown.includes('120000'), shown.slice(-6).join(' | '));
  expect(Number(shown.find((l) => /^\d+$/.test(l))) > 20000, `first number shown: ${shown.find((l) => /^\d+$/.test(l))}`);
  const blocks = await page.$$eval('.block', (nodes) => nodes.map((n) => n.children.length));
  expect(blocks.slice(0, -1).every((n) => n === 256), 'every block but the last is full');
});

await check('a 10 MB paste and a runaway replay do not freeze the page', async (page) => {
  await typeLine(page, 'telnet mail.example.com smtp');
  for (const line of ['HELO big.example', 'MAIL FROM:<big@big.example>', 'RCPT TO:<mom@example.com>', 'DATA']) await typeLine(page, line);
  await page.evaluate(() => {
    const area = document.querySelector('.keyboard');
    area.value = 'Subject: ten megabytes\n\n' + ('x'.repeat(78) + '\n').repeat(10 * 1024 * 1024 / 79) + '.\n';
    area.dispatchEvent(new InputEvent('input', { bubbles: true, inputType: 'insertFromPaste' }));
  });
  let slowest = 0;
  for (let i = 0; i < 10; i += 1) {
    const started = Date.now();
    await page.evaluate(() => document.querySelectorAll('.block').length);
    slowest = Math.max(slowest, Date.now() - started);
  }
  expect(slowest < 1000, `the page took ${slowest} ms to answer during the paste`);
  await waitForLine(page, /Message accepted for delivery$/, 120000);
  const runaway = Array.from({ length: 12000 }, (_, i) => `echo line ${i}`).join('\n');
  await page.goto(base + '?runaway=1#autoplay=1&speed=instant&script=' + encodeURIComponent(runaway));
  await page.waitForSelector('.player-bar');
  const started = Date.now();
  await page.evaluate(() => document.querySelector('.player-status').textContent);
  expect(Date.now() - started < 1000, 'the page answers during a runaway replay');
  await page.click('.player-bar button:has-text("Close")');
  expect(!(await page.isVisible('.player-bar')), 'the replay stops');
});

for (const [label, path] of [
  ['script tags in parameters', '?world=%3Cscript%3Ewindow.pwned%3D1%3C%2Fscript%3E&personality=%3Cimg%20src%3Dx%20onerror%3D%22window.pwned%3D1%22%3E&theme=%22%3E%3Cscript%3Ewindow.pwned%3D1%3C%2Fscript%3E'],
  ['an event handler typed by a script', '?autoplay=1&speed=instant&script=' + encodeURIComponent('<img src=x onerror="window.pwned=1">\necho <svg onload="window.pwned=1">\n')],
  ['javascript: links', '?lessons=javascript:window.pwned%3D1#share=javascript:window.pwned=1'],
  ['a 1 MB value', '#script=' + 'A'.repeat(1024 * 1024)],
  ['a 1 MB share link', '#share=' + 'A'.repeat(1024 * 1024)],
]) {
  await check(`hostile input is data, never code: ${label}`, async (page) => {
    await new Promise((resolve) => setTimeout(resolve, 300));
    // Let a replay that the link started finish before typing.
    for (let i = 0; i < 100 && (await page.$('.player-bar')); i += 1) {
      if ((await page.textContent('.player-status')) === 'Replay finished') break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const pwned = await page.evaluate(() => window.pwned);
    expect(pwned === undefined, 'something ran');
    const injected = await page.$$eval('.scrollback img, .scrollback svg, .scrollback script', (n) => n.length);
    expect(injected === 0, 'markup was injected');
    await page.click('.terminal');
    await page.keyboard.press('Control+u');
    await typeLine(page, 'whoami');
    await waitForLine(page, 'learner');
  }, { path, allowConsoleErrors: true });
}

await browser.close();
server.close();
if (failures) {
  console.log(`${failures} browser test(s) failed`);
  process.exit(1);
}
console.log('all browser tests passed');
