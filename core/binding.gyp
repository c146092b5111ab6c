{
  "targets": [
    {
      "target_name": "batch_sink",
      "sources": ["native/module.c", "native/batch-sink.c"],
      "cflags": ["-Wall", "-Wextra", "-O2", "<!@(pkg-config --cflags gstreamer-base-1.0)"],
      "libraries": ["<!@(pkg-config --libs gstreamer-base-1.0)"]
    }
  ]
}
