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
const cjs = require(path.join(root, 'dist', 'index.js'))
const names = Object.keys(cjs).sort()
fs.writeFileSync(path.join(root, 'dist', 'index.mjs'),
  "import cjs from './index.js'\n" +
  `export const { ${names.join(', ')} } = cjs\n` +
  'export default cjs\n')
