'use strict'
// `npm run check:package`: the packed tarball's types resolve in every TypeScript mode that reads
// package.json (@arethetypeswrong/cli: node10, node16 from CJS and from ESM, bundler), and its
// package.json passes publint --strict. Both pack locally (npm pack): no network needed.
const assert = require('node:assert/strict')
const { spawnSync } = require('node:child_process')
const path = require('node:path')

const root = path.join(__dirname, '..', '..')

describe('package check (attw + publint)', function () {
  it('types resolve for node10, node16 (CJS and ESM) and bundler; publint finds nothing', function () {
    this.timeout(300000)
    const r = spawnSync('npm', ['run', '--silent', 'check:package'], { cwd: root, encoding: 'utf8', timeout: 300000 })
    const out = `${r.stdout}\n${r.stderr}`
    assert.equal(r.status, 0, out)
    assert.match(out, /No problems found/, out)
    // every entry point, in each resolution mode, resolves to types of its own module format
    for (const entry of ['"node-libwebrtc"', '"node-libwebrtc/polyfill"']) {
      const block = out.slice(out.indexOf(entry)).split('*****')[0]
      assert.match(block, /node10: 🟢/, block)
      assert.match(block, /node16 \(from CJS\): 🟢 \(CJS\)/, block)
      assert.match(block, /node16 \(from ESM\): 🟢 \(ESM\)/, block)
      assert.match(block, /bundler: 🟢/, block)
    }
    assert.match(out, /All good!/, out)
    assert.doesNotMatch(out, /Warnings:|Errors:/, out)
  })
})
