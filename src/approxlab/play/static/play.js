// approxlab play: the page. It draws what the server sends and sends what the user does;
// every number it shows was computed by approxlab on the server (no maths here).
"use strict";

const $ = (id) => document.getElementById(id);
const ACTIVATIONS = ["sigmoid", "tanh", "relu", "leaky_relu", "softplus", "gelu", "sin", "cos", "abs", "step", "linear", "exp"];
const CONSTRUCTIONS = ["steps", "sigmoid-steps", "bumps", "towers", "ridge-tower", "interpolant", "triangulation",
                       "sawtooth", "yarotsky", "product", "taylor", "fourier", "exponential"];
const FEATURES = ["x1", "x2", "x1^2", "x2^2", "x1*x2", "sin(x1)", "sin(x2)"]; // approxlab.play.features
const MAX_TILES = 64; // unit pictures drawn per layer (a construction may have hundreds of units)

const state = {
  ws: null, session: null, defaults: null, settings: null, setup: null, last: null, playing: false,
  regions: false, construct: null, selected: null, frames: 0, rendered: [], closed: false, pending: [],
};
window.play = state; // read by the browser tests

function unpack(b64) {
  const raw = atob(b64);
  const bytes = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
  return new Float32Array(bytes.buffer);
}

function status(text, kind) {
  const s = $("status");
  s.textContent = text;
  s.className = kind || "";
}

// ---- settings <-> controls <-> URL -------------------------------------------------------

function controls() { return [...document.querySelectorAll("[data-setting]")]; }

function clamp(el, v) {
  let x = Number(v);
  if (!Number.isFinite(x)) return null;
  if (el.min !== "") x = Math.max(x, Number(el.min));
  if (el.max !== "") x = Math.min(x, Number(el.max));
  return el.step === "1" ? Math.round(x) : x;
}

function readSetting(el, raw) {
  const key = el.dataset.setting;
  if (key === "widths") {
    const w = String(raw).split(",").map((t) => Math.round(Number(t.trim()))).filter((n) => Number.isFinite(n));
    return w.length ? w.slice(0, 6).map((n) => Math.min(16, Math.max(1, n))) : null;
  }
  if (key === "columns") {
    const c = String(raw).split(",").filter((t) => t.trim() !== "").map((t) => Math.round(Number(t.trim())));
    return c.filter((n) => Number.isFinite(n)).slice(0, 3).map((n) => Math.min(31, Math.max(0, n)));
  }
  if (el.type === "number") return clamp(el, raw);
  if (el.tagName === "SELECT") return [...el.options].some((o) => o.value === raw) ? raw : null;
  return String(raw).slice(0, 500);
}

function featureBoxes() { return [...document.querySelectorAll("[data-feature]")]; }

function gather() {
  const s = { ...state.defaults };
  for (const el of controls()) {
    const v = readSetting(el, el.value);
    if (v !== null && v !== "") s[el.dataset.setting] = v;
  }
  const ticked = featureBoxes().filter((b) => b.checked).map((b) => b.dataset.feature);
  $("features-msg").textContent = ticked.length ? "" : "tick at least one input feature: the net needs an input";
  s.features = ticked.length ? ticked : (state.settings || state.defaults).features;
  return s;
}

function showFeatures(features) {
  const flat = state.setup && state.setup.dim === 1; // x is x1: the x2 features do not apply
  for (const b of featureBoxes()) {
    b.checked = features.includes(b.dataset.feature);
    b.disabled = flat && b.dataset.feature.includes("x2");
  }
}

function readFeatures(raw) {
  const f = String(raw).split(",").filter((t) => FEATURES.includes(t));
  return f.length ? f : null;
}

function show(settings) {
  for (const el of controls()) {
    const v = settings[el.dataset.setting];
    el.value = Array.isArray(v) ? v.join(",") : v;
  }
  showFeatures(settings.features);
  document.body.className = `kind-${settings.kind} source-${settings.source}`;
}

function fromURL() {
  const q = new URLSearchParams(location.search);
  const s = { ...state.defaults };
  for (const el of controls()) {
    const key = el.dataset.setting;
    if (!q.has(key)) continue;
    const v = readSetting(el, q.get(key));
    if (v !== null && v !== "") s[key] = v;
  }
  if (q.has("features") && readFeatures(q.get("features"))) s.features = readFeatures(q.get("features"));
  state.regions = q.get("regions") === "1";
  state.knots = q.get("knots") === "1";
  state.construct = q.has("construct") && CONSTRUCTIONS.includes(q.get("construct"))
    ? { name: q.get("construct"), knob: clamp($("knob"), q.get("knob")) } : null;
  return s;
}

function toURL() {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(state.settings)) {
    if (JSON.stringify(v) !== JSON.stringify(state.defaults[k])) q.set(k, Array.isArray(v) ? v.join(",") : v);
  }
  if (state.regions) q.set("regions", "1");
  if (state.knots) q.set("knots", "1");
  if (state.construct) {
    q.set("construct", state.construct.name);
    if (state.construct.knob !== null && state.construct.knob !== undefined) q.set("knob", state.construct.knob);
  }
  const query = q.toString();
  history.replaceState(null, "", query ? "?" + query : location.pathname);
}

function send(msg) {
  if (state.ws && state.ws.readyState === WebSocket.OPEN) state.ws.send(JSON.stringify(msg));
}

function apply() {
  state.settings = gather();
  state.construct = null;
  show(state.settings);
  toURL();
  send({ type: "settings", settings: state.settings });
}

// ---- drawing -----------------------------------------------------------------------------

const COLD = [8, 119, 189], WARM = [245, 147, 34], MID = [232, 234, 235];
function colour(t) { // t in [-1, 1]: blue - grey - orange, as TensorFlow Playground draws
  const c = t < 0 ? COLD : WARM, a = Math.min(1, Math.abs(t));
  return [0, 1, 2].map((i) => Math.round(MID[i] + (c[i] - MID[i]) * a));
}

function drawTile(canvas, values, offset, n, dim) {
  const ctx = canvas.getContext("2d");
  let peak = 1e-12;
  const m = dim === 2 ? n * n : n;
  for (let i = 0; i < m; i++) peak = Math.max(peak, Math.abs(values[offset + i]));
  if (dim === 2) {
    canvas.width = n; canvas.height = n;
    const img = ctx.createImageData(n, n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) { // point i*n + j is (x1_i, x2_j)
      const [r, g, b] = colour(values[offset + i * n + j] / peak);
      const p = 4 * ((n - 1 - j) * n + i);
      img.data[p] = r; img.data[p + 1] = g; img.data[p + 2] = b; img.data[p + 3] = 255;
    }
    ctx.putImageData(img, 0, 0);
  } else {
    canvas.width = 88; canvas.height = 88;
    ctx.fillStyle = "#fafafa"; ctx.fillRect(0, 0, 88, 88);
    ctx.strokeStyle = "#ccc"; ctx.beginPath(); ctx.moveTo(0, 44); ctx.lineTo(88, 44); ctx.stroke();
    ctx.strokeStyle = "#e67e22"; ctx.lineWidth = 2; ctx.beginPath();
    for (let i = 0; i < n; i++) {
      const x = (i / (n - 1)) * 88, y = 44 - (values[offset + i] / peak) * 40;
      if (i) ctx.lineTo(x, y); else ctx.moveTo(x, y);
    }
    ctx.stroke();
  }
}

function fmt(v) { return v === null || v === undefined ? "–" : Number(v).toPrecision(4); }

function drawUnits(frame) {
  const box = $("units"), setup = state.setup, n = setup.unit_axes[0].length;
  const shape = frame.layers.map((l) => l.width).join(",");
  if (box.dataset.shape !== shape) {
    box.innerHTML = "";
    frame.layers.forEach((layer, li) => {
      const row = document.createElement("div");
      row.className = "layer";
      row.innerHTML = `<span>layer ${li + 1}<br>${layer.width} units</span>`;
      for (let j = 0; j < Math.min(layer.width, MAX_TILES); j++) {
        const c = document.createElement("canvas");
        c.className = "unit"; c.dataset.layer = li; c.dataset.unit = j;
        c.addEventListener("click", () => selectUnit(c, li, j));
        row.appendChild(c);
      }
      box.appendChild(row);
    });
    box.dataset.shape = shape;
  }
  const size = setup.dim === 2 ? n * n : n;
  frame.layers.forEach((layer, li) => {
    const values = unpack(layer.values);
    box.querySelectorAll(`canvas[data-layer="${li}"]`).forEach((c) => {
      const j = Number(c.dataset.unit);
      drawTile(c, values, j * size, n, setup.dim);
      const a = layer.a ? layer.a[j].map(fmt).join(", ") : "–";
      c.title = `unit ${j + 1}: w = (${layer.w[j].map(fmt).join(", ")}), b = ${fmt(layer.b ? layer.b[j] : 0)}, a = (${a})`;
      const local = li === 0 && frame.seed001 && frame.seed001.local;
      c.classList.toggle("local", Boolean(local && local[j]));
    });
  });
  const s1 = frame.seed001;
  $("contrib-title").style.display = s1 && setup.dim === 2 ? "" : "none"; // 1D: the curves below the loss
  $("contrib").style.display = s1 && setup.dim === 2 ? "" : "none";
  if (!s1) return;
  const parts = unpack(s1.contributions), m = frame.layers[0].width;
  if (setup.dim === 2) {
    const box2 = $("contrib");
    if (box2.dataset.shape !== String(m)) {
      box2.innerHTML = "";
      for (const label of ["a_j σ_j", "c + Σ_{i≤j}"]) {
        const row = document.createElement("div");
        row.className = "layer";
        row.innerHTML = `<span>${label}</span>`;
        for (let j = 0; j < Math.min(m, MAX_TILES); j++) {
          const c = document.createElement("canvas");
          c.className = "unit"; c.dataset.unit = j;
          c.addEventListener("click", () => c.classList.toggle("big"));
          row.appendChild(c);
        }
        box2.appendChild(row);
      }
      box2.dataset.shape = String(m);
    }
    const rows = box2.querySelectorAll(".layer");
    const running = new Float32Array(size).fill(s1.c);
    rows[0].querySelectorAll("canvas").forEach((c, j) => drawTile(c, parts, j * size, n, 2));
    rows[1].querySelectorAll("canvas").forEach((c, j) => {
      for (let i = 0; i < size; i++) running[i] += parts[j * size + i];
      drawTile(c, running, 0, n, 2);
    });
  }
}

function drawSeed001(frame) {
  const s1 = frame.seed001, div = $("seed001"), setup = state.setup;
  if (!s1 || setup.dim !== 1) { div.style.display = "none"; return; }
  if (!window.Plotly) return;
  div.style.display = "";
  const x = setup.unit_axes[0], n = x.length, parts = unpack(s1.contributions), m = frame.layers[0].width;
  const traces = [];
  const sum = new Float32Array(n).fill(s1.c);
  for (let j = 0; j < Math.min(m, MAX_TILES); j++) {
    const y = Array.from(parts.subarray(j * n, (j + 1) * n));
    y.forEach((v, i) => { sum[i] += v; });
    traces.push({ x, y, mode: "lines", line: { width: 1 }, name: `a${j + 1}σ${j + 1}`, showlegend: false });
  }
  traces.push({ x, y: Array.from(sum), mode: "lines", line: { width: 3, color: "#222" }, name: "c + Σ" });
  const knots = (s1.knots || []).filter((k) => k !== null && k >= x[0] && k <= x[n - 1]);
  traces.push({ x: knots, y: knots.map(() => 0), mode: "markers", marker: { symbol: "line-ns-open", size: 14 }, name: "knots −b/w" });
  Plotly.react(div, traces, { margin: { t: 24, r: 8, b: 30, l: 40 }, title: { text: "units' contributions a_j σ(w_j x + b_j) and their sum", font: { size: 12 } } },
               { displayModeBar: false });
}

function outputTitle(frame) {
  const setup = state.setup;
  if (setup.construction) return `${setup.construction.name}: sup error on the grid ${fmt(frame.error)}`;
  if (setup.classes > 2) return "net output: most probable class (pale: low softmax probability)";
  return setup.kind === "classification" ? "net output: P(class 1)" : "net output";
}

// k classes: one hue per class (blue and orange first, as for two classes)
const HUES = [COLD, WARM, [39, 174, 96], [142, 68, 173], [192, 57, 43], [22, 160, 133]];
function classColour(label, strength) {
  const c = HUES[label % HUES.length], a = Math.max(0, Math.min(1, strength));
  return [0, 1, 2].map((i) => Math.round(MID[i] + (c[i] - MID[i]) * a));
}

function drawLegend() {
  const setup = state.setup, box = $("legend");
  if (setup.kind !== "classification") { box.innerHTML = ""; return; }
  const k = Math.max(2, setup.classes);
  box.innerHTML = `<b class="classes">${k} classes</b>` + Array.from({ length: k }, (_, c) => {
    const [r, g, b] = classColour(c, 1);
    return `<span class="swatch" style="background:rgb(${r},${g},${b})"></span>class ${c}`;
  }).join("");
}

// The output is drawn on a canvas, as TensorFlow Playground does: Plotly redraws every trace on
// each update (170 ms a frame with 500 data points in a software-rendered browser), a canvas 2 ms.
const PAD = 34;
function drawOutput(frame) {
  const setup = state.setup, canvas = $("output-canvas"), ctx = canvas.getContext("2d");
  const W = canvas.width, H = canvas.height, w = W - 2 * PAD, h = H - 2 * PAD;
  const [x0, x1] = setup.domain[0], out = unpack(frame.output), cls = setup.kind === "classification";
  const ys = setup.train.y.concat(setup.test.y);
  let lo = cls ? 0 : Math.min(...ys), hi = cls ? 1 : Math.max(...ys);
  if (setup.dim === 1) { for (const v of out) if (Number.isFinite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); } }
  if (!(hi > lo)) { hi = lo + 1; }
  const [y0, y1] = setup.dim === 2 ? setup.domain[1] : [lo - 0.05 * (hi - lo), hi + 0.05 * (hi - lo)];
  const px = (x) => PAD + ((x - x0) / (x1 - x0)) * w, py = (y) => PAD + h - ((y - y0) / (y1 - y0)) * h;
  const k = setup.classes > 2 ? setup.classes : 0, conf = k ? unpack(frame.confidence) : null;
  // k classes: the argmax class's hue, as strong as its probability is above chance 1/k
  const cell = (idx) => k ? classColour(out[idx], (conf[idx] - 1 / k) / (1 - 1 / k)) : tone(out[idx]);
  const tone = (v) => k ? classColour(v, 1) : colour(2 * (v - lo) / (hi - lo) - 1);
  ctx.clearRect(0, 0, W, H);
  ctx.fillStyle = "#fff"; ctx.fillRect(0, 0, W, H);
  if (setup.dim === 2) {
    const n = setup.axes[0].length, off = document.createElement("canvas");
    off.width = n; off.height = n;
    const octx = off.getContext("2d"), img = octx.createImageData(n, n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
      const [r, g, b] = cell(i * n + j), p = 4 * ((n - 1 - j) * n + i);
      img.data[p] = r; img.data[p + 1] = g; img.data[p + 2] = b; img.data[p + 3] = 255;
    }
    octx.putImageData(img, 0, 0);
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(off, PAD, PAD, w, h);
    for (const [data, hollow] of [[setup.train, false], [setup.test, true]]) {
      data.X.forEach((p, k) => {
        const [r, g, b] = tone(data.y[k]);
        ctx.beginPath(); ctx.arc(px(p[0]), py(p[1]), 3, 0, 2 * Math.PI);
        ctx.strokeStyle = "#333"; ctx.lineWidth = 0.6;
        if (hollow) { ctx.strokeStyle = `rgb(${r},${g},${b})`; ctx.lineWidth = 1.5; } else { ctx.fillStyle = `rgb(${r},${g},${b})`; ctx.fill(); }
        ctx.stroke();
      });
    }
    const lines = state.knots && frame.seed001 && frame.seed001.lines;
    if (lines) { // unit j's knot line {x : n·x = offset}, clipped to the plot
      ctx.save(); ctx.beginPath(); ctx.rect(PAD, PAD, w, h); ctx.clip();
      lines.forEach((l, j) => {
        if (l.includes(null)) return;
        const [n1, n2, off] = l, sel = state.selected && state.selected.layer === 0 && state.selected.unit === j;
        ctx.strokeStyle = sel ? "#e67e22" : "#555"; ctx.lineWidth = sel ? 2.5 : 1.2; ctx.setLineDash([5, 4]); ctx.beginPath();
        if (Math.abs(n2) > Math.abs(n1)) { for (const x of [x0, x1]) ctx.lineTo(px(x), py((off - n1 * x) / n2)); }
        else { for (const y of [y0, y1]) ctx.lineTo(px((off - n2 * y) / n1), py(y)); }
        ctx.stroke();
      });
      ctx.setLineDash([]); ctx.restore();
    }
    if (frame.regions && frame.regions.segments) {
      const seg = unpack(frame.regions.segments);
      ctx.strokeStyle = "#111"; ctx.lineWidth = 1; ctx.beginPath();
      for (let k = 0; k < seg.length; k += 4) { ctx.moveTo(px(seg[k]), py(seg[k + 1])); ctx.lineTo(px(seg[k + 2]), py(seg[k + 3])); }
      ctx.stroke();
    }
  } else {
    const x = setup.axes[0];
    const line = (values, colour, width, dash) => {
      ctx.strokeStyle = colour; ctx.lineWidth = width; ctx.setLineDash(dash); ctx.beginPath();
      x.forEach((t, i) => { if (i) ctx.lineTo(px(t), py(values[i])); else ctx.moveTo(px(t), py(values[i])); });
      ctx.stroke(); ctx.setLineDash([]);
    };
    for (const [data, hollow] of [[setup.train, false], [setup.test, true]]) {
      ctx.strokeStyle = ctx.fillStyle = "#0877bd";
      data.X.forEach((p, k) => {
        ctx.beginPath(); ctx.arc(px(p[0]), py(data.y[k]), 2.5, 0, 2 * Math.PI);
        if (hollow) ctx.stroke(); else ctx.fill();
      });
    }
    if (setup.target) line(unpack(setup.target), "#888", 1.5, [4, 3]);
    line(out, "#e67e22", 3, []);
    if (frame.regions && frame.regions.breakpoints) {
      ctx.strokeStyle = "#111"; ctx.lineWidth = 1; ctx.beginPath();
      for (const t of unpack(frame.regions.breakpoints)) { ctx.moveTo(px(t), PAD); ctx.lineTo(px(t), PAD + h); }
      ctx.stroke();
    }
  }
  ctx.strokeStyle = "#999"; ctx.lineWidth = 1; ctx.strokeRect(PAD, PAD, w, h);
  ctx.fillStyle = "#333"; ctx.font = "11px sans-serif";
  ctx.fillText(fmt(x0), PAD, H - PAD + 14); ctx.fillText(fmt(x1), PAD + w - 24, H - PAD + 14);
  ctx.fillText(fmt(y0), 2, PAD + h); ctx.fillText(fmt(y1), 2, PAD + 8);
  ctx.font = "13px sans-serif"; ctx.fillText(outputTitle(frame), PAD, 18);
  if (setup.dim === 2 && !k) ctx.fillText(`colour: ${fmt(lo)} (blue) … ${fmt(hi)} (orange)`, PAD, H - 6);
}

// plotly.js (4.8 MB) loads asynchronously: the page trains and draws before it arrives.
function plotlyReady() {
  resetLoss(false);
  if (state.last) drawSeed001(state.last);
}

// 2D regression: the target and the net now as two 3D surfaces (drawn on demand, not every frame).
function drawSurface() {
  const setup = state.setup, frame = state.last, div = $("surface");
  if (!window.Plotly || !setup || !frame || setup.dim !== 2 || !setup.target) {
    status("3D surfaces are drawn for 2D regression targets", "error");
    return;
  }
  const n = setup.axes[0].length, grid = (values) => {
    const z = [];
    for (let j = 0; j < n; j++) { const row = []; for (let i = 0; i < n; i++) row.push(values[i * n + j]); z.push(row); }
    return z;
  };
  div.style.display = "";
  Plotly.react(div, [
    { type: "surface", x: setup.axes[0], y: setup.axes[1], z: grid(unpack(setup.target)), name: "target", opacity: 0.5,
      colorscale: "Greys", showscale: false },
    { type: "surface", x: setup.axes[0], y: setup.axes[1], z: grid(unpack(frame.output)), name: "net", colorscale: "RdBu",
      reversescale: true, showscale: false }],
  { margin: { t: 24, r: 0, b: 0, l: 0 }, title: { text: `target (grey) and net at step ${frame.step}`, font: { size: 12 } } },
  { displayModeBar: false });
}

function resetLoss(clear = true) {
  if (clear) state.pending = [];
  if (!window.Plotly) return;
  state.lossReady = true;
  Plotly.react($("loss"), [
    { x: [], y: [], mode: "lines", name: "train" }, { x: [], y: [], mode: "lines", name: "test" }],
  { margin: { t: 24, r: 8, b: 30, l: 50 }, yaxis: { type: "log" }, title: { text: "loss", font: { size: 12 } },
    legend: { orientation: "h" } }, { displayModeBar: false });
}

function render(frame) {
  state.last = frame;
  $("step-count").textContent = frame.step;
  $("loss-value").textContent = fmt(frame.loss);
  $("test-loss-value").textContent = fmt(frame.test_loss);
  $("accuracy-value").textContent = fmt(frame.accuracy);
  $("test-accuracy-value").textContent = fmt(frame.test_accuracy);
  if (frame.loss !== null && frame.test_loss !== null) state.pending.push([frame.step, frame.loss, frame.test_loss]);
  drawOutput(frame);
  drawUnits(frame);
  drawSeed001(frame);
  const r = frame.regions;
  $("regions-count").textContent = r && r.count !== undefined ? r.count : "–";
  $("regions-bound").textContent = r && r.bound !== undefined ? r.bound : "–";
  $("regions-error").textContent = r && r.error ? r.error : "";
  if (frame.diverged) status(frame.diverged, "error");
  if (state.selected) showSliders();
  state.frames += 1;
  state.rendered.push(performance.now());
}

// The loss chart is a Plotly figure (zoom, hover); it takes the frames' points four times a second.
function flushLoss() {
  if (!state.pending.length || !window.Plotly || !state.lossReady) return;
  const p = state.pending;
  state.pending = [];
  Plotly.extendTraces($("loss"), { x: [p.map((r) => r[0]), p.map((r) => r[0])], y: [p.map((r) => r[1]), p.map((r) => r[2])] }, [0, 1], 20000);
}

setInterval(() => {
  flushLoss();
  const now = performance.now();
  state.rendered = state.rendered.filter((t) => now - t < 1000);
  $("fps").textContent = state.rendered.length;
}, 250);

// ---- construct mode ----------------------------------------------------------------------

function selectUnit(canvas, layer, unit) {
  if (!state.setup || !state.setup.construction) { canvas.classList.toggle("big"); return; }
  document.querySelectorAll("canvas.unit.selected").forEach((c) => c.classList.remove("selected"));
  canvas.classList.add("selected");
  state.selected = { layer, unit };
  $("sliders").dataset.key = "";
  showSliders();
}

function slider(label, layer, name, row, col, value) {
  const span = Math.max(1, Math.abs(value) * 2);
  const wrap = document.createElement("label");
  wrap.innerHTML = `${label} = <b>${fmt(value)}</b>`;
  const input = document.createElement("input");
  Object.assign(input, { type: "range", min: value - span, max: value + span, step: span / 200, value });
  input.dataset.param = `${layer}:${name}:${row}:${col}`;
  input.addEventListener("input", () => {
    wrap.querySelector("b").textContent = fmt(input.value);
    send({ type: "param", layer, name, row, col, value: Number(input.value) });
  });
  wrap.appendChild(input);
  return wrap;
}

function showSliders() {
  const box = $("sliders"), sel = state.selected, frame = state.last;
  if (!sel || !frame || !frame.layers[sel.layer]) { box.innerHTML = ""; return; }
  const key = `${sel.layer}:${sel.unit}`;
  if (box.dataset.key === key) return; // keep the sliders the user is dragging
  box.dataset.key = key;
  box.innerHTML = `<div>unit ${sel.unit + 1} of layer ${sel.layer + 1}</div>`;
  const layer = frame.layers[sel.layer];
  layer.w[sel.unit].forEach((w, k) => box.appendChild(slider(`w${k + 1}`, sel.layer, "weight", sel.unit, k, w)));
  if (layer.b) box.appendChild(slider("b", sel.layer, "bias", sel.unit, 0, layer.b[sel.unit]));
  if (layer.a) layer.a[sel.unit].forEach((a, k) => box.appendChild(slider(`a${k + 1}`, sel.layer + 1, "weight", k, sel.unit, a)));
}

function showCertificate(c) {
  const box = $("certificate");
  if (!c) { box.innerHTML = ""; return; }
  const verdict = c.holds === null ? "qualitative (no bound)" : c.holds ? "holds" : "fails";
  box.innerHTML = `<b>${c.name}</b> (${c.knob} = ${c.value}): ${c.theorem}<br>units ${c.units}, depth ${c.depth}, ` +
    `parameters ${c.params}<br>bound ${fmt(c.bound)} (${c.norm}), measured ${fmt(c.measured)}: <b id="verdict">${verdict}</b>`;
}

// ---- messages ----------------------------------------------------------------------------

function onMessage(event) {
  const msg = JSON.parse(event.data);
  if (msg.type === "hello") {
    state.session = msg.session;
    state.defaults = msg.defaults;
    state.settings = fromURL();
    show(state.settings);
    $("download").href = `/api/session/${msg.session}/model.safetensors`;
    $("regions").checked = state.regions;
    $("knots").checked = state.knots;
    send({ type: "settings", settings: state.settings });
    if (state.regions) send({ type: "regions", on: true });
    if (state.construct) {
      $("construction").value = state.construct.name;
      if (state.construct.knob !== null) $("knob").value = state.construct.knob;
      send({ type: "construct", name: state.construct.name, knob: state.construct.knob });
    }
    toURL();
  } else if (msg.type === "setup") {
    state.setup = msg;
    $("csv-msg").textContent = "";
    state.selected = null;
    $("sliders").innerHTML = ""; $("sliders").dataset.key = "";
    $("units").dataset.shape = ""; $("contrib").dataset.shape = "";
    showCertificate(msg.construction);
    $("steepness").value = 0; $("steepness-value").textContent = "1";
    $("arch").textContent = `net ${msg.architecture.join(" → ")}, ${msg.params} parameters; inputs ${msg.features.join(", ")}`;
    // an uploaded or constructed net reads the raw inputs: the boxes and the link say so (other
    // setups answer settings the page sent; re-showing those could undo what the user types now)
    if (msg.adopted) {
      state.settings.features = msg.settings.features;
      toURL();
    }
    showFeatures(state.settings.features);
    $("features-note").textContent = msg.not_on_x || "";
    $("download-msg").textContent = "";
    drawLegend();
    resetLoss();
    status("");
  } else if (msg.type === "frame") {
    render(msg);
    send({ type: "ack" });
  } else if (msg.type === "state") {
    state.playing = msg.playing;
    $("play").textContent = msg.playing ? "❚❚ pause" : "▶ play";
  } else if (msg.type === "check") {
    if (msg.target === $("target").value) $("target-error").textContent = msg.ok ? "" : msg.message;
  } else if (msg.type === "error") {
    if (msg.about === "settings" && /target|expression/.test(msg.message)) $("target-error").textContent = msg.message;
    else if (msg.about === "upload") $("upload-msg").textContent = msg.message;
    else if (msg.about === "settings" && state.settings.source === "csv") $("csv-msg").textContent = msg.message;
    else status(msg.message, "error");
  } else if (msg.type === "fatal") {
    status(msg.message, "fatal");
  }
}

function connect() {
  const ws = new WebSocket(`${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/ws`);
  ws.onmessage = onMessage;
  ws.onclose = () => { state.closed = true; if (!$("status").classList.contains("fatal")) status("disconnected from the server: reload the page", "fatal"); };
  state.ws = ws;
}

// ---- wiring ------------------------------------------------------------------------------

function init() {
  $("activation").innerHTML = ACTIVATIONS.map((a) => `<option>${a}</option>`).join("");
  $("construction").innerHTML += CONSTRUCTIONS.map((c) => `<option>${c}</option>`).join("");
  for (const el of controls()) if (el.id !== "target") el.addEventListener("change", apply);
  for (const b of featureBoxes()) b.addEventListener("change", apply);
  $("download").addEventListener("click", (e) => { // the server refuses it too; no JSON saved as a model
    if (state.setup && state.setup.not_on_x) { e.preventDefault(); $("download-msg").textContent = state.setup.not_on_x; }
  });
  let timer = null;
  $("target").addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => send({ type: "check", target: $("target").value }), 200);
  });
  $("target").addEventListener("change", apply);
  $("play").addEventListener("click", () => send({ type: state.playing ? "pause" : "play" }));
  $("step").addEventListener("click", () => send({ type: "step", n: state.settings.steps_per_frame }));
  $("reset").addEventListener("click", () => send({ type: "reset" }));
  $("regions").addEventListener("change", () => { state.regions = $("regions").checked; toURL(); send({ type: "regions", on: state.regions }); });
  $("knots").addEventListener("change", () => { state.knots = $("knots").checked; toURL(); if (state.last) drawOutput(state.last); });
  $("surface-button").addEventListener("click", drawSurface);
  $("build").addEventListener("click", () => {
    const name = $("construction").value;
    if (!name) return;
    const knob = $("knob").value === "" ? null : clamp($("knob"), $("knob").value);
    state.construct = { name, knob };
    toURL();
    send({ type: "construct", name, knob });
  });
  $("train-here").addEventListener("click", () => send({ type: "play" }));
  $("steepness").addEventListener("input", () => { // a log scale: k from 10^-2 to 10^2
    const k = 10 ** Number($("steepness").value);
    $("steepness-value").textContent = fmt(k);
    send({ type: "steepness", k });
  });
  $("csv").addEventListener("change", async () => {
    const file = $("csv").files[0];
    if (!file) return;
    $("csv-msg").textContent = "";
    const reply = await fetch(`/api/session/${state.session}/data`, { method: "POST", body: file });
    const body = await reply.json().catch(() => ({ error: `upload failed (HTTP ${reply.status})` }));
    $("csv").value = "";
    if (!reply.ok) { $("csv-msg").textContent = body.error; return; }
    $("csv-columns").textContent = "columns: " + body.columns.map((name, i) => `${i} ${name}`).join(", ");
    apply();
  });
  $("upload").addEventListener("change", async () => {
    const file = $("upload").files[0];
    if (!file) return;
    $("upload-msg").textContent = "";
    const reply = await fetch(`/api/session/${state.session}/model`, { method: "POST", body: file });
    const body = await reply.json().catch(() => ({ error: `upload failed (HTTP ${reply.status})` }));
    $("upload-msg").textContent = reply.ok ? "" : body.error;
    $("upload").value = "";
  });
  document.addEventListener("keydown", (e) => {
    if (e.key === " " && !["INPUT", "SELECT", "TEXTAREA"].includes(document.activeElement.tagName)) {
      e.preventDefault(); $("play").click();
    }
  });
  if (window.Plotly) plotlyReady();
  else document.querySelector("script[src$='plotly.min.js']").addEventListener("load", plotlyReady);
  connect();
}

init();
