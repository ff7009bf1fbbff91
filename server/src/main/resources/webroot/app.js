'use strict';
// The analyst page. It reads the service's /v1 routes with the key typed in the header (kept for
// the browser tab only) and draws with plain SVG: no library, nothing fetched from elsewhere.

const SVG = 'http://www.w3.org/2000/svg';
const SERIES = [
  { key: 'accuracy', label: 'accuracy', colour: '#1d3557' },
  { key: 'kappa', label: 'kappa', colour: '#2a9d8f' },
  { key: 'coverage', label: 'coverage', colour: '#6a4c93' },
  { key: 'abstention_rate', label: 'abstention rate', colour: '#e76f51' },
];
const MARKER_COLOURS = { member_reset: '#d1495b', estimate_gap: '#8d0801' };
const page = { key: sessionStorage.getItem('vigie.key') || '', model: null, busy: false };

const $ = (selector) => document.querySelector(selector);

/** An element with attributes and children (strings become text, never HTML). */
function el(tag, attributes = {}, ...children) {
  const node = tag.startsWith('svg:') ? document.createElementNS(SVG, tag.slice(4)) : document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (name === 'onclick') node.addEventListener('click', value);
    else node.setAttribute(name, value);
  }
  for (const child of children) node.append(child instanceof Node ? child : String(child));
  return node;
}

function fmt(x, digits = 3) {
  return x === null || x === undefined ? '–' : Number(x).toFixed(digits);
}

function say(text, error = false) {
  const status = $('#status');
  status.textContent = text;
  status.className = error ? 'error' : '';
}

async function api(path, options = {}) {
  const response = await fetch(path, {
    ...options,
    headers: { 'Authorization': 'Bearer ' + page.key, 'Content-Type': 'application/json' },
  });
  const text = await response.text();
  const body = text ? JSON.parse(text) : {};
  if (!response.ok) throw new Error(`${response.status}: ${body.detail || body.title || response.statusText}`);
  return body;
}

// ---- models -------------------------------------------------------------------------------

async function loadModels() {
  const { models } = await api('/v1/models');
  if (!models.some((m) => m.name === page.model)) page.model = models.length > 0 ? models[0].name : null;
  const list = $('#models');
  list.replaceChildren(...models.map((m) => el('li', {
    'data-model': m.name,
    class: m.name === page.model ? 'selected' : '',
    onclick: () => select(m.name),
  }, m.name, el('small', {}, `${m.model} · learned ${m.learned} · v${m.version}`))));
}

async function select(name) {
  page.model = name;
  document.querySelectorAll('#models li').forEach((li) => li.classList.toggle('selected', li.dataset.model === name));
  try {
    await refreshModel();
  } catch (e) {
    say(e.message, true);
  }
}

async function refreshModel() {
  const name = page.model;
  const base = `/v1/models/${encodeURIComponent(name)}`;
  const [model, timeline, drifts, versions, comparison] = await Promise.all([
    api(base), api(`${base}/timeline`), api(`${base}/drifts`), api(`${base}/versions`), api(`${base}/comparison`)]);
  if (name !== page.model) return; // another model was chosen meanwhile
  $('#model').hidden = false;
  $('#model-name').textContent = name;
  $('#model-summary').textContent = `${model.model} · ${model.learner} · version ${model.version} · ${model.versions} snapshots`;
  renderFigures(model, timeline);
  renderTimeline(timeline);
  renderMembers(model, drifts.events);
  renderChallengers(comparison);
  renderHeatmap(drifts.input);
  renderAlerts(drifts.input.alerts);
  renderVersions(versions);
}

function renderFigures(model, timeline) {
  const all = model.metrics.cumulative;
  const recent = model.metrics.window;
  const figures = [
    ['learned', model.learned, 0], ['pending labels', model.pending, 0],
    ['accuracy', all.accuracy], ['accuracy, last 1000', recent.accuracy], ['kappa', all.kappa],
    ['coverage', all.coverage], ['abstention rate', all.abstention_rate], ['selective accuracy', all.selective_accuracy],
    ['member resets', model.drift_resets, 0],
  ];
  const predictions = timeline.uncertainty[timeline.uncertainty.length - 1];
  if (predictions && predictions.estimated) { // before their labels: what the latest predictions should score
    figures.splice(4, 0, ['accuracy estimated, latest 1000 predictions', predictions.estimated.accuracy]);
  }
  if (model.definition.schema.classes.length === 2) {
    // a fraud team reads these first: ranking, what its alerts are worth, what they miss, how many it gets
    const latest = model.days.length ? model.days[model.days.length - 1] : null;
    figures.unshift(['PR-AUC, last window', recent.pr_auc], ['precision, last 1000', recent.precision],
      ['recall, last 1000', recent.recall], ['alerts, latest day', latest ? latest.alerts : null, 0]);
  }
  if (model.definition.implicit_label) {
    figures.push(['labels implied', model.labels.implied, 0], ['corrected later', model.labels.corrected, 0]);
  }
  $('#figures').replaceChildren(...figures.map(([label, value, digits]) =>
    el('div', { class: 'figure' }, el('b', {}, fmt(value, digits ?? 3)), label)));
}

// ---- timeline -----------------------------------------------------------------------------

function renderTimeline(timeline) {
  const width = 900, height = 260, left = 40, right = 30, top = 24, bottom = 26;
  const xs = [...timeline.points, ...timeline.uncertainty, ...timeline.markers].map((p) => p.learned);
  const svg = el('svg:svg', { width, height, viewBox: `0 0 ${width} ${height}` });
  if (timeline.points.length === 0 && timeline.uncertainty.length === 0) {
    svg.append(el('svg:text', { x: left, y: height / 2 }, 'No window of 1000 labels or predictions yet.'));
    $('#timeline').replaceChildren(svg);
    return;
  }
  const x0 = Math.min(...xs), x1 = Math.max(...xs, x0 + 1);
  const x = (v) => left + (v - x0) / (x1 - x0) * (width - left - right);
  const y = (v) => top + (1 - v) * (height - top - bottom);
  for (const tick of [0, 0.25, 0.5, 0.75, 1]) {
    svg.append(el('svg:line', { x1: left, x2: width - right, y1: y(tick), y2: y(tick), stroke: '#e3e7ec' }),
      el('svg:text', { x: 4, y: y(tick) + 4 }, tick.toFixed(2)));
  }
  for (let i = 0; i <= 4; i++) {
    const v = x0 + (x1 - x0) * i / 4;
    svg.append(el('svg:text', { x: x(v) - 12, y: height - 8 }, Math.round(v).toLocaleString('en')));
  }
  for (const marker of timeline.markers) {
    const strong = marker.kind === 'member_reset' || marker.kind === 'estimate_gap';
    svg.append(el('svg:line', {
      class: `marker ${marker.kind}`, x1: x(marker.learned), x2: x(marker.learned), y1: top, y2: height - bottom,
      stroke: MARKER_COLOURS[marker.kind] ?? '#f4a261', 'stroke-width': strong ? 2 : 1,
    }, el('svg:title', {}, `${marker.kind}: ${marker.detail} (learned ${marker.learned})`)));
  }
  const line = (points, value) => points.filter((p) => value(p) !== null)
    .map((p, i) => `${i === 0 ? 'M' : 'L'}${x(p.learned).toFixed(1)},${y(value(p)).toFixed(1)}`).join(' ');
  SERIES.forEach((s, i) => {
    svg.append(el('svg:path', { class: 'series', 'data-series': s.key, d: line(timeline.points, (p) => p[s.key]),
      fill: 'none', stroke: s.colour, 'stroke-width': 1.8 }));
    svg.append(el('svg:text', { x: left + i * 120, y: 14, fill: s.colour }, `— ${s.label}`));
  });
  svg.append(el('svg:path', { class: 'series', 'data-series': 'mean_entropy', d: line(timeline.uncertainty, (p) => p.mean_entropy),
    fill: 'none', stroke: '#777', 'stroke-dasharray': '4 3' }));
  svg.append(el('svg:text', { x: left + SERIES.length * 120, y: 14, fill: '#777' }, '- - mean entropy'));
  // the accuracy each window of predictions was estimated to reach, before its labels: where it runs
  // ahead of the realised line, the labels fell short of what the scores promised
  svg.append(el('svg:path', { class: 'series', 'data-series': 'estimated_accuracy',
    d: line(timeline.uncertainty, (p) => (p.estimated ? p.estimated.accuracy : null)),
    fill: 'none', stroke: SERIES[0].colour, 'stroke-dasharray': '1 3', 'stroke-width': 1.8 }));
  svg.append(el('svg:text', { x: left + (SERIES.length + 1) * 120, y: 14, fill: SERIES[0].colour }, '··· estimated accuracy'));
  $('#timeline').replaceChildren(svg);
}

// ---- members, drift -------------------------------------------------------------------------

function renderMembers(model, resets) {
  $('#members tbody').replaceChildren(...model.members.map((m) => el('tr', {},
    el('td', {}, m.index), el('td', {}, m.model), el('td', {}, fmt(m.weight)),
    el('td', {}, fmt(m.recent_accuracy)), el('td', {}, m.drift_signals < 0 ? '–' : m.drift_signals))));
  $('#resets').hidden = resets.length === 0;
  $('#resets tbody').replaceChildren(...resets.map((r) => el('tr', {},
    el('td', {}, r.at), el('td', {}, r.member), el('td', {}, r.model), el('td', {}, r.detector),
    el('td', {}, `${fmt(r.accuracy_before)} → ${fmt(r.accuracy_after)}`))));
}

function renderHeatmap(input) {
  const label = 130, cell = Math.max(4, Math.min(16, Math.floor(760 / Math.max(1, input.history.length)))), row = 16;
  const svg = el('svg:svg', { width: label + cell * input.history.length + 10, height: row * input.channels.length + 22 });
  input.channels.forEach((channel, c) => {
    svg.append(el('svg:text', { x: 2, y: c * row + 12 }, channel));
    input.history.forEach((check, i) => {
      const tier = check.severities[c];
      svg.append(el('svg:rect', {
        class: `cell ${tier ? 'tier-' + tier : 'untested'}`, x: label + i * cell, y: c * row + 1, width: cell - 1, height: row - 2,
      }, el('svg:title', {}, `${channel} after event ${check.observed}: ${tier ?? 'not tested'}, effect ${fmt(check.effects[c])}`)));
    });
  });
  svg.append(el('svg:text', { x: label, y: row * input.channels.length + 16 },
    input.history.length === 0 ? `no window of ${input.window} predictions yet` : `${input.checks} windows of ${input.window} events`));
  $('#heatmap').replaceChildren(svg);
}

function renderAlerts(alerts) {
  $('#alerts tbody').replaceChildren(...alerts.slice(-20).reverse().map((a) => el('tr', {},
    el('td', {}, a.observed), el('td', {}, a.channel), el('td', {}, a.severity), el('td', {}, a.test),
    el('td', {}, fmt(a.effect)), el('td', {}, Number(a.p_value).toExponential(1)),
    el('td', {}, `${fmt(a.reference_mean)} → ${fmt(a.recent_mean)}`))));
}

// ---- challengers ------------------------------------------------------------------------------

function renderChallengers(comparison) {
  const pair = (c, metric, digits = 3) => {
    const mine = c.challenger.whole[metric], theirs = c.champion.whole[metric];
    return `${fmt(mine, digits)} / ${fmt(theirs, digits)} (${fmt(c.challenger.window[metric], digits)} / ${fmt(c.champion.window[metric], digits)})`;
  };
  const rows = comparison.challengers.map((c) => el('tr', { 'data-challenger': c.name },
    el('td', {}, c.name), el('td', {}, c.model), el('td', {}, c.mode === 'canary' ? `canary ${fmt(c.share * 100, 1)} %` : 'shadow'),
    el('td', {}, c.events), el('td', {}, pair(c, 'accuracy')), el('td', {}, pair(c, 'kappa')), el('td', {}, pair(c, 'pr_auc')),
    el('td', {}, pair(c, 'coverage')), el('td', {}, pair(c, 'abstention_rate')), el('td', {}, pair(c, 'cost')),
    el('td', {}, Number(c.mcnemar.p_value).toExponential(1)),
    el('td', {}, el('button', { class: 'promote', onclick: () => promote(c.name) }, 'Promote'))));
  $('#challengers tbody').replaceChildren(...(rows.length > 0 ? rows
    : [el('tr', {}, el('td', { colspan: 12 }, 'No challenger: add one with POST /v1/models/{name}/challengers.'))]));
}

async function promote(challenger) {
  try {
    const done = await api(`/v1/models/${encodeURIComponent(page.model)}/promote`,
      { method: 'POST', body: JSON.stringify({ challenger }) });
    say(`Promoted ${done.promoted}; the former champion is version ${done.former_champion_version}.`);
    await refreshModel();
  } catch (e) {
    say(`Promotion failed: ${e.message}`, true);
  }
}

// ---- versions, audit ------------------------------------------------------------------------

function renderVersions(versions) {
  $('#versions tbody').replaceChildren(...versions.versions.slice().reverse().map((v) => el('tr', {},
    el('td', {}, v.version), el('td', {}, v.learned), el('td', {}, v.created_at), el('td', {}, v.reason),
    el('td', {}, el('button', { class: 'rollback', 'data-version': v.version, onclick: () => rollback(v.version) },
      'Roll back to this version')))));
}

async function rollback(version) {
  try {
    const done = await api(`/v1/models/${encodeURIComponent(page.model)}/rollback`,
      { method: 'POST', body: JSON.stringify({ version }) });
    say(`Rolled back ${done.name} to version ${done.rolled_back_to}; the model is now at version ${done.version}.`);
    await refreshModel();
  } catch (e) {
    say(`Rollback failed: ${e.message}`, true);
  }
}

$('#audit').addEventListener('submit', async (event) => {
  event.preventDefault();
  const id = $('#audit-id').value.trim();
  try {
    const found = await api(`/v1/models/${encodeURIComponent(page.model)}/predictions/${encodeURIComponent(id)}`);
    $('#audit-result').textContent = JSON.stringify(found, null, 2);
  } catch (e) {
    $('#audit-result').textContent = e.message;
  }
});

// ---- start, refresh ---------------------------------------------------------------------------

async function refresh() {
  if (page.busy || !page.key) return;
  page.busy = true;
  try {
    await loadModels();
    if (page.model) {
      await refreshModel();
      say(`Updated ${new Date().toLocaleTimeString()}.`);
    } else {
      $('#model').hidden = true;
      say('No model yet: create one with POST /v1/models.');
    }
  } catch (e) {
    say(e.message, true);
  } finally {
    page.busy = false;
  }
}

$('#login').addEventListener('submit', (event) => {
  event.preventDefault();
  page.key = $('#key').value.trim();
  sessionStorage.setItem('vigie.key', page.key);
  refresh();
});

$('#key').value = page.key;
setInterval(() => { if ($('#auto').checked) refresh(); }, 5000);
if (page.key) refresh(); else say('Type an API key with the read role to start.');
