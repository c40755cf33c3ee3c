// Screenshots for the README: desktop and phone, light and dark.
// Usage: node tests/browser/screenshots.mjs URL OUT_DIR
import { chromium } from 'playwright-core';

const [url, out] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const session = ['telnet mail.example.com smtp', 'HELO myserver.no', 'MAIL from: sender@myclient.hostname.example.no',
  'RCPT to: mom@example.com', 'DATA', 'Subject: Hello Mom', '', 'Hey', 'This is test email only', '.', 'QUIT'];
for (const [name, width, height, scheme] of [['desktop-light', 1280, 800, 'light'], ['desktop-dark', 1280, 800, 'dark'],
  ['phone-light', 390, 844, 'light'], ['phone-dark', 390, 844, 'dark']]) {
  const phone = width < 700;
  const page = await browser.newPage({ viewport: { width, height }, colorScheme: scheme, isMobile: phone, hasTouch: phone, deviceScaleFactor: phone ? 2 : 1 });
  await page.goto(url);
  await page.waitForSelector('.input-line .prompt');
  for (const line of session) {
    await page.keyboard.type(line);
    await page.keyboard.press('Enter');
  }
  if (!phone) {
    await page.click('button:has-text("Mailboxes")');
    await page.click('button.mailbox >> nth=0');
    await page.click('.message-link');
  } else {
    await page.keyboard.type('EHLO');
  }
  await page.screenshot({ path: `${out}/${name}.png` });
  await page.close();
}
await browser.close();
