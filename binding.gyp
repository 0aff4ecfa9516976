{
  "targets": [
    {
      "target_name": "node_libwebrtc",
      "sources": [ "<!@(node -p \"require('./src-native/build.json').sources.join(' ')\")" ],
      "include_dirs": [
        "<!(node -p \"require('node-addon-api').include_dir\")",
        "<!@(node -p \"require('./src-native/build.json').include_dirs.join(' ')\")"
      ],
      "defines": [ "<!@(node -p \"require('./src-native/build.json').defines.join(' ')\")" ],
      "cflags": [ "<!@(node -p \"require('./src-native/build.json').cflags.join(' ')\")" ],
      "cflags_cc": [ "<!@(node -p \"require('./src-native/build.json').cxxflags.join(' ')\")" ],
      "cflags!": [ "-fno-exceptions" ],
      "cflags_cc!": [ "-fno-exceptions", "-std=gnu++17", "-std=gnu++1y", "-std=gnu++20" ],
      "ldflags": [ "<!@(node -p \"require('./src-native/build.json').ldflags.map(f => f.replace('src-native/', require('path').resolve('src-native') + '/')).join(' ')\")" ],
      "libraries": [ "<!@(node scripts/link-inputs.js)" ],
      "conditions": [ [ "target_arch=='x64'", { "cflags": [ "-mtls-dialect=gnu2" ] } ] ]
    }
  ]
}
