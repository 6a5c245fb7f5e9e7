/** Helpers: a notebook with given cells, run in a real kernel, and its outputs as text. */
import type { IJupyterLabPageFixture } from "@jupyterlab/galata";
import { expect, type Locator } from "@playwright/test";

/** The seed README's MLP and the extension, as a user's first cell would have them. */
export const PRELUDE = `%load_ext jax2onnx_lab
import jax, jax.numpy as jnp, numpy as np, onnx
from flax import nnx
from jax2onnx_lab import show, to_onnx

class MLP(nnx.Module):
    def __init__(self, din, dmid, dout, *, rngs):
        self.linear1 = nnx.Linear(din, dmid, rngs=rngs)
        self.dropout = nnx.Dropout(rate=0.1, rngs=rngs)
        self.bn = nnx.BatchNorm(dmid, rngs=rngs)
        self.linear2 = nnx.Linear(dmid, dout, rngs=rngs)

    def __call__(self, x):
        return self.linear2(nnx.gelu(self.dropout(self.bn(self.linear1(x)))))

model = MLP(30, 20, 10, rngs=nnx.Rngs(0))
model.eval()
print("READY")`;

/**
 * Appends code cells to the open notebook through its shared model: typing them into the editor
 * (galata's setCell/addCell) auto-indents Python and breaks it.
 */
async function appendCells(page: IJupyterLabPageFixture, cells: string[], replace: boolean): Promise<void> {
  await page.evaluate(
    ({ cells, replace }) => {
      type Shared = { cells: unknown[]; deleteCellRange(a: number, b: number): void; insertCells(at: number, cells: { cell_type: string; source: string }[]): void };
      const app = (window as unknown as { jupyterapp: { shell: { currentWidget: { content: { model: { sharedModel: Shared } } } } } }).jupyterapp;
      const shared = app.shell.currentWidget.content.model.sharedModel;
      if (replace) shared.deleteCellRange(0, shared.cells.length);
      shared.insertCells(shared.cells.length, cells.map((source) => ({ cell_type: "code", source })));
    },
    { cells, replace },
  );
}

/** Opens a new notebook with `cells` and runs them all. */
export async function runNotebook(page: IJupyterLabPageFixture, name: string, cells: string[]): Promise<void> {
  await page.notebook.createNew(name);
  await appendCells(page, cells, true);
  await page.notebook.run();
}

/** Adds a cell at the end, runs it, and returns its text output. */
export async function runCell(page: IJupyterLabPageFixture, src: string): Promise<string> {
  await appendCells(page, [src], false);
  const index = (await page.notebook.getCellCount()) - 1;
  await page.notebook.runCell(index);
  return (await page.notebook.getCellTextOutput(index))?.join("\n") ?? "";
}

/** The widget in the output of cell `index`. */
export function widgetIn(page: IJupyterLabPageFixture, index: number): Locator {
  return page.locator(".jp-Cell").nth(index).locator(".j2o-widget");
}

export async function visibleNodes(widget: Locator): Promise<number> {
  return widget.locator(".j2o-node").count();
}

export async function waitForGraph(widget: Locator): Promise<void> {
  await expect(widget.locator(".j2o-node").first()).toBeVisible();
}
