/**
 * The dashboard: a static page and script, no framework. The page holds no data; the
 * script fetches the JSON API and renders every value with textContent (never innerHTML),
 * so a customer named like an HTML tag shows as text.
 */
export const DASHBOARD_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>ordersync</title>
<link rel="stylesheet" href="/dashboard.css">
</head>
<body>
<header><h1>ordersync <span id="env"></span></h1><span id="updated"></span> <button id="refresh" type="button">Refresh</button></header>
<form id="auth" hidden><label>Dashboard token <input id="token" type="password" autocomplete="off"></label> <button type="submit">Open</button> <span id="auth-error"></span></form>
<main id="main" hidden>
<section><h2>Backlog</h2><dl id="backlog"></dl>
<table id="states"><thead><tr><th>Table</th><th>State</th><th>Action</th><th>Rows</th></tr></thead><tbody></tbody></table></section>
<section><h2>Last runs</h2>
<table id="runs"><thead><tr><th>Run</th><th>Command</th><th>Status</th><th>Started</th><th>Duration</th><th>Requests</th><th>Complexity</th><th>Verdict</th></tr></thead><tbody></tbody></table></section>
<section><h2>Errors by code</h2>
<table id="errors"><thead><tr><th>Code</th><th>Orders</th><th>Lines</th><th>Example</th><th>Column</th><th>Value</th><th>Message</th><th>What to do</th></tr></thead><tbody></tbody></table></section>
<section><h2>Customers</h2>
<table id="customers"><thead><tr><th>Customer</th><th>Season</th><th>Orders</th><th>Synced</th><th>Units synced</th><th>Pending</th><th>Error</th><th>Cancelled</th><th>Progress</th><th>Last run</th></tr></thead><tbody></tbody></table></section>
<section><h2>Order lookup</h2>
<form id="lookup"><input id="order-key" placeholder="order key" autocomplete="off"> <button type="submit">Show history</button></form>
<div id="order"><p id="order-summary"></p>
<table id="order-events"><thead><tr><th>When</th><th>Run</th><th>Size</th><th>Operation</th><th>Outcome</th><th>Code</th><th>Column</th><th>Value</th><th>Message</th></tr></thead><tbody></tbody></table>
<table id="order-api"><thead><tr><th>When</th><th>Run</th><th>Operation</th><th>HTTP</th><th>ms</th><th>Request id</th></tr></thead><tbody></tbody></table></div>
</section>
</main>
<script src="/dashboard.js"></script>
</body>
</html>
`;

export const DASHBOARD_CSS = `body{font:14px system-ui,sans-serif;margin:1.5em;color:#222}
header{display:flex;gap:1em;align-items:baseline}
table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #ccc;padding:.2em .5em;text-align:left;vertical-align:top}
.status-FAILED,.band-FAILED{background:#fdd}.status-DEGRADED,.band-DEGRADED{background:#ffd}.status-OK,.band-OK{background:#dfd}
dl{display:grid;grid-template-columns:max-content auto;gap:.2em 1em}dt{font-weight:600}
progress{width:8em}
`;

export const DASHBOARD_JS = `'use strict';
(function () {
  var token = sessionStorage.getItem('ordersync-token') || '';
  function $(id) { return document.getElementById(id); }
  function api(path) {
    var headers = token ? { Authorization: 'Bearer ' + token } : {};
    return fetch(path, { headers: headers, cache: 'no-store' }).then(function (res) {
      if (res.status === 401) { showAuth(); throw new Error('unauthorized'); }
      if (!res.ok) throw new Error('HTTP ' + res.status);
      return res.json();
    });
  }
  function cell(tr, value, cls) {
    var td = document.createElement('td');
    td.textContent = value === null || value === undefined ? '' : String(value);
    if (cls) td.className = cls;
    tr.appendChild(td);
    return td;
  }
  function fill(tableId, rows, render) {
    var body = $(tableId).querySelector('tbody');
    body.replaceChildren();
    rows.forEach(function (r) { var tr = document.createElement('tr'); render(tr, r); body.appendChild(tr); });
    if (rows.length === 0) { var tr = document.createElement('tr'); var td = cell(tr, 'none'); td.colSpan = 12; body.appendChild(tr); }
  }
  function pct(x) { return x === null || x === undefined ? '—' : (x * 100).toFixed(1) + '%'; }
  function term(dl, name, value) {
    var dt = document.createElement('dt'); dt.textContent = name;
    var dd = document.createElement('dd'); dd.textContent = value;
    dl.appendChild(dt); dl.appendChild(dd);
  }
  function showAuth() { $('auth').hidden = false; $('main').hidden = true; }
  function load() {
    return api('/api/overview').then(function (o) {
      $('auth').hidden = true; $('main').hidden = false;
      $('env').textContent = o.env;
      $('updated').textContent = 'as of ' + o.at;
      var b = o.backlog, dl = $('backlog');
      dl.replaceChildren();
      term(dl, 'Pending orders', b.pendingOrders);
      term(dl, 'Pending lines', b.pendingLines);
      term(dl, 'Oldest pending', b.oldestPendingSince ? b.oldestPendingSince + ' (' + Math.round(b.oldestPendingMinutes) + ' min, ' + b.oldestPendingKey + ')' : '—');
      term(dl, 'In flight', b.inFlightOrders + ' orders, ' + b.inFlightLines + ' lines' + (b.oldestInFlightSince ? ' since ' + b.oldestInFlightSince : ''));
      fill('states', o.rows, function (tr, r) { cell(tr, r.table); cell(tr, r.sync_state); cell(tr, r.action); cell(tr, r.count); });
      fill('runs', o.runs, function (tr, r) {
        cell(tr, '#' + r.id); cell(tr, r.command); cell(tr, r.status, 'status-' + r.status); cell(tr, r.started_at);
        cell(tr, r.duration_s === null ? 'running' : r.duration_s.toFixed(1) + ' s'); cell(tr, r.requests); cell(tr, r.complexity_used); cell(tr, r.verdict || r.error || '');
      });
      fill('errors', o.errors, function (tr, e) {
        cell(tr, e.code); cell(tr, e.orders); cell(tr, e.lines); cell(tr, e.exampleKey); cell(tr, e.column); cell(tr, e.value); cell(tr, e.exampleMessage); cell(tr, e.action);
      });
      fill('customers', o.customers, function (tr, c) {
        cell(tr, c.customer); cell(tr, c.season); cell(tr, c.orders); cell(tr, c.synced); cell(tr, c.unitsSynced); cell(tr, c.pending); cell(tr, c.error); cell(tr, c.cancelled);
        var td = cell(tr, ''); var p = document.createElement('progress');
        var active = c.orders - c.cancelled; p.max = active > 0 ? active : 1; p.value = c.synced; td.appendChild(p);
        cell(tr, pct(c.successRate) + ' ' + (c.band === 'NO_RECORDS' ? '' : c.band), 'band-' + c.band);
      });
    }).catch(function (err) { if (err.message !== 'unauthorized') $('updated').textContent = 'error: ' + err.message; });
  }
  function lookup(key) {
    return api('/api/order?key=' + encodeURIComponent(key)).then(function (h) {
      var o = h.order;
      $('order-summary').textContent = o
        ? o.order_key + ' — ' + (o.customer || '') + ' ' + (o.customer_season || '') + ': ' + o.sync_state + ' / ' + o.action + (o.monday_item_id ? ', item ' + o.monday_item_id : '') + (o.last_error_code ? ', last error ' + o.last_error_code + ': ' + o.last_error : '')
        : 'no order ' + key;
      fill('order-events', h.events, function (tr, e) {
        cell(tr, e.created_at); cell(tr, '#' + e.run_id); cell(tr, e.size); cell(tr, e.operation); cell(tr, e.outcome); cell(tr, e.error_code); cell(tr, e.column_id); cell(tr, e.value); cell(tr, e.error_message);
      });
      fill('order-api', h.api, function (tr, a) { cell(tr, a.created_at); cell(tr, '#' + a.run_id); cell(tr, a.operation); cell(tr, a.status); cell(tr, a.duration_ms); cell(tr, a.request_id); });
    });
  }
  $('auth').addEventListener('submit', function (ev) {
    ev.preventDefault(); token = $('token').value; sessionStorage.setItem('ordersync-token', token); load();
  });
  $('lookup').addEventListener('submit', function (ev) { ev.preventDefault(); var k = $('order-key').value.trim(); if (k) lookup(k); });
  $('refresh').addEventListener('click', load);
  var initial = new URLSearchParams(location.search).get('order');
  load().then(function () { if (initial) { $('order-key').value = initial; lookup(initial); } });
  setInterval(load, 30000);
})();
`;
