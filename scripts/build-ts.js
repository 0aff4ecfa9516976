'use strict'
// Compiles lib/ (TypeScript, strict) to dist/ and writes the ESM entry point.
const { spawnSync } = require('node:child_process')
const fs = require('node:fs')
const path = require('node:path')

const root = path.join(__dirname, '..')
const r = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', root], { stdio: 'inherit' })
if (r.status !== 0) process.exit(r.status ?? 1)
// ESM: named exports from the CommonJS build, so `import { RTCPeerConnection } from 'node-libwebrtc'`
// and require() share one module instance (one native binding per environment).
// Names read from the compiled file, not by loading it: the native addon may not be built yet.
const js = fs.readFileSync(path.join(root, 'dist', 'index.js'), 'utf8')
const names = [...new Set([...js.matchAll(/Object\.defineProperty\(exports, "(\w+)"|exports\.(\w+) = /g)]
  .map(m => m[1] ?? m[2]).filter(n => n !== '__esModule'))].sort()
fs.writeFileSync(path.join(root, 'dist', 'index.mjs'),
  "import cjs from './index.js'\n" +
  `export const { ${names.join(', ')} } = cjs\n` +
  'export default cjs\n')
// The polyfill entry: importing it defines the globals (lib/polyfill.ts).
fs.writeFileSync(path.join(root, 'dist', 'polyfill.mjs'),
  "import cjs from './polyfill.js'\n" +
  'export const { defined } = cjs\n' +
  'export default cjs\n')
