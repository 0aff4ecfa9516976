'use strict'
// Runs a command inside a fresh network namespace that has only a loopback interface, so tests,
// examples and benchmarks cannot send a packet anywhere but 127.0.0.1/::1.
// Usage: node scripts/netns.js <command> [args...]
const { spawnSync } = require('node:child_process')
const path = require('node:path')

const args = process.argv.slice(2)
if (args.length === 0) {
  console.error('usage: node scripts/netns.js <command> [args...]')
  process.exit(2)
}
const env = { ...process.env, PATH: `${path.join(__dirname, '..', 'node_modules', '.bin')}:${process.env.PATH}` }
if (process.env.NODE_LIBWEBRTC_NETNS === '1') {
  const r = spawnSync(args[0], args.slice(1), { stdio: 'inherit', env })
  process.exit(r.status ?? 1)
}
env.NODE_LIBWEBRTC_NETNS = '1'
const r = spawnSync('unshare', ['-n', 'sh', '-c', 'ip link set lo up && exec "$@"', 'sh', ...args], { stdio: 'inherit', env })
if (r.error || (r.status !== 0 && r.signal === null && r.status === 1 && r.stderr)) {
  console.error('node-libwebrtc: could not create a network namespace (needs root or user namespaces: unshare -n)')
}
if (r.signal) process.kill(process.pid, r.signal)
process.exit(r.status ?? 1)
