#include "runtime/post_batch_check.h"

#include <memory>

#include "api/task_queue/task_queue_factory.h"
#include "api/units/time_delta.h"
#include "rtc_base/event.h"
#include "rtc_base/thread.h"
#include "runtime/network_thread.h"
#include "runtime/post_batch.h"

namespace nlw {
namespace {

constexpr webrtc::TimeDelta kBudget = webrtc::TimeDelta::Seconds(3);

// Outlives a step that hangs: the stuck thread and a late post still refer to it.
struct Step {
  rtc::Event inner;  // the waited-for task ran
  rtc::Event done;   // the waiting task finished
};

}  // namespace

std::string CheckWaitsInPostBatches(webrtc::TaskQueueFactory& queues, rtc::Thread* shard) {
  std::string failed;
  // A queue of the RTP pool: its tasks run inside a post batch (shared_task_queues.cc).
  auto queue = queues.CreateTaskQueue("rtp_send_controller", webrtc::TaskQueueFactory::Priority::NORMAL);

  auto event_wait = std::make_shared<Step>();
  queue->PostTask([shard, step = event_wait] {
    shard->PostTask([step] { step->inner.Set(); });
    if (step->inner.Wait(kBudget)) step->done.Set();
  });
  if (!event_wait->done.Wait(kBudget * 2)) failed += "pool: event wait for a post to the shard; ";

  auto pool_call = std::make_shared<Step>();
  queue->PostTask([shard, step = pool_call] {
    shard->BlockingCall([step] { step->inner.Set(); });
    step->done.Set();
  });
  if (!pool_call->done.Wait(kBudget)) failed += "pool: BlockingCall to the shard; ";

  // A network thread calling another from inside a scope waits in its socket server, not an Event.
  // (Not the shard: libwebrtc forbids its network thread blocking calls.)
  std::shared_ptr<NetworkThread> caller = NetworkThread::Create();
  std::shared_ptr<NetworkThread> other = NetworkThread::Create();
  caller->Start();
  other->Start();
  auto shard_call = std::make_shared<Step>();
  caller->PostTask([other, step = shard_call] {
    PostBatch scope;
    other->PostTask([] {});  // held by the scope
    other->BlockingCall([step] { step->inner.Set(); });
    step->done.Set();
  });
  if (!shard_call->done.Wait(kBudget)) {
    // `caller` is stuck for good, and holds `other`: both are left to the process.
    failed += "network thread: BlockingCall to another; ";
    caller->PostTask([caller] {});  // NOLINT: a cycle that keeps the stuck thread's object alive
  } else {
    caller->Stop();
    other->Stop();
  }
  // Deleting a queue waits for its running task: a stuck one is left to the process.
  if (!failed.empty()) (void)queue.release();
  return failed;
}

}  // namespace nlw
