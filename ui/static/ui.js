// fakealianza QA dashboard: the live parts. Every action is a call to the
// /__admin API; with an admin key, the key goes in its header (never in a URL).
'use strict';
(() => {
  const KEY = 'fakealianza-admin-key';
  const HEADER = 'X-Fakealianza-Admin-Key';
  const FLASH = 'fakealianza-flash';
  const MAX_ROWS = 500;
  let tail = null; // the live journal's AbortController

  const key = () => sessionStorage.getItem(KEY) || '';
  const headers = () => (key() ? { [HEADER]: key() } : {});

  function say(msg, bad) {
    const s = document.getElementById('status');
    if (!s) return;
    s.textContent = msg;
    s.className = bad ? 'bad' : 'good';
  }

  function el(tag, props, ...kids) {
    const e = document.createElement(tag);
    Object.assign(e, props || {});
    for (const k of kids) if (k !== null && k !== undefined) e.append(k);
    return e;
  }

  // call sends one admin API request; a non-2xx answer throws its message codes.
  async function call(method, path, body) {
    const init = { method, headers: headers() };
    if (body !== undefined) {
      init.body = body;
      init.headers['Content-Type'] = 'application/json';
    }
    const r = await fetch(path, init);
    if (!r.ok) {
      let msg = `${r.status} ${r.statusText}`;
      try {
        const j = await r.json();
        if (j.messages) msg = `${r.status} ${j.messages.join(', ')}`;
        if (j.data !== undefined) msg += ': ' + (typeof j.data === 'string' ? j.data : JSON.stringify(j.data));
      } catch (_) { /* not the envelope */ }
      throw new Error(msg);
    }
    return r;
  }

  // focusSelector names the focused control so that it can have the focus
  // again once the page is swapped (a keyboard user stays where they were).
  function focusSelector(e) {
    if (!e || e === document.body) return null;
    for (const a of ['id', 'aria-label', 'data-api', 'data-download', 'name']) {
      const v = e.getAttribute(a);
      if (v) return `${e.tagName.toLowerCase()}[${a}="${CSS.escape(v)}"]`;
    }
    return null;
  }

  // load fetches a dashboard page (with the key) and swaps it in; of loads
  // that overlap, the last begun wins.
  let loads = 0;
  async function load(url, push) {
    const gen = ++loads;
    const again = push ? null : focusSelector(document.activeElement);
    const r = await fetch(url, { headers: headers() });
    const doc = new DOMParser().parseFromString(await r.text(), 'text/html');
    if (gen !== loads) return;
    stopTail();
    stopRefresh();
    if (push) history.pushState(null, '', url);
    document.title = doc.title;
    document.body.replaceWith(document.adoptNode(doc.body));
    if (r.status === 401 && key()) {
      sessionStorage.removeItem(KEY);
      say('That admin key was not accepted.', true);
    }
    init();
    const main = document.getElementById('main');
    if (push) main.focus();
    else if (again) (document.querySelector(again) || main).focus();
  }

  const reload = () => load(location.href, false);

  function done(msg) {
    sessionStorage.setItem(FLASH, msg || 'Done.');
    return reload();
  }

  // setPath puts v at a dotted name: action.delay.fixed -> {action:{delay:{fixed:v}}}.
  function setPath(obj, name, v) {
    const parts = name.split('.');
    let o = obj;
    for (const p of parts.slice(0, -1)) o = o[p] = o[p] || {};
    o[parts[parts.length - 1]] = v;
  }

  function fieldValue(f) {
    if (f.type === 'checkbox') return f.checked;
    const s = f.value.trim();
    if (s === '') return undefined;
    if (f.type === 'number') return Number(s);
    if (f.dataset.type === 'json') return JSON.parse(s);
    return s;
  }

  // target fills {name} in "METHOD /path/{name}" from vars.
  function target(spec, vars) {
    const [method, path] = spec.split(' ');
    return [method, path.replace(/\{(\w+)\}/g, (_, n) => encodeURIComponent(vars[n] || ''))];
  }

  async function submitAPI(form) {
    const inPath = new Set([...form.dataset.api.matchAll(/\{(\w+)\}/g)].map((m) => m[1]));
    const body = {};
    const vars = {};
    const lists = new Map(); // checkboxes marked data-list: the values checked
    for (const f of form.elements) {
      if (!f.name || f.disabled) continue;
      if (f.type === 'checkbox' && f.hasAttribute('data-list')) {
        if (!lists.has(f.name)) lists.set(f.name, []);
        if (f.checked) lists.get(f.name).push(f.value);
        continue;
      }
      const v = fieldValue(f);
      if (v === undefined) continue;
      if (inPath.has(f.name)) vars[f.name] = v;
      else setPath(body, f.name, v);
    }
    for (const [name, vs] of lists) if (vs.length) setPath(body, name, vs);
    const [method, path] = target(form.dataset.api, vars);
    const r = await call(method, path, Object.keys(body).length ? JSON.stringify(body) : undefined);
    if (form.dataset.result) {
      const out = document.querySelector(form.dataset.result);
      out.replaceChildren(el('pre', { textContent: JSON.stringify(await r.json(), null, 2) }));
      say('Done: the answer is below.');
      return;
    }
    await done(form.dataset.done);
  }

  async function upload(form) {
    const file = form.querySelector('input[type=file]').files[0];
    if (!file) throw new Error('choose a file first');
    const [method, path] = target(form.dataset.upload, {});
    await call(method, path, await file.text());
    await done(form.dataset.done);
  }

  async function download(path, name) {
    const r = await call('GET', path);
    const blob = await r.blob();
    const m = /filename="?([^";]+)"?/.exec(r.headers.get('Content-Disposition') || '');
    const a = el('a', { href: URL.createObjectURL(blob), download: name || (m && m[1]) || 'download' });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 60000);
    say(`Downloaded ${a.download}.`);
  }

  document.addEventListener('submit', async (ev) => {
    const form = ev.target;
    if (form.hasAttribute('data-key-form')) {
      ev.preventDefault();
      sessionStorage.setItem(KEY, document.getElementById('admin-key').value);
      await reload();
      return;
    }
    if (!form.dataset.api && !form.dataset.upload) {
      if (!key()) return; // an ordinary navigation (a GET form)
      ev.preventDefault();
      const u = new URL(form.action);
      u.search = new URLSearchParams(new FormData(form)).toString();
      await load(u.href, true);
      return;
    }
    ev.preventDefault();
    say('Working…');
    try {
      await (form.dataset.upload ? upload(form) : submitAPI(form));
    } catch (e) {
      say(e.message, true);
    }
  });

  document.addEventListener('click', async (ev) => {
    const a = ev.target.closest('a[href]');
    if (a) {
      if (key() && a.origin === location.origin && a.pathname.startsWith('/__admin/ui/') &&
          ev.button === 0 && !ev.ctrlKey && !ev.metaKey && !ev.shiftKey && !ev.altKey) {
        ev.preventDefault();
        await load(a.href, true);
      }
      return;
    }
    const b = ev.target.closest('button[type=button]');
    if (!b) return;
    say('Working…');
    try {
      if (b.id === 'forget-key') {
        sessionStorage.removeItem(KEY);
        await reload();
      } else if (b.dataset.download) {
        await download(b.dataset.download, b.dataset.filename);
      } else if (b.dataset.api) {
        const [method, path] = target(b.dataset.api, {});
        await call(method, path, b.dataset.body);
        await done(b.dataset.done);
      } else if (b.dataset.entry) {
        showDetail(entries.get(b.dataset.entry));
        say('');
      }
    } catch (e) {
      say(e.message, true);
    }
  });

  window.addEventListener('popstate', () => { if (key()) reload(); });

  // ---- the live journal ----

  const entries = new Map();

  function stopTail() {
    if (tail) tail.abort();
    tail = null;
  }

  function addRow(tbody, e) {
    entries.set(String(e.id), e);
    const status = e.status || 'none';
    const tr = el('tr', { className: e.status >= 400 || !e.status ? 'err' : '' },
      el('td', { textContent: e.id }),
      el('td', {}, el('time', { dateTime: e.time, title: e.time, textContent: e.time.slice(11, 19) })),
      el('td', { textContent: e.method }),
      el('td', {}, el('code', { textContent: e.path + (e.query ? '?' + e.query : '') })),
      el('td', { textContent: status }),
      el('td', { textContent: e.durationMs.toFixed(1) }),
      el('td', { textContent: e.partitionId || '' }),
      el('td', { textContent: e.operationId || '' }),
      el('td', { textContent: e.fault || '' }),
      el('td', {}, el('button', { type: 'button', textContent: 'Detail', ariaLabel: `Detail of request ${e.id}` })));
    tr.querySelector('button').dataset.entry = String(e.id);
    tbody.prepend(tr);
    while (tbody.rows.length > MAX_ROWS) {
      entries.delete(tbody.lastElementChild.firstChild.textContent);
      tbody.lastElementChild.remove();
    }
  }

  function message(title, m) {
    const rows = Object.entries(m.headers || {}).sort().map(([k, vs]) =>
      el('tr', {}, el('th', { scope: 'row', textContent: k }), el('td', { textContent: vs.join(', ') })));
    let body = m.body || '';
    try { body = JSON.stringify(JSON.parse(body), null, 2); } catch (_) { /* not JSON */ }
    return el('div', {}, el('h3', { textContent: title }),
      rows.length ? el('table', { className: 'headers' }, el('tbody', {}, ...rows)) : null,
      body ? el('pre', { textContent: body + (m.bodyTruncated ? '\n… (cut at 16 KiB)' : '') }) : el('p', { textContent: 'No body.' }));
  }

  function showDetail(e) {
    const d = document.getElementById('detail');
    if (!d || !e) return;
    const facts = [['Time', e.time], ['Status', e.status || 'no response (connection fault)'], ['Duration', `${e.durationMs} ms`],
      ['Operation', e.operationId], ['Partition', e.partitionId], ['Fault', e.fault]].filter(([, v]) => v);
    d.replaceChildren(
      el('h2', { textContent: `#${e.id} ${e.method} ${e.path}${e.query ? '?' + e.query : ''}` }),
      el('dl', {}, ...facts.flatMap(([k, v]) => [el('dt', { textContent: k }), el('dd', { textContent: v })])),
      message('Request', e.request), message('Response', e.response),
      el('button', { type: 'button', textContent: 'Close', onclick: () => { d.hidden = true; } }));
    d.hidden = false;
    d.focus();
  }

  // startTail reads the journal's event stream with fetch (EventSource cannot
  // send the key header) and resumes after a drop with Last-Event-ID.
  function startTail() {
    const table = document.getElementById('journal');
    if (!table) return;
    const tbody = table.tBodies[0];
    const state = document.getElementById('tail-state');
    const q = new URLSearchParams();
    for (const f of document.getElementById('journal-filters').elements) {
      if (f.name && f.value.trim()) q.set(f.name, f.value.trim());
    }
    q.set('limit', '100');
    const ctl = new AbortController();
    tail = ctl;
    let last = null;
    (async () => {
      while (!ctl.signal.aborted) {
        try {
          const h = headers();
          if (last !== null) h['Last-Event-ID'] = last;
          const r = await fetch(`${table.dataset.stream}?${q}`, { headers: h, signal: ctl.signal });
          if (!r.ok) throw new Error(`${r.status} ${r.statusText}`);
          await readEvents(r, ctl, (id, data) => { last = id; addRow(tbody, JSON.parse(data)); }, () => {
            state.textContent = 'Live: new requests appear at the top.';
            table.dataset.live = 'true';
          });
        } catch (e) {
          if (ctl.signal.aborted) return;
          state.textContent = `Disconnected (${e.message}); trying again…`;
        }
        table.dataset.live = 'false';
        await new Promise((res) => setTimeout(res, 1000));
      }
    })();
  }

  async function readEvents(r, ctl, onEvent, onOpen) {
    onOpen();
    const reader = r.body.pipeThrough(new TextDecoderStream()).getReader();
    ctl.signal.addEventListener('abort', () => reader.cancel());
    let buf = '';
    for (;;) {
      const { value, done: end } = await reader.read();
      if (end) return;
      buf += value;
      let i;
      while ((i = buf.indexOf('\n\n')) >= 0) {
        const block = buf.slice(0, i);
        buf = buf.slice(i + 2);
        let id = null;
        let data = '';
        for (const line of block.split('\n')) {
          if (line.startsWith('id: ')) id = line.slice(4);
          else if (line.startsWith('data: ')) data += line.slice(6);
        }
        if (data) onEvent(id, data);
      }
    }
  }

  // ---- live parts of a page (data-refresh="ms"): read again and swapped ----

  let refresher = null;

  function stopRefresh() {
    clearTimeout(refresher);
    refresher = null;
  }

  function startRefresh() {
    const live = document.querySelector('[data-refresh][id]');
    if (!live) return;
    const tick = async () => {
      const gen = loads;
      try {
        const r = await fetch(location.href, { headers: headers() });
        const doc = new DOMParser().parseFromString(await r.text(), 'text/html');
        if (gen !== loads || document.getElementById(live.id) !== live) return; // the page changed meanwhile
        const fresh = doc.getElementById(live.id);
        if (!r.ok || !fresh || !fresh.hasAttribute('data-refresh')) {
          await reload(); // no longer live (stopped elsewhere, say): the whole page
          return;
        }
        const again = live.contains(document.activeElement) ? focusSelector(document.activeElement) : null;
        live.replaceWith(document.adoptNode(fresh));
        if (again) { const e = document.querySelector(again); if (e) e.focus(); }
        startRefresh();
      } catch (_) {
        if (document.getElementById(live.id) === live) refresher = setTimeout(tick, 2000);
      }
    };
    refresher = setTimeout(tick, Number(live.dataset.refresh) || 2000);
  }

  function init() {
    const forget = document.getElementById('forget-key');
    if (forget) forget.hidden = !key();
    const flash = sessionStorage.getItem(FLASH);
    if (flash) {
      sessionStorage.removeItem(FLASH);
      say(flash);
    }
    if (document.body.hasAttribute('data-need-key')) {
      if (key()) reload();
      else document.getElementById('admin-key').focus();
      return;
    }
    startTail();
    startRefresh();
  }

  init();
})();
