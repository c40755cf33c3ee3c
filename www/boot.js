// Loads the app, and then the offline worker. Kept in its own file: the
// page's Content-Security-Policy forbids inline script.
import init, * as page from './smtplab-web.js';

// The tools module (lessons, sharing, explain mode's panel) asks the page
// through `smtplab`, and is loaded when one of them is first used.
window.smtplab = page;
let tools;
let tries = 0;
window.smtplabTools = () => {
  // A failed import is remembered by the browser: a retry asks anew.
  const retry = tries ? `?retry=${tries}` : '';
  tools ??= import(`./tools/smtplab_tools.js${retry}`).then(async (module) => {
    await module.default({ module_or_path: new URL('./tools/smtplab_tools_bg.wasm', import.meta.url) });
    return module;
  });
  tools.catch(() => { tools = undefined; tries += 1; });
  return tools;
};

const started = init({ module_or_path: new URL('./smtplab-web_bg.wasm', import.meta.url) });

// The worker caches the page's files for offline use. It starts once the
// app runs, so its downloads do not compete with the page's own.
if ('serviceWorker' in navigator) {
  started.finally(() => navigator.serviceWorker.register('sw.js')).catch(() => {
    // Without a worker the page still works; it just needs the network.
  });
}
