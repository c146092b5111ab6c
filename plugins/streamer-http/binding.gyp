{
  "targets": [
    {
      "target_name": "fanout",
      "sources": ["native/fanout.c", "native/batch-sink.c"],
      "cflags": ["-Wall", "-Wextra", "-O2", "<!@(pkg-config --cflags gstreamer-base-1.0)"],
      "libraries": ["<!@(pkg-config --libs gstreamer-base-1.0)"]
    }
  ]
}
