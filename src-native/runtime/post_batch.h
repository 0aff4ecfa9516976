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
//
// A thread must not wait for another inside a scope while its posts are held: the task it waits
// for may be one of them, or be posted behind them (rtc::Thread::BlockingCall posts through the
// target's PostTask). So a scope flushes what it holds when its thread waits on an rtc::Event
// (libwebrtc's waits: Event::Wait calls the thread's yield policy, which a scope installs), and
// NetworkThread::BlockingCall flushes and posts straight (its wait on a network thread is the
// socket server's, not an Event).
#pragma once

#include "absl/functional/any_invocable.h"
#include "rtc_base/synchronization/yield_policy.h"

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

  // Posts what this thread's scopes hold now; they stay open.
  static void Flush();

  // While one lives, this thread's posts go straight to their targets (held ones first).
  class Suspend {
   public:
    Suspend();
    ~Suspend();
    Suspend(const Suspend&) = delete;
    Suspend& operator=(const Suspend&) = delete;

   private:
    int depth_;
  };

 private:
  class FlushOnWait : public rtc::YieldInterface {
   public:
    void YieldExecution() override { Flush(); }
  };
  FlushOnWait flush_on_wait_;
  rtc::ScopedYieldPolicy yield_{&flush_on_wait_};
};

}  // namespace nlw
