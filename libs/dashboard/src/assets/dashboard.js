// Supervisor dashboard: plain DOM and Chart.js (served by the API itself: works offline). Data is always
// written with textContent, never as HTML, so no text from the API can inject markup.
(function () {
  'use strict';
  const params = new URLSearchParams(location.search);
  const refreshSeconds = Math.max(1, Number(params.get('refresh')) || 15);
  const $ = (selector) => document.querySelector(selector);
  const STAGES = { accept: '接收', contact: '联系', visit: '上门', reply: '回复', remediate: '整改' };
  const LEVELS = { DUE_SOON: '黄灯', OVERDUE: '逾期', WARNING: '约谈', PUBLIC_NOTICE: '通报', NONE: '—' };
  let token = sessionStorage.getItem('hotline-token');
  let timer;
  const charts = {};

  function cell(row, text) {
    const td = document.createElement('td');
    td.textContent = text == null ? '—' : String(text);
    row.appendChild(td);
  }
  const percent = (rate) => (rate == null ? '—' : `${(rate * 100).toFixed(1)}%`);
  const time = (iso) => new Date(iso).toLocaleString('zh-CN', { hour12: false, timeZone: 'Asia/Shanghai' });
  const isoDay = (date) => date.toISOString().slice(0, 10);

  async function api(path) {
    // no-store: the public endpoints are cacheable for a minute, but a live board must not show stale data.
    const response = await fetch(path, { cache: 'no-store', headers: token ? { Authorization: `Bearer ${token}` } : {} });
    if (response.status === 401) {
      signOut('登录已过期，请重新登录 Session expired');
      throw new Error('unauthorised');
    }
    if (!response.ok) {
      const problem = await response.json().catch(() => ({}));
      throw new Error(`${path}: ${problem.detail || response.status}`);
    }
    return response.json();
  }

  function renderOverdue(rows) {
    const body = $('#overdue tbody');
    body.replaceChildren();
    for (const item of rows) {
      const row = document.createElement('tr');
      row.className = `level-${item.escalationLevel}`;
      row.dataset.ticket = item.ticketNumber;
      [item.ticketNumber, item.companyName, item.district, STAGES[item.stage] || item.stage, time(item.dueAt), item.overdueBy,
        LEVELS[item.escalationLevel] || item.escalationLevel, item.status].forEach((text) => cell(row, text));
      body.appendChild(row);
    }
    $('#overdue-count').textContent = String(rows.length);
    $('#overdue-empty').hidden = rows.length > 0;
  }

  function renderLeague(rows) {
    const body = $('#league tbody');
    body.replaceChildren();
    rows.forEach((item, index) => {
      const row = document.createElement('tr');
      [index + 1, item.companyName, item.dispatched, percent(item.onTimeRate), percent(item.satisfactionRate), item.notices].forEach((text) => cell(row, text));
      body.appendChild(row);
    });
  }

  function renderList(selector, items, text) {
    const list = $(selector);
    list.replaceChildren();
    for (const item of items) {
      const li = document.createElement('li');
      li.textContent = text(item);
      list.appendChild(li);
    }
    if (items.length === 0) {
      const li = document.createElement('li');
      li.className = 'empty';
      li.textContent = '暂无 None';
      list.appendChild(li);
    }
  }

  function chart(id, labels, tickets, overdue) {
    const data = {
      labels,
      datasets: [
        { label: '工单 Tickets', data: tickets, backgroundColor: '#3f7cc0' },
        { label: '逾期 Overdue', data: overdue, backgroundColor: '#c62828' },
      ],
    };
    if (charts[id]) {
      charts[id].data = data;
      charts[id].update();
    } else {
      charts[id] = new Chart(document.getElementById(id), { type: 'bar', data, options: { animation: false, responsive: true, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } } });
    }
  }

  async function refresh() {
    const to = new Date(Date.now() + 60_000);
    const from = new Date(to.getTime() - 7 * 86_400_000);
    const range = `from=${encodeURIComponent(from.toISOString())}&to=${encodeURIComponent(to.toISOString())}`;
    const errors = [];
    const load = (path, render) => api(path).then(render).catch((error) => errors.push(error.message));
    await Promise.all([
      load('/reports/overdue', renderOverdue),
      load(`/public/companies?${range}`, (body) => renderLeague(Array.isArray(body) ? body : body.items || [])),
      load(`/reports/trends?${range}`, (body) => {
        chart('by-day', body.byDay.map((d) => d.day), body.byDay.map((d) => d.tickets), body.byDay.map((d) => d.overdue));
        chart('by-district', body.byDistrict.map((d) => d.district), body.byDistrict.map((d) => d.tickets), body.byDistrict.map((d) => d.overdue));
      }),
      load('/escalations?level=WARNING', (rows) =>
        renderList('#warnings', rows.slice(0, 10), (w) => `${time(w.firedAt)} · ${w.ticketNumber} · ${STAGES[w.stage] || w.stage}环节约谈`)),
      load('/public/notices?limit=10', (page) => renderList('#notices', page.items, (n) => `${time(n.publishedAt)} · ${n.text}`)),
    ]);
    $('#updated').textContent = new Date().toLocaleTimeString('zh-CN', { hour12: false });
    $('#board-error').textContent = errors.join(' · ');
    document.body.dataset.refreshed = String(Date.now());
  }

  function showBoard(user) {
    $('#login-panel').hidden = true;
    $('#board').hidden = false;
    $('#logout').hidden = false;
    $('#who').textContent = user ? `${user.username}（${user.role}）` : '';
    $('#every').textContent = String(refreshSeconds);
    clearInterval(timer);
    refresh();
    timer = setInterval(refresh, refreshSeconds * 1000);
  }

  function signOut(message) {
    token = null;
    sessionStorage.removeItem('hotline-token');
    clearInterval(timer);
    $('#board').hidden = true;
    $('#logout').hidden = true;
    $('#login-panel').hidden = false;
    $('#login-error').textContent = message || '';
  }

  $('#login').addEventListener('submit', async (event) => {
    event.preventDefault();
    const form = new FormData(event.target);
    const response = await fetch('/auth/login', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: form.get('username'), password: form.get('password') }),
    });
    const body = await response.json().catch(() => ({}));
    if (!response.ok) {
      $('#login-error').textContent = body.detail || '登录失败 Sign-in failed';
      return;
    }
    token = body.accessToken;
    sessionStorage.setItem('hotline-token', token);
    sessionStorage.setItem('hotline-user', JSON.stringify(body.user));
    showBoard(body.user);
  });
  $('#logout').addEventListener('click', () => signOut());
  if (token) showBoard(JSON.parse(sessionStorage.getItem('hotline-user') || 'null'));
})();
