{
  "target_defaults": {
    "cflags_cc": ["-O3", "-std=c++17", "-fPIC", "-ffp-contract=off", "-fno-math-errno", "-Wall", "-Wno-unused-function", "-Wno-psabi", "-Wno-maybe-uninitialized"],
    "cflags_cc!": ["-std=gnu++17", "-std=gnu++14", "-std=gnu++1y", "-std=c++14"],
    "conditions": [
      ["target_arch=='x64'", { "defines": ["WT_X86"] }]
    ]
  },
  "targets": [
    {
      "target_name": "wt_kernels",
      "sources": ["src/addon.cc", "src/pool.cc", "src/isa_generic.cc"],
      "defines": ["NAPI_VERSION=8"],
      "conditions": [
        ["target_arch=='x64'", { "dependencies": ["wt_avx2", "wt_avx512"] }]
      ]
    }
  ],
  "conditions": [
    ["target_arch=='x64'", {
      "targets": [
        {
          "target_name": "wt_avx2",
          "type": "static_library",
          "sources": ["src/isa_avx2.cc"],
          "cflags_cc": ["-mavx2", "-mfma"]
        },
        {
          "target_name": "wt_avx512",
          "type": "static_library",
          "sources": ["src/isa_avx512.cc"],
          "cflags_cc": ["-mavx512f", "-mavx512vl", "-mavx2", "-mfma"]
        }
      ]
    }]
  ]
}
