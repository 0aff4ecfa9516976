// A TaskQueueFactory whose queues share a small pool of threads instead of owning one each.
//
// libwebrtc's default factory starts a thread for every task queue, and every peer connection
// creates two (the RTP transport controller's and the pacer's) and joins them when it closes.
// That is most of the cost of creating, closing and exiting with many connections, and the
// thread churn fragments the heap. Here each queue is a sequence of tasks pinned to one pool
// thread (round robin), as Chromium maps task queues onto its thread pool. Per queue, tasks run
// in order, one at a time, with TaskQueueBase::Current() set to the queue.
#pragma once

#include <atomic>
#include <memory>
#include <vector>

#include "api/task_queue/task_queue_factory.h"

namespace rtc {
class Thread;
}

namespace nlw {

class SharedTaskQueueFactory : public webrtc::TaskQueueFactory {
 public:
  // `threads` pool threads, started at construction. Queues whose names are not in the shared
  // list (see .cc) get a thread of their own from `fallback`.
  SharedTaskQueueFactory(size_t threads, std::unique_ptr<webrtc::TaskQueueFactory> fallback);
  ~SharedTaskQueueFactory() override;

  std::unique_ptr<webrtc::TaskQueueBase, webrtc::TaskQueueDeleter> CreateTaskQueue(
      absl::string_view name, Priority priority) const override;

  // Stops the pool threads. Every queue must have been deleted before, unless `abandon`: then the
  // threads are stopped and left to the OS with whatever still refers to them (process exit).
  void Stop(bool abandon);

 private:
  std::vector<std::unique_ptr<rtc::Thread>> pool_;
  std::unique_ptr<webrtc::TaskQueueFactory> fallback_;
  mutable std::atomic<size_t> next_{0};
};

}  // namespace nlw
