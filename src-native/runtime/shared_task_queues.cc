#include "runtime/shared_task_queues.h"

#include <mutex>
#include <string>

#include "absl/strings/string_view.h"
#include "rtc_base/thread.h"

namespace nlw {

namespace {

// The queues every peer connection creates (call/rtp_transport_controller_send.cc,
// modules/pacing/task_queue_paced_sender.cc). They run short, non-blocking tasks. Other queues
// (encoders, decoders, audio devices: media work that may block or run long) keep their own
// thread, as libwebrtc expects.
bool IsShared(absl::string_view name) {
  return name == "rtp_send_controller" || name == "TaskQueuePacedSender";
}

class SharedQueue final : public webrtc::TaskQueueBase {
 public:
  explicit SharedQueue(rtc::Thread* host) : host_(host), state_(std::make_shared<State>()) {
    state_->queue = this;
  }

  void Delete() override {
    if (IsCurrent()) {
      // From one of our own tasks (the wrapper below holds the lock): nothing else can run.
      state_->deleted = true;
    } else {
      // Waits for a running task to finish; after this no task of the queue starts.
      std::lock_guard<std::mutex> lock(state_->run_mu);
      state_->deleted = true;
    }
    delete this;
  }

  void PostTask(absl::AnyInvocable<void() &&> task) override {
    host_->PostTask(Wrap(std::move(task)));
  }
  void PostDelayedTask(absl::AnyInvocable<void() &&> task, webrtc::TimeDelta delay) override {
    host_->PostDelayedTask(Wrap(std::move(task)), delay);
  }
  void PostDelayedHighPrecisionTask(absl::AnyInvocable<void() &&> task,
                                    webrtc::TimeDelta delay) override {
    host_->PostDelayedHighPrecisionTask(Wrap(std::move(task)), delay);
  }

 private:
  struct State {
    std::mutex run_mu;       // held while one of the queue's tasks runs, and by Delete
    bool deleted = false;    // under run_mu
    SharedQueue* queue = nullptr;  // valid while !deleted
  };

  ~SharedQueue() override = default;

  // Tasks of a deleted queue are dropped unrun, on the host thread (allowed by TaskQueueBase).
  absl::AnyInvocable<void() &&> Wrap(absl::AnyInvocable<void() &&> task) {
    return [state = state_, task = std::move(task)]() mutable {
      std::lock_guard<std::mutex> lock(state->run_mu);
      if (state->deleted) return;
      CurrentTaskQueueSetter current(state->queue);
      std::move(task)();
      task = nullptr;  // its captures die while the queue is current, as on a queue's own thread
    };
  }

  rtc::Thread* const host_;
  const std::shared_ptr<State> state_;
};

}  // namespace

SharedTaskQueueFactory::SharedTaskQueueFactory(size_t threads,
                                               std::unique_ptr<webrtc::TaskQueueFactory> fallback)
    : fallback_(std::move(fallback)) {
  for (size_t i = 0; i < threads; ++i) {
    auto t = rtc::Thread::Create();
    t->SetName("nlw-rtp-" + std::to_string(i), nullptr);
    t->Start();
    pool_.push_back(std::move(t));
  }
}

SharedTaskQueueFactory::~SharedTaskQueueFactory() { Stop(/*abandon=*/false); }

std::unique_ptr<webrtc::TaskQueueBase, webrtc::TaskQueueDeleter>
SharedTaskQueueFactory::CreateTaskQueue(absl::string_view name, Priority priority) const {
  if (pool_.empty() || !IsShared(name)) return fallback_->CreateTaskQueue(name, priority);
  rtc::Thread* host = pool_[next_.fetch_add(1, std::memory_order_relaxed) % pool_.size()].get();
  return std::unique_ptr<webrtc::TaskQueueBase, webrtc::TaskQueueDeleter>(new SharedQueue(host));
}

void SharedTaskQueueFactory::Stop(bool abandon) {
  for (auto& t : pool_) t->Stop();
  if (abandon) {
    for (auto& t : pool_) (void)t.release();
  }
  pool_.clear();
}

}  // namespace nlw
