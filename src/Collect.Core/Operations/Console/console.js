// The operations console: plain DOM, no external scripts (the page's Content-Security-Policy allows only this file).
'use strict';

(function () {
  const $ = (id) => document.getElementById(id);
  const hongKong = new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Asia/Hong_Kong', year: 'numeric', month: '2-digit', day: '2-digit',
    hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false,
  });
  let current = null;
  let pending = null;
  let listState = null;

  /** A time in Hong Kong time, the offset shown: 2026-12-02 17:30:05 +08:00. */
  function hkt(value) {
    if (!value) return '';
    const parts = Object.fromEntries(hongKong.formatToParts(new Date(value)).map((p) => [p.type, p.value]));
    return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}:${parts.second} +08:00`;
  }

  function text(tag, content, className) {
    const element = document.createElement(tag);
    element.textContent = content == null ? '' : String(content);
    if (className) element.className = className;
    return element;
  }

  function row(cells) {
    const tr = document.createElement('tr');
    for (const cell of cells) tr.appendChild(cell instanceof Node ? cell : text('td', cell));
    return tr;
  }

  function say(message, error) {
    $('message').textContent = message || '';
    $('message').className = error ? 'error' : '';
  }

  async function call(method, path, body) {
    const response = await fetch(path, {
      method,
      headers: body ? { 'Content-Type': 'application/json' } : {},
      body: body ? JSON.stringify(body) : undefined,
      credentials: 'same-origin',
    });
    const type = response.headers.get('Content-Type') || '';
    const payload = type.includes('json') ? await response.json() : await response.text();
    if (response.status === 401) {
      throw new Error('Sign in first: open /.auth/login/aad, then come back.');
    }
    if (!response.ok) {
      throw new Error((payload && (payload.detail || payload.title)) || `HTTP ${response.status}`);
    }
    return payload;
  }

  function money(order) {
    return `${order.currency} ${order.amount}`;
  }

  async function showList(kind, more) {
    $('timeline').hidden = true;
    if (!more) {
      listState = { kind, continuation: null };
      $('list-body').replaceChildren();
    }
    try {
      if (kind === 'catalogue') {
        // What this instance validates new orders against, per currency, and where it came from.
        const catalogue = await call('GET', 'ops/catalogue');
        $('list-title').textContent = 'Payment methods in force';
        $('list-head').replaceChildren(row(['Currency', 'Method', 'Pay type', 'State', 'Min', 'Max', 'Source'].map((h) => text('th', h))));
        for (const c of catalogue.currencies) {
          const source = c.source === 'live' ? `HaiPay, ${hkt(c.fetchedAt)}` : 'configured';
          const problem = c.lastProblem ? ` (last fetch ${hkt(c.attemptedAt)}: ${c.lastProblem})` : '';
          for (const m of c.methods) {
            $('list-body').appendChild(row([c.currency, `${m.inBankCode} ${m.name}`, m.payType, text('td', m.state, `state ${m.state}`),
              m.min, m.max, source + problem]));
          }
          for (const m of c.notConfigured) {
            $('list-body').appendChild(row([c.currency, `${m.inBankCode} ${m.name}`, '', 'listed by HaiPay, not configured', m.min, m.max, source]));
          }
        }
        $('more').hidden = true;
      } else if (kind === 'undelivered') {
        const events = await call('GET', 'ops/events/undelivered');
        $('list-title').textContent = `Undelivered storefront events (${events.length})`;
        $('list-head').replaceChildren(row(['Event', 'Order', 'Type', 'Attempts', 'Last result'].map((h) => text('th', h))));
        for (const e of events) {
          const link = text('td', '');
          link.appendChild(orderLink(e.orderId));
          $('list-body').appendChild(row([e.id, link, e.type, e.attempts, e.lastResult]));
        }
        $('more').hidden = true;
      } else {
        const query = new URLSearchParams({ limit: '50' });
        if (kind === 'today') {
          // Midnight in Hong Kong (UTC+8, no daylight saving): shift to HK wall time, truncate, shift back.
          const hkWall = new Date(Date.now() + 8 * 3600 * 1000);
          const midnight = Date.UTC(hkWall.getUTCFullYear(), hkWall.getUTCMonth(), hkWall.getUTCDate()) - 8 * 3600 * 1000;
          query.set('from', new Date(midnight).toISOString());
        } else {
          query.set('status', kind);
        }
        if (listState.continuation) query.set('continuation', listState.continuation);
        const page = await call('GET', `ops/orders?${query}`);
        $('list-title').textContent = { NeedsReview: 'Needs review', overdue: 'Not final past deadline', today: "Today's orders (HKT)" }[kind];
        $('list-head').replaceChildren(row(['Order', 'Status', 'Amount', 'Method', 'Created (HKT)', 'Updated (HKT)'].map((h) => text('th', h))));
        for (const o of page.orders) {
          const link = text('td', '');
          link.appendChild(orderLink(o.order.orderId));
          $('list-body').appendChild(row([link, text('td', o.order.status, `status ${o.order.status}`), money(o.order),
            o.order.inBankCode, hkt(o.order.createdAt), hkt(o.order.updatedAt)]));
        }
        listState.continuation = page.continuation;
        $('more').hidden = !page.continuation;
      }
      $('list').hidden = false;
      say($('list-body').children.length === 0 ? 'Nothing here.' : '');
    } catch (error) {
      say(error.message, true);
    }
  }

  function orderLink(orderId) {
    const a = document.createElement('a');
    a.href = `#${encodeURIComponent(orderId)}`;
    a.textContent = orderId;
    a.addEventListener('click', (event) => { event.preventDefault(); showTimeline(orderId); });
    return a;
  }

  async function showTimeline(orderId) {
    $('list').hidden = true;
    $('confirm').hidden = true;
    try {
      const t = await call('GET', `ops/orders/${encodeURIComponent(orderId)}`);
      current = t;
      const o = t.order.order;
      $('t-orderId').textContent = o.orderId;
      $('t-status').textContent = o.status;
      $('t-status').className = `status ${o.status}`;
      const facts = [
        ['Amount', money(o)], ['Method', `${o.payType} / ${o.inBankCode}`], ['HaiPay status', o.providerStatus],
        ['HaiPay order', o.orderNo], ['Collected', o.actualAmount ? `${o.currency} ${o.actualAmount}` : ''],
        ['Fee', o.fee ? `${o.currency} ${o.fee}` : ''], ['Paid at (HKT)', hkt(o.payTime)], ['Error', [o.errorCode, o.errorMessage].filter(Boolean).join(': ')],
        ['Resolution', o.resolutionNote ? `${o.resolutionNote} (${hkt(o.resolvedAt)})` : ''], ['Customer', `${t.order.name} ${t.order.phone} ${t.order.email}`],
        ['Apply attempts', t.order.applyAttempts], ['Created (HKT)', hkt(o.createdAt)], ['Updated (HKT)', hkt(o.updatedAt)],
      ];
      $('t-facts').replaceChildren(...facts.flatMap(([k, v]) => [text('dt', k), text('dd', v)]));
      $('t-events').replaceChildren(...t.events.map((e) => {
        const redeliver = document.createElement('button');
        redeliver.type = 'button';
        redeliver.textContent = 'Redeliver';
        redeliver.addEventListener('click', () => ask(`Send storefront event ${e.id} (${e.type}) again?`, false,
          () => call('POST', `ops/orders/${encodeURIComponent(o.orderId)}/events/${e.sequence}/redeliver`)));
        const cell = text('td', '');
        if (e.state !== 'Superseded') cell.appendChild(redeliver);
        return row([e.id, e.type, text('td', e.state, 'state'), e.attempts, e.lastResult, cell]);
      }));
      $('t-audit').replaceChildren(...t.audit.map((a) => row([
        hkt(a.at), [a.kind, a.reason].filter(Boolean).join(' · '),
        a.fromStatus || a.toStatus ? `${a.fromStatus || ''} → ${a.toStatus || ''}` : '',
        text('td', [a.detail, a.verification, a.errorCode && `${a.errorCode} ${a.errorMessage || ''}`].filter(Boolean).join(' · '), 'detail'),
        a.actor || '',
      ])));
      $('t-orchestration').textContent = t.orchestration
        ? `${t.orchestration.runtimeStatus}, created ${hkt(t.orchestration.createdAt)}, last updated ${hkt(t.orchestration.lastUpdatedAt)}`
        : 'No orchestration instance.';
      $('timeline').hidden = false;
      say('');
    } catch (error) {
      $('timeline').hidden = true;
      say(error.message, true);
    }
  }

  /** Asks for confirmation (and a note when needed) before an action; reloads the timeline after it. */
  function ask(question, needsNote, action) {
    pending = { needsNote, action };
    $('confirm-text').textContent = question;
    $('note').value = '';
    $('note').hidden = !needsNote;
    document.querySelector('label[for=note]').hidden = !needsNote;
    $('confirm').hidden = false;
    (needsNote ? $('note') : $('confirm-yes')).focus();
  }

  async function confirmed(event) {
    event.preventDefault();
    if (!pending) return;
    const note = $('note').value.trim();
    if (pending.needsNote && !note) {
      say('A note is required: say why.', true);
      return;
    }
    try {
      await pending.action(note);
      $('confirm').hidden = true;
      const orderId = current.order.order.orderId;
      pending = null;
      await showTimeline(orderId);
      say('Done.');
    } catch (error) {
      say(error.message, true);
    }
  }

  function act(name) {
    const orderId = current.order.order.orderId;
    const path = `ops/orders/${encodeURIComponent(orderId)}`;
    if (name === 'requery') ask(`Ask HaiPay about order ${orderId} now?`, false, () => call('POST', `${path}/requery`));
    if (name === 'restart') ask(`Start order ${orderId}'s orchestration again?`, false, () => call('POST', `${path}/restart`));
    if (name === 'cancel') ask(`Stop waiting for order ${orderId}? HaiPay has no cancel: a later success puts it in review.`, true,
      (note) => call('POST', `${path}/cancel`, { note }));
    if (name.startsWith('resolve-')) {
      const outcome = name.slice('resolve-'.length);
      ask(`Resolve order ${orderId} (${money(current.order.order)}) as ${outcome}?`, true,
        (note) => call('POST', `${path}/resolve`, { outcome, note }));
    }
  }

  document.addEventListener('DOMContentLoaded', () => {
    $('search').addEventListener('submit', (event) => { event.preventDefault(); showTimeline($('orderId').value.trim()); });
    for (const button of document.querySelectorAll('nav button')) {
      button.addEventListener('click', () => showList(button.dataset.list));
    }
    $('more').addEventListener('click', () => showList(listState.kind, true));
    for (const button of document.querySelectorAll('#actions button')) {
      button.addEventListener('click', () => act(button.dataset.action));
    }
    $('confirm').addEventListener('submit', confirmed);
    $('confirm-no').addEventListener('click', () => { $('confirm').hidden = true; pending = null; });
    if (location.hash.length > 1) showTimeline(decodeURIComponent(location.hash.slice(1)));
    else showList('NeedsReview');
  });
})();
