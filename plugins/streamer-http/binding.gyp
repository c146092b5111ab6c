{
  "targets": [
    {
      "target_name": "fanout",
      "sources": ["native/fanout.c"],
      "include_dirs": ["<!(node -p \"require('path').join(require('path').dirname(require.resolve('@flowcast/core/package.json')), 'native')\")"],
      "cflags": ["-Wall", "-Wextra", "-O2"]
    }
  ]
}
