// Backprop Lab's page: sends the controls' values to the server (debounced), draws what the
// server's event stream reports ten times a second. Everything here is plain DOM, canvas and SVG.
"use strict";

const $ = (id) => document.getElementById(id);
const lab = {
  session: null,
  events: null,
  run: 0,
  current: [],     // [step, loss] points of this run
  previous: [],    // the previous run's points, for the compare overlay
  lastUpdate: null,
};
window.lab = lab; // for the browser tests and the curious

const learningRate = () => Math.pow(10, -4 + 5 * Number($("lr").value) / 100);
const batchSize = () => 2 ** Number($("batch").value);
const format = (x) => x >= 0.01 && x < 1000 ? Number(x.toPrecision(3)).toString() : x.toExponential(1);

function settings() {
  return {
    learningRate: Number(learningRate().toPrecision(3)),
    batchSize: batchSize(),
    clipNorm: $("clip").checked ? Number($("clip-norm").value) : null,
    schedule: $("schedule").checked,
    optimizer: $("optimizer").value,
    depth: Number($("depth").value),
    activation: $("activation").value,
    residual: $("residual").checked,
    init: $("init").value,
  };
}

function showValues() {
  const lr = format(learningRate());
  $("lr-value").textContent = lr;
  $("lr").setAttribute("aria-valuetext", `learning rate ${lr}`);
  $("batch-value").textContent = batchSize();
  $("batch").setAttribute("aria-valuetext", `batch size ${batchSize()}`);
  $("depth-value").textContent = $("depth").value;
  $("depth").setAttribute("aria-valuetext", `${$("depth").value} layers`);
}

let pending = null;
function scheduleSend() {
  showValues();
  clearTimeout(pending);
  pending = setTimeout(send, 300);
}

async function send() {
  if (!lab.session) return;
  const response = await fetch(`/api/sessions/${lab.session}/settings`, {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(settings()),
  });
  if (!response.ok) showError((await response.json()).error);
}

function showError(message) {
  $("error").hidden = !message;
  $("error").textContent = message ? `Server: ${message}` : "";
}

async function start() {
  const response = await fetch("/api/sessions", { method: "POST" });
  const body = await response.json();
  if (response.status === 503) {
    setStatus("waiting", body.error);
    setTimeout(start, 2000);
    return;
  }
  lab.session = body.id;
  lab.events = new EventSource(`/api/sessions/${lab.session}/events`);
  lab.events.onmessage = (e) => update(JSON.parse(e.data));
  lab.events.onerror = () => setStatus("waiting", "connection lost; reload the page");
  await send();
}

function setStatus(kind, text) {
  const status = $("status");
  status.className = `status ${kind}`;
  status.textContent = text;
}

function update(u) {
  lab.lastUpdate = u;
  if (u.run !== lab.run) {
    if (lab.current.length > 0) lab.previous = lab.current;
    lab.current = [];
    lab.run = u.run;
  }
  for (const point of u.losses) lab.current.push(point);
  if (lab.current.length > 4000) lab.current = lab.current.filter((_, i) => i % 2 === 0);
  setStatus(u.statusKind, u.status);
  showError(u.error);
  $("step").textContent = `· step ${u.step}`;
  $("accuracy").textContent = Number.isNaN(u.testAccuracy) || u.testAccuracy === "NaN"
    ? "test accuracy: –" : `test accuracy: ${(100 * u.testAccuracy).toFixed(1)} % (step ${u.accuracyStep})`;
  const speed = u.samplesPerSecond > 0 ? `${Math.round(u.samplesPerSecond).toLocaleString("en")} samples/s` : "measuring speed…";
  $("speed").textContent = `${speed}${u.replayed ? ", replayed from a KernelGraph" : ""}`;
  drawLoss();
  drawBlame(u.gradientNorms);
}

function drawLoss() {
  const canvas = $("loss"), g = canvas.getContext("2d");
  const w = canvas.width, h = canvas.height, pad = 40;
  g.clearRect(0, 0, w, h);
  const series = [$("compare").checked ? lab.previous : [], lab.current];
  const finite = series.flat().filter((p) => Number.isFinite(p[1]) && p[1] > 0);
  if (finite.length === 0) return;
  const maxStep = Math.max(10, ...finite.map((p) => p[0]));
  let lo = Math.log10(Math.min(...finite.map((p) => p[1])));
  let hi = Math.log10(Math.max(...finite.map((p) => p[1])));
  if (hi - lo < 1) { lo -= 0.5; hi += 0.5; }
  const x = (s) => pad + (w - pad - 10) * s / maxStep;
  const y = (v) => 10 + (h - pad - 10) * (hi - Math.log10(v)) / (hi - lo);
  g.strokeStyle = "#ccc"; g.fillStyle = "#555"; g.font = "11px system-ui";
  const every = Math.max(1, Math.ceil((Math.floor(hi) - Math.ceil(lo) + 1) / 8)); // at most 8 labels
  for (let e = Math.ceil(lo); e <= Math.floor(hi); e += every) {
    g.beginPath(); g.moveTo(pad, y(10 ** e)); g.lineTo(w - 10, y(10 ** e)); g.stroke();
    g.fillText(`1e${e}`, 4, y(10 ** e) + 4);
  }
  g.fillText(`${maxStep} steps`, w - 70, h - 8);
  [["#adb5bd", series[0]], ["#1c7ed6", series[1]]].forEach(([color, points]) => {
    g.strokeStyle = color; g.lineWidth = 1.5; g.beginPath();
    let drawing = false;
    for (const [s, v] of points) {
      if (!(Number.isFinite(v) && v > 0)) { drawing = false; continue; }
      if (drawing) g.lineTo(x(s), y(v)); else g.moveTo(x(s), y(v));
      drawing = true;
    }
    g.stroke();
  });
}

// Each Linear layer's gradient norm, as a color from pale (small) to red (large) on a log scale.
function blameColor(norm, lo, hi) {
  const t = hi > lo ? (Math.log10(Math.max(norm, 1e-30)) - lo) / (hi - lo) : 1;
  const k = Math.max(0, Math.min(1, t));
  return `rgb(${Math.round(235 - 18 * k)}, ${Math.round(235 - 163 * k)}, ${Math.round(235 - 220 * k)})`;
}

function drawBlame(norms) {
  const svg = $("diagram"), ns = "http://www.w3.org/2000/svg";
  svg.replaceChildren();
  if (!norms || norms.length === 0) return;
  const logs = norms.filter((n) => n > 0).map(Math.log10);
  const lo = Math.min(...logs, 0) , hi = Math.max(...logs, lo + 1);
  const columns = norms.length + 1, width = 360, height = 240, nodes = 6;
  const cx = (c) => 20 + (width - 40) * c / (columns - 1);
  const cy = (i) => 25 + (height - 50) * i / (nodes - 1);
  for (let c = 0; c < norms.length; c++) {
    const color = blameColor(norms[c], lo, hi);
    const strength = norms[c] > 0 ? 0.5 + 2.5 * Math.max(0, (Math.log10(norms[c]) - lo) / (hi - lo || 1)) : 0.5;
    for (let i = 0; i < nodes; i++) for (let j = 0; j < nodes; j++) {
      const line = document.createElementNS(ns, "line");
      line.setAttribute("x1", cx(c)); line.setAttribute("y1", cy(i));
      line.setAttribute("x2", cx(c + 1)); line.setAttribute("y2", cy(j));
      line.setAttribute("stroke", color); line.setAttribute("stroke-width", strength);
      svg.appendChild(line);
    }
  }
  for (let c = 0; c < columns; c++) for (let i = 0; i < nodes; i++) {
    const node = document.createElementNS(ns, "circle");
    node.setAttribute("cx", cx(c)); node.setAttribute("cy", cy(i)); node.setAttribute("r", 5);
    node.setAttribute("fill", c === 0 ? "#868e96" : blameColor(norms[c - 1], lo, hi));
    node.setAttribute("stroke", "#495057");
    svg.appendChild(node);
  }
  const bars = $("bars");
  bars.replaceChildren(...norms.map((n, i) => {
    const row = document.createElement("div");
    row.className = "bar"; row.setAttribute("role", "listitem");
    const width = n > 0 ? Math.max(2, 100 * (Math.log10(n) - lo) / (hi - lo || 1)) : 0;
    row.innerHTML = `<span>layer ${i + 1}</span><span><span class="fill" style="width:${width}%;background:${blameColor(n, lo, hi)}"></span></span><span>${n.toExponential(1)}</span>`;
    return row;
  }));
}

for (const id of ["lr", "batch", "depth"]) $(id).addEventListener("input", scheduleSend);
for (const id of ["optimizer", "clip", "clip-norm", "schedule", "activation", "residual", "init"]) $(id).addEventListener("change", scheduleSend);
$("compare").addEventListener("change", drawLoss);
showValues();
start();
