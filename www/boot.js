// Loads the app, and then the offline worker. Kept in its own file: the
// page's Content-Security-Policy forbids inline script.
import init from './smtplab-web.js';

const started = init({ module_or_path: new URL('./smtplab-web_bg.wasm', import.meta.url) });

// The worker caches the page's files for offline use. It starts once the
// app runs, so its downloads do not compete with the page's own.
if ('serviceWorker' in navigator) {
  started.finally(() => navigator.serviceWorker.register('sw.js')).catch(() => {
    // Without a worker the page still works; it just needs the network.
  });
}
