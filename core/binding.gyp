{
  "targets": [
    {
      "target_name": "flowcast_core",
      "sources": ["native/module.c", "native/batch-sink.c"],
      "cflags": ["-Wall", "-Wextra", "-O2", "<!@(pkg-config --cflags gstreamer-base-1.0)"],
      "libraries": ["<!@(pkg-config --libs gstreamer-base-1.0)"]
    },
    {
      "target_name": "flowcast_net",
      "sources": ["native/net-module.c", "native/request-arrival.c", "native/file-sender.c"],
      "cflags": ["-Wall", "-Wextra", "-O2"]
    }
  ]
}
