// A shard's network thread: an rtc::Thread that keeps libwebrtc's long timers aside, so that the
// timers of closed connections are freed instead of waiting out their delay.
//
// Every libwebrtc connection leaves timers on its network thread that outlive it: ICE regathering
// (5 min), port and STUN request timeouts (30-60 s), SCTP heartbeats (30 s). Their tasks check a
// safety flag and do nothing when they finally run, but until then each holds a closure, a flag
// and a queue slot: a program that opens and closes connections at a steady rate keeps rate x 5 min
// of them, 20-25 MiB of RSS after 10,000 quick cycles (test/reliability/leak). rtc::Thread cannot
// remove queued tasks, so delays of kLongDelay or more go to a queue of ours, run from it on time,
// and are dropped once every connection that was open on this thread when they were posted has
// closed: only those connections' objects post them (the shard's own objects use short timers).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <utility>

#include "absl/functional/any_invocable.h"
#include "api/units/time_delta.h"
#include "rtc_base/socket_server.h"
#include "rtc_base/synchronization/mutex.h"
#include "rtc_base/thread.h"

namespace nlw {

class NetworkThread : public rtc::Thread {
 public:
  // Shorter delays stay in rtc::Thread's own queue (pacing, retransmissions, pings, the network
  // manager's 2 s updates).
  static constexpr webrtc::TimeDelta kLongDelay = webrtc::TimeDelta::Seconds(10);

  static std::unique_ptr<NetworkThread> Create();
  explicit NetworkThread(std::unique_ptr<rtc::SocketServer> socket_server);
  ~NetworkThread() override;

  // From another thread inside a PostBatch scope (a pacer burst), the post waits for the scope's
  // end and goes with the others (post_batch.h).
  void PostTask(absl::AnyInvocable<void() &&> task) override;
  void PostDelayedTask(absl::AnyInvocable<void() &&> task, webrtc::TimeDelta delay) override;
  void PostDelayedHighPrecisionTask(absl::AnyInvocable<void() &&> task,
                                    webrtc::TimeDelta delay) override;

  // Any thread. A connection counts as open from before libwebrtc creates it until its close has
  // run; the token from ConnectionOpened goes back to ConnectionClosed.
  uint64_t ConnectionOpened();
  void ConnectionClosed(uint64_t token);

  // Long timers queued now (nonstandard.liveObjects, tests).
  size_t PendingLongTasks() const;

 private:
  // rtc::Thread reads its sockets only when no task is ready. A shard thread that always has one
  // (signaling work for hundreds of connections, their retransmission timers) never read: 1,000
  // pairs opened at once did not connect one in 100 s, their handshakes retransmitting into full
  // receive buffers. A timer that runs more than kLateUs after it was due polls the sockets once
  // it has run, at most every kIoPollIntervalUs, so packets keep being read however long the
  // queue. Only timers: wrapping every task cost small messages ~8%, and polling whenever a task
  // ran 2 ms late (as a flood of small messages keeps them) ~10% more.
  static constexpr int64_t kLateUs = 20000;
  static constexpr int64_t kIoPollIntervalUs = 5000;
  absl::AnyInvocable<void() &&> ThenPoll(absl::AnyInvocable<void() &&> task, webrtc::TimeDelta delay);
  void PollIo();
  int64_t last_poll_us_ = 0;
  bool polling_ = false;

  struct LongTask {
    int64_t due_ms;
    absl::AnyInvocable<void() &&> run;
  };
  void AddLongTask(absl::AnyInvocable<void() &&> task, webrtc::TimeDelta delay);
  // Posts a wake-up for `due_ms` unless one at or before it is pending. Needs long_mutex_.
  void ArmLocked(int64_t due_ms, int64_t now_ms);
  void RunDueLongTasks(int64_t woke_for_ms);  // network thread
  void DropSettledLongTasks();                // network thread
  // Post order before which every long task may be dropped. Needs long_mutex_.
  uint64_t HorizonLocked() const;

  mutable webrtc::Mutex long_mutex_;
  uint64_t clock_ = 0;                            // orders posts and opens
  std::map<uint64_t, LongTask> long_tasks_;       // by post order
  std::set<std::pair<int64_t, uint64_t>> due_;    // (due time, post order)
  std::set<int64_t> wakeups_;                     // wake-ups queued in rtc::Thread's queue
  std::set<uint64_t> open_;                       // when each open connection opened
};

}  // namespace nlw
