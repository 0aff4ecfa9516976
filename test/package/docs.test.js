'use strict'
// The API reference in docs/api/ (npm run docs: typedoc + typedoc-plugin-markdown over the shipped
// declarations, dist/index.d.ts and dist/polyfill.d.ts) is checked in; this regenerates it into a
// temporary directory and fails when the two differ, so the reference never drifts from the types.
// Needs dist/ (npm run build:ts).
const assert = require('node:assert/strict')
const { spawnSync } = require('node:child_process')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')

const root = path.join(__dirname, '..', '..')

function files (dir) {
  return fs.readdirSync(dir, { recursive: true }).filter(f => fs.statSync(path.join(dir, f)).isFile()).sort()
}

describe('API reference (docs/api)', function () {
  it('is what typedoc makes from the shipped declarations today (run `npm run docs` after changing lib/)', function () {
    this.timeout(300000)
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'nlw-docs-'))
    try {
      const r = spawnSync(process.execPath, [path.join(root, 'node_modules', 'typedoc', 'bin', 'typedoc'), '--out', out],
        { cwd: root, encoding: 'utf8', timeout: 300000 })
      assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`)
      const checkedIn = path.join(root, 'docs', 'api')
      assert.deepEqual(files(out), files(checkedIn), 'docs/api holds other pages than typedoc makes: npm run docs')
      for (const f of files(out)) {
        const want = fs.readFileSync(path.join(out, f), 'utf8')
        const have = fs.readFileSync(path.join(checkedIn, f), 'utf8')
        if (want !== have) {
          const a = want.split('\n')
          const b = have.split('\n')
          const line = a.findIndex((l, i) => l !== b[i])
          assert.fail(`docs/api/${f} differs from the declarations from line ${line + 1}:\n` +
            `  typedoc: ${a[line]}\n  docs/api: ${b[line]}\nrun \`npm run docs\` and commit docs/api`)
        }
      }
      // only the public entry points, nothing marked private or internal
      assert.ok(files(out).includes('index.md') && files(out).includes('polyfill.md'), files(out).join(' '))
    } finally {
      fs.rmSync(out, { recursive: true, force: true })
    }
  })
})
