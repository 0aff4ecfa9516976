// A TaskQueueFactory whose queues share small pools of threads instead of owning one each.
//
// libwebrtc's default factory starts a thread for every task queue, and every peer connection
// creates two (the RTP transport controller's and the pacer's) and joins them when it closes.
// That is most of the cost of creating, closing and exiting with many connections, and the
// thread churn fragments the heap. Here each queue is a sequence of tasks pinned to one pool
// thread (round robin), as Chromium maps task queues onto its thread pool. Per queue, tasks run
// in order, one at a time, with TaskQueueBase::Current() set to the queue.
//
// Three pools: the connections' RTP queues (short tasks, started with the factory), and the audio
// senders' encoder queues (one per sent audio stream, an Opus encode every 20 ms; started with the
// first one). With a thread per audio encoder, every stream woke its own thread every 10 ms; on a
// pool the 10 ms frames of all streams, handed over on one tick of the synthetic microphone, are
// encoded back to back by one wake of each pool thread. And the video senders' encoder queues
// (started with the first one): a forwarding encoder hands on a picture in tens of microseconds,
// so the relay's hundred senders of one picture share two threads instead of waking a hundred;
// a queue whose encoder starts encoding pixels (tens of milliseconds a frame) moves to a thread
// of its own before its next task (MoveCurrentQueueToOwnThread), where libwebrtc puts it.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "api/task_queue/task_queue_factory.h"

namespace rtc {
class Thread;
}

namespace nlw {

// From a task of a video encoder queue still on the pool: the queue moves to a thread of its own
// after this task (its encoder is about to encode pixels). Anywhere else it does nothing.
void MoveCurrentQueueToOwnThread();

// For a task posted to a libwebrtc thread (a shard's worker/network thread) from a task of a video
// encoder queue: the task, wrapped so that it is dropped unrun if that encoder queue has been
// deleted by the time it runs; from anywhere else, `task` unchanged. With the pacers on the worker
// thread (WebRTC-SendPacketsOnWorkerThread, runtime.cc), M108's VideoSendStreamImpl posts its
// encoder's reconfigurations to the worker thread guarded by a safety flag that is alive until the
// stream has been started and stopped: a stream destroyed before it ever sent (a renegotiation, a
// rejected description) left such a task queued behind its destruction, and it ran on freed memory.
// The encoder queue belongs to the stream's VideoStreamEncoder and is deleted with it, on the
// worker thread, so "queue deleted" is "stream gone" there.
absl::AnyInvocable<void() &&> DropIfEncoderQueueDeleted(absl::AnyInvocable<void() &&> task);

class SharedTaskQueueFactory : public webrtc::TaskQueueFactory {
 public:
  // `threads` RTP pool threads, started at construction; `audio_threads` audio encoder pool
  // threads, started with the first audio encoder queue (0: each encoder gets its own thread);
  // `video_threads` the same for video encoder queues. Queues of other names (see .cc) get a
  // thread of their own from `fallback`.
  SharedTaskQueueFactory(size_t threads, size_t audio_threads, size_t video_threads,
                         std::unique_ptr<webrtc::TaskQueueFactory> fallback);
  ~SharedTaskQueueFactory() override;

  std::unique_ptr<webrtc::TaskQueueBase, webrtc::TaskQueueDeleter> CreateTaskQueue(
      absl::string_view name, Priority priority) const override;

  // Stops the pool threads. Every queue must have been deleted before, unless `abandon`: then the
  // threads are stopped and left to the OS with whatever still refers to them (process exit).
  void Stop(bool abandon);

 private:
  struct Pool {
    std::string prefix;  // thread names: prefix + index
    size_t size = 0;
    std::vector<std::unique_ptr<rtc::Thread>> threads;  // empty until started, under mu_
    std::atomic<size_t> next{0};
  };
  // The pool thread for a new queue, starting the pool if needed; null if the pool has none.
  rtc::Thread* Host(Pool& pool) const;

  mutable std::mutex mu_;  // starting and stopping pools
  mutable Pool rtp_;
  mutable Pool audio_;
  mutable Pool video_;
  std::unique_ptr<webrtc::TaskQueueFactory> fallback_;
};

}  // namespace nlw
