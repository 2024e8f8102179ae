# Builds the mnist-lab native engine (node-addon-api on oneDNN); `npm run build:native` runs node-gyp on this file.
{
  "targets": [
    {
      "target_name": "mnist_native",
      "sources": [
        "csrc/addon.cc",
        "csrc/common.cc",
        "csrc/conv.cc",
        "csrc/ops.cc",
        "csrc/net.cc"
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "dependencies": ["<!(node -p \"require('node-addon-api').targets\"):node_addon_api_except"],
      "defines": ["NAPI_VERSION=8"],
      "cflags_cc": ["-O3", "-std=c++17", "-fopenmp"],
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
            "OTHER_CPLUSPLUSFLAGS": ["-O3", "-Xpreprocessor", "-fopenmp"]
          }
        }]
      ]
    }
  ]
}
