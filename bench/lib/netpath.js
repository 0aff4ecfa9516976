'use strict'
// The network paths the bench measures on, made of network namespaces this process creates and
// deletes (needs root: `ip netns add`):
//   veth      two namespaces joined by a veth pair (198.18.0.1 <-> 198.18.0.2, MTU 1500): what a
//             peer on another host of a LAN looks like, minus the wire
//   netem     a WAN: 20 ms delay and 0.5% loss each way (RTT 40 ms). With `tc netem` on the veth
//             pair where the kernel has it; where it does not (sch_netem missing, as on the
//             project's VMs), two veth pairs through a middle namespace whose frames a userspace
//             relay (wan-relay.py, AF_PACKET) forwards with the same delay and loss
//   loopback  one namespace with only `lo`: both peers on 127.0.0.1 (the old bench path)
// Each peer process runs in its own namespace (`ip netns exec`); nothing leaves the namespaces.
const { execFileSync, spawn, spawnSync } = require('node:child_process')
const path = require('node:path')

const PROFILES = {
  veth: { label: 'veth pair, MTU 1500 (two network namespaces)', netem: null },
  netem: { label: 'WAN: 20 ms delay, 0.5% loss each way (RTT 40 ms)', netem: { delayMs: 20, loss: 0.005 } },
  loopback: { label: 'loopback, 127.0.0.1 (one namespace; not a path users have)', netem: null }
}

function ip (...args) { execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] }) }

const made = new Set()
const relays = new Set()
function cleanup () {
  for (const r of relays) { try { r.kill('SIGKILL') } catch {} }
  relays.clear()
  for (const ns of made) {
    try { ip('netns', 'del', ns) } catch {}
  }
  made.clear()
}
let hooked = false
function hook () {
  if (hooked) return
  hooked = true
  process.on('exit', cleanup)
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(sig, () => { cleanup(); process.exit(130) })
  }
}

function addNs (name) {
  ip('netns', 'add', name)
  made.add(name)
  // IPv4 only, as in issue 20's runs: no link-local IPv6 candidates, no duplicate address detection.
  execFileSync('ip', ['netns', 'exec', name, 'sysctl', '-q', '-w', 'net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1'])
  ip('-n', name, 'link', 'set', 'lo', 'up')
}

/**
 * Creates the namespaces of a profile (`tag` in their names: two paths of one profile need two
 * tags). Returns { label, a, b } where a and b are the namespaces the offerer and the answerer run
 * in (the same one for loopback).
 */
function createPath (profile, tag = profile) {
  const p = PROFILES[profile]
  if (p === undefined) throw new Error(`unknown network profile ${profile} (one of ${Object.keys(PROFILES).join(', ')})`)
  hook()
  const base = `nlwbench-${process.pid}-${tag}`
  if (profile === 'loopback') {
    addNs(`${base}-lo`)
    return { label: p.label, a: `${base}-lo`, b: `${base}-lo` }
  }
  const a = `${base}-a`
  const b = `${base}-b`
  addNs(a)
  addNs(b)
  const addresses = [[a, '198.18.0.1/24'], [b, '198.18.0.2/24']]
  const up = () => {
    for (const [ns, addr] of addresses) {
      ip('-n', ns, 'addr', 'add', addr, 'dev', 'eth0')
      ip('-n', ns, 'link', 'set', 'eth0', 'up')
    }
    waitOperUp(addresses.map(([ns]) => ns))
  }
  // Created straight inside the namespaces: no interface name in the host namespace to clash.
  // Named eth0 as on a user's host: werift (and libwebrtc for some names) skip interfaces named veth*.
  const veth = (ns1, if1, ns2, if2) => ip('link', 'add', 'name', if1, 'netns', ns1, 'mtu', '1500', 'type', 'veth', 'peer', 'name', if2, 'netns', ns2, 'mtu', '1500')
  if (!p.netem) {
    veth(a, 'eth0', b, 'eth0')
    up()
    return { label: p.label, a, b }
  }
  const { delayMs, loss } = p.netem
  if (hasNetem()) {
    veth(a, 'eth0', b, 'eth0')
    up()
    for (const [ns] of addresses) {
      // limit: netem's default queue (1,000 packets) would drop a 40 ms RTT's worth of a fast sender.
      execFileSync('ip', ['netns', 'exec', ns, 'tc', 'qdisc', 'add', 'dev', 'eth0', 'root', 'netem', 'delay', `${delayMs}ms`, 'loss', `${loss * 100}%`, 'limit', '100000'])
    }
    return { label: `${p.label}, tc netem`, a, b }
  }
  const m = `${base}-m`
  addNs(m)
  veth(a, 'eth0', m, 'm0')
  veth(b, 'eth0', m, 'm1')
  ip('-n', m, 'link', 'set', 'm0', 'up')
  ip('-n', m, 'link', 'set', 'm1', 'up')
  // A veth hands a UDP_SEGMENT send (up to 64 KiB, cut into datagrams only on its way out of a
  // real NIC) to the other end in one piece: the relay would read one oversized frame, fail to
  // send it and drop it. With at most one segment per packet, the kernel cuts such sends into
  // datagrams before the veth, as it does for a NIC without segmentation offload.
  for (const ns of [a, b]) ip('-n', ns, 'link', 'set', 'eth0', 'gso_max_segs', '1')
  up()
  const relay = spawn('ip', ['netns', 'exec', m, 'python3', path.join(__dirname, 'wan-relay.py'), 'm0', 'm1', String(delayMs), String(loss)], { stdio: ['ignore', 'pipe', 'inherit'] })
  relays.add(relay)
  // Wait for "ready" (synchronously enough: the caller awaits nothing; poll the pipe).
  return { label: `${p.label}, userspace relay (no sch_netem in this kernel)`, a, b, relay, ready: new Promise((resolve, reject) => {
    relay.stdout.once('data', () => resolve())
    relay.once('exit', code => reject(new Error(`wan-relay.py exited (${code})`)))
  }) }
}

/**
 * Waits until eth0 is operationally up in each namespace. A new veth pair reports UP at once, but
 * the kernel turns its carrier (and transmit queue) on from a deferred link event, up to a second
 * later; packets sent before are dropped, and the first run's first pair then waited for a
 * retransmission (2.06 s, every time, only in the first run).
 */
function waitOperUp (namespaces) {
  const deadline = Date.now() + 5000
  for (const ns of namespaces) {
    for (;;) {
      const out = execFileSync('ip', ['-n', ns, '-o', 'link', 'show', 'dev', 'eth0'], { encoding: 'utf8' })
      if (/[<,]LOWER_UP[,>]/.test(out) && /state UP/.test(out)) break
      if (Date.now() > deadline) throw new Error(`eth0 in ${ns} is not up: ${out.trim()}`)
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20)
    }
  }
}

let netem = null
/** Whether this kernel has the netem qdisc (tried on a throwaway namespace's lo). */
function hasNetem () {
  if (netem !== null) return netem
  const ns = `nlwbench-${process.pid}-probe`
  addNs(ns)
  netem = spawnSync('ip', ['netns', 'exec', ns, 'tc', 'qdisc', 'add', 'dev', 'lo', 'root', 'netem', 'delay', '1ms'], { stdio: 'ignore' }).status === 0
  try { ip('netns', 'del', ns) } catch {}
  made.delete(ns)
  return netem
}

function destroyPath (p) {
  if (p.relay) { try { p.relay.kill('SIGKILL') } catch {} relays.delete(p.relay) }
  for (const ns of new Set([p.a, p.b, p.a.replace(/-a$/, '-m')])) {
    try { ip('netns', 'del', ns) } catch {}
    made.delete(ns)
  }
}

module.exports = { PROFILES, createPath, destroyPath }
