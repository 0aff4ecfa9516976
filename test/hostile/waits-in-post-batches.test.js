'use strict'
// The runtime holds the posts a pool task or socket read makes to other threads and sends them as
// one when it ends (src-native/runtime/post_batch.h). A thread that waits inside such a scope for
// a task it just posted (libwebrtc does: rtc::Thread::BlockingCall, and PostTask + rtc::Event) must
// not wait on its own held post: that hangs the connection's threads, and the process with them.
const assert = require('assert')
const { binding } = require('../../dist/native')

describe('waits inside a post batch', function () {
  this.timeout(20000)

  it('a pool task that posts to the shard and waits, and one that makes a BlockingCall, both finish; so does a network thread calling another', function () {
    assert.strictEqual(binding.checkPostBatchWaits(), '')
  })
})
