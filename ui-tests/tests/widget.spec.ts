/*
 * The graph widget in a real JupyterLab and kernel, as a user meets it: %jax2onnx on the seed
 * MLP and on a model with two module scopes, parity in onnxruntime-web, save and download, an
 * unsupported primitive, an ONNX file from another tool, and names that are HTML.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { expect, test } from "@jupyterlab/galata";
import { PRELUDE, runCell, runNotebook, visibleNodes, waitForGraph, widgetIn } from "./notebook";

const ROOT = process.env.JUPYTERLAB_GALATA_ROOT_DIR ?? "";


test("seed MLP: graph, inspector with B, search, parity, save and download", async ({ page, tmpPath }, testInfo) => {
  await runNotebook(page, "seed-mlp.ipynb", [PRELUDE, 'w = %jax2onnx model --inputs "B,30" --dims B=4\nw']);
  const widget = widgetIn(page, 1);
  await waitForGraph(widget);
  expect(await visibleNodes(widget)).toBeGreaterThan(3);
  await page.screenshot({ path: testInfo.outputPath("seed-mlp.png") });

  // The inspector shows the first layer's input shape with the symbolic batch dim (Linear and the
  // folded BatchNorm are one Gemm after the fusions).
  await widget.locator('.j2o-node[data-op="Gemm"]').first().click();
  await expect(widget.locator(".j2o-inspector")).toContainText("Gemm");
  await expect(widget.locator(".j2o-inspector")).toContainText(/float32\[B,\s?30\]/);
  await expect(widget.locator(".j2o-selected")).toHaveCount(1);

  // Search by op finds a node and selects it.
  await widget.locator(".j2o-search input").fill("Gelu");
  await widget.locator(".j2o-search input").press("Enter");
  await expect(widget.locator('.j2o-selected[data-op="Gelu"]')).toHaveCount(1);
  await expect(widget.locator(".j2o-search-results")).toBeHidden(); // the hit list no longer covers the graph

  // Parity in onnxruntime-web passes, and Python sees it as widget state.
  await expect(widget.locator(".j2o-parity")).toHaveAttribute("data-ok", "true");
  await expect(widget.locator(".j2o-parity")).toContainText("onnxruntime-web");
  const parity = await runCell(page, 'print("PARITY", w.parity["ok"], w.parity["runtime"], w.parity["outputs"][0]["shape"])');
  expect(parity).toContain("PARITY True onnxruntime-web [4, 10]");

  // Save writes through the kernel what to_onnx writes, byte for byte; onnxruntime loads it.
  await widget.locator(".j2o-save").click();
  await expect(widget.locator(".j2o-status")).toContainText("saved");
  const same = await runCell(
    page,
    `import onnxruntime as ort
ort.InferenceSession("MLP.onnx", providers=["CPUExecutionProvider"])
to_onnx(model, [("B", 30)], return_mode="file", output_path="ref.onnx")
onnx.checker.check_model(onnx.load("MLP.onnx"), full_check=True)
print("SAME", open("MLP.onnx", "rb").read() == open("ref.onnx", "rb").read())`,
  );
  expect(same).toContain("SAME True");

  // Download builds the same bytes in the browser.
  const [download] = await Promise.all([page.waitForEvent("download"), widget.locator(".j2o-download").click()]);
  const downloaded = testInfo.outputPath("downloaded.onnx");
  await download.saveAs(downloaded);
  expect(fs.readFileSync(downloaded).equals(fs.readFileSync(path.join(ROOT, tmpPath, "ref.onnx")))).toBe(true);
  await page.screenshot({ path: testInfo.outputPath("seed-mlp-parity.png") });
});

test("two module scopes collapse and expand", async ({ page }, testInfo) => {
  const model = `class Block(nnx.Module):
    def __init__(self, d, *, rngs):
        self.linear1 = nnx.Linear(d, d, rngs=rngs)
        self.linear2 = nnx.Linear(d, d, rngs=rngs)
    def __call__(self, x):
        return self.linear2(jax.nn.relu(self.linear1(x)))

class TwoBlocks(nnx.Module):
    def __init__(self, d, *, rngs):
        self.block1 = Block(d, rngs=rngs)
        self.block2 = Block(d, rngs=rngs)
    def __call__(self, x):
        return self.block2(self.block1(x))

two = TwoBlocks(16, rngs=nnx.Rngs(0))`;
  await runNotebook(page, "two-scopes.ipynb", [PRELUDE, model, 'w2 = %jax2onnx two --inputs "B,16"\nw2']);
  const widget = widgetIn(page, 2);
  await waitForGraph(widget);
  const group = widget.locator('.j2o-group[data-id$="/block1"]');
  await expect(group).toHaveCount(1);
  await expect(group).toHaveAttribute("data-collapsed", "false");
  const before = await visibleNodes(widget);
  // An expanded group collapses from its header; a collapsed one expands when clicked.
  await group.locator(".j2o-header").click();
  await expect(group).toHaveAttribute("data-collapsed", "true");
  await expect.poll(() => visibleNodes(widget)).toBeLessThan(before);
  await page.screenshot({ path: testInfo.outputPath("two-scopes-collapsed.png") });
  await group.click();
  await expect(group).toHaveAttribute("data-collapsed", "false");
  await expect.poll(() => visibleNodes(widget)).toBe(before);
  await expect(widget.locator(".j2o-parity")).toHaveAttribute("data-ok", "true");
});

test("an unsupported primitive shows its error, with the source line, in the widget", async ({ page }) => {
  const cell = `from jax.extend.core import Primitive
my_op = Primitive("my_unknown_op")
my_op.def_abstract_eval(lambda x: x)
my_op.def_impl(lambda x: x)

def uses_it(x):
    return jnp.tanh(my_op.bind(x))

%jax2onnx uses_it --inputs "B,3"`;
  await runNotebook(page, "unsupported.ipynb", [PRELUDE, cell]);
  const error = widgetIn(page, 1).locator(".j2o-error");
  await expect(error).toBeVisible();
  await expect(error).toContainText("no ONNX lowering rule: my_unknown_op");
  await expect(error).toContainText("(uses_it)");
  await expect(error).toContainText("docs/plugins.md");
  // Readable text, not a traceback in the cell's output.
  expect(await page.locator(".jp-Cell").nth(1).locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']").count()).toBe(0);
});

test("show() opens an ONNX file written by another tool", async ({ page }, testInfo) => {
  const cell = `from onnx import helper, TensorProto
x = helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 8])
y = helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 8])
nodes = [helper.make_node("Relu", ["x"], ["r"], name="/encoder/act/Relu"), helper.make_node("Sigmoid", ["r"], ["y"], name="/decoder/gate/Sigmoid")]
onnx.save(helper.make_model(helper.make_graph(nodes, "other", [x], [y]), producer_name="other-tool"), "other.onnx")
show("other.onnx")`;
  await runNotebook(page, "other-file.ipynb", [PRELUDE, cell]);
  const widget = widgetIn(page, 1);
  await waitForGraph(widget);
  await widget.locator(".j2o-search input").fill("Sigmoid");
  await widget.locator(".j2o-search input").press("Enter");
  await expect(widget.locator('.j2o-selected[data-op="Sigmoid"]')).toHaveCount(1);
  await expect(widget.locator(".j2o-inspector")).toContainText("/decoder/gate/Sigmoid");
  await page.screenshot({ path: testInfo.outputPath("other-file.png") });
});

test("names that are HTML render as text and run nothing", async ({ page }) => {
  const payload = '<img src=x onerror="window.__j2o_xss=1">';
  const cell = `from onnx import helper, TensorProto
p = ${JSON.stringify(payload)}
x = helper.make_tensor_value_info(p + "in", TensorProto.FLOAT, [p, 2])
y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [p, 2])
node = helper.make_node("Relu", [p + "in"], ["y"], name=p)
helper.set_model_props(m := helper.make_model(helper.make_graph([node], p, [x], [y]), producer_name=p), {p: p})
m.graph.node[0].metadata_props.add(key="jax2onnx_lab.source", value=p)
onnx.save(m, "xss.onnx")
show("xss.onnx")`;
  await runNotebook(page, "xss.ipynb", [PRELUDE, cell]);
  const widget = widgetIn(page, 1);
  await waitForGraph(widget);
  await widget.locator(".j2o-node").first().click();
  await expect(widget.locator(".j2o-inspector")).toContainText(payload);
  expect(await widget.locator("img").count()).toBe(0);
  expect(await page.evaluate(() => (window as unknown as { __j2o_xss?: number }).__j2o_xss)).toBeUndefined();
});
