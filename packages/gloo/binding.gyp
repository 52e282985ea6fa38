{
  "targets": [
    {
      "target_name": "semiflow_gloo",
      "sources": ["src/addon.cc", "src/group.cc"],
      "cflags_cc": ["-std=c++17", "-fexceptions"],
      "cflags_cc!": ["-fno-exceptions", "-std=gnu++17"],
      "include_dirs": ["/usr/include/hiredis"],
      "libraries": ["-lgloo", "-lhiredis", "-lpthread"]
    }
  ]
}
