// The Flowcast dashboard: plain JavaScript, no build step. Talks to the admin API with the token
// kept in this tab (sessionStorage), and follows /api/events (Server-Sent Events read with fetch,
// since EventSource cannot send an Authorization header).
'use strict';
(function () {
  const HOUR = 3600;
  const state = { token: sessionStorage.getItem('flowcast-token') || '', flows: [], history: [[], [], []], chart: undefined, built: new Map() };
  const $ = (selector, root = document) => root.querySelector(selector);
  const el = (tag, attributes = {}, ...children) => {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attributes)) {
      if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
      else if (v !== undefined && v !== false) node.setAttribute(k, v === true ? '' : String(v));
    }
    for (const child of children) node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    return node;
  };

  async function api(method, path, body) {
    const response = await fetch(path, {
      method,
      headers: Object.assign({ authorization: 'Bearer ' + state.token }, body === undefined ? {} : { 'content-type': 'application/json' }),
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const answer = await response.json().catch(() => ({}));
    if (response.status === 401) logout('the token was refused');
    if (!response.ok) throw new Error((answer.error && answer.error.message) || 'HTTP ' + response.status);
    return answer;
  }

  function logout(why) {
    sessionStorage.removeItem('flowcast-token');
    state.token = '';
    $('#main').hidden = true;
    $('#login').hidden = false;
    $('#status').textContent = why || 'not connected';
  }

  /** The hour behind: the server keeps a point every 10 s. */
  async function loadHistory() {
    const { points } = await api('GET', '/api/history');
    const [times, listeners, bitrate] = state.history;
    for (const point of points) {
      const flows = Object.values(point.flows);
      times.push(point.time / 1000);
      listeners.push(flows.reduce((n, f) => n + f.listeners, 0));
      bitrate.push(flows.reduce((n, f) => n + f.bitrate, 0) / 1000);
    }
  }

  async function follow() {
    $('#status').textContent = 'connecting…';
    try {
      if (state.history[0].length === 0) await loadHistory().catch(() => undefined);
      const response = await fetch('/api/events', { headers: { authorization: 'Bearer ' + state.token } });
      if (response.status === 401) return logout('the token was refused');
      if (!response.ok) throw new Error('HTTP ' + response.status);
      $('#login').hidden = true;
      $('#main').hidden = false;
      $('#status').textContent = 'live';
      const reader = response.body.getReader();
      const decoder = new TextDecoder();
      let buffered = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffered += decoder.decode(value, { stream: true });
        const events = buffered.split('\n\n');
        buffered = events.pop();
        for (const event of events) {
          const name = (event.match(/^event: (.*)$/m) || [])[1];
          const data = (event.match(/^data: (.*)$/m) || [])[1];
          if (name && data) handle(name, JSON.parse(data));
        }
      }
    } catch (error) {
      $('#status').textContent = 'disconnected (' + error.message + '); retrying';
    }
    if (state.token) setTimeout(follow, 2000);
  }

  function handle(name, data) {
    if (name === 'flows') {
      state.flows = data.flows;
      render();
      record();
      refreshListeners();
    } else if (name === 'levels') {
      for (const [component, levels] of Object.entries(data.levels)) {
        const meter = document.querySelector(`[data-meter="${CSS.escape(data.flow + '/' + component)}"]`) || addMeter(data.flow, component);
        if (!meter) continue;
        const peak = Math.max(...levels.peak);
        meter.dataset.level = String(peak);
        // -60 dBFS and below is an empty meter, 0 dBFS a full one.
        meter.firstChild.style.width = Math.max(0, Math.min(100, ((peak + 60) / 60) * 100)) + '%';
        meter.title = peak.toFixed(1) + ' dBFS';
      }
    }
  }

  /** A meter for a component that measures its audio (a converter, a switch), once it reports levels. */
  function addMeter(flowName, component) {
    const box = state.built.get(flowName);
    if (!box) return undefined;
    const meter = el('span', { class: 'meter', 'data-meter': flowName + '/' + component, 'data-level': '-200' }, el('div'));
    $('.meters', box).append(el('label', {}, component + ' level ', meter));
    return meter;
  }

  function streamUrls(flow) {
    return flow.urls.map((u) => u.replace(/^[^:]*: /, '')).filter((u) => /^https?:/.test(u));
  }

  function render() {
    const root = $('#flows');
    for (const flow of state.flows) {
      let box = state.built.get(flow.name);
      if (!box) {
        box = buildFlow(flow);
        state.built.set(flow.name, box);
        root.append(box);
      }
      box.dataset.mood = flow.mood;
      const badge = $('.badge', box);
      badge.className = 'badge mood-' + flow.mood;
      badge.textContent = flow.mood;
      $('.reason', box).textContent = flow.reason;
      // Where a streamer knows it: how old the newest buffer was when it reached the streamer.
      const latencies = flow.components
        .map((c) => [c.name, ((flow.componentStats || {})[c.name] || {}).pipelineLatencyMs])
        .filter(([, ms]) => typeof ms === 'number')
        .map(([name, ms]) => ` · ${name}: pipeline latency ${(ms / 1000).toFixed(2)} s`);
      $('.numbers', box).textContent = `${flow.listeners} listening · ${Math.round(flow.bitrate / 1000)} kbit/s out${latencies.join('')}`;
      for (const c of flow.components) {
        const node = box.querySelector(`[data-component="${CSS.escape(c.name)}"]`);
        if (!node) continue;
        node.className = 'node mood-' + c.mood;
        node.dataset.mood = c.mood;
        node.title = c.reason;
        // A component that does not play shows no level (not its last one).
        const meter = box.querySelector(`[data-meter="${CSS.escape(flow.name + '/' + c.name)}"]`);
        if (meter && c.mood !== 'happy' && c.mood !== 'hungry') {
          meter.dataset.level = '-200';
          meter.firstChild.style.width = '0%';
        }
      }
    }
    for (const [name, box] of state.built) {
      if (!state.flows.some((f) => f.name === name)) {
        box.remove();
        state.built.delete(name);
      }
    }
  }

  function buildFlow(flow) {
    const control = (action) => el('button', { 'data-action': action, onclick: () => api('POST', `/api/flows/${encodeURIComponent(flow.name)}/${action}`).catch(show) }, action);
    const message = el('span', { class: 'message' });
    const show = (error) => {
      message.className = 'message error';
      message.textContent = error.message;
    };
    const graph = el('div', { class: 'graph' });
    flow.components.forEach((c, i) => {
      if (i > 0) graph.append(el('span', { class: 'arrow' }, c.eats.length ? '→' : '·'));
      graph.append(el('div', { class: 'node mood-' + c.mood, 'data-component': c.name, 'data-mood': c.mood }, c.name, el('small', {}, c.type)));
    });
    const props = el('div', { class: 'props' });
    for (const c of flow.components) {
      const names = Object.keys(c.live);
      if (names.length === 0) continue;
      const form = el('form', { 'data-form': c.name });
      form.append(el('strong', {}, c.name + ': '));
      for (const p of names) {
        const schema = c.live[p];
        const numeric = schema.type === 'number' || schema.type === 'integer';
        form.append(el('label', {}, p + ' ', el('input', { name: p, value: c.properties[p], type: numeric ? 'number' : 'text', step: schema.type === 'integer' ? 1 : 'any', min: schema.minimum, max: schema.maximum })));
      }
      form.append(el('button', { type: 'submit' }, 'apply'));
      form.addEventListener('submit', (event) => {
        event.preventDefault();
        const changes = {};
        for (const input of form.querySelectorAll('input')) {
          if (input.value.trim() === '') continue; // left empty: not set, not changed
          const schema = c.live[input.name];
          const value = schema.type === 'number' || schema.type === 'integer' ? Number(input.value) : input.value;
          if (String(value) !== String(c.properties[input.name])) changes[input.name] = value;
        }
        if (Object.keys(changes).length === 0) return;
        api('PATCH', `/api/flows/${encodeURIComponent(flow.name)}/components/${encodeURIComponent(c.name)}`, changes)
          .then(() => {
            Object.assign(c.properties, changes);
            message.className = 'message ok';
            message.textContent = 'applied and saved';
          })
          .catch(show);
      });
      props.append(form);
    }
    const meters = el('div', { class: 'meters' });
    for (const c of flow.components) {
      if (c.type !== 'producer-test' && !/^producer-/.test(c.type)) continue;
      meters.append(el('label', {}, c.name + ' level ', el('span', { class: 'meter', 'data-meter': flow.name + '/' + c.name, 'data-level': '-200' }, el('div'))));
    }
    const players = el('div', { class: 'players' });
    for (const url of streamUrls(flow)) players.append(el('div', {}, el('audio', { controls: true, preload: 'none', src: url }), ' ', el('a', { href: url }, url)));
    return el(
      'div',
      { class: 'flow', 'data-flow': flow.name, 'data-mood': flow.mood },
      el('h3', {}, flow.name, el('span', { class: 'badge mood-' + flow.mood }, flow.mood), control('start'), control('stop'), control('restart'), message),
      el('div', { class: 'reason' }),
      el('div', { class: 'numbers' }),
      graph,
      meters,
      props,
      players,
    );
  }

  /** The chart: listeners and bitrate over the last hour, one point per update. */
  function record() {
    const now = Date.now() / 1000;
    const [times, listeners, bitrate] = state.history;
    times.push(now);
    listeners.push(state.flows.reduce((n, f) => n + f.listeners, 0));
    bitrate.push(state.flows.reduce((n, f) => n + f.bitrate, 0) / 1000);
    while (times.length && times[0] < now - HOUR) for (const series of state.history) series.shift();
    if (!state.chart) {
      state.chart = new uPlot(
        {
          width: Math.min(900, window.innerWidth - 80),
          height: 200,
          series: [{}, { label: 'listeners', stroke: '#4682b4', scale: 'n' }, { label: 'kbit/s out', stroke: '#2e8b57', scale: 'kbit' }],
          axes: [{}, { scale: 'n' }, { scale: 'kbit', side: 1 }],
        },
        state.history,
        $('#chart'),
      );
    } else state.chart.setData(state.history);
  }

  async function refreshListeners() {
    let answer;
    try {
      answer = await api('GET', '/api/listeners');
    } catch {
      return;
    }
    const body = $('#listeners tbody');
    body.replaceChildren(
      ...answer.listeners.map((l) =>
        el(
          'tr',
          { 'data-listener': l.id },
          el('td', {}, l.flow),
          el('td', {}, l.mount),
          el('td', {}, l.address),
          el('td', {}, Math.round((Date.now() - l.connectedAt) / 1000) + ' s'),
          el('td', {}, l.bytes),
          el('td', {}, (l.lagMs / 1000).toFixed(1) + ' s'),
          el('td', {}, l.userAgent || ''),
          el('td', {}, el('button', { onclick: () => api('DELETE', `/api/flows/${encodeURIComponent(l.flow)}/listeners/${encodeURIComponent(l.component)}/${l.id}`).then(refreshListeners, () => {}) }, 'kick')),
        ),
      ),
    );
  }

  $('#login').addEventListener('submit', (event) => {
    event.preventDefault();
    state.token = $('#token').value.trim();
    sessionStorage.setItem('flowcast-token', state.token);
    follow();
  });
  if (state.token) follow();
  else logout();
})();
