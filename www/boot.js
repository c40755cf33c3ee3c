// Loads the app, and the offline worker. Kept in its own file: the page's
// Content-Security-Policy forbids inline script.
import init from './smtplab-web.js';

init({ module_or_path: new URL('./smtplab-web_bg.wasm', import.meta.url) });

if ('serviceWorker' in navigator) {
  navigator.serviceWorker.register('sw.js').catch(() => {
    // Without a worker the page still works; it just needs the network.
  });
}
