// live.js: the live-reload client of `explainer serve`, loaded by every
// page the dev server builds (never by `explainer build` output). It keeps
// one WebSocket open to the server and acts on its messages; the protocol
// is described in site/internal/devserver (package doc).
(() => {
  'use strict';
  if (window.__explainerLive) return; // loaded twice
  window.__explainerLive = true;

  // The socket sits next to this script, however deep the page is.
  const script = document.currentScript ||
    document.querySelector('script[src*="_explainer/live.js"]');
  const socketURL = new URL('socket', script ? script.src : new URL('/_explainer/', location.href));
  socketURL.protocol = socketURL.protocol === 'https:' ? 'wss:' : 'ws:';
  socketURL.search = '';
  socketURL.hash = '';

  const decode = (p) => {
    try { return decodeURIComponent(p); } catch { return p; }
  };
  // "/x/index.html" and "/x/" are the same page.
  const normalize = (p) => {
    p = decode(p);
    return p.endsWith('/index.html') ? p.slice(0, -'index.html'.length) : p;
  };
  const here = normalize(location.pathname);
  const nav = performance.getEntriesByType('navigation')[0];
  const notFound = !!nav && nav.responseStatus === 404; // served the site's 404.html

  // The build this page came from: named by the server in a Server-Timing
  // header, or, where the browser hides it, learned from the first hello.
  let build = null;
  for (const t of (nav && nav.serverTiming) || []) {
    if (t.name === 'explainer') build = t.description;
  }

  const scrollKey = 'explainer-scroll:' + here;
  let reloading = false; // once set, the page is going away: ignore messages
  let delay = 250; // before reconnecting; doubles up to 2 s

  function reload() {
    if (reloading) return;
    reloading = true;
    try {
      sessionStorage.setItem(scrollKey, JSON.stringify({x: scrollX, y: scrollY}));
    } catch { /* storage disabled: reload anyway */ }
    location.reload();
  }

  function restoreScroll() {
    let saved = null;
    try {
      saved = JSON.parse(sessionStorage.getItem(scrollKey));
      sessionStorage.removeItem(scrollKey);
    } catch { return; }
    if (!saved) return;
    const apply = () => scrollTo(saved.x, saved.y);
    apply();
    // Images and fonts may still change the layout: apply again at load.
    if (document.readyState !== 'complete') addEventListener('load', apply, {once: true});
  }
  restoreScroll();

  // An update in place: the page's new HTML is fetched and its body put
  // in place of the old one, which keeps the scroll position, the open
  // tab's state and the stylesheets, and saves the browser a navigation.
  // It is only done when that shows exactly what a reload would: the
  // new page loads the same scripts and stylesheets (stylesheet versions
  // aside) and neither body holds a script or a noscript. Otherwise, or
  // when anything fails, the page reloads.
  const versioned = /([?&])v=[^&#]*/;
  // Structured data (application/ld+json) is passive: it runs nothing.
  const active = 'link, script:not([type="application/ld+json"]), style, base, meta[charset], meta[http-equiv], meta[name="viewport"], meta[name="color-scheme"]';
  // headOf returns what in a document's head and root element decides how
  // its body is shown and run.
  function headOf(doc) {
    const parts = [];
    for (const a of doc.documentElement.attributes) parts.push(a.name + '=' + a.value);
    for (const el of doc.head ? doc.head.querySelectorAll(active) : []) {
      if (el.matches('link[rel~="stylesheet"]')) {
        parts.push('stylesheet ' + (el.getAttribute('href') || '').replace(versioned, '$1'));
      } else {
        parts.push(el.outerHTML);
      }
    }
    return parts.join('\n');
  }
  const head = headOf(document); // as loaded, before any stylesheet swap
  const scripted = (body) => !body || !!body.querySelector('script, noscript');

  // replaceIn puts the fetched page doc in place of this one, or returns
  // false when only a reload can show it.
  function replaceIn(doc) {
    if (headOf(doc) !== head || scripted(doc.body) || scripted(document.body)) return false;
    const x = scrollX, y = scrollY;
    // The head's passive parts (title, description, canonical link...)
    // follow the new page; its active parts are the same.
    for (const el of [...document.head.children]) if (!el.matches(active)) el.remove();
    for (const el of [...doc.head.children]) if (!el.matches(active)) document.head.append(document.adoptNode(el));
    document.body.replaceWith(document.adoptNode(doc.body));
    if (overlay) document.body.append(overlay); // errors that came meanwhile
    scrollTo(x, y);
    return true;
  }

  let updating = false; // an update is in flight
  let again = false; // and another was asked for meanwhile
  async function update() {
    if (updating) {
      again = true;
      return;
    }
    updating = true;
    try {
      do {
        again = false;
        const res = await fetch(location.href, {cache: 'no-store', credentials: 'same-origin'});
        const doc = res.ok && new DOMParser().parseFromString(await res.text(), 'text/html');
        if (reloading) return;
        if (!doc || !replaceIn(doc)) {
          reload();
          return;
        }
        const m = /explainer;desc="([^"]*)"/.exec(res.headers.get('Server-Timing') || '');
        if (m) build = m[1];
      } while (again);
    } catch {
      reload();
    } finally {
      updating = false;
    }
  }

  const isThisPage = (pages) =>
    pages.includes(here) || (notFound && pages.includes('/404.html'));

  // usesAsset reports whether the page loads one of the changed files
  // itself (an image, a script, an icon...).
  function usesAsset(assets) {
    if (!assets.length) return false;
    const els = document.querySelectorAll(
      'img[src], script[src], source[src], video[src], audio[src], iframe[src], embed[src], link[rel~="icon"][href]');
    for (const el of els) {
      let u;
      try { u = new URL(el.src || el.href, location.href); } catch { continue; }
      if (u.origin === location.origin && assets.includes(decode(u.pathname))) return true;
    }
    return false;
  }

  // swapStyles replaces each stylesheet link whose path changed with a
  // fresh copy, and removes the old link only once the new one has
  // loaded, so the page never shows unstyled.
  function swapStyles(styles) {
    if (!styles.length) return;
    for (const link of document.querySelectorAll('link[rel~="stylesheet"][href]')) {
      if (link.dataset.explainerStale) continue; // already being replaced
      let u;
      try { u = new URL(link.href, location.href); } catch { continue; }
      if (u.origin !== location.origin || !styles.includes(decode(u.pathname))) continue;
      u.search = '?v=' + Date.now();
      const next = link.cloneNode();
      next.href = u.href;
      link.dataset.explainerStale = 'true';
      next.addEventListener('load', () => link.remove(), {once: true});
      next.addEventListener('error', () => {
        next.remove();
        delete link.dataset.explainerStale;
      }, {once: true});
      link.after(next);
    }
  }

  // The overlay listing a failed build's problems, in a shadow root so
  // that neither the page's styles nor its scripts' queries reach it.
  let overlay = null;

  function showErrors(problems) {
    hideErrors();
    const host = document.createElement('div');
    host.id = 'explainer-errors';
    host.setAttribute('role', 'alert');
    host.style.cssText = 'all: initial; position: fixed; top: 0; left: 0; right: 0; z-index: 2147483647;';
    const root = host.attachShadow({mode: 'open'});
    const style = document.createElement('style');
    style.textContent = `
      .box { margin: 0; padding: 1rem 1.25rem; max-height: 60vh; overflow: auto;
        background: #fff5f5; color: #1a1a1a; border-bottom: 4px solid #c62828;
        box-shadow: 0 4px 16px rgba(0,0,0,.25); font: 15px/1.4 system-ui, sans-serif; }
      h2 { margin: 0 2rem .5rem 0; font-size: 1.05rem; color: #b71c1c; }
      ul { margin: 0; padding: 0; list-style: none; }
      li { font: 13px/1.5 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
        white-space: pre-wrap; overflow-wrap: anywhere; padding: .15rem 0; }
      button { position: absolute; top: .5rem; right: .75rem; font: inherit; font-size: 1.25rem;
        background: none; border: 0; color: inherit; cursor: pointer; }
      @media (prefers-color-scheme: dark) {
        .box { background: #2a1215; color: #f5f5f5; }
        h2 { color: #ff8a80; }
      }`;
    const box = document.createElement('section');
    box.className = 'box';
    const title = document.createElement('h2');
    title.textContent = build === 'none' ? 'Build failed' : 'Build failed — showing the last good build';
    const list = document.createElement('ul');
    for (const p of problems) {
      const li = document.createElement('li');
      li.textContent = p; // problems quote content: never parse them as HTML
      list.append(li);
    }
    const dismiss = document.createElement('button');
    dismiss.type = 'button';
    dismiss.textContent = '×';
    dismiss.setAttribute('aria-label', 'Hide build errors');
    dismiss.addEventListener('click', hideErrors);
    box.append(title, list, dismiss);
    root.append(style, box);
    (document.body || document.documentElement).append(host);
    overlay = host;
  }

  function hideErrors() {
    if (overlay) overlay.remove();
    overlay = null;
  }

  function handle(m) {
    if (reloading) return;
    switch (m.type) {
      case 'hello':
        delay = 250;
        if (build === null) build = m.build;
        else if (m.build !== build) reload(); // missed a build, or the server restarted
        window.__explainerLive = 'connected'; // for tests: saves from now on reach this page
        break;
      case 'reload':
        hideErrors();
        if (build === 'none' || usesAsset(m.assets || []) || notFound && isThisPage(m.pages || [])) {
          reload();
          return;
        }
        if (isThisPage(m.pages || [])) {
          swapStyles(m.styles || []);
          update();
          return;
        }
        swapStyles(m.styles || []);
        build = m.build; // this page's output is the same in the new build
        break;
      case 'ok':
        hideErrors();
        build = m.build;
        break;
      case 'errors':
        showErrors(m.problems || []);
        break;
    }
  }

  function connect() {
    let ws;
    try {
      ws = new WebSocket(socketURL);
    } catch {
      retry();
      return;
    }
    ws.onmessage = (e) => {
      let m;
      try { m = JSON.parse(e.data); } catch { return; }
      handle(m);
    };
    ws.onclose = retry;
  }

  function retry() {
    if (reloading) return;
    setTimeout(connect, delay);
    delay = Math.min(delay * 2, 2000);
  }

  connect();
})();
