# Builds the mnist-lab native engine (node-addon-api on oneDNN); `npm run build:native` runs node-gyp on this file.
{
  "variables": {
    # Let the loops vectorise (no errno from sqrt, no FP traps to preserve, so a select needs no branch) without
    # changing a single result: no contraction into FMAs, no reassociation.
    "value_safe_float_flags": ["-fno-math-errno", "-fno-trapping-math", "-ffp-contract=off"]
  },
  "targets": [
    {
      "target_name": "mnist_native",
      "sources": [
        "csrc/addon.cc",
        "csrc/addon_args.cc",
        "csrc/addon_kernels.cc",
        "csrc/addon_predictor.cc",
        "csrc/addon_status.cc",
        "csrc/addon_trainer.cc",
        "csrc/batch_norm.cc",
        "csrc/common.cc",
        "csrc/conv.cc",
        "csrc/denormals.cc",
        "csrc/geometry.cc",
        "csrc/loss.cc",
        "csrc/network.cc",
        "csrc/ops.cc",
        "csrc/optimizer.cc",
        "csrc/pool.cc",
        "csrc/predictor.cc",
        "csrc/trainer.cc"
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "dependencies": ["<!(node -p \"require('node-addon-api').targets\"):node_addon_api_except"],
      "defines": ["NAPI_VERSION=8"],
      "cflags_cc": ["-O3", "-std=c++17", "-fopenmp", "<@(value_safe_float_flags)"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti"],
      "libraries": ["-ldnnl", "-lgomp"],
      "conditions": [
        ["OS=='mac'", {
          "libraries!": ["-lgomp"],
          "libraries": ["-L/opt/homebrew/lib", "-L/usr/local/lib", "-ldnnl", "-lomp"],
          "include_dirs": ["/opt/homebrew/include", "/usr/local/include"],
          "xcode_settings": {
            "GCC_ENABLE_CPP_EXCEPTIONS": "YES",
            "GCC_ENABLE_CPP_RTTI": "YES",
            "CLANG_CXX_LANGUAGE_STANDARD": "c++17",
            "OTHER_CPLUSPLUSFLAGS": ["-O3", "-Xpreprocessor", "-fopenmp", "<@(value_safe_float_flags)"]
          }
        }]
      ]
    }
  ]
}
