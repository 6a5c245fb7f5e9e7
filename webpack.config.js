// Extra rspack rules for the prebuilt extension (package.json "jupyterlab.webpackConfig").
// onnxruntime-web's wasm gets a content hash in its name: jupyter_server serves extension
// assets as immutable for a year (TOOLCHAIN.md).
// output.environment.globalThis: the runtime reads `globalThis` instead of falling back to
// `Function("return this")()`, so no shipped asset contains a Function constructor call
// (issue 9: no eval / new Function anywhere; python/tests/test_no_code_from_data.py checks).
// ignoreWarnings: onnxruntime-web's bundle reaches `require` only on its Node path (never taken
// in a browser); rspack's "Critical dependency" warning for it printed the whole minified line
// into every build log.
module.exports = {
  output: { environment: { globalThis: true } },
  ignoreWarnings: [{ module: /onnxruntime-web/, message: /Critical dependency: require function/ }],
  module: {
    rules: [
      {
        test: /ort-wasm-simd-threaded.*\.wasm$/,
        type: "asset/resource",
        generator: { filename: "[name].[contenthash:16][ext]" },
      },
    ],
  },
};
