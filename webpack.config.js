// Extra rspack rules for the prebuilt extension (package.json "jupyterlab.webpackConfig").
// onnxruntime-web's wasm gets a content hash in its name: jupyter_server serves extension
// assets as immutable for a year (TOOLCHAIN.md).
module.exports = {
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
