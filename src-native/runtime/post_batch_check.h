// A self-check of PostBatch (post_batch.h) for the tests: the waits libwebrtc makes from inside a
// scope must not wait on the scope's own held posts.
#pragma once

#include <string>

namespace rtc {
class Thread;
}
namespace webrtc {
class TaskQueueFactory;
}

namespace nlw {

// Caller's thread (not `shard`, not a pool thread): waits at most a few seconds. Returns "" when
// every wait ended, else what did not. Runs, each inside a post batch: on an RTP pool queue, a post
// to `shard` then an rtc::Event wait for it, and a BlockingCall to `shard`; on a network thread of
// its own, a BlockingCall to another. A failure leaves the stuck thread behind.
std::string CheckWaitsInPostBatches(webrtc::TaskQueueFactory& queues, rtc::Thread* shard);

}  // namespace nlw
