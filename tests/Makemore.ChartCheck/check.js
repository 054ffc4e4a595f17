// Runs in headless Chromium after a chart's own script: looks at what plotly.js drew for every trace of every chart
// on the page and writes the findings as JSON into <pre id="chart-check-result"> (read back from --dump-dom).
(function () {
  'use strict';

  function hasArea(el) { const b = el.getBBox(); return b.width > 0 && b.height > 0; }
  // A line has extent in at least one direction (a horizontal guide line has no height).
  function hasLength(el) { const b = el.getBBox(); return b.width > 0 || b.height > 0; }

  // The SVG group plotly.js drew for this trace (its d3 data names the trace's uid).
  function groupOf(gd, trace) {
    return Array.from(gd.querySelectorAll('.trace, .im, .hm'))
      .find(g => g.__data__ && g.__data__[0] && g.__data__[0].trace && g.__data__[0].trace.uid === trace.uid);
  }

  function loadImage(href) {
    return new Promise((resolve, reject) => {
      const img = new Image();
      img.onload = () => resolve(img);
      img.onerror = () => reject(new Error('the image does not decode'));
      img.src = href;
    });
  }

  // Distinct colours of the image plotly.js drew, and how many of its pixels are opaque.
  async function pixels(group) {
    const image = group && group.querySelector('image');
    const href = image && (image.getAttribute('href') || image.getAttribute('xlink:href'));
    if (!href) return null;
    const img = await loadImage(href);
    const canvas = document.createElement('canvas');
    canvas.width = img.naturalWidth; canvas.height = img.naturalHeight;
    const ctx = canvas.getContext('2d');
    ctx.drawImage(img, 0, 0);
    const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
    const colours = new Set();
    let opaque = 0;
    for (let i = 0; i < data.length; i += 4) {
      if (data[i + 3] === 0) continue;
      opaque++;
      if (colours.size < 1000) colours.add(data[i] + ',' + data[i + 1] + ',' + data[i + 2]);
    }
    return { width: canvas.width, height: canvas.height, opaque, colours };
  }

  async function checkTrace(gd, trace) {
    const group = groupOf(gd, trace);
    const r = { type: trace.type, name: trace.name || '', ok: false, found: '' };
    if (!group) { r.found = 'nothing drawn for this trace'; return r; }
    if (trace.type === 'bar' || trace.type === 'histogram') {
      const points = Array.from(group.querySelectorAll('.point path'));
      const bars = points.filter(hasArea).length;
      // bars of height 0 have no area: a bar chart of zeros (e.g. no saturated neuron) is drawn when every value has its bar
      const zeros = trace.type === 'bar' && Array.isArray(trace.y) && trace.y.length > 0 && trace.y.every(v => v === 0);
      r.ok = bars > 0 || (zeros && points.length === trace.y.length);
      r.found = bars + ' bars with an area' + (zeros ? ', all ' + trace.y.length + ' values 0 (' + points.length + ' bars drawn flat)' : '');
    } else if (trace.type === 'scatter') {
      const wantsLine = trace.mode.includes('lines'), wantsMarkers = trace.mode.includes('markers');
      // a text-only trace (mode "text") must show its text: e.g. where a run's loss became NaN, in place of a bar
      const wantsText = trace.mode === 'text';
      const line = group.querySelector('path.js-line');
      const segments = line ? ((line.getAttribute('d') || '').match(/L/g) || []).length : 0;
      const markers = Array.from(group.querySelectorAll('.points path.point')).filter(hasArea).length;
      const texts = Array.from(group.querySelectorAll('.textpoint text')).filter(t => t.textContent.trim() && hasArea(t));
      r.ok = (!wantsLine || (segments > 0 && hasLength(line))) && (!wantsMarkers || markers > 0) &&
             (!wantsText || texts.length > 0);
      r.found = [wantsLine ? 'a line of ' + segments + ' segments' : '', wantsMarkers ? markers + ' markers' : '',
                 wantsText ? 'text: ' + texts.map(t => '"' + t.textContent.trim() + '"').join(', ') : '']
                .filter(x => x).join(', ');
    } else if (trace.type === 'image' || trace.type === 'heatmap') {
      const p = await pixels(group);
      if (!p) { r.found = 'no image element'; return r; }
      // Every colour of an image trace's data must be among the pixels (black and white for the saturation image).
      const expected = trace.type === 'image'
        ? Array.from(new Set(trace.z.flat().map(c => c.slice(0, 3).join(','))))
        : [];
      const missing = expected.filter(c => !p.colours.has(c));
      r.ok = p.opaque === p.width * p.height && p.opaque > 0 && missing.length === 0 &&
             (trace.type === 'image' || p.colours.size > 1);
      r.found = p.width + 'x' + p.height + ' pixels, ' + p.opaque + ' opaque, ' + p.colours.size + ' colours' +
                (missing.length ? '; colours of the data not drawn: ' + missing.join(' ') : '');
    } else {
      r.found = 'the check knows no trace type "' + trace.type + '"';
    }
    return r;
  }

  async function checkChart(gd) {
    const titleText = gd.layout && gd.layout.title && gd.layout.title.text || '';
    const drawnTitle = gd.querySelector('.gtitle');
    const traces = [];
    for (const trace of gd._fullData || []) if (trace.visible === true) traces.push(await checkTrace(gd, trace));
    const problems = [];
    if (!gd.querySelector('.main-svg')) problems.push('no plot drawn');
    if (titleText && !(drawnTitle && drawnTitle.textContent.trim())) problems.push('title not drawn');
    if (traces.length === 0) problems.push('no visible trace');
    // A grid of subplots (Chart.Grid): every cell drawn as a subplot with an area, every subplot title drawn.
    const grid = gd._fullLayout && gd._fullLayout.grid;
    if (grid && grid.rows && grid.columns) {
      const cells = grid.rows * grid.columns;
      const subplots = Array.from(gd.querySelectorAll('.cartesianlayer > g.subplot'))
        .filter(g => { const bg = gd.querySelector('.bglayer .' + g.classList[1] + '-bg'); return !bg || hasArea(bg); });
      if (subplots.length !== cells) problems.push('grid of ' + grid.rows + 'x' + grid.columns + ': ' + subplots.length + ' subplots drawn');
      const wanted = ((gd.layout && gd.layout.annotations) || []).filter(a => a.text).length;
      const drawn = Array.from(gd.querySelectorAll('.annotation-text')).filter(t => t.textContent.trim()).length;
      if (drawn !== wanted) problems.push('subplot titles: ' + drawn + ' of ' + wanted + ' drawn');
    }
    return { title: titleText, traces, problems, ok: problems.length === 0 && traces.every(t => t.ok) };
  }

  async function run() {
    const out = { plotly: window.Plotly ? window.Plotly.version : null, charts: [], error: null };
    try {
      const divs = Array.from(document.querySelectorAll('.makemore-chart'));
      for (const div of divs) {
        if (!div.classList.contains('js-plotly-plot')) {
          out.charts.push({ title: '', traces: [], problems: ['not drawn: ' + div.textContent.trim()], ok: false });
        } else {
          out.charts.push(await checkChart(div));
        }
      }
    } catch (e) {
      out.error = String(e && e.stack || e);
    }
    const pre = document.createElement('pre');
    pre.id = 'chart-check-result';
    pre.hidden = true;
    pre.textContent = JSON.stringify(out);
    document.body.appendChild(pre);
  }

  // Plotly.newPlot draws asynchronously (fonts, images): give it a moment (virtual time in headless Chromium).
  window.addEventListener('load', () => setTimeout(run, 1000));
})();
