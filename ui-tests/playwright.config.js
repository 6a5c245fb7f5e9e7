/**
 * Galata against a real JupyterLab (started from the venv the wheel was installed into, see
 * scripts/ui-tests.sh) in Debian's Chromium: Playwright's own browser download fails here.
 */
const base = require("@jupyterlab/galata/lib/playwright-config");

const PORT = Number(process.env.J2O_UI_PORT ?? 8890);

module.exports = {
  ...base,
  reporter: [["list"], ["html", { open: "never", outputFolder: "playwright-report" }]],
  timeout: 180000,
  expect: { timeout: 60000 },
  retries: 0,
  workers: 1,
  outputDir: "test-results",
  use: {
    ...base.use,
    baseURL: `http://localhost:${PORT}`,
    viewport: { width: 1400, height: 1000 },
    // Video and traces need a download that fails offline (TOOLCHAIN.md).
    video: "off",
    trace: "off",
    launchOptions: {
      executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
    },
  },
  webServer: {
    // The server's log goes to a file (shown by scripts/ui-tests.sh when a test fails).
    command: `${process.env.J2O_UI_JUPYTER ?? "jupyter"} lab --config jupyter_server_test_config.py --ServerApp.port=${PORT} > ${process.env.J2O_UI_LOG ?? "jupyterlab.log"} 2>&1`,
    url: `http://localhost:${PORT}/lab`,
    timeout: 120000,
    reuseExistingServer: false,
    stdout: "ignore",
    stderr: "ignore",
  },
};
