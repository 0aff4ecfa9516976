#include "media/ticker.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

#include <pthread.h>

#include "rtc_base/time_utils.h"

namespace nlw {

namespace {

struct Client {
  int64_t period_us;
  int64_t next_us;
  std::shared_ptr<Ticker::Tick> tick;
  int64_t catch_up_us = 0;
};

// Never destroyed: a static destructor would race a ticker thread still draining at exit.
struct State {
  std::mutex mu;
  std::condition_variable wake;      // the ticker thread waits on it
  std::condition_variable finished;  // Remove waits on it for a running tick
  std::map<uint64_t, Client> clients;
  uint64_t next_id = 1;
  uint64_t running = 0;  // id of the tick in progress, 0 if none
  std::thread thread;
  bool thread_running = false;
  uint64_t generation = 0;  // a thread runs while the generation it started with is current
};

// The first tick at or after `t` on the grid of multiples of `period_us`: clients of one period
// (every 10 ms audio source) tick together, so one wake of the ticker thread serves them all and
// hands their frames on together (to encoders that then run back to back on a pool thread)
// instead of waking once per client at scattered phases.
int64_t AlignUp(int64_t t, int64_t period_us) {
  int64_t r = t % period_us;
  return r == 0 ? t : t + (period_us - r);
}

State& S() {
  static State* s = new State();
  return *s;
}

void Loop(uint64_t generation) {
  pthread_setname_np(pthread_self(), "nlw-ticker");
  State& s = S();
  std::unique_lock<std::mutex> lock(s.mu);
  while (s.generation == generation) {
    if (s.clients.empty()) {
      s.wake.wait(lock);
      continue;
    }
    int64_t now = rtc::TimeMicros();
    auto due = s.clients.end();
    for (auto it = s.clients.begin(); it != s.clients.end(); ++it)
      if (due == s.clients.end() || it->second.next_us < due->second.next_us) due = it;
    if (due->second.next_us > now) {
      s.wake.wait_for(lock, std::chrono::microseconds(due->second.next_us - now));
      continue;  // the set may have changed
    }
    Client& c = due->second;
    // A late ticker (a busy machine) runs what it missed within the client's catch-up window and
    // skips the rest.
    int64_t oldest = now - std::max(c.period_us / 2, c.catch_up_us);
    int64_t due_us = c.next_us >= oldest ? c.next_us
                                         : c.next_us + AlignUp(oldest - c.next_us, c.period_us);
    c.next_us = due_us + c.period_us;
    std::shared_ptr<Ticker::Tick> tick = c.tick;
    s.running = due->first;
    lock.unlock();
    (*tick)(due_us);
    tick.reset();
    lock.lock();
    s.running = 0;
    s.finished.notify_all();
  }
}

}  // namespace

uint64_t Ticker::Add(int64_t period_us, Tick tick, int64_t catch_up_us) {
  State& s = S();
  std::thread old;
  std::lock_guard<std::mutex> lock(s.mu);
  uint64_t id = s.next_id++;
  period_us = std::max<int64_t>(period_us, 1000);
  s.clients[id] = Client{period_us, AlignUp(rtc::TimeMicros(), period_us),
                         std::make_shared<Tick>(std::move(tick)), std::max<int64_t>(catch_up_us, 0)};
  if (!s.thread_running) {
    s.thread_running = true;
    s.thread = std::thread(Loop, s.generation);
  }
  s.wake.notify_all();
  return id;
}

void Ticker::SetPeriod(uint64_t id, int64_t period_us) {
  State& s = S();
  std::lock_guard<std::mutex> lock(s.mu);
  auto it = s.clients.find(id);
  if (it == s.clients.end()) return;
  it->second.period_us = std::max<int64_t>(period_us, 1000);
  it->second.next_us = AlignUp(rtc::TimeMicros(), it->second.period_us);
  s.wake.notify_all();
}

void Ticker::Remove(uint64_t id) {
  State& s = S();
  std::thread ending;
  {
    std::unique_lock<std::mutex> lock(s.mu);
    s.finished.wait(lock, [&] { return s.running != id; });
    auto it = s.clients.find(id);
    if (it == s.clients.end()) return;
    std::shared_ptr<Tick> tick = std::move(it->second.tick);
    s.clients.erase(it);
    if (s.clients.empty() && s.thread_running) {
      // The thread leaves its loop when it wakes; joined below, outside the lock.
      s.generation++;
      s.thread_running = false;
      s.wake.notify_all();
      ending = std::move(s.thread);
    }
    lock.unlock();
    tick.reset();  // what it captured goes here, on the caller's thread
  }
  if (ending.joinable()) ending.join();
}

}  // namespace nlw
