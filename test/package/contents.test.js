'use strict'
// What `npm pack` ships (package.json "files"): the prebuild, the compiled JS with CJS and ESM
// types, and what the node-gyp fallback needs to build from source (binding.gyp, src-native/, the
// scripts binding.gyp runs); no tests, benchmarks or development scripts. docs/package.md lists it.
const assert = require('node:assert/strict')
const { execFileSync } = require('node:child_process')
const fs = require('node:fs')
const path = require('node:path')

const root = path.join(__dirname, '..', '..')

describe('package contents (npm pack)', function () {
  let files

  before(function () {
    this.timeout(60000)
    // --ignore-scripts: lists the dist/ and prebuilds/ that are there, without rebuilding them
    const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8', timeout: 60000 })
    files = JSON.parse(out)[0].files.map(f => f.path)
  })

  it('holds the prebuild, the CJS and ESM entries and their types', function () {
    assert.equal(files.filter(f => /^prebuilds\/linux-x64\/[^/]+\.node$/.test(f)).length, 1, files.join('\n'))
    for (const f of ['package.json', 'README.md', 'dist/index.js', 'dist/index.mjs', 'dist/index.d.ts', 'dist/index.d.mts',
      'dist/polyfill.js', 'dist/polyfill.mjs', 'dist/polyfill.d.ts', 'dist/polyfill.d.mts', 'polyfill/package.json']) {
      assert.ok(files.includes(f), `${f} missing from the tarball`)
    }
    // every compiled module comes with its declarations (index.d.ts refers to them)
    for (const js of files.filter(f => /^dist\/.*\.js$/.test(f))) {
      assert.ok(files.includes(js.replace(/\.js$/, '.d.ts')), `${js} has no .d.ts in the tarball`)
    }
  })

  it('holds what the node-gyp fallback builds from: binding.gyp, every source in src-native/build.json, the scripts it runs', function () {
    for (const f of ['binding.gyp', 'CMakeLists.txt', 'src-native/build.json', 'src-native/shims/exports.map']) {
      assert.ok(files.includes(f), `${f} missing from the tarball`)
    }
    const build = JSON.parse(fs.readFileSync(path.join(root, 'src-native', 'build.json'), 'utf8'))
    for (const src of build.sources) assert.ok(files.includes(src), `${src} (build.json) missing from the tarball`)
    const headers = fs.readdirSync(path.join(root, 'src-native'), { recursive: true })
      .filter(f => f.endsWith('.h')).map(f => `src-native/${f}`)
    for (const h of headers) assert.ok(files.includes(h), `${h} missing from the tarball`)
    // the scripts binding.gyp runs, and no other script
    const gyp = fs.readFileSync(path.join(root, 'binding.gyp'), 'utf8')
    const needed = [...new Set([...gyp.matchAll(/node (scripts\/[\w.-]+\.js)/g)].map(m => m[1]))]
    assert.ok(needed.length > 0, 'binding.gyp runs no script?')
    assert.deepEqual(files.filter(f => f.startsWith('scripts/')).sort(), needed.sort())
  })

  it('leaves out tests, benchmarks, examples, docs and development files', function () {
    const unwanted = files.filter(f => /^(test|bench|examples|docs|lib|build|node_modules|\.ci|\.github)\//.test(f) ||
      /(^|\/)(tsconfig\.json|\.mocharc\.json|package-lock\.json|lsan\.supp|[^/]*fuzz[^/]*)$/.test(f))
    assert.deepEqual(unwanted, [])
  })
})
