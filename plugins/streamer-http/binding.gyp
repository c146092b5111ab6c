{
  "targets": [
    {
      "target_name": "fanout",
      "sources": ["native/fanout.c"],
      "cflags": ["-Wall", "-Wextra", "-O2"]
    }
  ]
}
