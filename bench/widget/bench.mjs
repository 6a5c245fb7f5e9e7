// The widget bench: builds the standalone page (viewer + layout worker) with esbuild, serves it on
// 127.0.0.1, drives Debian's Chromium through playwright-core, measures layout / first render /
// zoom and pan frames / an expand on generated graphs, takes screenshots into bench/out/, and
// writes bench/widget/results.md. Run through bench/widget/run.sh.
import * as esbuild from "esbuild";
import { chromium } from "playwright-core";
import { createServer } from "node:http";
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync, existsSync, rmSync } from "node:fs";
import { tmpdir, cpus } from "node:os";
import { join, dirname, extname } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..", "..");
const out = join(root, "bench", "out");
mkdirSync(out, { recursive: true });
const site = mkdtempSync(join(tmpdir(), "j2o-widget-bench-"));

await esbuild.build({
  entryPoints: { page: join(here, "page.ts"), "layout-worker": join(root, "src/widget/layout/layout-worker.ts") },
  bundle: true, format: "iife", target: "es2022", minify: true, outdir: site, logLevel: "warning",
});
await esbuild.build({ entryPoints: { page: join(root, "style/index.css") }, bundle: true, minify: true, outdir: site, logLevel: "warning" });
writeFileSync(join(site, "page.html"), readFileSync(join(here, "page.html")));

const types = { ".html": "text/html", ".js": "text/javascript", ".css": "text/css" };
const server = createServer((req, res) => {
  if (req.url === "/favicon.ico") { res.writeHead(204).end(); return; }
  const file = join(site, (req.url ?? "/").split("?")[0].replace(/^\/+/, "") || "page.html");
  if (!file.startsWith(site) || !existsSync(file)) { res.writeHead(404).end(); return; }
  res.writeHead(200, { "content-type": types[extname(file)] ?? "application/octet-stream" }).end(readFileSync(file));
});
await new Promise((r) => server.listen(0, "127.0.0.1", r));
const url = `http://127.0.0.1:${server.address().port}/page.html`;

const profile = mkdtempSync(join(tmpdir(), "j2o-chromium-"));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: "/usr/bin/chromium",
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
  viewport: { width: 1400, height: 900 },
});
const page = context.pages()[0] ?? (await context.newPage());
const problems = [];
page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
page.on("console", (m) => { if (m.type() === "error") problems.push(`console: ${m.text()}`); });
await page.goto(url);
await page.waitForFunction(() => !!window.j2oBench);
const version = context.browser()?.version() ?? (await page.evaluate(() => navigator.userAgent));

const sizes = (process.env.J2O_BENCH_SIZES ?? "1000,5000,10000").split(",").map(Number);
const rows = [];
for (const nodes of sizes) {
  for (const [label, nested, collapseAbove] of [["flat", false, undefined], ["nested scopes (collapsed)", true, undefined], ["nested scopes, all open", true, Infinity]]) {
    // Median of three runs: the machine is shared, single runs swing.
    const runs = [];
    for (let k = 0; k < 3; k++) runs.push(await page.evaluate(([n, ne, c]) => window.j2oBench.run(n, ne, c ?? undefined), [nodes, nested, collapseAbove ?? null]));
    const median = (key) => { const v = runs.map((r) => r[key]).filter((x) => x !== null).sort((a, b) => a - b); return v.length ? v[Math.floor(v.length / 2)] : null; };
    const r = runs[0];
    rows.push({ nodes: r.nodes, label, boxes: r.boxes, edges: r.edges, mode: r.mode, worker: r.inWorker,
      parse: median("parseMs"), layout: median("layoutMs"), first: median("firstRenderMs"), zoom: median("zoomFrameMs"), pan: median("panFrameMs"), fit: median("fitMs"), fitMode: r.fitMode, overviewZoom: median("overviewZoomMs"), expand: median("expandMs"), expandBoxes: r.expandBoxes });
    console.log(JSON.stringify(rows[rows.length - 1]));
  }
}

// Screenshots (bench/out/, git-ignored): the seed MLP, a two-scope model, a 5k-node graph; light and dark.
const shots = [];
const shoot = async (name) => { const file = join(out, `${name}.png`); await page.screenshot({ path: file }); shots.push(file); };
const models = [["mlp", join(out, "mlp.onnx")], ["two-scopes", join(out, "two_scopes.onnx")]];
for (const dark of [false, true]) {
  await page.evaluate((d) => window.j2oBench.setTheme(d), dark);
  const theme = dark ? "dark" : "light";
  for (const [name, file] of models) {
    if (!existsSync(file)) { problems.push(`missing ${file}`); continue; }
    const b64 = readFileSync(file).toString("base64");
    await page.evaluate((b) => window.j2oBench.showBytes(b), b64);
    await shoot(`${name}-${theme}`);
    // Select the first MatMul: highlight and the inspector.
    await page.evaluate(() => { const v = window.j2oBench.viewer(); const hit = v.search("MatMul").find((h) => h.match === "op"); if (hit) v.select(hit.id); });
    await page.waitForTimeout(100);
    await shoot(`${name}-selected-${theme}`);
  }
  await page.evaluate(() => window.j2oBench.showSynthetic(5000, true));
  await shoot(`synthetic-5k-nested-${theme}`);
  await page.evaluate(async () => { const v = window.j2oBench.viewer(); const g = document.querySelector(".j2o-group[data-collapsed='true']"); if (g) await v.expand(g.getAttribute("data-id")); });
  await shoot(`synthetic-5k-nested-expanded-${theme}`);
  await page.evaluate(() => window.j2oBench.showSynthetic(5000, false));
  await shoot(`synthetic-5k-flat-${theme}`);
  await page.evaluate(() => window.j2oBench.viewer().fit());
  await page.waitForTimeout(200);
  await shoot(`synthetic-5k-flat-fit-${theme}`);
  // Zoomed in on the flat 5k graph: labels and edges at reading size.
  await page.evaluate(async () => { const v = window.j2oBench.viewer(); const hit = v.search("Softmax")[0]; if (hit) await v.reveal(hit.id); });
  await page.waitForTimeout(100);
  await shoot(`synthetic-5k-flat-zoomed-${theme}`);
}

await context.close();
server.close();
rmSync(profile, { recursive: true, force: true });
rmSync(site, { recursive: true, force: true });

const fmt = (x) => (x === null || x === undefined ? "–" : `${Math.round(x)}`);
const lines = [
  "# Widget bench (generated by bench/widget/run.sh; do not edit)",
  "",
  `Chromium ${version}, headless, --disable-gpu; ${cpus().length} CPU cores shared with other sessions; viewport 1400×900.`,
  "Generated transformer-like graphs (~20 nodes per layer, long skip edges). Times in ms, median of 3 runs.",
  "layout: in the Web Worker, including the message round trip; first render: `show()` until its first frame is drawn (includes layout);",
  "first view: at reading size at the top of the graph (a fit would shrink a deep graph to a line); zoom / pan there: a wheel event or a drag until the second",
  "animation frame after it (so it includes ~1–2 frame intervals of waiting); fit: the whole graph in view (above 1,500 boxes in view it is drawn as aggregated paths: overview),",
  "then a zoom frame at that view;",
  "expand: `expand()` of the first collapsed group until drawn (relayout of what is visible).",
  "",
  "| nodes | graph | boxes laid out | edges | parse | layout | first render | zoom frame | pan frame | fit (drawn as) | zoom frame, fitted | expand (boxes after) |",
  "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
  ...rows.map((r) => `| ${r.nodes} | ${r.label} | ${r.boxes} | ${r.edges} | ${fmt(r.parse)} | ${fmt(r.layout)}${r.worker ? "" : " (no worker)"} | ${fmt(r.first)} | ${fmt(r.zoom)} | ${fmt(r.pan)} | ${fmt(r.fit)} (${r.fitMode}) | ${fmt(r.overviewZoom)} | ${r.expand === null ? "–" : `${fmt(r.expand)} (${r.expandBoxes})`} |`),
  "",
  `Screenshots: ${shots.map((s) => s.replace(root + "/", "")).join(", ")}.`,
  ...(problems.length ? ["", "Problems seen in the page:", ...problems.map((p) => `- ${p}`)] : []),
  "",
];
writeFileSync(join(here, "results.md"), lines.join("\n"));
console.log(lines.join("\n"));
if (problems.length) process.exitCode = 1;
