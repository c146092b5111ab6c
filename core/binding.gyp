{
  "targets": [
    {
      "target_name": "flowcast_core",
      "sources": ["native/module.c", "native/batch-sink.c", "native/sendfile.c", "native/file-sender.c"],
      "cflags": ["-Wall", "-Wextra", "-O2", "<!@(pkg-config --cflags gstreamer-base-1.0)"],
      "libraries": ["<!@(pkg-config --libs gstreamer-base-1.0)"]
    }
  ]
}
