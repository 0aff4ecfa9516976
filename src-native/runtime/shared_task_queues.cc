#include "runtime/shared_task_queues.h"

#include <mutex>
#include <string>

#include "absl/strings/string_view.h"
#include "rtc_base/thread.h"

namespace nlw {

namespace {

// The queues every peer connection creates (call/rtp_transport_controller_send.cc,
// modules/pacing/task_queue_paced_sender.cc). They run short, non-blocking tasks.
bool IsRtpQueue(absl::string_view name) {
  return name == "rtp_send_controller" || name == "TaskQueuePacedSender";
}

// The encoder queue of each audio send stream (audio/channel_send.cc): a copy of 10 ms of PCM
// into the encoder, an Opus encode every other frame (well under a millisecond), never blocking.
// Video encoders, decoders and audio devices (work that may block or run long) keep their own
// thread, as libwebrtc expects.
bool IsAudioEncoderQueue(absl::string_view name) { return name == "AudioEncoder"; }

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

SharedTaskQueueFactory::SharedTaskQueueFactory(size_t threads, size_t audio_threads,
                                               std::unique_ptr<webrtc::TaskQueueFactory> fallback)
    : fallback_(std::move(fallback)) {
  rtp_.prefix = "nlw-rtp-";
  rtp_.size = threads;
  audio_.prefix = "nlw-audio-enc-";
  audio_.size = audio_threads;
  if (threads > 0) Host(rtp_);  // started now, as before: every connection needs them
}

SharedTaskQueueFactory::~SharedTaskQueueFactory() { Stop(/*abandon=*/false); }

rtc::Thread* SharedTaskQueueFactory::Host(Pool& pool) const {
  std::lock_guard<std::mutex> lock(mu_);
  if (pool.size == 0) return nullptr;
  if (pool.threads.empty()) {
    for (size_t i = 0; i < pool.size; ++i) {
      auto t = rtc::Thread::Create();
      t->SetName(pool.prefix + std::to_string(i), nullptr);
      t->Start();
      pool.threads.push_back(std::move(t));
    }
  }
  return pool.threads[pool.next.fetch_add(1, std::memory_order_relaxed) % pool.threads.size()].get();
}

std::unique_ptr<webrtc::TaskQueueBase, webrtc::TaskQueueDeleter>
SharedTaskQueueFactory::CreateTaskQueue(absl::string_view name, Priority priority) const {
  rtc::Thread* host = IsRtpQueue(name)            ? Host(rtp_)
                      : IsAudioEncoderQueue(name) ? Host(audio_)
                                                  : nullptr;
  if (host == nullptr) return fallback_->CreateTaskQueue(name, priority);
  return std::unique_ptr<webrtc::TaskQueueBase, webrtc::TaskQueueDeleter>(new SharedQueue(host));
}

void SharedTaskQueueFactory::Stop(bool abandon) {
  std::vector<std::unique_ptr<rtc::Thread>> threads;
  {
    // Taken out under the lock, stopped outside it: a task still running on a pool thread may
    // create a queue (Host takes the lock) before its thread can stop.
    std::lock_guard<std::mutex> lock(mu_);
    for (Pool* pool : {&rtp_, &audio_}) {
      for (auto& t : pool->threads) threads.push_back(std::move(t));
      pool->threads.clear();
      pool->size = 0;  // no pool after Stop: a late queue gets a thread of its own
    }
  }
  for (auto& t : threads) t->Stop();
  if (abandon) {
    for (auto& t : threads) (void)t.release();
  }
}

}  // namespace nlw
