// The widget's engine in a real JupyterLab, as a user meets it: in-browser conversion time of a
// small and of a GPT-2-small-sized transformer capture against the Node converter on the same
// capture (measured in the same run, in the kernel), and the first and a later parity run in
// onnxruntime-web against the kernel's onnxruntime on the same inputs. Writes
// bench/widget/engine-results.md. Run through bench/widget/engine_bench.sh (it starts JupyterLab).
import { chromium } from "playwright-core";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir, cpus } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const [base] = process.argv.slice(2);
const profile = mkdtempSync(join(tmpdir(), "j2o-chromium-"));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
  viewport: { width: 1400, height: 1000 },
});
const page = context.pages()[0] ?? (await context.newPage());
const problems = [];
page.on("pageerror", (e) => problems.push(e.message));
await page.goto(`${base}/lab/tree/engine-bench.ipynb`);
await page.waitForFunction(() => window.jupyterapp?.shell?.currentWidget?.sessionContext?.session?.kernel, null, { timeout: 120000 });
await page.waitForFunction(() => window.jupyterapp.shell.currentWidget.sessionContext.session.kernel.status === "idle", null, { timeout: 120000 });

/** Appends a code cell, runs it, waits until it finished; returns its text output. */
async function run(source, timeout = 600000) {
  const index = await page.evaluate((src) => {
    const nb = window.jupyterapp.shell.currentWidget;
    const shared = nb.content.model.sharedModel;
    shared.insertCells(shared.cells.length, [{ cell_type: "code", source: src }]);
    nb.content.activeCellIndex = shared.cells.length - 1;
    window.jupyterapp.commands.execute("notebook:run-cell");
    return shared.cells.length - 1;
  }, source);
  await page.waitForFunction((i) => {
    const cell = window.jupyterapp.shell.currentWidget.content.model.cells.get(i);
    return cell.executionCount !== null && window.jupyterapp.shell.currentWidget.sessionContext.session.kernel.status === "idle";
  }, index, { timeout });
  return page.evaluate((i) => document.querySelectorAll(".jp-Notebook .jp-Cell")[i].querySelector(".jp-OutputArea")?.textContent ?? "", index);
}

const json = async (source) => {
  const text = await run(source);
  const line = text.split("\n").find((l) => l.startsWith("RESULT "));
  if (!line) throw new Error(`no RESULT in:\n${text}`);
  return JSON.parse(line.slice(7));
};

/** Waits for the widget `n` (0-based among widgets) to show a parity verdict for `opset`. */
async function parityDone(n, opset) {
  await page.waitForFunction(([k, o]) => {
    const w = document.querySelectorAll(".j2o-widget")[k];
    return w && w.querySelector(".j2o-parity")?.dataset.state === "done" && w.querySelector(".j2o-opset")?.value === String(o);
  }, [n, opset], { timeout: 600000 });
}

await run(`import json, sys, time
sys.path.insert(0, ${JSON.stringify(here)})
import numpy as np, onnxruntime as ort
from jax2onnx_lab import show, to_onnx
from jax2onnx_lab._to_onnx import convert_capture
from jax2onnx_lab._parity import run_onnxruntime
from transformer import encoder
small = encoder(256, 8, 4)
big = encoder(768, 12, 12)

def node_conversion_ms(w, repeat=5):
    convert_capture(w._capture)  # warm: the Node process is started and its code compiled
    times = []
    for _ in range(repeat):
        t = time.perf_counter(); convert_capture(w._capture); times.append((time.perf_counter() - t) * 1e3)
    return sorted(times)[len(times) // 2]

def kernel_run_ms(w, path, repeat=5):
    feeds = {i["name"]: np.frombuffer(w.parity_data, i["dtype"], offset=i["offset"], count=i["length"] // np.dtype(i["dtype"]).itemsize).reshape(i["shape"]) for i in w.parity_case["inputs"]}
    so = ort.SessionOptions(); so.intra_op_num_threads = 1; so.log_severity_level = 3
    s = ort.InferenceSession(path, so, providers=["CPUExecutionProvider"])
    s.run(None, feeds)
    times = []
    for _ in range(repeat):
        t = time.perf_counter(); s.run(None, feeds); times.append((time.perf_counter() - t) * 1e3)
    return sorted(times)[len(times) // 2]
print("READY")`);

await run(`w1 = show(small, [("B", 64, 256)], dims={"B": 4})\nw1`);
await parityDone(0, 21);
const first = await json(`print("RESULT", json.dumps({"conversion": w1.conversion, "parity": w1.parity}))`);

// A different opset converts again in the browser; the new model needs a new onnxruntime session
// (the wasm is compiled already, the weights are cached in the worker).
await page.evaluate(() => {
  const w = document.querySelectorAll(".j2o-widget")[0];
  // Marked stale here, so that waiting for "done" waits for the new run's verdict.
  w.querySelector(".j2o-parity").dataset.state = "stale";
  const select = w.querySelector(".j2o-opset");
  select.value = "20";
  select.dispatchEvent(new Event("change"));
});
await parityDone(0, 20);
const later = await json(`print("RESULT", json.dumps({"conversion": w1.conversion, "parity": w1.parity}))`);
const smallKernel = await json(`to_onnx(small, [("B", 64, 256)], return_mode="file", output_path="small.onnx")
print("RESULT", json.dumps({"node_ms": node_conversion_ms(w1), "ort_ms": kernel_run_ms(w1, "small.onnx"), "weights": sum(b.nbytes for b in w1._capture.buffers)}))`);

await run(`w2 = show(big, [("B", 64, 768)], dims={"B": 1})\nw2`, 900000);
await page.waitForFunction(() => document.querySelectorAll(".j2o-widget")[1]?.querySelector(".j2o-status")?.textContent?.includes("converted in the browser"), null, { timeout: 600000 });
const bigBrowser = await json(`print("RESULT", json.dumps({"conversion": w2.conversion, "parity": w2.parity, "node_ms": node_conversion_ms(w2, 3), "weights": sum(b.nbytes for b in w2._capture.buffers)}))`);
await context.close();

const f = (x, d = 1) => (x === undefined || x === null ? "–" : Number(x).toFixed(d));
const rows = [
  ["small (4 layers, d=256)", first.conversion.summary.nodes, smallKernel.weights, first.conversion.milliseconds, smallKernel.node_ms],
  ["GPT-2-small-sized (12 layers, d=768)", bigBrowser.conversion.summary.nodes, bigBrowser.weights, bigBrowser.conversion.milliseconds, bigBrowser.node_ms],
];
const lines = [
  "# The widget's engine in JupyterLab (generated by bench/widget/engine_bench.sh)",
  "",
  `Chromium headless, ${cpus().length} cores (shared), ${new Date().toISOString().slice(0, 16)} UTC. Conversion in the browser is the engine worker's`,
  "time for one conversion of the capture's structure (host weights are placeholders); the baseline is the Node converter",
  "on the same capture, timed in the kernel in the same run: to_onnx's path without the tracing (capture encoding, the",
  "framed IPC, decoding and conversion in the Node process; median of 5 after a warm-up). The browser decodes a capture once.",
  "",
  "| model | nodes | weights | browser conversion | Node conversion | browser / Node |",
  "|---|---|---|---|---|---|",
  ...rows.map(([name, nodes, w, b, n]) => `| ${name} | ${nodes} | ${(w / 2 ** 20).toFixed(1)} MiB | ${f(b)} ms | ${f(n)} ms | ${f(b / n, 2)} |`),
  "",
  "Parity of the small model in onnxruntime-web (one thread), against the kernel's onnxruntime (1 thread, median of 5 runs):",
  "",
  "| parity run | session creation | model run (the session's first) | kernel onnxruntime run | web / kernel |",
  "|---|---|---|---|---|",
  `| first on the page (wasm fetched and compiled) | ${f(first.parity.session_milliseconds)} ms | ${f(first.parity.milliseconds)} ms | ${f(smallKernel.ort_ms)} ms | ${f(first.parity.milliseconds / smallKernel.ort_ms, 2)} |`,
  `| later (opset 20, new session) | ${f(later.parity.session_milliseconds)} ms | ${f(later.parity.milliseconds)} ms | ${f(smallKernel.ort_ms)} ms | ${f(later.parity.milliseconds / smallKernel.ort_ms, 2)} |`,
  "",
  `The GPT-2-small-sized model has more than the widget's 64 MiB browser parity limit: its parity ran in ${bigBrowser.parity.runtime ?? "–"} (${bigBrowser.parity.ok ? "pass" : "fail"}).`,
  `Parity verdicts: small first ${first.parity.ok ? "pass" : "FAIL"}, later ${later.parity.ok ? "pass" : "FAIL"}.`,
  ...(problems.length ? ["", `Page errors: ${problems.join("; ")}`] : []),
  "",
];
writeFileSync(join(here, "engine-results.md"), lines.join("\n"));
console.log(lines.join("\n"));
