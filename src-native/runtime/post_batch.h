// Task posts between the relay's busy threads, gathered into one post per batch of work.
//
// A relay at N = 100 sends ~23,000 RTP packets a second, and libwebrtc (M108) moves each of them
// across threads twice: the pacer's queue (a pool thread) posts every packet to the network thread
// (MediaChannel::SendRtp), and the network thread posts every sent packet back to the connection's
// RTP queue (RtpTransportControllerSend::OnSentPacket). Each post takes rtc::Thread's lock and a
// message of its own, and often wakes the other thread: futexes, context switches and malloc were
// a quarter of the relay's CPU (bench/RESULTS.md, "Relay CPU per subscriber").
//
// A PostBatch is a scope on a thread: while one is open, posts that go to another thread through
// PostBatch::Defer wait in the scope, in order, and when the outermost scope ends each target
// thread gets one task that runs its posts back to back (in a scope of its own, so what they post
// in turn is gathered too; on a network thread, inside a segmenting DatagramBatch, so the datagrams
// they send leave in as few system calls as possible). Scopes are opened around a pool queue's
// task (a pacer burst: all its packets are one hop), around such a batch, and around a socket's
// read event. Posts keep their order per target thread; posts to different threads had none.
#pragma once

#include "absl/functional/any_invocable.h"

namespace rtc {
class Thread;
}

namespace nlw {

class PostBatch {
 public:
  PostBatch();
  ~PostBatch();
  PostBatch(const PostBatch&) = delete;
  PostBatch& operator=(const PostBatch&) = delete;

  // Takes `task` for `target` if a scope is open on this thread and `target` is another thread;
  // otherwise leaves it and returns false (post it as usual).
  static bool Defer(rtc::Thread* target, absl::AnyInvocable<void() &&>& task);
};

}  // namespace nlw
