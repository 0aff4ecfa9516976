'use strict'
// `npm run check:package` in machine-readable form: the packed tarball's types resolve in every
// TypeScript mode that reads package.json (@arethetypeswrong/cli: node10, node16 from CJS and from
// ESM, bundler), and its package.json passes publint --strict. Both pack locally (npm pack): no
// network needed. attw's human output changes layout with the terminal width, so read its JSON.
const assert = require('node:assert/strict')
const { spawnSync } = require('node:child_process')
const path = require('node:path')

const root = path.join(__dirname, '..', '..')
const bin = (name) => path.join(root, 'node_modules', '.bin', name)
// TypeScript's ts.ModuleKind values as attw reports them
const CJS = 1
const ESM = 99

describe('package check (attw + publint)', function () {
  it('types resolve for node10, node16 (CJS and ESM) and bundler; publint finds nothing', function () {
    this.timeout(300000)
    const r = spawnSync(bin('attw'), ['--pack', '.', '--format', 'json'], { cwd: root, encoding: 'utf8', timeout: 300000 })
    assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`)
    const { analysis, problems } = JSON.parse(r.stdout)
    assert.deepEqual(analysis.problems, [])
    assert.deepEqual(Object.keys(problems), [])
    const kinds = analysis.programInfo.node16.moduleKinds
    for (const entry of ['.', './polyfill']) {
      const res = analysis.entrypoints[entry]?.resolutions
      assert.ok(res, `attw found no entry point ${entry}`)
      for (const mode of ['node10', 'node16-cjs', 'node16-esm', 'bundler']) {
        const file = res[mode]?.resolution?.fileName
        assert.ok(file && /\.d\.m?ts$/.test(file), `${entry} ${mode} resolves to types: ${file}`)
      }
      // each node16 mode gets declarations of its own module format (no "masquerading")
      assert.equal(kinds[res['node16-cjs'].resolution.fileName]?.detectedKind, CJS, `${entry} node16 from CJS`)
      assert.equal(kinds[res['node16-esm'].resolution.fileName]?.detectedKind, ESM, `${entry} node16 from ESM`)
    }
    const p = spawnSync(bin('publint'), ['--strict'], { cwd: root, encoding: 'utf8', timeout: 300000 })
    const out = `${p.stdout}\n${p.stderr}`
    assert.equal(p.status, 0, out)
    assert.match(out, /All good!/, out)
    assert.doesNotMatch(out, /Warnings:|Errors:|Suggestions:/, out)
  })
})
