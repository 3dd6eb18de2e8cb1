// Supervisor dashboard: plain DOM and Chart.js (served by the API itself: works offline). Data is always
// written with textContent, never as HTML, so no text from the API can inject markup. The Chinese names of
// districts, stages, statuses, levels, categories and roles, and which roles may read each report, come
// from /dashboard/labels.js (generated from libs/domain and the access policy): nothing is copied here.
(function () {
  'use strict';
  const params = new URLSearchParams(location.search);
  const refreshSeconds = Math.max(1, Number(params.get('refresh')) || 15);
  const $ = (selector) => document.querySelector(selector);
  const LABELS = window.HOTLINE_LABELS || {};
  const name = (table, code) => (code == null ? null : (LABELS[table] || {})[code] || code);
  const zone = LABELS.calendarZone; // CALENDAR_ZONE (Asia/Shanghai)
  let token = sessionStorage.getItem('hotline-token');
  let user = JSON.parse(sessionStorage.getItem('hotline-user') || 'null');
  let timer;
  const charts = {};

  function cell(row, text) {
    const td = document.createElement('td');
    td.textContent = text == null ? '—' : String(text);
    row.appendChild(td);
  }
  const percent = (rate) => (rate == null ? '—' : `${(rate * 100).toFixed(1)}%`);
  const time = (iso) => new Date(iso).toLocaleString('zh-CN', { hour12: false, timeZone: zone });
  /** An ISO 8601 duration (how late a stage is, an extension asked for) in Chinese: PT26H5M as 26小时5分钟, P1D as 1天. */
  const duration = (iso) => {
    const match = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/.exec(iso || '');
    if (!match) return iso;
    const [, w, d, h, m, s] = match;
    const larger = w || d || h || m;
    return `${w ? `${w}周` : ''}${d ? `${d}天` : ''}${h ? `${h}小时` : ''}${m ? `${m}分钟` : ''}${s && !larger ? `${s}秒` : ''}` || '0分钟';
  };
  /** ['supervisor', 'admin'] as 督办或管理员. */
  const roleList = (roles) => {
    const names = roles.map((role) => name('roles', role));
    return names.length > 1 ? `${names.slice(0, -1).join('、')}或${names.at(-1)}` : names.join('');
  };

  /** A failed API call: the problem-details `status` and `detail` (kept for diagnostics, never shown). */
  class ApiError extends Error {
    constructor(status, detail) {
      super(detail || `HTTP ${status}`);
      this.status = status;
      this.detail = detail || '';
    }
  }

  /** What a panel says when its data cannot be shown: in Chinese, and what to do about it. */
  function panelMessage(error, permission) {
    const status = error instanceof ApiError ? error.status : -1;
    if (status === 401) return '登录已过期，请重新登录';
    if (status === 403) {
      const roles = (LABELS.permissions || {})[permission] || [];
      const needs = roles.length > 0 ? `此面板需要${roleList(roles)}角色` : '当前账号无权查看此面板';
      const role = user && user.role;
      return role ? `${needs}，当前账号为 ${role}（${name('roles', role)}）` : needs;
    }
    if (status === 0 || status >= 500) return '服务暂不可用，稍后自动重试';
    if (status === 429) return '请求过于频繁，稍后自动重试';
    if (status === 400 || status === 404) return `请求有误（${status}），请刷新页面；仍出现请联系管理员`;
    if (status > 0) return `读取失败（${status}），稍后自动重试；仍出现请联系管理员`;
    return '数据显示出错，稍后自动重试；仍出现请联系管理员';
  }

  function showPanelError(ids, message, detail) {
    for (const id of ids) {
      const element = document.getElementById(`${id}-error`);
      element.textContent = message;
      element.dataset.detail = detail || '';
      element.closest('section').classList.toggle('unavailable', message !== '');
    }
  }

  /** GET `path`, or POST `body` to it, with the user's token; a failure throws an ApiError (401 also signs out). */
  async function api(path, body) {
    let response;
    const headers = token ? { Authorization: `Bearer ${token}` } : {};
    try {
      // no-store: the public endpoints are cacheable for a minute, but a live board must not show stale data.
      response = await fetch(
        path,
        body === undefined
          ? { cache: 'no-store', headers }
          : { method: 'POST', cache: 'no-store', headers: { ...headers, 'Content-Type': 'application/json' }, body: JSON.stringify(body) },
      );
    } catch (error) {
      throw new ApiError(0, String(error && error.message));
    }
    if (!response.ok) {
      const problem = await response.json().catch(() => ({}));
      const error = new ApiError(Number(problem.status) || response.status, problem.detail);
      if (error.status === 401) signOut(panelMessage(error));
      throw error;
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
      [item.ticketNumber, item.companyName, name('districts', item.district), name('categories', item.category), name('stages', item.stage),
        time(item.dueAt), duration(item.overdueBy), name('levels', item.escalationLevel), name('statuses', item.status)].forEach((text) => cell(row, text));
      body.appendChild(row);
    }
    $('#overdue-count').textContent = String(rows.length);
    $('#overdue-empty').hidden = rows.length > 0;
  }

  /** Who may decide extension requests (督办), from the access policy. */
  const mayDecide = () => Boolean(user) && ((LABELS.permissions || {})['extensions.decide'] || []).includes(user.role);
  let extensionsShown = null;

  /**
   * The extension queue, oldest request first, with 批准 / 驳回 for those who may decide. Rebuilt only when
   * the queue changed, and keeping any reason being typed, so the refresh never takes a row from under a click.
   */
  function renderExtensions(tickets, companies) {
    const companyName = new Map(companies.map((company) => [company.id, company.name]));
    const shown = JSON.stringify([mayDecide(), tickets.map((t) => [t.id, t.extension.requestedAt, t.stages[t.extension.stage]?.dueAt, companyName.get(t.companyId)])]);
    $('#extensions-count').textContent = String(tickets.length);
    $('#extensions-empty').hidden = tickets.length > 0;
    if (shown === extensionsShown) return;
    extensionsShown = shown;
    const body = $('#extensions tbody');
    const typed = new Map([...body.querySelectorAll('tr')].map((row) => [row.dataset.id, row.querySelector('input')?.value || '']));
    body.replaceChildren();
    for (const ticket of tickets) {
      const { extension } = ticket;
      const row = document.createElement('tr');
      row.dataset.id = ticket.id;
      row.dataset.ticket = ticket.number;
      const stage = ticket.stages[extension.stage];
      [ticket.number, companyName.get(ticket.companyId), name('stages', extension.stage), duration(extension.extendBy), extension.reason, extension.requestedBy,
        time(extension.requestedAt), stage ? time(stage.dueAt) : null].forEach((text) => cell(row, text));
      const decideCell = document.createElement('td');
      decideCell.className = 'decide';
      if (mayDecide()) {
        const reason = document.createElement('input');
        reason.placeholder = '驳回理由（可选）';
        reason.maxLength = 2000;
        reason.value = typed.get(ticket.id) || '';
        const approve = document.createElement('button');
        approve.textContent = '批准';
        approve.className = 'approve';
        approve.addEventListener('click', () => decide(ticket, 'approve', row));
        const reject = document.createElement('button');
        reject.textContent = '驳回';
        reject.className = 'reject';
        reject.addEventListener('click', () => decide(ticket, 'reject', row));
        decideCell.append(reason, approve, reject);
      } else {
        decideCell.textContent = `仅${roleList((LABELS.permissions || {})['extensions.decide'] || [])}可审批`;
      }
      row.appendChild(decideCell);
      body.appendChild(row);
    }
  }

  /** What the page says when a decision fails: in Chinese, and what to do about it. */
  function decisionMessage(error) {
    const status = error instanceof ApiError ? error.status : -1;
    if (status === 403) return `只有${roleList((LABELS.permissions || {})['extensions.decide'] || [])}可以审批延期`;
    if (status === 404) return '工单不存在或已无权查看，列表已刷新';
    if (status === 409) return '该申请已被处理，或已不能批准（环节已完成、工单已结束），列表已刷新';
    if (status === 400) return '驳回理由有误（最多2000字），请修改后重试';
    if (status === 0 || status >= 500) return '服务暂不可用，未做任何更改，请稍后重试';
    if (status === 429) return '请求过于频繁，请稍后重试';
    if (status > 0) return `审批失败（${status}），请稍后重试；仍出现请联系管理员`;
    return '审批出错，请刷新页面后重试';
  }

  function showDecision(message, failed, detail) {
    const result = $('#extensions-result');
    result.textContent = message;
    result.classList.toggle('failed', failed);
    result.dataset.detail = detail || '';
  }

  /** 批准 (empty body) or 驳回 (the reason, if one was typed) one request, then reload the queue. */
  async function decide(ticket, verdict, row) {
    const buttons = [...row.querySelectorAll('button')];
    buttons.forEach((button) => (button.disabled = true));
    const reason = (row.querySelector('input')?.value || '').trim();
    const stageName = name('stages', ticket.extension.stage);
    try {
      const updated = await api(`/tickets/${ticket.id}/extension/${verdict}`, verdict === 'reject' && reason ? { reason } : {});
      const stage = updated.stages[ticket.extension.stage];
      showDecision(
        verdict === 'approve'
          ? `已批准 ${ticket.number} 的延期申请，“${stageName}”环节时限延至 ${stage ? time(stage.dueAt) : '—'}`
          : `已驳回 ${ticket.number} 的延期申请`,
        false,
      );
    } catch (error) {
      if (!token) return; // signed out (401): the sign-in form says so
      showDecision(decisionMessage(error), true, error instanceof ApiError ? `${error.status} ${error.detail}` : String(error));
      buttons.forEach((button) => (button.disabled = false));
    }
    extensionsShown = null;
    await loadExtensions();
  }

  function loadExtensions() {
    return load(() => Promise.all([api('/tickets?extension=PENDING&limit=50'), api('/companies')]), ['extensions'], 'tickets.read', ([page, companies]) =>
      renderExtensions(page.items, companies));
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

  /**
   * 热点楼栋: the buildings most tickets came from in the week (GET /reports/hotspots), the district in its own
   * column; a building with a suspected outage (疑似片区停热) is marked.
   */
  function renderHotspots(buildings) {
    const body = $('#hotspots tbody');
    body.replaceChildren();
    for (const item of buildings) {
      const row = document.createElement('tr');
      row.dataset.place = item.place;
      if (item.suspectedOutages > 0) row.className = 'outage';
      const district = name('districts', item.district);
      const place = item.place.startsWith(`${district} `) ? item.place.slice(district.length + 1) : item.place;
      [item.rank, place, district, item.tickets, item.repeatCalls, item.suspectedOutages].forEach((text) => cell(row, text));
      body.appendChild(row);
    }
    $('#hotspots-outages').textContent = String(buildings.filter((item) => item.suspectedOutages > 0).length);
    $('#hotspots-empty').hidden = buildings.length > 0;
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

  /** Loads one endpoint (a path, or a function fetching several) into its panels: on success clears their message, on failure shows it. */
  function load(source, panels, permission, render) {
    return (typeof source === 'function' ? source() : api(source))
      .then((body) => {
        render(body);
        showPanelError(panels, '');
      })
      .catch((error) => {
        if (!token) return; // signed out (401): the sign-in form says so
        showPanelError(panels, panelMessage(error, permission), error instanceof ApiError ? `${error.status} ${error.detail}` : String(error));
      });
  }

  async function refresh() {
    const to = new Date(Date.now() + 60_000);
    const from = new Date(to.getTime() - 7 * 86_400_000);
    const range = `from=${encodeURIComponent(from.toISOString())}&to=${encodeURIComponent(to.toISOString())}`;
    await Promise.all([
      load('/reports/overdue', ['overdue'], 'reports.overdue', renderOverdue),
      loadExtensions(),
      load(`/public/companies?${range}`, ['league'], null, (body) => renderLeague(Array.isArray(body) ? body : body.items || [])),
      load(`/reports/trends?${range}`, ['by-day', 'by-district'], 'reports.performance', (body) => {
        chart('by-day', body.byDay.map((d) => d.day), body.byDay.map((d) => d.tickets), body.byDay.map((d) => d.overdue));
        chart('by-district', body.byDistrict.map((d) => name('districts', d.district)), body.byDistrict.map((d) => d.tickets), body.byDistrict.map((d) => d.overdue));
      }),
      load(`/reports/hotspots?${range}&limit=10`, ['hotspots'], 'reports.performance', (body) => renderHotspots(body.buildings)),
      load('/escalations?level=WARNING&limit=10', ['warnings'], 'escalations.read', (page) =>
        renderList('#warnings', page.items, (w) => `${time(w.firedAt)} · ${w.ticketNumber} · “${name('stages', w.stage)}”环节约谈`)),
      load('/public/notices?limit=10', ['notices'], null, (page) => renderList('#notices', page.items, (n) => `${time(n.publishedAt)} · ${n.text}`)),
    ]);
    $('#updated').textContent = new Date().toLocaleTimeString('zh-CN', { hour12: false, timeZone: zone });
    document.body.dataset.refreshed = String(Date.now());
  }

  function refreshSafely() {
    refresh().then(
      () => ($('#board-error').textContent = ''),
      () => ($('#board-error').textContent = '看板刷新出错，稍后自动重试；仍出现请刷新页面'),
    );
  }

  function showBoard() {
    $('#login-panel').hidden = true;
    $('#board').hidden = false;
    $('#logout').hidden = false;
    $('#who').textContent = user ? `${user.username}（${name('roles', user.role)}）` : '';
    $('#every').textContent = String(refreshSeconds);
    clearInterval(timer);
    refreshSafely();
    timer = setInterval(refreshSafely, refreshSeconds * 1000);
  }

  function signOut(message) {
    token = null;
    user = null;
    extensionsShown = null;
    showDecision('', false);
    sessionStorage.removeItem('hotline-token');
    sessionStorage.removeItem('hotline-user');
    clearInterval(timer);
    $('#board').hidden = true;
    $('#logout').hidden = true;
    $('#who').textContent = '';
    $('#login-panel').hidden = false;
    $('#login-error').textContent = message || '';
  }

  /** What the sign-in form says when POST /auth/login fails. */
  function loginMessage(status) {
    if (status === 401) return '用户名或密码错误，请重新输入';
    if (status === 400) return '请输入用户名和密码';
    if (status === 429) return '登录尝试过多，请稍后再试';
    return '服务暂不可用，请稍后再试';
  }

  $('#login').addEventListener('submit', async (event) => {
    event.preventDefault();
    const form = new FormData(event.target);
    let response;
    try {
      response = await fetch('/auth/login', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ username: form.get('username'), password: form.get('password') }),
      });
    } catch {
      $('#login-error').textContent = loginMessage(0);
      return;
    }
    const body = await response.json().catch(() => ({}));
    if (!response.ok) {
      $('#login-error').textContent = loginMessage(Number(body.status) || response.status);
      $('#login-error').dataset.detail = body.detail || '';
      return;
    }
    token = body.accessToken;
    user = body.user;
    sessionStorage.setItem('hotline-token', token);
    sessionStorage.setItem('hotline-user', JSON.stringify(user));
    $('#login-error').textContent = '';
    showBoard();
  });
  $('#logout').addEventListener('click', () => signOut());
  if (token) showBoard();
})();
