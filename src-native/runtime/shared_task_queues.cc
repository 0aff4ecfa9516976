#include "runtime/shared_task_queues.h"

#include <deque>
#include <mutex>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "rtc_base/thread.h"
#include "runtime/post_batch.h"

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

// The encoder queue of each video send stream (video/video_send_stream.cc). A forwarding encoder
// (media/forwarding_video_encoder.h) hands on a picture in tens of microseconds; a real encoder
// may take tens of milliseconds per frame. These queues start on a pool thread and move to a
// thread of their own when their encoder starts encoding pixels (MoveCurrentQueueToOwnThread).
bool IsVideoEncoderQueue(absl::string_view name) { return name == "EncoderQueue"; }

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

  // Inside a PostBatch scope on another thread (the network thread sending a pacer burst, which
  // tells each packet's sending here), the post waits for the scope's end and goes with the others.
  void PostTask(absl::AnyInvocable<void() &&> task) override {
    absl::AnyInvocable<void() &&> wrapped = Wrap(std::move(task));
    if (PostBatch::Defer(host_, wrapped)) return;
    host_->PostTask(std::move(wrapped));
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
      PostBatch posts;  // what the task posts to other threads (a burst of packets) goes as one
      std::move(task)();
      task = nullptr;  // its captures die while the queue is current, as on a queue's own thread
    };
  }

  rtc::Thread* const host_;
  const std::shared_ptr<State> state_;
};


// A sequence of tasks that runs on a pool thread until asked to move to a thread of its own. Its
// tasks wait in its own list; the host runs them in batches (a queue never holds a pool thread for
// long) and, once moved, the list is drained on the new thread: order is kept across the move.
class MovableQueue final : public webrtc::TaskQueueBase {
 public:
  struct State {
    std::mutex mu;  // the fields below but run_mu
    std::deque<absl::AnyInvocable<void() &&>> tasks;
    bool scheduled = false;  // a Drain is posted or running
    bool deleted = false;
    rtc::Thread* host = nullptr;
    std::unique_ptr<rtc::Thread> own;  // once moved
    std::atomic<bool> move{false};
    std::mutex run_mu;  // held while a task runs, and by Delete
    MovableQueue* queue = nullptr;  // valid while !deleted
    std::atomic<bool> alive{true};  // false once Delete has begun (DropIfEncoderQueueDeleted)
  };

  explicit MovableQueue(rtc::Thread* host) : state_(std::make_shared<State>()) {
    state_->host = host;
    state_->queue = this;
  }

  void Delete() override {
    std::deque<absl::AnyInvocable<void() &&>> dropped;
    std::unique_ptr<rtc::Thread> own;
    {
      std::unique_lock<std::mutex> run(state_->run_mu, std::defer_lock);
      if (!IsCurrent()) run.lock();  // waits for a running task; from our own task the drain holds it
      std::lock_guard<std::mutex> lock(state_->mu);
      state_->deleted = true;
      state_->alive.store(false, std::memory_order_release);
      dropped.swap(state_->tasks);
      own = std::move(state_->own);
    }
    dropped.clear();
    if (own) {
      if (own->IsCurrent()) {
        // A thread cannot join itself: it stops after this task and is left to the OS.
        own->Quit();
        (void)own.release();
      } else {
        own->Stop();
      }
    }
    delete this;
  }

  void PostTask(absl::AnyInvocable<void() &&> task) override { Post(state_, std::move(task)); }
  void PostDelayedTask(absl::AnyInvocable<void() &&> task, webrtc::TimeDelta delay) override {
    Host()->PostDelayedTask([state = state_, task = std::move(task)]() mutable { Post(state, std::move(task)); }, delay);
  }
  void PostDelayedHighPrecisionTask(absl::AnyInvocable<void() &&> task, webrtc::TimeDelta delay) override {
    Host()->PostDelayedHighPrecisionTask(
        [state = state_, task = std::move(task)]() mutable { Post(state, std::move(task)); }, delay);
  }

  // The state of the movable queue whose task runs on this thread now, if any, and its owner.
  static thread_local State* running;
  static thread_local const std::shared_ptr<State>* running_owner;

 private:
  static constexpr int kBatch = 8;

  ~MovableQueue() override = default;

  rtc::Thread* Host() {
    std::lock_guard<std::mutex> lock(state_->mu);
    return state_->host;
  }

  static void Post(const std::shared_ptr<State>& state, absl::AnyInvocable<void() &&> task) {
    rtc::Thread* host;
    {
      std::lock_guard<std::mutex> lock(state->mu);
      if (state->deleted) return;  // dropped unrun (its captures die here)
      state->tasks.push_back(std::move(task));
      if (state->scheduled) return;
      state->scheduled = true;
      host = state->host;  // stable: only a running Drain changes it
    }
    host->PostTask([state] { Drain(state); });
  }

  static void Drain(const std::shared_ptr<State>& state) {
    // On the pool, a relayed picture's packets for the pacers of the batch's senders go as one
    // post (post_batch.h). Not on a thread of its own: a real encoder's frames leave one by one.
    std::optional<PostBatch> posts;
    {
      std::lock_guard<std::mutex> lock(state->mu);
      if (!state->own) posts.emplace();
    }
    for (int i = 0; i < kBatch; ++i) {
      absl::AnyInvocable<void() &&> task;
      {
        std::lock_guard<std::mutex> lock(state->mu);
        if (state->deleted || state->tasks.empty()) {
          state->scheduled = false;
          return;
        }
        task = std::move(state->tasks.front());
        state->tasks.pop_front();
      }
      {
        std::lock_guard<std::mutex> run(state->run_mu);
        if (state->deleted) return;
        CurrentTaskQueueSetter current(state->queue);
        running = state.get();
        running_owner = &state;
        std::move(task)();
        task = nullptr;  // its captures die while the queue is current
        running = nullptr;
        running_owner = nullptr;
      }
      if (state->move.load(std::memory_order_relaxed) && MoveToOwnThread(state)) return;
    }
    rtc::Thread* host;
    {
      std::lock_guard<std::mutex> lock(state->mu);
      if (state->deleted || state->tasks.empty()) {
        state->scheduled = false;
        return;
      }
      host = state->host;
    }
    host->PostTask([state] { Drain(state); });  // the rest after the other queues' turn
  }

  // On the pool thread, between two tasks: the queue's next drain runs on a new thread of its own.
  static bool MoveToOwnThread(const std::shared_ptr<State>& state) {
    {
      std::lock_guard<std::mutex> lock(state->mu);
      state->move.store(false);
      if (state->own) return false;  // moved already: nothing to do
    }
    auto thread = rtc::Thread::Create();
    thread->SetName("EncoderQueue", nullptr);
    thread->Start();
    rtc::Thread* host = thread.get();
    {
      std::lock_guard<std::mutex> lock(state->mu);
      state->move.store(false);
      if (state->deleted) {
        // Delete is waiting for nothing of ours: stop the thread here.
      } else {
        state->own = std::move(thread);
        state->host = host;
        if (state->tasks.empty()) {
          state->scheduled = false;
          return true;
        }
      }
    }
    if (thread) {
      thread->Stop();
      return true;
    }
    host->PostTask([state] { Drain(state); });
    return true;
  }

  const std::shared_ptr<State> state_;
};

thread_local MovableQueue::State* MovableQueue::running = nullptr;
thread_local const std::shared_ptr<MovableQueue::State>* MovableQueue::running_owner = nullptr;

}  // namespace

absl::AnyInvocable<void() &&> DropIfEncoderQueueDeleted(absl::AnyInvocable<void() &&> task) {
  const std::shared_ptr<MovableQueue::State>* origin = MovableQueue::running_owner;
  if (origin == nullptr) return task;
  return [state = *origin, task = std::move(task)]() mutable {
    if (state->alive.load(std::memory_order_acquire)) std::move(task)();
  };
}

void MoveCurrentQueueToOwnThread() {
  if (MovableQueue::State* state = MovableQueue::running) state->move.store(true);
}

SharedTaskQueueFactory::SharedTaskQueueFactory(size_t threads, size_t audio_threads, size_t video_threads,
                                               std::unique_ptr<webrtc::TaskQueueFactory> fallback)
    : fallback_(std::move(fallback)) {
  rtp_.prefix = "nlw-rtp-";
  rtp_.size = threads;
  audio_.prefix = "nlw-audio-enc-";
  audio_.size = audio_threads;
  video_.prefix = "nlw-video-enc-";
  video_.size = video_threads;
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
  if (host == nullptr && IsVideoEncoderQueue(name)) {
    if (rtc::Thread* pool = Host(video_))
      return std::unique_ptr<webrtc::TaskQueueBase, webrtc::TaskQueueDeleter>(new MovableQueue(pool));
  }
  if (host == nullptr) return fallback_->CreateTaskQueue(name, priority);
  return std::unique_ptr<webrtc::TaskQueueBase, webrtc::TaskQueueDeleter>(new SharedQueue(host));
}

void SharedTaskQueueFactory::Stop(bool abandon) {
  std::vector<std::unique_ptr<rtc::Thread>> threads;
  {
    // Taken out under the lock, stopped outside it: a task still running on a pool thread may
    // create a queue (Host takes the lock) before its thread can stop.
    std::lock_guard<std::mutex> lock(mu_);
    for (Pool* pool : {&rtp_, &audio_, &video_}) {
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
