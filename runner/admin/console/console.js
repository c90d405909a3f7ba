// The rtds web console: polls the admin endpoint's JSON (see runner/admin/console-api.ts) and draws
// the task graph (SVG), throughput and lag charts (uPlot), dead letters, runs, subjects and tables.
// No build step: plain browser JavaScript. Every text from the server goes through textContent.
'use strict'
;(() => {
  const $ = (id) => document.getElementById(id)
  const SVG = 'http://www.w3.org/2000/svg'
  const state = { pipeline: '', graphs: [], dlq: [], charts: {} }

  const el = (tag, attrs = {}, ...children) => {
    const e = tag.startsWith('svg:') ? document.createElementNS(SVG, tag.slice(4)) : document.createElement(tag)
    for (const [k, v] of Object.entries(attrs)) {
      if (k === 'text') e.textContent = v
      else if (k === 'on') for (const [ev, fn] of Object.entries(v)) e.addEventListener(ev, fn)
      else e.setAttribute(k, v)
    }
    for (const c of children) if (c !== null && c !== undefined) e.append(c)
    return e
  }
  const fmt = (n) => (n === null || n === undefined ? '–' : Number(n).toLocaleString('en', { maximumFractionDigits: 1 }))
  const time = (iso) => (iso ? new Date(iso).toLocaleString() : '–')

  $('token').value = sessionStorage.getItem('rtds-admin-token') || ''
  $('token').addEventListener('change', () => sessionStorage.setItem('rtds-admin-token', $('token').value))

  async function get(path) {
    const res = await fetch(path, { headers: { accept: 'application/json' } })
    const body = await res.json().catch(() => ({}))
    if (!res.ok) throw new Error((body.error && body.error.message) || `${res.status} ${res.statusText}`)
    return body
  }
  async function post(path, body) {
    const headers = { 'content-type': 'application/json' }
    const token = $('token').value.trim()
    if (token) headers.authorization = `Bearer ${token}`
    const res = await fetch(path, { method: 'POST', headers, body: JSON.stringify(body) })
    const out = await res.json().catch(() => ({}))
    if (!res.ok) throw new Error((out.error && out.error.message) || `${res.status} ${res.statusText}`)
    return out
  }
  const q = (path, extra = {}) => `${path}?${new URLSearchParams({ pipeline: state.pipeline, ...extra })}`

  // ---- graph -------------------------------------------------------------------------------
  function layout(g) {
    const depth = {}
    for (const n of g.nodes) depth[n.id] = 0
    // nodes come in topological order: one pass in that order settles the longest path
    for (const n of g.nodes) for (const e of g.edges) if (e.from === n.id) depth[e.to] = Math.max(depth[e.to], depth[n.id] + 1)
    const cols = {}
    for (const n of g.nodes) (cols[depth[n.id]] ||= []).push(n)
    const pos = {}
    const W = 180, H = 88, GX = 40, GY = 16
    let rows = 0
    for (const [d, list] of Object.entries(cols)) {
      list.forEach((n, i) => (pos[n.id] = { x: 10 + Number(d) * (W + GX), y: 10 + i * (H + GY) }))
      rows = Math.max(rows, list.length)
    }
    return { pos, W, H, width: 20 + Object.keys(cols).length * (W + GX) - GX, height: 20 + rows * (H + GY) - GY }
  }

  function nodeLines(n) {
    const r = n.rate || { received: 0, sent: 0 }
    if (n.kind === 'stage') {
      const lines = [`${fmt(r.received)}/s in · ${fmt(r.sent)}/s out`, `${fmt(n.received)} in · ${fmt(n.sent)} out · ${fmt(n.deadLettered)} dlq`]
      const extra = []
      if (n.lag !== null && n.lag !== undefined) extra.push(`lag ${fmt(n.lag)}`)
      if (n.backlog !== null && n.backlog !== undefined) extra.push(`backlog ${fmt(n.backlog)}`)
      if (extra.length) lines.push(extra.join(' · '))
      return lines
    }
    if (n.kind === 'source') {
      const s = n.schedule
      const lines = [`${fmt(r.received)}/s · ${fmt(n.received)} taken`]
      if (s && s.running) lines.push('running')
      else if (s && s.lastRun) lines.push(`last run ${s.lastRun.status} (${fmt(s.lastRun.records)})`)
      return lines
    }
    const lines = [`${fmt(r.received)}/s in · ${fmt(r.sent)}/s read`]
    const extra = []
    if (n.lag !== null && n.lag !== undefined) extra.push(`lag ${fmt(n.lag)}`)
    if (n.backlog !== null && n.backlog !== undefined) extra.push(`backlog ${fmt(n.backlog)}`)
    if (extra.length) lines.push(extra.join(' · '))
    return lines
  }

  function drawGraphs() {
    const box = $('graph')
    box.replaceChildren()
    for (const g of state.graphs) {
      const L = layout(g)
      const svg = el('svg:svg', { width: '100%', viewBox: `0 0 ${L.width} ${L.height}`, role: 'img', 'aria-label': `task graph of ${g.pipeline}`, 'data-pipeline': g.pipeline })
      svg.style.maxWidth = `${L.width}px`
      for (const e of g.edges) {
        const a = L.pos[e.from], b = L.pos[e.to]
        if (!a || !b) continue
        const x1 = a.x + L.W, y1 = a.y + L.H / 2, x2 = b.x, y2 = b.y + L.H / 2
        svg.append(el('svg:path', { class: 'edge', d: `M${x1},${y1} C${x1 + 25},${y1} ${x2 - 25},${y2} ${x2},${y2}`, 'marker-end': 'url(#arrow)' }))
      }
      const defs = el('svg:defs', {}, el('svg:marker', { id: 'arrow', viewBox: '0 0 10 10', refX: '10', refY: '5', markerWidth: '7', markerHeight: '7', orient: 'auto' }, el('svg:path', { d: 'M0,0 L10,5 L0,10 z', fill: '#8a94a3' })))
      svg.prepend(defs)
      for (const n of g.nodes) {
        const p = L.pos[n.id]
        const grp = el('svg:g', { class: `node ${n.health || 'ok'}`, transform: `translate(${p.x},${p.y})`, 'data-node': n.id, 'data-health': n.health || 'ok' })
        grp.append(el('svg:title', { text: `${n.kind} ${n.name} (${n.connector}): ${n.health}` }))
        grp.append(el('svg:rect', { width: L.W, height: L.H }))
        grp.append(el('svg:text', { class: 'title', x: 8, y: 17, text: n.name }))
        grp.append(el('svg:text', { class: 'kind', x: 8, y: 32, text: `${n.kind} · ${n.connector}` }))
        nodeLines(n).forEach((line, i) => grp.append(el('svg:text', { class: 'line', x: 8, y: 50 + i * 16, text: line })))
        svg.append(grp)
      }
      box.append(el('h3', { text: g.pipeline }), svg)
    }
  }

  // ---- charts ------------------------------------------------------------------------------
  function chart(id, title, names, data) {
    const key = `${id}:${names.join(',')}`
    const width = Math.max(400, $(id).clientWidth - 10)
    if (state.charts[id] && state.charts[id].key === key) {
      state.charts[id].plot.setData(data)
      return
    }
    if (state.charts[id]) state.charts[id].plot.destroy()
    const colors = ['#3366cc', '#dc3912', '#109618', '#ff9900', '#990099', '#0099c6', '#dd4477', '#66aa00']
    const plot = new uPlot({
      width, height: 220, title,
      series: [{}, ...names.map((n, i) => ({ label: n, stroke: colors[i % colors.length], width: 1.5 }))],
      axes: [{}, { size: 60 }],
    }, data, $(id))
    state.charts[id] = { key, plot }
  }

  async function refreshRates() {
    if (typeof uPlot === 'undefined') return
    const body = await get('api/rates?seconds=300')
    const samples = body.pipelines[state.pipeline] || []
    if (samples.length < 2) return
    const stages = Object.keys(samples[samples.length - 1].stages)
    const xs = [], sent = stages.map(() => []), lag = [], backlog = []
    for (let i = 1; i < samples.length; i++) {
      const a = samples[i - 1], b = samples[i]
      const dt = Math.max(0.001, (b.t - a.t) / 1000)
      xs.push(b.t / 1000)
      stages.forEach((s, j) => sent[j].push(((b.stages[s] || [0, 0])[1] - (a.stages[s] || [0, 0])[1]) / dt))
    }
    const lagNames = []
    const lagSeries = []
    for (const [j, field, label] of [[3, lag, 'lag'], [4, backlog, 'backlog']]) {
      for (const s of stages) {
        const ys = samples.slice(1).map((x) => (x.stages[s] || [])[j] || 0)
        if (ys.some((v) => v > 0) || label === 'lag' && s === stages[stages.length - 1]) {
          lagNames.push(`${s} ${label}`)
          lagSeries.push(ys)
        }
      }
      void field
    }
    chart('chart', 'records/s sent', stages, [xs, ...sent])
    chart('lagchart', 'records waiting', lagNames, [xs, ...lagSeries])
  }

  // ---- dead letters ------------------------------------------------------------------------
  async function refreshDlq() {
    const reason = $('reason').value
    const body = await get(q('api/dlq', { limit: '50', ...(reason ? { reason } : {}) }))
    if (body.status === 'unavailable') {
      $('dlq-count').textContent = `(${body.message})`
      return
    }
    state.dlq = body.deadLetters
    $('dlq-count').textContent = `(${body.deadLetters.length} shown of ${body.total})`
    const sel = $('reason')
    const known = new Set([...sel.options].map((o) => o.value))
    for (const r of Object.keys(body.reasons)) if (!known.has(r)) sel.append(el('option', { value: r, text: r }))
    for (const o of sel.options) if (o.value) o.textContent = `${o.value} (${body.reasons[o.value] || 0})`
    const checked = new Set([...document.querySelectorAll('#dlq tbody input:checked')].map((c) => c.value))
    const rows = body.deadLetters.map((d) =>
      el('tr', { 'data-id': d.id, 'data-reason': d.reason },
        el('td', {}, Object.assign(el('input', { type: 'checkbox', value: d.id }), { checked: checked.has(d.id) })),
        el('td', { text: time(d.at) }),
        el('td', { text: d.stage }),
        el('td', { class: 'reason', text: d.reason }),
        el('td', { class: 'error-text', text: d.error }),
        el('td', { text: d.origin }),
        el('td', { text: String(d.replays) }),
        el('td', {}, el('pre', { class: 'value', text: JSON.stringify(d.value, null, 1) })),
        el('td', {}, el('button', { type: 'button', text: 'Replay', on: { click: () => replay({ ids: [d.id] }) } })),
      ))
    $('dlq').tBodies[0].replaceChildren(...rows)
  }

  async function replay(selection) {
    const msg = $('dlq-msg')
    msg.className = 'msg'
    msg.textContent = 'replaying…'
    try {
      const r = await post('api/dlq/replay', { pipeline: state.pipeline, ...selection })
      msg.textContent = `replayed ${r.replayed} of ${r.selected}: ${r.succeeded} written, ${r.failedAgain} dead-lettered again${r.errors.length ? ` — ${r.errors[0]}` : ''}`
    } catch (err) {
      msg.className = 'msg bad'
      msg.textContent = err.message
    }
    refreshDlq().catch(() => {})
  }
  $('reason').addEventListener('change', () => refreshDlq().catch(showError))
  $('dlq-all').addEventListener('change', (e) => document.querySelectorAll('#dlq tbody input').forEach((c) => (c.checked = e.target.checked)))
  $('replay-selected').addEventListener('click', () => {
    const ids = [...document.querySelectorAll('#dlq tbody input:checked')].map((c) => c.value)
    if (!ids.length) {
      $('dlq-msg').textContent = 'select dead letters first'
      return
    }
    replay({ ids })
  })
  $('replay-all').addEventListener('click', () => {
    if (!confirm(`Replay every dead letter${$('reason').value ? ` with reason ${$('reason').value}` : ''}?`)) return
    replay({ all: true, ...($('reason').value ? { reason: $('reason').value } : {}) })
  })

  // ---- runs, subjects, tables --------------------------------------------------------------
  async function refreshRuns() {
    const body = await get(q('api/runs', { limit: '30' }))
    const bar = $('run-now')
    bar.replaceChildren(...body.triggerable.map((s) => el('button', { type: 'button', 'data-source': s, text: `Run now: ${s}`, on: { click: () => runNow(s) } })))
    if (!body.triggerable.length) bar.append(el('span', { class: 'muted', text: 'no scheduled source is running in this process' }))
    $('runs').tBodies[0].replaceChildren(...body.runs.map((r) =>
      el('tr', {},
        el('td', { text: r.source }), el('td', { text: r.trigger }), el('td', { text: time(r.startedAt) }), el('td', { text: time(r.finishedAt) }),
        el('td', { text: fmt(r.records) }), el('td', { text: fmt(r.deadLettered) }), el('td', { class: `outcome-${r.status}`, text: r.status || 'running' }),
        el('td', { class: 'error-text', text: r.error || '' }),
      )))
  }
  async function runNow(source) {
    const msg = $('runs-msg')
    msg.className = 'msg'
    try {
      await post('api/runs/trigger', { pipeline: state.pipeline, source })
      msg.textContent = `${source}: run started`
    } catch (err) {
      msg.className = 'msg bad'
      msg.textContent = err.message
    }
    setTimeout(() => refreshRuns().catch(() => {}), 1000)
  }
  async function refreshStatus() {
    const s = await get(q('api/status'))
    if (s.status === 'unavailable') {
      $('servers').tBodies[0].replaceChildren(el('tr', {}, el('td', { colspan: '3', class: 'muted', text: s.message })))
      return
    }
    $('subjects').tBodies[0].replaceChildren(...s.subjects.map((x) => el('tr', {}, el('td', { text: x.name }), el('td', { text: x.version ?? '–' }))))
    $('tables').tBodies[0].replaceChildren(...s.tables.map((x) => el('tr', {}, el('td', { text: x.name }), el('td', { text: fmt(x.rowsEstimate) }))))
    $('servers').tBodies[0].replaceChildren(...s.servers.map((x) => el('tr', {}, el('td', { text: x.server }), el('td', { text: x.up ? 'yes' : 'no' }), el('td', { text: x.error || x.detail || '' }))))
  }

  // ---- polling -----------------------------------------------------------------------------
  function showError(err) {
    $('updated').textContent = `error: ${err.message}`
  }
  async function refreshGraph() {
    const body = await get('api/graph')
    state.graphs = body.pipelines
    const sel = $('pipeline')
    if (sel.options.length !== body.pipelines.length) {
      sel.replaceChildren(...body.pipelines.map((g) => el('option', { value: g.pipeline, text: g.pipeline })))
      if (!state.pipeline && body.pipelines.length) state.pipeline = body.pipelines[0].pipeline
      sel.value = state.pipeline
    }
    drawGraphs()
    $('updated').textContent = `updated ${new Date(body.at).toLocaleTimeString()}`
  }
  $('pipeline').addEventListener('change', () => {
    state.pipeline = $('pipeline').value
    slow()
  })
  const settle = (p) => p.catch(showError)
  async function fast() {
    await settle(refreshGraph())
    await settle(refreshRates())
  }
  function slow() {
    if (!state.pipeline) return
    settle(refreshDlq())
    settle(refreshRuns())
  }
  function slower() {
    if (state.pipeline) settle(refreshStatus())
  }
  fast().then(() => {
    slow()
    slower()
  })
  setInterval(fast, 1500)
  setInterval(slow, 5000)
  setInterval(slower, 15000)
})()
