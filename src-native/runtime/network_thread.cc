#include "runtime/network_thread.h"

#include <algorithm>
#include <limits>
#include <vector>

#include "rtc_base/physical_socket_server.h"
#include "rtc_base/time_utils.h"
#include "runtime/datagram_batch.h"
#include "runtime/post_batch.h"
#include "runtime/shared_task_queues.h"

namespace nlw {

std::unique_ptr<NetworkThread> NetworkThread::Create() {
  return std::make_unique<NetworkThread>(std::make_unique<rtc::PhysicalSocketServer>());
}

// do_init=false + DoInit(): the thread manager must not see the object before its vtable is ours.
NetworkThread::NetworkThread(std::unique_ptr<rtc::SocketServer> socket_server)
    : rtc::Thread(std::move(socket_server), /*do_init=*/false) {
  DoInit();
}

NetworkThread::~NetworkThread() {
  // rtc::Thread requires subclasses to stop it (Run must not see a half-destroyed object). The
  // long tasks are then destroyed here, as rtc::Thread destroys its own queued tasks.
  Stop();
}

// Posts from a video encoder queue's task die with that queue (shared_task_queues.h).
void NetworkThread::PostTask(absl::AnyInvocable<void() &&> task) {
  task = DropIfEncoderQueueDeleted(std::move(task));
  if (PostBatch::Defer(this, task)) return;
  rtc::Thread::PostTask(std::move(task));
}

void NetworkThread::BlockingCall(rtc::FunctionView<void()> functor) {
  PostBatch::Suspend straight;
  rtc::Thread::BlockingCall(functor);
}

void NetworkThread::PostDelayedTask(absl::AnyInvocable<void() &&> task, webrtc::TimeDelta delay) {
  task = DropIfEncoderQueueDeleted(std::move(task));
  if (delay >= kLongDelay) return AddLongTask(std::move(task), delay);
  rtc::Thread::PostDelayedTask(ThenPoll(std::move(task), delay), delay);
}

void NetworkThread::PostDelayedHighPrecisionTask(absl::AnyInvocable<void() &&> task,
                                                 webrtc::TimeDelta delay) {
  task = DropIfEncoderQueueDeleted(std::move(task));
  if (delay >= kLongDelay) return AddLongTask(std::move(task), delay);
  rtc::Thread::PostDelayedHighPrecisionTask(ThenPoll(std::move(task), delay), delay);
}

absl::AnyInvocable<void() &&> NetworkThread::ThenPoll(absl::AnyInvocable<void() &&> task,
                                                      webrtc::TimeDelta delay) {
  int64_t due_us = rtc::TimeMicros() + delay.us();
  // rtc::Thread's queue is destroyed with the thread, so `this` outlives the task.
  return [this, due_us, task = std::move(task)]() mutable {
    {
      // A timer's sends (a pacer's burst to its subscriber, SCTP's retransmissions) leave in as
      // few system calls as possible (datagram_batch.h).
      DatagramBatch batch(DatagramBatch::kSegment);
      std::move(task)();
    }
    if (rtc::TimeMicros() - due_us > kLateUs) PollIo();
  };
}

void NetworkThread::PollIo() {
  int64_t now = rtc::TimeMicros();
  if (polling_ || now - last_poll_us_ < kIoPollIntervalUs) return;
  last_poll_us_ = now;
  polling_ = true;
  // Between tasks, so not inside the loop's own Wait (the socket server does not nest): reads and
  // dispatches what is ready, without waiting.
  socketserver()->Wait(webrtc::TimeDelta::Zero(), /*process_io=*/true);
  polling_ = false;
}

void NetworkThread::AddLongTask(absl::AnyInvocable<void() &&> task, webrtc::TimeDelta delay) {
  int64_t now = rtc::TimeMillis();
  int64_t due = now + delay.ms();
  webrtc::MutexLock lock(&long_mutex_);
  uint64_t seq = clock_++;
  long_tasks_.emplace(seq, LongTask{due, std::move(task)});
  due_.emplace(due, seq);
  ArmLocked(due, now);
}

void NetworkThread::ArmLocked(int64_t due_ms, int64_t now_ms) {
  if (!wakeups_.empty() && *wakeups_.begin() <= due_ms) return;
  wakeups_.insert(due_ms);
  // rtc::Thread's queue is destroyed with the thread, so `this` outlives the wake-up.
  rtc::Thread::PostDelayedHighPrecisionTask([this, due_ms] { RunDueLongTasks(due_ms); },
                                            webrtc::TimeDelta::Millis(std::max<int64_t>(0, due_ms - now_ms)));
}

void NetworkThread::RunDueLongTasks(int64_t woke_for_ms) {
  std::vector<absl::AnyInvocable<void() &&>> due_now;
  {
    webrtc::MutexLock lock(&long_mutex_);
    wakeups_.erase(woke_for_ms);
    int64_t now = rtc::TimeMillis();
    while (!due_.empty() && due_.begin()->first <= now) {
      auto it = long_tasks_.find(due_.begin()->second);
      due_now.push_back(std::move(it->second.run));
      long_tasks_.erase(it);
      due_.erase(due_.begin());
    }
    if (!due_.empty()) ArmLocked(due_.begin()->first, now);
  }
  // Unlocked: a task may post more.
  for (auto& task : due_now) std::move(task)();
}

// Timers posted before the oldest open connection opened were set by connections that have all
// closed since.
uint64_t NetworkThread::HorizonLocked() const {
  return open_.empty() ? std::numeric_limits<uint64_t>::max() : *open_.begin();
}

uint64_t NetworkThread::ConnectionOpened() {
  webrtc::MutexLock lock(&long_mutex_);
  uint64_t token = clock_++;
  open_.insert(token);
  return token;
}

void NetworkThread::ConnectionClosed(uint64_t token) {
  webrtc::MutexLock lock(&long_mutex_);
  open_.erase(token);
  if (long_tasks_.empty() || long_tasks_.begin()->first >= HorizonLocked()) return;
  // On the network thread, where the timers' closures would have been destroyed anyway.
  PostTask([this] { DropSettledLongTasks(); });
}

void NetworkThread::DropSettledLongTasks() {
  std::vector<absl::AnyInvocable<void() &&>> dropped;
  {
    webrtc::MutexLock lock(&long_mutex_);
    auto end = long_tasks_.lower_bound(HorizonLocked());
    for (auto it = long_tasks_.begin(); it != end; ++it) {
      due_.erase({it->second.due_ms, it->first});
      dropped.push_back(std::move(it->second.run));
    }
    long_tasks_.erase(long_tasks_.begin(), end);
  }
  // Unlocked: destroying a closure releases its references, which might post.
}

size_t NetworkThread::PendingLongTasks() const {
  webrtc::MutexLock lock(&long_mutex_);
  return long_tasks_.size();
}

}  // namespace nlw
