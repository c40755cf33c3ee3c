// Offline support. After one visit, the app's own files come from a cache,
// so the page loads and works with the network off. `make dist` writes a
// digest of the release files into VERSION: when the site changes, this
// file changes, the browser installs the new worker with the new files in
// a new cache, and the next visit uses them. Nothing outside the page's
// own origin is ever fetched or cached.
const VERSION = 'dev';
const CACHE = `smtplab-${VERSION}`;
const FILES = ['./', 'index.html', 'boot.js', 'smtplab-web.js', 'smtplab-web_bg.wasm', 'style.css', 'icon.svg', 'manifest.webmanifest'];
// Loaded by the page only when needed (explain mode's texts, the built-in
// lessons). Not part of
// a first visit: the worker fetches them on a later visit, so they work
// offline too.
const LATER = ['explain.json', 'lessons/builtin.json'];

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(FILES)).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((key) => key.startsWith('smtplab-') && key !== CACHE).map((key) => caches.delete(key))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== 'GET' || url.origin !== self.location.origin) return;
  if (event.request.mode === 'navigate' && VERSION !== 'dev') {
    event.waitUntil(caches.open(CACHE).then((cache) => Promise.all(LATER.map((file) =>
      cache.match(file).then((hit) => hit || cache.add(file)).catch(() => {})))));
  }
  event.respondWith((async () => {
    const cache = await caches.open(CACHE);
    // A development build always asks the network first.
    if (VERSION === 'dev') {
      try {
        return await fetch(event.request);
      } catch {
        return (await cache.match(event.request, { ignoreSearch: true })) || Response.error();
      }
    }
    const cached = await cache.match(event.request, { ignoreSearch: true });
    if (cached) return cached;
    const response = await fetch(event.request);
    if (response.ok) cache.put(event.request, response.clone());
    return response;
  })());
});
