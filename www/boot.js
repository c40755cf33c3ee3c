// Loads the app. Kept in its own file: the page's Content-Security-Policy
// forbids inline script.
import init from './smtplab-web.js';

init({ module_or_path: new URL('./smtplab-web_bg.wasm', import.meta.url) });
